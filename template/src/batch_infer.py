"""Batch inference: ``python src/batch_infer.py [key=value ...]`` (see conf/batch_infer.yaml)."""

import sys

from mlops_template_pkg.cli import run
from mlops_template_pkg.inference import run_batch_inference


def main(argv=None) -> int:
    """Run batch inference; returns the exit code."""
    return run("batch_infer", run_batch_inference, argv)


if __name__ == "__main__":
    sys.exit(main())
