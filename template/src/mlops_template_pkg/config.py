"""Load YAML configuration files and apply ``key=value`` overrides.

Each entry point in ``src/`` reads ``conf/<name>.yaml`` and accepts overrides
on the command line, for example::

    python src/train_model.py train.max_iter=200 train.C=0.5

Nested keys use dots. Values are parsed as YAML scalars, so ``200`` is an
integer, ``0.5`` a float, ``true`` a boolean and ``null`` is ``None``. Only
keys that already exist in the file can be overridden, so that a typo fails
loudly instead of being ignored.
"""

import re
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Union

import yaml
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

# <repo>/src/<package>/config.py -> <repo>/conf. When the package is installed
# elsewhere (pip install .), conf/ is looked up in the working directory.
_REPO_CONF_DIR = Path(__file__).resolve().parents[2] / "conf"
CONF_DIR = _REPO_CONF_DIR if _REPO_CONF_DIR.is_dir() else Path("conf")


# The password of a database URL such as postgresql://user:password@host/db.
_URL_PASSWORD = re.compile(r"(\b[a-z][a-z0-9+.-]*://[^:/@\s]*:)\S+@", re.IGNORECASE)


class ConfigError(ValueError):
    """A configuration file or a command-line override is invalid."""


def parse_overrides(args: Iterable[str]) -> List[str]:
    """Check that every argument has the form ``key=value`` and return them as a list."""
    overrides = []
    for arg in args:
        key, sep, _ = arg.partition("=")
        if not sep or not key.strip() or key != key.strip():
            raise ConfigError(f"expected an override of the form key=value, got {arg!r}")
        overrides.append(arg)
    return overrides


def config_path(name: Union[str, Path], conf_dir: Optional[Path] = None) -> Path:
    """Return the path of config ``name``: a file path, or a name looked up in ``conf_dir``."""
    path = Path(name)
    if path.suffix in (".yaml", ".yml"):
        return path
    return Path(conf_dir or CONF_DIR) / f"{name}.yaml"


def load_config(
    name: Union[str, Path],
    overrides: Iterable[str] = (),
    conf_dir: Optional[Path] = None,
) -> Dict[str, Any]:
    """Load a YAML config, apply ``key=value`` overrides and return it as a plain dict.

    Args:
        name: a config name such as ``"train_model"`` (read from ``conf_dir``,
            ``conf/`` by default) or the path of a ``.yaml`` file.
        overrides: ``key=value`` strings; nested keys are written with dots.
        conf_dir: the directory that holds the configs.

    Raises:
        ConfigError: the file is missing or invalid, or an override is
            malformed or names a key that the file does not have.
    """
    path = config_path(name, conf_dir)
    if not path.is_file():
        raise ConfigError(f"config file not found: {path}")
    try:
        base = OmegaConf.load(path)
    except (OmegaConfBaseException, yaml.YAMLError, ValueError) as exc:
        raise ConfigError(f"cannot parse {path}: {exc}") from exc
    if not isinstance(base, DictConfig):
        raise ConfigError(f"{path} must hold a mapping at the top level")

    dotlist = parse_overrides(overrides)
    # Struct mode makes merging a key that is not in the file an error.
    OmegaConf.set_struct(base, True)
    try:
        merged = OmegaConf.merge(base, OmegaConf.from_dotlist(dotlist))
        container = OmegaConf.to_container(merged, resolve=True)
    except OmegaConfBaseException as exc:
        detail = "; ".join(line.strip() for line in str(exc).splitlines() if line.strip())
        raise ConfigError(f"invalid override for {path.name}: {detail}") from exc
    if not isinstance(container, dict):  # pragma: no cover - guarded by the DictConfig check
        raise ConfigError(f"{path} must hold a mapping at the top level")
    return container


def redact(text: str) -> str:
    """Mask the passwords of URLs in ``text`` (``postgresql://user:***@host/db``)."""
    return _URL_PASSWORD.sub(r"\1***@", text)


def to_yaml(config: Dict[str, Any]) -> str:
    """Render a config as YAML, for logs and ``--help``; URL passwords are masked."""
    return redact(OmegaConf.to_yaml(OmegaConf.create(config)))
