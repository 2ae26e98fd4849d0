"""Rebuild story assignments over the archive with the current rules.

The story index is built by a model and a lexicon whose version is stored with it. When
either changes, the archive is replayed through the matcher in publication order (all of
it, or the articles since a date), so it never holds stories made by two sets of rules.
Each batch of articles, once assigned, is refined (StoryClusterer.refine): a story of one
or two reports is judged again, and joins the story of its event that formed after it,
and the batch's stories that report one event merge (`regroup`).
A story keeps its id when its lead article leads it again; a story no article belongs to
any more points at the story its lead article joined, so every link still resolves.

Reading an article's evidence is a third of the work and needs nothing of the index, so
on a machine with more than one core another process reads each batch's evidence while
this one assigns the batch before.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import defaultdict
from collections.abc import Callable, Container, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from pipelines.lifetime import end_with
from pipelines.store import Store
from pipelines.story_model import evidence_keys

if TYPE_CHECKING:  # the matcher loads with the first story to rebuild
    from pipelines.evidence import Evidence, EvidenceReader
    from pipelines.stories import StoryClusterer

# Articles replayed per transaction: an interrupted rebuild leaves the version unset,
# so the next crawl starts it again from the beginning.
BATCH = 500
REBUILDING = "rebuilding"


@dataclass
class ReclusterResult:
    articles: int = 0
    stories: int = 0  # stories the replayed articles now form
    split: int = 0  # former stories whose articles now sit in more than one story
    merged: int = 0  # stories that now hold articles of more than one former story
    retired: int = 0  # former stories no article belongs to any more (kept as aliases)


def needs_recluster(store: Store, rules: str) -> bool:
    """Whether the stored story index was built by other rules than `rules` (a
    pipelines.story_model.rules_version)."""
    if store.story_rules() == rules:
        return False
    if not store.clustering_order(None):  # nothing to rebuild: adopt the rules as they are
        with store.transaction():
            store.set_story_rules(rules)
        return False
    return True


def replayed_since(store: Store, rules: str, since: str | None) -> str | None:
    """The date a rebuild by `rules` replays from: `since`, unless the index was built by
    other rules (or its last rebuild was cut short); then every article, so that no story
    before `since` is left as other rules made it."""
    return since if store.story_rules() == rules else None


def recluster(
    store: Store,
    make_clusterer: Callable[..., StoryClusterer],
    *,
    since: str | None = None,
    progress: Callable[[int], None] | None = None,
    batch: int = BATCH,
    read_ahead: bool | None = None,
) -> ReclusterResult:
    """Replay the articles (all, or those since `since` when the index was built by the
    same rules: `replayed_since`) through a clusterer built by
    `make_clusterer(story_store)` and store their new stories. `progress(n)` is called
    with the number of articles done after each batch of `batch`. `read_ahead`: read the
    evidence in another process (default: when there is another core and another batch)."""
    clusterer = make_clusterer(store.story_store(rebuild=True))
    since = replayed_since(store, clusterer.rules_version, since)
    order = store.clustering_order(since)
    with store.transaction():
        store.set_story_rules(REBUILDING)
        if since is None:
            store.reset_story_index()
        else:
            _unindex(store, clusterer, order)
    before: dict[int, int] = {}
    after: dict[int, int] = {}
    if read_ahead is None:
        read_ahead = (os.cpu_count() or 1) > 1 and len(order) > batch
    batches = (
        store.articles_for_clustering(order[start : start + batch])
        for start in range(0, len(order), batch)
    )
    with _reading(clusterer.reader, read_ahead) as read:
        for rows, evidence in read(batches):
            with store.transaction():
                urls = [row["url"] for row in rows]
                clusterer.assign_batch(list(zip(urls, evidence, strict=True)))
                updates = []
                for row in rows:  # where each ended, after the batch's moves and merges
                    member = clusterer.store.member(row["url"])
                    before[row["id"]] = row["story_id"]
                    after[row["id"]] = member.story_id
                    updates.append((member.story_id, member.kind, member.matched, row["id"]))
                store.set_article_stories(updates)
            if progress:
                progress(len(rows))
    with store.transaction():
        retired = store.retire_unused_stories()
        store.set_story_rules(clusterer.rules_version)
    return ReclusterResult(
        articles=len(order),
        stories=len(set(after.values())),
        split=_spread(before, after),
        merged=_spread(after, before),
        retired=retired,
    )


def recent_small_stories(
    store: Store, reader: EvidenceReader, days: int, skip: Container[str], limit: int
) -> list[tuple[str, Evidence, int]]:
    """The articles of the live small stories (SMALL_STORY articles at most) with one
    first seen in the last `days` by the store's clock, but those in `skip` (the newest
    `limit`): URL, evidence read again, row id. A crawl refines them with its own
    (pipelines/stages.py), so that yesterday's early report joins the story its event
    formed today."""
    from pipelines.stories import SMALL_STORY

    since = datetime.fromisoformat(store.clock()) - timedelta(days=days)
    ids = store.recent_small_stories(since.isoformat(), SMALL_STORY, limit)
    return [
        (row["url"], reader.read_stored(row), row["id"])
        for row in store.articles_for_clustering(ids)
        if row["url"] not in skip
    ]


def _unindex(store: Store, clusterer: StoryClusterer, ids: list[int]) -> None:
    """Take these articles out of the index, so they can be assigned anew."""
    index = clusterer.store
    for start in range(0, len(ids), BATCH):
        for row in store.articles_for_clustering(ids[start : start + BATCH]):
            story = index.remove_member(row["url"])
            if story is None:
                continue
            evidence = clusterer.reader.read_stored(row)
            profile = index.profile(story)
            profile.remove(evidence)
            index.save_profile(story, profile)
            index.count_keys(evidence_keys(evidence), -1)


Rows = list[dict[str, Any]]
Batches = Iterable[Rows]
ReadBatch = tuple[Rows, list["Evidence"]]  # a batch of rows, and their evidence
ReadBatches = Callable[[Batches], Iterator[ReadBatch]]


@contextmanager
def _reading(reader: EvidenceReader, ahead: bool) -> Iterator[ReadBatches]:
    """Yields `read(batches)`, which yields each batch of rows with their evidence; with
    `ahead`, the next batch is read in another process meanwhile."""
    if not ahead:
        yield lambda batches: ((rows, [reader.read_stored(r) for r in rows]) for rows in batches)
        return
    # A new interpreter shares no thread or database connection of this one (a progress
    # bar's thread, the store's), nor the crawl's fork server and what that preloads.
    context = multiprocessing.get_context("spawn")
    start = (reader, os.getpid())
    with ProcessPoolExecutor(1, context, initializer=_start_reading, initargs=start) as pool:
        try:
            yield partial(_read_ahead, pool)
        finally:
            pool.shutdown(cancel_futures=True)


def _read_ahead(pool: ProcessPoolExecutor, batches: Batches) -> Iterator[ReadBatch]:
    """Each batch with its evidence, read in `pool`: the next batch is handed over before
    this one is yielded, so it is read while this one is assigned."""
    pending: tuple[Rows, Future[list[Evidence]]] | None = None
    for rows in batches:
        submitted = (rows, pool.submit(_read_rows, rows))
        if pending is not None:
            yield pending[0], pending[1].result()
        pending = submitted
    if pending is not None:
        yield pending[0], pending[1].result()


_worker_reader: EvidenceReader | None = None


def _start_reading(reader: EvidenceReader, parent_pid: int) -> None:
    """The reading process's start: its reader, and its lifetime, the rebuild's."""
    global _worker_reader
    _worker_reader = reader
    end_with(parent_pid)


def _read_rows(rows: Rows) -> list[Evidence]:
    """In the reading process: the evidence of a batch of rows."""
    return [_worker_reader.read_stored(row) for row in rows]


def _spread(old: dict[int, int | None], new: dict[int, int]) -> int:
    """How many groups of `old` have their articles in more than one group of `new`."""
    groups: dict[int | None, set[int]] = defaultdict(set)
    for article, story in old.items():
        if story is not None:
            groups[story].add(new[article])
    return sum(len(targets) > 1 for targets in groups.values())
