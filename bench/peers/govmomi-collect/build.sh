#!/usr/bin/env bash
# Builds the collector benchmark's peer (main.go) into OUTPUT from Debian's Go and govmomi only
# (as tests/vcsim/build.sh builds the simulator), and only when the source is newer than OUTPUT.
# Usage: build.sh OUTPUT
set -euo pipefail
out=${1:?usage: build.sh OUTPUT}
here=$(cd "$(dirname "$0")" && pwd)
if [ -x "$out" ] && [ "$out" -nt "$here/main.go" ]; then
  exit 0
fi
if ! command -v go >/dev/null || [ ! -d /usr/share/gocode/src/github.com/vmware/govmomi/view ]; then
  echo "govmomi-collect: install golang-go and golang-github-vmware-govmomi-dev (scripts/bootstrap)" >&2
  exit 1
fi
mkdir -p "$(dirname "$out")"
cache=${GOCACHE:-$(dirname "$out")/.gocache}
cd "$here"
GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE="$cache" GOFLAGS= go build -o "$out.tmp" .
mv -f "$out.tmp" "$out"
