"""Story clustering figures on ../shared/data/stories-dev.jsonl, with two baselines.

Run: .venv/bin/python bench/stories.py   (exits 0 with a message when ../shared is absent)
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.stories_scoring import Scores, score  # noqa: E402
from pipelines.shingles import words  # noqa: E402
from pipelines.store import Store  # noqa: E402
from pipelines.stories import StoryClusterer  # noqa: E402

DEV = Path(__file__).resolve().parents[2] / "shared" / "data" / "stories-dev.jsonl"


def exact_title(rows: list[dict]) -> dict[str, str]:
    """Baseline: the same normalised title is the same story."""
    first: dict[str, str] = {}
    return {r["id"]: first.setdefault(" ".join(words(r["title"])), r["id"]) for r in rows}


def minhash_only(rows: list[dict]) -> dict[str, str]:
    """Baseline: near-verbatim copies only (no same-event test)."""
    clusterer = StoryClusterer(same_event=float("inf"))
    return {r["id"]: clusterer.assign(r["id"], r["title"], r["text"]).story_id for r in rows}


def full(rows: list[dict]) -> dict[str, str]:
    clusterer = StoryClusterer()
    return {
        r["id"]: clusterer.assign(
            r["id"], r["title"], r["text"], published=r.get("published"), url=r.get("url")
        ).story_id
        for r in rows
    }


def report(name: str, rows: list[dict], method: Callable[[list[dict]], dict[str, str]]) -> Scores:
    s = score(rows, method(rows))
    print(
        f"{name:<14} B3 P={s.bcubed_precision:.3f} R={s.bcubed_recall:.3f} "
        f"F1={s.bcubed_f1:.3f} | pairs P={s.pair_precision:.3f} R={s.pair_recall:.3f} "
        f"| syndicated pairs P={s.syndicated_precision:.3f} R={s.syndicated_recall:.3f} "
        f"({s.syndicated_pairs})"
    )
    return s


def shuffled(rows: list[dict], seeds: int = 12) -> None:
    """Crawl order is not story order: the same figures over random arrival orders."""
    results = []
    for seed in range(seeds):
        order = rows[:]
        random.Random(seed).shuffle(order)
        results.append(score(rows, full(order)))
    for field in ("bcubed_precision", "bcubed_f1", "syndicated_recall"):
        values = [getattr(r, field) for r in results]
        print(f"  {field:<18} mean {statistics.mean(values):.3f}  min {min(values):.3f}")


def speed(rows: list[dict], clusterer: StoryClusterer, label: str, passes: int = 20) -> None:
    """Milliseconds per assign in the first and last pass over one growing store
    (fresh ids and a changed first word each pass, so no exact-duplicate shortcut)."""
    timings = []
    for i in range(passes):
        start = time.perf_counter()
        for r in rows:
            clusterer.assign(f"{i}-{r['id']}", r["title"], f"{i}. {r['text']}")
        timings.append((time.perf_counter() - start) * 1000 / len(rows))
    print(
        f"assign ({label}): {timings[0]:.2f} ms/document with an empty store, "
        f"{timings[-1]:.2f} ms/document with {(passes - 1) * len(rows)} stored"
    )


def main() -> int:
    if not DEV.exists():
        print(f"skipped: {DEV} not found")
        return 0
    rows = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line]
    print(f"{len(rows)} documents, {len({r['story'] for r in rows})} stories")
    report("exact title", rows, exact_title)
    report("minhash only", rows, minhash_only)
    report("full", rows, full)
    print("full, 12 random arrival orders:")
    shuffled(rows)
    speed(rows, StoryClusterer(), "in memory")
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "bench.db") as store:
        speed(rows, StoryClusterer(store.story_store()), "SQLite", passes=60)
    return 0


if __name__ == "__main__":
    sys.exit(main())
