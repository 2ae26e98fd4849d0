"""One whole cycle for cron: lock, crawl, report, notify.

The crawl runs in this process (Scrapy's reactor runs once per process, so a cycle is
one process: the daemon starts a `newswatch run` per firing); its items and stats reach
the report through the database. SIGTERM or SIGINT stops the crawl gracefully (within a
few seconds, see crawlers/process.py) and the run still reports what it stored; a run
killed outright is marked aborted by the next one, which reports its stories.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import Path
from typing import Any

from crawlers.sources import Source
from pipelines.store import Store
from schedules.lock import RunLock
from schedules.notify import notify, notify_urls
from schedules.render import DEFAULT_ZONE
from schedules.report import build_report, has_news, write_reports

logger = logging.getLogger("newswatch.run")

EXIT_OK, EXIT_FAILURES = 0, 1


@dataclass
class RunOptions:
    db: Path
    report_dir: Path
    sources: list[Source]  # the registry: every source is on record, enabled or not
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


def run_cycle(options: RunOptions, crawl: Callable[[int], None]) -> RunResult:
    """Crawl every enabled source once with `crawl(run_id)`, then build and deliver the
    report of this run.

    Raises schedules.lock.Locked when another run is active.
    """
    with RunLock(options.db), Store(options.db) as store:
        for stale in store.abort_stale_runs():
            logger.warning("run %s was killed before it finished: marked aborted", stale)
        store.sync_sources(options.sources)
        run_id = store.start_run()
        logger.info("run %s started", run_id)
        started = time.perf_counter()
        try:
            crawl(run_id)
        except Exception as exc:  # a bug in the crawl: what it stored is still reported
            logger.error("crawl of run %s failed: %s: %s", run_id, type(exc).__name__, exc)
            logger.debug("crawl of run %s failed", run_id, exc_info=True)
        logger.info("crawl of run %s took %.2f s", run_id, time.perf_counter() - started)
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
