#!/usr/bin/env bash
# The collector end to end at estate scale: `vctp-collector --once` against a simulator of
# 10,000 VMs (1 datacenter, 10 clusters, 1,000 VMs each, sizes drawn from a seed), timed with
# peak memory, and its rows checked against the simulator's own dump: same count, same vCPU and
# memory totals. The peer figure is the simulator's own answer time (curl of its dump).
# Usage: bench/collector/run.sh [BUILD_DIR]   (default build-release, built with the release preset)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build-release}
if [ ! -x "$build/bin/vctp-collector" ]; then
  cmake --preset release -S "$root" >/dev/null
  cmake --build "$build" -j2 --target vctp-collector vcsim
fi
[ -x "$build/bin/vcsim" ] || "$root/tests/vcsim/build.sh" "$build/bin/vcsim"

work=$(mktemp -d)
trap 'kill $(cat "$work/pid" 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT
"$build/bin/vcsim" -clusters 10 -vms 1000 -hosts 0 -random-sizes 7 \
  -url-file "$work/url" -control-url-file "$work/ctl" >"$work/vcsim.log" 2>&1 &
echo $! > "$work/pid"
for _ in $(seq 1 300); do [ -s "$work/url" ] && [ -s "$work/ctl" ] && break; sleep 0.2; done
cat > "$work/vctp.yml" <<YAML
settings:
  database_url: $work/db.sqlite3
  vcenter_addresses: [$(cat "$work/url")]
  vcenter_username: user
  vcenter_password: pass
  vcenter_event_polling_seconds: 0
  nats_url: nats://127.0.0.1:1
  log_level: warn
YAML

dump_start=$(date +%s.%N)
curl -sf "$(cat "$work/ctl")/dump" > "$work/dump.json"
dump_end=$(date +%s.%N)

runs=()
for i in 1 2 3; do
  /usr/bin/time -f "%e %M" -o "$work/time.$i" "$build/bin/vctp-collector" --once \
    --at "2026-11-24T1${i}:00:00Z" -settings "$work/vctp.yml" >/dev/null 2>&1
  runs+=("$(cat "$work/time.$i")")
done
median=$(printf '%s\n' "${runs[@]}" | sort -n | sed -n 2p)

db=$(sqlite3 "$work/db.sqlite3" "select count(*) || ' ' || sum(vcpu_count) || ' ' || sum(ram_mb) from snap_hourly_2026112411")
sim=$(/usr/bin/python3 -c "import json; d=json.load(open('$work/dump.json')); v=d['vms']; print(len(v), sum(x['cpus'] for x in v), sum(x['memory_mb'] for x in v))")
echo "collector --once, 10,000 VMs: median of 3 runs: $(echo "$median" | awk '{print $1 " s wall, " $2/1024 " MiB peak RSS"}')"
echo "peer: the simulator's own JSON dump of the same inventory: $(awk "BEGIN {print $dump_end - $dump_start}") s"
echo "rows / vCPUs / MB in snap_hourly_2026112411: $db"
echo "VMs  / vCPUs / MB in the simulator:          $sim"
if [ "$db" != "$sim" ]; then echo "MISMATCH" >&2; exit 1; fi
echo "totals equal"
