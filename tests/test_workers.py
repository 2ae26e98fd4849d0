"""Extraction and feed parsing in worker processes: same articles as in-process, the
per-feed item cap, and a dying worker costing only its own task."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from crawlers.sources import load_sources
from crawlers.workers import (
    WorkerCrashed,
    WorkerPool,
    _compiled,
    extract_page,
    overrides_table,
)
from pipelines.store import Store
from tests.conftest import FIXTURES, run_newswatch, write_sources

ROOT = Path(__file__).resolve().parents[1]
PAGE = (FIXTURES / "site" / "articles" / "talwar-frigate.html").read_bytes()


def crawl_with(site: Any, tmp_path: Path, workers: int) -> dict[str, Any]:
    """What a crawl of the fixture site stored: each article's verdict and tags, and which
    articles share a story (story ids follow the order articles arrive in)."""
    base = site.base
    sources = write_sources(
        tmp_path / "sources.toml",
        {
            "Fixture Daily": [f"{base}/feeds/defence.rss", f"{base}/feeds/rdf.xml"],
            "Atom Outlet": [f"{base}/feeds/atom.xml"],
            "Sitemap Outlet": [f"{base}/sitemaps/index.xml"],
        },
    )
    db = tmp_path / f"workers-{workers}.db"
    settings = {"NEWSWATCH_WORKERS": str(workers)}
    run_newswatch("crawl", "--sources", str(sources), "--db", str(db), settings=settings)
    with Store(db) as store:
        rows = list(store.iter_articles())
        tags = {
            row["url"]: sorted(
                tag["tag"]
                for tag in store.db["article_tags"].rows_where("article_id = ?", [row["id"]])
            )
            for row in rows
        }
    stories: dict[int, set[str]] = {}
    for row in rows:
        stories.setdefault(row["story_id"], set()).add(row["url"].removeprefix(base))
    return {
        "articles": {
            row["url"].removeprefix(base): (row["status"], row["relevance"], tags[row["url"]])
            for row in rows
        },
        "stories": {frozenset(urls) for urls in stories.values()},
    }


def test_two_workers_store_what_one_process_stores(site, tmp_path):
    """Verdicts, tags and stories read in the workers are those read in-process."""
    in_process = crawl_with(site, tmp_path, 1)
    assert len(in_process["articles"]) == 5
    assert crawl_with(site, tmp_path, 2) == in_process


def test_a_long_feed_is_cut_to_its_newest_items(site, tmp_path):
    newest = datetime(2025, 12, 1, 9, tzinfo=UTC)
    # Shuffled dates: the cap keeps the newest, not the first in the feed.
    order = [(n * 7) % 50 for n in range(50)]
    items = "".join(
        f"<item><title>Item {n}</title><link>{site.base}/items/{n}.html</link>"
        f"<pubDate>{format_datetime(newest - timedelta(hours=n))}</pubDate></item>"
        for n in order
    )
    site.site.add(
        "/feeds/long.rss",
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Long</title>{items}'
        "</channel></rss>",
        content_type="application/rss+xml",
    )
    for n in range(50):
        site.site.add(f"/items/{n}.html", f"<html><body><p>Item {n}</p></body></html>")
    sources = write_sources(tmp_path / "sources.toml", {"Long": [f"{site.base}/feeds/long.rss"]})
    db = tmp_path / "long.db"
    settings = {"NEWSWATCH_MAX_ITEMS_PER_FEED": "10", "NEWSWATCH_WORKERS": "2"}
    run_newswatch("crawl", "--sources", str(sources), "--db", str(db), settings=settings)
    hits = site.site.hits()
    assert {n for n in range(50) if hits[f"/items/{n}.html"]} == set(range(10))
    with Store(db) as store:
        counters = store.get_run(1)["stats"]["sources"]["Long"]
        assert store.count("articles") <= 10
    assert (counters["items_seen"], counters["items_capped"]) == (10, 40)


def test_a_dying_worker_costs_its_own_task_only():
    async def run() -> list[Any]:
        pool = WorkerPool(2)
        try:
            page = {"fallback": {}, "encoding": "utf-8", "tz": None, "overrides": None}
            page["lexicon"] = None
            tasks = [
                pool.run(extract_page, PAGE, f"http://a.example/{n}", **page) for n in range(4)
            ]
            results = await asyncio.gather(*tasks, pool.run(os._exit, 1), return_exceptions=True)
            after = await pool.run(extract_page, PAGE, "http://a.example/after", **page)
            assert pool.replaced == 1
            return [*results, after]
        finally:
            pool.close()

    *pages, crashed, after = asyncio.run(run())
    assert isinstance(crashed, WorkerCrashed)
    titles = {result["title"] for result in [*pages, after]}
    assert titles == {"INS Tamal commissioned at Kaliningrad"}


def test_a_pool_given_no_task_starts_no_process():
    # A crawl whose feeds are all unchanged parses nothing: its pool must cost nothing,
    # not even multiprocessing's resource tracker (a Python process of its own).
    code = (
        "import os; from crawlers.workers import WorkerPool; WorkerPool(2).close();"
        "print(sum(len(open(f'/proc/self/task/{t}/children').read().split())"
        " for t in os.listdir('/proc/self/task')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "0"


def test_overrides_cross_to_the_workers_as_selector_texts(tmp_path):
    path = tmp_path / "sources.toml"
    path.write_text(
        '[[source]]\nname = "C"\nfeeds = ["https://c.example/feed"]\nlanguage = "en"\n'
        'country = "IN"\n[source.extract]\ntitle = "h2.title"\nbody = "//div[@id=\'story\']"\n'
        'drop = ["aside", ".promo"]\n',
        encoding="utf-8",
    )
    (source,) = load_sources(path)
    assert _compiled(overrides_table(source.extract)) == source.extract
