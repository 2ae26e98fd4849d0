"""End-to-end crawl throughput: a loopback site of N generated articles into SQLite.

    python bench/crawl.py [--articles 2000] [--sources 10]

Prints articles per second of `newswatch crawl` (child process, as in production),
its peak memory, and the extraction-only rate over the same pages in this process;
the issue asks for end-to-end at least 0.7x the extraction-only rate.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawlers.extract import extract  # noqa: E402
from pipelines.store import Store  # noqa: E402
from tests.siteserver import FixtureSite, SiteServer  # noqa: E402

PROFILE = (
    ["-m", "cProfile", "-o", "/tmp/crawl.prof"] if "PROFILE" in __import__("os").environ else []
)
WORDS = (
    "India Russia defence S-400 squadron delivery BrahMos missile Su-30MKI upgrade HAL "
    "contract ministry officials said on Tuesday that the second batch would arrive "
    "before the end of the year despite sanctions and payment problems in rupees and "
    "roubles the navy frigate Talwar class Yantar shipyard Kaliningrad trials crew"
).split()
# Distinct stories need distinct words: with the topic words alone every page would be a
# near-copy of every other, and the dedup stage would compare each with all of them.
FILLER = [
    "".join(random.Random(i).choices("abdefghiklmnoprstuvy", k=random.Random(-i).randint(3, 9)))
    for i in range(5000)
]


def sentence(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(4, 8)) + rng.choices(FILLER, k=rng.randint(10, 20))
    rng.shuffle(words)
    return " ".join(words).capitalize() + "."


def boilerplate(rng: random.Random, kilobytes: int) -> tuple[str, str]:
    """Head and page furniture (styles, scripts, menus, teasers) of about `kilobytes` KB.

    Real news pages are mostly this (the median page of ../shared/fixtures/articles is
    254 KB, a few of them text). Link-dense teasers cost the extractor more per byte than
    real markup, so 100 KB of them cost what a median real page does.
    """
    style = (
        "<style>"
        + "".join(
            f".c{i}{{margin:{i % 9}px;padding:{i % 7}px;color:#{i % 4096:03x}}}" for i in range(400)
        )
        + "</style>"
    )
    script = (
        "<script>window.__CONFIG__="
        + json.dumps(
            {f"slot{i}": {"size": [300, 250], "targeting": sentence(rng)} for i in range(60)}
        )
        + "</script>"
    )
    head = style + script
    blocks = []
    while sum(map(len, blocks)) + len(head) < kilobytes * 1024:
        links = "".join(
            f"<li class='c{i}'><a href='/section/{i}'>{sentence(rng)[:60]}</a></li>"
            for i in range(20)
        )
        blocks.append(f"<div class='teasers'><ul>{links}</ul></div>")
    half = len(blocks) // 2
    return head, ("".join(blocks[:half]), "".join(blocks[half:]))


def article_page(rng: random.Random, number: int, base: str, kilobytes: int) -> str:
    title = f"Story {number}: " + " ".join(rng.choices(WORDS, k=7))
    paragraphs = "\n".join(
        f"<p>{' '.join(sentence(rng) for _ in range(rng.randint(2, 4)))}</p>"
        for _ in range(rng.randint(5, 10))
    )
    head, (above, below) = boilerplate(rng, kilobytes)
    ld = json.dumps(
        {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": title,
            "datePublished": f"2025-12-{1 + number % 28:02d}T09:00:00+05:30",
            "author": {"@type": "Person", "name": f"Reporter {number % 37}"},
        }
    )
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{title} | Bench Daily</title>
<link rel="canonical" href="{base}/a/{number}.html">
<meta property="og:title" content="{title}"><meta property="og:site_name" content="Bench Daily">
<script type="application/ld+json">{ld}</script>{head}</head>
<body><header><nav>{above}</nav></header>
<main><article><h1>{title}</h1><p class="byline">By Reporter {number % 37}</p>
{paragraphs}</article></main><aside><h3>Most read</h3>{below}</aside>
<footer><p>© Bench Daily. All rights reserved.</p></footer></body></html>"""


