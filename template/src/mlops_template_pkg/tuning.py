"""Hyperparameter tuning with Optuna: search the ``train`` section of the training config.

Each trial samples hyperparameters from the search space of
``conf/tune_model.yaml`` and scores them by k-fold cross-validation on the
training data (the test split stays for ``train_model.py``'s evaluation).
The study lives in a database (a SQLite file by default), so that any number
of workers started with the same arguments add their trials to one study.
The best hyperparameters are written as a YAML file that
``python src/train_model.py params_file=...`` reads.
"""

import json
import logging
import os
import random
import socket
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple, Union

import optuna
import pandas as pd
import yaml
from sklearn.metrics import get_scorer
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, OperationalError

from .config import ConfigError, load_config, redact
from .modeling import pipeline_from_params, replacing, split_features_target

logger = logging.getLogger(__name__)

TYPES = ("int", "float", "categorical")
_FIELDS = {
    "int": {"type", "low", "high", "step", "log"},
    "float": {"type", "low", "high", "step", "log"},
    "categorical": {"type", "choices"},
}
# Attempts at opening the storage: workers that start together race to create
# the tables of a new database, and the losers succeed on the next attempt.
STORAGE_ATTEMPTS = 8
SQLITE_TIMEOUT_S = 60


def _check_number(name: str, spec: Mapping[str, Any], key: str, kind: str) -> None:
    value = spec.get(key)
    wanted = int if kind == "int" else (int, float)
    if isinstance(value, bool) or not isinstance(value, wanted):
        wanted_text = "an integer" if kind == "int" else "a number"
        raise ConfigError(f"search_space.{name}.{key} must be {wanted_text}, got {value!r}")


def parse_search_space(space: Any, tunable: Mapping[str, Any]) -> Dict[str, Dict[str, Any]]:
    """Check a search space and return it with every field filled in.

    Each entry names a key of ``tunable`` (the training config's ``train``
    section) and gives its ``type``: ``int`` or ``float`` with ``low`` and
    ``high`` (inclusive), an optional ``step`` and ``log`` scale; or
    ``categorical`` with a list of ``choices``.

    Raises:
        ConfigError: the space is empty, names a key that ``train`` does not
            have, or an entry is malformed.
    """
    if not isinstance(space, dict) or not space:
        raise ConfigError("search_space must map hyperparameters to their ranges")
    parsed = {}
    for name, spec in space.items():
        if name not in tunable:
            raise ConfigError(f"search_space.{name} is not a hyperparameter of the train section "
                              f"({', '.join(tunable)})")
        if not isinstance(spec, dict) or spec.get("type") not in TYPES:
            raise ConfigError(f"search_space.{name} needs a type: {', '.join(TYPES)}")
        kind = spec["type"]
        unknown = sorted(set(spec) - _FIELDS[kind])
        if unknown:
            raise ConfigError(f"search_space.{name}: unknown field {', '.join(unknown)} for type "
                              f"{kind} (known: {', '.join(sorted(_FIELDS[kind]))})")
        if kind == "categorical":
            choices = spec.get("choices")
            if not isinstance(choices, list) or not choices or any(
                isinstance(choice, (dict, list)) for choice in choices
            ):
                raise ConfigError(f"search_space.{name}.choices must be a list of values")
            parsed[name] = {"type": kind, "choices": list(choices)}
            continue
        for key in ("low", "high"):
            _check_number(name, spec, key, kind)
        entry = {"type": kind, "low": spec["low"], "high": spec["high"],
                 "step": spec.get("step"), "log": bool(spec.get("log", False))}
        if entry["step"] is not None:
            _check_number(name, spec, "step", kind)
        if entry["low"] > entry["high"]:
            raise ConfigError(
                f"search_space.{name}: low {entry['low']} is above high {entry['high']}"
            )
        if entry["log"] and (entry["low"] <= 0 or entry["step"] is not None):
            raise ConfigError(f"search_space.{name}: a log scale needs low > 0 and no step")
        if kind == "int" and entry["step"] is None:
            entry["step"] = 1
        parsed[name] = entry
    return parsed


