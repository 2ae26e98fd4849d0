"""Dev-set scoring for relevance and tags, shared by bench/topic.py and the quality test.

Follows shared/data/README.md: relevance P/R/F1 of `relevant` against `not_relevant` with
`borderline` rows left out (our own 'borderline' status counts as not relevant); tags as
micro P/R/F1 over (id, tag) pairs of the `relevant` rows, by kind.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared"
DEV_PATH = SHARED / "data" / "relevance-dev.jsonl"
KINDS = ("system", "org", "person", "theme")


@dataclass(frozen=True)
class PRF:
    precision: float
    recall: float
    f1: float
    tp: int
    fp: int
    fn: int


def prf(tp: int, fp: int, fn: int) -> PRF:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return PRF(p, r, f, tp, fp, fn)


def load_rows(path: Path = DEV_PATH) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def relevance_prf(rows: Iterable[dict], predict: Callable[[dict], bool]) -> PRF:
    """Precision/recall/F1 of predicted relevance over rows labelled relevant/not_relevant."""
    tp = fp = fn = 0
    for row in rows:
        if row["label"] == "borderline":
            continue
        gold = row["label"] == "relevant"
        pred = predict(row)
        tp += gold and pred
        fp += pred and not gold
        fn += gold and not pred
    return prf(tp, fp, fn)


def tag_prf(
    rows: Iterable[dict], predicted: dict[str, set[str]], kind_of: dict[str, str]
) -> dict[str, PRF]:
    """Micro P/R/F1 over (id, tag) pairs of the `relevant` rows, one figure per tag kind."""
    counts = {kind: [0, 0, 0] for kind in KINDS}
    for row in rows:
        if row["label"] != "relevant":
            continue
        gold = set(row["tags"])
        pred = predicted.get(row["id"], set())
        for tag in gold | pred:
            kind = kind_of.get(tag)
            if kind not in counts:
                continue
            c = counts[kind]
            if tag in gold and tag in pred:
                c[0] += 1
            elif tag in pred:
                c[1] += 1
            else:
                c[2] += 1
    return {kind: prf(*c) for kind, c in counts.items()}


DEFENCE_WORDS = ("defence", "defense", "military", "missile", "weapon", "arms", "army", "navy")


def keyword_baseline(row: dict) -> bool:
    """The naive rule: 'India' and 'Russia' and a defence word anywhere (English only)."""
    text = f"{row['title']}\n{row['text']}".lower()
    return "india" in text and "russia" in text and any(w in text for w in DEFENCE_WORDS)
