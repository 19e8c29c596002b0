#!/usr/bin/env bash
# deploy.compose: the docker-compose stack of docker-compose.yml, in real containers through
# podman (tests/deploy/lib/podman.sh, shared/CONTAINERS.md). Usage: compose_test.sh SOURCE_DIR
#
# NATS, PostgreSQL and Prometheus run from images built here from Debian's packages
# (tests/deploy/compose/images/*); vctp and the simulator from deploy/docker/Dockerfile. The stack
# (demo profile, without Grafana) gets a project name and host ports of its own, so it never meets
# a running scripts/up. It checks: the gateway's /readyz; a snapshot of the simulator in
# /api/snapshots; a daily regeneration over REST and its report downloaded; Prometheus scraping
# the four services; nothing lost over `restart aggregator` and over `down` / `up`; with two
# aggregators and two reporters, one regeneration summarised once and reported once.
set -euo pipefail

root=$(cd "${1:?usage: compose_test.sh SOURCE_DIR}" && pwd)
cd "$root"
# shellcheck source=../lib/podman.sh
. tests/deploy/lib/podman.sh

project=vctp-test-$$
token=vctp-compose-test-$$-$RANDOM
tmp=$(mktemp -d /var/tmp/vctp-compose-test.XXXXXX)
services=(nats postgres vcsim collector aggregator reporter gateway prometheus)
started=$(date +%s)

log() { echo "compose_test [$(( $(date +%s) - started ))s]: $*"; }
fail() { echo "compose_test: FAILED: $*" >&2; exit 1; }

compose() { docker-compose -p "$project" -f "$root/docker-compose.yml" --profile demo "$@"; }

# The anonymous volumes of the image's VOLUME /var/lib/vctp carry no project label, and `down`
# without -v leaves them: they are noted before every down and removed at the end.
note_anonymous_volumes() {
  local c
  for c in $(podman ps -aq --filter "label=com.docker.compose.project=$project"); do
    podman inspect -f '{{range .Mounts}}{{if eq .Type "volume"}}{{.Name}}{{"\n"}}{{end}}{{end}}' "$c" 2>/dev/null |
      grep -E '^[0-9a-f]{64}$' >>"$tmp/anonymous-volumes" || true
  done
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "${DOCKER_HOST:-}" ]; then
    note_anonymous_volumes
    if [ "$rc" -ne 0 ]; then
      echo "compose_test: --- state at the failure ---" >&2
      timeout 60 docker-compose -p "$project" -f "$root/docker-compose.yml" --profile demo ps >&2 || true
      timeout 60 docker-compose -p "$project" -f "$root/docker-compose.yml" --profile demo logs --no-color --tail 40 >&2 || true
    fi
    log "stopping the stack (down -v)"
    timeout 300 docker-compose -p "$project" -f "$root/docker-compose.yml" --profile demo down -v --remove-orphans -t 15 \
      >"$tmp/down.log" 2>&1 || { echo "compose_test: down -v failed:" >&2; tail -n 20 "$tmp/down.log" >&2; }
    # Whatever down left behind (a container caught restarting, say), by this project's label.
    local leftover
    leftover=$(podman ps -aq --filter "label=com.docker.compose.project=$project")
    [ -z "$leftover" ] || podman rm -f $leftover >/dev/null 2>&1 || true
    leftover=$(podman volume ls -q --filter "label=com.docker.compose.project=$project")
    [ -z "$leftover" ] || podman volume rm -f $leftover >/dev/null 2>&1 || true
    podman network rm -f "${project}_default" >/dev/null 2>&1 || true
    if [ -s "$tmp/anonymous-volumes" ]; then
      sort -u "$tmp/anonymous-volumes" | while read -r volume; do
        [ -n "$(podman ps -aq --filter "volume=$volume")" ] || podman volume rm -f "$volume" >/dev/null 2>&1 || true
      done
    fi
  fi
  podman network rm -f "vctp-dns-check-$$" >/dev/null 2>&1 || true
  podman_teardown
  rm -rf "$tmp"
  log "done (exit $rc)"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# up_kicked TIMEOUT ARGS...: docker-compose up ARGS in the background while the health checks are
# kicked every 2 s (no systemd here to run them), until up returns or TIMEOUT seconds pass.
up_kicked() {
  local limit=$1; shift
  local upl="$tmp/up.log" deadline=$(( $(date +%s) + limit )) pid rc
  compose up "$@" >"$upl" 2>&1 &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      kill "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
      tail -n 40 "$upl" >&2
      fail "docker-compose up $* did not finish within ${limit}s"
    fi
    podman_health_kick "$project"
    sleep 2
  done
  rc=0
  wait "$pid" || rc=$?
  if [ "$rc" -ne 0 ]; then
    tail -n 60 "$upl" >&2
    fail "docker-compose up $* exited with $rc"
  fi
  cat "$upl" >>"$tmp/up-all.log"
}

