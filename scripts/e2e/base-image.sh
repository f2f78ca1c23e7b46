#!/usr/bin/env bash
# Stand-in base image for the e2e pipeline harness (scripts/e2e-pipeline).
#
# Docker Hub is out of reach here, so every base image named in a generated
# Dockerfile's `ARG BASE_IMAGE=` line resolves (through a registries.conf
# mirror) to ONE local image: a Debian bookworm rootfs made by mmdebstrap with
# python3, python3-venv, python3-pip and the Debian packages of the template's
# requirements (scripts/e2e/base-packages.txt). It sets PIP_NO_INDEX=1 and
# PIP_NO_DEPS=1 so that `python3 -m venv --system-site-packages /opt/venv &&
# /opt/venv/bin/pip install -r requirements.txt` succeeds offline: every direct
# requirement is "already satisfied" by a Debian package; transitive pins are
# NOT checked (Debian's fastapi 0.92 declares starlette<0.26 and ships 0.26.1).
#
# Cached under ${XDG_CACHE_HOME:-$HOME/.cache}/create-mlops-project/e2e,
# keyed on the package list and the build options; rebuilt when absent
# (about 2 min from scratch, mostly mmdebstrap):
#   rootfs-KEY.tar   the mmdebstrap tarball (about 600 MB), keyed on the suite,
#                    packages, mirrors and dpkg path excludes
#   image-KEY2/      (KEY2 adds the image env and format) the image in containers-image `dir:` layout: the rootfs as
#                    one gzip layer, docker v2s2 manifest, written directly (no
#                    builder needed), ready for `skopeo copy` to a registry
#
# Usage: base-image.sh            prints the image dir (building what is missing)
#        base-image.sh --key      prints the image cache key only
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/create-mlops-project/e2e"
suite=bookworm
mirrors=(
  "deb http://deb.debian.org/debian bookworm main"
  "deb http://deb.debian.org/debian bookworm-updates main"
  "deb http://deb.debian.org/debian-security bookworm-security main"
)
# Keep the rootfs small: no headers, static libs, compilers' internals, docs,
# man pages or translations (python3-scipy pulls in pythran and gcc).
dpkgopts=(
  'path-exclude=/usr/include/*'
  'path-exclude=/usr/lib/gcc/*'
  'path-exclude=*.a'
  'path-exclude=/usr/share/doc/*'
  'path-include=/usr/share/doc/*/copyright'
  'path-exclude=/usr/share/man/*'
  'path-exclude=/usr/share/info/*'
  'path-exclude=/usr/share/locale/*'
  'path-exclude=/usr/share/lintian/*'
)
image_env=(
  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
  LANG=C.UTF-8
  PIP_NO_INDEX=1
  PIP_NO_DEPS=1
  PIP_DISABLE_PIP_VERSION_CHECK=1
  PIP_BREAK_SYSTEM_PACKAGES=1
  PIP_ROOT_USER_ACTION=ignore
  E2E_STAND_IN_BASE=1
)
format_version=3

packages=$(sed -e 's/#.*//' -e 's/[[:space:]]//g' -e '/^$/d' "$here/base-packages.txt" | sort -u)
rootfs_key=$(printf '%s\n' "$suite" "$packages" "${mirrors[@]}" "${dpkgopts[@]}" | sha256sum | cut -c1-16)
key=$(printf '%s\n' "$rootfs_key" "$format_version" "${image_env[@]}" | sha256sum | cut -c1-16)

if [[ ${1:-} == --key ]]; then echo "$key"; exit 0; fi

mkdir -p "$cache_root"
rootfs="$cache_root/rootfs-$rootfs_key.tar"
image="$cache_root/image-$key"

log() { printf '[base-image] %s\n' "$*" >&2; }

# One builder at a time per cache (parallel test files share it).
exec 9>"$cache_root/.lock"
flock 9

