#!/bin/sh
# Builds the store benchmark in release (preset "release": build-release), starts a throwaway
# PostgreSQL with the test fixture, and writes 1,000,000 snapshot rows through vctp's bulk
# path and through each database's own loader. Usage: bench/store/run.sh [ROWS]
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
rows=${1:-1000000}

cmake --preset release -S "$root" >/dev/null
cmake --build "$root/build-release" --target vctp_store_bench -j2

work=$(mktemp -d /tmp/vctp-store-bench-XXXXXX)
pgdir="$work/postgres"
cleanup() {
  "$root/tests/fixtures/postgres.sh" stop "$pgdir" || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
"$root/tests/fixtures/postgres.sh" start "$pgdir"

"$root/build-release/bin/vctp_store_bench" --rows "$rows" \
  --sqlite-dir "$work/sqlite" --sqlite3 "$(command -v sqlite3)" \
  --postgres-dsn "$(cat "$pgdir/dsn")" --psql "$(cat "$pgdir/bindir")/psql"
