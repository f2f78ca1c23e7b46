"""FastAPI service that serves the trained model.

Run it with::

    python -m uvicorn mlops_template_pkg.serve:app --app-dir src --port 8000

The model is read from ``$MODEL_PATH`` (``models/model.joblib`` by default)
on the first request that needs it.
"""

import os
import threading
from pathlib import Path
from typing import Any, Dict, Optional, Union

import pandas as pd
from fastapi import FastAPI, HTTPException
from sklearn.pipeline import Pipeline

from . import __version__
from .inference import PREDICTION_COLUMN, PROBABILITY_COLUMN, predict_frame
from .modeling import load_model
from .schemas import Prediction, PredictRequest, PredictResponse, model_to_dict

DEFAULT_MODEL_PATH = "models/model.joblib"
PACKAGE_NAME = __name__.split(".", maxsplit=1)[0]


class ModelStore:
    """Loads the model from disk once, on first use, and keeps it."""

    def __init__(self, path: Union[str, Path]):
        self.path = Path(path)
        self._model: Optional[Pipeline] = None
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        """Whether the model is in memory."""
        return self._model is not None

    def available(self) -> bool:
        """Whether the model is in memory or its file exists."""
        return self.loaded or self.path.is_file()

    def get(self) -> Pipeline:
        """Return the model, loading it on first use; ``FileNotFoundError`` if it is missing."""
        with self._lock:
            if self._model is None:
                self._model = load_model(self.path)
            return self._model


def create_app(model_path: Optional[Union[str, Path]] = None) -> FastAPI:
    """Build the FastAPI application that serves the model at ``model_path``."""
    store = ModelStore(model_path or os.environ.get("MODEL_PATH", DEFAULT_MODEL_PATH))
    application = FastAPI(
        title="MLOps Template Project",
        description="An MLOps template project.",
        version=__version__,
    )
    application.state.model_store = store

    @application.get("/health")
    def health() -> Dict[str, Any]:
        """Liveness check; also tells whether a model is available."""
        return {"status": "ok", "model_available": store.available()}

    @application.get("/version")
    def version() -> Dict[str, str]:
        """The name and version of the Python package that serves."""
        return {"package": PACKAGE_NAME, "version": __version__}

    @application.post("/predict", response_model=PredictResponse)
    def predict(request: PredictRequest) -> PredictResponse:
        """Predict the species of each flower in the request."""
        try:
            model = store.get()
        except FileNotFoundError as exc:
            raise HTTPException(
                status_code=503, detail="No model available: train one first."
            ) from exc
        frame = pd.DataFrame([model_to_dict(instance) for instance in request.instances])
        result = predict_frame(model, frame)
        return PredictResponse(
            predictions=[
                Prediction(
                    species=str(row[PREDICTION_COLUMN]),
                    probability=float(row[PROBABILITY_COLUMN]),
                )
                for _, row in result.iterrows()
            ]
        )

    return application


app = create_app()


def main() -> None:  # pragma: no cover - starts a server
    """Serve with uvicorn: ``python -m mlops_template_pkg.serve`` (``HOST``/``PORT`` env vars)."""
    import uvicorn  # pylint: disable=import-outside-toplevel

    host = os.environ.get("HOST", "127.0.0.1")
    uvicorn.run(app, host=host, port=int(os.environ.get("PORT", "8000")))


if __name__ == "__main__":  # pragma: no cover
    main()