# wait_for SECONDS WHAT COMMAND...: runs COMMAND every 2 s until it succeeds.
wait_for() {
  local limit=$1 what=$2; shift 2
  local deadline=$(( $(date +%s) + limit ))
  until "$@"; do
    [ "$(date +%s)" -lt "$deadline" ] || fail "$what: not within ${limit}s"
    sleep 2
  done
}

gw() { curl -fsSk --max-time 20 "https://127.0.0.1:$VCTP_GATEWAY_PORT$1"; }
gw_post() {  # gw_post PATH JSON: prints the body, then the HTTP status on a line of its own
  curl -sSk --max-time 90 -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d "$2" -w '\n%{http_code}\n' "https://127.0.0.1:$VCTP_GATEWAY_PORT$1"
}
json() { python3 -c "import json, sys; d = json.load(sys.stdin); $1"; }

containers() {  # containers SERVICE: the ids of the project's running containers of SERVICE
  podman ps -q --filter "label=com.docker.compose.project=$project" \
    --filter "label=com.docker.compose.service=$1"
}

# --- podman, images, settings -------------------------------------------------------------------
log "podman in $tmp"
podman_setup "$tmp/podman" || fail "podman_setup"

# The services find each other by name: podman's networks need DNS (the dnsname CNI plugin, or
# netavark with aardvark-dns).
podman network create "vctp-dns-check-$$" >/dev/null || fail "podman network create"
dns=$(podman network inspect --format '{{.DNSEnabled}}' "vctp-dns-check-$$")
podman network rm -f "vctp-dns-check-$$" >/dev/null
[ "$dns" = true ] || fail "podman's networks have no DNS here, so containers cannot reach each other by service name: install golang-github-containernetworking-plugin-dnsname (deploy/packages/test.txt)"

for image in nats postgres prometheus; do
  log "building the test image vctp-test-$image (Debian packages)"
  podman build --pull=never --format docker -q -t "localhost/vctp-test-$image:latest" \
    "tests/deploy/compose/images/$image" >"$tmp/image-$image.log" 2>&1 ||
    { cat "$tmp/image-$image.log" >&2; fail "building tests/deploy/compose/images/$image"; }
done
export VCTP_NATS_IMAGE=localhost/vctp-test-nats:latest
export VCTP_POSTGRES_IMAGE=localhost/vctp-test-postgres:latest
export VCTP_PROMETHEUS_IMAGE=localhost/vctp-test-prometheus:latest
# The stack's own tag, so that an operator's vctp:latest is left alone; the layers stay cached.
export VCTP_IMAGE=localhost/vctp VCTP_TAG=compose-test
VCTP_GATEWAY_PORT=$(free_port)
VCTP_PROMETHEUS_PORT=$(free_port)
VCTP_GRAFANA_PORT=$(free_port)
export VCTP_GATEWAY_PORT VCTP_PROMETHEUS_PORT VCTP_GRAFANA_PORT

# The shipped env file with a token of this run's own.
token_hash=$(printf %s "$token" | sha256sum | cut -d' ' -f1)
sed -e "s/^VCTP_API_TOKENS=.*/VCTP_API_TOKENS=$token_hash/" deploy/docker/vctp.env >"$tmp/vctp.env"
grep -q "^VCTP_API_TOKENS=$token_hash\$" "$tmp/vctp.env" || fail "deploy/docker/vctp.env has no VCTP_API_TOKENS line"
export VCTP_ENV_FILE=$tmp/vctp.env

compose config -q || fail "docker-compose.yml does not validate"

# --- up -----------------------------------------------------------------------------------------
log "docker-compose --profile demo up -d --build ${services[*]} (project $project, gateway port $VCTP_GATEWAY_PORT, prometheus port $VCTP_PROMETHEUS_PORT)"
t0=$(date +%s)
up_kicked 1500 -d --build "${services[@]}"
log "up returned after $(( $(date +%s) - t0 ))s"
grep -i 'healthcheck.*not supported\|HEALTHCHECK is not supported' "$tmp/up-all.log" && log "note: the builder dropped HEALTHCHECK"

ready() { gw /readyz >/dev/null 2>&1; }
wait_for 180 "the gateway's /readyz (https://127.0.0.1:$VCTP_GATEWAY_PORT/readyz)" ready
log "gateway ready: $(gw /readyz)"