def feed(base: str, numbers: list[int]) -> str:
    items = "".join(
        f"<item><title>Story {n}</title><link>{base}/a/{n}.html</link>"
        f"<pubDate>Mon, 01 Dec 2025 09:00:00 +0530</pubDate></item>"
        for n in numbers
    )
    channel = f"<channel><title>Bench</title>{items}</channel>"
    return f'<?xml version="1.0"?><rss version="2.0">{channel}</rss>'


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--sources", type=int, default=10)
    parser.add_argument(
        "--page-kb",
        type=int,
        default=100,
        help="page size; at 100 KB extraction costs what it does on the real pages of "
        "../shared/fixtures/articles (about 28 pages/s here)",
    )
    parser.add_argument("-s", "--set", action="append", default=[], help="Scrapy NAME=VALUE")
    args = parser.parse_args()

    rng = random.Random(20251201)
    site = FixtureSite()
    with SiteServer(site) as server, tempfile.TemporaryDirectory() as tmp:
        pages = {n: article_page(rng, n, server.base, args.page_kb) for n in range(args.articles)}
        for n, page in pages.items():
            site.add(f"/a/{n}.html", page)
        registry = []
        for s in range(args.sources):
            numbers = list(range(s, args.articles, args.sources))
            site.add(f"/feed/{s}.xml", feed(server.base, numbers), content_type="application/xml")
            registry.append(
                f'[[source]]\nname = "Bench {s}"\nfeeds = ["{server.base}/feed/{s}.xml"]\n'
                'language = "en"\ncountry = "IN"\n'
            )
        sources = Path(tmp) / "sources.toml"
        sources.write_text("\n".join(registry))
        db = Path(tmp) / "bench.db"

        started = time.perf_counter()
        for number, page in pages.items():
            extract(page, f"{server.base}/a/{number}.html")
        extract_rate = len(pages) / (time.perf_counter() - started)

        settings = [
            "AUTOTHROTTLE_ENABLED=False",
            "DOWNLOAD_DELAY=0",
            "CONCURRENT_REQUESTS=32",
            "CONCURRENT_REQUESTS_PER_DOMAIN=32",
            "LOG_LEVEL=WARNING",
            *args.set,
        ]
        command = [sys.executable, "-m", "newswatch", "crawl", "--sources", str(sources)]
        command += ["--db", str(db), *(arg for value in settings for arg in ("-s", value))]
        started = time.perf_counter()
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        with Store(db) as store:
            stored = store.count("articles")
            run = store.get_run(1)
        # Every fetched page went through extraction, relevance and dedup; the few the
        # relevance stage judged off-topic were remembered rather than stored.
        processed = sum(s["articles_fetched"] for s in run["stats"]["sources"].values())
        crawl_seconds = (
            datetime.fromisoformat(run["finished"]) - datetime.fromisoformat(run["started"])
        ).total_seconds()
        requests = len(site.requests)

    if result.returncode != 0:
        print(result.stdout[-2000:], result.stderr[-2000:], sep="\n")
    rate = processed / elapsed
    print(f"articles generated    {args.articles} in {args.sources} sources, {args.page_kb} KB")
    print(f"articles processed    {processed}, {stored} stored ({requests} requests served)")
    print(f"end-to-end            {rate:7.1f} articles/s ({elapsed:.1f} s with process start)")
    crawl_rate = processed / max(crawl_seconds, 1)
    print(f"crawl only            {crawl_rate:7.1f} articles/s ({crawl_seconds:.0f} s)")
    print(f"extraction only       {extract_rate:7.1f} pages/s")
    print(f"ratio                 {rate / extract_rate:7.2f}x (target >= 0.7)")
    print(f"crawl peak memory     {peak_mb:7.1f} MB")


if __name__ == "__main__":
    main()
