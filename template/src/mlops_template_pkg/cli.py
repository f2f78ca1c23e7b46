"""Shared command-line handling of the entry points in ``src/``."""

import logging
import os
import sys
from pathlib import Path
from typing import Any, Callable, Dict, Optional, Sequence

from .config import ConfigError, config_path, load_config, to_yaml
from .logging_utils import setup_logging
from .modeling import ModelQualityError

logger = logging.getLogger(__name__)

USAGE = """usage: python src/{script} [key=value ...]

Runs with conf/{name}.yaml; key=value arguments override its values
(nested keys with dots, e.g. a.b=1). LOG_LEVEL=DEBUG sets the log level.
Current configuration ({path}):

{config}"""


def run(
    name: str,
    task: Callable[[Dict[str, Any]], Any],
    argv: Optional[Sequence[str]] = None,
    conf_dir: Optional[Path] = None,
) -> int:
    """Load ``conf/<name>.yaml`` with the overrides in ``argv``, run ``task`` on it.

    Returns the process exit code: 0 on success, 1 when the task fails on its
    data, 2 on a usage or configuration error.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    if any(arg in ("-h", "--help") for arg in args):
        try:
            config_text = to_yaml(load_config(name, conf_dir=conf_dir))
        except ConfigError as exc:
            config_text = f"(cannot load: {exc})"
        print(USAGE.format(script=f"{name}.py", name=name,
                           path=config_path(name, conf_dir), config=config_text))
        return 0

    setup_logging(level=os.environ.get("LOG_LEVEL"))
    try:
        cfg = load_config(name, args, conf_dir=conf_dir)
    except ConfigError as exc:
        logger.error("%s", exc)
        return 2
    logger.info("Running %s with configuration:\n%s", name, to_yaml(cfg))
    try:
        task(cfg)
    except ConfigError as exc:
        logger.error("%s: %s", name, exc)
        return 2
    except (OSError, ValueError, KeyError, ModelQualityError) as exc:
        logger.error("%s failed: %s", name, exc)
        return 1
    return 0
