#!/usr/bin/env bash
# The collector at 10,000 VMs beside its peer and the transport's limit. One simulator (1
# datacenter, 10 clusters of 1,000 VMs, sizes drawn from a seed, over TLS) serves, interleaved
# round by round (RUNS rounds, 3 by default, the order rotated each round), four readers of the
# same inventory, each a fresh process:
#   - `vctp-collector --once`: retrieval, resolution and the SQLite write of the hourly table;
#   - the client alone: `vsphere_bench --mode client` (VcenterClient::retrieve_inventory);
#   - the peer: bench/peers/govmomi-collect (Go, Debian's govmomi: container view and property
#     collector, the same property paths, the same paging);
#   - curl: `vsphere_bench --mode curl`, the same SOAP calls made with curl, every page, token by
#     token (the transport's limit; its wall and CPU cover the calls alone).
# Wall time, CPU (user + system) and peak RSS of each, medians. Every reader of every round must
# return the simulator's 10,000 VMs with its vCPU and memory totals (the collector's rows are
# counted in SQLite), and no paging token may be left open: exit 1 otherwise.
# Usage: bench/collector/run.sh [BUILD_DIR]   (default ${VCTP_BENCH_BUILD:-build-release})
# Environment: VCTP_BENCH_NO_BUILD (do not build), VCTP_BENCH_RESULTS / VCTP_BENCH_FACTS /
# VCTP_BENCH_NOTES (files to append rows, facts and notes to: see scripts/bench), RUNS (3),
# VCSIM_TLS (1; 0 serves plain HTTP).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-${VCTP_BENCH_BUILD:-$root/build-release}}
runs=${RUNS:-3}
tls=${VCSIM_TLS:-1}
if [ -z "${VCTP_BENCH_NO_BUILD:-}" ]; then
  [ -f "$build/CMakeCache.txt" ] || cmake --preset release -S "$root" -B "$build" >/dev/null
  cmake --build "$build" -j2 --target vctp-collector vsphere_bench vcsim govmomi-collect
fi
bin=$build/bin
for exe in vctp-collector vsphere_bench vcsim govmomi-collect; do
  [ -x "$bin/$exe" ] || { echo "collector bench: $bin/$exe is missing (build it, or unset VCTP_BENCH_NO_BUILD)" >&2; exit 1; }
done

started=$(date +%s.%N)
work=$(mktemp -d)
trap 'kill "$(cat "$work/pid" 2>/dev/null)" 2>/dev/null || true; rm -rf "$work"' EXIT
tls_flag=() insecure=0
if [ "$tls" = 1 ]; then tls_flag=(-tls) insecure=1; fi
"$bin/vcsim" -clusters 10 -vms 1000 -hosts 0 -random-sizes 7 "${tls_flag[@]}" \
  -url-file "$work/url" -control-url-file "$work/ctl" >"$work/vcsim.log" 2>&1 &
echo $! > "$work/pid"
for _ in $(seq 1 900); do
  [ -s "$work/url" ] && [ -s "$work/ctl" ] && break
  kill -0 "$(cat "$work/pid")" 2>/dev/null || { cat "$work/vcsim.log" >&2; exit 1; }
  sleep 0.2
done
[ -s "$work/url" ] || { echo "collector bench: the simulator did not start" >&2; exit 1; }
url=$(cat "$work/url") ctl=$(cat "$work/ctl")
echo "simulator of 10,000 VMs ready in $(awk "BEGIN {printf \"%.1f\", $(date +%s.%N) - $started}") s ($url)"
cat > "$work/vctp.yml" <<YAML
settings:
  database_url: $work/db.sqlite3
  vcenter_addresses: [$url]
  vcenter_username: user
  vcenter_password: pass
  vcenter_insecure: $([ "$insecure" = 1 ] && echo true || echo false)
  vcenter_event_polling_seconds: 0
  nats_url: nats://127.0.0.1:1
  log_level: info
