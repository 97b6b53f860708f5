#!/bin/sh
# Compiles the server for both platforms into build/, dynamically linked against zlib:
# amd64 with gcc and zlib1g-dev; arm64 with Debian's cross compiler (gcc-aarch64-linux-gnu,
# libc6-dev-arm64-cross), against a link-time stub of libz.so.1 (zstub.c): no zlib1g-dev:arm64
# needed. zlib.h is the same for every architecture.
set -eu
cd "$(dirname "$0")"
mkdir -p build
gcc -O2 -Wall -Werror -o build/server-amd64 server.c -lz
cross=aarch64-linux-gnu-gcc
mkdir -p build/arm64-include build/arm64-lib
cp /usr/include/zlib.h /usr/include/zconf.h build/arm64-include/
$cross -O2 -shared -fPIC -Wl,-soname,libz.so.1 -Ibuild/arm64-include \
  -o build/arm64-lib/libz.so zstub.c
$cross -O2 -Wall -Werror -Ibuild/arm64-include -o build/server-arm64 server.c \
  -Lbuild/arm64-lib -lz
