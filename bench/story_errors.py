"""Where the story matcher goes wrong on the dev stories: a worklist for whoever takes
issue 11 on.

Under the folds of bench/fit_stories.py (whole stories held out, each fold's join model
fitted on the other folds' stories), with fixed thresholds (the shipped ones, or lower ones
to see what stands between a lower threshold and precision), every document is clustered
in a few random orders, and this prints:
- the gold stories split the most, by the recall they lose, each with its documents
  (language, day, tense, act, headline) grouped by the cluster they landed in;
- the pairs of gold stories whose documents share a cluster, by how often, with each
  story's event: what a lower threshold would have to tell apart first.

The B-cubed line it prints is not a cross-validated figure, because these thresholds
were not chosen on the training folds: bench/fit_stories.py measures that.

Run: .venv/bin/python bench/story_errors.py [--thresholds JOIN REGROUP ONE_SCRIPT]
     [--orders N] [--top K]   (exits 0 when ../shared is absent)
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from dataclasses import replace
from pathlib import Path
from typing import NamedTuple

from sklearn.model_selection import GroupKFold

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.fit_stories import (  # noqa: E402
    DATA,
    FOLDS,
    SETS,
    Replay,
    bcubed_of,
    fit,
    load,
    members_of,
    order_means,
    restricted_bcubed,
)
from pipelines.evidence import Evidence  # noqa: E402
from pipelines.story_model import default_model  # noqa: E402

Clusters = dict[str, str]  # document -> the story it was put in


class Run(NamedTuple):
    """One random order of one fold: its held-out documents and every document's story."""

    held: set[str]
    clusters: Clusters


def recall_lost(gold: dict[str, str], runs: list[Clusters]) -> list[tuple[float, str]]:
    """Gold stories split across clusters, most recall lost first: per story, the sum over
    its documents of the share of the story each one's cluster misses, averaged over the
    runs that cluster it (a story found whole loses 0; one split into n singletons loses
    n - 1)."""
    size = Counter(gold.values())
    lost: dict[str, float] = defaultdict(float)
    seen: Counter[str] = Counter()  # runs that cluster each story
    for predicted in runs:
        together = Counter((gold[doc], story) for doc, story in predicted.items())
        seen.update({gold[doc] for doc in predicted})
        for doc, story in predicted.items():
            lost[gold[doc]] += 1 - together[gold[doc], story] / size[gold[doc]]
    found = [(total / seen[story], story) for story, total in lost.items() if total > 1e-9]
    return sorted(found, key=lambda item: (-item[0], item[1]))


def confusions(gold: dict[str, str], runs: list[Clusters], held: set[str]) -> Counter:
    """Pairs of gold stories (sorted) whose documents shared a cluster, counted once per
    held-out document and other-story document beside it, summed over the runs."""
    found: Counter[tuple[str, str]] = Counter()
    for predicted in runs:
        members = members_of(predicted)
        for doc in held:
            for other in members[predicted[doc]]:
                if gold[other] != gold[doc]:
                    a, b = sorted((gold[doc], gold[other]))
                    found[a, b] += 1
    return found


def held_out_runs(
    replay: Replay, thresholds: dict[str, float], orders: int
) -> tuple[dict[str, list[tuple[float, float]]], list[Run]]:
    """Each held-out document's B-cubed (P, R) per order, and every run, each fold's model
    fitted on the other folds' stories and used with `thresholds`."""
    docs = list(replay.gold)
    per_doc: dict[str, list[tuple[float, float]]] = defaultdict(list)
    runs: list[Run] = []
    folds = GroupKFold(FOLDS).split(docs, groups=[replay.gold[d] for d in docs])
    for fold, (train, test) in enumerate(folds):
        model = replace(fit(replay, [docs[i] for i in train], fold), **thresholds)
        for seed in range(orders):
            predicted = replay.cluster(docs, model, 1000 + seed)
            held = {docs[i] for i in test}
            for doc in held:
                per_doc[doc].append(restricted_bcubed(replay.gold, predicted, [doc])[:2])
            runs.append(Run(held, predicted))
    return per_doc, runs


def _described(row: dict, evidence: Evidence) -> str:
    """A report as the worklist shows it: language, day, tense, act and headline."""
    tense = "ahead" if evidence.ahead else "done"
    day = str(evidence.day or "-")
    language = row.get("lang") or "en"
    return f"{language:<3} {day:<10} {tense:<5} {evidence.act or '-':<10} {row['title'][:60]}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    shipped = default_model()
    parser.add_argument(
        "--thresholds", nargs=3, type=float, metavar=("JOIN", "REGROUP", "ONE_SCRIPT"),
        default=(shipped.join, shipped.regroup, shipped.regroup_one_script),
        help="the join, regroup and one-script regroup thresholds (default: the shipped)",
    )  # fmt: skip
    parser.add_argument("--orders", type=int, default=3, help="random orders per fold")
    parser.add_argument("--top", type=int, default=12, help="stories and pairs listed")
    args = parser.parse_args()
    if not all((DATA / name).exists() for name in SETS):
        print(f"skipped: labelled stories not found in {DATA}")
        return 0
    rows = load()
    by_id = {row["id"]: row for row in rows}
    replay = Replay(rows)
    docs = list(replay.gold)
    join, regroup, one_script = args.thresholds  # merging as shipped
    thresholds = {"join": join, "merge": shipped.merge, "regroup": regroup,
                  "regroup_one_script": one_script}  # fmt: skip
    per_doc, runs = held_out_runs(replay, thresholds, args.orders)
    p, r, f = bcubed_of(order_means(per_doc).values())
    print(f"thresholds join {join}, regroup {regroup}, one-script {one_script}; "
          f"{FOLDS} folds x {args.orders} orders (not cross-validated thresholds): "
          f"B3 P={p:.3f} R={r:.3f} F1={f:.3f}")  # fmt: skip

    held_only = [{doc: run.clusters[doc] for doc in run.held} for run in runs]
    lost = recall_lost(replay.gold, held_only)
    print(f"\nrecall lost: {sum(loss for loss, _ in lost):.1f} documents' worth over "
          f"{len(lost)} split stories; the most:")  # fmt: skip
    for loss, story in lost[: args.top]:
        members = [doc for doc in docs if replay.gold[doc] == story]
        print(f"\n{story} loses {loss:.1f} of {len(members)}: {by_id[members[0]]['event'][:110]}")
        example = next(run for run in held_only if members[0] in run)  # one order's clusters
        for cluster in sorted({example[doc] for doc in members}):
            print(f"  cluster {cluster}:")
            for doc in (d for d in members if example[d] == cluster):
                print(f"    {doc} {_described(by_id[doc], replay.evidence[doc])}")

    confused = sum((confusions(replay.gold, [run.clusters], run.held) for run in runs), Counter())
    events = {row["story"]: row["event"] for row in rows}
    print(f"\nstories sharing a cluster ({sum(confused.values())} document pairs); the most:")
    for (a, b), count in confused.most_common(args.top):
        print(f"  {count:>4}  {a}: {events[a][:70]}\n        {b}: {events[b][:70]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
