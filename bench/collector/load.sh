#!/usr/bin/env bash
# The collector at estate load: `vctp-collector --once` against 20 simulated vCenters of 2,000 VMs
# each (2 clusters x 1,000, sizes drawn from a seed per vCenter), hourly_snapshot_concurrency 4,
# SQLite. Three hours are taken, each by a fresh process timed by GNU time: the median wall time
# (limit: the hour, 3,600 s) and the median peak RSS of the collector (limit: 16 KiB per VM being
# read at once, hourly_snapshot_concurrency x VMs per vCenter: memory follows the vCenters read
# at once, not the estate). Each hour's rows are checked: 40,000, 2,000 per vCenter under 20
# vCenter UUIDs, every vCenter registered ok.
# Usage: [VCENTERS=20 VMS=2000 CONCURRENCY=4] bench/collector/load.sh [BUILD_DIR]   (default
# ${VCTP_BENCH_BUILD:-build-release}, built with the release preset unless VCTP_BENCH_NO_BUILD is set).
# With VCTP_BENCH_RESULTS set (scripts/bench, through bench/collector/run.sh) it appends its two
# rows there.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-${VCTP_BENCH_BUILD:-$root/build-release}}
# VCENTERS, VMS (per vCenter, even) and CONCURRENCY change the set-up, e.g. to see what the memory follows.
vcenters=${VCENTERS:-20}
vms=${VMS:-2000}
concurrency=${CONCURRENCY:-4}
if [ -z "${VCTP_BENCH_NO_BUILD:-}" ] && [ ! -x "$build/bin/vctp-collector" ]; then
  cmake --preset release -S "$root" >/dev/null
  cmake --build "$build" -j2 --target vctp-collector vcsim
fi
[ -x "$build/bin/vcsim" ] || "$root/tests/vcsim/build.sh" "$build/bin/vcsim"
[ -x /usr/bin/time ] || { echo "GNU time is missing: apt-get install time (deploy/packages/test.txt)" >&2; exit 1; }

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
# The simulators start in parallel (each builds its inventory on start-up, about 3 s of CPU).
for i in $(seq 1 $vcenters); do
  "$build/bin/vcsim" -clusters 2 -vms $((vms / 2)) -hosts 0 -random-sizes "$i" \
    -url-file "$work/url.$i" -control-url-file "$work/ctl.$i" >"$work/vcsim.$i.log" 2>&1 &
  pids+=($!)
done
for i in $(seq 1 $vcenters); do
  for _ in $(seq 1 1200); do [ -s "$work/url.$i" ] && break; sleep 0.2; done
  [ -s "$work/url.$i" ] || { echo "simulator $i did not start: $(cat "$work/vcsim.$i.log")" >&2; exit 1; }
done
addresses=$(cat "$work"/url.* | paste -sd, -)
cat > "$work/vctp.yml" <<YAML
settings:
  database_url: $work/db.sqlite3
  vcenter_addresses: [$addresses]
  vcenter_username: user
  vcenter_password: pass
  vcenter_event_polling_seconds: 0
  hourly_snapshot_concurrency: $concurrency
  nats_url: nats://127.0.0.1:1
  log_level: warn
YAML

runs=()
for i in 1 2 3; do
  hour="2026-11-24T1${i}:00:00Z"
  /usr/bin/time -f "%e %M" -o "$work/time.$i" "$build/bin/vctp-collector" --once --at "$hour" \
    -settings "$work/vctp.yml" >"$work/collector.$i.log" 2>&1 ||
    { echo "collector run $i failed: $(cat "$work/collector.$i.log")" >&2; exit 1; }
  runs+=("$(cat "$work/time.$i")")
  table="snap_hourly_202611241${i}"
  rows=$(sqlite3 "$work/db.sqlite3" "select count(*) || ' ' || count(distinct vcenter) || ' ' || count(distinct vcenter_uuid) from $table")
  per=$(sqlite3 "$work/db.sqlite3" "select min(n) || ' ' || max(n) from (select count(*) n from $table group by vcenter)")
  ok=$(sqlite3 "$work/db.sqlite3" "select count(*) from snapshot_registry where kind = 'hourly' and table_name = '$table' and status = 'ok' and row_count = $vms")
  expected="$((vcenters * vms)) $vcenters $vcenters"
  if [ "$rows" != "$expected" ] || [ "$per" != "$vms $vms" ] || [ "$ok" != "$vcenters" ]; then
    echo "MISMATCH in $table: rows/vcenters/uuids '$rows' (want '$expected'), per vCenter '$per', registered ok '$ok'" >&2
    exit 1
  fi
done
median_wall=$(printf '%s\n' "${runs[@]}" | awk '{print $1}' | sort -n | sed -n 2p)
median_rss=$(printf '%s\n' "${runs[@]}" | awk '{print $2}' | sort -n | sed -n 2p)
total=$((vcenters * vms))
echo "collector --once, $vcenters vCenters x $vms VMs, concurrency $concurrency: median of 3 runs (wall s, peak RSS KiB): ${runs[*]}"
in_flight=$((concurrency * vms))
awk -v w="$median_wall" -v r="$median_rss" -v n="$total" -v f="$in_flight" 'BEGIN {
  printf "wall time: %.2f s    limit: 3600 s (the hour)    %.2f%% of the hour\n", w, 100 * w / 3600
  printf "peak RSS:  %.1f MiB = %.1f KiB per VM being read at once (%d) = %.2f KiB per VM of the hour\n", r / 1024, r / f, f, r / n
  printf "           limit: 16 KiB per VM being read at once (%.0f MiB): memory follows the concurrency, not the estate\n", 16 * f / 1024
  exit !(w < 3600 && r / f < 16)
}' || { echo "OVER THE LIMIT" >&2; exit 1; }
echo "every hour: $total rows, $vms per vCenter, $vcenters vCenters registered ok"
if [ -n "${VCTP_BENCH_RESULTS:-}" ]; then
  awk -v w="$median_wall" -v r="$median_rss" -v f="$in_flight" -v c="$vcenters" -v v="$vms" -v k="$concurrency" 'BEGIN {
    set = sprintf("%d vCenters x %d VMs at once (concurrency %d)", c, v, k)
    printf "collector\t--once, %s, wall\t%.2f s\t3,600 s (the hour it stands for)\t%.4fx\tshare of the hour used; lower is better\n", set, w, w / 3600
    printf "collector\t--once, %s, peak RSS\t%.1f MiB\t%.0f MiB (16 KiB per VM being read at once)\t%.2fx\tshare of the memory limit; at most 1.0x\n", set, r / 1024, 16 * f / 1024, r / (16 * f)
  }' >> "$VCTP_BENCH_RESULTS"
fi
