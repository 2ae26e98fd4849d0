"""bench/crawl.py runs end to end on a tiny site: every figure row is printed, the compared
ones as medians over its rounds. Its speeds are the benchmark's to report, not a test's to
assert: only that the script works and the crawls it times stored what they fetched."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_bench_crawl_prints_every_figure_from_its_rounds():
    command = [sys.executable, "bench/crawl.py", "--articles", "12", "--sources", "1"]
    command += ["--feed-items", "30", "--profile-articles", "6", "--rounds", "2", "--page-kb", "10"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    rows = {line[:26].strip(): line[26:].split() for line in result.stdout.splitlines()}
    assert rows["processed"] == ["12", "12"]  # both crawls fetched every article
    assert rows["stored"][0] == rows["stored"][1] != "0"  # and stored the same ones
    assert "rounds" in rows["ratio to extraction"][-2]  # (target ...; rounds a-b)
    assert rows["items kept, capped"] == ["30,", "0", "30,", "0"]  # 30 items, under the cap
    for label in ("extraction only /s", "end to end /s", "longest reactor stall ms"):
        assert label in rows
    assert "the rest (Scrapy, Twisted, HTTP)" in result.stdout
