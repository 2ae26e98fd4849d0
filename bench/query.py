"""Analyst query figures on a generated archive: search, tag listing and export speed.

Run: .venv/bin/python bench/query.py [--n 1000000] [--db FILE] [--repeats 10]
(1,000,000 articles: 4 to 8 minutes to generate and index on 2 shared cores, 2 GiB, and
as long again to measure; --db keeps the archive for the next run, which then skips
generation.)

Generation is not timed. Text is drawn from a Zipf vocabulary of made-up words, with
defence names (S-400, BrahMos, Su-30MKI, India-Russia, Триумф, ब्रह्मोस, …) mixed in at
frequencies from common (India: a third of articles) to rare, and one rare word per
article, so queries meet doclists of every size. Searches go through the stemmed index
as `newswatch search` does (pipelines.fts_query.to_fts), plain and filtered by tag,
source and date, whose p95 are printed side by side; the index's size per article is
printed against that of an index of the words as written (built aside, then dropped).
Targets: search p95 < 100 ms, tag listing p95 < 50 ms, export >= 20,000 rows/s.
"""

from __future__ import annotations

import argparse
import io
import itertools
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cli.output import write_records  # noqa: E402
from pipelines.fts_query import to_fts  # noqa: E402
from pipelines.store import EXPORT_COLUMNS, ArticleFilter, Store  # noqa: E402
from pipelines.store.schema import FTS_COLUMNS, FTS_TOKENIZE  # noqa: E402

# Domain terms and the share of sentences that carry each (about 7 sentences an article).
TERMS = {
    "India": 0.06,
    "Russia": 0.05,
    "defence": 0.04,
    "India-Russia": 0.01,
    "S-400": 0.01,
    "BrahMos": 0.008,
    "Su-30MKI": 0.005,
    "Moscow": 0.01,
    "New Delhi": 0.01,
    "submarine": 0.004,
    "Triumf": 0.002,
    "Триумф": 0.001,
    "С-400": 0.001,
    "ब्रह्मोस": 0.001,
    "एस-400": 0.0005,
    "AK-203": 0.001,
    "Chakra lease": 0.0003,
    "Kamov Ka-226": 0.0002,
}
TAGS = ["S-400", "BrahMos", "Su-30MKI", "MiG-29", "AK-203", "Kamov", "INS Vikramaditya"]
TAGS += [f"tag-{i}" for i in range(40)]  # a long tail of rarer tags
SOURCES = [f"outlet-{i}" for i in range(40)]
SEARCHES = [
    "S-400",
    "BrahMos",
    "Su-30MKI upgrade",
    "India-Russia",
    "Триумф",
    "ब्रह्मोस",
    '"Chakra lease"',
    "Kamov OR Ka-226",
    "submarine Russia",
    "India",
]
# Filtered searches, by filter: common tags, a source, recent and old, narrow and wide
# date ranges; and a word in a third of the archive with a filter that keeps one article
# in a hundred of them, the known worst case: its whole doclist is read.
FILTERED = {
    "tag": [
        ("S-400", ArticleFilter(tag="S-400")),
        ("India", ArticleFilter(tag="BrahMos")),
    ],
    "source": [("BrahMos", ArticleFilter(source="outlet-3"))],
    "date": [
        ("S-400", ArticleFilter(since="2026-01-01")),
        ("S-400", ArticleFilter(since="2023-12-01", until="2023-12-31")),
        ("India", ArticleFilter(since="2024-01-01", until="2024-12-31")),
        ("BrahMos", ArticleFilter(until="2024-03-31")),
    ],
    "common word, rare filter": [
        ("Russia", ArticleFilter(tag="tag-39")),
        ("India", ArticleFilter(source="outlet-7")),
    ],
}


def vocabulary(rng: random.Random, size: int) -> list[str]:
    syllables = "ka ri to ne sa mo lu pe vi da ro gan tel mir sto ven bra hal dor pri".split()
    words = {"".join(rng.choices(syllables, k=rng.randint(2, 4))) for _ in range(size * 2)}
    return sorted(words)[:size]


