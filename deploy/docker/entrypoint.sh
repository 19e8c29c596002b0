#!/bin/sh
# Entry point of the vctp image: the command names the service, which reads the container's
# settings file unless the command gives one of its own:
#   docker run vctp vctp-collector                 -> vctp-collector -settings /etc/vctp/vctp.yml
#   docker run vctp vctp-gateway --hash-token T    -> vctp-gateway -settings /etc/vctp/vctp.yml --hash-token T
#   docker run vctp vctp-collector -settings /x.yml   (used as given)
# VCTP_SETTINGS names another default file. Anything else (sh, ls) runs as it is.
set -eu
settings=${VCTP_SETTINGS:-/etc/vctp/vctp.yml}
if [ $# -eq 0 ]; then
  echo "vctp image: name the service to run: vctp-collector, vctp-aggregator, vctp-reporter or vctp-gateway" >&2
  echo "  e.g. docker run vctp vctp-gateway   (settings: $settings; any key can be set by VCTP_<KEY>)" >&2
  exit 2
fi
case "$1" in
  vctp-collector|vctp-aggregator|vctp-reporter|vctp-gateway)
    for arg in "$@"; do
      case "$arg" in
        -settings|--settings|-settings=*|--settings=*) exec "$@" ;;
      esac
    done
    service=$1
    shift
    exec "$service" -settings "$settings" "$@"
    ;;
esac
exec "$@"
