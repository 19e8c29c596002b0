# Real containers for the deployment tests, through Debian's podman (see shared/CONTAINERS.md):
#   . tests/deploy/lib/podman.sh
#   podman_setup DIR    containers.conf of the test's own (runc, no rlimits), the debian:12-slim
#                       base image made locally when missing, and podman's Docker API on
#                       DIR/podman.sock (DOCKER_HOST is exported for docker-compose)
#   podman_teardown     stops the API service podman_setup started
#   podman_health_kick PROJECT  runs the health checks of a compose project's containers once
#                       (these machines have no systemd to run them on a timer)
# Nothing is pulled: there is no registry here.

vctp_base_image=docker.io/library/debian:12-slim

podman_setup() {
  local dir=$1
  mkdir -p "$dir"
  printf '[containers]\ndefault_ulimits = []\n\n[engine]\nruntime = "runc"\n' > "$dir/containers.conf"
  export CONTAINERS_CONF="$dir/containers.conf"
  podman_base_image || return 1
  rm -f "$dir/podman.sock"
  podman system service --time=0 "unix://$dir/podman.sock" > "$dir/podman-service.log" 2>&1 &
  podman_service_pid=$!
  export DOCKER_HOST="unix://$dir/podman.sock"
  local i
  for i in $(seq 1 100); do
    [ -S "$dir/podman.sock" ] && curl -fsS --unix-socket "$dir/podman.sock" http://d/_ping >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "podman_setup: podman's API did not come up; see $dir/podman-service.log" >&2
  return 1
}

# Makes the base image from the machine's own Debian archive, once per machine (under a lock, so
# that tests running at the same time make it once).
podman_base_image() {
  (
    flock 9
    podman image exists "$vctp_base_image" && exit 0
    local tmp
    tmp=$(mktemp -d /var/tmp/vctp-rootfs.XXXXXX)
    echo "podman: making $vctp_base_image with mmdebstrap"
    if ! mmdebstrap --quiet --variant=minbase bookworm "$tmp/rootfs.tar"; then
      rm -rf "$tmp"; echo "podman: mmdebstrap failed" >&2; exit 1
    fi
    podman import "$tmp/rootfs.tar" "$vctp_base_image" >/dev/null
    local rc=$?
    rm -rf "$tmp"
    exit $rc
  ) 9>/var/tmp/vctp-base-image.lock
}

podman_teardown() {
  if [ -n "${podman_service_pid:-}" ]; then
    kill "$podman_service_pid" 2>/dev/null
    wait "$podman_service_pid" 2>/dev/null
    podman_service_pid=
  fi
}

podman_health_kick() {
  local project=$1 c
  for c in $(podman ps -q --filter "label=com.docker.compose.project=$project"); do
    if [ -n "$(podman inspect -f '{{.Config.Healthcheck}}' "$c" 2>/dev/null | grep -v '<nil>')" ]; then
      podman healthcheck run "$c" >/dev/null 2>&1 || true
    fi
  done
}
