#!/bin/sh
# Makes sure the project's conda environment is at $VENV_DIRECTORY, for the
# pipeline's Python jobs (.gitlab-ci.yml runs it before each of them) and
# for you (`VENV_DIRECTORY=$PWD/.conda-env sh ci/conda-env.sh`).
#
# GitLab's cache may bring the environment, or not: a runner without a
# shared cache, a new cache key, an expired cache, a merge request (its
# cache is not main's: protected and unprotected branches keep separate
# caches). So the environment is checked, not trusted: it is reused when
# its stamp file says it was made from the same mlops-template-repo-conda-env.yaml,
# requirements.txt and dev-requirements.txt as this checkout's, and made
# anew otherwise.
#
#   sh ci/conda-env.sh              reuse or create
#   sh ci/conda-env.sh --for-cache  the same, for the job that fills the cache
#                                   (build:conda-env): BUILD_CONDA=true forces
#                                   a new environment, and an environment
#                                   reused unchanged is deleted at the end so
#                                   that the runner has nothing to upload.
set -eu

env_file=mlops-template-repo-conda-env.yaml
prefix=${VENV_DIRECTORY:?"VENV_DIRECTORY is not set (the folder of the conda environment)"}
stamp_file="$prefix/.mlops-env-stamp"

for_cache=false
case ${1:-} in
  --for-cache) for_cache=true ;;
  '') ;;
  *) echo "conda-env: unknown option $1 (allowed: --for-cache)" >&2; exit 2 ;;
esac

# What the environment is made from: one sha256 over the three files.
wanted=$(cat "$env_file" requirements.txt dev-requirements.txt | sha256sum | cut -d ' ' -f 1)
found=$(cat "$stamp_file" 2>/dev/null || true)

reason=
if [ "$for_cache" = true ] && [ "${BUILD_CONDA:-}" = true ]; then
  reason="BUILD_CONDA is true"
elif [ ! -x "$prefix/bin/python" ]; then
  reason="the cache did not bring one"
elif [ "$found" != "$wanted" ]; then
  reason="$env_file, requirements.txt or dev-requirements.txt differ from the cached environment's"
fi

if [ -z "$reason" ]; then
  echo "conda-env: reusing the environment from the cache ($prefix)"
  if [ "$for_cache" = true ]; then
    # Nothing changed: leave nothing to archive, so the runner uploads
    # nothing ("Archive is up to date!"; "No files to cache." from runner
    # 18.11) and the cache keeps its archive. The jobs after this one
    # download the cache as it is.
    rm -rf "$prefix"
    echo "conda-env: unchanged: nothing for the cache to upload"
  fi
  exit 0
fi

echo "conda-env: creating the environment in $prefix (reason: $reason)"
rm -rf "$prefix"
conda env create --file "$env_file" --prefix "$prefix"
conda run -p "$prefix" --no-capture-output python -m pip install -r requirements.txt -r dev-requirements.txt
printf '%s\n' "$wanted" > "$stamp_file"
echo "conda-env: created $prefix"
