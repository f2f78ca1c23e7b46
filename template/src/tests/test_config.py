"""Tests of config loading and key=value overrides."""

import pytest

from mlops_template_pkg.config import (
    CONF_DIR,
    ConfigError,
    load_config,
    parse_overrides,
    redact,
    to_yaml,
)


@pytest.mark.parametrize(
    "name", ["process_data", "train_model", "tune_model", "batch_infer", "logging"]
)
def test_every_shipped_config_loads(name):
    """Every YAML file in conf/ parses into a mapping."""
    cfg = load_config(name)
    assert isinstance(cfg, dict) and cfg


def test_defaults_without_overrides():
    """Without overrides the values are those of the file."""
    cfg = load_config("train_model")
    assert cfg["train"]["max_iter"] == 100
    assert cfg["data"]["target"] == "species"


def test_nested_override_is_typed():
    """Dotted keys reach nested values, and values are parsed as YAML scalars."""
    overrides = ["train.max_iter=200", "train.C=0.5", "evaluation.min_accuracy=null"]
    cfg = load_config("train_model", overrides)
    assert cfg["train"]["max_iter"] == 200
    assert cfg["train"]["C"] == 0.5
    assert cfg["evaluation"]["min_accuracy"] is None
    assert cfg["data"]["test_path"] == "data/processed/test.csv"


def test_top_level_string_override():
    """Top-level keys take string values, '=' in a value is kept."""
    cfg = load_config("batch_infer", ["output_path=out/a=b.csv"])
    assert cfg["output_path"] == "out/a=b.csv"


def test_unknown_key_is_rejected():
    """A key that the file does not have is an error, so typos do not pass silently."""
    with pytest.raises(ConfigError, match="max_iters"):
        load_config("train_model", ["train.max_iters=200"])


@pytest.mark.parametrize("arg", ["train.max_iter", "=3", " train.C=1"])
def test_malformed_override_is_rejected(arg):
    """Arguments that are not key=value are errors."""
    with pytest.raises(ConfigError, match="key=value"):
        parse_overrides([arg])


def test_missing_file_is_an_error(tmp_path):
    """Loading a config that does not exist raises ConfigError."""
    with pytest.raises(ConfigError, match="not found"):
        load_config("nope", conf_dir=tmp_path)


def test_file_must_hold_a_mapping(tmp_path):
    """A YAML list at the top level is rejected."""
    (tmp_path / "listy.yaml").write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="mapping"):
        load_config("listy", conf_dir=tmp_path)


def test_invalid_yaml_is_an_error(tmp_path):
    """A file that is not valid YAML raises ConfigError."""
    (tmp_path / "broken.yaml").write_text("a: [1, 2\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="cannot parse"):
        load_config("broken", conf_dir=tmp_path)


def test_load_by_path_and_interpolation(tmp_path):
    """A .yaml path can be loaded directly, and ${...} references are resolved."""
    path = tmp_path / "custom.yaml"
    path.write_text("root: data\nfile: ${root}/x.csv\n", encoding="utf-8")
    cfg = load_config(path, ["root=elsewhere"])
    assert cfg == {"root": "elsewhere", "file": "elsewhere/x.csv"}


def test_to_yaml_round_trip():
    """to_yaml renders a config that mentions its values."""
    text = to_yaml(load_config("process_data"))
    assert "test_size: 0.25" in text


def test_conf_dir_is_the_repo_conf():
    """CONF_DIR points at the repository's conf/ directory."""
    assert (CONF_DIR / "train_model.yaml").is_file()


def test_environment_defaults(monkeypatch):
    """tune_model.yaml takes its storage and worker index from the environment when set."""
    cfg = load_config("tune_model")
    assert cfg["study"]["storage"] == "sqlite:///models/optuna.db"
    assert int(cfg["study"]["worker_index"]) == 0
    monkeypatch.setenv("OPTUNA_STORAGE", "postgresql://optuna@db/optuna")
    monkeypatch.setenv("JOB_COMPLETION_INDEX", "3")
    cfg = load_config("tune_model")
    assert cfg["study"]["storage"] == "postgresql://optuna@db/optuna"
    assert int(cfg["study"]["worker_index"]) == 3
    assert load_config("tune_model", ["study.worker_index=1"])["study"]["worker_index"] == 1


def test_url_passwords_are_masked():
    """Rendered configs do not show the passwords of database URLs."""
    masked = redact("storage: postgresql://optuna:s3cret@db:5432/optuna")
    assert masked == "storage: postgresql://optuna:***@db:5432/optuna"
    assert redact("sqlite:///models/optuna.db") == "sqlite:///models/optuna.db"
    text = to_yaml({"study": {"storage": "mysql+pymysql://u:p%40ss@h/db"}})
    assert "p%40ss" not in text and "mysql+pymysql://u:***@h/db" in text
