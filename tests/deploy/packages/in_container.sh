#!/usr/bin/env bash
# The container side of deploy.packages (packages_test.sh runs it with podman exec, as root, in a
# debian:12-slim container). Usage: in_container.sh PHASE; /t holds the packages (read-only).
# Each phase checks exact values and exits non-zero on the first difference.
#
# Without systemd (a plain container):
#   install        apt-get install ./vctp_*.deb nats-server curl: dependencies from Debian
#   files          files, modes and owners, conffiles, the vctp user, the certificate, the
#                  settings' paths; the units not enabled (no systemd running)
#   check-settings each binary, as vctp: --check-settings -settings /etc/dtms/vctp.yml
#   run            the four services started as their installed units' ExecStart, User, Group,
#                  WorkingDirectory, UMask and EnvironmentFile say; not ready (503) without NATS, ready
#                  (200) once nats-server -js runs; the web UI served from /usr/share/vctp/web;
#                  SIGTERM: each exits 0
#   reinstall      apt-get install --reinstall keeps an edited /etc/dtms/vctp.yml and
#                  /etc/default/vctp, their modes and the certificate
#   purge          apt-get purge: the package's files and the certificate gone, /var/lib/vctp kept
#   rpm            the RPM's scriptlets run by rpm itself (--nodeps: Debian's libraries are not
#                  in rpm's database): user, folders, certificate, modes; rpm -V clean; rpm -e
# With systemd as PID 1:
#   systemd-install  the postinst enables vctp.service and starts the four services
#   systemd-run      not ready until nats-server has JetStream, then ready; the sandbox of every
#                    service (vctp uid, no capabilities, NoNewPrivs, seccomp, / read-only,
#                    /var/lib/vctp writable); `systemctl restart vctp` restarts all four; a
#                    plaintext vcenter_password stays in the read-only settings file with a
#                    warning; `systemctl stop vctp` stops them cleanly; apt-get remove stops and
#                    disables them
set -euo pipefail

phase=${1:?usage: in_container.sh PHASE}
services=(collector aggregator reporter gateway)
declare -A port=([collector]=9101 [aggregator]=9102 [reporter]=9103)

