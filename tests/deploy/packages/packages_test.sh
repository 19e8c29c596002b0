#!/usr/bin/env bash
# deploy.packages: the DEB and RPM packages (cmake/VctpPackaging.cmake, deploy/packaging) built by
# cpack from the build tree, checked with the real tools. Usage: packages_test.sh SOURCE_DIR BUILD_DIR
#
# On the host: the file lists, modes and owners (dpkg-deb -c, rpm -qlp), the control fields and
# dependencies, the conffiles and %config(noreplace) files, the scriptlets (rpm -qp --scripts), the
# binaries stripped, the packaged settings equal to config/vctp.yml but for the installed paths.
# In a debian:12-slim container (podman, tests/deploy/lib/podman.sh; in_container.sh does the
# checking there): apt-get install of the .deb with nats-server, resolving the libraries from
# Debian; files, user, modes, certificate; --check-settings; the four services started as their
# unit files say and ready; a reinstall keeping the edited settings; purge; the RPM's scriptlets run
# by rpm. In a second container with systemd as PID 1: the postinst enabling and starting the
# units, the sandbox they get, `systemctl restart vctp`, stop and remove.
# Every wait is bounded; the containers and the temporary folder go away whatever happens.
set -euo pipefail

src=$(cd "${1:?usage: packages_test.sh SOURCE_DIR BUILD_DIR}" && pwd)
build=$(cd "${2:?usage: packages_test.sh SOURCE_DIR BUILD_DIR}" && pwd)
here=$src/tests/deploy/packages
started=$(date +%s)
log() { echo "packages_test [$(( $(date +%s) - started ))s]: $*"; }
fail() { echo "packages_test: FAILED: $*" >&2; exit 1; }

for tool in cpack dpkg-deb rpm rpm2archive readelf podman; do
  command -v "$tool" >/dev/null || fail "$tool not found (scripts/bootstrap installs what the deploy tests need)"
done
[ -f "$build/CPackConfig.cmake" ] || fail "$build/CPackConfig.cmake missing: configure the build tree first"
version=$(sed -n 's/^set(CPACK_PACKAGE_VERSION "\(.*\)")$/\1/p' "$build/CPackConfig.cmake")
[ -n "$version" ] || fail "no CPACK_PACKAGE_VERSION in $build/CPackConfig.cmake"

tmp=$(mktemp -d /tmp/vctp-packages-test.XXXXXX)
chmod 0755 "$tmp"
ctr_plain=vctp-packages-test-$$
ctr_systemd=vctp-packages-test-$$-systemd
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "${CONTAINERS_CONF:-}" ]; then
    if [ "$rc" -ne 0 ] && podman container exists "$ctr_systemd" 2>/dev/null; then
      echo "packages_test: --- the systemd container's log (last lines) ---" >&2
      timeout 30 podman logs --tail 20 "$ctr_systemd" >&2 2>&1 || true
    fi
    timeout 60 podman rm -f -t 0 "$ctr_plain" "$ctr_systemd" >/dev/null 2>&1 || true
  fi
  rm -rf "$tmp"
  log "done (exit $rc)"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- 1. Both packages, with cpack from the build tree --------------------------------------------
log "cpack (DEB and RPM) from $build"
if ! (cd "$build" && timeout 900 cpack --config CPackConfig.cmake -B "$tmp/pkg") >"$tmp/cpack.log" 2>&1; then
  cat "$tmp/cpack.log" >&2
  fail "cpack"
fi
if grep -E 'CMake Warning|CPack Error|CMake Error' "$tmp/cpack.log"; then fail "cpack warned (above)"; fi
deb=$tmp/pkg/vctp_${version}_amd64.deb
rpm_file=$tmp/pkg/vctp-${version}-1.x86_64.rpm
[ -f "$deb" ] || fail "no $(basename "$deb"); cpack made: $(cd "$tmp/pkg" && ls)"
[ -f "$rpm_file" ] || fail "no $(basename "$rpm_file"); cpack made: $(cd "$tmp/pkg" && ls)"
log "made $(basename "$deb") ($(du -h "$deb" | cut -f1)) and $(basename "$rpm_file") ($(du -h "$rpm_file" | cut -f1))"

