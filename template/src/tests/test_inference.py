"""Tests of batch inference."""

import pandas as pd
import pytest

from mlops_template_pkg.data_prep import FEATURES, TARGET
from mlops_template_pkg.inference import predict_frame, run_batch_inference
from mlops_template_pkg.modeling import load_model


def test_predict_frame_adds_columns(trained, data_paths):
    """Predictions are species names with probabilities, extra columns are kept."""
    model = load_model(trained["model_path"])
    frame = pd.read_csv(data_paths["test"])
    result = predict_frame(model, frame)
    assert list(result.columns) == [*FEATURES, TARGET, "prediction", "probability"]
    assert set(result["prediction"]) <= {"setosa", "versicolor", "virginica"}
    assert result["probability"].between(1 / 3, 1).all()
    assert (result["prediction"] == result[TARGET]).mean() >= 0.9


def test_predict_frame_reorders_and_rejects_missing(trained):
    """Feature columns may come in any order; missing ones are an error."""
    model = load_model(trained["model_path"])
    row = {"petal_width_cm": 0.2, "petal_length_cm": 1.4, "sepal_width_cm": 3.5,
           "sepal_length_cm": 5.1}
    assert predict_frame(model, pd.DataFrame([row]))["prediction"].tolist() == ["setosa"]
    del row["petal_width_cm"]
    with pytest.raises(ValueError, match="petal_width_cm"):
        predict_frame(model, pd.DataFrame([row]))


def test_predict_empty_frame(trained):
    """An empty input gives an empty output with the prediction columns."""
    model = load_model(trained["model_path"])
    result = predict_frame(model, pd.DataFrame(columns=list(FEATURES)))
    assert result.empty and "prediction" in result.columns


def test_run_batch_inference_writes_csv(trained, data_paths, tmp_path):
    """run_batch_inference writes one prediction per input row."""
    output = tmp_path / "out" / "predictions.csv"
    cfg = {"model_path": str(trained["model_path"]), "input_path": str(data_paths["test"]),
           "output_path": str(output)}
    assert run_batch_inference(cfg) == output
    written = pd.read_csv(output)
    assert len(written) == len(pd.read_csv(data_paths["test"]))
    assert written["prediction"].notna().all()


def test_run_batch_inference_missing_input(trained, tmp_path):
    """A missing input file raises FileNotFoundError."""
    cfg = {"model_path": str(trained["model_path"]), "input_path": str(tmp_path / "none.csv"),
           "output_path": str(tmp_path / "p.csv")}
    with pytest.raises(FileNotFoundError, match="none.csv"):
        run_batch_inference(cfg)
