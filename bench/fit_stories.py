"""Fit the story matcher's join model, and measure it under cross-validation.

The model (pipelines/story_model.json) is a forest of gradient-boosted trees
(bench/forest.py) over the FEATURES of a report against a candidate story, each tree
monotone in the direction SIGNS gives its feature. Training examples come from replaying
the labelled dev stories (../shared/data/stories-dev*.jsonl) in random arrival orders: each
report is compared with the stories built so far from the reports before it, as the
clusterer would see them, and labelled by whether it belongs to that story.

Cross-validation holds out whole stories: for each of 5 folds the model is fitted and its
thresholds (GRID) chosen on the other folds' stories only, by an inner
cross-validation (`choose_thresholds`), then every document is clustered in
5 random orders and B-cubed is measured on the held-out documents (a held-out report
wrongly joined to a training story counts against it): assigned as `newswatch cluster`
does (in the order of their days, then refined), and stored one at a time in the random
order by four daily crawls, each refining at its end its own articles with the small
stories of the days before (as shipped), or only its own. The shipped model is fitted on all stories
with the median of the thresholds the folds chose. Each F1 comes with its 95% interval
over the dev stories (bench/bootstrap.py): differences inside it are not gains.

Run: .venv/bin/python bench/fit_stories.py [--write] [--published LAG]
(exits 0 when ../shared is absent; --published LAG: the same measured as if every document
had a publication date 0 to LAG days after its event, as a crawl's articles have)
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import multiprocessing
import os
import random
import re
import statistics
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import NamedTuple

import numpy as np
from sklearn.model_selection import GroupKFold

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bootstrap import interval  # noqa: E402
from bench.forest import fit_forest  # noqa: E402
from pipelines.evidence import Evidence, EvidenceReader  # noqa: E402
from pipelines.forest import Forest  # noqa: E402
from pipelines.stages import RECENT_DAYS  # noqa: E402
from pipelines.stories import Assignment, StoryClusterer  # noqa: E402
from pipelines.story_model import FEATURES, MODEL_PATH, JoinModel  # noqa: E402
from pipelines.story_store import MemoryStoryStore  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SETS = ("stories-dev.jsonl", "stories-dev2.jsonl")
VERSION = "11"  # bump when the features or the evidence change: stored stories are rebuilt
FOLDS = 5
ORDERS = 5
TRAIN_ORDERS = 4
# The thresholds the inner cross-validation chooses among (JoinModel fields; 1.01:
# never). Never to merge stories at assignment was chosen by every fold of the linear
# models before the trees, and is kept. Regrouping compares report with report, which the
# model (fitted on reports against stories) scores lower than a report against its
# story: every fold chose the lowest regroup thresholds of .7 to .9 and never, so they
# now reach down to .2.
GRID = {
    "join": (0.7, 0.8, 0.9),
    "merge": (1.01,),
    "regroup": (0.2, 0.3, 0.5, 0.7),
    "regroup_one_script": (0.2, 0.3, 0.5, 0.7),
}
INNER_FOLDS = 4
INNER_ORDERS = 2
COPY = 0.5
# The precision the thresholds must keep: the target, 0.95. Where no setting
# reaches it on the inner folds, the most precise setting is taken.
MIN_PRECISION = 0.95
CRAWLS = 4  # the documents stored by this many crawls, a quarter each, in arrival order
# The forest (bench/forest.py): this many trees. Fewer, shallower ones (100 of depth 3)
# joined fewer reports at the same precision.
TREES = 200
# The direction each feature may move the probability (+1: more of it is more evidence for
# the story, -1: against, 0: free), so that the model stays sensible on reports unlike the
# dev ones: unbounded, a linear fit gave the entity cosine a negative weight to offset the
# two entity covers it moves with, which marks down the reports that share the most.
SIGNS = {
    "entity_cosine": 1, "entity_cover": 1, "story_cover": 1, "lead_cover": 1,
    "event_match": 1, "event_conflict": -1, "amount_match": 1, "amount_conflict": -1,
    "day_match": 1, "same_day": 1, "next_day": 0, "day_near": 0, "day_far": -1,
    "weekday_match": 1, "weekday_conflict": -1,
    "year_conflict": -1, "years_jaccard": 1, "theme_jaccard": 1, "tense_agree": 1,
    "tense_same_day": 1, "act_match": 1, "act_conflict": -1, "act_related": -1,
    "title_overlap": 1, "names_known": 0, "name_overlap": 1, "word_cosine": 1, "foreign": 0,
    "copy": 1, "log_size": 0,
}  # fmt: skip


def load() -> list[dict]:
    rows = []
    for name in SETS:
        path = DATA / name
        for line in path.read_text(encoding="utf-8").splitlines():
            if line:
                rows.append({**json.loads(line), "set": name})
    return rows


_EVENT_DAY = re.compile(r"\b(\d{1,2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\w* (\d{4})")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def simulate_publication(rows: list[dict], lag: int) -> int:
    """A what-if, never the reported figures: give each document a publication date, as
    every crawled article has, 0 to `lag` days after the last full date its set's `event`
    description states (a document's own lag is fixed by its id). The sets carry no
    publication dates, and 100 of their 274 documents state none. Returns how many got
    one."""
    dated = 0
    for row in rows:
        if found := _EVENT_DAY.findall(row["event"]):
            day, month, year = found[-1]
            event = date(int(year), _MONTHS.index(month) + 1, int(day))
            late = random.Random(row["id"]).randint(0, lag)
            row["published"] = f"{event + timedelta(days=late)}T12:00:00+00:00"
            dated += 1
    return dated


def topic_groups() -> dict[str, int]:
    """Story -> its same-topic group, from stories-dev2.md ("1. Project 11356 …: ds001 …")."""
    text = (DATA / "stories-dev2.md").read_text(encoding="utf-8")
    section = text.split("(b) same topic, different events", 1)[1].split("Announcement/", 1)[0]
    groups = {}
    entries = re.findall(r"^\s+\d+\..*?(?=^\s+\d+\.|\Z)", section, re.M | re.S)
    for number, line in enumerate(entries):
        for story in re.findall(r"ds\d{3}", line):
            groups[story] = number
    return groups


class Replay:
    """The clusterer fed with evidence read once, and the gold stories of the documents."""

    def __init__(self, rows: list[dict]):
        self.reader = reader = EvidenceReader()
        self.gold = {r["id"]: r["story"] for r in rows}
        # (copy, original) of each syndicated copy the dev sets mark
        self.syndicated = [(r["id"], r["copy_of"]) for r in rows if r.get("copy") == "syndicated"]
        self.evidence: dict[str, Evidence] = {
            r["id"]: reader.read(r["title"], r["text"], r.get("published"), url=r["url"])
            for r in rows
        }

    def examples(self, docs: Sequence[str], seed: int) -> list[tuple[np.ndarray, int]]:
        """Per document, in one random order: its feature vectors against the candidate
        stories built from the documents before it (gold stories), and the row of its
        own story among them (-1 when its story is new, or was not found)."""
        order = list(docs)
        random.Random(seed).shuffle(order)
        clusterer = StoryClusterer(MemoryStoryStore(), model=_NEUTRAL, reader=self.reader)
        story_of: dict[str, str] = {}  # gold story -> clusterer story id
        groups = []
        for doc in order:
            evidence, gold = self.evidence[doc], self.gold[doc]
            _, candidates = clusterer.examine(evidence)
            if candidates:
                stories = [story for story, _ in candidates]
                own = stories.index(story_of[gold]) if story_of.get(gold) in stories else -1
                groups.append((np.array([values for _, values in candidates]), own))
            if gold not in story_of:
                story_of[gold] = clusterer.store.new_story(doc)
            result = Assignment(story_of[gold], "same-event", None, 1.0)
            clusterer.record(doc, evidence, result)
        return groups

    def cluster(
        self,
        docs: Sequence[str],
        model: JoinModel,
        seed: int,
        *,
        crawls: int = 0,
        recent: int = RECENT_DAYS,
    ) -> dict[str, str]:
        """The stories of `docs` in one random order, assigned as `newswatch cluster` does
        (in the order of their days, then refined), or with `crawls` as that many daily
        crawls store them: one at a time in that order, each refining, when it ends, its
        own articles with those of the `recent` crawls before it (as a crawl refines the
        small stories of its last RECENT_DAYS)."""
        order = list(docs)
        random.Random(seed).shuffle(order)
        clusterer = StoryClusterer(MemoryStoryStore(), model=model, reader=self.reader)
        batch = [(doc, self.evidence[doc]) for doc in order]
        if crawls:
            size = -(-len(batch) // crawls)
            runs = [batch[start : start + size] for start in range(0, len(batch), size)]
            for k, run in enumerate(runs):
                for doc, evidence in run:
                    clusterer.assign_evidence(doc, evidence)
                earlier = [item for past in runs[max(0, k - recent) : k] for item in past]
                clusterer.refine(earlier + run)
        else:
            clusterer.assign_batch(batch)
        return {doc: clusterer.store.member(doc).story_id for doc in order}


_NEUTRAL = JoinModel(VERSION, Forest.of(0.0, []), 2.0, 2.0, COPY)  # probability .5: never joins


def fit(replay: Replay, docs: Sequence[str], seed: int) -> JoinModel:
    """The forest fitted on every (report, candidate story) pair of TRAIN_ORDERS replays
    of `docs`, labelled by whether the story is the report's own."""
    rows, own = [], []
    for order in range(TRAIN_ORDERS):
        for X, row in replay.examples(docs, seed * 100 + order):
            rows.append(X)
            own.append(np.arange(len(X)) == row)
    signs = [SIGNS[feature] for feature in FEATURES]
    forest = fit_forest(np.vstack(rows), np.concatenate(own), signs, TREES, seed)
    return JoinModel(VERSION, forest, 0.5, 0.9, COPY)


def members_of(assigned: dict[str, str]) -> dict[str, set[str]]:
    """Each story's documents, from each document's story (gold or predicted)."""
    members: dict[str, set[str]] = defaultdict(set)
    for doc, story in assigned.items():
        members[story].add(doc)
    return members


def restricted_bcubed(
    gold: dict[str, str], predicted: dict[str, str], docs: Iterable[str]
) -> tuple[float, float, float]:
    """B-cubed over `docs`, their predicted clusters taken whole (other documents in them
    count against precision)."""
    members, gold_members = members_of(predicted), members_of(gold)
    found = []
    for doc in docs:
        cluster, truth = members[predicted[doc]], gold_members[gold[doc]]
        right = len(cluster & truth)
        found.append((right / len(cluster), right / len(truth)))
    return bcubed_of(found)


def bcubed_of(per_doc: Iterable[tuple[float, float]]) -> tuple[float, float, float]:
    """B-cubed P, R and F1 from each document's precision and recall."""
    precisions, recalls = zip(*per_doc, strict=True)
    p, r = statistics.fmean(precisions), statistics.fmean(recalls)
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


def order_means(found: dict[str, list[tuple[float, float]]]) -> dict[str, tuple[float, float]]:
    """Each document's precision and recall, averaged over the orders it was clustered in."""
    return {
        doc: (statistics.fmean(x[0] for x in runs), statistics.fmean(x[1] for x in runs))
        for doc, runs in found.items()
    }


Setting = tuple[float, ...]  # a value for each threshold of GRID, in its order


def choose_thresholds(replay: Replay, docs: Sequence[str], seed: int) -> dict[str, float]:
    """The thresholds of GRID for a model fitted on `docs`, chosen by an
    inner cross-validation over their stories (the outer held-out stories are never seen):
    the best B-cubed F1 among the settings whose held-out precision reaches MIN_PRECISION;
    where none does, the best F1 among the settings as precise as the most precise one,
    within the noise of the difference (`as_precise`)."""
    stories = [replay.gold[d] for d in docs]
    inner = list(GroupKFold(INNER_FOLDS).split(docs, groups=stories))
    models = [
        fit(replay, [docs[i] for i in train], seed * 10 + k) for k, (train, _) in enumerate(inner)
    ]
    precisions: dict[Setting, dict[str, float]] = {}  # per document
    precision, f1s = {}, {}
    for setting in itertools.product(*GRID.values()):
        per_doc = defaultdict(list)
        for model, (_, test) in zip(models, inner, strict=True):
            trial = replace(model, **dict(zip(GRID, setting, strict=True)))
            for order in range(INNER_ORDERS):
                predicted = replay.cluster(docs, trial, seed * 100 + order)
                for i in test:
                    p, r, _ = restricted_bcubed(replay.gold, predicted, [docs[i]])
                    per_doc[docs[i]].append((p, r))
        means = order_means(per_doc)
        precisions[setting] = {d: pr[0] for d, pr in means.items()}
        precision[setting], _, f1s[setting] = bcubed_of(means.values())
    if precise := [s for s in precision if precision[s] >= MIN_PRECISION]:
        best = max(precise, key=lambda s: f1s[s])
    else:
        most = max(precision, key=lambda s: (precision[s], f1s[s]))
        alike = [s for s in precision if as_precise(precisions[s], precisions[most])]
        best = max(alike, key=lambda s: f1s[s])
    return dict(zip(GRID, best, strict=True))


def named(thresholds: dict[str, float]) -> str:
    return ", ".join(f"{name} {value}" for name, value in thresholds.items())


def as_precise(found: dict[str, float], best: dict[str, float]) -> bool:
    """Whether per-document precisions `found` fall short of `best` (the same documents)
    by no more than one standard error of the mean difference: the inner folds measure
    precision on other stories than the outer ones, and far below MIN_PRECISION at times,
    so taking the most precise setting outright would follow differences smaller than
    their noise (a setting that costs no real precision but finds more would be lost)."""
    shortfall = [best[doc] - found[doc] for doc in best]
    if not any(shortfall):
        return True
    noise = statistics.stdev(shortfall) / math.sqrt(len(shortfall))
    return statistics.mean(shortfall) <= noise


class FoldResult(NamedTuple):
    """What one outer fold chose and measured on its held-out documents."""

    model: JoinModel
    per_doc: dict[str, list[tuple[float, float]]]  # doc -> (P, R) per order, as assigned
    per_doc_crawl: dict[str, list[tuple[float, float]]]  # by daily crawls, as shipped
    per_doc_own: dict[str, list[tuple[float, float]]]  # by crawls refining their own only
    copies_joined: list[bool]
    group_mixes: int


_REPLAY: Replay | None = None  # the evidence, read once and shared with forked fold workers


def run_fold(fold: int) -> FoldResult:
    """Choose thresholds and fit a model on the other folds' stories (`_REPLAY`), then
    cluster every document in ORDERS random orders and measure the held-out ones."""
    replay = _REPLAY
    docs = list(replay.gold)
    stories = [replay.gold[d] for d in docs]
    train, test = list(GroupKFold(FOLDS).split(docs, groups=stories))[fold]
    train_docs = [docs[i] for i in train]
    test_docs = [docs[i] for i in test]
    held = set(test_docs)
    groups = topic_groups()
    thresholds = choose_thresholds(replay, train_docs, fold)
    model = replace(fit(replay, train_docs, fold), **thresholds)
    per_doc, per_doc_crawl, per_doc_own = defaultdict(list), defaultdict(list), defaultdict(list)
    copies_joined, mixes = [], 0
    for seed in range(ORDERS):
        predicted = replay.cluster(docs, model, 1000 + seed)
        for doc in test_docs:
            per_doc[doc].append(restricted_bcubed(replay.gold, predicted, [doc])[:2])
        copies_joined += [
            predicted[a] == predicted[b] for a, b in replay.syndicated if a in held or b in held
        ]
        mixes += _group_mixes(predicted, replay.gold, groups, held)
        # The same, stored one at a time by daily crawls, each refining also the small
        # stories of the crawls before it (as shipped), or only its own articles.
        for found, recent in ((per_doc_crawl, RECENT_DAYS), (per_doc_own, 0)):
            crawled = replay.cluster(docs, model, 1000 + seed, crawls=CRAWLS, recent=recent)
            for doc in test_docs:
                found[doc].append(restricted_bcubed(replay.gold, crawled, [doc])[:2])
    return FoldResult(model, per_doc, per_doc_crawl, per_doc_own, copies_joined, mixes)


def cross_validate(replay: Replay, rows: list[dict]) -> list[JoinModel]:
    """Run the FOLDS outer folds, one process per core, and print what they measured."""
    global _REPLAY
    _REPLAY = replay
    workers = min(FOLDS, os.cpu_count() or 1)
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        results = list(pool.map(run_fold, range(FOLDS)))
    per_doc, per_doc_crawl, per_doc_own = {}, {}, {}
    for fold, result in enumerate(results):
        print(f"fold {fold + 1}: {named({name: getattr(result.model, name) for name in GRID})}")
        per_doc |= result.per_doc
        per_doc_crawl |= result.per_doc_crawl
        per_doc_own |= result.per_doc_own
    docs = [r["id"] for r in rows]
    groups = topic_groups()
    langs = defaultdict(set)
    for r in rows:
        langs[r["story"]].add(r.get("lang") or "en")
    multilingual = {s for s, found in langs.items() if len(found) > 1}
    copies_joined = [joined for result in results for joined in result.copies_joined]

    def summary(name: str, selected: list[str], found: dict[str, list]) -> None:
        means = order_means({doc: found[doc] for doc in selected})
        p, r, f = bcubed_of(means.values())
        low, high = f1_interval(replay.gold, means)
        print(f"  {name:<34} B3 P={p:.3f} R={r:.3f} F1={f:.3f} [{low:.3f}, {high:.3f}]  "
              f"({len(selected)} documents)")  # fmt: skip

    print(f"cross-validated, {FOLDS} folds of whole stories, {ORDERS} random orders each "
          f"([F1's 95% interval over the stories, by bootstrap]):")  # fmt: skip
    summary("all", docs, per_doc)
    for name in SETS:
        summary(name, [r["id"] for r in rows if r["set"] == name], per_doc)
    summary("multilingual stories", [d for d in docs if replay.gold[d] in multilingual], per_doc)
    summary("same-topic groups", [d for d in docs if replay.gold[d] in groups], per_doc)
    print(f"  syndicated copies joined: {sum(copies_joined)}/{len(copies_joined)}")
    mixes = sum(result.group_mixes for result in results)
    print(f"  documents of two same-topic stories in one cluster: {mixes} (all orders)")
    summary(f"{CRAWLS} daily crawls, as shipped", docs, per_doc_crawl)
    summary(f"{CRAWLS} daily crawls, each its own only", docs, per_doc_own)
    return [result.model for result in results]


def f1_interval(
    gold: dict[str, str], per_doc: dict[str, tuple[float, float]]
) -> tuple[float, float]:
    """The 95% interval of B-cubed F1 over the documents of `per_doc` (precision, recall),
    their stories drawn again (bootstrap)."""
    per_story: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for doc, found in per_doc.items():
        per_story[gold[doc]].append(found)
    return interval(list(per_story.values()), lambda drawn: bcubed_of(drawn)[2])


def _group_mixes(predicted, gold, groups, held) -> int:  # noqa: ANN001
    """Held-out documents whose predicted cluster holds a document of another gold story
    of the same topic group."""
    members = members_of(predicted)
    mixes = 0
    for doc in held:
        if gold[doc] not in groups:
            continue
        for other in members[predicted[doc]]:
            if gold[other] != gold[doc] and groups.get(gold[other]) == groups[gold[doc]]:
                mixes += 1
                break
    return mixes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="write pipelines/story_model.json")
    parser.add_argument(
        "--published", type=int, metavar="LAG", help="what-if: every document published "
        "0 to LAG days after its event, as crawled articles are (with --write: refused)",
    )  # fmt: skip
    args = parser.parse_args()
    if args.published is not None and args.write:
        parser.error("--published is a what-if: its model is not shipped")
    if not all((DATA / name).exists() for name in SETS):
        print(f"skipped: labelled stories not found in {DATA}")
        return 0
    rows = load()
    if args.published is not None:
        dated = simulate_publication(rows, args.published)
        print(f"what-if: {dated} documents published 0-{args.published} days after their event")
    replay = Replay(rows)
    dated = sum(evidence.day is not None for evidence in replay.evidence.values())
    print(f"{len(rows)} documents, {len(set(replay.gold.values()))} stories, {dated} dated "
          "(by publication date, address or a full date near the start)")  # fmt: skip
    chosen = cross_validate(replay, rows)
    final = fit(replay, [r["id"] for r in rows], 99)
    shipped = {name: statistics.median(getattr(m, name) for m in chosen) for name in GRID}
    final = replace(final, **shipped)
    splits = Counter(FEATURES[f] for f in final.forest.split_features())
    print(f"forest: {len(final.forest.roots)} trees of depth {final.forest.depth} at most; "
          f"splits per feature: {dict(splits.most_common())}")  # fmt: skip
    print(f"shipped thresholds: {named(shipped)}")
    if args.write:
        compact = json.dumps(final.to_dict(), separators=(",", ":"))  # 200 trees
        MODEL_PATH.write_text(compact + "\n", encoding="utf-8")
        print(f"written: {MODEL_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
