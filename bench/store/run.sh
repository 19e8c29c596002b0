#!/bin/sh
# Writes 1,000,000 snapshot rows through vctp's bulk path and through each database's own loader
# (sqlite3 .import, psql \copy of the same rows as CSV, written beforehand), interleaved, medians
# of 3, on a throwaway PostgreSQL (tests/fixtures/postgres.sh) and an SQLite file in a temporary
# directory. Usage: bench/store/run.sh [ROWS] [REPEATS]
# Area script of scripts/bench (area "storage"): VCTP_BENCH_BUILD, VCTP_BENCH_NO_BUILD,
# VCTP_BENCH_RESULTS, VCTP_BENCH_FACTS and VCTP_BENCH_NOTES as bench/README.md says.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
rows=${1:-1000000}
repeats=${2:-3}
build=${VCTP_BENCH_BUILD:-$root/build-release}

if [ -z "${VCTP_BENCH_NO_BUILD:-}" ]; then
  cmake --preset release -S "$root" >/dev/null
  cmake --build "$build" --target vctp_store_bench -j2
fi

work=$(mktemp -d /tmp/vctp-store-bench-XXXXXX)
pgdir="$work/postgres"
cleanup() {
  "$root/tests/fixtures/postgres.sh" stop "$pgdir" || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
"$root/tests/fixtures/postgres.sh" start "$pgdir"

TMPDIR=$work "$build/bin/vctp_store_bench" --rows "$rows" --repeats "$repeats" \
  --sqlite-dir "$work/sqlite" --sqlite3 "$(command -v sqlite3)" \
  --postgres-dsn "$(cat "$pgdir/dsn")" --psql "$(cat "$pgdir/bindir")/psql" | tee "$work/out"

grep -q '^MEDIAN sqlite ' "$work/out" && grep -q '^MEDIAN postgres ' "$work/out" || {
  echo "store benchmark: no medians" >&2; exit 1; }
n=$(echo "$rows" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta')
# MEDIAN backend vctp_rows_per_s peer_rows_per_s ratio bytes_per_row
awk -v n="$n" -v results="${VCTP_BENCH_RESULTS:-}" -v facts="${VCTP_BENCH_FACTS:-}" \
    -v notes="${VCTP_BENCH_NOTES:-}" '
  $1 == "MEDIAN" {
    if ($2 == "sqlite") { name = "SQLite"; peer = "sqlite3 .import"; goal = "goal >= 1.0x" }
    else { name = "PostgreSQL"; peer = "psql \\copy"; goal = "goal >= 0.9x" }
    if (results != "")
      printf "storage\tbulk write, %s, %s rows\t%d rows/s\t%s %d rows/s\t%.2fx\tvctp / %s; %s\n",
             name, n, $3, peer, $4, $5, peer, goal >> results
    if (facts != "") {
      key = ($2 == "sqlite") ? "store_sqlite" : "store_pg"
      printf "%s_rows_per_s=%d\n%s_bytes_per_row=%.1f\n", key, $3, key, $6 >> facts
    }
    limit = ($2 == "sqlite") ? 1.0 : 0.9
    if (notes != "" && $5 < limit)
      printf "- storage, %s: the bulk write ran at %.2fx of %s in this run (noise on a shared 2-core machine moves it by tens of percent; vctp generates its rows inside the timed write, the loader reads a CSV written beforehand).\n", name, $5, peer >> notes
  }' "$work/out"
