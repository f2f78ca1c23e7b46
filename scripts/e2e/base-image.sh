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
# keyed on the package list and the build options; rebuilt when absent:
#   rootfs-KEY.tar   the mmdebstrap tarball (about 550 MiB)
#   image-KEY/       the image in containers-image `dir:` layout, gzip layers,
#                    docker v2s2 manifest, ready for `skopeo copy` to a registry
#
# Usage: base-image.sh            prints the image dir (building what is missing)
#        base-image.sh --key      prints the cache key only
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
format_version=2

packages=$(sed -e 's/#.*//' -e 's/[[:space:]]//g' -e '/^$/d' "$here/base-packages.txt" | sort -u)
key=$(printf '%s\n' "$format_version" "$suite" "$packages" "${mirrors[@]}" "${dpkgopts[@]}" "${image_env[@]}" \
  | sha256sum | cut -c1-16)

if [[ ${1:-} == --key ]]; then echo "$key"; exit 0; fi

mkdir -p "$cache_root"
rootfs="$cache_root/rootfs-$key.tar"
image="$cache_root/image-$key"

log() { printf '[base-image] %s\n' "$*" >&2; }

# One builder at a time per cache (parallel test files share it).
exec 9>"$cache_root/.lock"
flock 9

if [[ ! -f $rootfs ]]; then
  log "building Debian $suite rootfs with mmdebstrap (key $key): $(echo $packages | tr '\n' ' ')"
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
  log "importing rootfs as an image (gzip layer, docker format)"
  start=$SECONDS
  work=$(mktemp -d "${TMPDIR:-/tmp}/e2e-base.XXXXXX")
  trap 'buildah --root "$work/root" --runroot "$work/run" rm -a >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
  b=(buildah --root "$work/root" --runroot "$work/run" --storage-driver vfs)
  ctr=$("${b[@]}" from --quiet scratch)
  "${b[@]}" add --quiet "$ctr" "$rootfs" / >/dev/null
  env_args=()
  for e in "${image_env[@]}"; do env_args+=(--env "$e"); done
  "${b[@]}" config "${env_args[@]}" --cmd /bin/bash --workingdir / \
    --label org.opencontainers.image.title="create-mlops-project e2e stand-in base ($suite)" "$ctr"
  "${b[@]}" commit --quiet --format docker --rm "$ctr" e2e-standin-base:latest >/dev/null
  rm -rf "$image.tmp"
  "${b[@]}" push --quiet --format v2s2 --compression-format gzip \
    e2e-standin-base:latest "dir:$image.tmp" >&2
  rm -rf "$image"
  mv "$image.tmp" "$image"
  log "image ready in $((SECONDS - start)) s: $(du -sh "$image" | cut -f1)"
fi

echo "$image"
