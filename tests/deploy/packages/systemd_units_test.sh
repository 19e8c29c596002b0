#!/usr/bin/env bash
# deploy.systemd_units: the units of deploy/systemd checked with systemd's own tools, offline.
# Usage: systemd_units_test.sh SOURCE_DIR VCTP_BINARY...
#
# A root directory of its own holds this machine's systemd units (for the targets the units name),
# the four vctp units and vctp.service where the packages put them, and the built binaries at their
# ExecStart paths. There `systemd-analyze verify` must accept all five without a word, and
# `systemd-analyze security` must rate each service's exposure at most 2.0 ("OK"). The settings this
# project relies on are checked by value, and two broken copies prove that the tools are looking.
set -euo pipefail

src=$(cd "${1:?usage: systemd_units_test.sh SOURCE_DIR VCTP_BINARY...}" && pwd)
shift
units_dir=$src/deploy/systemd
services=(collector aggregator reporter gateway)
max_exposure=2.0

fail() { echo "systemd_units_test: FAILED: $*" >&2; exit 1; }
log() { echo "systemd_units_test: $*"; }

command -v systemd-analyze >/dev/null || fail "systemd-analyze not found (Debian package systemd; scripts/bootstrap installs it)"
host_units=/usr/lib/systemd/system
[ -f "$host_units/sysinit.target" ] && [ -f "$host_units/multi-user.target" ] ||
  fail "$host_units has no sysinit.target or multi-user.target (Debian package systemd)"

tmp=$(mktemp -d /tmp/vctp-units-test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root

# The root: merged /usr as on Debian 12, /lib/systemd/system (where the DEB puts the units) being
# /usr/lib/systemd/system (the RPM's place).
mkdir -p "$root/usr/lib/systemd" "$root/usr/bin" "$root/etc/systemd/system"
ln -s usr/lib "$root/lib"
ln -s usr/bin "$root/bin"
cp -a "$host_units" "$root/usr/lib/systemd/"
cp /usr/bin/true "$root/usr/bin/true"
for binary in "$@"; do
  [ -x "$binary" ] || fail "$binary is not an executable (build the project first)"
  # A hard link when the build tree is on the same file system, else a copy.
  ln "$binary" "$root/usr/bin/" 2>/dev/null || cp "$binary" "$root/usr/bin/"
done
for s in "${services[@]}"; do
  [ -x "$root/usr/bin/vctp-$s" ] || fail "no vctp-$s among the binaries given: $*"
done
unit_files=()
for unit in vctp.service "${services[@]/#/vctp-}"; do
  unit=${unit%.service}.service
  [ -f "$units_dir/$unit" ] || fail "$units_dir/$unit is missing"
  cp "$units_dir/$unit" "$root/usr/lib/systemd/system/$unit"
  unit_files+=("$root/usr/lib/systemd/system/$unit")
done

# 1. systemd-analyze verify: exit 0 and nothing said (an unknown key is only a warning).
if ! out=$(systemd-analyze verify --man=no --root="$root" "${unit_files[@]}" 2>&1); then
  fail "systemd-analyze verify refused the units:"$'\n'"$out"
fi
[ -z "$out" ] || fail "systemd-analyze verify warned about the units:"$'\n'"$out"
log "systemd-analyze verify: the five units accepted without warnings"

# 2. systemd-analyze security: each service's exposure at most $max_exposure.
for s in "${services[@]}"; do
  out=$(systemd-analyze security --offline=true --root="$root" "vctp-$s.service" 2>&1) ||
    fail "systemd-analyze security failed for vctp-$s.service:"$'\n'"$out"
  line=$(grep -F "Overall exposure level for vctp-$s.service:" <<<"$out") ||
    fail "no overall exposure level for vctp-$s.service in:"$'\n'"$out"
  level=$(sed -E 's/.*: ([0-9]+\.[0-9]+) .*/\1/' <<<"$line")
  awk -v l="$level" -v m="$max_exposure" 'BEGIN { exit !(l + 0 <= m + 0) }' ||
    fail "vctp-$s.service: exposure $level is above $max_exposure:"$'\n'"$(grep '✗' <<<"$out")"
  log "systemd-analyze security: vctp-$s.service exposure $level"
done

# 3. The settings the deployment relies on, by value.
expect_line() {  # FILE LINE: the exact line is in the file
  grep -qxF -- "$2" "$1" || fail "$(basename "$1"): no line '$2'"
}
expect_no_line() {  # FILE REGEX: no line matches
  if grep -qE -- "$2" "$1"; then fail "$(basename "$1"): unexpected line: $(grep -E -- "$2" "$1")"; fi
}
suite=$units_dir/vctp.service
for line in "Type=oneshot" "RemainAfterExit=yes" "ExecStart=/bin/true" "WantedBy=multi-user.target" \
            "Wants=vctp-collector.service vctp-aggregator.service vctp-reporter.service vctp-gateway.service"; do
  expect_line "$suite" "$line"
done
for s in "${services[@]}"; do
  f=$units_dir/vctp-$s.service
  for line in "PartOf=vctp.service" "WantedBy=vctp.service" "User=vctp" "Group=vctp" \
              "EnvironmentFile=-/etc/default/vctp" "ExecStart=/usr/bin/vctp-$s -settings /etc/dtms/vctp.yml" \
              "WorkingDirectory=/var/lib/vctp" "Restart=on-failure" "RestartPreventExitStatus=2" \
              "NoNewPrivileges=yes" "ProtectSystem=strict" "ReadWritePaths=/var/lib/vctp" "ProtectHome=yes" \
              "PrivateTmp=yes" "PrivateDevices=yes" "CapabilityBoundingSet=" "SystemCallFilter=@system-service"; do
    expect_line "$f" "$line"
  done
  # /var/lib/vctp is the one writable path: the settings in /etc/dtms stay read-only.
  expect_no_line "$f" '^ReadWritePaths=.*/etc'
  [ "$(grep -c '^ReadWritePaths=' "$f")" = 1 ] || fail "vctp-$s.service: more than one ReadWritePaths="
  [ "$(grep -c '^ExecStart=' "$f")" = 1 ] || fail "vctp-$s.service: more than one ExecStart="
done
log "the units' settings are as expected"

# 4. The tools are looking: an unknown key is reported, a missing binary refused.
bad=$root/usr/lib/systemd/system/vctp-selfcheck.service
sed 's/^ProtectSystem=strict$/ProtectSystm=strict/' "$units_dir/vctp-gateway.service" >"$bad"
out=$(systemd-analyze verify --man=no --root="$root" "$bad" 2>&1) || true
grep -q "Unknown key 'ProtectSystm'" <<<"$out" || fail "self-check: a misspelt key went unreported: $out"
sed 's|^ExecStart=/usr/bin/vctp-gateway |ExecStart=/usr/bin/vctp-missing |' "$units_dir/vctp-gateway.service" >"$bad"
if out=$(systemd-analyze verify --man=no --root="$root" "$bad" 2>&1); then
  fail "self-check: a unit whose binary is missing was accepted: $out"
fi
grep -q "vctp-missing" <<<"$out" || fail "self-check: unexpected complaint about a missing binary: $out"
log "self-checks: a misspelt key and a missing binary are caught"
log "passed"