YAML
curl -sf "$ctl/dump" > "$work/dump.json"
expected=$(/usr/bin/python3 -c "import json; d=json.load(open('$work/dump.json')); print('vms=%d vcpus=%d memory_mb=%d' % (len(d['vms']), d['total_cpus'], d['total_memory_mb']))")
vms=${expected%% *} vms=${vms#vms=}
bad=0

# timed NAME ROUND CMD...: runs CMD, keeps its stdout in $work/NAME.ROUND.out and appends
# "wall cpu rss_kb" to $work/NAME.times (GNU time for CPU and RSS).
timed() {
  local name=$1 round=$2
  shift 2
  local t0 t1
  t0=$(date +%s.%N)
  if ! /usr/bin/time -f "%U %S %M" -o "$work/$name.$round.time" "$@" >"$work/$name.$round.out" 2>"$work/$name.$round.err"; then
    echo "collector bench: $name failed in round $round:" >&2
    cat "$work/$name.$round.err" >&2
    bad=1
    return
  fi
  t1=$(date +%s.%N)
  awk -v w="$(awk "BEGIN {print $t1 - $t0}")" '{print w, $1 + $2, $3}' "$work/$name.$round.time" >> "$work/$name.times"
}

# check NAME ROUND GOT: GOT must be the simulator's totals.
check() {
  if [ "$3" != "$expected" ]; then
    echo "collector bench: $1, round $2: $3, where the simulator holds $expected" >&2
    bad=1
  fi
}

run_collector() {
  local hour=$((10 + $1))
  timed collector "$1" "$bin/vctp-collector" --once --at "2026-11-24T${hour}:00:00Z" -settings "$work/vctp.yml"
  # Where its snapshot's time goes, from its log: the whole snapshot, the hourly table's write,
  # and the inventory table's refresh (after the hosts table, until the snapshot is done).
  awk '/snapshot written/ {
         split(substr($1, 12, 12), t, ":"); at = t[1] * 3600 + t[2] * 60 + t[3]
         if ($0 ~ /table=snap_hourly_[0-9]+ vcenter=.*duration_ms=/) { match($0, /duration_ms=[0-9]+/); hourly = substr($0, RSTART + 12, RLENGTH - 12) / 1000 }
         else if ($0 ~ /table=snap_hosts_/) hosts_at = at
         else if ($0 ~ / seconds=/) { match($0, / seconds=[0-9.]+/); total = substr($0, RSTART + 9, RLENGTH - 9); done_at = at }
       }
       END { if (total != "") print total, hourly, done_at - hosts_at }' "$work/collector.$1.err" >> "$work/collector-steps.times"
  check collector "$1" "$(sqlite3 "$work/db.sqlite3" "select 'vms=' || count(*) || ' vcpus=' || sum(vcpu_count) || ' memory_mb=' || sum(ram_mb) from snap_hourly_20261124${hour}" 2>&1)"
}
run_client() {
  timed client "$1" "$bin/vsphere_bench" --mode client --sdk-url "$url" --control-url "$ctl" --insecure "$insecure"
  check client "$1" "$(grep -o 'vms=[0-9]* vcpus=[0-9]* memory_mb=[0-9]*' "$work/client.$1.out" || true)"
}
run_govmomi() {
  local insecure_flag=()
  [ "$insecure" = 1 ] && insecure_flag=(-insecure)
  timed govmomi "$1" "$bin/govmomi-collect" "${insecure_flag[@]}" "${url/:\/\//://user:pass@}"
  check govmomi "$1" "$(grep -o 'vms=[0-9]* vcpus=[0-9]* memory_mb=[0-9]*' "$work/govmomi.$1.out" || true)"
}
run_curl() {
  # Wall and CPU of the SOAP calls alone, as vsphere_bench measures them around the curl processes.
  timed curl-process "$1" "$bin/vsphere_bench" --mode curl --sdk-url "$url" --control-url "$ctl" --insecure "$insecure"
  local out="$work/curl-process.$1.out"
  check curl "$1" "$(grep -o 'vms=[0-9]* vcpus=[0-9]* memory_mb=[0-9]*' "$out" 2>/dev/null || true)"
  [ -s "$out" ] && sed -E 's/.* pages_seconds=([0-9.]+) seconds=([0-9.]+) cpu_s=([0-9.]+) max_rss_kb=([0-9]+).*/\2 \3 \4 \1/' "$out" >> "$work/curl.times"
  grep -o 'pages=[0-9]* bytes=[0-9]*' "$out" > "$work/curl.pages" 2>/dev/null || true
}

