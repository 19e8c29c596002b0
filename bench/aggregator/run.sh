#!/bin/sh
# Builds the aggregator benchmark in release (build-aggregator-release), starts a throwaway
# PostgreSQL with the test fixture, and times a daily summary over 24 hourly tables of VMS VMs
# and a monthly summary over 31 daily tables of VMS VMs on SQLite and on PostgreSQL.
# Usage: bench/aggregator/run.sh [VMS]   (default 50000)
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
vms=${1:-50000}
build="$root/build-aggregator-release"

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --target vctp_aggregator_bench -j2

work=$(mktemp -d /tmp/vctp-aggregator-bench-XXXXXX)
pgdir="$work/postgres"
cleanup() {
  "$root/tests/fixtures/postgres.sh" stop "$pgdir" || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
"$root/tests/fixtures/postgres.sh" start "$pgdir"

"$build/bin/vctp_aggregator_bench" --driver sqlite --url "$work/bench.sqlite3" --vms "$vms"
"$build/bin/vctp_aggregator_bench" --driver postgres --url "$(cat "$pgdir/dsn")" --vms "$vms"