def suggest(trial: optuna.Trial, space: Mapping[str, Mapping[str, Any]]) -> Dict[str, Any]:
    """Sample one value per entry of a parsed search space."""
    params: Dict[str, Any] = {}
    for name, spec in space.items():
        if spec["type"] == "categorical":
            params[name] = trial.suggest_categorical(name, spec["choices"])
        elif spec["type"] == "int":
            params[name] = trial.suggest_int(name, spec["low"], spec["high"],
                                             step=spec["step"], log=spec["log"])
        else:
            params[name] = trial.suggest_float(name, spec["low"], spec["high"],
                                               step=spec["step"], log=spec["log"])
    return params


def cross_validated_score(
    train: pd.DataFrame, target: str, params: Mapping[str, Any], objective: Mapping[str, Any],
    seed: int,
) -> float:
    """Mean ``objective.metric`` over ``objective.cv_folds`` stratified folds of ``train``."""
    features, labels = split_features_target(train, target)
    folds = StratifiedKFold(n_splits=int(objective["cv_folds"]), shuffle=True, random_state=seed)
    scores = cross_val_score(pipeline_from_params(params), features, labels,
                             cv=folds, scoring=objective["metric"])
    return float(scores.mean())


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def open_storage(url: Optional[str]) -> Optional[optuna.storages.BaseStorage]:
    """Open the study's storage: a database URL, or ``None`` for a study in memory.

    A SQLite file's folder is created, and its connections wait up to a
    minute for each other's writes (several workers share the file). Opening
    is retried a few times: workers that start together race to create the
    tables of a new database, and a database server may still be starting.
    """
    if url is None:
        return None
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigError(f"study.storage is not a database URL: {redact(url)}") from exc
    engine_kwargs: Dict[str, Any] = {}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine_kwargs = {"connect_args": {"timeout": SQLITE_TIMEOUT_S}}
    attempt = 1
    while True:
        try:
            return optuna.storages.RDBStorage(url, engine_kwargs=engine_kwargs)
        except (OperationalError, IntegrityError) as exc:
            if attempt == STORAGE_ATTEMPTS:
                raise ConnectionError(
                    f"cannot open the study storage {redact(url)}: {_first_line(exc)}"
                ) from exc
            # Expected when workers start together on a new database: not a warning.
            logger.info("Storage %s not ready, retrying (attempt %d of %d): %s", redact(url),
                        attempt, STORAGE_ATTEMPTS, _first_line(exc))
            time.sleep(0.1 * attempt + random.uniform(0, 0.1))
            attempt += 1
        except (ImportError, ArgumentError) as exc:
            raise ConfigError(f"study.storage {redact(url)}: {_first_line(exc)} (is the "
                              f"database's Python driver installed?)") from exc


def worker_info(index: int) -> Dict[str, Any]:
    """Who runs the trials, recorded on each of them: the worker's index, host and process."""
    return {"worker_index": index, "host": socket.gethostname(), "pid": os.getpid()}


def make_objective(
    train_cfg: Mapping[str, Any], space: Mapping[str, Mapping[str, Any]],
    objective: Mapping[str, Any], seed: int, worker: Mapping[str, Any],
) -> Callable[[optuna.Trial], float]:
    """Return the function a trial runs: sample, cross-validate, record the worker."""
    data = train_cfg["data"]
    train = pd.read_csv(data["train_path"])

    def run_trial(trial: optuna.Trial) -> float:
        for key, value in worker.items():
            trial.set_user_attr(key, value)
        params = {**train_cfg["train"], **suggest(trial, space)}
        return cross_validated_score(train, data["target"], params, objective, seed)
    return run_trial


def write_best_params(
    study: optuna.Study, path: Union[str, Path], about: Mapping[str, Any]
) -> Path:
    """Write the study's best hyperparameters as YAML, with how they were found as comments.

    Every worker writes the file when it ends. A worker re-reads the study
    after writing and writes again if a better trial finished meanwhile, so
    the last one to write leaves the best of all finished trials.
    """
    path = Path(path)
    while True:
        best = study.best_trial
        header = (
            f"# Best hyperparameters of study {json.dumps(study.study_name)} "
            f"({about['storage']}): trial {best.number}, {about['metric']} {best.value:.6g} "
            f"({about['cv_folds']}-fold cross-validation on {about['train_path']}).\n"
            f"# Written by src/tune_model.py. Train with them:\n"
            f"#   python src/train_model.py params_file={path}\n"
        )
        with replacing(path) as temporary:
            temporary.write_text(header + yaml.safe_dump(best.params, sort_keys=False),
                                 encoding="utf-8")
        if study.best_trial.number == best.number:
            return path


