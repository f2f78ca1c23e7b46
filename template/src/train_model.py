"""Train and evaluate: ``python src/train_model.py [key=value ...]`` (see conf/train_model.yaml)."""

import sys

from mlops_template_pkg.cli import run
from mlops_template_pkg.modeling import run_training


def main(argv=None) -> int:
    """Run training and evaluation; returns the exit code."""
    return run("train_model", run_training, argv)


if __name__ == "__main__":
    sys.exit(main())