say() { echo "[$phase] $*"; }
fail() { echo "[$phase] FAILED: $*" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive
apt_get() { apt-get -q -y -o Acquire::Retries=3 "$@"; }

# mode owner group of a path, e.g. "640 root vctp"
perms() { stat -c '%a %U %G' "$1"; }
expect_perms() {  # PATH "MODE OWNER GROUP"
  [ -e "$1" ] || fail "$1 is missing"
  local got
  got=$(perms "$1")
  [ "$got" = "$2" ] || fail "$1: mode/owner '$got', expected '$2'"
}
# What vctp-setup leaves, whichever package ran it: settings, secrets, certificate, state folders.
expect_setup_perms() {
  expect_perms /etc/dtms/vctp.yml "640 root vctp"
  expect_perms /etc/default/vctp "600 root root"
  expect_perms /etc/dtms/vctp.crt "644 root root"
  expect_perms /etc/dtms/vctp.key "600 vctp vctp"
  expect_perms /var/lib/vctp "750 vctp vctp"
  expect_perms /var/lib/vctp/reports "750 vctp vctp"
}
expect_absent() { if [ -e "$1" ] || [ -L "$1" ]; then fail "$1 should not exist"; fi; }

readyz_url() {
  if [ "$1" = gateway ]; then echo https://127.0.0.1:9443/readyz; else echo "http://127.0.0.1:${port[$1]}/readyz"; fi
}
# HTTP status and body of a service's /readyz ("000" when nothing answers)
readyz() { curl -ksS --max-time 3 -o /tmp/readyz.body -w '%{http_code}' "$(readyz_url "$1")" 2>/dev/null || true; }
wait_ready() {  # SECONDS: every service's /readyz 200 with database and nats ok
  local deadline=$(( $(date +%s) + $1 )) s code pending
  while :; do
    pending=()
    for s in "${services[@]}"; do
      code=$(readyz "$s")
      if [ "$code" = 200 ] && grep -q '"status":"ready"' /tmp/readyz.body &&
         grep -q '"database":"ok"' /tmp/readyz.body && grep -q '"nats":"ok"' /tmp/readyz.body; then
        continue
      fi
      pending+=("$s:$code")
    done
    [ ${#pending[@]} -eq 0 ] && return 0
    [ "$(date +%s)" -lt "$deadline" ] || { echo "not ready after $1 s: ${pending[*]}" >&2; return 1; }
    sleep 1
  done
}
expect_not_ready_nats() {  # SECONDS SERVICE...: each answers 503 naming NATS
  local deadline=$(( $(date +%s) + $1 )) s code
  shift
  for s in "$@"; do
    while :; do
      code=$(readyz "$s")
      if [ "$code" = 503 ]; then
        grep -q '"error":"unavailable"' /tmp/readyz.body || fail "vctp-$s /readyz 503 without error unavailable: $(cat /tmp/readyz.body)"
        grep -q '"database":"ok"' /tmp/readyz.body || fail "vctp-$s /readyz: database not ok: $(cat /tmp/readyz.body)"
        grep -q '"nats":"ok"' /tmp/readyz.body && fail "vctp-$s /readyz 503 but nats ok: $(cat /tmp/readyz.body)"
        break
      fi
      [ "$(date +%s)" -lt "$deadline" ] || fail "vctp-$s /readyz answered '$code', expected 503: $(cat /tmp/readyz.body 2>/dev/null)"
      sleep 1
    done
  done
}

deb_file() { ls /t/vctp_*_amd64.deb; }
unit_dir_deb=/lib/systemd/system

case "$phase" in
install)
  cd /t
  apt_get update >/tmp/apt-update.log 2>&1 || { cat /tmp/apt-update.log >&2; fail "apt-get update"; }
  deb=$(basename "$(deb_file)")
  if ! apt_get install "./$deb" nats-server curl >/tmp/apt-install.log 2>&1; then
    cat /tmp/apt-install.log >&2
    fail "apt-get install ./$deb nats-server curl"
  fi
  grep -E '^(Setting up vctp|vctp-setup:|Created symlink)' /tmp/apt-install.log || true
  grep -q '^Setting up vctp ' /tmp/apt-install.log || fail "apt-get did not set up vctp"
  grep -q '^vctp-setup: made a self-signed certificate for DNS:' /tmp/apt-install.log ||
    fail "the postinst did not make the certificate"
  say "installed: $(dpkg-query -W -f='${Package} ${Version} ${Status}' vctp)"
  [ "$(dpkg-query -W -f='${Status}' vctp)" = "install ok installed" ] || fail "vctp not installed"
  ;;

files)
  for s in "${services[@]}"; do expect_perms "/usr/bin/vctp-$s" "755 root root"; done
  for u in vctp.service "${services[@]/#/vctp-}"; do
    u=${u%.service}.service
    expect_perms "$unit_dir_deb/$u" "644 root root"
    cmp -s "$unit_dir_deb/$u" "/t/units/$u" || fail "$unit_dir_deb/$u differs from deploy/systemd/$u"
  done
  expect_perms /usr/share/vctp/web/index.html "644 root root"
  expect_perms /usr/share/vctp/web/app.js "644 root root"
  expect_perms /usr/lib/vctp/vctp-setup "755 root root"
  expect_perms /etc/dtms "755 root root"
  expect_setup_perms
  conffiles=$(dpkg-query -W -f='${Conffiles}\n' vctp | awk 'NF {print $1}' | sort | tr '\n' ' ')
  [ "$conffiles" = "/etc/default/vctp /etc/dtms/vctp.yml " ] || fail "conffiles: '$conffiles'"

  # The user: a system account without a login, at home in /var/lib/vctp.
  IFS=: read -r name _ uid gid _ home shell < <(getent passwd vctp) || fail "no user vctp"
  [ "$uid" -lt 1000 ] || fail "vctp is not a system user (uid $uid)"
  [ "$(getent group vctp | cut -d: -f3)" = "$gid" ] || fail "vctp's primary group is not vctp"
  [ "$home" = /var/lib/vctp ] || fail "vctp's home is $home"
  [ "$shell" = /usr/sbin/nologin ] || fail "vctp's shell is $shell"
  say "user $name uid $uid gid $gid home $home shell $shell"

  # The certificate: the gateway's kind, and the key belongs to it.
  text=$(openssl x509 -in /etc/dtms/vctp.crt -noout -text)
  grep -q 'DNS:localhost' <<<"$text" && grep -q 'IP Address:127.0.0.1' <<<"$text" ||
    fail "the certificate's subjectAltName lacks localhost or 127.0.0.1"
  grep -q 'ASN1 OID: prime256v1' <<<"$text" || fail "the certificate's key is not P-256"
  grep -q 'TLS Web Server Authentication' <<<"$text" || fail "the certificate is not for servers"
  [ "$(openssl x509 -in /etc/dtms/vctp.crt -noout -pubkey)" = "$(openssl pkey -in /etc/dtms/vctp.key -pubout)" ] ||
    fail "vctp.key does not match vctp.crt"
  say "certificate: $(openssl x509 -in /etc/dtms/vctp.crt -noout -subject -enddate | tr '\n' ' ')"

  # The settings: the reference with the installed paths (the rest is compared on the host).
  for line in "  database_url: /var/lib/vctp/db.sqlite3" "  reports_dir: /var/lib/vctp/reports" \
              "  tls_cert_filename: /etc/dtms/vctp.crt" "  tls_key_filename: /etc/dtms/vctp.key"; do
    grep -qxF "$line" /etc/dtms/vctp.yml || fail "/etc/dtms/vctp.yml has no line '$line'"
  done
  # No systemd runs here: nothing enabled.
  expect_absent /etc/systemd/system/multi-user.target.wants/vctp.service
  say "files, modes, owners, conffiles, user and certificate as expected"
  ;;

check-settings)
  for s in "${services[@]}"; do
    if ! out=$(setpriv --reuid=vctp --regid=vctp --init-groups "/usr/bin/vctp-$s" --check-settings \
                 -settings /etc/dtms/vctp.yml 2>&1); then
      fail "vctp-$s --check-settings: $out"
    fi
    [ "$(head -1 <<<"$out")" = "# /etc/dtms/vctp.yml: valid" ] || fail "vctp-$s --check-settings said: $(head -3 <<<"$out")"
    grep -qxF "  database_url: /var/lib/vctp/db.sqlite3" <<<"$out" || fail "vctp-$s: effective database_url not the installed one"
    say "vctp-$s: $(head -1 <<<"$out") ($(/usr/bin/vctp-"$s" --version))"
  done
  ;;

