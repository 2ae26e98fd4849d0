"""Scoring of extracted articles against the fixtures' truth.jsonl.

Shared by bench/extract.py and tests/test_extract_quality.py so the figures the
benchmark prints are the ones the quality floors are checked against.
Definitions follow /work/shared/fixtures/articles/README.md; the in-repo corpus of
tests/fixtures/outlets/ uses the same truth format (see its README).
"""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from crawlers.sources import load_sources

_TOKEN = re.compile(r"\w+")
_SHINGLE = 4


def load_truth(folder: Path) -> list[dict[str, Any]]:
    """One dict per fixture page, in file order."""
    with open(folder / "truth.jsonl", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def read_page(folder: Path, row: Mapping[str, Any]) -> bytes:
    """A fixture page's bytes, gzip-compressed (.html.gz) or not."""
    data = (folder / row["file"]).read_bytes()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def crawl_options(truth: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The extract() options the crawl would use per page: for a page whose truth names a
    source of the shipped registry, that source's time zone and extract overrides."""
    sources = {source.name: source for source in load_sources()}
    options = []
    for row in truth:
        source = sources[row["source"]] if row.get("source") else None
        options.append({"tz": source.timezone, "overrides": source.extract} if source else {})
    return options


def select(truth: list[dict[str, Any]], split: str) -> list[dict[str, Any]]:
    """The pages of a split: "even" or "odd" file positions (tune on one, report on the
    other), or "all"."""
    start = {"all": 0, "even": 0, "odd": 1}[split]
    return truth[start :: 1 if split == "all" else 2]


def _shingles(text: str | None) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text or "")
    return Counter(tuple(tokens[i : i + _SHINGLE]) for i in range(len(tokens) - _SHINGLE + 1))


def body_counts(true: str | None, pred: str | None) -> tuple[float, float, float]:
    """Per-page (tp, fp, fn) of 4-token shingles, normalised to sum to 1."""
    t, p = _shingles(true), _shingles(pred)
    tp = sum((t & p).values())
    fp = sum((p - t).values())
    fn = sum((t - p).values())
    total = tp + fp + fn
    if total == 0:
        return 0.0, 0.0, 0.0
    return tp / total, fp / total, fn / total


def page_f1(counts: tuple[float, float, float]) -> float:
    """One page's body F1, for finding the pages where an extractor loses."""
    tp, fp, fn = counts
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def body_f1(counts: Iterable[tuple[float, float, float]]) -> tuple[float, float, float]:
    """(precision, recall, F1) from per-page counts, each page weighing the same."""
    precisions, recalls = [], []
    for tp, fp, fn in counts:
        if tp + fp > 0:
            precisions.append(1.0 if fp == fn == 0 else tp / (tp + fp))
        if tp + fn > 0:
            recalls.append(1.0 if fp == fn == 0 else tp / (tp + fn))
    p = sum(precisions) / len(precisions) if precisions else 0.0
    r = sum(recalls) / len(recalls) if recalls else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _collapse(text: str | None) -> str:
    return " ".join((text or "").split())


def title_ok(true: str | None, pred: str | None) -> bool:
    return _collapse(true) == _collapse(pred)


def _parse_dt(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None


def date_ok(true: str | None, pred: str | None) -> bool:
    """Same calendar day, seen in the truth's own UTC offset."""
    t, p = _parse_dt(true), _parse_dt(pred)
    if t is None or p is None:
        return False
    if t.tzinfo is not None and p.tzinfo is not None:
        p = p.astimezone(t.tzinfo)
    return t.date() == p.date()


def authors_ok(true: Iterable[str], pred: Iterable[str] | None) -> bool:
    norm = lambda names: {_collapse(n).casefold() for n in names or ()}  # noqa: E731
    return norm(true) == norm(pred)


@dataclass
class Scores:
    pages: int
    title: float
    date: float
    authors: float
    body_precision: float
    body_recall: float
    body_f1: float

    def as_text(self) -> str:
        return (
            f"title {self.title:6.1%}  date {self.date:6.1%}  authors {self.authors:6.1%}  "
            f"body P {self.body_precision:.3f} R {self.body_recall:.3f} F1 {self.body_f1:.4f}"
        )


def score(truth: list[Mapping[str, Any]], preds: list[Mapping[str, Any]]) -> Scores:
    """Score predictions (same order as truth); missing fields count as wrong."""
    titles = [title_ok(t["title"], p.get("title")) for t, p in zip(truth, preds, strict=True)]
    dated = [(t, p) for t, p in zip(truth, preds, strict=True) if t.get("published")]
    dates = [date_ok(t["published"], p.get("published")) for t, p in dated]
    authors = [
        authors_ok(t["authors"], p.get("authors")) for t, p in zip(truth, preds, strict=True)
    ]
    precision, recall, f1 = body_f1(
        body_counts(t["body"], p.get("body")) for t, p in zip(truth, preds, strict=True)
    )
    return Scores(
        pages=len(truth),
        title=sum(titles) / len(titles) if titles else 0.0,
        date=sum(dates) / len(dates) if dates else 0.0,
        authors=sum(authors) / len(authors) if authors else 0.0,
        body_precision=precision,
        body_recall=recall,
        body_f1=f1,
    )
