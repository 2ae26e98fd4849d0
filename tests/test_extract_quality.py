"""Extraction quality on the real-page fixtures in ../shared (see bench/extract.py).

Skipped when the shared fixtures are not beside the repository. Runs extract only
(no trafilatura baseline, no timing): about 20 s for the 258 pages on one core.
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "articles"
sys.path.insert(0, str(ROOT / "bench"))

from extract_scoring import Scores, load_truth, score  # noqa: E402

from crawlers.extract import extract  # noqa: E402

# Floors from the issue (measured: title 90.7%, date 98.1%, authors 90.3%, body F1
# 0.9454). Two files, de-WAZ_2024_03_08 and de-WAZ_2025_09_10, carry each other's
# truth (title, date, authors, body), so no extractor gets them right.
FLOORS = {"title": 0.90, "date": 0.98, "authors": 0.90, "body_f1": 0.935}


@pytest.fixture(scope="module")
def scores() -> Scores:
    if not (FIXTURES / "truth.jsonl").is_file():
        pytest.skip(f"real-page fixtures not found at {FIXTURES}")
    truth = load_truth(FIXTURES)
    preds = [
        extract(gzip.decompress((FIXTURES / row["file"]).read_bytes()), row["url"]) for row in truth
    ]
    return score(truth, preds)


@pytest.mark.parametrize("metric", list(FLOORS))
def test_score_floor(scores: Scores, metric: str) -> None:
    value = getattr(scores, metric)
    assert value >= FLOORS[metric], f"{metric} {value:.4f} < {FLOORS[metric]} ({scores.as_text()})"
