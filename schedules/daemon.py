"""`newswatch schedule`: an APScheduler daemon that runs `newswatch run` daily, for hosts
without cron.

Each firing runs `newswatch run` as a child process. The job lives in a SQLite job store,
so a run missed while the host was down happens once when the daemon comes back (within
the misfire grace time); `coalesce` folds several missed firings into one.
"""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import threading
from pathlib import Path

from apscheduler.events import EVENT_SCHEDULER_STARTED
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

logger = logging.getLogger("newswatch.schedule")

JOB_ID = "newswatch-run"
MISFIRE_GRACE_SECONDS = 12 * 3600  # a run missed by up to 12 hours still happens
STOP_GRACE_SECONDS = 300  # how long a running child may finish after SIGTERM


def make_trigger(at: str | None, cron: str | None, timezone: str) -> CronTrigger:
    """Daily at HH:MM (or HH:MM:SS), or a five-field crontab expression, in `timezone`."""
    if cron:
        return CronTrigger.from_crontab(cron, timezone=timezone)
    parts = (at or "06:30").split(":")
    if len(parts) not in (2, 3) or not all(p.isdigit() for p in parts):
        raise ValueError(f"--at wants HH:MM, got {at!r}")
    hour, minute, second = (int(p) for p in (*parts, "0")[:3])
    return CronTrigger(hour=hour, minute=minute, second=second, timezone=timezone)


class _Child:
    """The `newswatch run` process of the firing in progress, if any."""

    process: subprocess.Popen | None = None
    lock = threading.Lock()


def fire_run(run_args: list[str]) -> int:
    """The scheduled job: one `newswatch run` in a child process (module-level, so the
    persistent job store can refer to it by name)."""
    with _Child.lock:
        # Its own session: a Ctrl-C in the daemon's terminal reaches the daemon only, which
        # lets the run finish (a second Ctrl-C stops it).
        _Child.process = subprocess.Popen(
            [sys.executable, "-m", "newswatch", "run", *run_args], start_new_session=True
        )
    code = _Child.process.wait()
    logger.info("scheduled run exited with %s", code)
    with _Child.lock:
        _Child.process = None
    return code


def serve(
    trigger: CronTrigger,
    run_args: list[str],
    jobs_db: Path,
    *,
    once_now: bool = False,
    stop_grace: float = STOP_GRACE_SECONDS,
) -> int:
    """Run the scheduler until SIGTERM or SIGINT; then let a running child finish within
    `stop_grace` seconds (terminate it after that) and return 0."""
    jobs_db.parent.mkdir(parents=True, exist_ok=True)
    scheduler = BlockingScheduler(
        jobstores={"default": SQLAlchemyJobStore(url=f"sqlite:///{jobs_db}")},
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": MISFIRE_GRACE_SECONDS,
        },
        timezone=trigger.timezone,
    )

    def install_job(event: object) -> None:
        # Keep a stored job whose schedule is unchanged: it remembers a missed firing.
        stored = scheduler.get_job(JOB_ID)
        if stored is None or str(stored.trigger) != str(trigger) or stored.args != (run_args,):
            scheduler.add_job(fire_run, trigger, args=[run_args], id=JOB_ID, replace_existing=True)
        if once_now:
            scheduler.add_job(fire_run, args=[run_args], id=f"{JOB_ID}-now", replace_existing=True)
        logger.info("next run at %s", scheduler.get_job(JOB_ID).next_run_time)
        scheduler.resume()

    signals_seen = 0

    def stop(signum: int, frame: object) -> None:
        """First signal: no new runs, a running one may finish. Second: stop it too."""
        nonlocal signals_seen
        signals_seen += 1
        if signals_seen == 1:
            logger.info("signal %s: no new runs; waiting for a running one", signum)
            scheduler.shutdown(wait=False)
            return
        with _Child.lock:
            child = _Child.process
        if child is not None and child.poll() is None:
            logger.info("signal %s again: stopping the running run", signum)
            child.terminate()

    scheduler.add_listener(install_job, EVENT_SCHEDULER_STARTED)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    scheduler.start(paused=True)
    _finish_child(stop_grace)
    return 0


def _finish_child(grace: float) -> None:
    with _Child.lock:
        child = _Child.process
    if child is None:
        return
    try:
        child.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        logger.warning("run still going after %.0f s: terminating it", grace)
        child.terminate()
        child.wait()
