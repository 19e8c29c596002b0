#!/bin/sh
# The Prometheus files of deploy/prometheus with the real promtool: the alert rules are valid and
# pass their unit tests (alerts_test.yml: every alert firing and silent), and both scrape
# configurations (scripts/up's prometheus.yml, docker-compose's prometheus-compose.yml) are valid
# with the rules they load. Usage: alert_rules_test.sh SOURCE_DIR
set -eu
dir=${1:?usage: alert_rules_test.sh SOURCE_DIR}/deploy/prometheus
promtool=${PROMTOOL:-/usr/bin/promtool}
cd "$dir"
set -x
"$promtool" check rules alerts.yml
"$promtool" test rules alerts_test.yml
"$promtool" check config prometheus.yml
"$promtool" check config prometheus-compose.yml
