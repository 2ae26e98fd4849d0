"""`newswatch run`: the lock, exit codes, reports on disk, logs, and surviving SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from pipelines.article import Article
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
    log = (tmp_path / "data" / "logs" / "run.log").read_text()
    assert "run 1 finished: ok" in log


def test_failing_sources_exit_1(site, tmp_path):
    sources = write_sources(
        tmp_path / "sources.toml",
        {"Atom Outlet": [f"{site.base}/feeds/atom.xml"], "Gone": [f"{site.base}/feeds/gone.xml"]},
    )
    result = run(tmp_path, sources)
    assert result.returncode == 1
    assert "Gone: HTTP 404" in result.stderr


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
    for bad in (["--run", "7"], [], ["--run", "1", "--since", "2000-01-01"], ["--since", "May"]):
        result = run_newswatch("report", *bad, "--db", db, "--report-dir", str(rebuilt))
        assert result.returncode == 2
        assert result.stderr.startswith("newswatch report: ")


@pytest.fixture
def hook() -> Iterator[tuple[list[dict[str, Any]], str]]:
    """A webhook on 127.0.0.1 keeping the JSON it receives, and its apprise URL."""
    received: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield received, f"json://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()
    server.server_close()


def test_nothing_new_sends_no_digest_unless_notify_empty(site, tmp_path, hook, monkeypatch):
    received, url = hook
    monkeypatch.delenv("NEWSWATCH_NOTIFY", raising=False)
    sources = good_sources(site, tmp_path)
    config = tmp_path / "newswatch.toml"
    config.write_text(f'notify = ["{url}"]\n')
    first = run(tmp_path, sources, "--config", str(config))
    assert first.returncode == 0, first.stdout + first.stderr
    assert len(received) == 1
    second = run(tmp_path, sources, "--config", str(config))  # the same feeds: nothing new
    assert second.returncode == 0 and len(received) == 1
    log = (tmp_path / "data" / "logs" / "run.log").read_text()
    assert "run 2: nothing new, no digest sent" in log
    assert json.loads((tmp_path / "reports" / "latest.json").read_text())["run"]["id"] == 2
    assert (tmp_path / "reports" / "run-2.html").exists()  # the report is still written
    config.write_text(f'notify = ["{url}"]\nnotify_empty = true\n')
    run(tmp_path, sources, "--config", str(config))
    assert len(received) == 2 and received[1]["title"].startswith("newswatch run 3: 0 new")


def reported_runs(db: Path) -> None:
    """Two runs, each reported, with a clock that puts them on 25 Nov 2026 in India
    (24 Nov in UTC)."""
    with Store(db, clock=lambda: "2026-11-24T20:00:00+00:00") as store:
        for n in (1, 2):
            run_id = store.start_run()
            article = Article(
                url=f"https://pti.example/{n}",
                source="pti",
                title=f"Story {n}",
                published="2026-11-24T20:00:00+00:00",
            )
            store.save_article(article, run_id)
            store.finish_run(run_id, "ok", {"articles": {}, "sources": {}})
            store.mark_reported([run_id], run_id)


def files(directory: Path) -> dict[str, tuple[int, str]]:
    return {p.name: (p.stat().st_mtime_ns, p.read_text()) for p in directory.iterdir()}


def test_report_rewrites_only_its_own_files(tmp_path):
    db, out = tmp_path / "news.db", tmp_path / "reports"
    reported_runs(db)

    def report(*flags: str) -> subprocess.CompletedProcess:
        result = run_newswatch("report", *flags, "--db", str(db), "--report-dir", str(out))
        assert result.returncode == 0, result.stderr
        return result

    report("--run", "2")
    before = files(out)
    assert {"run-2.json", "latest.json", "feed.xml"} <= set(before)
    report("--run", "1")  # an older run: its own files, never latest.*
    after = files(out)
    assert set(after) - set(before) == {"run-1.json", "run-1.md", "run-1.html"}
    assert all(after[name] == before[name] for name in before)
    printed = report("--since", "2026-11-25").stdout  # a day in India (the default zone)
    digest = "digest-2026-11-25-2026-11-25"
    assert set(files(out)) - set(after) == {f"{digest}.json", f"{digest}.md", f"{digest}.html"}
    assert all(files(out)[name] == after[name] for name in after)
    assert f"markdown: {out / digest}.md" in printed
    assert "# newswatch digest 2026-11-25 to 2026-11-25" in (out / f"{digest}.md").read_text()


def test_the_config_sets_the_zone_of_report_times(tmp_path):
    db, config = tmp_path / "news.db", tmp_path / "newswatch.toml"
    reported_runs(db)
    config.write_text('timezone = "Europe/Moscow"\n')
    flags = ["--db", str(db), "--config", str(config), "--report-dir", str(tmp_path)]
    result = run_newswatch("report", "--run", "1", *flags)
    assert result.returncode == 0, result.stderr
    assert "pti · 24 Nov 2026, 23:00 MSK" in (tmp_path / "run-1.md").read_text()


@pytest.mark.parametrize(
    ("config", "error"),
    [
        (
            'timezone = "Asia/Kolkatta"',
            "timezone: unknown time zone 'Asia/Kolkatta'; did you mean 'Asia/Kolkata'?",
        ),
        ("timezone = 5", "key 'timezone' = 5: expected a time zone name such as Asia/Kolkata"),
        ('notify_empty = "yes"', "key 'notify_empty' = 'yes': expected true or false"),
    ],
)
def test_a_bad_timezone_or_notify_empty_exits_2_in_one_line(tmp_path, config, error):
    path = tmp_path / "newswatch.toml"
    path.write_text(config + "\n")
    result = run_newswatch("report", "--run", "1", "--config", str(path))
    assert result.returncode == 2
    assert result.stderr == f"newswatch report: {path}: {error}\n"


def test_a_write_lock_held_at_the_start_is_waited_for(site, tmp_path):
    sources = write_sources(tmp_path / "s.toml", {"Atom Outlet": [f"{site.base}/feeds/atom.xml"]})
    db = tmp_path / "data" / "news.db"
    Store(db).close()
    holder = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")  # another process writing, for 3 s of a 10 s timeout
    threading.Timer(3.0, holder.rollback).start()
    result = run_newswatch(
        "run", "--sources", str(sources), "--db", str(db), "--report-dir", str(tmp_path / "r")
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "run 1: ok" in result.stdout


def test_reports_that_cannot_be_written_still_go_out_as_the_digest(site, tmp_path, hook):
    received, url = hook
    sources = write_sources(tmp_path / "s.toml", {"Atom Outlet": [f"{site.base}/feeds/atom.xml"]})
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")  # the report folder's parent is a file: nothing can be written
    config = tmp_path / "newswatch.toml"
    config.write_text(f'notify = ["{url}"]\n')
    result = run_newswatch(
        "run", "--config", str(config), "--sources", str(sources),
        "--db", str(tmp_path / "data" / "news.db"), "--report-dir", str(blocker / "reports"),
    )  # fmt: skip
    assert result.returncode == 1
    assert f"reports not written: {blocker / 'reports'}" in result.stderr
    (digest,) = received
    assert "su30-upgrade.html" in digest["message"]  # the report, inline
