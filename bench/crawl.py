"""Crawl throughput and reactor stalls: a loopback site of N generated articles into SQLite.

    python bench/crawl.py [--articles 2000] [--sources 10] [--feed-items 20000] [--rounds 3]

Prints side by side: extraction alone on one core and on every core; `newswatch crawl`
end to end (child process, as in production) with NEWSWATCH_WORKERS=1 and =2; their
ratios; peak memory; database bytes per stored article; the longest the reactor went
without running a 10 ms tick while the crawl read one feed of --feed-items items; and
where a crawl's time goes, stage by stage (a one-process crawl of --profile-articles
under cProfile). The issue asks for end to end with 2 workers at least 1.3x the one-core
extraction rate, and no reactor stall over 100 ms. The no-op daily run is bench/run.py.
The figures those ratios compare are measured in --rounds interleaved rounds (extraction
on one core, on all, the crawl with 2 workers) and their medians printed, with the
ratios' range over the rounds: one sample each, minutes apart, moves with the machine.

The pages' text: sentences of the real articles of ../shared/data, drawn afresh for every
page from one story's articles, so that the entities per page (what story matching costs)
are those of real news; generated sentences when ../shared is absent.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import pstats
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from html import escape
from pathlib import Path
from statistics import median
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
REAL_TEXTS = ROOT.parent / "shared" / "data"

from scrapy import signals  # noqa: E402
from twisted.internet.task import LoopingCall  # noqa: E402

import crawlers.settings  # noqa: E402
from crawlers.extract import extract  # noqa: E402
from pipelines.store import Store  # noqa: E402
from tests.siteserver import FixtureSite, SiteServer  # noqa: E402

try:
    import psutil
except ImportError:  # peak memory then comes from getrusage: the largest one process
    psutil = None

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


class RealText:
    """Headlines and sentences of the real articles in ../shared/data (any language), by
    story: a page is written from one story's sentences, so it names the entities that
    real reports of one event name (sentences mixed from any article would name several
    times as many)."""

    def __init__(self, folder: Path):
        stories: dict[str, tuple[list[str], list[str]]] = {}
        for path in sorted(folder.glob("*.jsonl")):
            for line in path.read_text(encoding="utf-8").splitlines():
                row = json.loads(line)
                titles, sentences = stories.setdefault(row.get("story") or row["id"], ([], []))
                titles.append(row["title"])
                sentences += [s for s in re.split(r"(?<=[.!?।])\s+", row["text"]) if len(s) > 40]
        self.stories = [story for story in stories.values() if story[1]]

    @classmethod
    def found(cls) -> RealText | None:
        return cls(REAL_TEXTS) if (REAL_TEXTS / "stories-dev.jsonl").exists() else None

    def article(self, rng: random.Random) -> tuple[str, Callable[[random.Random], str]]:
        """A headline, and where the sentences of its page come from."""
        titles, sentences = rng.choice(self.stories)
        return rng.choice(titles), lambda rng: rng.choice(sentences)


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


def article_page(
    rng: random.Random, number: int, base: str, kilobytes: int, real: RealText | None
) -> str:
    if real:
        headline, said = real.article(rng)
        title = escape(f"{headline} ({number})")
    else:
        title = f"Story {number}: " + " ".join(rng.choices(WORDS, k=7))
        said = sentence
    paragraphs = "\n".join(
        f"<p>{escape(' '.join(said(rng) for _ in range(rng.randint(2, 4))))}</p>"
        for _ in range(rng.randint(5, 10))
    )
    head, (above, below) = boilerplate(rng, kilobytes)
    ld = json.dumps(
        {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": title,  # escaped: no "</script>" in it
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


def feed(base: str, numbers: list[int], folder: str = "a") -> str:
    """An RSS feed of items `numbers`, an hour apart, linking pages /`folder`/n.html."""
    items = "".join(
        f"<item><title>Story {n}</title><link>{base}/{folder}/{n}.html</link>"
        f"<pubDate>{time.strftime('%a, %d %b %Y %H:%M:%S +0000', time.gmtime(1.7e9 - n * 3600))}"
        "</pubDate></item>"
        for n in numbers
    )
    channel = f"<channel><title>Bench</title>{items}</channel>"
    return f'<?xml version="1.0"?><rss version="2.0">{channel}</rss>'


class ReactorGap:
    """Scrapy extension (loaded by the crawl this bench starts): the longest interval
    between ticks of a 10 ms LoopingCall, i.e. how long the reactor was kept busy."""

    def __init__(self, crawler: Any):
        self.longest = 0.0
        self.last = 0.0
        self.loop = LoopingCall(self.tick)
        crawler.signals.connect(self.opened, signal=signals.spider_opened)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Any) -> ReactorGap:
        return cls(crawler)

    def opened(self) -> None:
        self.last = time.perf_counter()
        self.loop.start(0.01, now=False)

    def tick(self) -> None:
        now = time.perf_counter()
        self.longest = max(self.longest, now - self.last)
        self.last = now

    def closed(self) -> None:
        self.loop.stop()
        print(f"REACTOR_GAP_MS {self.longest * 1000:.0f}", file=sys.stderr)


@dataclass
class Crawl:
    processed: int
    stored: int
    seconds: float
    peak_mb: float  # resident memory, summed over the crawl's processes
    peak_pss_mb: float  # proportional set size: a page shared by n processes counts 1/n
    reactor_gap_ms: float | None
    kept: int
    capped: int
    db_bytes: int  # the database file and its write-ahead log
    server_cpu: float  # seconds this process (the site's server) ran on the same cores
    crawl_cpu: float  # seconds the crawl's processes ran, all of them (0 without psutil)
    failed: str | None

    @property
    def rate(self) -> float:
        return self.processed / self.seconds


@dataclass
class Round:
    """The figures the targets compare, measured one after the other."""

    one_core: float  # extraction only, pages/s
    all_cores: float
    crawl: Crawl  # with 2 workers


def crawl(sources: Path, db: Path, settings: list[str]) -> Crawl:
    """`newswatch crawl` in a child process, timed from process start to exit."""
    command = [sys.executable, "-m", "newswatch", "crawl", "--sources", str(sources)]
    command += ["--db", str(db), *(arg for value in settings for arg in ("-s", value))]
    started, cpu = time.perf_counter(), time.process_time()
    with tempfile.TemporaryFile() as output:  # not a pipe: nobody reads it while we poll
        child = subprocess.Popen(command, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT)
        peak = peak_pss = 0.0
        cpu_of: dict[int, float] = {}  # process -> its CPU seconds when last seen
        while child.poll() is None and psutil is not None:
            rss, pss, cpu_now = tree_usage(child.pid)
            peak, peak_pss = max(peak, rss), max(peak_pss, pss)
            cpu_of |= cpu_now
            # Reading every process's memory map is not free, and this process shares
            # the cores with the crawl: four times a second is enough for a peak.
            time.sleep(0.25)
        child.wait()
        seconds = time.perf_counter() - started
        server_cpu = time.process_time() - cpu
        output.seek(0)
        printed = output.read().decode(errors="replace")
    if psutil is None:
        peak = peak_pss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    gaps = [line.split()[1] for line in printed.splitlines() if "REACTOR_GAP_MS" in line]
    with Store(db) as store:
        stored = store.count("articles")
        run = store.get_run(1)
    # Every fetched page went through extraction, relevance and dedup; the few the
    # relevance stage judged off-topic were remembered rather than stored.
    counters = run["stats"]["sources"].values()
    processed = sum(s["articles_fetched"] for s in counters)
    kept, capped = (sum(s[name] for s in counters) for name in ("items_seen", "items_capped"))
    gap = float(gaps[0]) if gaps else None
    # The long feed's items answer 404 on purpose: exit status 1 there is no failure.
    failed = None if child.returncode in (0, 1) else printed[-2000:]
    db_bytes = sum(p.stat().st_size for p in (db, Path(f"{db}-wal")) if p.exists())
    return Crawl(
        processed=processed,
        stored=stored,
        seconds=seconds,
        peak_mb=peak,
        peak_pss_mb=peak_pss,
        reactor_gap_ms=gap,
        kept=kept,
        capped=capped,
        db_bytes=db_bytes,
        server_cpu=server_cpu,
        crawl_cpu=sum(cpu_of.values()),
        failed=failed,
    )


# Where a one-process crawl's time goes: the function each stage is counted at, with what
# it calls; what is left is Scrapy, Twisted, the HTTP client and logging.
STAGES = (
    ("feed parsing", "crawlers/kinds/feed.py", "read_feed"),
    ("extraction", "crawlers/extract.py", "extract"),
    ("relevance and themes", "pipelines/topic.py", "classify"),
    ("story evidence", "pipelines/evidence.py", "read"),
    ("story assignment", "pipelines/stories.py", "assign"),
    ("storing the article", "pipelines/store/articles.py", "save_article"),
    ("commits", "~", "<method 'commit' of 'sqlite3.Connection' objects>"),
)


def stage_shares(sources: Path, db: Path, settings: list[str]) -> dict[str, float]:
    """Each stage's share of a one-process crawl's time, under cProfile. The profiler
    slows Python code more than C code: the shares are the figure, not its seconds."""
    profile = db.with_suffix(".prof")
    command = [sys.executable, "-m", "cProfile", "-o", str(profile), "-m", "newswatch"]
    command += ["crawl", "--sources", str(sources), "--db", str(db)]
    command += [arg for value in settings for arg in ("-s", value)]
    subprocess.run(command, cwd=ROOT, capture_output=True, check=False)
    stats = pstats.Stats(str(profile))
    shares = {}
    for name, path, function in STAGES:
        seconds = sum(
            cumulative
            for (file, _, called), (_, _, _, cumulative, _) in stats.stats.items()  # type: ignore[attr-defined]
            if called == function and file.endswith(path)
        )
        shares[name] = seconds / stats.total_tt  # type: ignore[attr-defined]
    shares["the rest (Scrapy, Twisted, HTTP)"] = 1 - sum(shares.values())
    return shares


def tree_usage(pid: int) -> tuple[float, float, dict[int, float]]:
    """Memory of a process and all its descendants (the fork server and the workers): the
    sum of their resident sizes, which counts every shared page (libraries, the modules
    the fork server loaded before forking the workers) once per process, and the sum of
    their proportional set sizes, which counts it once in all: the memory they take. And
    the CPU seconds each has used so far."""
    try:
        parent = psutil.Process(pid)
        processes = [parent, *parent.children(recursive=True)]
        infos = [p.memory_full_info() for p in processes]
        cpu = {p.pid: sum(p.cpu_times()[:2]) for p in processes}
    except psutil.Error:
        return 0.0, 0.0, {}
    return sum(i.rss for i in infos) / 2**20, sum(i.pss for i in infos) / 2**20, cpu


def extraction_rate(pages: dict[int, str], base: str, workers: int) -> float:
    """Pages per second extract() gets through on `workers` processes (1: this one)."""
    urls = [f"{base}/a/{n}.html" for n in pages]
    if workers <= 1:
        started = time.perf_counter()
        for url, page in zip(urls, pages.values(), strict=True):
            extract(page, url)
        return len(pages) / (time.perf_counter() - started)
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        list(pool.map(extract, list(pages.values())[:workers], urls[:workers]))  # warm up
        started = time.perf_counter()
        list(pool.map(extract, pages.values(), urls, chunksize=4))
        return len(pages) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument(
        "--sources", type=int, default=10, help="at least one feed per 500 articles (the cap)"
    )
    parser.add_argument("--feed-items", type=int, default=20000)
    parser.add_argument(
        "--page-kb",
        type=int,
        default=100,
        help="page size; at 100 KB extraction costs what it does on the real pages of "
        "../shared/fixtures/articles (about 28 pages/s here)",
    )
    parser.add_argument(
        "--profile-articles", type=int, default=400, help="articles of the profiled crawl"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="rounds of the compared figures (extraction on one core and on all, the crawl "
        "with 2 workers), interleaved; the medians are printed",
    )
    parser.add_argument("-s", "--set", action="append", default=[], help="Scrapy NAME=VALUE")
    args = parser.parse_args()

    # Every article is crawled: a feed holds no more items than the crawl reads of one.
    cap = crawlers.settings.NEWSWATCH_MAX_ITEMS_PER_FEED
    args.sources = max(args.sources, -(-args.articles // cap))
    rng = random.Random(20251201)
    real = RealText.found()
    site = FixtureSite()
    cores = os.cpu_count() or 1
    # Connections kept alive, as on real sites: a new TCP connection per page would cost
    # the crawl (and this server, on the same cores) what no real crawl pays.
    with SiteServer(site, keep_alive=True) as server, tempfile.TemporaryDirectory() as tmp:
        pages = {
            n: article_page(rng, n, server.base, args.page_kb, real) for n in range(args.articles)
        }
        for n, page in pages.items():
            site.add(f"/a/{n}.html", page)
        registry = []
        for s in range(args.sources):
            numbers = list(range(s, args.articles, args.sources))
            site.add(f"/feed/{s}.xml", feed(server.base, numbers), content_type="application/xml")
            registry.append(source_entry(f"Bench {s}", f"{server.base}/feed/{s}.xml"))
        sources = Path(tmp) / "sources.toml"
        sources.write_text("\n".join(registry))
        profiled = Path(tmp) / "profiled.toml"  # enough feeds for --profile-articles
        per_feed = max(1, args.articles // args.sources)
        profiled.write_text("\n".join(registry[: max(1, args.profile_articles // per_feed)]))
        # Its items answer 404: the stall measured is the feed's, not the store's.
        long_feed = feed(server.base, list(range(args.feed_items)), "missing")
        site.add("/long.xml", long_feed, content_type="application/xml")
        long_sources = Path(tmp) / "long.toml"
        long_sources.write_text(source_entry("Long feed", f"{server.base}/long.xml"))

        settings = [
            "AUTOTHROTTLE_ENABLED=False",
            "DOWNLOAD_DELAY=0",
            "CONCURRENT_REQUESTS=32",
            "CONCURRENT_REQUESTS_PER_DOMAIN=32",
            "LOG_LEVEL=WARNING",
            *args.set,
        ]
        # The stall probe ticks 100 times a second in the crawl's reactor, which costs the
        # crawl a percent or two: the crawls that are timed run without it.
        extensions = {**crawlers.settings.EXTENSIONS, "bench.crawl.ReactorGap": 100}
        probe = f"EXTENSIONS={json.dumps(extensions)}"
        # The figures the targets compare are measured in rounds, interleaved, and their
        # medians taken: this machine's speed drifts by some percent from minute to minute,
        # and one sample of each, minutes apart, would compare two different machines.
        rounds = []
        for number in range(args.rounds):
            db = Path(tmp) / f"w2-{number}.db"
            rounds.append(
                Round(
                    one_core=extraction_rate(pages, server.base, 1),
                    all_cores=extraction_rate(pages, server.base, cores),
                    crawl=crawl(sources, db, [*settings, "NEWSWATCH_WORKERS=2"]),
                )
            )
            db.unlink()  # only its size is kept, and N rounds of it would fill /tmp
        one = crawl(sources, Path(tmp) / "w1.db", [*settings, "NEWSWATCH_WORKERS=1"])
        shares = stage_shares(
            profiled, Path(tmp) / "profiled.db", [*settings, "NEWSWATCH_WORKERS=1"]
        )
        probed = crawl(sources, Path(tmp) / "probed.db", [*settings, probe, "NEWSWATCH_WORKERS=2"])
        gaps = {
            workers: crawl(
                long_sources,
                Path(tmp) / f"long{workers}.db",
                [*settings, probe, f"NEWSWATCH_WORKERS={workers}"],
            )
            for workers in (1, 2)
        }

    for run in (one, *(r.crawl for r in rounds), probed, *gaps.values()):
        if run.failed:
            print(run.failed)
    rates = {1: median(r.one_core for r in rounds), cores: median(r.all_cores for r in rounds)}
    two = sorted((r.crawl for r in rounds), key=lambda run: run.rate)[len(rounds) // 2]
    to_one = [r.crawl.rate / r.one_core for r in rounds]
    to_all = [r.crawl.rate / r.all_cores for r in rounds]
    memory = "all processes" if psutil else "largest single process, no psutil"
    text = "sentences of ../shared/data's real articles" if real else "generated sentences"
    print(f"articles generated      {args.articles} in {args.sources} sources, {args.page_kb} KB")
    print(f"their text              {text}")
    row("", "1 core/worker", f"{cores} cores", "ratio")
    row("extraction only /s", rates[1], rates[cores], rates[cores] / rates[1])
    row("", "1 worker", "2 workers", "")
    row("end to end /s", one.rate, two.rate, two.rate / one.rate)
    row(
        "  ratio to extraction",
        f"{one.rate / rates[1]:.2f}",
        f"{median(to_one):.2f}",
        f"(target 2w >= 1.3; rounds {spread(to_one)})",
    )
    row(
        "  ... to all-core extraction",
        "",
        f"{median(to_all):.2f}",
        f"(target >= 0.9; rounds {spread(to_all)})",
    )
    row("  seconds, with start", one.seconds, two.seconds, "")
    row("  processed", one.processed, two.processed, "")
    row("  stored", one.stored, two.stored, "")
    row(
        "  database KB per stored",
        one.db_bytes / 1024 / one.stored,
        two.db_bytes / 1024 / two.stored,
        "",
    )
    row(
        "  crawl CPU ms/page",
        one.crawl_cpu * 1000 / one.processed,
        two.crawl_cpu * 1000 / two.processed,
        "(all its processes)",
    )
    row(
        "  site server CPU ms/page",
        one.server_cpu * 1000 / one.processed,
        two.server_cpu * 1000 / two.processed,
        "(this process, same cores)",
    )
    row(f"peak MB ({memory}), RSS", one.peak_mb, max(r.crawl.peak_mb for r in rounds), "")
    row(
        "  PSS (shared pages once)",
        one.peak_pss_mb,
        max(r.crawl.peak_pss_mb for r in rounds),
        "(target <= 400)",
    )
    row("  longest reactor stall ms", "", probed.reactor_gap_ms, "(another crawl, probed)")
    stalls = (gaps[1].reactor_gap_ms, gaps[2].reactor_gap_ms)
    row(f"{args.feed_items}-item feed", "", "", "")
    row("  longest reactor stall ms", *stalls, "(target <= 100)")
    row("  items kept, capped", *(f"{g.kept}, {g.capped}" for g in gaps.values()), "")
    print(f"where a one-process crawl's time goes ({args.profile_articles} articles, cProfile)")
    for name, share in shares.items():
        print(f"  {name:<32} {share:>6.1%}")


def spread(values: list[float]) -> str:
    return f"{min(values):.2f}-{max(values):.2f}"


def row(label: str, one: Any, two: Any, ratio: Any) -> None:
    def cell(value: Any) -> str:
        return f"{value:.1f}" if isinstance(value, float) else str(value)

    ratio = f"{ratio:.2f}x" if isinstance(ratio, float) else ratio
    print(f"{label:<26} {cell(one):>14} {cell(two):>14}  {ratio}")


def source_entry(name: str, feed_url: str) -> str:
    return f'[[source]]\nname = "{name}"\nfeeds = ["{feed_url}"]\nlanguage = "en"\ncountry = "IN"\n'


if __name__ == "__main__":
    main()
