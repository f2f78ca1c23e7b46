"""Tests of hyperparameter tuning: the search space, a small study, and workers sharing one."""

import logging
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import optuna
import pytest
import yaml
from sqlalchemy.exc import IntegrityError

from mlops_template_pkg import tuning
from mlops_template_pkg.config import ConfigError, load_config
from mlops_template_pkg.tuning import open_storage, parse_search_space, run_tuning, suggest

SRC = Path(__file__).resolve().parents[1]
TRAIN = {"C": 1.0, "max_iter": 100, "solver": "lbfgs"}


@pytest.fixture(name="tune_cfg")
def fixture_tune_cfg(data_paths, tmp_path):
    """Build a tuning config on the prepared data, with a SQLite study under tmp_path."""
    train_config = tmp_path / "train.yaml"
    train_cfg = load_config("train_model")
    train_cfg["data"]["train_path"] = str(data_paths["train"])
    train_cfg["data"]["test_path"] = str(data_paths["test"])
    train_config.write_text(yaml.safe_dump(train_cfg), encoding="utf-8")

    def make(*overrides):
        return load_config("tune_model", [
            f"train_config={train_config}",
            f"study.storage=sqlite:///{tmp_path / 'study.db'}",
            f"output.best_params_path={tmp_path / 'best_params.yaml'}",
            *overrides,
        ])
    return make


def load_study(path, name="mlops-template-repo"):
    """The study stored in the SQLite file at ``path``."""
    return optuna.load_study(study_name=name, storage=f"sqlite:///{path}")


def test_shipped_search_space_is_valid():
    """conf/tune_model.yaml's space names keys of conf/train_model.yaml's train section."""
    space = parse_search_space(load_config("tune_model")["search_space"],
                               load_config("train_model")["train"])
    assert space["C"] == {"type": "float", "low": 0.001, "high": 100.0, "step": None, "log": True}
    assert space["max_iter"]["type"] == "int" and space["max_iter"]["step"] == 100


def test_suggest_returns_typed_values():
    """Each entry type gives a value of its kind."""
    space = parse_search_space({
        "C": {"type": "float", "low": 0.1, "high": 1.0},
        "max_iter": {"type": "int", "low": 10, "high": 50, "step": 10},
        "solver": {"type": "categorical", "choices": ["lbfgs", "saga"]},
    }, TRAIN)
    params = suggest(optuna.trial.FixedTrial({"C": 0.5, "max_iter": 20, "solver": "saga"}), space)
    assert params == {"C": 0.5, "max_iter": 20, "solver": "saga"}


@pytest.mark.parametrize(
    "space, match",
    [
        ({}, "must map"),
        ({"gamma": {"type": "float", "low": 0, "high": 1}}, "gamma is not a hyperparameter"),
        ({"C": {"low": 0, "high": 1}}, "needs a type"),
        ({"C": {"type": "float", "low": 0, "high": 1, "scale": "log"}}, "unknown field scale"),
        ({"C": {"type": "float", "low": 2, "high": 1}}, "above high"),
        ({"C": {"type": "float", "low": 0, "high": 1, "log": True}}, "log scale needs low > 0"),
        ({"C": {"type": "float", "low": "a", "high": 1}}, "low must be a number"),
        ({"max_iter": {"type": "int", "low": 1.5, "high": 9}}, "low must be an integer"),
        ({"solver": {"type": "categorical", "choices": []}}, "choices must be a list"),
    ],
    ids=["empty", "unknown-key", "no-type", "unknown-field", "low-above-high", "log-from-0",
         "not-a-number", "int-not-integer", "no-choices"],
)
def test_bad_search_space_is_rejected(space, match):
    """A malformed search space fails before any trial, naming the entry."""
    with pytest.raises(ConfigError, match=match):
        parse_search_space(space, TRAIN)


