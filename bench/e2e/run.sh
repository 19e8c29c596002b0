#!/usr/bin/env bash
# End to end: from the last hourly snapshot of a day of 10,000 VMs to the daily report on disk,
# through the four running services (vctp-collector, -aggregator, -reporter, -gateway of the
# release build) over nats-server -js and SQLite, against the simulator (10 clusters x 1,000
# VMs, as bench/collector/run.sh starts it). Hours 0..22 of a day are taken as a backfill
# (`vctp-collector --once --at`, announced on NATS like the service's own snapshots); then the
# clock starts, hour 23 is taken the same way, and it stops when vctp_daily_<day>.xlsx is on disk
# and listed in the `reports` table. Stages from the services' log timestamps. Median of DAYS.
# Usage: bench/e2e/run.sh [DAYS]   (default 3)
# Environment: VCTP_BENCH_BUILD, VCTP_BENCH_NO_BUILD, VCTP_BENCH_RESULTS, VCTP_BENCH_FACTS,
# VCTP_BENCH_NOTES (see scripts/bench).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
days=${1:-3}
build=${VCTP_BENCH_BUILD:-$root/build-release}
if [ -z "${VCTP_BENCH_NO_BUILD:-}" ]; then
  [ -f "$build/CMakeCache.txt" ] || cmake --preset release -S "$root" >/dev/null
  cmake --build "$build" -j2 --target vctp-collector vctp-aggregator vctp-reporter vctp-gateway vcsim
fi
[ -x "$build/bin/vcsim" ] || "$root/tests/vcsim/build.sh" "$build/bin/vcsim"
py=/usr/bin/python3

