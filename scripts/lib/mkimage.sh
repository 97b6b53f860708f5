#!/usr/bin/env bash
# Builds a tiny OCI image layout by hand (no registry, no Docker):
# one layer holding a static busybox at /bin/busybox (+ /bin/sh link).
#
#   scripts/lib/mkimage.sh OUT_DIR TAG ARCH=BUSYBOX [ARCH=BUSYBOX ...]
#
# One ARCH: index.json -> manifest.      (like `umoci`/`skopeo copy`)
# Several:  index.json -> image index blob -> one manifest per platform
#           (the nested layout `skopeo copy --all oci:` writes).
# Prints nothing; exits non-zero on error. Output is reproducible.
set -euo pipefail

out=$1 tag=$2; shift 2
[ $# -ge 1 ] || { echo "usage: $0 OUT_DIR TAG ARCH=BUSYBOX..." >&2; exit 2; }
mkdir -p "$out/blobs/sha256"
printf '{"imageLayoutVersion":"1.0.0"}' > "$out/oci-layout"

# put FILE -> echoes "DIGEST SIZE" and stores FILE as a blob
put() {
  local d s
  d=$(sha256sum "$1" | cut -d' ' -f1); s=$(stat -c %s "$1")
  cp "$1" "$out/blobs/sha256/$d"
  echo "$d $s"
}

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
manifests=()
for spec in "$@"; do
  arch=${spec%%=*} bb=${spec#*=}
  [ -f "$bb" ] || { echo "$0: no busybox at $bb" >&2; exit 1; }
  root=$tmp/root-$arch; mkdir -p "$root/bin" "$root/tmp"
  install -m 0755 "$bb" "$root/bin/busybox"; ln -sf busybox "$root/bin/sh"
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 \
      -C "$root" -cf "$tmp/layer-$arch.tar" bin tmp
  gzip -9n < "$tmp/layer-$arch.tar" > "$tmp/layer-$arch.tar.gz"
  diffid=$(sha256sum "$tmp/layer-$arch.tar" | cut -d' ' -f1)
  read -r ld ls < <(put "$tmp/layer-$arch.tar.gz")
  printf '{"architecture":"%s","os":"linux","config":{"Env":["PATH=/bin"],"Entrypoint":["/bin/busybox"],"Cmd":["sh"],"WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"created":"1970-01-01T00:00:00Z","history":[{"created":"1970-01-01T00:00:00Z","created_by":"plinth mkimage.sh"}]}' \
    "$arch" "$diffid" > "$tmp/config-$arch.json"
  read -r cd cs < <(put "$tmp/config-$arch.json")
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%s}]}' \
    "$cd" "$cs" "$ld" "$ls" > "$tmp/manifest-$arch.json"
  read -r md ms < <(put "$tmp/manifest-$arch.json")
  manifests+=("$(printf '{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"platform":{"architecture":"%s","os":"linux"}}' "$md" "$ms" "$arch")")
done

join() { local IFS=,; echo "$*"; }
ref='"annotations":{"org.opencontainers.image.ref.name":"'"$tag"'"}'
if [ ${#manifests[@]} -eq 1 ]; then
  m=${manifests[0]}
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[%s]}' "${m%\}},$ref}" > "$out/index.json"
else
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[%s]}' "$(join "${manifests[@]}")" > "$tmp/index.json"
  read -r id is < <(put "$tmp/index.json")
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"sha256:%s","size":%s,%s}]}' "$id" "$is" "$ref" > "$out/index.json"
fi
