"""Benchmark of pipelines.topic: dev-set quality figures and classification speed.

Run: .venv/bin/python bench/topic.py  (skips with a message when ../shared is absent).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import fit_themes  # noqa: E402
from topic_scoring import (  # noqa: E402
    DEV_PATH,
    KINDS,
    keyword_baseline,
    load_rows,
    relevance_prf,
    tag_prf,
)

from pipelines.topic import BAND, THRESHOLD, Classifier  # noqa: E402

SPEED_DOCS = 5_000
SPEED_RUNS = 3  # this shared machine's speed varies by ±15% from run to run


def main() -> int:
    if not DEV_PATH.exists():
        print(f"skipped: {DEV_PATH} not found")
        return 0
    rows = load_rows()
    classifier = Classifier()
    verdicts = {r["id"]: classifier.classify(r["title"], r["text"], lang=r["lang"]) for r in rows}

    rel = relevance_prf(rows, lambda r: verdicts[r["id"]].relevant)
    base = relevance_prf(rows, keyword_baseline)
    print(f"threshold {THRESHOLD}, borderline band ±{BAND}")
    print(
        f"relevance   P={rel.precision:.3f} R={rel.recall:.3f} F1={rel.f1:.3f} "
        f"(tp={rel.tp} fp={rel.fp} fn={rel.fn})"
    )
    print(
        f"baseline    P={base.precision:.3f} R={base.recall:.3f} F1={base.f1:.3f} "
        "('India' and 'Russia' and a defence word)"
    )

    predicted = {i: {t.name for t in v.tags} for i, v in verdicts.items()}
    by_kind = tag_prf(rows, predicted, classifier.lexicon.tags)
    for kind in KINDS:
        s = by_kind[kind]
        print(
            f"tags {kind:<7} P={s.precision:.3f} R={s.recall:.3f} F1={s.f1:.3f} "
            f"(tp={s.tp} fp={s.fp} fn={s.fn})"
        )
    print("  (the theme model was fitted on these texts: the figures that count are below)")

    print("themes, cross-validated (bench/fit_themes.py):")
    examples = fit_themes.Examples(fit_themes.load(), classifier)
    runs = fit_themes.all_runs(examples)
    for sources in fit_themes.SOURCES:
        fit_themes.report(examples, runs, sources)

    docs = [rows[i % len(rows)] for i in range(SPEED_DOCS)]
    rates = []
    for _ in range(SPEED_RUNS):
        start = time.perf_counter()
        for r in docs:
            classifier.classify(r["title"], r["text"])
        rates.append(SPEED_DOCS / (time.perf_counter() - start))
    print(
        f"speed       {max(rates):,.0f} docs/s best of {SPEED_RUNS} runs "
        f"(median {statistics.median(rates):,.0f}; {SPEED_DOCS} docs each, one process)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