def test_small_study_writes_the_best_params(tune_cfg, tmp_path):
    """A study of a few trials stores them, and writes its best hyperparameters as YAML."""
    best = run_tuning(tune_cfg("study.n_trials=5"))
    study = load_study(tmp_path / "study.db")
    assert len(study.trials) == 5
    assert all(t.state == optuna.trial.TrialState.COMPLETE for t in study.trials)
    assert best["number"] == study.best_trial.number and best["value"] > 0.8
    text = (tmp_path / "best_params.yaml").read_text(encoding="utf-8")
    assert yaml.safe_load(text) == study.best_params == best["params"]
    assert text.startswith('# Best hyperparameters of study "mlops-template-repo"')
    assert f"params_file={tmp_path / 'best_params.yaml'}" in text
    assert {t.user_attrs["worker_index"] for t in study.trials} == {0}


def test_a_second_run_continues_the_study(tune_cfg, tmp_path):
    """Running again adds n_trials to the same study; max_trials caps the study as a whole."""
    run_tuning(tune_cfg("study.n_trials=2"))
    run_tuning(tune_cfg("study.n_trials=2"))
    assert len(load_study(tmp_path / "study.db").trials) == 4
    run_tuning(tune_cfg("study.n_trials=10", "study.max_trials=5"))
    assert len(load_study(tmp_path / "study.db").trials) == 5
    run_tuning(tune_cfg("study.n_trials=10", "study.max_trials=5"))
    assert len(load_study(tmp_path / "study.db").trials) == 5


def test_study_in_memory(tune_cfg, tmp_path):
    """storage=null runs the study in memory and still writes the best hyperparameters."""
    best = run_tuning(tune_cfg("study.n_trials=2", "study.storage=null"))
    assert not (tmp_path / "study.db").exists()
    assert yaml.safe_load((tmp_path / "best_params.yaml").read_text(encoding="utf-8")) == \
        best["params"]


@pytest.mark.parametrize(
    "override, match",
    [
        ("objective.metric=accuracy_typo", "unknown scikit-learn scoring"),
        ("study.storage=not a url", "not a database URL"),
        ("study.storage=nosuchdb://u:s3cret@127.0.0.1/x", "study.storage"),
    ],
    ids=["metric", "url", "dialect"],
)
def test_bad_settings_fail_before_trials(tune_cfg, tmp_path, override, match):
    """A bad metric or storage URL is a ConfigError, and a URL's password is not in it."""
    with pytest.raises(ConfigError, match=match) as caught:
        run_tuning(tune_cfg("study.n_trials=1", override))
    assert "s3cret" not in str(caught.value)
    assert not (tmp_path / "best_params.yaml").exists()


def test_storage_opening_is_retried(tmp_path, monkeypatch, caplog):
    """Workers racing to create a new database's tables retry; persistent errors end in one line."""
    real = optuna.storages.RDBStorage
    calls = []

    def flaky(url, **kwargs):
        calls.append(url)
        if len(calls) == 1:
            raise IntegrityError("INSERT INTO alembic_version", {}, Exception("UNIQUE failed"))
        return real(url, **kwargs)

    monkeypatch.setattr(optuna.storages, "RDBStorage", flaky)
    monkeypatch.setattr(tuning.time, "sleep", lambda _s: None)
    url = f"sqlite:///{tmp_path / 'deep' / 'study.db'}"
    with caplog.at_level(logging.INFO, logger="mlops_template_pkg.tuning"):
        assert open_storage(url) is not None
    assert len(calls) == 2 and (tmp_path / "deep" / "study.db").is_file()
    assert "attempt 1 of" in caplog.text

    def broken(_url, **_kwargs):
        raise IntegrityError("INSERT", {}, Exception("always"))

    monkeypatch.setattr(optuna.storages, "RDBStorage", broken)
    with pytest.raises(ConnectionError, match="cannot open the study storage") as caught:
        open_storage(f"sqlite://pw:s3cret@/{tmp_path / 'x.db'}")
    assert "s3cret" not in str(caught.value)


