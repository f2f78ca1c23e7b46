"""Sample machine-learning workflow on the Iris data set shipped with scikit-learn.

The modules cover data preparation, training, evaluation, batch inference,
configuration and logging helpers, and a FastAPI service.
"""

__version__ = "0.1.0"
