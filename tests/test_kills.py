"""`newswatch run` killed mid-crawl, bad settings, and read commands without a database:
nobody is left running, nothing is reported twice or never, and nothing is created."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import IO

from tests.conftest import REPO, TEST_SETTINGS, run_newswatch, write_sources
from tests.siteserver import Route
from tests.test_storage_failures import add_articles

MISSING_DB = 'no database at {db} (run "newswatch run" first)'


def stat_fields(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name (state, parent PID, ...), None
    when there is no such process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return stat.rpartition(")")[2].split()


def process_state(pid: int) -> str | None:
    """The kernel's state letter of `pid` (R, S, D, Z...), None when there is no such process."""
    fields = stat_fields(pid)
    return fields[0] if fields else None


def is_running(pid: int) -> bool:
    """A zombie is dead: it runs no code and holds no lock, it only waits to be reaped."""
    return process_state(pid) not in (None, "Z", "X")


# Python code that makes Ctrl-C interrupt as it does a command typed in a terminal. A
# program started in the background (`cmd &` in a script) inherits SIGINT ignored, and
# Python then installs no KeyboardInterrupt: tests run that way would fail for nothing.
RESTORE_CTRL_C = "import signal; signal.signal(signal.SIGINT, signal.default_int_handler)"


def descendants(pid: int) -> list[int]:
    """PIDs of the live processes `pid` started, and theirs (its crawl's worker processes)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := stat_fields(int(entry.name))):
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if is_running(child):
                found.append(child)
                todo.append(child)
    return found


def wait_until_gone(pids: list[int], seconds: float = 20) -> float:
    """Seconds until none of `pids` runs any more (at most `seconds`)."""
    started = time.monotonic()
    while any(is_running(pid) for pid in pids) and time.monotonic() - started < seconds:
        time.sleep(0.1)
    return time.monotonic() - started


@contextmanager
def killed_afterwards(*pids: int) -> Iterator[list[int]]:
    """Yields a list of process ids (`pids`, and any added to it): whatever of them still
    runs at the end is killed, so a failed test leaves nobody running."""
    tracked = list(pids)
    try:
        yield tracked
    finally:
        for pid in tracked:
            if is_running(pid):
                os.kill(pid, signal.SIGKILL)


def run_command(sources: Path, db: Path, reports: Path, **settings: str) -> list[str]:
    command = [sys.executable, "-m", "newswatch", "run", "--sources", str(sources)]
    command += ["--db", str(db), "--report-dir", str(reports)]
    for name, value in {**TEST_SETTINGS, **settings}.items():
        command += ["-s", f"{name}={value}"]
    return command


def reported_urls(reports: Path) -> Counter[str]:
    """How many times each article is listed across every run-N.json: as an entry of `new`
    or `updates`, or in an entry's `also`."""
    seen: Counter[str] = Counter()
    for path in sorted(reports.glob("run-*.json")):
        report = json.loads(path.read_text())
        for entry in report["new"] + report["updates"]:
            seen[entry["url"]] += 1
            for other in entry["also"]:
                seen[other["url"]] += 1
    return seen


def start_slow_run(
    site, tmp_path, count: int, stderr: IO[str] | int = subprocess.DEVNULL
) -> tuple[subprocess.Popen, Path, Path, Path]:
    """`newswatch run`, with its worker processes, over `count` slow articles, once it has
    stored two of them."""
    add_articles(site.site, site.base, count, delay=0.4)
    sources = write_sources(tmp_path / "sources.toml", {"Feed": [f"{site.base}/feed.rss"]})
    db = tmp_path / "data" / "news.db"
    reports = tmp_path / "reports"
    command = run_command(
        sources, db, reports, CONCURRENT_REQUESTS_PER_DOMAIN="1", NEWSWATCH_WORKERS="2"
    )
    run = subprocess.Popen(
        command,
        cwd=REPO,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=stderr,
    )
    deadline = time.monotonic() + 60
    stored = 0
    while stored < 2:  # some articles are stored by the run about to be stopped
        assert run.poll() is None, "the run ended before it could be stopped"
        assert time.monotonic() < deadline, "the crawl stored nothing"
        time.sleep(0.1)
        if db.exists():
            with closing(sqlite3.connect(db, timeout=5)) as conn:
                try:
                    (stored,) = conn.execute("SELECT count(*) FROM articles").fetchone()
                except sqlite3.OperationalError:  # schema not there yet
                    stored = 0
    holder = json.loads(Path(f"{db}.lock").read_text())
    assert holder["pid"] == run.pid
    return run, sources, db, reports


def finish_site(site, count: int) -> None:
    for n in range(count):
        site.site.routes[f"/a/{n}.html"].delay = 0


def stories_of_run(db: Path, run_id: int) -> set[str]:
    with closing(sqlite3.connect(db)) as conn:
        rows = conn.execute(
            "SELECT story_id FROM articles WHERE run_id = ? AND status = 'relevant'", (run_id,)
        ).fetchall()
    return {story for (story,) in rows}


def check_everything_reported_once(db: Path, reports: Path, count: int) -> None:
    with closing(sqlite3.connect(db)) as conn:
        relevant = [
            u for (u,) in conn.execute("SELECT url FROM articles WHERE status = 'relevant'")
        ]
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert len(relevant) == count
    listed = reported_urls(reports)
    assert {url: listed[url] for url in relevant} == {url: 1 for url in relevant}


