#!/bin/sh
# Health check of the vctp image: GET /healthz of the service the container runs (PID 1's
# command, or the service named as $1), on its port: collector_metrics_port (9101),
# aggregator_metrics_port (9102), reporter_metrics_port (9103) or the gateway's bind_port (9443,
# HTTPS unless bind_disable_tls). A port changed by VCTP_<KEY> is followed; one changed only in
# the settings file is not: give the container a health check of its own then.
set -eu
service=${1:-$(tr '\0' '\n' < /proc/1/cmdline | head -n 1)}
scheme=http
case "${service##*/}" in
  vctp-collector) port=${VCTP_COLLECTOR_METRICS_PORT:-9101} ;;
  vctp-aggregator) port=${VCTP_AGGREGATOR_METRICS_PORT:-9102} ;;
  vctp-reporter) port=${VCTP_REPORTER_METRICS_PORT:-9103} ;;
  vctp-gateway)
    port=${VCTP_BIND_PORT:-9443}
    case "${VCTP_BIND_DISABLE_TLS:-false}" in true|True|TRUE|yes|1) ;; *) scheme=https ;; esac
    ;;
  *) echo "vctp-healthcheck: no vctp service runs here (${service:-nothing})" >&2; exit 1 ;;
esac
exec curl -fsS -k --max-time 5 -o /dev/null "$scheme://127.0.0.1:$port/healthz"
