"""Quality gate on the labelled dev stories in ../shared (skipped when absent)."""

import json
from pathlib import Path

import pytest

from bench.stories_scoring import bcubed, pairwise, score
from pipelines.stories import StoryClusterer

DEV = Path(__file__).resolve().parents[2] / "shared" / "data" / "stories-dev.jsonl"


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    if not DEV.exists():
        pytest.skip(f"{DEV} not found")
    return [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line]


def test_dev_stories_meet_the_floors(rows: list[dict]) -> None:
    clusterer = StoryClusterer()
    predicted = {r["id"]: clusterer.assign(r["id"], r["title"], r["text"]).story_id for r in rows}
    scores = score(rows, predicted)
    assert scores.syndicated_recall == 1.0
    assert scores.bcubed_precision >= 0.95
    assert scores.bcubed_f1 >= 0.85


def test_scoring_on_a_known_case() -> None:
    gold = {"a": "1", "b": "1", "c": "2"}
    assert bcubed(gold, {"a": "x", "b": "x", "c": "x"}) == pytest.approx((5 / 9, 1.0, 5 / 7))
    assert pairwise(gold, {"a": "x", "b": "y", "c": "y"}) == (0.0, 0.0)
    assert pairwise(gold, gold) == (1.0, 1.0)