WORKER = """
import pathlib, sys, time
import tune_model  # optuna and scikit-learn are imported before the start signal
ready, go = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
ready.touch()
deadline = time.monotonic() + 120
while not go.exists():
    if time.monotonic() > deadline:
        sys.exit("no start signal")
    time.sleep(0.005)
sys.exit(tune_model.main(sys.argv[3:]))
"""


def start_workers(tmp_path, args, count=2):
    """Start ``count`` tune_model.py processes that begin their trials at the same moment.

    Each imports everything, says it is ready, and waits for the start
    signal, which comes once all are ready. Returns the processes, in order
    of their JOB_COMPLETION_INDEX.
    """
    start_signal = tmp_path / "go"
    # Not measured by pytest --cov: started outside the repo, a worker would not read its
    # coverage settings and write line data that cannot be combined with the run's branch data.
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("COV_CORE_") and key != "COVERAGE_PROCESS_START"}
    workers = []
    for index in range(count):
        env = {**env, "JOB_COMPLETION_INDEX": str(index), "PYTHONPATH": str(SRC)}
        with (tmp_path / f"worker-{index}.log").open("w", encoding="utf-8") as log:
            workers.append(subprocess.Popen(  # pylint: disable=consider-using-with
                [sys.executable, "-c", WORKER, str(tmp_path / f"ready-{index}"),
                 str(start_signal), *args],
                cwd=tmp_path, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log))
    deadline = time.monotonic() + 120
    while not all((tmp_path / f"ready-{index}").exists() for index in range(count)):
        assert time.monotonic() < deadline, "the workers did not start"
        assert all(process.poll() is None for process in workers), "a worker ended early"
        time.sleep(0.01)
    start_signal.touch()
    for process in workers:
        process.wait(timeout=120)
    return workers


def test_two_workers_share_one_study(tune_cfg, tmp_path):
    """Two processes started together on one SQLite study: both add trials, one best result."""
    tune_cfg()  # writes train.yaml
    workers = start_workers(tmp_path, [f"{key}={value}" for key, value in (
        ("train_config", tmp_path / "train.yaml"),
        ("study.storage", f"sqlite:///{tmp_path / 'study.db'}"),
        ("study.n_trials", 5),
        ("output.best_params_path", tmp_path / "best_params.yaml"),
    )])
    logs = [(tmp_path / f"worker-{index}.log").read_text(encoding="utf-8") for index in (0, 1)]
    assert [process.returncode for process in workers] == [0, 0], "\n".join(logs)
    assert "Worker 0 joins" in logs[0] and "Worker 1 joins" in logs[1]

    trials = load_study(tmp_path / "study.db").trials
    assert all(t.state == optuna.trial.TrialState.COMPLETE for t in trials)
    assert sorted(t.number for t in trials) == list(range(10))
    pids = {process.pid: index for index, process in enumerate(workers)}
    assert Counter(t.user_attrs["pid"] for t in trials) == {pid: 5 for pid in pids}
    assert all(pids[t.user_attrs["pid"]] == t.user_attrs["worker_index"] for t in trials)
    by_worker = [[t for t in trials if t.user_attrs["worker_index"] == i] for i in (0, 1)]
    # They ran at the same time: each started a trial before the other's last one ended.
    for mine, theirs in (by_worker, by_worker[::-1]):
        assert min(t.datetime_start for t in mine) < max(t.datetime_complete for t in theirs)
    # Different seeds per worker: they do not sample the same hyperparameters.
    sampled = [{tuple(sorted(t.params.items())) for t in mine} for mine in by_worker]
    assert sampled[0] != sampled[1]
    # One best result: the best of all ten trials, in the file both workers wrote.
    study = load_study(tmp_path / "study.db")
    assert study.best_value == max(t.value for t in trials)
    best = yaml.safe_load((tmp_path / "best_params.yaml").read_text(encoding="utf-8"))
    assert best == study.best_params
    assert not [p.name for p in tmp_path.iterdir() if p.suffix == ".tmp"]