# The web UI's files, as the gateway's install rule ships them.
mapfile -t web_files < <(cd "$src/services/gateway/web" && find . -type f | sed 's|^\./||' | LC_ALL=C sort)
[ ${#web_files[@]} -gt 0 ] || fail "no web UI files in services/gateway/web"

# --- 2. The DEB, on the host -----------------------------------------------------------------------
field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = vctp ] || fail "DEB Package: $(field Package)"
[ "$(field Version)" = "$version" ] || fail "DEB Version: $(field Version)"
[ "$(field Architecture)" = amd64 ] || fail "DEB Architecture: $(field Architecture)"
depends=$(field Depends)
[[ $depends == "adduser, openssl, "* ]] || fail "DEB Depends does not start with adduser, openssl: $depends"
for lib in libc6 libstdc++6 libssl3 libnats3.4 libpqxx-6.4 libsqlite3-0 libxlsxwriter4 libyaml-cpp0.7 \
           libprometheus-cpp-core1.0 libpugixml1v5 libfmt9; do
  tr ',' '\n' <<<"$depends" | awk '{print $1}' | grep -qxF "$lib" || fail "DEB Depends lacks $lib (dpkg-shlibdeps): $depends"
done
grep -q nats-server <<<"$depends" && fail "DEB Depends names nats-server: $depends"
[ "$(field Recommends)" = nats-server ] || fail "DEB Recommends: $(field Recommends)"
log "DEB control: vctp $version amd64; Depends: $depends; Recommends: nats-server"

# Files (not folders) with mode and owner, exactly.
{
  echo "-rw------- root/root ./etc/default/vctp"
  echo "-rw-r----- root/root ./etc/dtms/vctp.yml"
  for u in vctp-aggregator vctp-collector vctp-gateway vctp-reporter vctp; do
    echo "-rw-r--r-- root/root ./lib/systemd/system/$u.service"
  done
  for s in aggregator collector gateway reporter; do echo "-rwxr-xr-x root/root ./usr/bin/vctp-$s"; done
  echo "-rwxr-xr-x root/root ./usr/lib/vctp/vctp-setup"
  for f in "${web_files[@]}"; do echo "-rw-r--r-- root/root ./usr/share/vctp/web/$f"; done
} | LC_ALL=C sort >"$tmp/deb.expected"
dpkg-deb -c "$deb" >"$tmp/deb.contents"
awk '$1 !~ /^d/ {print $1, $2, $6}' "$tmp/deb.contents" | LC_ALL=C sort >"$tmp/deb.files"
diff -u "$tmp/deb.expected" "$tmp/deb.files" >&2 || fail "the DEB's files differ from the expected list (- expected, + packaged)"
bad_dirs=$(awk '$1 ~ /^d/ && ($1 != "drwxr-xr-x" || $2 != "root/root")' "$tmp/deb.contents")
[ -z "$bad_dirs" ] || fail "DEB folders not 0755 root: $bad_dirs"
# Control files: the conffiles and the maintainer scripts.
dpkg-deb -e "$deb" "$tmp/deb-control"
[ "$(cat "$tmp/deb-control/conffiles")" = $'/etc/dtms/vctp.yml\n/etc/default/vctp' ] ||
  fail "DEB conffiles: $(cat "$tmp/deb-control/conffiles")"
for script in postinst prerm postrm; do
  [ -x "$tmp/deb-control/$script" ] || fail "DEB has no executable $script"
  cmp -s "$tmp/deb-control/$script" "$src/deploy/packaging/deb/$script" || fail "DEB $script differs from deploy/packaging/deb/$script"
done
log "DEB files: $(wc -l <"$tmp/deb.files") files as expected; conffiles /etc/dtms/vctp.yml /etc/default/vctp; postinst prerm postrm"
dpkg-deb -x "$deb" "$tmp/deb-root"

# --- 3. The RPM, on the host -----------------------------------------------------------------------
[ "$(rpm -qp --qf '%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}' "$rpm_file")" = "vctp-$version-1.x86_64" ] ||
  fail "RPM name: $(rpm -qp --qf '%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}' "$rpm_file")"
{
  echo /etc/default/vctp
  echo /etc/dtms
  echo /etc/dtms/vctp.yml
  for s in aggregator collector gateway reporter; do echo "/usr/bin/vctp-$s"; done
  for u in vctp-aggregator vctp-collector vctp-gateway vctp-reporter vctp; do echo "/usr/lib/systemd/system/$u.service"; done
  echo /usr/lib/vctp
  echo /usr/lib/vctp/vctp-setup
  echo /usr/share/vctp
  echo /usr/share/vctp/web
  for f in "${web_files[@]}"; do echo "/usr/share/vctp/web/$f"; done
} | LC_ALL=C sort >"$tmp/rpm.expected"
rpm -qlp "$rpm_file" | LC_ALL=C sort >"$tmp/rpm.files"
diff -u "$tmp/rpm.expected" "$tmp/rpm.files" >&2 || fail "rpm -qlp differs from the expected list (- expected, + packaged)"
[ "$(rpm -qp --configfiles "$rpm_file" | LC_ALL=C sort | tr '\n' ' ')" = "/etc/default/vctp /etc/dtms/vctp.yml " ] ||
  fail "rpm -qp --configfiles: $(rpm -qp --configfiles "$rpm_file" | tr '\n' ' ')"
rpm -qp --qf '[%{FILEFLAGS:fflags} %{FILEMODES:perms} %{FILEUSERNAME} %{FILEGROUPNAME} %{FILENAMES}\n]' "$rpm_file" >"$tmp/rpm.attrs"
grep -qxF "cn -rw-r----- root vctp /etc/dtms/vctp.yml" "$tmp/rpm.attrs" ||
  fail "vctp.yml is not %config(noreplace) 0640 root:vctp: $(grep vctp.yml "$tmp/rpm.attrs")"
grep -qxF "cn -rw------- root root /etc/default/vctp" "$tmp/rpm.attrs" ||
  fail "/etc/default/vctp is not %config(noreplace) 0600 root: $(grep default "$tmp/rpm.attrs")"
# The scriptlets: each the file of deploy/packaging/rpm.
rpm -qp --scripts "$rpm_file" >"$tmp/rpm.scripts"
for pair in pre:preinstall post:postinstall preun:preuninstall postun:postuninstall; do
  file=${pair%%:*} name=${pair#*:}
  grep -qxF "$name scriptlet (using /bin/sh):" "$tmp/rpm.scripts" || fail "the RPM has no $name scriptlet"
  awk -v head="$name scriptlet (using /bin/sh):" '
    $0 == head {on = 1; next}
    on && / scriptlet \(using / {exit}
    on && NF {print}' "$tmp/rpm.scripts" >"$tmp/rpm.$file"
  diff -u <(grep -v '^$' "$src/deploy/packaging/rpm/$file") "$tmp/rpm.$file" >&2 ||
    fail "the RPM's $name scriptlet differs from deploy/packaging/rpm/$file"
done
# Requirements: the libraries by rpmbuild, the scriptlets' tools, nats-server only recommended.
rpm -qp --qf '[%{REQUIREFLAGS:deptype} %{REQUIRENAME}\n]' "$rpm_file" >"$tmp/rpm.requires"
for line in "pre shadow-utils" "post openssl" "auto libnats.so.3.4()(64bit)" "auto libxlsxwriter.so.4()(64bit)" \
            "auto libyaml-cpp.so.0.7()(64bit)" "auto libssl.so.3()(64bit)" "auto libsqlite3.so.0()(64bit)"; do
  grep -qxF "$line" "$tmp/rpm.requires" || fail "the RPM lacks the requirement '$line'"
done
grep -q nats-server "$tmp/rpm.requires" && fail "the RPM requires nats-server"
[ "$(rpm -qp --recommends "$rpm_file")" = nats-server ] || fail "RPM Recommends: $(rpm -qp --recommends "$rpm_file")"
log "RPM: $(wc -l <"$tmp/rpm.files") paths as expected; %config(noreplace): /etc/dtms/vctp.yml (0640 root:vctp), /etc/default/vctp (0600); pre post preun postun; Requires(pre) shadow-utils, Requires(post) openssl, $(grep -c '^auto lib' "$tmp/rpm.requires") library requirements; Recommends nats-server"
mkdir -p "$tmp/rpm-root"
rpm2archive - <"$rpm_file" | tar -xzf - -C "$tmp/rpm-root"

# --- 4. Both: stripped binaries, the settings --------------------------------------------------------
for root in "$tmp/deb-root" "$tmp/rpm-root"; do
  for s in collector aggregator reporter gateway; do
    sections=$(readelf -S --wide "$root/usr/bin/vctp-$s")
    grep -qE '\.(symtab|debug_info)( |$)' <<<"$sections" && fail "$(basename "$root"): vctp-$s is not stripped"
  done
done
cmp -s "$tmp/deb-root/etc/dtms/vctp.yml" "$tmp/rpm-root/etc/dtms/vctp.yml" || fail "the DEB's and the RPM's vctp.yml differ"
# The packaged settings: a comment, then config/vctp.yml with exactly the installed paths.
reference=$src/config/vctp.yml
sed -e 's|^  database_url: .*|  database_url: /var/lib/vctp/db.sqlite3|' \
    -e 's|^  reports_dir: .*|  reports_dir: /var/lib/vctp/reports|' \
    -e 's|^  tls_cert_filename: .*|  tls_cert_filename: /etc/dtms/vctp.crt|' \
    -e 's|^  tls_key_filename: .*|  tls_key_filename: /etc/dtms/vctp.key|' "$reference" >"$tmp/vctp.yml.expected"
packaged=$tmp/deb-root/etc/dtms/vctp.yml
first=$(head -1 "$reference")
awk -v first="$first" 'found || $0 == first {found = 1; print}' "$packaged" >"$tmp/vctp.yml.body"
diff -u "$tmp/vctp.yml.expected" "$tmp/vctp.yml.body" >&2 ||
  fail "the packaged vctp.yml is not config/vctp.yml with the installed paths (- expected, + packaged)"
awk -v first="$first" '$0 == first {exit} {print}' "$packaged" | grep -qv '^#' &&
  fail "the packaged vctp.yml has more than comments before the reference"
log "binaries stripped in both; vctp.yml = config/vctp.yml with the installed paths: $(diff "$reference" "$tmp/vctp.yml.body" | sed -n 's/^> *//p' | tr '\n' ';')"

# --- 5. In containers ----------------------------------------------------------------------------
# shellcheck source=../lib/podman.sh
. "$src/tests/deploy/lib/podman.sh"
printf '[containers]\ndefault_ulimits = []\n\n[engine]\nruntime = "runc"\n' >"$tmp/containers.conf"
export CONTAINERS_CONF=$tmp/containers.conf
# shellcheck disable=SC2154
timeout 600 bash -c ". '$src/tests/deploy/lib/podman.sh'; podman_base_image" || fail "no $vctp_base_image image"
share=$tmp/share
mkdir -p "$share/units"
cp "$deb" "$rpm_file" "$here/in_container.sh" "$share/"
cp "$src"/deploy/systemd/*.service "$share/units/"
chmod -R a+rX "$share"

# The systemd container first: it installs systemd before booting, while the other one works.
timeout 120 podman run -d --name "$ctr_systemd" --systemd=always --cap-add SYS_ADMIN -v "$share:/t:ro" \
  "$vctp_base_image" bash -c 'apt-get -q update && DEBIAN_FRONTEND=noninteractive apt-get -q -y install \
    --no-install-recommends -o Acquire::Retries=3 systemd curl && exec /lib/systemd/systemd' >/dev/null ||
  fail "podman run (systemd container)"
timeout 120 podman run -d --name "$ctr_plain" -v "$share:/t:ro" "$vctp_base_image" sleep infinity >/dev/null ||
  fail "podman run"

phase() {  # CONTAINER SECONDS PHASE
  local t0
  t0=$(date +%s)
  timeout "$2" podman exec "$1" bash /t/in_container.sh "$3" || fail "phase $3 (in $1; limit $2 s)"
  log "phase $3: passed in $(( $(date +%s) - t0 )) s"
}
phase "$ctr_plain" 600 install
phase "$ctr_plain" 60 files
timeout 30 podman exec "$ctr_plain" cat /etc/dtms/vctp.yml | cmp -s - "$packaged" ||
  fail "the installed /etc/dtms/vctp.yml is not the packaged one"
phase "$ctr_plain" 60 check-settings
phase "$ctr_plain" 180 run
phase "$ctr_plain" 300 reinstall
phase "$ctr_plain" 120 purge
phase "$ctr_plain" 300 rpm

log "waiting for systemd to boot in $ctr_systemd"
deadline=$(( $(date +%s) + 420 ))
until timeout 10 podman exec "$ctr_systemd" test -d /run/systemd/system 2>/dev/null; do
  [ "$(podman inspect -f '{{.State.Running}}' "$ctr_systemd" 2>/dev/null)" = true ] || fail "the systemd container stopped"
  [ "$(date +%s)" -lt "$deadline" ] || fail "systemd did not start in $ctr_systemd"
  sleep 2
done
state=$(timeout 120 podman exec "$ctr_systemd" systemctl is-system-running --wait 2>&1 || true)
case "$state" in
  running|degraded) log "systemd in $ctr_systemd: $state" ;;
  *) fail "systemd in $ctr_systemd: $state" ;;
esac
phase "$ctr_systemd" 600 systemd-install
phase "$ctr_systemd" 300 systemd-run
log "passed"