work=$(mktemp -d /tmp/vctp-e2e-bench-XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
fail() { echo "bench/e2e: $*" >&2; for f in "$work"/*.log; do echo "--- $f" >&2; tail -20 "$f" >&2; done; exit 1; }
free_port() { "$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
now() { date +%s.%N; }
epoch_of() { date -d "$1" +%s.%N; }  # ISO 8601 log timestamp -> epoch seconds
# logged_at LOG PATTERN: the timestamp of the last log line matching PATTERN, as epoch seconds
logged_at() { local t; t=$(grep -a -- "$2" "$1" | tail -1 | awk '{print $1}'); [ -n "$t" ] && epoch_of "$t" || echo ""; }
wait_for() {  # wait_for SECONDS COMMAND...: polls every 50 ms
  local until=$(( $(date +%s) + $1 )); shift
  until "$@"; do [ "$(date +%s)" -lt "$until" ] || return 1; sleep 0.05; done
}

"$build/bin/vcsim" -clusters 10 -vms 1000 -hosts 0 -random-sizes 7 \
  -url-file "$work/url" -control-url-file "$work/ctl" >"$work/vcsim.log" 2>&1 &
pids+=($!)
nats_port=$(free_port)
nats-server -js -a 127.0.0.1 -p "$nats_port" -sd "$work/nats" >"$work/nats.log" 2>&1 &
pids+=($!)
wait_for 60 test -s "$work/url" -a -s "$work/ctl" || fail "the simulator did not start"
wait_for 20 bash -c "exec 3<>/dev/tcp/127.0.0.1/$nats_port" 2>/dev/null || fail "nats-server did not start"
mkdir -p "$work/reports"
cat > "$work/vctp.yml" <<YAML
settings:
  database_driver: sqlite
  database_url: $work/db.sqlite3
  nats_url: nats://127.0.0.1:$nats_port
  reports_dir: $work/reports
  vcenter_addresses: [$(cat "$work/url")]
  vcenter_username: user
  vcenter_password: pass
  # The running collector's own schedule ticks at midnight UTC, not during the run.
  vcenter_inventory_snapshot_seconds: 86400
  bind_ip: 127.0.0.1
  bind_port: 0
  tls_cert_filename: $work/gateway.crt
  tls_key_filename: $work/gateway.key
  collector_metrics_port: 0
  aggregator_metrics_port: 0
  reporter_metrics_port: 0
  log_level: info
YAML
for service in collector aggregator reporter gateway; do
  "$build/bin/vctp-$service" -settings "$work/vctp.yml" >"$work/$service.log" 2>&1 &
  pids+=($!)
done
wait_for 60 grep -q "gateway listening" "$work/gateway.log" || fail "the gateway did not start"
for service in collector aggregator reporter; do
  wait_for 60 grep -q "consuming" "$work/$service.log" || fail "the $service did not start consuming"
done
curl -sf "$(cat "$work/ctl")/dump" > "$work/dump.json"
sim_vms=$("$py" -c "import json; print(len(json.load(open('$work/dump.json'))['vms']))")

sql() { sqlite3 -cmd '.timeout 5000' "$work/db.sqlite3" "$1" 2>/dev/null || true; }
report_listed() { [ "$(sql "select count(*) from reports where file_name = '$1'")" = 1 ]; }
hourly_done() { [ -f "$work/reports/vctp_hourly_$1.xlsx" ] && report_listed "vctp_hourly_$1.xlsx"; }
daily_done() { [ -f "$work/reports/vctp_daily_$1.xlsx" ] && report_listed "vctp_daily_$1.xlsx"; }
collect() {  # collect AT LOG
  "$build/bin/vctp-collector" --once --at "$1" -settings "$work/vctp.yml" >"$2" 2>&1 || fail "collector --once --at $1 failed: $(tail -3 "$2")"
}

: > "$work/figures"
for d in $(seq 1 "$days"); do
  day=$(printf '2026-11-%02d' $((10 + d)))
  compact=${day//-/}
  for h in $(seq 0 22); do collect "$(printf '%sT%02d:00:00Z' "$day" "$h")" "$work/once.log"; done
  # The backfill's hourly reports and summaries settle before the clock starts.
  wait_for 120 hourly_done "${compact}22" || fail "the reporter did not catch up with $day's backfill"
  start=$(now)
  collect "${day}T23:00:00Z" "$work/once-23.$d.log"
  wait_for 120 daily_done "$compact" || fail "no daily report for $day"
  end=$(now)
  written=$(logged_at "$work/once-23.$d.log" "snapshot written")
  summarised=$(logged_at "$work/aggregator.log" "aggregation done kind=daily period=$day")
  reported=$(logged_at "$work/reporter.log" "report generated kind=daily period=$day")
  rows=$(sql "select count(*) from summary_daily_$compact")
  [ "$rows" = "$sim_vms" ] || fail "summary_daily_$compact has ${rows:-no} rows, the simulator $sim_vms VMs"
  echo "$start $end ${written:-$start} ${summarised:-$start} ${reported:-$end}" | awk -v day="$day" '{
    printf "%s: %.2f s (snapshot written +%.2f s, day summarised +%.2f s, report written +%.2f s, on disk and listed +%.2f s)\n",
      day, $2 - $1, $3 - $1, $4 - $3, $5 - $4, $2 - $5 }'
  echo "$start $end ${written:-$start} ${summarised:-$start} ${reported:-$end}" | awk '{print $2 - $1, $3 - $1, $4 - $3, $5 - $4, $2 - $5}' >> "$work/figures"
done

median() { awk -v c="$1" '{print $c}' "$work/figures" | sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
total=$(printf "%.2f" "$(median 1)"); snap=$(median 2); summ=$(median 3); rep=$(median 4); tail_s=$(median 5)
stages=$(printf 'snapshot %.2f s + summary %.2f s + report %.2f s + listing %.2f s' "$snap" "$summ" "$rep" "$tail_s")
echo
echo "day close, $sim_vms VMs, median of $days day(s): $total s ($stages); summary_daily rows = simulator VMs = $sim_vms"

if [ -n "${VCTP_BENCH_RESULTS:-}" ]; then
  printf 'end to end\tday close, %s VMs: last hourly snapshot to daily report on disk, 4 services, SQLite (median of %s days; medians of the stages: %s)\t%.2f s\t3600 s (the hour before the next snapshot)\t%s\tday-close time / the hour it must fit in; lower is better\n' \
    "$(echo "$sim_vms" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta')" "$days" "$stages" "$total" \
    "$(awk -v a="$total" 'BEGIN {printf "%.4fx", a / 3600}')" >> "$VCTP_BENCH_RESULTS"
fi
if [ -n "${VCTP_BENCH_FACTS:-}" ]; then
  { echo "e2e_day_close_s=$total"; echo "e2e_vms=$sim_vms"; } >> "$VCTP_BENCH_FACTS"
fi
