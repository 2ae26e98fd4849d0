"""Benchmark crawlers.extract against the real-page fixtures and plain trafilatura.

    python bench/extract.py [--dir ../shared/fixtures/articles] [--split even|odd|all]
                            [--show title,date,authors,body]

Prints title/date/authors/body scores and pages per second for our extract and for
`trafilatura.extract(html, include_comments=False)` on the same pages in the same
run, and the time ratio (ours / trafilatura). --split keeps the even or odd file
positions: tune on one, report on the other. --show body lists the pages where our
body F1 is below trafilatura's. Pages whose truth names a source are extracted with
that source's overrides, as the crawl would. Scoring is in bench/extract_scoring.py.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import trafilatura  # noqa: E402
from extract_scoring import (  # noqa: E402
    authors_ok,
    body_counts,
    crawl_options,
    date_ok,
    load_truth,
    page_f1,
    read_page,
    score,
    select,
    title_ok,
)

from crawlers.extract import extract  # noqa: E402

DEFAULT_DIR = ROOT.parent / "shared" / "fixtures" / "articles"


def run(folder: Path, split: str, show: set[str]) -> None:
    truth = select(load_truth(folder), split)
    pages = [read_page(folder, row) for row in truth]
    ours, plain = [], []
    ours_time = plain_time = 0.0
    # Alternate the two per page so machine load drifts hit both alike.
    for row, html, options in zip(truth, pages, crawl_options(truth), strict=True):
        start = time.perf_counter()
        ours.append(extract(html, row["url"], **options))
        middle = time.perf_counter()
        text = trafilatura.extract(html, url=row["url"], include_comments=False)
        end = time.perf_counter()
        plain.append({"body": text})
        ours_time += middle - start
        plain_time += end - middle
    for row, pred, base in zip(truth, ours, plain, strict=True):
        _show_misses(row, pred, base, show)
    ours_scores = score(truth, ours)
    plain_scores = score(truth, plain)
    n = len(truth)
    print(f"{n} pages ({split}) from {folder}")
    print(f"extract      {ours_scores.as_text()}  {n / ours_time:6.1f} pages/s")
    print(
        f"trafilatura  body P {plain_scores.body_precision:.3f} R {plain_scores.body_recall:.3f}"
        f" F1 {plain_scores.body_f1:.4f}  {n / plain_time:6.1f} pages/s"
    )
    print(f"time ratio extract/trafilatura: {ours_time / plain_time:.2f}")


def _show_misses(row: dict, pred: dict, base: dict, show: set[str]) -> None:
    if "title" in show and not title_ok(row["title"], pred["title"]):
        print(f"TITLE {row['file']}\n  want {row['title']!r}\n  got  {pred['title']!r}")
    if "date" in show and row["published"] and not date_ok(row["published"], pred["published"]):
        print(f"DATE {row['file']}  want {row['published']}  got {pred['published']}")
    if "authors" in show and not authors_ok(row["authors"], pred["authors"]):
        print(f"AUTHORS {row['file']}\n  want {row['authors']}\n  got  {pred['authors']}")
    if "body" in show:
        ours, theirs = (page_f1(body_counts(row["body"], p["body"])) for p in (pred, base))
        if ours < theirs:
            print(f"BODY {row['file']}  F1 {ours:.3f} < trafilatura {theirs:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="fixture folder")
    parser.add_argument("--split", choices=("all", "even", "odd"), default="all")
    parser.add_argument("--show", default="", help="print misses: title,date,authors,body")
    args = parser.parse_args()
    run(args.dir, args.split, {s.strip() for s in args.show.split(",") if s.strip()})


if __name__ == "__main__":
    main()
