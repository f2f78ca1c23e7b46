"""Prepare the data: ``python src/process_data.py [key=value ...]`` (see conf/process_data.yaml)."""

import sys

from mlops_template_pkg.cli import run
from mlops_template_pkg.data_prep import prepare_data


def main(argv=None) -> int:
    """Run data preparation; returns the exit code."""
    return run("process_data", prepare_data, argv)


if __name__ == "__main__":
    sys.exit(main())
