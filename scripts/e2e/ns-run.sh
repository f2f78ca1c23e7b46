#!/usr/bin/env bash
# Run a command in a private mount namespace whose root is a tmpfs that
# re-binds every top-level entry of the real root, plus a few private folders
# the jobs write to as root on a real runner:
#   /kaniko                     the job writes /kaniko/.docker/config.json and
#                               calls /kaniko/executor (our adapter is put there)
#   /var/lib/containers         buildah's default storage and blob-info cache
#   /etc/containers/networks    netavark's lock file
#   /run/containers             buildah's run root and `buildah login` auth.json
#   /etc/containers/registries.conf(.d)  the e2e mirror and insecure registries
#   /root/.docker               where jobs may write a docker config for crane
#   /tmp                        a job's own /tmp on GitLab (DOCKER_CONFIG=/tmp/.docker);
#                               RUN_DIR is bound back at its own path inside it
#   /builds                     where each job's checkout is bound at its
#                               CI_PROJECT_DIR (/builds/<group>/<project>, adapters/job-shell)
# None of these paths is created or changed on the host: a missing folder is
# made inside the tmpfs root (or a tmpfs laid over its parent inside the
# namespace). Everything else is the host's own file system, as before.
#
# Usage (as root): unshare --mount --propagation private -- \
#          ns-run.sh RUN_DIR WORK_DIR -- COMMAND [ARGS...]
# RUN_DIR/priv/* holds the private folders (created here if missing);
# RUN_DIR/registries.conf must exist.
set -euo pipefail

run_dir=$1 work_dir=$2
shift 2
[[ ${1:-} == -- ]] && shift

root="$run_dir/ns-root"
mkdir -p "$root"
mount -t tmpfs -o mode=0755 e2e-ns-root "$root"

# graft SRC DST: make every entry of SRC appear at DST (DST is on a tmpfs).
graft() {
  local src=$1 dst=$2 e name
  shopt -s dotglob nullglob
  for e in "$src"/*; do
    name=${e##*/}
    if [[ -L $e ]]; then
      cp -P "$e" "$dst/$name"
    elif [[ -d $e ]]; then
      mkdir -p "$dst/$name"
      mount --rbind "$e" "$dst/$name"
    else
      : >"$dst/$name"
      mount --bind "$e" "$dst/$name"
    fi
  done
  shopt -u dotglob nullglob
}

# ensure_dir PATH: make PATH exist inside the namespace root without writing
# to the host: lay a tmpfs over its parent that re-binds the parent's entries.
declare -A grafted=([/]=1)
ensure_dir() {
  local p=$1 parent
  [[ -d $root$p ]] && return 0
  parent=$(dirname "$p")
  ensure_dir "$parent"
  if [[ -z ${grafted[$parent]:-} ]]; then
    mount -t tmpfs -o mode=0755 e2e-ns-graft "$root$parent"
    graft "$parent" "$root$parent"
    grafted[$parent]=1
  fi
  mkdir -p "$root$p"
}

# private PATH SRC_DIR: bind SRC_DIR over PATH inside the namespace.
private() {
  local p=$1 src=$2
  mkdir -p "$src"
  ensure_dir "$p"
  mount --bind "$src" "$root$p"
}

graft / "$root"
private /kaniko "$run_dir/priv/kaniko"
private /var/lib/containers "$run_dir/priv/var-lib-containers"
private /etc/containers/networks "$run_dir/priv/etc-containers-networks"
private /run/containers "$run_dir/priv/run-containers"
private /etc/containers/registries.conf.d "$run_dir/priv/registries.conf.d"
private /root/.docker "$run_dir/priv/root-docker"
private /tmp "$run_dir/priv/tmp"
private /builds "$run_dir/priv/builds"
chmod 1777 "$run_dir/priv/tmp"
# Folders under /tmp that stay visible at their own path inside the private
# /tmp: the run folder, and this tool's checkout (its scripts and
# node_modules) when it lives under /tmp, as a CI clone may.
for keep in "$run_dir" ${E2E_TOOL_ROOT:+"$E2E_TOOL_ROOT"}; do
  if [[ $keep == /tmp/* ]]; then
    mkdir -p "$root$keep"
    mount --bind "$keep" "$root$keep"
  fi
done
if [[ -e $root/etc/containers/registries.conf ]]; then
  mount --bind "$run_dir/registries.conf" "$root/etc/containers/registries.conf"
else
  ensure_dir /etc/containers
  cp "$run_dir/registries.conf" "$root/etc/containers/registries.conf"
fi

exec chroot "$root" /bin/bash -c 'cd "$1" && shift && exec "$@"' ns-run "$work_dir" "$@"
