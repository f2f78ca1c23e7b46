"""Model training and evaluation: a scikit-learn pipeline saved with joblib."""

import json
import logging
import os
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Dict, Iterator, Mapping, Optional, Tuple, Union

import joblib
import pandas as pd
import yaml
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from .config import ConfigError

logger = logging.getLogger(__name__)


class ModelQualityError(RuntimeError):
    """The trained model scored below the configured minimum accuracy."""


def build_pipeline(C: float = 1.0, max_iter: int = 100) -> Pipeline:  # pylint: disable=invalid-name
    """Return an unfitted pipeline: standard scaling then logistic regression."""
    return Pipeline(
        steps=[
            ("scaler", StandardScaler()),
            ("classifier", LogisticRegression(C=C, max_iter=max_iter)),
        ]
    )


def pipeline_from_params(params: Mapping[str, Any]) -> Pipeline:
    """Return an unfitted pipeline with the hyperparameters of a ``train`` config section."""
    return build_pipeline(C=float(params["C"]), max_iter=int(params["max_iter"]))


def split_features_target(frame: pd.DataFrame, target: str) -> Tuple[pd.DataFrame, pd.Series]:
    """Split a frame into its feature columns and its target column."""
    if target not in frame.columns:
        raise ValueError(f"target column {target!r} not found in {list(frame.columns)}")
    return frame.drop(columns=[target]), frame[target]


def train_model(train: pd.DataFrame, target: str, params: Mapping[str, Any]) -> Pipeline:
    """Fit the pipeline on ``train`` with the hyperparameters in ``params``."""
    features, labels = split_features_target(train, target)
    model = pipeline_from_params(params)
    model.fit(features, labels)
    logger.info("Trained on %d rows with %d features.", len(features), features.shape[1])
    return model


def evaluate_model(model: Pipeline, test: pd.DataFrame, target: str) -> Dict[str, Any]:
    """Score ``model`` on ``test`` and return JSON-serialisable metrics."""
    features, labels = split_features_target(test, target)
    predicted = model.predict(features)
    classes = [str(label) for label in model.classes_]
    precision, recall, f1_score, _ = precision_recall_fscore_support(
        labels, predicted, average="macro", zero_division=0
    )
    return {
        "accuracy": float(accuracy_score(labels, predicted)),
        "precision_macro": float(precision),
        "recall_macro": float(recall),
        "f1_macro": float(f1_score),
        "n_samples": int(len(labels)),
        "labels": classes,
        "confusion_matrix": confusion_matrix(labels, predicted, labels=model.classes_).tolist(),
    }


@contextmanager
def replacing(path: Union[str, Path]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it over ``path`` once the block succeeds.

    Readers of ``path`` see the old file or the new one, never a partial
    write, and a failed write leaves the old file as it was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        yield temporary
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def save_model(model: Pipeline, path: Union[str, Path]) -> Path:
    """Save a fitted model with joblib (replacing any old file at once), creating the directory."""
    path = Path(path)
    with replacing(path) as temporary:
        joblib.dump(model, temporary)
    return path


def load_model(path: Union[str, Path]) -> Pipeline:
    """Load a model saved by :func:`save_model`."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"model file not found: {path}")
    return joblib.load(path)


def save_metrics(metrics: Mapping[str, Any], path: Union[str, Path]) -> Path:
    """Write metrics as indented JSON (replacing any old file at once), creating the directory."""
    path = Path(path)
    with replacing(path) as temporary:
        temporary.write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    return path


def rejected_path(path: Union[str, Path]) -> Path:
    """Where the metrics of a model that failed the quality gate go: ``metrics.rejected.json``."""
    path = Path(path)
    return path.with_name(f"{path.stem}.rejected{path.suffix}")


def load_params_file(path: Union[str, Path], allowed: Mapping[str, Any]) -> Dict[str, Any]:
    """Read a YAML mapping of hyperparameters (``tune_model.py`` writes one).

    Every key must be one of ``allowed`` (the ``train`` section), so that a
    file for another model fails loudly instead of being half used.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"params file not found: {path} (run `python src/tune_model.py` to write one)"
        )
    try:
        with path.open(encoding="utf-8") as stream:
            params = yaml.safe_load(stream)
    except yaml.YAMLError as exc:
        raise ConfigError(f"cannot parse {path}: {exc}") from exc
    if not isinstance(params, dict) or not params:
        raise ConfigError(f"{path} must hold a mapping of hyperparameters")
    unknown = sorted(str(key) for key in params if key not in allowed)
    if unknown:
        raise ConfigError(
            f"{path}: {', '.join(unknown)} not in the train section ({', '.join(allowed)})"
        )
    return params


def training_params(cfg: Mapping[str, Any]) -> Dict[str, Any]:
    """The hyperparameters of a run: ``train``, updated with those of ``params_file`` if set."""
    params = dict(cfg["train"])
    params_file: Optional[str] = cfg.get("params_file")
    if params_file:
        loaded = load_params_file(params_file, params)
        logger.info("Hyperparameters from %s: %s", params_file, loaded)
        params.update(loaded)
    return params


def run_training(cfg: Mapping[str, Any]) -> Dict[str, Any]:
    """Train, evaluate and save, as configured in ``conf/train_model.yaml``.

    Returns the metrics. The quality gate comes before saving: when test
    accuracy is below ``evaluation.min_accuracy`` the model and metrics in
    place are left as they were, the new metrics go to
    ``metrics.rejected.json`` beside them, and :class:`ModelQualityError` is
    raised.
    """
    data, output = cfg["data"], cfg["output"]
    target = data["target"]
    for key in ("train_path", "test_path"):
        if not Path(data[key]).is_file():
            raise FileNotFoundError(
                f"{data[key]} not found: run `python src/process_data.py` first"
            )
    params = training_params(cfg)
    model = train_model(pd.read_csv(data["train_path"]), target, params)
    metrics = evaluate_model(model, pd.read_csv(data["test_path"]), target)
    metrics["params"] = params

    rejected = rejected_path(output["metrics_path"])
    min_accuracy = cfg["evaluation"]["min_accuracy"]
    if min_accuracy is not None and metrics["accuracy"] < float(min_accuracy):
        save_metrics(metrics, rejected)
        raise ModelQualityError(
            f"test accuracy {metrics['accuracy']:.3f} is below the minimum {min_accuracy}: "
            f"{output['model_path']} was not replaced (the new model's metrics are in {rejected})"
        )

    save_model(model, output["model_path"])
    save_metrics(metrics, output["metrics_path"])
    rejected.unlink(missing_ok=True)
    logger.info("Saved the model to %s and metrics to %s (accuracy %.3f).",
                output["model_path"], output["metrics_path"], metrics["accuracy"])
    return metrics