if [[ ! -f $rootfs ]]; then
  log "building Debian $suite rootfs with mmdebstrap (key $rootfs_key): $(echo $packages | tr '\n' ' ')"
  start=$SECONDS
  dpkg_args=()
  for o in "${dpkgopts[@]}"; do dpkg_args+=(--dpkgopt="$o"); done
  rm -f "$rootfs.tmp.tar"
  env -u PIP_FIND_LINKS mmdebstrap --quiet --variant=minbase --format=tar \
    --include="$(echo $packages | tr ' ' ',')" \
    "${dpkg_args[@]}" \
    "$suite" "$rootfs.tmp.tar" "${mirrors[@]}" >&2
  mv "$rootfs.tmp.tar" "$rootfs"
  log "rootfs built in $((SECONDS - start)) s: $(du -h "$rootfs" | cut -f1)"
fi

if [[ ! -f $image/manifest.json ]]; then
  log "writing the rootfs as a one-layer docker image (gzip -1 layer, v2s2 manifest)"
  start=$SECONDS
  rm -rf "$image.tmp"
  mkdir -p "$image.tmp"
  env_json=$(printf '%s\n' "${image_env[@]}" | /usr/bin/python3 -c 'import json,sys; print(json.dumps(sys.stdin.read().split()))')
  /usr/bin/python3 - "$rootfs" "$image.tmp" "$env_json" "$suite" <<'PY'
import gzip, hashlib, json, os, sys
rootfs, out, env, suite = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), sys.argv[4]
diff, comp = hashlib.sha256(), hashlib.sha256()
tmp = os.path.join(out, "layer.tmp")

class Tee:
    def __init__(self, f): self.f = f
    def write(self, b): comp.update(b); return self.f.write(b)
    def flush(self): self.f.flush()

with open(rootfs, "rb") as src, open(tmp, "wb") as raw:
    with gzip.GzipFile(fileobj=Tee(raw), mode="wb", compresslevel=1, mtime=0) as gz:
        while chunk := src.read(1 << 20):
            diff.update(chunk)
            gz.write(chunk)
layer_digest, layer_size = comp.hexdigest(), os.path.getsize(tmp)
os.rename(tmp, os.path.join(out, layer_digest))
config = {
    "architecture": "amd64", "os": "linux", "created": "1970-01-01T00:00:00Z",
    "config": {"Env": env, "Cmd": ["/bin/bash"], "WorkingDir": "/",
               "Labels": {"org.opencontainers.image.title": f"create-mlops-project e2e stand-in base ({suite})"}},
    "rootfs": {"type": "layers", "diff_ids": ["sha256:" + diff.hexdigest()]},
    "history": [{"created": "1970-01-01T00:00:00Z", "created_by": f"mmdebstrap {suite} (scripts/e2e/base-image.sh)"}],
}
cfg = json.dumps(config, separators=(",", ":")).encode()
cfg_digest = hashlib.sha256(cfg).hexdigest()
open(os.path.join(out, cfg_digest), "wb").write(cfg)
manifest = {
    "schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
    "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": len(cfg), "digest": "sha256:" + cfg_digest},
    "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": layer_size, "digest": "sha256:" + layer_digest}],
}
open(os.path.join(out, "manifest.json"), "w").write(json.dumps(manifest, separators=(",", ":")))
open(os.path.join(out, "version"), "w").write("Directory Transport Version: 1.1\n")
PY
  rm -rf "$image"
  mv "$image.tmp" "$image"
  log "image ready in $((SECONDS - start)) s: $(du -sh "$image" | cut -f1)"
fi

# Drop cache entries of other keys (each rootfs is ~600 MB).
find "$cache_root" -mindepth 1 -maxdepth 1 \( \( -name 'rootfs-*.tar' ! -name "rootfs-$rootfs_key.tar" \) \
  -o \( -name 'image-*' ! -name "image-$key" \) \) -exec rm -rf {} +

echo "$image"