run)
  # A setting through the units' EnvironmentFile: JSON logs.
  echo "VCTP_LOG_OUTPUT=json" >>/etc/default/vctp
  declare -A pid
  nats_pid=
  stop_all() {
    for s in "${services[@]}"; do [ -n "${pid[$s]:-}" ] && kill -TERM "${pid[$s]}" 2>/dev/null || true; done
    [ -n "$nats_pid" ] && kill -TERM "$nats_pid" 2>/dev/null || true
  }
  show_logs() {
    for s in "${services[@]}"; do echo "--- vctp-$s (last lines)"; tail -n 15 "/tmp/vctp-$s.log" 2>/dev/null || true; done >&2
  }
  trap 'rc=$?; [ $rc -eq 0 ] || show_logs; stop_all; exit $rc' EXIT
  for s in "${services[@]}"; do
    unit=$unit_dir_deb/vctp-$s.service
    key() { sed -n "s/^$1=//p" "$unit"; }
    exec_start=$(key ExecStart)
    [ "$exec_start" = "/usr/bin/vctp-$s -settings /etc/dtms/vctp.yml" ] || fail "$unit: ExecStart=$exec_start"
    user=$(key User) group=$(key Group) dir=$(key WorkingDirectory) env_file=$(key EnvironmentFile)
    mask=$(key UMask)
    env_file=${env_file#-}
    [ -n "$user" ] && [ -n "$group" ] && [ -n "$dir" ] && [ -n "$env_file" ] && [ -n "$mask" ] ||
      fail "$unit: User, Group, WorkingDirectory, EnvironmentFile or UMask missing"
    # As systemd would: the environment file read by root, then the service as User:Group.
    # shellcheck disable=SC2086
    (
      cd "$dir"
      umask "$mask"
      set -a
      # shellcheck disable=SC1090
      [ -f "$env_file" ] && . "$env_file"
      set +a
      exec setpriv --reuid="$user" --regid="$group" --init-groups --no-new-privs $exec_start
    ) >"/tmp/vctp-$s.log" 2>&1 &
    pid[$s]=$!
    say "started vctp-$s (pid ${pid[$s]}): $exec_start as $user:$group in $dir, umask $mask"
  done

  # No NATS yet: alive, but not ready, and saying why.
  sleep 2
  for s in "${services[@]}"; do
    kill -0 "${pid[$s]}" 2>/dev/null || fail "vctp-$s exited without NATS"
  done
  expect_not_ready_nats 30 "${services[@]}"
  for s in collector aggregator reporter; do
    code=$(curl -sS --max-time 3 -o /dev/null -w '%{http_code}' "http://127.0.0.1:${port[$s]}/healthz" || true)
    [ "$code" = 200 ] || fail "vctp-$s /healthz answered $code without NATS"
  done
  say "without NATS: /healthz 200, /readyz 503 naming nats, for every service"

  nats-server -js -a 127.0.0.1 -p 4222 -sd /tmp/jetstream >/tmp/nats.log 2>&1 &
  nats_pid=$!
  started=$(date +%s)
  wait_ready 60 || fail "the services did not become ready"
  say "with nats-server -js: every /readyz 200 (database ok, nats ok) after $(( $(date +%s) - started )) s"
  for s in "${services[@]}"; do
    echo "  vctp-$s $(readyz_url "$s"): $(readyz "$s") $(cat /tmp/readyz.body)"
  done

  # The settings' paths at work, the units' environment applied, the web UI installed.
  expect_perms /var/lib/vctp/db.sqlite3 "640 vctp vctp"
  for s in "${services[@]}"; do
    first=$(head -1 "/tmp/vctp-$s.log")
    [[ $first == '{'*'"service":"'"$s"'"'* ]] || fail "vctp-$s does not log JSON (VCTP_LOG_OUTPUT from /etc/default/vctp): $first"
  done
  grep -q '"web_root":"/usr/share/vctp/web"' /tmp/vctp-gateway.log || fail "the gateway's web_root is not /usr/share/vctp/web"
  for f in index.html app.js; do
    path=/ui/$f
    [ "$f" = index.html ] && path=/
    curl -ksSf --max-time 5 "https://127.0.0.1:9443$path" -o /tmp/web.out || fail "GET $path"
    cmp -s /tmp/web.out "/usr/share/vctp/web/$f" || fail "GET $path is not /usr/share/vctp/web/$f"
  done
  say "JSON logs from /etc/default/vctp; database file vctp 0640; the web UI from /usr/share/vctp/web"

  # SIGTERM: each finishes and exits 0 within the units' TimeoutStopSec.
  timeout_stop=$(sed -n 's/^TimeoutStopSec=//p' "$unit_dir_deb/vctp-gateway.service")
  for s in "${services[@]}"; do kill -TERM "${pid[$s]}"; done
  for s in "${services[@]}"; do
    deadline=$(( $(date +%s) + timeout_stop ))
    while kill -0 "${pid[$s]}" 2>/dev/null && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.2; done
    kill -0 "${pid[$s]}" 2>/dev/null && fail "vctp-$s still runs ${timeout_stop} s after SIGTERM"
    rc=0
    wait "${pid[$s]}" || rc=$?
    [ "$rc" = 0 ] || fail "vctp-$s exited $rc on SIGTERM"
    pid[$s]=
  done
  say "SIGTERM: the four exited 0"
  ;;

reinstall)
  cd /t
  before=$(sha256sum /etc/dtms/vctp.crt /etc/dtms/vctp.key)
  sed -i 's/^  log_level: info$/  log_level: debug/' /etc/dtms/vctp.yml
  grep -qxF "  log_level: debug" /etc/dtms/vctp.yml || fail "could not edit /etc/dtms/vctp.yml"
  grep -qxF "VCTP_LOG_OUTPUT=json" /etc/default/vctp || fail "/etc/default/vctp lost its edit before the reinstall"
  deb=$(basename "$(deb_file)")
  # No --force-conf*: a question about a conffile would read end of input and fail here.
  if ! apt_get install --reinstall "./$deb" </dev/null >/tmp/apt-reinstall.log 2>&1; then
    cat /tmp/apt-reinstall.log >&2
    fail "apt-get install --reinstall"
  fi
  grep -q '^Setting up vctp ' /tmp/apt-reinstall.log || fail "the reinstall did not set up vctp"
  grep -E '^(Preparing|Unpacking|Setting up) .*vctp' /tmp/apt-reinstall.log || true
  grep -qxF "  log_level: debug" /etc/dtms/vctp.yml || fail "the reinstall replaced the edited /etc/dtms/vctp.yml"
  grep -qxF "VCTP_LOG_OUTPUT=json" /etc/default/vctp || fail "the reinstall replaced the edited /etc/default/vctp"
  expect_absent /etc/dtms/vctp.yml.dpkg-dist
  expect_perms /etc/dtms/vctp.yml "640 root vctp"
  expect_perms /etc/default/vctp "600 root root"
  expect_perms /etc/dtms/vctp.key "600 vctp vctp"
  [ "$(sha256sum /etc/dtms/vctp.crt /etc/dtms/vctp.key)" = "$before" ] || fail "the reinstall replaced the certificate"
  # dpkg sees exactly the two edited conffiles as changed.
  changed=$(dpkg --verify vctp | awk '{print $NF}' | sort | tr '\n' ' ')
  [ "$changed" = "/etc/default/vctp /etc/dtms/vctp.yml " ] || fail "dpkg --verify vctp: '$changed'"
  say "edited settings and environment kept, modes and certificate unchanged; dpkg --verify: $changed"
  ;;

