"""Tune hyperparameters: ``python src/tune_model.py [key=value ...]`` (see conf/tune_model.yaml)."""

import sys

from mlops_template_pkg.cli import run
from mlops_template_pkg.tuning import run_tuning


def main(argv=None) -> int:
    """Run this worker's trials of the Optuna study; returns the exit code."""
    return run("tune_model", run_tuning, argv)


if __name__ == "__main__":
    sys.exit(main())
