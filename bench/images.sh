#!/usr/bin/env bash
# Image sizes: builds the role images from their Dockerfiles without a Docker engine (buildah,
# vfs storage, chroot isolation) and prints each image's size as stored (uncompressed) and as
# pulled (the sum of its gzip layers). Where docker.io is out of reach, the Debian base is built
# from Debian's archive with debuerreotype, the tool the official debian images are made with.
# The job image's base (flink:2.2.1-java17) cannot be built that way: for it, the layer it adds.
# Usage: sudo bench/images.sh        (needs buildah and debuerreotype: apt-get install buildah debuerreotype)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
export STORAGE_DRIVER=vfs BUILDAH_ISOLATION=chroot

base=docker.io/library/debian:bookworm-slim
if ! buildah inspect --type image "$base" >/dev/null 2>&1 && ! buildah pull -q "$base" >/dev/null 2>&1; then
  echo "building $base from Debian's archive (debuerreotype)" >&2
  rootfs="$work/bookworm-slim"
  rm -rf "$rootfs"
  debuerreotype-init --non-debian "$rootfs" bookworm http://deb.debian.org/debian >&2
  debuerreotype-minimizing-config "$rootfs"
  debuerreotype-apt-get "$rootfs" update -qq
  debuerreotype-apt-get "$rootfs" dist-upgrade -yqq >&2
  debuerreotype-slimify "$rootfs"
  debuerreotype-apt-get "$rootfs" clean
  rm -rf "$rootfs"/var/lib/apt/lists/*
  debuerreotype-tar "$rootfs" "$work/bookworm-slim.tar"
  rm -rf "$rootfs"
  ctr=$(buildah from scratch)
  tar -C "$(buildah mount "$ctr")" -xf "$work/bookworm-slim.tar"
  buildah umount "$ctr" >/dev/null
  buildah config --cmd bash "$ctr"
  buildah commit -q "$ctr" "$base" >/dev/null
  buildah rm "$ctr" >/dev/null
fi

# pulled DIR: bytes of the image's layers as pulled (gzip blobs of an OCI layout)
pulled() {
  python3 - "$1" <<'EOF'
import json, sys, pathlib
oci = pathlib.Path(sys.argv[1])
index = json.loads((oci / "index.json").read_text())
blob = lambda d: oci / "blobs" / d.split(":")[0] / d.split(":")[1]
manifest = json.loads(blob(index["manifests"][0]["digest"]).read_text())
print(sum(layer["size"] for layer in manifest["layers"]))
EOF
}

mb() { awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1e6 }'; }

printf '%-48s %10s %10s\n' image stored pulled
for role in tcpwatch-agent:capture-agent tcpwatch-dashboard:dashboard tcpwatch:cli; do
  name=${role%%:*} dir=${role##*:}
  tag="ghcr.io/tcpwatch/$name:0.1.0"
  buildah bud -q --layers -f "$dir/Dockerfile" -t "$tag" . >/dev/null
  rm -rf "$work/oci-$name"
  buildah push -q "$tag" "oci:$work/oci-$name" >/dev/null
  stored=$(buildah images --noheading --format '{{.Size}}' "$tag")
  printf '%-48s %10s %10s\n' "$tag" "$stored" "$(mb "$(pulled "$work/oci-$name")")"
done
base_stored=$(buildah images --noheading --format '{{.Size}}' "$base")
rm -rf "$work/oci-base"; buildah push -q "$base" "oci:$work/oci-base" >/dev/null
printf '%-48s %10s %10s\n' "$base (base)" "$base_stored" "$(mb "$(pulled "$work/oci-base")")"
printf '%-48s %10s %10s\n' "tcpwatch-job: layer on flink:2.2.1-java17" "$(mb "$(stat -c %s job/target/tcpwatch-job.jar)")" \
  "$(mb "$(gzip -c job/target/tcpwatch-job.jar | wc -c)")"
