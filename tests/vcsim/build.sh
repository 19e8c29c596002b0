#!/usr/bin/env bash
# Builds the vCenter simulator (main.go beside this script), or the Go program in SOURCE_DIR (the
# benchmarks' govmomi peer), into OUTPUT from Debian's Go packages only, and only when main.go is
# newer than OUTPUT. Usage: build.sh OUTPUT [SOURCE_DIR]
set -euo pipefail
out=${1:?usage: build.sh OUTPUT [SOURCE_DIR]}
here=$(cd "${2:-$(dirname "$0")}" && pwd)
if [ -x "$out" ] && [ "$out" -nt "$here/main.go" ]; then
  exit 0
fi
if ! command -v go >/dev/null; then
  echo "vcsim: 'go' is missing: install golang-go and golang-github-vmware-govmomi-dev (scripts/bootstrap)" >&2
  exit 1
fi
if [ ! -d /usr/share/gocode/src/github.com/vmware/govmomi/simulator ] || [ ! -d /usr/share/gocode/src/github.com/vmware/govmomi/view ]; then
  echo "vcsim: govmomi is missing: install golang-github-vmware-govmomi-dev (scripts/bootstrap)" >&2
  exit 1
fi
mkdir -p "$(dirname "$out")"
cache=${GOCACHE:-$(dirname "$out")/.gocache}
cd "$here"
GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE="$cache" GOFLAGS= go build -o "$out.tmp" .
mv -f "$out.tmp" "$out"
