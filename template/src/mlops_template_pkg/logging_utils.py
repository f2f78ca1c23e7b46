"""Configure logging from ``conf/logging.yaml``."""

import logging
import logging.config
from pathlib import Path
from typing import Optional, Union

import yaml

from .config import CONF_DIR

DEFAULT_LOGGING_CONFIG = CONF_DIR / "logging.yaml"
DEFAULT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def setup_logging(
    config_path: Optional[Union[str, Path]] = None,
    level: Optional[Union[int, str]] = None,
) -> bool:
    """Configure logging with a ``logging.config.dictConfig`` YAML file.

    Falls back to ``logging.basicConfig`` when the file is missing or invalid,
    so that a broken logging config never stops a job.

    Args:
        config_path: the YAML file; ``conf/logging.yaml`` by default.
        level: if given (for example ``"DEBUG"``), the level of the root logger.

    Returns:
        True if the file was applied, False if the fallback was used.
    """
    path = Path(config_path) if config_path else DEFAULT_LOGGING_CONFIG
    applied = False
    try:
        with path.open(encoding="utf-8") as stream:
            logging.config.dictConfig(yaml.safe_load(stream))
        applied = True
    except (OSError, yaml.YAMLError, ValueError, TypeError, AttributeError) as exc:
        logging.basicConfig(level=logging.INFO, format=DEFAULT_FORMAT)
        logging.getLogger(__name__).warning(
            "Cannot apply logging config %s (%s); using basic logging.", path, exc
        )
    if level:
        try:
            logging.getLogger().setLevel(level.upper() if isinstance(level, str) else level)
        except ValueError:
            logging.getLogger(__name__).warning("Ignoring unknown log level %r.", level)
    return applied
