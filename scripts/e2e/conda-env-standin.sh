#!/usr/bin/env bash
# E2E STAND-IN for the conda env job's script (conda channels and PyPI are out
# of reach here). The harness's overlay CI file (.gitlab-ci-e2e.yml, written
# into the clone) includes the generated pipeline and replaces ONLY that job's
# script with a call to this file:
#
#   conda-env-standin.sh ENV_FILE PREFIX -- [PIP_ARGS...]
#
# ENV_FILE and PREFIX are the `--file`/`--prefix` of the job's own
# `conda env create`, PIP_ARGS the arguments of its own `pip install`s.
# It builds PREFIX as
#   /usr/bin/python3 -m venv --system-site-packages --without-pip PREFIX
# (Debian's python3 and python3-* packages instead of conda's python and
# PyPI wheels), then installs ENV_FILE's `pip:` entries and PIP_ARGS with
#   PREFIX/bin/python -m pip install --no-index --no-deps --no-build-isolation
# so every direct requirement must already be satisfied by a Debian package;
# transitive pins are NOT checked (--no-deps), and the conda dependencies of
# ENV_FILE (python=3.12, pip, ...) are listed, not installed: Python is
# Debian's 3.11. A `conda-meta/` folder marks PREFIX as an environment.
# Debian's mkdocs-material keeps its metadata in /usr/share/mkdocs/themes,
# outside sys.path: a .pth file in the venv makes pip see it (8.2.5).
set -euo pipefail

env_file=$1 prefix=$2
shift 2
[[ ${1:-} == -- ]] && shift

echo "E2E STAND-IN: conda env from Debian packages: venv --system-site-packages at $prefix"
[[ -f $env_file ]] || { echo "conda env file $env_file not found" >&2; exit 1; }

mapfile -t pip_from_env < <(/usr/bin/python3 - "$env_file" <<'EOF'
import os, sys, yaml
path = sys.argv[1]
spec = yaml.safe_load(open(path)) or {}
base = os.path.dirname(path) or "."
conda_deps = []
for dep in spec.get("dependencies") or []:
    if isinstance(dep, dict) and "pip" in dep:
        for entry in dep["pip"] or []:
            entry = str(entry).strip()
            for flag in ("-r ", "--requirement ", "-c ", "--constraint "):
                if entry.startswith(flag):
                    entry = flag.strip() + "\n" + os.path.join(base, entry[len(flag):].strip())
            print(entry)
    else:
        conda_deps.append(str(dep))
print("conda dependencies NOT installed (stand-in uses Debian's python3 %d.%d): %s"
      % (sys.version_info[0], sys.version_info[1], ", ".join(conda_deps) or "none"), file=sys.stderr)
EOF
)
args=()
for e in "${pip_from_env[@]}"; do
  while IFS= read -r w; do args+=("$w"); done <<<"$e"
done
args+=("$@")

rm -rf "$prefix"
/usr/bin/python3 -m venv --system-site-packages --without-pip "$prefix"
mkdir -p "$prefix/conda-meta"
echo "# e2e stand-in: venv --system-site-packages from Debian's python3" >"$prefix/conda-meta/history"
if [[ -d /usr/share/mkdocs/themes ]]; then
  site=$("$prefix/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
  echo /usr/share/mkdocs/themes >"$site/e2e-debian-mkdocs-themes.pth"
fi

if [[ ${#args[@]} -gt 0 ]]; then
  echo "E2E STAND-IN: pip install --no-index --no-deps ${args[*]}  (transitive pins not checked)"
  env -u PIP_FIND_LINKS "$prefix/bin/python" -m pip install --no-index --no-deps --no-build-isolation \
    --disable-pip-version-check "${args[@]}"
fi
"$prefix/bin/python" -c 'import sys; print("environment ready:", sys.prefix, "python", sys.version.split()[0])'
