"""Tests of the FastAPI service through its TestClient."""

import pytest
from fastapi.testclient import TestClient

from mlops_template_pkg import __version__
from mlops_template_pkg.data_prep import FEATURES
from mlops_template_pkg.schemas import IrisFeatures
from mlops_template_pkg.serve import app, create_app

SETOSA = dict(zip(FEATURES, (5.1, 3.5, 1.4, 0.2)))
VIRGINICA = dict(zip(FEATURES, (7.7, 3.0, 6.1, 2.3)))


@pytest.fixture(name="client")
def fixture_client(trained):
    """A client of an app that serves the trained model."""
    return TestClient(create_app(trained["model_path"]))


def test_module_level_app_exists():
    """uvicorn serves mlops_template_pkg.serve:app."""
    assert app.title and app.version == __version__


def test_request_fields_match_training_columns():
    """The API's fields are the columns the model is trained on."""
    fields = getattr(IrisFeatures, "model_fields", None) or IrisFeatures.__fields__
    assert tuple(fields) == FEATURES


def test_health(client):
    """/health answers ok and sees the model."""
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "model_available": True}


def test_version(client):
    """/version reports the package version."""
    response = client.get("/version")
    assert response.status_code == 200
    assert response.json() == {"package": "mlops_template_pkg", "version": __version__}


def test_predict(client):
    """/predict classifies each instance, in order."""
    response = client.post("/predict", json={"instances": [SETOSA, VIRGINICA]})
    assert response.status_code == 200
    predictions = response.json()["predictions"]
    assert [p["species"] for p in predictions] == ["setosa", "virginica"]
    assert all(0.5 < p["probability"] <= 1 for p in predictions)


@pytest.mark.parametrize(
    "payload",
    [
        {"instances": [{**SETOSA, "petal_width_cm": "wide"}]},
        {"instances": [{k: v for k, v in SETOSA.items() if k != "sepal_width_cm"}]},
        {"instances": [{**SETOSA, "sepal_length_cm": -1}]},
        {"instances": []},
        {"rows": [SETOSA]},
        [SETOSA],
    ],
    ids=["not-a-number", "missing-field", "negative", "empty", "wrong-key", "not-an-object"],
)
def test_predict_rejects_bad_input(client, payload):
    """Invalid requests get 422 with details."""
    response = client.post("/predict", json=payload)
    assert response.status_code == 422
    assert response.json()["detail"]


def test_predict_without_model(tmp_path):
    """Without a model file the service is up but /predict answers 503."""
    client = TestClient(create_app(tmp_path / "missing.joblib"))
    assert client.get("/health").json()["model_available"] is False
    response = client.post("/predict", json={"instances": [SETOSA]})
    assert response.status_code == 503


def test_model_path_from_environment(trained, monkeypatch):
    """MODEL_PATH selects the model when no path is passed."""
    monkeypatch.setenv("MODEL_PATH", str(trained["model_path"]))
    client = TestClient(create_app())
    assert client.post("/predict", json={"instances": [SETOSA]}).status_code == 200
