#!/usr/bin/env bash
# Builds plinth's init and nologin for amd64 and arm64, reproducibly.
#
#   native/build.sh              -> native/bin/{amd64,arm64}/{init,nologin} and native/SHA256SUMS
#   native/build.sh --out DIR    -> DIR/{amd64,arm64}/{init,nologin} only (the committed files stay)
#
# Compilers: Debian's gcc for amd64 and aarch64-linux-gnu-gcc (package
# gcc-aarch64-linux-gnu) for arm64; override with CC_AMD64 / CC_ARM64 (strip
# is the compiler's name with gcc replaced by strip). The programs use no
# libc, so no libc6-dev is needed. SHA256SUMS records the first line of each
# compiler's --version: the same compiler version gives the same bytes.
set -euo pipefail
export LC_ALL=C
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

out=$here/bin
sums=$here/SHA256SUMS
if [ $# -gt 0 ]; then
  if [ "$1" = --out ] && [ $# -eq 2 ] && [ -n "$2" ]; then
    mkdir -p "$2"
    out=$(cd "$2" && pwd)
    sums=
  else
    echo "usage: build.sh [--out DIR]" >&2
    exit 2
  fi
fi

cc_amd64=${CC_AMD64:-gcc}
cc_arm64=${CC_ARM64:-aarch64-linux-gnu-gcc}

cflags=(-std=c11 -Os -Wall -Wextra
  -static -nostdlib -ffreestanding -fno-builtin
  -fno-stack-protector -fno-stack-clash-protection -fcf-protection=none
  -fno-asynchronous-unwind-tables -fno-unwind-tables
  -fno-pie -no-pie -fno-ident -fno-tree-loop-distribute-patterns
  -ffunction-sections -fdata-sections
  -Wl,--gc-sections -Wl,--build-id=none -Wl,-n -Wl,-z,noexecstack -Wl,-z,norelro
  -s)

# check_cc CC TRIPLET-PREFIX: the compiler exists and targets that machine
check_cc() {
  local cc=$1 want=$2 got
  command -v "$cc" >/dev/null 2>&1 || {
    echo "build.sh: $cc not found (Debian: apt-get install gcc gcc-aarch64-linux-gnu)" >&2; exit 1; }
  got=$("$cc" -dumpmachine)
  case $got in
    "$want"*) ;;
    *) echo "build.sh: $cc targets $got, not $want" >&2; exit 1 ;;
  esac
}
check_cc "$cc_amd64" x86_64-
check_cc "$cc_arm64" aarch64-

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# build ARCH CC
build() {
  local arch=$1 cc=$2 strip=${2%gcc}strip prog
  mkdir -p "$tmp/$arch"
  for prog in init nologin; do
    # relative source path, fixed directory: nothing of this machine ends up in the binary
    (cd "$here/src" && "$cc" "${cflags[@]}" -o "$tmp/$arch/$prog" "$prog.c")
    "$strip" --strip-all -R .comment "$tmp/$arch/$prog"
    chmod 0755 "$tmp/$arch/$prog"
  done
}
build amd64 "$cc_amd64"
build arm64 "$cc_arm64"

for arch in amd64 arm64; do
  mkdir -p "$out/$arch"
  for prog in init nologin; do
    cp "$tmp/$arch/$prog" "$out/$arch/$prog.tmp"
    mv -f "$out/$arch/$prog.tmp" "$out/$arch/$prog"
  done
done

if [ -n "$sums" ]; then
  {
    echo "# amd64: $("$cc_amd64" --version | head -1)"
    echo "# arm64: $("$cc_arm64" --version | head -1)"
    (cd "$here" && sha256sum bin/amd64/init bin/amd64/nologin bin/arm64/init bin/arm64/nologin)
  } >"$sums.tmp"
  mv -f "$sums.tmp" "$sums"
fi
wc -c "$out"/amd64/init "$out"/amd64/nologin "$out"/arm64/init "$out"/arm64/nologin | sed '$d'
