"""Check generated repos the way their own tools read them (test/support/fuzz.ts).

`--dependency-modules REPO` prints what REPO's requirements install, by
import name. Else stdin: a JSON list of directories; stdout: a JSON map, for each directory,
of {"problems": [...], "values": {...}}: every .py file compiled with
py_compile, every .toml read with tomllib, every .yml/.yaml read with PyYAML
(the YAML 1.1 reader mkdocs uses), and the values the answers should have
become (pyproject's name, description and authors, mkdocs.yml's site_*).
"""
import importlib.metadata
import json
import os
import re
import py_compile
import sys
import tempfile
import tomllib

import yaml


def normalized(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def dependency_modules(root):
    """The import names of what requirements.txt and dev-requirements.txt install (as installed here)."""
    wanted = set()
    for name in ("requirements.txt", "dev-requirements.txt"):
        path = os.path.join(root, name)
        if not os.path.exists(path):
            continue
        for line in open(path, encoding="utf-8"):
            match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", line.split("#")[0])
            if match and not line.lstrip().startswith("-"):
                wanted.add(normalized(match.group(1)))
    return {module for module, dists in PACKAGES.items() if any(normalized(d) in wanted for d in dists)}


PACKAGES = importlib.metadata.packages_distributions()


def shadowing(root):
    """The repo's package, if it would shadow a standard module or a dependency's (src/ is first on the path)."""
    problems = []
    src = os.path.join(root, "src")
    for name in sorted(os.listdir(src)) if os.path.isdir(src) else []:
        if name == "tests" or not os.path.exists(os.path.join(src, name, "__init__.py")):
            continue
        if name in sys.stdlib_module_names:
            problems.append(f"src/{name}: the package shadows the standard module {name}")
        if name in dependency_modules(root):
            problems.append(f"src/{name}: the package shadows the module {name} of a dependency")
    return problems


def check(root, cache):
    problems, values = shadowing(root), {}
    for folder, _dirs, files in os.walk(root):
        for name in files:
            path = os.path.join(folder, name)
            rel = os.path.relpath(path, root)
            try:
                if name.endswith(".py"):
                    py_compile.compile(path, cfile=os.path.join(cache, "x.pyc"), doraise=True)
                elif name.endswith(".toml"):
                    with open(path, "rb") as f:
                        data = tomllib.load(f)
                    if rel == "pyproject.toml":
                        project = data["project"]
                        values["pyproject"] = {
                            "name": project["name"],
                            "description": project.get("description"),
                            "authors": project.get("authors"),
                        }
                elif name.endswith((".yml", ".yaml")):
                    with open(path, encoding="utf-8") as f:
                        # GitLab's !reference tags: read them as plain lists.
                        loader = type("L", (yaml.SafeLoader,), {})
                        loader.add_constructor("!reference", lambda l, n: l.construct_sequence(n))
                        data = yaml.load(f, Loader=loader)
                    if rel == "mkdocs.yml":
                        values["mkdocs"] = {k: data.get(k) for k in ("site_name", "site_description", "site_author")}
                    if rel == ".gitlab-ci.yml":
                        registry = data["variables"]["IMAGE_REGISTRY"]
                        values["gitlab"] = {
                            "tags": data["default"]["tags"],
                            "registry": registry["value"] if isinstance(registry, dict) else registry,
                        }
            except Exception as error:  # noqa: BLE001 - every failure is a finding
                problems.append(f"{rel}: {type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}")
    return {"problems": problems, "values": values}


def main():
    if sys.argv[1:2] == ["--dependency-modules"]:
        json.dump(sorted(dependency_modules(sys.argv[2])), sys.stdout)
        return
    dirs = json.load(sys.stdin)
    with tempfile.TemporaryDirectory() as cache:
        json.dump({d: check(d, cache) for d in dirs}, sys.stdout)


if __name__ == "__main__":
    main()
