"""Logging for unattended runs: to stderr and to a rotating file an operator can read later."""

from __future__ import annotations

import logging
from logging.handlers import RotatingFileHandler
from pathlib import Path

LOG_FORMAT = "%(asctime)s [%(name)s] %(levelname)s: %(message)s"


def configure_logging(directory: Path, level: int = logging.INFO) -> Path:
    """Send every log record to stderr and to DIR/newswatch.log (5 files of 5 MB)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "newswatch.log"
    formatter = logging.Formatter(LOG_FORMAT)
    file_handler = RotatingFileHandler(path, maxBytes=5 * 1024 * 1024, backupCount=5)
    stream_handler = logging.StreamHandler()
    root = logging.getLogger()
    root.setLevel(level)
    for handler in (file_handler, stream_handler):
        handler.setFormatter(formatter)
        root.addHandler(handler)
    return path
