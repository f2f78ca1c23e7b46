"""End-to-end tests of the entry points in src/, run in a temporary directory."""

import json

import joblib
import pandas as pd
import pytest
import yaml

import batch_infer
import process_data
import train_model
import tune_model


@pytest.fixture(name="workdir")
def fixture_workdir(tmp_path, monkeypatch):
    """Run in an empty directory, so that the configs' relative paths land there."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_data_model_predictions_in_sequence(workdir):
    """process_data -> train_model (with an override) -> batch_infer, with default paths."""
    assert process_data.main(["split.seed=7"]) == 0
    assert (workdir / "data" / "processed" / "train.csv").is_file()

    assert train_model.main(["train.max_iter=200"]) == 0
    model = joblib.load(workdir / "models" / "model.joblib")
    assert model.named_steps["classifier"].max_iter == 200
    metrics = json.loads((workdir / "models" / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["accuracy"] >= 0.9 and metrics["params"]["max_iter"] == 200

    assert batch_infer.main(["output_path=outputs/preds.csv"]) == 0
    predictions = pd.read_csv(workdir / "outputs" / "preds.csv")
    assert len(predictions) == len(pd.read_csv(workdir / "data" / "processed" / "test.csv"))


def test_bad_override_exits_2(workdir):
    """A misspelt key is a usage error (exit code 2) and writes nothing."""
    assert train_model.main(["train.max_iters=200"]) == 2
    assert not (workdir / "models").exists()


def test_missing_inputs_exit_1(workdir):
    """Training before data preparation fails with exit code 1."""
    assert train_model.main([]) == 1
    assert batch_infer.main([]) == 1
    assert not (workdir / "outputs").exists()


def test_quality_gate_exits_1_and_keeps_the_served_model(workdir, capsys):
    """A model below the minimum accuracy exits 1, says why in one line, replaces nothing."""
    assert process_data.main([]) == 0
    assert train_model.main([]) == 0
    served = (workdir / "models" / "model.joblib").read_bytes()
    capsys.readouterr()

    assert train_model.main(["train.C=0.001", "evaluation.min_accuracy=0.99"]) == 1
    errors = [line for line in capsys.readouterr().err.splitlines() if " ERROR " in line]
    assert len(errors) == 1
    assert "train_model failed: test accuracy" in errors[0]
    assert "below the minimum 0.99: models/model.joblib was not replaced" in errors[0]
    assert (workdir / "models" / "model.joblib").read_bytes() == served


def test_tuned_params_reach_training(workdir):
    """tune_model writes the best hyperparameters; train_model params_file=... trains with them."""
    assert process_data.main([]) == 0
    assert tune_model.main(["study.n_trials=4"]) == 0
    best = yaml.safe_load((workdir / "models" / "best_params.yaml").read_text(encoding="utf-8"))
    assert set(best) == {"C", "max_iter"}
    assert (workdir / "models" / "optuna.db").is_file()

    assert train_model.main(["params_file=models/best_params.yaml"]) == 0
    classifier = joblib.load(workdir / "models" / "model.joblib").named_steps["classifier"]
    assert (classifier.C, classifier.max_iter) == (best["C"], best["max_iter"])
    metrics = json.loads((workdir / "models" / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["params"] == best


def test_bad_params_file_exits_2(workdir):
    """A params file with a key that train does not have is a configuration error."""
    assert process_data.main([]) == 0
    (workdir / "other.yaml").write_text("n_estimators: 100\n", encoding="utf-8")
    assert train_model.main(["params_file=other.yaml"]) == 2
    assert not (workdir / "models").exists()


def test_tune_before_data_exits_1(workdir):
    """Tuning before data preparation fails with exit code 1 and opens no study."""
    assert tune_model.main(["study.n_trials=1"]) == 1
    assert not (workdir / "models").exists()


def test_help(capsys):
    """--help prints the usage and the current configuration."""
    assert batch_infer.main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "usage: python src/batch_infer.py" in out
    assert "output_path: outputs/predictions.csv" in out
