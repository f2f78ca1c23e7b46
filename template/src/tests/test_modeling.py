"""Tests of training and evaluation."""

import json

import pandas as pd
import pytest

from mlops_template_pkg.config import ConfigError
from mlops_template_pkg.data_prep import TARGET
from mlops_template_pkg.modeling import (
    ModelQualityError,
    build_pipeline,
    evaluate_model,
    load_model,
    load_params_file,
    replacing,
    run_training,
    split_features_target,
    training_params,
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


def test_quality_gate_keeps_the_model_in_place(trained, tmp_path):
    """A model below the minimum accuracy replaces nothing: the old files stay byte for byte."""
    output = {"model_path": str(tmp_path / "m.joblib"),
              "metrics_path": str(tmp_path / "metrics.json")}
    run_training({**trained["cfg"], "output": output})
    model_before = (tmp_path / "m.joblib").read_bytes()
    metrics_before = (tmp_path / "metrics.json").read_bytes()

    rejected = {**trained["cfg"], "output": output, "train": {"C": 0.001, "max_iter": 100},
                "evaluation": {"min_accuracy": 0.99}}
    with pytest.raises(ModelQualityError) as caught:
        run_training(rejected)
    message = str(caught.value)
    assert "\n" not in message
    assert "below the minimum 0.99" in message and "m.joblib was not replaced" in message
    assert (tmp_path / "m.joblib").read_bytes() == model_before
    assert (tmp_path / "metrics.json").read_bytes() == metrics_before
    # The rejected model's metrics are kept beside them for inspection, and no temporary file.
    saved = json.loads((tmp_path / "metrics.rejected.json").read_text(encoding="utf-8"))
    assert saved["accuracy"] < 0.99 and saved["params"] == {"C": 0.001, "max_iter": 100}
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "m.joblib", "metrics.json", "metrics.rejected.json"]

    # A later model that passes replaces both files and clears the rejected metrics.
    run_training({**trained["cfg"], "output": output, "train": {"C": 0.5, "max_iter": 100}})
    assert (tmp_path / "m.joblib").read_bytes() != model_before
    assert not (tmp_path / "metrics.rejected.json").exists()


def test_quality_gate_without_model_in_place(trained, tmp_path):
    """A first model that fails the gate is not saved at all."""
    cfg = {
        **trained["cfg"],
        "output": {"model_path": str(tmp_path / "m.joblib"),
                   "metrics_path": str(tmp_path / "metrics.json")},
        "evaluation": {"min_accuracy": 1.01},
    }
    with pytest.raises(ModelQualityError, match="below the minimum 1.01"):
        run_training(cfg)
    assert not (tmp_path / "m.joblib").exists()
    assert (tmp_path / "metrics.rejected.json").is_file()


def test_failed_write_keeps_the_old_file(tmp_path):
    """replacing() renames only after the block succeeds; a failure leaves the old file."""
    path = tmp_path / "out.txt"
    path.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError):
        with replacing(path) as temporary:
            temporary.write_text("half", encoding="utf-8")
            raise RuntimeError("disk full")
    assert path.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_params_file_replaces_train_values(trained, tmp_path):
    """params_file's values win over the train section; the others are kept."""
    params = tmp_path / "best.yaml"
    params.write_text("# from a study\nC: 0.25\n", encoding="utf-8")
    cfg = {**trained["cfg"], "params_file": str(params)}
    assert training_params(cfg) == {"C": 0.25, "max_iter": 100}
    cfg["output"] = {"model_path": str(tmp_path / "m.joblib"),
                     "metrics_path": str(tmp_path / "metrics.json")}
    assert run_training(cfg)["params"] == {"C": 0.25, "max_iter": 100}
    assert load_model(tmp_path / "m.joblib").named_steps["classifier"].C == 0.25


@pytest.mark.parametrize(
    "text, error, match",
    [
        ("C: 0.5\npenalty: l1\n", ConfigError, "penalty not in the train section"),
        ("- 0.5\n", ConfigError, "mapping"),
        ("C: [0.5\n", ConfigError, "cannot parse"),
        (None, FileNotFoundError, "tune_model.py"),
    ],
    ids=["unknown-key", "not-a-mapping", "not-yaml", "missing"],
)
def test_bad_params_file(tmp_path, text, error, match):
    """A params file that does not fit the train section fails before training."""
    path = tmp_path / "best.yaml"
    if text is not None:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(error, match=match):
        load_params_file(path, {"C": 1.0, "max_iter": 100})


def test_training_without_data_explains(tmp_path, trained):
    """Missing processed data points the user at process_data.py."""
    data = {**trained["cfg"]["data"], "train_path": str(tmp_path / "x.csv")}
    cfg = {**trained["cfg"], "data": data}
    with pytest.raises(FileNotFoundError, match="process_data.py"):
        run_training(cfg)