for service in collector aggregator reporter; do
  port=$(case $service in collector) echo 9101 ;; aggregator) echo 9102 ;; reporter) echo 9103 ;; esac)
  ready_inside() { podman exec "$(containers "$service" | head -n1)" curl -fsS --max-time 5 "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; }
  wait_for 120 "$service's /readyz" ready_inside
done
log "collector, aggregator, reporter ready"

# --- a snapshot of the simulator ----------------------------------------------------------------
snapshot_ok() {
  gw '/api/snapshots?kind=hourly' 2>/dev/null |
    json 'sys.exit(0 if any(s.get("status") == "ok" and int(s.get("row_count") or 0) > 0 for s in d["snapshots"]) else 1)'
}
deadline=$(( $(date +%s) + 180 ))
asked=0
until snapshot_ok; do
  [ "$(date +%s)" -lt "$deadline" ] || { gw '/api/snapshots' >&2 || true; fail "no ok hourly snapshot of the simulator in /api/snapshots"; }
  if [ $(( $(date +%s) - asked )) -ge 20 ]; then  # (again) while the simulator may still be starting
    out=$(gw_post /api/snapshots/run '{}') || true
    [ "$(tail -n1 <<<"$out")" = 202 ] && log "asked for a snapshot (POST /api/snapshots/run: 202)"
    asked=$(date +%s)
  fi
  sleep 2
done
log "snapshot listed: $(gw '/api/snapshots?kind=hourly' | json 's = d["snapshots"][0]; print(s["table_name"], s["vcenter"], s["row_count"], "rows")')"

# --- a daily regeneration and its report --------------------------------------------------------
today=$(date -u +%F)
daily_file="vctp_daily_${today//-/}.xlsx"
regenerate() {
  local out status
  out=$(gw_post /api/snapshots/aggregate "{\"kind\":\"daily\",\"period\":\"$today\",\"wait\":60}") ||
    fail "POST /api/snapshots/aggregate: curl failed"
  status=$(tail -n1 <<<"$out")
  [ "$status" = 200 ] || fail "POST /api/snapshots/aggregate answered $status: $(head -n -1 <<<"$out")"
  head -n -1 <<<"$out" | json 'sys.exit(0 if d.get("status") == "ok" else 1)' ||
    fail "the daily regeneration did not complete ok: $(head -n -1 <<<"$out")"
  log "daily $today regenerated: $(head -n -1 <<<"$out")"
}
report_created() {  # the created_at of the daily report in /api/reports, or nothing
  gw /api/reports 2>/dev/null | json "print(next((r['created_at'] for r in d['reports'] if r['file'] == '$daily_file'), ''))" 2>/dev/null
}
regenerate
has_report() { [ -n "$(report_created)" ]; }
wait_for 120 "$daily_file in /api/reports" has_report
gw "/api/reports/$daily_file" >"$tmp/daily.xlsx" || fail "GET /api/reports/$daily_file"
[ "$(head -c 2 "$tmp/daily.xlsx")" = PK ] || fail "$daily_file is not an XLSX (zip) file"
log "report $daily_file downloaded ($(wc -c <"$tmp/daily.xlsx") bytes)"

# --- Prometheus ---------------------------------------------------------------------------------
targets_up() {
  curl -fsS --max-time 10 "http://127.0.0.1:$VCTP_PROMETHEUS_PORT/api/v1/targets" 2>/dev/null | json '
jobs = {"vctp-collector", "vctp-aggregator", "vctp-reporter", "vctp-gateway"}
up = {t["labels"].get("job") for t in d["data"]["activeTargets"] if t["health"] == "up"}
sys.exit(0 if jobs <= up else 1)'
}
wait_for 180 "Prometheus (port $VCTP_PROMETHEUS_PORT) reporting the four services' targets up" targets_up
log "Prometheus: $(curl -fsS "http://127.0.0.1:$VCTP_PROMETHEUS_PORT/api/v1/targets" |
  json 'print(", ".join(sorted(t["labels"]["job"] + "=" + t["health"] for t in d["data"]["activeTargets"])))')"

# --- nothing lost over a restart and over down / up ---------------------------------------------
state() {  # the snapshots and reports listed, one per line
  { gw '/api/snapshots?limit=1000' | json 'print("\n".join(sorted("snapshot %s %s %s %s" % (s["kind"], s["table_name"], s.get("vcenter"), s["status"]) for s in d["snapshots"])))'
    gw /api/reports | json 'print("\n".join(sorted("report " + r["file"] for r in d["reports"])))'; } | sort
}
kept() {  # kept BEFORE: every line of BEFORE is still listed (a new hourly snapshot may join)
  state >"$tmp/after" 2>/dev/null || return 1
  comm -23 "$1" "$tmp/after" >"$tmp/lost"
  [ ! -s "$tmp/lost" ]
}
state >"$tmp/before"
log "$(grep -c '^snapshot' "$tmp/before") snapshots and $(grep -c '^report' "$tmp/before") reports listed"

