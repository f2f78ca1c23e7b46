"""Request and response models of the prediction service.

They work with pydantic 1.10 and 2.x: the only differences used here are the
names of the list-length constraints and of the model-to-dict method.
"""

from typing import Any, Dict, List

import pydantic
from pydantic import BaseModel, Field

PYDANTIC_V2 = int(pydantic.VERSION.split(".", maxsplit=1)[0]) >= 2
MAX_INSTANCES = 1000

# Only one of the two branches runs, depending on the installed pydantic.
if PYDANTIC_V2:  # pragma: no cover
    _INSTANCES_LENGTH = {"min_length": 1, "max_length": MAX_INSTANCES}
else:  # pragma: no cover
    _INSTANCES_LENGTH = {"min_items": 1, "max_items": MAX_INSTANCES}


class IrisFeatures(BaseModel):
    """The measurements of one flower, in centimetres."""

    sepal_length_cm: float = Field(..., gt=0, le=100, description="Sepal length (cm)")
    sepal_width_cm: float = Field(..., gt=0, le=100, description="Sepal width (cm)")
    petal_length_cm: float = Field(..., gt=0, le=100, description="Petal length (cm)")
    petal_width_cm: float = Field(..., gt=0, le=100, description="Petal width (cm)")


class PredictRequest(BaseModel):
    """A batch of flowers to classify."""

    instances: List[IrisFeatures] = Field(
        ..., description="Flowers to classify", **_INSTANCES_LENGTH
    )


class Prediction(BaseModel):
    """The predicted species of one flower and the model's probability for it."""

    species: str
    probability: float


class PredictResponse(BaseModel):
    """Predictions in the order of the request's instances."""

    predictions: List[Prediction]


def model_to_dict(model: BaseModel) -> Dict[str, Any]:
    """Return the fields of a pydantic model as a dict, with pydantic 1 or 2."""
    if PYDANTIC_V2:  # pragma: no cover - depends on the installed pydantic
        return model.model_dump()
    return model.dict()  # pragma: no cover - depends on the installed pydantic
