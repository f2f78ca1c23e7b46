"""Batch inference: add predictions to the rows of a CSV file."""

import logging
from pathlib import Path
from typing import Any, List, Mapping

import pandas as pd
from sklearn.pipeline import Pipeline

from .modeling import load_model

logger = logging.getLogger(__name__)

PREDICTION_COLUMN = "prediction"
PROBABILITY_COLUMN = "probability"


def feature_names(model: Pipeline) -> List[str]:
    """Return the feature columns that ``model`` was fitted on, in order."""
    return [str(name) for name in model.feature_names_in_]


def predict_frame(model: Pipeline, frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with a ``prediction`` and a ``probability`` column added.

    Extra columns (an id, or the true label) are kept as they are; missing
    feature columns raise ``ValueError``.
    """
    features = feature_names(model)
    missing = [name for name in features if name not in frame.columns]
    if missing:
        raise ValueError(f"missing feature columns: {missing}")
    result = frame.copy()
    if frame.empty:
        result[PREDICTION_COLUMN] = pd.Series(dtype=str)
        result[PROBABILITY_COLUMN] = pd.Series(dtype=float)
        return result
    result[PREDICTION_COLUMN] = model.predict(frame[features])
    result[PROBABILITY_COLUMN] = model.predict_proba(frame[features]).max(axis=1)
    return result


def run_batch_inference(cfg: Mapping[str, Any]) -> Path:
    """Predict every row of ``input_path`` into ``output_path`` (see ``conf/batch_infer.yaml``)."""
    input_path, output_path = Path(cfg["input_path"]), Path(cfg["output_path"])
    model = load_model(cfg["model_path"])
    if not input_path.is_file():
        raise FileNotFoundError(f"input file not found: {input_path}")
    predictions = predict_frame(model, pd.read_csv(input_path))
    output_path.parent.mkdir(parents=True, exist_ok=True)
    predictions.to_csv(output_path, index=False, float_format="%.6g")
    logger.info("Wrote %d predictions to %s.", len(predictions), output_path)
    return output_path
