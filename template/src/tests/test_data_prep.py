"""Tests of data preparation."""

import numpy as np
import pandas as pd
import pytest

from mlops_template_pkg.data_prep import (
    FEATURES,
    TARGET,
    clean_column_name,
    clean_dataset,
    load_source_data,
    split_dataset,
)


def test_clean_column_name():
    """Names become lower-case snake case."""
    assert clean_column_name("Sepal Length (cm)") == "sepal_length_cm"
    assert clean_column_name("  petal-width ") == "petal_width"


def test_source_data_has_expected_columns():
    """The source frame has the four features and species names."""
    frame = load_source_data()
    assert list(frame.columns) == [*FEATURES, TARGET]
    assert len(frame) == 150
    assert set(frame[TARGET]) == {"setosa", "versicolor", "virginica"}


def test_clean_dataset_drops_missing_and_duplicates():
    """Rows with missing values and exact duplicates are removed."""
    frame = pd.DataFrame(
        {
            "Sepal Length (cm)": [5.1, 5.1, np.nan, 6.0],
            TARGET: ["setosa", "setosa", "setosa", "virginica"],
        }
    )
    cleaned = clean_dataset(frame)
    assert list(cleaned.columns) == ["sepal_length_cm", TARGET]
    assert cleaned.to_dict("records") == [
        {"sepal_length_cm": 5.1, TARGET: "setosa"},
        {"sepal_length_cm": 6.0, TARGET: "virginica"},
    ]


def test_clean_dataset_needs_the_target():
    """A frame without the target column is rejected."""
    with pytest.raises(ValueError, match="target column"):
        clean_dataset(pd.DataFrame({"a": [1]}))


def test_split_is_stratified_and_reproducible():
    """The split keeps class proportions and is the same for the same seed."""
    frame = clean_dataset(load_source_data())
    train, test = split_dataset(frame, test_size=0.2, seed=1)
    again, _ = split_dataset(frame, test_size=0.2, seed=1)
    assert len(train) + len(test) == len(frame)
    pd.testing.assert_frame_equal(train, again)
    shares = test[TARGET].value_counts(normalize=True)
    assert shares.max() - shares.min() < 0.05


def test_prepare_data_writes_disjoint_splits(data_paths):
    """prepare_data writes the raw snapshot and non-overlapping train/test CSVs."""
    raw = pd.read_csv(data_paths["raw"])
    train = pd.read_csv(data_paths["train"])
    test = pd.read_csv(data_paths["test"])
    assert len(raw) == 150
    # Iris has one exact duplicate row, which cleaning removes.
    assert len(train) + len(test) == 149
    assert list(train.columns) == [*FEATURES, TARGET]
    overlap = train.merge(test, how="inner", on=[*FEATURES, TARGET])
    assert overlap.empty
    assert abs(len(test) / 149 - 0.25) < 0.02
