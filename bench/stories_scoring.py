"""Clustering scores from ../shared/data/README.md: B-cubed over documents, and pairwise
"same story" precision/recall for syndicated pairs and for all pairs."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import combinations


@dataclass(frozen=True)
class Scores:
    bcubed_precision: float
    bcubed_recall: float
    bcubed_f1: float
    pair_precision: float
    pair_recall: float
    syndicated_precision: float  # 1.0 by construction: every labelled copy pair is one story
    syndicated_recall: float  # syndicated rows joined to the row they copy
    syndicated_pairs: int


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def bcubed(gold: Mapping[str, str], predicted: Mapping[str, str]) -> tuple[float, float, float]:
    """Per-document precision and recall of the predicted cluster against the gold one, averaged."""
    pairs = Counter((gold[d], predicted[d]) for d in gold)
    gold_sizes = Counter(gold[d] for d in gold)
    pred_sizes = Counter(predicted[d] for d in gold)
    p = sum(pairs[gold[d], predicted[d]] / pred_sizes[predicted[d]] for d in gold) / len(gold)
    r = sum(pairs[gold[d], predicted[d]] / gold_sizes[gold[d]] for d in gold) / len(gold)
    return p, r, _f1(p, r)


def pairwise(
    gold: Mapping[str, str],
    predicted: Mapping[str, str],
    pairs: list[tuple[str, str]] | None = None,
) -> tuple[float, float]:
    """Precision and recall of "same story" over `pairs` (all document pairs by default).
    Precision counts predicted-same pairs among `pairs`; 1.0 when none are predicted."""
    pairs = pairs if pairs is not None else list(combinations(sorted(gold), 2))
    same_gold = {p for p in pairs if gold[p[0]] == gold[p[1]]}
    same_pred = {p for p in pairs if predicted[p[0]] == predicted[p[1]]}
    hits = len(same_gold & same_pred)
    precision = hits / len(same_pred) if same_pred else 1.0
    recall = hits / len(same_gold) if same_gold else 1.0
    return precision, recall


def score(rows: list[dict], predicted: Mapping[str, str]) -> Scores:
    """Score `predicted` (doc id -> story) against labelled rows (id, story, copy, copy_of)."""
    gold = {r["id"]: r["story"] for r in rows}
    p, r, f = bcubed(gold, predicted)
    pp, pr = pairwise(gold, predicted)
    syndicated = [(r["id"], r["copy_of"]) for r in rows if r.get("copy") == "syndicated"]
    sp, sr = pairwise(gold, predicted, syndicated)
    return Scores(p, r, f, pp, pr, sp, sr, len(syndicated))
