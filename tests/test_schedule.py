"""`newswatch schedule`: the APScheduler daemon fires runs, catches up a missed one once,
and stops cleanly on SIGTERM."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest

from schedules.daemon import make_trigger
from tests.conftest import REPO, TEST_SETTINGS, write_sources


def daemon(tmp_path, sources, *extra):
    command = [sys.executable, "-m", "newswatch", "schedule", "--tz", "UTC"]
    command += ["--sources", str(sources), "--db", str(tmp_path / "data" / "news.db")]
    command += ["--report-dir", str(tmp_path / "reports")]
    for name, value in TEST_SETTINGS.items():
        command += ["-s", f"{name}={value}"]
    command += extra  # after the test settings, so a test can override them
    return subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def runs(tmp_path) -> list[tuple[int, str]]:
    db = tmp_path / "data" / "news.db"
    if not db.exists():
        return []
    with sqlite3.connect(db) as conn:
        try:
            return conn.execute("SELECT id, status FROM runs ORDER BY id").fetchall()
        except sqlite3.OperationalError:
            return []


def wait_for(condition, timeout=60.0):
    deadline = time.time() + timeout
    while not condition():
        assert time.time() < deadline, "timed out"
        time.sleep(0.2)


def soon(seconds: float) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).strftime("%H:%M:%S")


@pytest.fixture
def sources(site, tmp_path):
    return write_sources(tmp_path / "sources.toml", {"Atom": [f"{site.base}/feeds/atom.xml"]})


def test_trigger_parsing():
    assert str(make_trigger("06:30", None, "Asia/Kolkata")).startswith("cron[")
    assert "hour='6'" in str(make_trigger("06:30", None, "UTC"))
    assert "minute='15'" in str(make_trigger(None, "15 3 * * 1", "UTC"))
    with pytest.raises(ValueError):
        make_trigger("6h30", None, "UTC")


def test_daemon_fires_a_run_and_stops_on_sigterm(tmp_path, sources):
    process = daemon(tmp_path, sources, "--at", soon(3))
    try:
        wait_for(lambda: [s for _, s in runs(tmp_path)] == ["ok"])
    finally:
        process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0


def scheduled_jobs(tmp_path) -> int:
    jobs = tmp_path / "data" / "schedule.db"
    if not jobs.exists():
        return 0
    with sqlite3.connect(jobs) as conn:
        try:
            return conn.execute("SELECT count(*) FROM apscheduler_jobs").fetchone()[0]
        except sqlite3.OperationalError:
            return 0


def test_a_missed_run_is_caught_up_exactly_once_after_a_restart(tmp_path, sources):
    firing = datetime.now(UTC) + timedelta(seconds=6)
    at = firing.strftime("%H:%M:%S")
    first = daemon(tmp_path, sources, "--at", at)
    wait_for(lambda: scheduled_jobs(tmp_path) == 1, timeout=5)  # the job is in the job store
    first.kill()  # the host goes down before the firing
    first.wait()
    time.sleep(max(0.0, (firing - datetime.now(UTC)).total_seconds()) + 1)
    assert runs(tmp_path) == []
    second = daemon(tmp_path, sources, "--at", at)
    try:
        wait_for(lambda: [s for _, s in runs(tmp_path)] == ["ok"])
        time.sleep(3)
        assert len(runs(tmp_path)) == 1
    finally:
        second.send_signal(signal.SIGTERM)
    assert second.wait(timeout=30) == 0


def test_sigterm_during_a_run_lets_it_finish(site, tmp_path, sources):
    site.site.routes["/articles/su30-upgrade.html"].delay = 3.0
    process = daemon(tmp_path, sources, "--once-now", "-s", "DOWNLOAD_TIMEOUT=20")
    wait_for(lambda: site.site.hits()["/articles/su30-upgrade.html"] == 1)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 0
    assert runs(tmp_path) == [(1, "ok")]


def test_a_second_signal_stops_the_running_run_without_a_traceback(site, tmp_path, sources):
    site.site.routes["/articles/su30-upgrade.html"].delay = 8.0
    command = [sys.executable, "-m", "newswatch", "schedule", "--tz", "UTC", "--once-now"]
    command += ["--sources", str(sources), "--db", str(tmp_path / "data" / "news.db")]
    command += ["--report-dir", str(tmp_path / "reports"), "-s", "DOWNLOAD_TIMEOUT=20"]
    for name, value in TEST_SETTINGS.items():
        command += ["-s", f"{name}={value}"]
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wait_for(lambda: site.site.hits()["/articles/su30-upgrade.html"] == 1)
    process.send_signal(signal.SIGINT)  # a terminal's Ctrl-C: the daemon only
    time.sleep(1.0)
    assert runs(tmp_path) == [(1, "running")]  # the run goes on
    process.send_signal(signal.SIGINT)  # again: stop it
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0
    assert b"Traceback" not in stderr
    wait_for(lambda: runs(tmp_path) == [(1, "aborted")], timeout=20)  # its crawl stops
