"""Quality gate of the story matcher on the labelled dev stories in ../shared (skipped
when absent): the shipped model replays both sets in random orders and may not fall below
the floors. The model was fitted on these stories, so these are regression floors; the
honest, cross-validated figures come from bench/fit_stories.py."""

import json
import os
import random
import statistics
import subprocess
import sys
from pathlib import Path

import pytest

from bench.stories_scoring import bcubed, pairwise, score
from pipelines.evidence import EvidenceReader
from pipelines.stories import StoryClusterer

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SETS = ("stories-dev.jsonl", "stories-dev2.jsonl")
ORDERS = 3
# Measured with the shipped model (in-sample, 3 orders, assigned and refined as `newswatch
# cluster` does, each report dated by its address where it states a day): P .991, F1 .827. The
# cross-validated figures come from bench/fit_stories.py.
FLOORS = {"bcubed_precision": 0.95, "bcubed_f1": 0.81, "syndicated_recall": 1.0}


@pytest.fixture(scope="module")
def scores() -> list:
    if not all((DATA / name).exists() for name in SETS):
        pytest.skip(f"labelled stories not found in {DATA}")
    rows = [
        json.loads(line)
        for name in SETS
        for line in (DATA / name).read_text(encoding="utf-8").splitlines()
        if line
    ]
    reader = EvidenceReader()
    evidence = {r["id"]: reader.read(r["title"], r["text"], url=r["url"]) for r in rows}
    results = []
    for seed in range(ORDERS):
        order = rows[:]
        random.Random(seed).shuffle(order)
        clusterer = StoryClusterer(reader=reader)
        clusterer.assign_batch([(r["id"], evidence[r["id"]]) for r in order])  # as `cluster`
        predicted = {r["id"]: clusterer.store.member(r["id"]).story_id for r in order}
        results.append(score(rows, predicted))
    return results


@pytest.mark.parametrize("metric", list(FLOORS))
def test_dev_stories_meet_the_floors(scores, metric: str) -> None:
    value = statistics.mean(getattr(s, metric) for s in scores)
    assert value >= FLOORS[metric], f"{metric} {value:.3f} < {FLOORS[metric]}"


# The fit's replay of both dev sets in one random order (each report's gold story
# recorded): every candidate story's features, and which of them is the report's own.
CANDIDATES = """
from bench.fit_stories import Replay, load
rows = load()
for values, own in Replay(rows).examples([r["id"] for r in rows], seed=0):
    print(own, values.round(6).tolist())
"""


def test_the_same_arrivals_meet_the_same_candidates_in_every_process() -> None:
    # Candidate stories tie on their weight of shared keys; ties must not be broken by the
    # order of a set, which changes with each interpreter's hash seed.
    if not all((DATA / name).exists() for name in SETS):
        pytest.skip(f"labelled stories not found in {DATA}")
    outputs = [
        subprocess.run(
            [sys.executable, "-c", CANDIDATES],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).resolve().parents[1],
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2")
    ]
    assert outputs[0] == outputs[1]


def test_scoring_on_a_known_case() -> None:
    gold = {"a": "1", "b": "1", "c": "2"}
    assert bcubed(gold, {"a": "x", "b": "x", "c": "x"}) == pytest.approx((5 / 9, 1.0, 5 / 7))
    assert pairwise(gold, {"a": "x", "b": "y", "c": "y"}) == (0.0, 0.0)
    assert pairwise(gold, gold) == (1.0, 1.0)
