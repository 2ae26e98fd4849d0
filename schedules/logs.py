"""Logging for unattended runs: each process its own file, and on stderr only what an
operator must act on.

Cron mails whatever reaches stderr, so stderr gets newswatch's own warnings and errors
and nothing of the crawler's per-request chatter; a network failure (DNS, refused,
timeout) never shows a traceback there: the run summary says once per source what
failed. The file keeps everything from INFO, and network failures at DEBUG with their
traceback. Each process writes and rotates its own file (`run.log`, `crawl.log`,
`schedule.log`), so no two processes ever rotate the same one.
"""

from __future__ import annotations

import logging
from logging.handlers import RotatingFileHandler
from pathlib import Path

from twisted.internet import error as twisted_errors

LOG_FORMAT = "%(asctime)s [%(name)s] %(levelname)s: %(message)s"
OWN_LOGGERS = ("newswatch", "crawlers", "pipelines", "schedules", "cli")
NETWORK_ERRORS: tuple[type[BaseException], ...] = (
    twisted_errors.DNSLookupError,
    twisted_errors.ConnectError,
    twisted_errors.TimeoutError,
    twisted_errors.ConnectionLost,
    ConnectionError,
    TimeoutError,
)
NETWORK_WORDS = ("DNS lookup failed", "Connection was refused", "TCP connection timed out",
                 "User timeout caused connection failure", "Could not open CONNECT tunnel",
                 "Connection to the other side was lost", "No route to host")  # fmt: skip


def configure_logging(directory: Path, name: str) -> Path:
    """Log this process to DIR/NAME.log (5 files of 5 MB) and, selectively, to stderr."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.log"
    formatter = logging.Formatter(LOG_FORMAT)
    to_file = _FileHandler(path, maxBytes=5 * 1024 * 1024, backupCount=5)
    to_file.setLevel(logging.DEBUG)
    to_file.addFilter(demote_network_failures)
    to_stderr = logging.StreamHandler()
    to_stderr.setLevel(logging.WARNING)
    to_stderr.addFilter(for_the_operator)
    root = logging.getLogger()
    root.setLevel(logging.DEBUG)
    for handler in (to_file, to_stderr):
        handler.setFormatter(formatter)
        root.addHandler(handler)
    logging.getLogger("scrapy").setLevel(logging.INFO)  # not a line per request
    for chatty in ("twisted", "asyncio", "urllib3", "trafilatura", "htmldate", "filelock"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    return path


class _FileHandler(RotatingFileHandler):
    def handleError(self, record: logging.LogRecord) -> None:
        """A log file that cannot be written (a full disk) must not turn every record into
        a traceback on stderr: the run's failures are on record in the database and in
        its summary."""


def is_network_failure(record: logging.LogRecord) -> bool:
    """A download that failed on the network: the host, not our code, is at fault."""
    if record.exc_info and record.exc_info[1] is not None:
        error = record.exc_info[1]
        while error is not None:
            if isinstance(error, NETWORK_ERRORS):
                return True
            error = error.__cause__ or error.__context__
    message = record.getMessage()
    return any(words in message for words in NETWORK_WORDS)


def demote_network_failures(record: logging.LogRecord) -> bool:
    """In the file, a network failure is a DEBUG line (with its traceback)."""
    if record.levelno > logging.DEBUG and is_network_failure(record):
        record.levelno, record.levelname = logging.DEBUG, "DEBUG"
    return True


def for_the_operator(record: logging.LogRecord) -> bool:
    """newswatch's own warnings and errors, and anything critical; never the crawler's
    per-request errors (the run summary has them, once per source)."""
    if record.levelno >= logging.CRITICAL:
        return True
    return record.name.split(".")[0] in OWN_LOGGERS and not is_network_failure(record)