purge)
  apt_get purge vctp >/tmp/apt-purge.log 2>&1 || { cat /tmp/apt-purge.log >&2; fail "apt-get purge vctp"; }
  grep -q '^vctp: kept /var/lib/vctp' /tmp/apt-purge.log || fail "the postrm did not say it keeps /var/lib/vctp"
  for f in /usr/bin/vctp-collector /usr/bin/vctp-gateway /lib/systemd/system/vctp.service /usr/share/vctp \
           /usr/lib/vctp /etc/dtms/vctp.yml /etc/default/vctp /etc/dtms/vctp.crt /etc/dtms/vctp.key /etc/dtms; do
    expect_absent "$f"
  done
  [ -f /var/lib/vctp/db.sqlite3 ] || fail "the purge removed the database"
  getent passwd vctp >/dev/null || fail "the purge removed the vctp user"
  say "purged: files, conffiles and certificate gone; /var/lib/vctp and the user kept"
  ;;

rpm)
  apt_get install --no-install-recommends rpm >/tmp/apt-rpm.log 2>&1 || { cat /tmp/apt-rpm.log >&2; fail "apt-get install rpm"; }
  # From nothing, as on a fresh machine: no vctp user, no /var/lib/vctp.
  userdel vctp 2>/dev/null || true
  groupdel vctp 2>/dev/null || true
  rm -rf /var/lib/vctp
  rpm_file=$(ls /t/vctp-*.x86_64.rpm)
  # --nodeps: the libraries come from Debian's packages, which rpm's database does not know;
  # --force-debian: Debian's rpm asks for it before it installs anything.
  out=$(rpm -i --nodeps --force-debian "$rpm_file" 2>&1) || fail "rpm -i: $out"
  echo "$out" | sed 's/^/  rpm -i: /'
  grep -q '^vctp-setup: made a self-signed certificate for DNS:' <<<"$out" || fail "%post did not make the certificate"
  IFS=: read -r _ _ uid _ _ home shell < <(getent passwd vctp) || fail "%pre made no user vctp"
  [ "$uid" -lt 1000 ] && [ "$home" = /var/lib/vctp ] && [ "$shell" = /sbin/nologin ] ||
    fail "%pre's user: uid $uid home $home shell $shell"
  expect_setup_perms
  expect_perms /usr/lib/systemd/system/vctp-collector.service "644 root root"
  verify=$(rpm -V --nodeps vctp 2>&1) || fail "rpm -V --nodeps vctp: $verify"
  [ -z "$verify" ] || fail "rpm -V --nodeps vctp: $verify"
  say "rpm -i: user, folders, certificate and modes as expected; rpm -V clean"
  out=$(rpm -e --nodeps vctp 2>&1) || fail "rpm -e: $out"
  expect_absent /usr/bin/vctp-collector
  [ -d /var/lib/vctp ] || fail "rpm -e removed /var/lib/vctp"
  say "rpm -e: files gone, /var/lib/vctp kept"
  ;;

