"""Every path and value a command is given, checked before any work starts: one line
naming the flag or config key, the value and what was expected (exit 2)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


class UsageError(Exception):
    """Bad arguments or configuration: reported in one line, exit code 2."""


SQLITE_HEADER = b"SQLite format 3\x00"
# Config keys and the type their value must have.
CONFIG_TYPES: dict[str, tuple[type, str]] = {
    "db": (str, "a file path"),
    "sources": (str, "a file path"),
    "lexicon": (str, "a file path"),
    "report_dir": (str, "a folder path"),
    "timezone": (str, "a time zone name such as Asia/Kolkata"),
    "notify_empty": (bool, "true or false"),
    "settings": (dict, "a table of Scrapy settings"),
}


def check_config_values(config: dict[str, Any], where: str) -> None:
    for key, (kind, expected) in CONFIG_TYPES.items():
        if key in config and not isinstance(config[key], kind):
            raise UsageError(f"{where}: key {key!r} = {config[key]!r}: expected {expected}")
    notify = config.get("notify", [])
    if not (isinstance(notify, list) and all(isinstance(u, str) and u for u in notify)):
        raise UsageError(
            f"{where}: key 'notify' = {notify!r}: expected a list of apprise URLs, "
            'e.g. notify = ["json://hooks.example.org/newswatch"]'
        )


def readable_file(path: str | Path, what: str) -> Path:
    """A file that exists and can be read."""
    path = Path(path)
    if path.is_dir():
        raise UsageError(f"{what} {path}: is a folder, expected a file")
    if not path.exists():
        raise UsageError(f"{what} {path}: file not found")
    if not os.access(path, os.R_OK):
        raise UsageError(f"{what} {path}: cannot be read (permission denied)")
    return path


def database_file(path: Path, *, writing: bool) -> Path:
    """A database path: an SQLite file or nothing yet, writable when the command writes."""
    if path.is_dir():
        raise UsageError(f"--db {path}: is a folder, expected an SQLite database file")
    if path.exists():
        if not path.is_file():
            raise UsageError(f"--db {path}: not a regular file, expected an SQLite database")
        with open(path, "rb") as f:
            header = f.read(len(SQLITE_HEADER))
        if header and header != SQLITE_HEADER:
            raise UsageError(f"--db {path}: not an SQLite database")
        if writing and not os.access(path, os.W_OK):
            raise UsageError(f"--db {path}: read-only, and this command writes to it")
    folder = _existing_parent(path)
    if writing and not os.access(folder, os.W_OK):
        raise UsageError(f"--db {path}: folder {folder} is read-only (SQLite writes beside it)")
    return path


def report_folder(path: Path) -> Path:
    """A folder for reports, or a path where one can be made (a read-only one is found
    at write time, so that the digest still goes out: see schedules/runner.py)."""
    if path.exists() and not path.is_dir():
        raise UsageError(f"--report-dir {path}: is a file, expected a folder")
    return path


def _existing_parent(path: Path) -> Path:
    folder = path.resolve().parent
    while not folder.exists():
        folder = folder.parent
    return folder