def sentences(rng: random.Random, count: int) -> list[str]:
    words = vocabulary(rng, 5000)
    cumulative = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(words))))
    terms, shares = list(TERMS), list(TERMS.values())
    pool = []
    for _ in range(count):
        sentence = rng.choices(words, cum_weights=cumulative, k=12)
        for term, share in zip(terms, shares, strict=True):
            if rng.random() < share:
                sentence.insert(rng.randrange(12), term)
        pool.append(" ".join(sentence).capitalize() + ".")
    return pool


def generate(store: Store, n: int, seed: int = 7) -> None:
    """n articles in stories of about two, 0–3 tags each, bulk-loaded."""
    rng = random.Random(seed)
    pool = sentences(rng, 50_000)
    rare = vocabulary(random.Random(seed + 1), 200_000)
    tag_weights = [1 / (rank + 1) ** 0.8 for rank in range(len(TAGS))]
    start = 1_700_000_000

    def day(i: int) -> str:
        t = start + i * 90 + rng.randint(-86400, 86400)
        return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(t))

    def articles() -> Iterator[tuple]:
        for i in range(1, n + 1):
            title = " ".join(rng.choice(pool).split()[:9])
            body = " ".join(rng.choices(pool, k=5)) + " " + rng.choice(rare)
            status = "borderline" if i % 10 == 0 else "relevant"
            summary, published = rng.choice(pool), day(i)
            yield (
                i,
                f"https://{SOURCES[i % 40]}.example/{i}",
                SOURCES[i % 40],
                title,
                summary,
                body,
                published,
                published,  # published_utc: the times above are in UTC already
                day(i),
                status,
                0.8,
                (i + 1) // 2,
                "new" if i % 2 else "same-event",
            )

    def stories() -> Iterator[tuple]:
        for s in range(1, (n + 1) // 2 + 1):
            yield (s, f"https://{SOURCES[(2 * s - 1) % 40]}.example/{2 * s - 1}", day(2 * s))

    def article_tags() -> Iterator[tuple]:
        for i in range(1, n + 1):
            for tag in set(rng.choices(TAGS, tag_weights, k=rng.randint(0, 3))):
                yield (i, tag, "{}")

    store.bulk_load(
        {
            "tags": (("name", "kind"), ((t, "system") for t in TAGS)),
            "stories": (("id", "lead_url", "first_seen"), stories()),
            "articles": (
                (
                    "id",
                    "url",
                    "source",
                    "title",
                    "summary",
                    "body",
                    "published",
                    "published_utc",
                    "first_seen",
                    "status",
                    "relevance",
                    "story_id",
                    "story_kind",
                ),
                articles(),
            ),
            "article_tags": (("article_id", "tag", "evidence"), article_tags()),
        }
    )


def timed(calls: list[Callable[[], object]], repeats: int) -> list[float]:
    """Milliseconds per call, each call `repeats` times after one warm-up."""
    return timed_with_cpu(calls, repeats)[0]


def timed_with_cpu(
    calls: list[Callable[[], object]], repeats: int
) -> tuple[list[float], list[float]]:
    """Milliseconds per call, on the clock and of this process's CPU: on a shared machine
    the first counts the waits for a core as well."""
    wall, cpu = [], []
    for call in calls:
        call()
        for _ in range(repeats):
            begin, begin_cpu = time.perf_counter(), time.process_time()
            call()
            wall.append((time.perf_counter() - begin) * 1000)
            cpu.append((time.process_time() - begin_cpu) * 1000)
    return wall, cpu


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def percentiles(times: list[float]) -> str:
    median, worst = statistics.median(times), max(times)
    return f"p50 {median:.1f} ms, p95 {p95(times):.1f} ms, max {worst:.1f} ms"


def index_bytes(store: Store, table: str) -> int:
    """Bytes on disk of an FTS5 table's own storage (its shadow tables)."""
    shadows = [f"{table}_{shadow}" for shadow in ("data", "idx", "docsize", "config")]
    (size,) = store.db.execute(
        "SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name IN (?, ?, ?, ?)", shadows
    ).fetchone()
    return size


def unstemmed_index_bytes(store: Store) -> int:
    """The size of the index of schema 8, over the words as written: built aside, then
    dropped (FTS5's own rebuild reads `articles` as they are)."""
    columns = ", ".join(FTS_COLUMNS)
    tokenize = FTS_TOKENIZE.replace("'", "''")
    with store.db.atomic():
        store.db.execute(
            f"CREATE VIRTUAL TABLE words_fts USING FTS5 ({columns}, tokenize='{tokenize}',"
            " content=[articles])"
        )
        store.db.execute("INSERT INTO words_fts (words_fts) VALUES ('rebuild')")
    size = index_bytes(store, "words_fts")
    store.db.execute("DROP TABLE words_fts")
    return size


def bench(store: Store, repeats: int) -> None:
    n = store.count("articles")
    stemmed = index_bytes(store, "articles_fts")
    written = unstemmed_index_bytes(store)
    print(
        f"FTS index: {stemmed / n:,.0f} bytes/article (stems and tags),"
        f" {written / n:,.0f} as written"
        f" ({stemmed / 2**20:,.0f} MiB, {written / 2**20:,.0f} MiB)"
    )
    nothing = ArticleFilter()
    print("search (limit 20, bm25, snippets):")
    plain: tuple[list[float], list[float]] = ([], [])  # wall and CPU times
    for query in SEARCHES:
        wall, cpu = timed_with_cpu([lambda q=query: store.search(to_fts(q), nothing, 20)], repeats)
        hits = store.db.execute(
            "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?", [to_fts(query)]
        ).fetchone()[0]
        print(f"  {query:<18} {hits:>8} hits  median {statistics.median(wall):7.1f} ms")
        plain[0].extend(wall)
        plain[1].extend(cpu)
    print(f"  plain: {percentiles(plain[0])}")
    by_filter = {"plain": plain}
    for name, searches in FILTERED.items():
        by_filter[name] = timed_with_cpu(
            [lambda q=q, w=w: store.search(to_fts(q), w, 20) for q, w in searches], repeats
        )
        print(f"  {name}: {percentiles(by_filter[name][0])}")
    print(f"search p95 at {n:,} articles, ms (CPU ms):")
    print("  " + " | ".join(f"{k} {p95(w):.0f} ({p95(c):.0f})" for k, (w, c) in by_filter.items()))

    listings = [
        lambda t=tag: store.list_articles(ArticleFilter(tag=t), 50)
        for tag in (*TAGS[:7], "tag-10", "tag-39")
    ]
    listings += [
        lambda: store.list_articles(ArticleFilter(tag="S-400", source="outlet-5"), 50),
        lambda: store.list_articles(ArticleFilter(tag="tag-39", since="2024-01-01"), 50),
    ]
    print(f"tag listing (newest 50): {percentiles(timed(listings, repeats))}")

    for fmt in ("jsonl", "csv"):
        begin = time.perf_counter()
        count = write_records(store.iter_export(nothing), EXPORT_COLUMNS, fmt, _Discard())
        seconds = time.perf_counter() - begin
        print(f"export {fmt}: {count} rows in {seconds:.1f} s = {count / seconds:,.0f} rows/s")


class _Discard(io.TextIOBase):
    """An output that keeps nothing: the export's own cost, not the disk's."""

    def write(self, text: str) -> int:
        return len(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="articles to generate")
    parser.add_argument("--db", type=Path, help="reuse or keep the generated database here")
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or Path(tmp) / "bench.db"
        fresh = not path.exists()
        with Store(path) as store:
            if fresh:
                begin = time.perf_counter()
                generate(store, args.n)
                print(f"generated {args.n} articles in {time.perf_counter() - begin:.0f} s")
            n = store.count("articles")
            size = path.stat().st_size / 2**20
            print(f"{n} articles, database {size:,.0f} MiB")
            bench(store, args.repeats)


if __name__ == "__main__":
    main()
