"""One whole cycle for cron: lock, crawl in a child process, report, notify.

The crawl runs in a child process because Twisted's reactor cannot restart within one
process; its items and stats reach this process through the database. The child
inherits the lock, so a run killed mid-crawl keeps others out until its child is gone,
and the child is told to stop (SIGTERM, a graceful Scrapy shutdown) when this process
dies, however it dies.
"""

from __future__ import annotations

import ctypes
import logging
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import Path
from typing import Any

from crawlers.sources import load_sources
from pipelines.store import Store
from schedules.lock import RunLock
from schedules.notify import notify, notify_urls
from schedules.render import DEFAULT_ZONE
from schedules.report import build_report, has_news, write_reports

logger = logging.getLogger("newswatch.run")

EXIT_OK, EXIT_FAILURES, EXIT_USAGE, EXIT_LOCKED = 0, 1, 2, 75


@dataclass
class RunOptions:
    db: Path
    report_dir: Path
    sources_file: str | None = None
    lexicon_file: str | None = None
    config_file: str | None = None
    set_args: list[str] = field(default_factory=list)  # the user's own `-s NAME=VALUE`s
    notify: list[str] = field(default_factory=list)
    timezone: tzinfo = DEFAULT_ZONE  # the zone reports and digests show times in
    notify_empty: bool = False  # send the digest even when the run found nothing


@dataclass
class RunResult:
    run: dict[str, Any]
    errors: list[dict[str, Any]]
    reports: dict[str, Path]
    notifications: list[dict[str, Any]]
    report: dict[str, Any]
    failing_since: dict[str, str]  # failing source -> the start of its failing streak
    report_error: str | None = None  # why the report files could not be written

    @property
    def exit_code(self) -> int:
        return EXIT_OK if self.run["status"] == "ok" and not self.report_error else EXIT_FAILURES


def run_cycle(options: RunOptions) -> RunResult:
    """Crawl every enabled source once, then build and deliver the report of this run.

    Raises schedules.lock.Locked when another run is active.
    """
    registry = load_sources(options.sources_file)
    with RunLock(options.db) as lock, Store(options.db) as store:
        for stale in store.abort_stale_runs():
            logger.warning("run %s was killed before it finished: marked aborted", stale)
        store.sync_sources(registry)
        run_id = store.start_run()
        logger.info("run %s started", run_id)
        started = time.perf_counter()
        returncode = crawl_in_child(options, run_id, lock.fileno)
        logger.info("crawl of run %s took %.2f s", run_id, time.perf_counter() - started)
        if returncode not in (EXIT_OK, EXIT_FAILURES):  # 1 only says some sources failed
            logger.error("crawl process of run %s exited with %s", run_id, returncode)
        store.abort_run_if_running(run_id)
        report = build_report(store, run_id)
        try:
            reports = write_reports(report, options.report_dir, store, zone=options.timezone)
            report_error = None
        except OSError as exc:  # a read-only or full report folder: the digest still goes
            reports, report_error = {}, f"{options.report_dir}: {exc.strerror or exc}"
            logger.error("reports of run %s not written: %s", run_id, report_error)
        # Once the report is on disk (or, without files, delivered), the runs it covers
        # are never reported again.
        if reports:
            store.mark_reported(report["runs"], run_id)
        notifications = send_digest(report, options)
        if not reports and any(n["ok"] for n in notifications):
            store.mark_reported(report["runs"], run_id)
        store.record_notifications(run_id, notifications)
        run = store.get_run(run_id)
        errors = store.run_errors(run_id)
        failing_since = {
            s["name"]: s["failing_since"] for s in report["sources"] if s.get("failing_since")
        }
    logger.info("run %s finished: %s", run_id, run["status"])
    return RunResult(run, errors, reports, notifications, report, failing_since, report_error)


def send_digest(report: dict[str, Any], options: RunOptions) -> list[dict[str, Any]]:
    """Deliver the run's digest to every notifier, unless it has nothing to say and the
    config does not ask for empty digests (`notify_empty`)."""
    if not (has_news(report) or options.notify_empty):
        logger.info("run %s: nothing new, no digest sent", report["run"]["id"])
        return []
    return notify(report, notify_urls(options.notify), zone=options.timezone)


def crawl_in_child(options: RunOptions, run_id: int, lock_fd: int) -> int:
    """Run `newswatch crawl --run-id` in a child process and log what it prints.

    The child gets the config file and the user's `-s` strings as they were given, so it
    reads the same typed settings this process checked."""
    command = [sys.executable, "-m", "newswatch", "crawl", "--run-id", str(run_id)]
    command += ["--db", str(options.db)]
    for flag, value in (
        ("--config", options.config_file),
        ("--sources", options.sources_file),
        ("--lexicon", options.lexicon_file),
    ):
        if value:
            command += [flag, str(value)]
    for setting in options.set_args:
        command += ["-s", setting]
    child = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        pass_fds=(lock_fd,),
        preexec_fn=_stop_when_parent_dies(os.getpid()),
    )
    crawl_log = logging.getLogger("newswatch.crawl")
    for line in child.stdout:
        level, message = child_record(line.rstrip())
        crawl_log.log(level, message)
    return child.wait()


_RECORD = re.compile(r"^\S+ \S+ \[(?P<name>[^\]]+)\] (?P<level>[A-Z]+): (?P<message>.*)$")


def child_record(line: str) -> tuple[int, str]:
    """A line the crawl child wrote, at the level the child logged it (its printed summary
    at INFO): its warnings stay warnings here, its chatter stays out of stderr."""
    match = _RECORD.match(line)
    if match and isinstance(level := logging.getLevelName(match["level"]), int):
        return level, f"[{match['name']}] {match['message']}"
    return logging.INFO, line


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _stop_when_parent_dies(parent: int) -> Callable[[], None] | None:
    """For the child, before it runs: ask the kernel for SIGTERM when this process dies
    (Linux), and give up at once if it already has. Elsewhere, the lock still keeps a new
    run out until the orphaned child ends."""
    if not sys.platform.startswith("linux"):
        return None

    def arrange() -> None:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:
            os._exit(1)

    return arrange