log "docker-compose restart aggregator"
compose restart -t 15 aggregator >"$tmp/restart.log" 2>&1 || { cat "$tmp/restart.log" >&2; fail "restart aggregator"; }
aggregator_ready() { podman exec "$(containers aggregator | head -n1)" curl -fsS --max-time 5 http://127.0.0.1:9102/readyz >/dev/null 2>&1; }
wait_for 120 "the restarted aggregator's /readyz" aggregator_ready
kept "$tmp/before" || { cat "$tmp/lost" >&2; fail "lost over restart aggregator (above)"; }
log "restart aggregator: nothing lost"

log "docker-compose down (volumes kept), then up again"
note_anonymous_volumes
compose down -t 15 >"$tmp/down1.log" 2>&1 || { cat "$tmp/down1.log" >&2; fail "docker-compose down"; }
[ -z "$(podman ps -q --filter "label=com.docker.compose.project=$project")" ] || fail "containers left after down"
up_kicked 600 -d "${services[@]}"
wait_for 180 "the gateway's /readyz after down / up" ready
deadline=$(( $(date +%s) + 60 ))
until kept "$tmp/before"; do  # the gateway may answer before every list is readable again
  [ "$(date +%s)" -lt "$deadline" ] || { cat "$tmp/lost" >&2; fail "lost over down / up (above)"; }
  sleep 2
done
gw "/api/reports/$daily_file" | cmp -s - "$tmp/daily.xlsx" || fail "$daily_file changed or is gone after down / up"
log "down / up: nothing lost, $daily_file unchanged"

# --- two aggregators and two reporters: one regeneration done once -------------------------------
log "docker-compose up -d --scale aggregator=2 --scale reporter=2"
up_kicked 600 -d --scale aggregator=2 --scale reporter=2 "${services[@]}"
two_ready() {  # two_ready SERVICE PORT: two containers of SERVICE, both ready
  local ids n=0 c
  ids=$(containers "$1")
  [ "$(wc -w <<<"$ids")" -eq 2 ] || return 1
  for c in $ids; do
    podman exec "$c" curl -fsS --max-time 5 "http://127.0.0.1:$2/readyz" >/dev/null 2>&1 && n=$((n + 1))
  done
  [ "$n" -eq 2 ]
}
wait_for 180 "two ready aggregators" two_ready aggregator 9102
wait_for 180 "two ready reporters" two_ready reporter 9103
wait_for 60 "the gateway's /readyz after scaling" ready

count_logs() {  # count_logs SERVICE PATTERN...: lines of SERVICE's containers' logs matching every PATTERN
  local c n=0 pattern
  for c in $(containers "$1"); do
    podman logs "$c" >"$tmp/logs" 2>&1 || true
    for pattern in "${@:2}"; do
      grep -F -- "$pattern" "$tmp/logs" >"$tmp/logs.matched" || true
      mv "$tmp/logs.matched" "$tmp/logs"
    done
    n=$(( n + $(wc -l <"$tmp/logs") ))
  done
  echo "$n"
}
aggregations_before=$(count_logs aggregator "aggregation done" daily "$today")
reports_before=$(count_logs reporter "report generated" daily "$today")
created_before=$(report_created)
regenerate
report_renewed() { local c; c=$(report_created); [ -n "$c" ] && [ "$c" != "$created_before" ]; }
wait_for 120 "a new $daily_file after the regeneration with two reporters" report_renewed
sleep 10  # room for a second, unwanted summary or report to show
aggregations=$(( $(count_logs aggregator "aggregation done" daily "$today") - aggregations_before ))
reports=$(( $(count_logs reporter "report generated" daily "$today") - reports_before ))
[ "$aggregations" -eq 1 ] || fail "with two aggregators the daily $today was summarised $aggregations times (want once)"
[ "$reports" -eq 1 ] || fail "with two reporters $daily_file was written $reports times (want once)"

psql_count() {
  podman exec "$(containers postgres | head -n1)" psql -U vctp -d vctp -tAc "$1"
}
registry_rows=$(psql_count "SELECT count(*) FROM snapshot_registry WHERE kind = 'daily' AND period_start::date = DATE '$today'")
report_rows=$(psql_count "SELECT count(*) FROM reports WHERE file_name = '$daily_file'")
[ "$registry_rows" = 1 ] || fail "snapshot_registry holds $registry_rows daily rows for $today (want 1)"
[ "$report_rows" = 1 ] || fail "reports holds $report_rows rows for $daily_file (want 1)"
log "two aggregators, two reporters: daily $today summarised once, $daily_file written once (registry $registry_rows, reports $report_rows)"

log "PASS ($(( $(date +%s) - started ))s)"
