#!/usr/bin/env bash
# /healthz and /readyz of the four real services over a nats-server and a PostgreSQL of the
# test's own: ready when both work; not ready (503, naming the part) when NATS or the database
# goes away; ready again by themselves when it returns. Also: a missing reports_dir is created.
#   readiness_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1
src=$2
tmp=$(mktemp -d /tmp/vctp-readiness.XXXXXX)
pids=()
pg_started=0

cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  [ "$pg_started" = 1 ] && "$src/tests/fixtures/postgres.sh" stop "$tmp/pg" >/dev/null 2>&1
  rm -rf "$tmp"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  for f in "$tmp"/*.log; do echo "--- $f" >&2; tail -n 20 "$f" >&2; done
  exit 1
}

# A probed free port, for nats-server only: it is stopped and started again on the same port
# below, so it cannot take port 0. Our services bind port 0 and log the port (logged_port).
free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_status URL CODE [TEXT] — waits (up to 60 s) until URL answers CODE with TEXT in its body.
wait_status() {
  local url=$1 want=$2 text=${3:-} code body
  for _ in $(seq 1 120); do
    body=$(curl -s -m 5 -w '\n%{http_code}' "$url" 2>/dev/null || true)
    code=${body##*$'\n'}
    body=${body%$'\n'*}
    if [ "$code" = "$want" ] && { [ -z "$text" ] || grep -q "$text" <<<"$body"; }; then return 0; fi
    sleep 0.5
  done
  fail "$url: wanted $want${text:+ with '$text'}, last answer $code: $body"
}

# logged_port LOG MESSAGE — waits (up to 30 s) for the line with MESSAGE in LOG; prints its port=N.
logged_port() {
  local log=$1 message=$2 found
  for _ in $(seq 1 60); do
    found=$(grep -F "$message" "$log" 2>/dev/null | grep -o -m1 '\bport=[0-9]*' | head -n1 || true)
    if [ -n "$found" ]; then echo "${found#port=}"; return 0; fi
    sleep 0.5
  done
  fail "no '$message' line with a port in $log"
}

nats_port=$(free_port)
start_nats() {
  nats-server -js -a 127.0.0.1 -p "$nats_port" -sd "$tmp/nats" >>"$tmp/nats.log" 2>&1 &
  nats_pid=$!
  pids+=("$nats_pid")
}
start_nats

"$src/tests/fixtures/postgres.sh" start "$tmp/pg" || fail "PostgreSQL did not start"
pg_started=1
cluster=$(cat "$tmp/pg/cluster")
bindir=$(cat "$tmp/pg/bindir")
pg_ctl() { runuser -u postgres -- "$bindir/pg_ctl" -D "$cluster/data" "$@"; }
[ "$(id -u)" = 0 ] || pg_ctl() { "$bindir/pg_ctl" -D "$cluster/data" "$@"; }

cat > "$tmp/vctp.yml" <<YAML
settings:
  database_driver: postgres
  database_url: $(cat "$tmp/pg/dsn")
  nats_url: nats://127.0.0.1:$nats_port
  reports_dir: $tmp/reports/not/yet/there
  bind_ip: 127.0.0.1
  bind_port: 0
  bind_disable_tls: true
  collector_metrics_port: 0
  aggregator_metrics_port: 0
  reporter_metrics_port: 0
  vcenter_event_polling_seconds: 0
  vcenter_inventory_polling_seconds: 0
YAML

for s in collector aggregator reporter gateway; do
  "$build/bin/vctp-$s" -settings "$tmp/vctp.yml" >"$tmp/$s.log" 2>&1 &
  pids+=("$!")
done
declare -A port
for s in collector aggregator reporter; do
  port[$s]=$(logged_port "$tmp/$s.log" "serving /metrics, /healthz and /readyz")
done
port[gateway]=$(logged_port "$tmp/gateway.log" "gateway listening")

check_all() {  # check_all CODE [TEXT]
  for s in collector aggregator reporter gateway; do
    wait_status "http://127.0.0.1:${port[$s]}/readyz" "$@"
    wait_status "http://127.0.0.1:${port[$s]}/healthz" 200 '"ok"'
  done
}

echo "all four ready"
check_all 200 '"database":"ok"'
[ -d "$tmp/reports/not/yet/there" ] || fail "the reporter did not create its missing reports_dir"
curl -fsS "http://127.0.0.1:${port[collector]}/metrics" | grep -q '^vctp_hourly_snapshots_total' ||
  fail "/metrics of the collector lacks its seed metrics"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${port[collector]}/nothing")
[ "$code" = 404 ] || fail "an unknown path answered $code, not 404"

echo "NATS stopped: not ready"
kill "$nats_pid"; wait "$nats_pid" 2>/dev/null || true
check_all 503 '"nats":"unavailable'
echo "NATS back: ready again"
start_nats
check_all 200 '"nats":"ok"'

echo "PostgreSQL stopped: not ready"
# Started again below without the fixture's command line: the same address in its own settings.
printf "port = %s\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '%s'\n" \
  "$(cat "$tmp/pg/port")" "$cluster" >> "$cluster/data/postgresql.conf"
pg_ctl stop -m fast -w >/dev/null
check_all 503 '"database":"unavailable'
echo "PostgreSQL back: ready again"
pg_ctl -l "$cluster/server.log" -w -t 60 start >/dev/null
check_all 200 '"database":"ok"'

for s in collector aggregator reporter gateway; do
  grep -q "fatal error" "$tmp/$s.log" && fail "$s hit a fatal error"
done
echo "readiness: all transitions seen"