systemd-install)
  cd /t
  [ -d /run/systemd/system ] || fail "systemd does not run here"
  deb=$(basename "$(deb_file)")
  if ! apt_get install "./$deb" nats-server >/tmp/apt-install.log 2>&1; then
    cat /tmp/apt-install.log >&2
    fail "apt-get install ./$deb nats-server"
  fi
  grep -E '^(Setting up vctp|vctp-setup:|Created symlink.*vctp)' /tmp/apt-install.log || true
  [ "$(systemctl is-enabled vctp.service)" = enabled ] || fail "the postinst did not enable vctp.service"
  [ "$(readlink /etc/systemd/system/multi-user.target.wants/vctp.service)" = /lib/systemd/system/vctp.service ] ||
    fail "vctp.service is not wanted by multi-user.target"
  [ "$(systemctl is-active vctp.service)" = active ] || fail "the postinst did not start vctp.service"
  for s in "${services[@]}"; do
    state=$(systemctl is-active "vctp-$s.service" || true)
    [ "$state" = active ] || fail "vctp-$s.service is $state after the installation: $(journalctl -u "vctp-$s" --no-pager -n 20)"
  done
  say "the postinst enabled vctp.service and started the four services"
  ;;

systemd-run)
  show_journal() {
    for s in "${services[@]}"; do echo "--- vctp-$s"; journalctl -u "vctp-$s" --no-pager -n 15 -o cat; done >&2
  }
  trap 'rc=$?; [ $rc -eq 0 ] || show_journal; exit $rc' EXIT
  # Debian's nats-server runs without JetStream: the services stay unready, saying so.
  expect_not_ready_nats 30 "${services[@]}"
  say "with Debian's nats-server as configured (no JetStream): every /readyz 503 naming nats"
  mkdir -p /var/lib/nats
  chown nats:nats /var/lib/nats
  printf 'jetstream {\n  store_dir: /var/lib/nats/jetstream\n}\n' >>/etc/nats-server.conf
  systemctl restart nats-server
  wait_ready 60 || fail "not ready with JetStream"
  say "JetStream enabled in /etc/nats-server.conf: every /readyz 200, with no restart of vctp"

  vctp_uid=$(id -u vctp)
  declare -A main_pid
  for s in "${services[@]}"; do
    p=$(systemctl show -p MainPID --value "vctp-$s.service")
    [ "$p" -gt 0 ] || fail "vctp-$s.service has no main process"
    main_pid[$s]=$p
    st=/proc/$p/status
    [ "$(awk '/^Uid:/ {print $2 "," $3}' "$st")" = "$vctp_uid,$vctp_uid" ] || fail "vctp-$s does not run as vctp"
    [ "$(awk '/^CapEff:/ {print $2}' "$st")" = 0000000000000000 ] || fail "vctp-$s has capabilities"
    [ "$(awk '/^NoNewPrivs:/ {print $2}' "$st")" = 1 ] || fail "vctp-$s: NoNewPrivs not set"
    [ "$(awk '/^Seccomp:/ {print $2}' "$st")" = 2 ] || fail "vctp-$s: no seccomp filter"
    root_opts=$(awk '$5 == "/" {print $6}' "/proc/$p/mountinfo" | tail -1)
    state_opts=$(awk '$5 == "/var/lib/vctp" {print $6}' "/proc/$p/mountinfo" | tail -1)
    [[ ,$root_opts, == *,ro,* ]] || fail "vctp-$s: / is not read-only ($root_opts)"
    [[ ,$state_opts, == *,rw,* ]] || fail "vctp-$s: /var/lib/vctp is not writable ($state_opts)"
    [ "$(awk '$5 == "/tmp" {n++} END {print n + 0}' "/proc/$p/mountinfo")" -ge 1 ] || fail "vctp-$s: no private /tmp"
    say "vctp-$s pid $p: uid vctp, CapEff 0, NoNewPrivs 1, Seccomp 2, / $root_opts, /var/lib/vctp $state_opts"
  done

  # systemctl restart vctp: the four restarted (PartOf=vctp.service), and ready again.
  systemctl restart vctp.service
  deadline=$(( $(date +%s) + 30 ))
  for s in "${services[@]}"; do
    while :; do
      p=$(systemctl show -p MainPID --value "vctp-$s.service")
      [ "$p" -gt 0 ] && [ "$p" != "${main_pid[$s]}" ] && [ "$(systemctl is-active "vctp-$s.service")" = active ] && break
      [ "$(date +%s)" -lt "$deadline" ] || fail "vctp-$s.service was not restarted by systemctl restart vctp"
      sleep 0.5
    done
  done
  wait_ready 60 || fail "not ready after systemctl restart vctp"
  say "systemctl restart vctp: the four restarted with new processes and ready again"

  # A plaintext password in the read-only settings file: a warning, the file unchanged, running.
  cp -p /etc/dtms/vctp.yml /tmp/vctp.yml.saved
  sed -i 's/^  vcenter_password: ""$/  vcenter_password: plain-secret/' /etc/dtms/vctp.yml
  grep -qxF "  vcenter_password: plain-secret" /etc/dtms/vctp.yml || fail "could not set vcenter_password"
  since=$(date '+%Y-%m-%d %H:%M:%S')
  systemctl restart vctp-collector.service
  deadline=$(( $(date +%s) + 20 ))
  until journalctl -u vctp-collector --no-pager --since "$since" -o cat |
        grep -q 'vcenter_password is in plaintext and the settings file is read-only: it stays in plaintext'; do
    [ "$(date +%s)" -lt "$deadline" ] || fail "no read-only warning from the collector"
    sleep 0.5
  done
  grep -qxF "  vcenter_password: plain-secret" /etc/dtms/vctp.yml || fail "the settings file was rewritten"
  [ "$(systemctl is-active vctp-collector.service)" = active ] || fail "the collector stopped over the password"
  cp -p /tmp/vctp.yml.saved /etc/dtms/vctp.yml
  say "a plaintext vcenter_password in /etc/dtms/vctp.yml stays as it is, with the read-only warning"

  # systemctl stop vctp: the four stopped, each having exited 0.
  systemctl stop vctp.service
  for s in "${services[@]}"; do
    state=$(systemctl is-active "vctp-$s.service" || true)
    [ "$state" = inactive ] || fail "vctp-$s.service is $state after systemctl stop vctp"
    [ "$(systemctl show -p Result --value "vctp-$s.service")" = success ] || fail "vctp-$s.service did not stop cleanly"
  done
  say "systemctl stop vctp: the four inactive, result success"

  # apt-get remove under systemd: the prerm stops and disables them.
  systemctl start vctp.service
  wait_ready 60 || fail "not ready after systemctl start vctp"
  apt_get remove vctp >/tmp/apt-remove.log 2>&1 || { cat /tmp/apt-remove.log >&2; fail "apt-get remove vctp"; }
  expect_absent /etc/systemd/system/multi-user.target.wants/vctp.service
  for s in "${services[@]}"; do
    state=$(systemctl is-active "vctp-$s.service" || true)
    [ "$state" != active ] || fail "vctp-$s.service still runs after apt-get remove"
  done
  say "apt-get remove: the services stopped, vctp.service disabled"
  ;;

*)
  fail "unknown phase"
  ;;
esac
