"""Shared fixtures: prepared data and a trained model, written under pytest's tmp dirs."""

from pathlib import Path

import pytest

from mlops_template_pkg.config import load_config
from mlops_template_pkg.data_prep import prepare_data
from mlops_template_pkg.modeling import run_training


@pytest.fixture(name="data_paths", scope="session")
def fixture_data_paths(tmp_path_factory):
    """Run data preparation once into a temporary directory; return the written paths."""
    root = tmp_path_factory.mktemp("data")
    cfg = load_config("process_data")
    cfg["raw_path"] = str(root / "raw" / "iris.csv")
    cfg["processed_dir"] = str(root / "processed")
    return prepare_data(cfg)


@pytest.fixture(name="trained", scope="session")
def fixture_trained(data_paths, tmp_path_factory):
    """Train once on the prepared data; return the config, metrics and output paths."""
    root = tmp_path_factory.mktemp("model")
    cfg = load_config("train_model")
    cfg["data"]["train_path"] = str(data_paths["train"])
    cfg["data"]["test_path"] = str(data_paths["test"])
    cfg["output"]["model_path"] = str(root / "model.joblib")
    cfg["output"]["metrics_path"] = str(root / "metrics.json")
    metrics = run_training(cfg)
    return {
        "cfg": cfg,
        "metrics": metrics,
        "model_path": Path(cfg["output"]["model_path"]),
        "metrics_path": Path(cfg["output"]["metrics_path"]),
    }


@pytest.fixture(autouse=True)
def fixture_no_study_from_the_environment(monkeypatch):
    """Tuning tests use their own SQLite files, never a study that the environment points to."""
    monkeypatch.delenv("OPTUNA_STORAGE", raising=False)
    monkeypatch.delenv("JOB_COMPLETION_INDEX", raising=False)
