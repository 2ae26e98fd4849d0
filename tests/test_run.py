"""`newswatch run`: the lock, exit codes, reports on disk, logs, and surviving SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from pipelines.store import Store
from schedules.lock import Locked, RunLock
from tests.conftest import REPO, TEST_SETTINGS, run_newswatch, write_sources


def good_sources(site, tmp_path):
    return write_sources(
        tmp_path / "sources.toml",
        {
            "Atom Outlet": [f"{site.base}/feeds/atom.xml"],
            "Fixture RDF": [f"{site.base}/feeds/rdf.xml"],
        },
    )


def run(tmp_path, sources, *extra):
    return run_newswatch(
        "run",
        "--sources",
        str(sources),
        "--db",
        str(tmp_path / "data" / "news.db"),
        "--report-dir",
        str(tmp_path / "reports"),
        *extra,
    )


def test_a_clean_run_exits_0_and_writes_reports_and_logs(site, tmp_path):
    result = run(tmp_path, good_sources(site, tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    reports = tmp_path / "reports"
    assert {"run-1.json", "latest.json", "run-1.md", "run-1.html", "feed.xml"} <= {
        p.name for p in reports.iterdir()
    }
    report = json.loads((reports / "latest.json").read_text())
    assert report["run"]["id"] == 1 and report["run"]["status"] == "ok"
    assert {entry["title"] for entry in report["new"]} == {
        "Rajnath Singh and Andrei Belousov discuss Su-30MKI upgrade",
        "INS Tamal commissioned at Kaliningrad",
    }
    log = (tmp_path / "data" / "logs" / "newswatch.log").read_text()
    assert "run 1 finished: ok" in log


def test_failing_sources_exit_1(site, tmp_path):
    sources = write_sources(
        tmp_path / "sources.toml",
        {"Atom Outlet": [f"{site.base}/feeds/atom.xml"], "Gone": [f"{site.base}/feeds/gone.xml"]},
    )
    result = run(tmp_path, sources)
    assert result.returncode == 1
    assert "Gone: HTTP 404" in result.stdout


def test_bad_configuration_exits_2(site, tmp_path):
    config = tmp_path / "newswatch.toml"
    config.write_text('colour = "red"\n')
    result = run(tmp_path, good_sources(site, tmp_path), "--config", str(config))
    assert result.returncode == 2
    assert "unknown key 'colour'" in result.stderr
    bad_toml = tmp_path / "broken.toml"
    bad_toml.write_text("db = \n")
    assert run(tmp_path, good_sources(site, tmp_path), "--config", str(bad_toml)).returncode == 2


def test_a_second_run_while_one_is_active_exits_75(site, tmp_path):
    db = tmp_path / "data" / "news.db"
    with RunLock(db):
        result = run(tmp_path, good_sources(site, tmp_path))
    assert result.returncode == 75
    (line,) = result.stderr.strip().splitlines()
    assert f"pid {os.getpid()}" in line and "started 20" in line


def test_a_stale_lock_is_taken_over(tmp_path):
    db = tmp_path / "news.db"
    (tmp_path / "news.db.lock").write_text('{"pid": 999999, "started": "2020-01-01T00:00:00"}')
    with RunLock(db) as lock:
        assert json.loads((tmp_path / "news.db.lock").read_text())["pid"] == os.getpid()
        with pytest.raises(Locked, match=f"pid {os.getpid()}"):
            RunLock(db).acquire()
        assert lock.fd is not None


def test_a_failing_notifier_is_recorded_and_does_not_fail_the_run(site, tmp_path):
    config = tmp_path / "newswatch.toml"
    config.write_text('notify = ["json://127.0.0.1:9/hook"]\n')
    result = run(tmp_path, good_sources(site, tmp_path), "--config", str(config))
    assert result.returncode == 0, result.stdout + result.stderr
    with Store(tmp_path / "data" / "news.db") as store:
        (notification,) = json.loads(store.get_run(1)["notifications"])
    assert notification["ok"] is False


def test_sigkill_mid_crawl_then_a_clean_next_run(site, tmp_path):
    for path in ("/articles/su30-upgrade.html", "/articles/talwar-frigate.html"):
        site.site.routes[path].delay = 3.0
    sources = good_sources(site, tmp_path)
    db = tmp_path / "data" / "news.db"
    command = [sys.executable, "-m", "newswatch", "run", "--sources", str(sources), "--db", str(db)]
    command += ["--report-dir", str(tmp_path / "reports")]
    for name, value in {**TEST_SETTINGS, "DOWNLOAD_TIMEOUT": "20"}.items():
        command += ["-s", f"{name}={value}"]
    victim = subprocess.Popen(
        command,
        cwd=REPO,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 30
    while sum(site.site.hits()[p] for p in ("/articles/su30-upgrade.html",)) == 0:
        assert time.time() < deadline, "the crawl never reached the article"
        time.sleep(0.1)
    os.killpg(victim.pid, signal.SIGKILL)
    victim.wait()
    for path in ("/articles/su30-upgrade.html", "/articles/talwar-frigate.html"):
        site.site.routes[path].delay = 0

    result = run(tmp_path, sources)
    assert result.returncode == 0, result.stdout + result.stderr
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT id, status FROM runs ORDER BY id").fetchall() == [
        (1, "aborted"),
        (2, "ok"),
    ]
    urls = [u for (u,) in conn.execute("SELECT url FROM articles")]
    assert sorted(urls) == sorted(set(urls)) and len(urls) == 2
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_report_rebuilds_a_run_or_a_period(site, tmp_path):
    db = str(tmp_path / "data" / "news.db")
    run(tmp_path, good_sources(site, tmp_path))
    rebuilt = tmp_path / "rebuilt"
    result = run_newswatch("report", "--run", "1", "--db", db, "--report-dir", str(rebuilt))
    assert result.returncode == 0, result.stderr
    original = json.loads((tmp_path / "reports" / "run-1.json").read_text())
    assert json.loads((rebuilt / "run-1.json").read_text())["new"] == original["new"]
    since = run_newswatch(
        "report", "--since", "2000-01-01", "--db", db, "--report-dir", str(rebuilt)
    )
    assert since.returncode == 0, since.stderr
    for bad in (["--run", "7"], [], ["--run", "1", "--since", "2000-01-01"]):
        result = run_newswatch("report", *bad, "--db", db, "--report-dir", str(rebuilt))
        assert result.returncode == 2
        assert result.stderr.startswith("newswatch report: ")
