"""Tests of training and evaluation."""

import json

import pandas as pd
import pytest

from mlops_template_pkg.data_prep import TARGET
from mlops_template_pkg.modeling import (
    ModelQualityError,
    build_pipeline,
    evaluate_model,
    load_model,
    run_training,
    split_features_target,
)


def test_pipeline_steps():
    """The pipeline scales then classifies, with the given hyperparameters."""
    pipeline = build_pipeline(C=0.5, max_iter=123)
    assert [name for name, _ in pipeline.steps] == ["scaler", "classifier"]
    assert pipeline.named_steps["classifier"].C == 0.5
    assert pipeline.named_steps["classifier"].max_iter == 123


def test_split_features_target_needs_target():
    """Splitting a frame without the target column fails clearly."""
    with pytest.raises(ValueError, match="target column"):
        split_features_target(pd.DataFrame({"a": [1.0]}), TARGET)


def test_trained_model_is_accurate(trained):
    """The model beats a sane accuracy on the held-out split."""
    metrics = trained["metrics"]
    assert metrics["accuracy"] >= 0.9
    assert metrics["f1_macro"] >= 0.9
    assert metrics["labels"] == ["setosa", "versicolor", "virginica"]
    matrix = metrics["confusion_matrix"]
    assert sum(map(sum, matrix)) == metrics["n_samples"]


def test_metrics_file_matches(trained):
    """The metrics JSON holds the same numbers and the hyperparameters."""
    saved = json.loads(trained["metrics_path"].read_text(encoding="utf-8"))
    assert saved["accuracy"] == pytest.approx(trained["metrics"]["accuracy"])
    assert saved["params"] == {"C": 1.0, "max_iter": 100}


def test_saved_model_round_trip(trained, data_paths):
    """The saved model loads back and scores the same."""
    model = load_model(trained["model_path"])
    metrics = evaluate_model(model, pd.read_csv(data_paths["test"]), TARGET)
    assert metrics["accuracy"] == pytest.approx(trained["metrics"]["accuracy"])


def test_load_model_missing(tmp_path):
    """Loading a missing model raises FileNotFoundError."""
    with pytest.raises(FileNotFoundError):
        load_model(tmp_path / "absent.joblib")


def test_quality_gate_fails_below_minimum(trained, tmp_path):
    """A minimum accuracy above what the model reaches raises ModelQualityError."""
    cfg = {
        **trained["cfg"],
        "output": {
            "model_path": str(tmp_path / "m.joblib"),
            "metrics_path": str(tmp_path / "metrics.json"),
        },
        "evaluation": {"min_accuracy": 1.01},
    }
    with pytest.raises(ModelQualityError, match="below the minimum"):
        run_training(cfg)
    # The model and metrics are still saved for inspection.
    assert (tmp_path / "m.joblib").is_file()
    assert (tmp_path / "metrics.json").is_file()


def test_training_without_data_explains(tmp_path, trained):
    """Missing processed data points the user at process_data.py."""
    data = {**trained["cfg"]["data"], "train_path": str(tmp_path / "x.csv")}
    cfg = {**trained["cfg"], "data": data}
    with pytest.raises(FileNotFoundError, match="process_data.py"):
        run_training(cfg)
