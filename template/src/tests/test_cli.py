"""Tests of the shared command-line runner."""

from mlops_template_pkg.cli import run
from mlops_template_pkg.config import ConfigError


def test_task_gets_the_overridden_config(tmp_path):
    """The task receives the file's values with the overrides applied."""
    (tmp_path / "job.yaml").write_text("a:\n  b: 1\nc: x\n", encoding="utf-8")
    seen = []
    assert run("job", seen.append, ["a.b=2"], conf_dir=tmp_path) == 0
    assert seen == [{"a": {"b": 2}, "c": "x"}]


def test_task_errors_give_exit_code_1(tmp_path):
    """A task that fails on its data gives exit code 1."""
    (tmp_path / "job.yaml").write_text("a: 1\n", encoding="utf-8")

    def failing(_cfg):
        raise ValueError("bad data")

    assert run("job", failing, [], conf_dir=tmp_path) == 1


def test_config_errors_of_the_task_give_exit_code_2(tmp_path):
    """A task that finds its configuration invalid gives exit code 2, like a bad override."""
    (tmp_path / "job.yaml").write_text("a: 1\n", encoding="utf-8")

    def picky(_cfg):
        raise ConfigError("search_space must map hyperparameters")

    assert run("job", picky, [], conf_dir=tmp_path) == 2


def test_help_without_config(tmp_path, capsys):
    """--help still prints the usage when the config cannot be loaded."""
    assert run("job", print, ["-h"], conf_dir=tmp_path) == 0
    assert "(cannot load: config file not found" in capsys.readouterr().out
