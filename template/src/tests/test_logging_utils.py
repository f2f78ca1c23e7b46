"""Tests of the logging setup."""

import logging

import pytest

from mlops_template_pkg.logging_utils import DEFAULT_LOGGING_CONFIG, setup_logging


@pytest.fixture(name="restore_root")
def fixture_restore_root():
    """Put the root logger's level and handlers back after the test."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    yield root
    root.handlers[:] = handlers
    root.setLevel(level)


class ListHandler(logging.Handler):
    """Keeps the messages it handles."""

    def __init__(self):
        super().__init__()
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@pytest.fixture(name="messages")
def fixture_messages():
    """Messages logged by the logging_utils module (its logger is not reconfigured)."""
    handler = ListHandler()
    module_logger = logging.getLogger("mlops_template_pkg.logging_utils")
    module_logger.addHandler(handler)
    yield handler.messages
    module_logger.removeHandler(handler)


def test_setup_from_shipped_config(restore_root):
    """conf/logging.yaml applies: INFO root level and a stream handler."""
    assert DEFAULT_LOGGING_CONFIG.is_file()
    assert setup_logging() is True
    assert restore_root.level == logging.INFO
    assert any(isinstance(h, logging.StreamHandler) for h in restore_root.handlers)


def test_level_override(restore_root):
    """An explicit level wins over the file's."""
    setup_logging(level="debug")
    assert restore_root.level == logging.DEBUG


def test_unknown_level_is_ignored(restore_root, messages):
    """An unknown level name warns instead of failing."""
    setup_logging(level="LOUD")
    assert restore_root.level == logging.INFO
    assert any("LOUD" in message for message in messages)


def test_missing_or_invalid_file_falls_back(restore_root, tmp_path, messages):
    """A missing or invalid file falls back to basic logging with a warning."""
    assert setup_logging(tmp_path / "absent.yaml") is False
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nhandlers:\n  h:\n    class: no.such.Handler\n", encoding="utf-8")
    assert setup_logging(bad) is False
    assert len(messages) == 2 and all("Cannot apply logging config" in m for m in messages)
    assert restore_root.handlers
