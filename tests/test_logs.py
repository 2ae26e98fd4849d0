"""What a cron job mails: one line per problem on stderr, tracebacks only in the log files."""

from __future__ import annotations

import socket

from tests.conftest import run_newswatch, write_sources


def closed_port() -> int:
    """A port on 127.0.0.1 nothing listens on: connections are refused."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_no_source_reachable_is_one_line_and_the_detail_is_in_the_log(tmp_path):
    port = closed_port()
    sources = write_sources(
        tmp_path / "s.toml",
        {name: [f"http://127.0.0.1:{port}/{name}.xml"] for name in ("A", "B", "C")},
    )
    db = tmp_path / "data" / "news.db"
    result = run_newswatch(
        "run", "--sources", str(sources), "--db", str(db), "--report-dir", str(tmp_path / "r")
    )
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "no source could be reached (3 sources; Connection was refused by other side: 111: "
        "Connection refused.): is the network down?"
    ] or (len(result.stderr.splitlines()) == 1 and "is the network down?" in result.stderr), (
        result.stderr
    )
    assert "run 1: failed; 0 new stories, 0 updated, 0 for review" in result.stdout
    logs = tmp_path / "data" / "logs"
    assert sorted(p.name for p in logs.iterdir()) == ["run.log"]  # the crawl is the run's
    run_log = (logs / "run.log").read_text()
    assert "DEBUG: " in run_log and "Connection was refused" in run_log


def test_a_failing_source_among_good_ones_is_one_line_with_its_reason(site, tmp_path):
    port = closed_port()
    sources = write_sources(
        tmp_path / "s.toml",
        {
            "Good": [f"{site.base}/feeds/atom.xml"],
            "Gone": [f"http://127.0.0.1:{port}/a.xml", f"http://127.0.0.1:{port}/b.xml"],
        },
    )
    db = tmp_path / "data" / "news.db"
    result = run_newswatch(
        "run", "--sources", str(sources), "--db", str(db), "--report-dir", str(tmp_path / "r")
    )
    assert result.returncode == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"Gone: connection refused — http://127.0.0.1:{port}/")
    assert "(and 1 more)" in line
    assert "Traceback" not in result.stderr
