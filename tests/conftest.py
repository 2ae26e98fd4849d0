"""Shared fixtures: the fixture news site on 127.0.0.1 and a way to run the real CLI."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from pipelines.forest import Forest
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


def assert_monotone(forest: Forest, signs: list[int]) -> None:
    """Along each feature of sign +1 (-1), every other held, the forest's log-odds never
    fall (rise): checked on both sides of every split it makes on the feature, from many
    starting rows. Sign 0: free."""
    rows = np.random.default_rng(0).uniform(0.0, 3.0, (50, len(signs)))
    for column, sign in enumerate(signs):
        cuts = np.unique(forest.threshold[forest.is_split & (forest.feature == column)])
        values = np.sort(np.concatenate([cuts - 1e-9, cuts + 1e-9, [-1.0, 10.0]]))
        for row in rows if sign else ():
            along = np.tile(row, (len(values), 1))
            along[:, column] = values
            assert (np.diff(forest.log_odds(along)) * sign >= -1e-12).all(), column


def stump(column: int, at: float, below: float, above: float) -> dict:
    """A tree (as JSON data) of one split: `below` up to `at` in feature `column`,
    `above` over it."""
    return {"feature": [column, 0, 0], "threshold": [at, 0.0, 0.0], "left": [1, 1, 2],
            "right": [2, 1, 2], "value": [0.0, below, above]}  # fmt: skip


def line_model(feature: str, slope: float, intercept: float, join: float) -> JoinModel:
    """A story join model that looks at one feature, whose log-odds follow
    `slope` * value + `intercept` over [0, 1] in 256 steps, each worth the line at its
    upper end (a value on a step's edge gets the line's own probability): a step of one
    split per edge."""
    steps, column = 256, FEATURES.index(feature)
    rise = slope / steps
    trees = [stump(column, k / steps, 0.0, rise) for k in range(1, steps)]
    return JoinModel("test", Forest.of(intercept + rise, trees), join, 1.01, 0.8)


def cover_model() -> JoinModel:
    """A story join model that looks at one thing: the share of the report's entities that
    its candidate story names (it joins from one half up)."""
    return line_model("entity_cover", 6.0, -3.0, join=0.5)


def headline_model(**thresholds: float) -> JoinModel:
    """A story join model that trusts headline words alone: a report fits a story when
    most of its headline's words are the story's (it joins from .99 unless told)."""
    return replace(line_model("title_overlap", 10.0, -4.0, join=0.99), **thresholds)
