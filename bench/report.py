"""Report building and writing time on a 100k-article database, for a run of 500 items.

Run: .venv/bin/python bench/report.py [--articles N] [--days D] [--keep FILE]
Generation is not timed; the figures are for `build_report` and `write_reports`. The
history is spread over D days (the store's clock is simulated), so the chart's 30-day
window holds what a real archive's would; --days 1 puts every story in the window.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipelines.article import Article  # noqa: E402
from pipelines.store import Store, utc_now  # noqa: E402
from schedules.report import build_report, write_reports  # noqa: E402

SOURCES = [f"outlet{i:02d}" for i in range(40)]
TAGS = [f"tag{i:02d}" for i in range(30)]
RUN_SIZE = 500
BATCH = 5_000


# Copies and the article whose story they join.
LEADS: dict[str, str] = {}


def article(rng: random.Random, n: int, story: str | None, status: str = "relevant") -> Article:
    source = rng.choice(SOURCES)
    url = f"https://{source}.example/news/{n}"
    if story is not None:
        LEADS[url] = story
    tags = [
        {"name": t, "kind": "system", "evidence": []} for t in rng.sample(TAGS, rng.randint(1, 3))
    ]
    return Article(
        url=url,
        source=source,
        title=f"Headline {n} about India and Russia",
        summary=f"Summary of article {n}.",
        body=f"Body of article {n}. " * 5,
        published=f"2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}",
        status=status,
        relevance=rng.uniform(0.42, 1.0),
        tags=tags,
        story_kind="new" if story is None else "syndicated",
    )


def run_stats(rng: random.Random) -> dict:
    sources = {
        name: {
            "status": rng.choice(["ok"] * 8 + ["partial", "failed"]),
            "error": None,
            "items_seen": rng.randint(0, 50),
            "articles_fetched": rng.randint(0, 20),
            "extract_failed": rng.randint(0, 2),
            "stored": rng.randint(0, 10),
        }
        for name in SOURCES
    }
    return {"articles": {}, "sources": sources}


def generate(store: Store, total: int, days: int, rng: random.Random) -> int:
    """History of `total - RUN_SIZE` articles in runs of RUN_SIZE over `days` days, then one
    run of RUN_SIZE: ~60% new stories, ~10% copies of recent ones, ~20% updates to old
    stories, ~10% borderline."""
    leads: list[str] = []
    n = 0
    now = datetime.now(UTC)

    def save_run(items: list[Article]) -> int:
        clock = now - timedelta(days=days) * (1 - n / total)
        store.clock = lambda: clock.isoformat(timespec="seconds")
        run_id = store.start_run()
        for start in range(0, len(items), BATCH):
            with store.transaction():
                for item in items[start : start + BATCH]:
                    if item.url in LEADS:
                        item.story_id = store.story_of(LEADS[item.url])
                    store.save_article(item, run_id)
        store.finish_run(run_id, "ok", run_stats(rng))
        return run_id

    def next_item(kind: str) -> Article:
        nonlocal n
        n += 1
        if kind == "copy" and leads:
            return article(rng, n, rng.choice(leads[-50:]))
        if kind == "update" and leads:
            return article(rng, n, rng.choice(leads))
        if kind == "review":
            return article(rng, n, None, status="borderline")
        item = article(rng, n, None)
        leads.append(item.url)
        return item

    kinds = ["new"] * 7 + ["copy"] + ["update"] * 2
    history = []
    while n < total - RUN_SIZE:
        history.append(next_item(rng.choice(kinds)))
        if len(history) == RUN_SIZE:
            save_run(history)
            history = []
    if history:
        save_run(history)
    mix = ["new"] * 6 + ["copy"] + ["update"] * 2 + ["review"]
    last = save_run([next_item(rng.choice(mix)) for _ in range(RUN_SIZE)])
    store.clock = utc_now
    return last


def timed(action, repeat: int = 5) -> tuple[float, float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=365, help="days the history spans")
    parser.add_argument("--keep", type=Path, help="write the database here instead of a temp dir")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "bench.db"
        with Store(path) as store:
            began = time.perf_counter()
            run_id = generate(store, args.articles, args.days, random.Random(7))
            print(
                f"generated {store.count('articles')} articles, {store.count('stories')} stories,"
                f" {run_id} runs in {time.perf_counter() - began:.0f} s"
            )
            best, median, report = timed(lambda: build_report(store, run_id))
            print(
                f"build_report: min {best * 1000:.0f} ms, median {median * 1000:.0f} ms"
                f" ({len(report['new'])} new, {len(report['updates'])} updates,"
                f" {len(report['review'])} review, {len(report['sources'])} sources)"
            )
            out = Path(tmp) / "reports"
            best, median, _ = timed(lambda: write_reports(report, out, store))
            print(
                f"write_reports: min {best * 1000:.0f} ms, median {median * 1000:.0f} ms"
                f" ({sum(p.stat().st_size for p in out.iterdir()) // 1024} KiB)"
            )


if __name__ == "__main__":
    main()