readers=(collector client govmomi curl)
for round in $(seq 1 "$runs"); do
  for k in 0 1 2 3; do
    "run_${readers[$(((k + round - 1) % 4))]}" "$round"
  done
done
tokens=$(curl -sf "$ctl/stats" | /usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin)['open_tokens'])")
if [ "$tokens" != 0 ]; then echo "collector bench: $tokens paging tokens left open in the simulator" >&2; bad=1; fi
[ "$bad" = 0 ] || { echo "MISMATCH (see above)" >&2; exit 1; }

# median NAME FIELD: the median of column FIELD (1 wall s, 2 CPU s, 3 peak RSS KiB; curl's 4th is
# its pages alone, collector-steps' are snapshot s, hourly write s, inventory refresh s) of NAME's rounds.
median() { awk -v f="$2" '{print $f}' "$work/$1.times" | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
collector_wall=$(median collector 1) collector_cpu=$(median collector 2) collector_rss=$(median collector 3)
client_wall=$(median client 1) client_cpu=$(median client 2) client_rss=$(median client 3)
govmomi_wall=$(median govmomi 1) govmomi_cpu=$(median govmomi 2) govmomi_rss=$(median govmomi 3)
curl_wall=$(median curl 1) curl_cpu=$(median curl 2) curl_rss=$(median curl 3)
curl_pages_wall=$(median curl 4)
snap_s=$(median collector-steps 1) hourly_s=$(median collector-steps 2) refresh_s=$(median collector-steps 3)
read -r pages bytes <<<"$(sed -E 's/pages=([0-9]+) bytes=([0-9]+)/\1 \2/' "$work/curl.pages")"

printf 'simulator: %s, %s pages, %s bytes a retrieval, over %s; medians of %s rounds\n' "$expected" "$pages" "$bytes" "$([ "$tls" = 1 ] && echo TLS || echo plain HTTP)" "$runs"
printf '%-44s %8s %8s %12s\n' "" "wall s" "CPU s" "peak RSS MiB"
row() { printf '%-44s %8.3f %8.2f %12.1f\n' "$1" "$2" "$3" "$(awk "BEGIN {print $4 / 1024}")"; }
row "vctp-collector --once (with the SQLite write)" "$collector_wall" "$collector_cpu" "$collector_rss"
row "vctp client alone (retrieve_inventory)" "$client_wall" "$client_cpu" "$client_rss"
row "govmomi-collect (Go, govmomi 0.24)" "$govmomi_wall" "$govmomi_cpu" "$govmomi_rss"
row "curl, every page (the transport's limit)" "$curl_wall" "$curl_cpu" "$curl_rss"
echo "every reader, every round: $expected; no paging token left open"
printf 'collector: snapshot %.3f s inside the process, of which the hourly table written in %.3f s and the inventory table refreshed in %.3f s\n' "$snap_s" "$hourly_s" "$refresh_s"
printf 'curl: the %s pages alone %.3f s; Login, CreateContainerView and DestroyView the rest (a process and a connection each%s)\n' "$pages" "$curl_pages_wall" "$([ "$tls" = 1 ] && echo ', with its TLS handshake')"

ratio() { awk "BEGIN {printf \"%.2fx\", $1 / $2}"; }
secs() { awk "BEGIN {printf \"%.2f s\", $1}"; }
mib() { awk "BEGIN {printf \"%.0f MiB\", $1 / 1024}"; }
if [ -n "${VCTP_BENCH_RESULTS:-}" ]; then
  t=$'\t'
  {
    for who in collector client; do
      if [ $who = collector ]; then what="--once with SQLite write, 10,000 VMs"; else what="client alone (retrieve_inventory), 10,000 VMs"; fi
      w=${who}_wall c=${who}_cpu m=${who}_rss
      echo "collector${t}$what, wall${t}$(secs "${!w}")${t}govmomi $(secs "$govmomi_wall")${t}$(ratio "${!w}" "$govmomi_wall")${t}vctp / govmomi; lower is better"
      echo "collector${t}$what, CPU${t}$(secs "${!c}")${t}govmomi $(secs "$govmomi_cpu")${t}$(ratio "${!c}" "$govmomi_cpu")${t}vctp / govmomi; lower is better"
      echo "collector${t}$what, peak RSS${t}$(mib "${!m}")${t}govmomi $(mib "$govmomi_rss")${t}$(ratio "${!m}" "$govmomi_rss")${t}vctp / govmomi; lower is better"
      echo "collector${t}$what, wall vs curl${t}$(secs "${!w}")${t}curl $(secs "$curl_wall") ($pages pages, $(awk "BEGIN {printf \"%.1f\", $bytes / 1e6}") MB)${t}$(ratio "${!w}" "$curl_wall")${t}vctp / curl fetching the same SOAP answers (the transport's limit); lower is better"
    done
  } >> "$VCTP_BENCH_RESULTS"
fi
if [ -n "${VCTP_BENCH_FACTS:-}" ]; then
  {
    echo "coll_vms=$vms"
    echo "coll_cpu_s=$collector_cpu"
    echo "coll_rss_bytes=$((collector_rss * 1024))"
    echo "coll_wall_s=$collector_wall"
  } >> "$VCTP_BENCH_FACTS"
fi
# Notes for the figures behind their peer or limit: what the run measured and what would close it.
if [ -n "${VCTP_BENCH_NOTES:-}" ]; then
  behind() { awk "BEGIN {exit !($1 > $2)}"; }
  {
    # shellcheck disable=SC2016 # the backquotes are markdown
    if behind "$collector_wall" "$curl_wall"; then
      printf -- '- Collector `--once` wall %s against curl %s (%s) fetching the same pages; the client alone took %s (%s). Inside the process the snapshot took %s: retrieval, parse, resolution and rows %s, the hourly table written in %s, then the `inventory` table refreshed in %s (an upsert of all %s VMs and a read of them back to find the deleted ones, in one transaction); the rest is the process start (settings, the database opened, migrations checked). Writing only the inventory rows that changed since the last refresh (from one hour to the next almost none do), or refreshing it after the snapshot is registered and announced, would bring `--once` to the client alone plus the hourly write.\n' \
        "$(secs "$collector_wall")" "$(secs "$curl_wall")" "$(ratio "$collector_wall" "$curl_wall")" "$(secs "$client_wall")" "$(ratio "$client_wall" "$curl_wall")" "$(secs "$snap_s")" "$(secs "$(awk "BEGIN {print $snap_s - $hourly_s - $refresh_s}")")" "$(secs "$hourly_s")" "$(secs "$refresh_s")" "$vms"
    fi
    if behind "$client_wall" "$curl_wall"; then
      printf -- '- Client alone wall %s against curl %s (%s): both wait on the simulator producing %s pages (%s of XML, Go encoding and its garbage collector on the same 2 cores); the client adds its parse and resolution (%s of CPU in all, curl %s) on the critical path of each page. Parsing a page while the next is requested would hide it.\n' \
        "$(secs "$client_wall")" "$(secs "$curl_wall")" "$(ratio "$client_wall" "$curl_wall")" "$pages" "$(awk "BEGIN {printf \"%.1f MB\", $bytes / 1e6}")" "$(secs "$client_cpu")" "$(secs "$curl_cpu")"
    fi
    for who in collector client; do
      for f in wall cpu rss; do
        v=${who}_$f p=govmomi_$f
        if behind "${!v}" "${!p}"; then
          printf -- '- Collector (%s) %s behind govmomi: %s against %s.\n' "$who" "$f" "${!v}" "${!p}"
        fi
      done
    done
  } >> "$VCTP_BENCH_NOTES"
fi
# At estate load: many vCenters read at once by one process (load.sh, its own simulators).
if [ -n "${VCTP_BENCH_RESULTS:-}" ]; then "$root/bench/collector/load.sh" "$build"; fi
echo "bench/collector/run.sh took $(awk "BEGIN {printf \"%.0f\", $(date +%s.%N) - $started}") s"
