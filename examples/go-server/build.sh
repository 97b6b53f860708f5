#!/bin/sh
# Compiles the server for both platforms into build/: static (CGO_ENABLED=0), reproducible
# (-trimpath, no build ID, no VCS stamp). Go cross-compiles on its own: Debian's golang-go is all
# it needs.
set -eu
cd "$(dirname "$0")"
for arch in amd64 arm64; do
  CGO_ENABLED=0 GOOS=linux GOARCH=$arch go build -trimpath -buildvcs=false \
    -ldflags='-s -w -buildid=' -o "build/server-$arch" .
done
