"""Shared fixtures: the fixture news site on 127.0.0.1 and a way to run the real CLI."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from pipelines.story_model import FEATURES, JoinModel
from tests.siteserver import FixtureSite, SiteServer

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"

# Fast and deterministic crawls against the loopback server.
TEST_SETTINGS = {
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0",
    "DOWNLOAD_TIMEOUT": "2",
    "RETRY_TIMES": "0",
    "LOG_LEVEL": "WARNING",
    # One process: a worker pool per test crawl would cost its start-up each time;
    # tests/test_workers.py crawls with the pool.
    "NEWSWATCH_WORKERS": "1",
}


@pytest.fixture
def site() -> Iterator[SiteServer]:
    """The fixture site of tests/fixtures/site, plus a page that answers too slowly."""
    fixture_site = FixtureSite()
    with SiteServer(fixture_site) as server:
        fixture_site.add_directory(FIXTURES / "site")
        fixture_site.routes["/articles/slow.html"].delay = 4.0
        yield server


CRAWLING = ("crawl", "backfill", "run", "schedule")


def run_newswatch(
    *args: str,
    settings: dict[str, str] | None = None,
    stdin: str | None = None,
    timeout: float = 120,
):
    """Run `newswatch ARGS` in a child process, as cron would (Scrapy's reactor runs once);
    the commands that crawl get the test's Scrapy settings."""
    command = [sys.executable, "-m", "newswatch", *args]
    if args and args[0] in CRAWLING:
        for name, value in {**TEST_SETTINGS, **(settings or {})}.items():
            command += ["-s", f"{name}={value}"]
    return subprocess.run(
        command,
        cwd=REPO,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def write_sources(path: Path, sources: dict[str, list[str]], **extra: str) -> Path:
    """A sources TOML with one entry per name: its feeds, English, India."""
    entries = []
    for name, feeds in sources.items():
        feed_list = ", ".join(f'"{feed}"' for feed in feeds)
        lines = [
            "[[source]]",
            f'name = "{name}"',
            f"feeds = [{feed_list}]",
            'language = "en"',
            'country = "IN"',
        ]
        lines += [f"{key} = {value}" for key, value in extra.items()]
        entries.append("\n".join(lines))
    path.write_text("\n\n".join(entries) + "\n", encoding="utf-8")
    return path


def cover_model() -> JoinModel:
    """A story join model that looks at one thing: the share of the report's entities that
    its candidate story names (it joins from one half up)."""
    weights = np.zeros(len(FEATURES))
    weights[FEATURES.index("entity_cover")] = 6.0
    zeros, ones = np.zeros(len(FEATURES)), np.ones(len(FEATURES))
    return JoinModel("test", zeros, ones, weights, -3.0, 0.5, 1.01, 0.8)


def headline_model(**thresholds: float) -> JoinModel:
    """A story join model that trusts headline words alone: a report fits a story when
    most of its headline's words are the story's (it joins from .99 unless told)."""
    weights = np.zeros(len(FEATURES))
    weights[FEATURES.index("title_overlap")] = 10.0
    zeros, ones = np.zeros(len(FEATURES)), np.ones(len(FEATURES))
    return replace(JoinModel("test", zeros, ones, weights, -4.0, 0.99, 1.01, 0.8), **thresholds)
