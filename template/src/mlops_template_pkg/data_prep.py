"""Data preparation: fetch the raw data, clean it and split it into train and test sets.

The raw data is the Iris data set that ships inside scikit-learn, so nothing
is downloaded. Replace :func:`load_source_data` to read your own data.
"""

import logging
import re
from pathlib import Path
from typing import Any, Dict, Mapping, Tuple

import pandas as pd
from sklearn.datasets import load_iris
from sklearn.model_selection import train_test_split

logger = logging.getLogger(__name__)

TARGET = "species"
FEATURES = ("sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm")


def clean_column_name(name: str) -> str:
    """Turn a column name such as ``"sepal length (cm)"`` into ``"sepal_length_cm"``."""
    return re.sub(r"[^0-9a-z]+", "_", name.strip().lower()).strip("_")


def load_source_data() -> pd.DataFrame:
    """Return the Iris data set as a frame: four feature columns and ``species`` names."""
    iris = load_iris(as_frame=True)
    # pylint cannot tell the Bunch from the (X, y) tuple that return_X_y=True gives.
    frame = iris.frame.rename(columns=clean_column_name)  # pylint: disable=no-member
    names = iris.target_names  # pylint: disable=no-member
    frame[TARGET] = [str(names[code]) for code in frame.pop("target")]
    return frame


def clean_dataset(frame: pd.DataFrame, target: str = TARGET) -> pd.DataFrame:
    """Normalise column names, drop rows with missing values and exact duplicates."""
    cleaned = frame.rename(columns=clean_column_name)
    if target not in cleaned.columns:
        raise ValueError(f"target column {target!r} not found in {list(cleaned.columns)}")
    before = len(cleaned)
    cleaned = cleaned.dropna().drop_duplicates().reset_index(drop=True)
    logger.info("Cleaning kept %d of %d rows.", len(cleaned), before)
    return cleaned


def split_dataset(
    frame: pd.DataFrame, target: str = TARGET, test_size: float = 0.25, seed: int = 42
) -> Tuple[pd.DataFrame, pd.DataFrame]:
    """Split into train and test frames, stratified on the target."""
    train, test = train_test_split(
        frame, test_size=test_size, random_state=seed, stratify=frame[target]
    )
    return train.reset_index(drop=True), test.reset_index(drop=True)


def prepare_data(cfg: Mapping[str, Any]) -> Dict[str, Path]:
    """Run data preparation as configured in ``conf/process_data.yaml``.

    Writes the raw snapshot to ``raw_path`` and ``train.csv`` and ``test.csv``
    to ``processed_dir``; returns their paths.
    """
    target = cfg["target"]
    raw_path = Path(cfg["raw_path"])
    processed_dir = Path(cfg["processed_dir"])

    raw = load_source_data()
    raw_path.parent.mkdir(parents=True, exist_ok=True)
    raw.to_csv(raw_path, index=False)
    logger.info("Wrote %d raw rows to %s.", len(raw), raw_path)

    cleaned = clean_dataset(pd.read_csv(raw_path), target)
    train, test = split_dataset(
        cleaned, target, test_size=cfg["split"]["test_size"], seed=cfg["split"]["seed"]
    )

    processed_dir.mkdir(parents=True, exist_ok=True)
    paths = {
        "raw": raw_path,
        "train": processed_dir / "train.csv",
        "test": processed_dir / "test.csv",
    }
    train.to_csv(paths["train"], index=False)
    test.to_csv(paths["test"], index=False)
    logger.info("Wrote %d train rows to %s and %d test rows to %s.",
                len(train), paths["train"], len(test), paths["test"])
    return paths