def checked_settings(cfg: Mapping[str, Any]) -> Tuple[Dict[str, Any], Dict[str, Dict[str, Any]]]:
    """Load the training config and check the search space, metric and data before any trial."""
    train_cfg = load_config(cfg["train_config"])
    space = parse_search_space(cfg["search_space"], train_cfg["train"])
    metric = cfg["objective"]["metric"]
    try:
        get_scorer(metric)
    except ValueError as exc:
        raise ConfigError(f"objective.metric: unknown scikit-learn scoring {metric!r}") from exc
    train_path = train_cfg["data"]["train_path"]
    if not Path(train_path).is_file():
        raise FileNotFoundError(f"{train_path} not found: run `python src/process_data.py` first")
    return train_cfg, space


def open_study(study_cfg: Mapping[str, Any]) -> optuna.Study:
    """Create the study, or load it when another worker (or an earlier run) made it."""
    return optuna.create_study(
        storage=open_storage(study_cfg["storage"]),
        study_name=study_cfg["name"],
        direction="maximize",
        # Each worker samples its own sequence: the same seed would repeat the same trials.
        sampler=optuna.samplers.TPESampler(
            seed=int(study_cfg["seed"]) + int(study_cfg["worker_index"])
        ),
        load_if_exists=True,
    )


def trials_to_run(study: optuna.Study, study_cfg: Mapping[str, Any]) -> Tuple[int, List[Any]]:
    """This worker's number of trials, and the callback that enforces ``max_trials`` if set."""
    n_trials, max_trials = int(study_cfg["n_trials"]), study_cfg["max_trials"]
    if max_trials is None:
        return n_trials, []
    finished = (optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.PRUNED)
    left = int(max_trials) - len(study.get_trials(states=finished))
    return max(min(n_trials, left), 0), [
        optuna.study.MaxTrialsCallback(int(max_trials), states=finished)
    ]


def run_tuning(cfg: Mapping[str, Any]) -> Dict[str, Any]:
    """Run this worker's trials of the study configured in ``conf/tune_model.yaml``.

    Returns the best trial of the study so far: ``number``, ``value`` and ``params``.
    """
    optuna.logging.disable_default_handler()  # log through conf/logging.yaml instead
    optuna.logging.enable_propagation()
    train_cfg, space = checked_settings(cfg)
    study_cfg = cfg["study"]
    storage = redact(str(study_cfg["storage"] or "memory"))
    study = open_study(study_cfg)
    n_trials, callbacks = trials_to_run(study, study_cfg)
    index = int(study_cfg["worker_index"])
    logger.info("Worker %d joins study %r in %s (%d trials there) and runs %d trials.", index,
                study.study_name, storage, len(study.trials), n_trials)
    if n_trials > 0:
        study.optimize(
            make_objective(train_cfg, space, cfg["objective"], int(study_cfg["seed"]),
                           worker_info(index)),
            n_trials=n_trials, timeout=study_cfg["timeout"], callbacks=callbacks,
        )
    if not study.get_trials(states=(optuna.trial.TrialState.COMPLETE,)):
        raise ValueError(f"study {study.study_name!r} has no completed trial")
    about = {"storage": storage, "metric": cfg["objective"]["metric"],
             "cv_folds": cfg["objective"]["cv_folds"],
             "train_path": train_cfg["data"]["train_path"]}
    path = write_best_params(study, cfg["output"]["best_params_path"], about)
    best = study.best_trial
    logger.info("Best of study %r: trial %d, %s %.4f, %s. Written to %s: train with "
                "`python src/train_model.py params_file=%s`.", study.study_name, best.number,
                about["metric"], best.value, best.params, path, path)
    return {"number": best.number, "value": best.value, "params": best.params}