def test_a_run_killed_outright_leaves_nobody_running_and_the_next_reports_its_stories(
    site, tmp_path
):
    count = 12
    run, sources, db, reports = start_slow_run(site, tmp_path, count)
    workers = descendants(run.pid)
    with killed_afterwards(run.pid, *workers):
        assert workers, "the crawl's worker processes did not start"
        os.kill(run.pid, signal.SIGKILL)
        run.wait()
        took = wait_until_gone(workers)
    assert took < 10, f"the run's worker processes outlived it by {took:.1f} s"
    killed_stories = stories_of_run(db, 1)
    assert killed_stories
    assert not (reports / "run-1.json").exists()

    finish_site(site, count)
    result = run_newswatch(
        "run", "--sources", str(sources), "--db", str(db), "--report-dir", str(reports)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads((reports / "run-2.json").read_text())
    assert report["runs"] == [1, 2]
    assert killed_stories <= {entry["story"] for entry in report["new"]}
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("SELECT id, status FROM runs ORDER BY id").fetchall() == [
            (1, "aborted"),  # marked by the next run: the killed one could not
            (2, "ok"),
        ]
    check_everything_reported_once(db, reports, count)


def test_sigterm_stops_the_crawl_gracefully_and_the_run_reports_what_it_stored(site, tmp_path):
    count = 12
    run, sources, db, reports = start_slow_run(site, tmp_path, count)
    workers = descendants(run.pid)
    stopped_at = time.monotonic()
    with killed_afterwards(run.pid, *workers):
        os.kill(run.pid, signal.SIGTERM)
        code = run.wait(timeout=30)
        took = time.monotonic() - stopped_at
        gone = wait_until_gone(workers)
    assert code == 1  # the run was cut short
    assert took < 10, f"the run took {took:.1f} s to stop"
    assert gone < 5
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("SELECT status FROM runs WHERE id = 1").fetchone() == ("aborted",)
    stored_stories = stories_of_run(db, 1)
    report = json.loads((reports / "run-1.json").read_text())
    assert stored_stories and stored_stories == {entry["story"] for entry in report["new"]}

    finish_site(site, count)
    result = run_newswatch(
        "run", "--sources", str(sources), "--db", str(db), "--report-dir", str(reports)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads((reports / "run-2.json").read_text())["runs"] == [2]
    check_everything_reported_once(db, reports, count)


def test_ctrl_c_stops_the_crawl_and_its_workers_without_a_traceback(site, tmp_path):
    """Ctrl-C reaches every process of the terminal's group: the crawl stops in order, its
    workers leave that to it and end with it."""
    with open(tmp_path / "stderr.txt", "w") as stderr:
        run, *_ = start_slow_run(site, tmp_path, 12, stderr=stderr)
        workers = descendants(run.pid)
        with killed_afterwards(run.pid, *workers):
            assert workers, "the crawl's worker processes did not start"
            os.killpg(run.pid, signal.SIGINT)
            run.wait(timeout=30)
            gone = wait_until_gone(workers)
    assert gone < 5
    assert "Traceback" not in (tmp_path / "stderr.txt").read_text()


def test_a_bad_setting_value_exits_2_in_one_line(site, tmp_path):
    sources = write_sources(tmp_path / "sources.toml", {"Atom": [f"{site.base}/feeds/atom.xml"]})
    db = tmp_path / "data" / "news.db"
    result = run_newswatch(
        "run",
        "--sources",
        str(sources),
        "--db",
        str(db),
        "--report-dir",
        str(tmp_path / "reports"),
        settings={"DOWNLOAD_TIMEOUT": "abc"},
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("newswatch run: ") and "DOWNLOAD_TIMEOUT" in line and "abc" in line
    assert sum(site.site.hits().values()) == 0  # nothing crawled


def test_a_list_setting_in_the_config_file_reaches_the_crawl(site, tmp_path):
    fixture = site.site
    # A 500 is retried only if RETRY_HTTP_CODES (from the config) reached the crawl.
    fixture.queue("/articles/su30-upgrade.html", Route(body=b"oops", status=500))
    sources = write_sources(tmp_path / "sources.toml", {"Atom": [f"{site.base}/feeds/atom.xml"]})
    config = tmp_path / "newswatch.toml"
    config.write_text("[settings]\nRETRY_HTTP_CODES = [500, 502]\nRETRY_TIMES = 1\n")
    db = tmp_path / "data" / "news.db"
    command = [sys.executable, "-m", "newswatch", "run", "--config", str(config)]
    command += ["--sources", str(sources), "--db", str(db), "--report-dir", str(tmp_path / "r")]
    for name, value in TEST_SETTINGS.items():
        if name != "RETRY_TIMES":  # the config's value, not the tests' default 0
            command += ["-s", f"{name}={value}"]
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert fixture.hits()["/articles/su30-upgrade.html"] == 2
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("SELECT count(*) FROM articles").fetchone() == (1,)


def test_read_commands_on_a_missing_database_exit_2_and_create_nothing(tmp_path):
    db = tmp_path / "nowhere" / "news.db"
    commands = {
        "search": ["search", "S-400"],
        "stories": ["stories"],
        "sources": ["sources"],
        "export": ["export"],
        "retag": ["retag"],
        "report": ["report", "--run", "1", "--report-dir", str(tmp_path / "nowhere" / "r")],
    }
    processes = {
        name: subprocess.Popen(
            [sys.executable, "-m", "newswatch", *args, "--db", str(db)],
            cwd=tmp_path,  # so that a data/ directory made in the working directory shows
            env={**os.environ, "PYTHONPATH": str(REPO)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, args in commands.items()
    }
    for name, process in processes.items():
        stdout, stderr = process.communicate(timeout=120)
        assert process.returncode == 2, (name, stdout, stderr)
        assert stderr == f"newswatch {name}: {MISSING_DB.format(db=db)}\n", (name, stderr)
        assert stdout == "", (name, stdout)
    assert list(tmp_path.iterdir()) == []  # no database, no parent dir, no data/ in the cwd
