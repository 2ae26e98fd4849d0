"""One story per event, in every language: assign each article to the story it reports.

An article joins a story when it is
  * an exact reprint of one of its articles (same normalised body),
  * a near-verbatim copy of one (word shingles of the shorter text found in the other,
    candidates from MinHash LSH bands), or
  * another report of the same event, judged against the story as a whole: the story's
    profile (pipelines/story_model.py) sums what its members name and state, and a fitted
    model turns the agreement of entities, named events, amounts, dates, years, themes,
    tense, acts and headline words into a probability.
When an article fits its best story and also fits another one well enough, the two
stories were one event all along and merge. Candidates come only from bounded index
lookups, so the cost per article does not grow with the archive.

An article is judged against the stories that exist when it arrives, so a report that
came before the others of its event stays alone. When a batch is assigned together
(`newswatch cluster`, `newswatch recluster`), its reports are judged in the order of their
days, and `refine` then judges each small story of it (one or two reports) again, against
the stories as they ended up, and merges the stories of the batch whose reports, compared
one to one, fit each other on average (`regroup`).
"""

from __future__ import annotations

import heapq
import itertools
import json
import math
from collections.abc import Callable, Iterable
from copy import deepcopy
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple, TextIO

import numpy as np

from pipelines.evidence import Evidence, EvidenceReader
from pipelines.shingles import containment
from pipelines.story_model import (
    JoinModel,
    Probe,
    StoryProfile,
    compare_facts,
    default_model,
    evidence_keys,
    features,
    rules_version,
)
from pipelines.story_store import Kind, Member, MemoryStoryStore, StoryId, StoryStore

__all__ = ["Assignment", "StoryClusterer", "cluster_lines"]

# A copy this close is verbatim whatever else the two texts say; a partial copy (a teaser,
# a wire story with paragraphs of its own) joins too when it repeats the other's opening,
# or when the model finds it reports the same event at least COPY_AGREES likely (a lower
# bar than for an article that copies nothing): a shared background paragraph under two
# different leads is no copy.
VERBATIM = 0.8
PARTIAL_COPY = 0.5
COPIED_LEAD = 0.5
COPY_AGREES = 0.9
# Passes over a batch in `refine`: a report may fit a story only once another lone report
# has joined it; more passes rarely move anything.
REFINE_ROUNDS = 2
# A story of a batch this small may have formed before the story of its event did (one
# or two early reports, or undated ones, judged last): `refine` judges it again.
SMALL_STORY = 2
# How close a third story may come to one of two stories of one script, under how well
# the two fit each other, before it is their rival and they do not regroup.
RIVAL_MARGIN = 0.1


@dataclass(frozen=True)
class Assignment:
    story_id: StoryId
    kind: Kind
    matched: str | None
    score: float
    merged: tuple[StoryId, ...] = field(default=())  # stories merged into story_id


class StoryClusterer:
    """Assigns articles to stories one at a time against a persistent StoryStore."""

    def __init__(
        self,
        store: StoryStore | None = None,
        *,
        model: JoinModel | None = None,
        reader: EvidenceReader | None = None,
        per_key: int = 20,
        index_queries: int = 24,
        candidates: int = 20,
    ) -> None:
        """`per_key` and `index_queries` bound the lookups: at most `index_queries` of the
        article's rarest index keys are asked, each for its `per_key` latest stories, and
        the `candidates` stories sharing the most weight of keys are compared in full."""
        self.store = store if store is not None else MemoryStoryStore()
        self.model = model or default_model()
        self._reader = reader
        self.per_key = per_key
        self.index_queries = index_queries
        self.candidates = candidates

    @property
    def reader(self) -> EvidenceReader:
        """The evidence reader (the default lexicon's unless given), made when first
        needed: a crawl hands over each article's evidence, read in a worker process or
        by the topic stage, so its clusterer never loads a lexicon of its own."""
        if self._reader is None:
            self._reader = EvidenceReader()
        return self._reader

    @property
    def rules_version(self) -> str:
        """Names the model, the lexicon and the theme model the evidence is read with: an
        index built by other rules must be rebuilt before it is added to (see
        pipelines/recluster.py)."""
        themes = self.reader.classifier.themes.model
        return rules_version(self.model, self.reader.lexicon.digest, themes.digest)

    def assign(
        self,
        doc_id: str,
        title: str,
        text: str,
        *,
        published: str | None = None,
        url: str | None = None,
        themes: Iterable[str] | None = None,
        evidence: Evidence | None = None,
    ) -> Assignment:
        """Assign `doc_id` to a story, store it, and say why. Re-assigning a stored id
        returns its stored assignment. `url`: its address, which may state its day;
        `themes`: its theme tags, when already known; `evidence`: its evidence, when read
        already (in a worker process)."""
        known = self.store.member(doc_id)
        if known is not None:
            return Assignment(known.story_id, known.kind, known.matched, known.score)
        if evidence is None:
            evidence = self.reader.read(title, text, published, url=url, themes=themes)
        return self.assign_evidence(doc_id, evidence)

    def assign_evidence(self, doc_id: str, evidence: Evidence) -> Assignment:
        """Assign an article whose evidence was read already (in another process)."""
        result = self._match(doc_id, evidence)
        self.record(doc_id, evidence, result)
        return result

    def assign_batch(self, batch: list[tuple[str, Evidence]]) -> None:
        """Assign articles read together, then refine them (what `newswatch cluster` and
        each batch of `newswatch recluster` do). They are assigned in the order of their
        days, those with no known day last in their given order: a crawl meets an event's
        reports in that order, and the stories no longer depend on the order the batch
        came in. An article stored already keeps its story until refined."""
        batch = sorted(batch, key=lambda item: item[1].day or date.max)
        for doc_id, evidence in batch:
            if self.store.member(doc_id) is None:
                self.assign_evidence(doc_id, evidence)
        self.refine(batch)

    def record(self, doc_id: str, evidence: Evidence, result: Assignment) -> None:
        """Store the article in its story (merging the stories `result` names)."""
        story = result.story_id
        profile = self.store.profile(story)
        for other in result.merged:
            profile.absorb(self.store.profile(other))
            self.store.merge(other, story)
        profile.add(evidence)
        self.store.save_profile(story, profile)
        self.store.count_keys(evidence_keys(evidence))
        self.store.add_member(
            Member(
                doc_id=doc_id,
                story_id=story,
                kind=result.kind,
                matched=result.matched,
                score=result.score,
                body_hash=evidence.body_hash,
                shingles=evidence.shingles.tobytes(),
            ),
            evidence.bands,
        )

    def _match(self, doc_id: str, evidence: Evidence) -> Assignment:
        exact = self.store.by_body_hash(evidence.body_hash)
        if exact is not None and (twin := self.store.member(exact)) is not None:
            return Assignment(twin.story_id, "duplicate", exact, 1.0)
        copies, candidates = self.examine(evidence)
        probability = self._probabilities(candidates)
        joined = _copied(copies, probability)
        if joined:  # a copy of articles of several stories shows they are one
            score, story, doc_id = joined[0]
            merged = tuple(dict.fromkeys(s for _, s, _ in joined[1:] if s != story))
            return Assignment(story, "syndicated", doc_id, score, merged)
        scored = sorted(((p, story) for story, p in probability.items()), key=lambda x: -x[0])
        if not scored or scored[0][0] < self.model.join:
            return Assignment(self.store.new_story(doc_id), "new", None, 0.0)
        probability, story = scored[0]
        merged = tuple(s for p, s in scored[1:] if p >= self.model.merge)
        copy = copies.get(story)
        matched = copy.doc_id if copy else None
        kind: Kind = "syndicated" if copy and copy.score >= self.model.copy else "same-event"
        return Assignment(story, kind, matched, round(probability, 4), merged)

    def refine(
        self, batch: list[tuple[str, Evidence]], rounds: int = REFINE_ROUNDS
    ) -> dict[str, Assignment]:
        """Judge each small story of `batch` (SMALL_STORY reports at most, all of them in
        the batch) again, against the stories as they are now: it moves whole to the story
        one of its reports fits best, when that reaches the join threshold and each of its
        other reports fits that story too. Reports that came before their event's story
        had formed join it, and a story is never left without the report it is named
        after. Then the stories of the batch that report one event merge (`regroup`).
        Returns the new assignment of each report that moved."""
        moved: dict[str, Assignment] = {}
        for _ in range(rounds):
            moves = 0
            for story, reports in self._small_stories(batch).items():
                if self.store.profile(story).size != len(reports):
                    continue  # another small story joined it in this pass
                found = self._join_later_story(story, reports)
                moved |= found
                moves += len(found)
            if not moves:
                break
        return moved | self.regroup(batch)

    def regroup(self, batch: list[tuple[str, Evidence]]) -> dict[str, Assignment]:
        """Merge the stories of `batch` (those whose reports are all in it) that report
        one event: two stories merge when the reports of one, each compared on its own
        with each report of the other, fit on average at least `model.regroup` if the two
        share no script, `model.regroup_one_script` if they do (average linkage), the
        best-fitting pair first; the smaller moves into the larger.

        A story's summed profile is compared mostly through its words and headline
        tokens, which two scripts hardly share, so a Hindi pair and an English trio of one
        event can stay apart; report to report, their names, places, figures and days
        meet. In one script, reports of one event that fit each other just under the join
        threshold stay apart too (three reports of a commissioning, each at .93 to .96),
        but there other events of one topic fit as well: two stories of one script merge
        only when no two of their reports state other facts
        (`FactComparison.conflicting`) and no third story is their rival. Averaging over
        every pair keeps one report that fits two events from chaining them. Returns the
        new assignment of each report that moved."""
        if min(self.model.regroup, self.model.regroup_one_script) > 1:
            return {}
        reports = {
            story: [doc_id for doc_id, _ in found]
            for story, found in self._whole_stories(batch).items()
        }
        fit = _ReportFit(self._probe, self.model, dict(batch))
        writings = {
            story: {fit.evidence[doc_id].writing for doc_id in docs}
            for story, docs in reports.items()
        }
        near = self._neighbours(reports, writings, fit.evidence)
        queue: list[tuple[float, str, str, StoryId, StoryId, int, int]] = []

        def rival(a: StoryId, b: StoryId, score: float) -> bool:
            """Whether a third story near `a` or `b` fits one of them within RIVAL_MARGIN
            of `score` (how well the two fit each other) and the other under the
            one-script threshold. Reports of one event fit a third story alike; when they
            do not, `a` and `b` may be two events of its topic that it lies between."""
            floor = min(score - RIVAL_MARGIN, self.model.regroup_one_script)
            for other in (near[a] | near[b]) - {a, b}:
                fits = (fit.linkage(reports[x], reports[other], floor) for x in (a, b))
                low, high = sorted(fits)
                if high >= score - RIVAL_MARGIN and low < self.model.regroup_one_script:
                    return True
            return False

        def consider(a: StoryId, b: StoryId) -> None:
            one_script = bool(writings[a] & writings[b])
            threshold = self.model.regroup_one_script if one_script else self.model.regroup
            if one_script and fit.conflicting(reports[a], reports[b]):
                return
            score = fit.linkage(reports[a], reports[b], threshold)
            if score < threshold or (one_script and rival(a, b, score)):
                return
            first, second = sorted((a, b), key=str)
            entry = (-score, str(first), str(second), first, second)
            heapq.heappush(queue, (*entry, len(reports[first]), len(reports[second])))

        for story in reports:
            for other in near[story]:
                if str(story) < str(other):
                    consider(story, other)
        moved: dict[str, Assignment] = {}
        while queue:
            score, _, _, a, b, size_a, size_b = heapq.heappop(queue)
            if len(reports.get(a, ())) != size_a or len(reports.get(b, ())) != size_b:
                continue  # one of them changed since: judged again when it did
            target, source = (a, b) if size_a >= size_b else (b, a)
            moved |= self._move_story(source, target, reports[source], -score)
            reports[target] += reports.pop(source)
            writings[target] |= writings.pop(source)
            for other in near.pop(source):
                near[other].discard(source)
                if other != target:
                    near[other].add(target)
                    near[target].add(other)
            for other in near[target]:
                consider(target, other)
        return moved

    def _neighbours(
        self,
        reports: dict[StoryId, list[str]],
        writings: dict[StoryId, set[str]],
        evidence: dict[str, Evidence],
    ) -> dict[StoryId, set[StoryId]]:
        """Per story of `reports`, the others its reports would be compared with (as
        `examine` finds candidates): all of them when stories of one script may regroup,
        else those that share none of its scripts (then a story that every other shares a
        script with looks nothing up, and a batch in one script costs nothing)."""
        one_script = self.model.regroup_one_script <= 1
        near: dict[StoryId, set[StoryId]] = {story: set() for story in reports}
        for story in reports if one_script else _apart_from_some(writings):
            for doc_id in reports[story]:
                for other in self._candidate_stories(evidence[doc_id], doc_id):
                    if other == story or other not in reports:
                        continue
                    if one_script or not writings[story] & writings[other]:
                        near[story].add(other)
                        near[other].add(story)
        return near

    def _move_story(
        self, source: StoryId, target: StoryId, docs: list[str], score: float
    ) -> dict[str, Assignment]:
        """Move every report of `source` to `target`: the report `source` was named after
        joins as another report of the event, the others as they had joined."""
        profile = self.store.profile(target)
        profile.absorb(self.store.profile(source))
        moves = {}
        for doc_id in docs:
            member = self.store.member(doc_id)
            if member.kind == "new":
                moves[doc_id] = Assignment(target, "same-event", None, round(score, 4))
            else:
                moves[doc_id] = Assignment(target, member.kind, member.matched, member.score)
        self._empty_into(source, target, profile, moves)
        return moves

    def _empty_into(
        self,
        source: StoryId,
        target: StoryId,
        profile: StoryProfile,
        moves: dict[str, Assignment],
    ) -> None:
        """Store the `moves` of every report of `source` to `target`, whose profile now
        holds them: `source` is left empty, no candidate to anything."""
        self.store.save_profile(source, StoryProfile())
        self.store.save_profile(target, profile)
        for doc_id, moved in moves.items():
            self.store.move_member(doc_id, target, moved.kind, moved.matched, moved.score)

    def _small_stories(
        self, batch: list[tuple[str, Evidence]]
    ) -> dict[StoryId, list[tuple[str, Evidence]]]:
        """The stories of SMALL_STORY reports at most, all of them in `batch`."""
        stories = self._whole_stories(batch)
        return {story: found for story, found in stories.items() if len(found) <= SMALL_STORY}

    def _whole_stories(
        self, batch: list[tuple[str, Evidence]]
    ) -> dict[StoryId, list[tuple[str, Evidence]]]:
        """The stories all of whose reports are in `batch`, each with its reports in the
        batch's order."""
        reports: dict[StoryId, list[tuple[str, Evidence]]] = {}
        for doc_id, evidence in batch:
            member = self.store.member(doc_id)
            if member is not None:
                reports.setdefault(member.story_id, []).append((doc_id, evidence))
        return {
            story: found
            for story, found in reports.items()
            if len(found) == self.store.profile(story).size
        }

    def _join_later_story(
        self, small: StoryId, reports: list[tuple[str, Evidence]]
    ) -> dict[str, Assignment]:
        """Move the reports of a small story to a story one of whose later articles
        copies a report of it (an opening may be repeated under another dateline, which
        a copy's own opening does not show), else to the story a report fits best, if
        each of the others fits it too. Each report is tried in turn as the one that
        leads the way. Returns the moves (none if no report finds a story all fit)."""
        for k in range(len(reports)):
            moves = self._join_led_by(small, reports[k], reports[:k] + reports[k + 1 :])
            if moves:
                return moves
        return {}

    def _join_led_by(
        self,
        small: StoryId,
        leader: tuple[str, Evidence],
        others: list[tuple[str, Evidence]],
    ) -> dict[str, Assignment]:
        """The moves of `_join_later_story` when `leader` finds the story."""
        first_id, first = leader
        copies, candidates = self.examine(first, exclude=first_id)
        scored = self._probabilities([found for found in candidates if found[0] != small])
        copied = [found for found in _copied(copies, scored) if found[1] != small]
        if copied:
            copy_score, best, matched = copied[0]
            found = Assignment(best, "syndicated", matched, round(copy_score, 4))
        else:
            best = max(scored, key=lambda story: (scored[story], str(story)), default=None)
            if best is None or scored[best] < self.model.join:
                return {}
            found = Assignment(best, "same-event", None, round(scored[best], 4))
        target = deepcopy(self.store.profile(best))
        target.add(first)
        moves = {first_id: found}
        for doc_id, evidence in others:
            probability = self.model.probability(features(self._probe(evidence), target, 0.0))
            if probability < self.model.join:
                return {}
            target.add(evidence)
            moves[doc_id] = Assignment(best, "same-event", None, round(probability, 4))
        self._empty_into(small, best, target, moves)
        return moves

    def _probabilities(self, candidates: list[tuple[StoryId, np.ndarray]]) -> dict[StoryId, float]:
        """The join probability of each candidate story, all judged in one pass."""
        if not candidates:
            return {}
        found = self.model.probabilities(np.array([values for _, values in candidates]))
        return {story: float(p) for (story, _), p in zip(candidates, found, strict=True)}

    def examine(
        self, evidence: Evidence, exclude: str | None = None
    ) -> tuple[dict[StoryId, Copy], list[tuple[StoryId, np.ndarray]]]:
        """The candidate stories of an article: per story its closest copy (containment
        and article), and every candidate's FEATURES. `exclude`: the article itself, when
        a stored one is judged again (it is no copy of itself)."""
        copies = self._copies(evidence, exclude)
        best, idf = self._indexed_stories(evidence)
        probe = Probe(evidence, idf)
        scored = []
        for story in sorted(set(best) | copies.keys()):
            profile = self.store.profile(story)
            if profile.size:  # a story emptied by a partial rebuild is no candidate
                copy = copies[story].shared if story in copies else 0.0
                scored.append((story, features(probe, profile, copy)))
        return copies, scored

    def _indexed_stories(self, evidence: Evidence) -> tuple[list[StoryId], dict[str, float]]:
        """The `candidates` stories sharing the most (and rarest) index keys with the
        article, and the idf of its keys."""
        keys = evidence_keys(evidence)
        counts = self.store.key_counts(keys)
        idf = self._rarity(keys, counts)
        # The rarest keys some stored article already carries: a key seen nowhere finds nothing.
        # Ties go by name and by story id, and candidates are compared in id order: the
        # same arrivals give the same stories in every process (a set's order changes
        # with each interpreter's hash seed).
        known = sorted((k for k in keys if counts.get(k)), key=lambda k: (-idf[k], k))
        found: dict[StoryId, float] = {}
        asked = known[: self.index_queries]
        for key, stories in self.store.stories_per_key(asked, self.per_key).items():
            for story in stories:
                found[story] = found.get(story, 0.0) + idf[key]
        return sorted(found, key=lambda story: (-found[story], story))[: self.candidates], idf

    def _candidate_stories(self, evidence: Evidence, doc_id: str) -> set[StoryId]:
        """The stories `examine` would compare the stored article `doc_id` with: those of
        its index lookups and of its band neighbours (how much those copy is not needed)."""
        best, _ = self._indexed_stories(evidence)
        near = self.store.by_bands(evidence.bands, self.per_key)
        members = (self.store.member(other) for other in near if other != doc_id)
        return set(best) | {member.story_id for member in members if member is not None}

    def _probe(self, evidence: Evidence) -> Probe:
        """The article as it is compared with a story, its keys weighed by their rarity."""
        keys = evidence_keys(evidence)
        return Probe(evidence, self._rarity(keys, self.store.key_counts(keys)))

    def _rarity(self, keys: set[str], counts: dict[str, int]) -> dict[str, float]:
        """The idf of each key among the stored articles."""
        total = self.store.doc_count()
        return {k: math.log((total + 1) / (counts.get(k, 0) + 1)) + 1 for k in keys}

    def _copies(self, evidence: Evidence, exclude: str | None = None) -> dict[StoryId, Copy]:
        """Per story, its closest band candidate: how much of the article (and of its
        opening) that member holds."""
        copies: dict[StoryId, Copy] = {}
        for doc_id in self.store.by_bands(evidence.bands, self.per_key):
            member = self.store.member(doc_id) if doc_id != exclude else None
            if member is None:
                continue
            found = _copy_in(evidence, doc_id, np.frombuffer(member.shingles, np.uint32))
            if member.story_id not in copies or found.score > copies[member.story_id].score:
                copies[member.story_id] = found
        return copies


def _apart_from_some(writings: dict[StoryId, set[str]]) -> list[StoryId]:
    """The stories that some other story shares no script with."""
    by_script: dict[str, set[StoryId]] = {}
    for story, found in writings.items():
        for writing in found:
            by_script.setdefault(writing, set()).add(story)
    return [
        story
        for story, found in writings.items()
        if len(set().union(*(by_script[writing] for writing in found))) < len(writings)
    ]


class _ReportFit:
    """How well two reports of a batch fit each other, each judged against a story of the
    other alone (the better of the two ways, as the model is not symmetric), and whether
    either way they state other facts (`FactComparison.conflicting`), remembered."""

    def __init__(
        self, probe: Callable[[Evidence], Probe], model: JoinModel, evidence: dict[str, Evidence]
    ):
        self.probe = probe
        self.model = model
        self.evidence = evidence
        self._probes: dict[str, Probe] = {}
        self._alone: dict[str, StoryProfile] = {}
        self._fits: dict[tuple[str, str], float] = {}
        self._conflicts: dict[tuple[str, str], bool] = {}

    def linkage(self, docs: list[str], others: list[str], floor: float = 0.0) -> float:
        """The mean fit of every report of `docs` with every report of `others`; or, as
        soon as the pairs judged so far fall too short of a fit of 1 for that mean to
        reach `floor`, the most it could still reach, under `floor`: most stories compared
        fit nowhere near, and a few of their pairs show it."""
        pairs = len(docs) * len(others)
        allowed = pairs * (1.0 - floor)  # how far the pairs may fall short of 1 in all
        shortfall = 0.0
        for a, b in itertools.product(docs, others):
            shortfall += 1.0 - self._fit(a, b)
            if shortfall > allowed:
                break
        return (pairs - shortfall) / pairs

    def conflicting(self, docs: list[str], others: list[str]) -> bool:
        """Whether some report of `docs` and some report of `others` state other facts
        (which takes a fraction of the time of judging how well they fit)."""
        return any(self._conflicting(a, b) for a in docs for b in others)

    def _fit(self, a: str, b: str) -> float:
        key = (a, b) if a < b else (b, a)
        if key not in self._fits:
            both = np.vstack([self._features(a, b), self._features(b, a)])
            self._fits[key] = float(self.model.probabilities(both).max())
        return self._fits[key]

    def _conflicting(self, a: str, b: str) -> bool:
        key = (a, b) if a < b else (b, a)
        if key not in self._conflicts:
            self._conflicts[key] = any(
                compare_facts(self._probe_of(report), self._alone_of(alone)).conflicting
                for report, alone in ((a, b), (b, a))
            )
        return self._conflicts[key]

    def _features(self, report: str, alone: str) -> np.ndarray:
        """The features of `report` against a story of `alone` only."""
        copy = _copy_in(self.evidence[report], alone, self.evidence[alone].shingles)
        return features(self._probe_of(report), self._alone_of(alone), copy.shared)

    def _probe_of(self, report: str) -> Probe:
        if report not in self._probes:
            self._probes[report] = self.probe(self.evidence[report])
        return self._probes[report]

    def _alone_of(self, doc_id: str) -> StoryProfile:
        """A story of `doc_id` only."""
        if doc_id not in self._alone:
            profile = StoryProfile()
            profile.add(self.evidence[doc_id])
            self._alone[doc_id] = profile
        return self._alone[doc_id]


class Copy(NamedTuple):
    """A stored article the new one may copy."""

    score: float  # share of the shorter text's shingles found in the other
    doc_id: str
    lead: float  # share of the new article's opening shingles found in it

    @property
    def shared(self) -> float:
        """What the join model counts of the copy (its `copy` feature): the share of text
        found in the other, only as far as the opening is found there too. Two reports
        of one visit's announcement and its talks may quote one background paragraph
        under their own openings; that says nothing of one event."""
        return min(self.score, self.lead)


def _copied(
    copies: dict[StoryId, Copy], probability: dict[StoryId, float]
) -> list[tuple[float, StoryId, str]]:
    """(containment, story, copied article) of each story the article copies a member of,
    best first: nearly all of it, or half of it with its opening or with the story's
    agreement (`probability`: the join model's, per candidate story)."""
    joined = [
        (copy.score, story, copy.doc_id)
        for story, copy in copies.items()
        if copy.score >= VERBATIM
        or (
            copy.score >= PARTIAL_COPY
            and (copy.lead >= COPIED_LEAD or probability.get(story, 0.0) >= COPY_AGREES)
        )
    ]
    return sorted(joined, key=lambda found: -found[0])


def _copy_in(evidence: Evidence, doc_id: str, shingles: np.ndarray) -> Copy:
    """How much of an article, and of its opening, the article `doc_id` (its `shingles`)
    holds."""
    lead = _share_in(evidence.lead_shingles, shingles)
    return Copy(containment(evidence.shingles, shingles), doc_id, lead)


def _share_in(part: np.ndarray, whole: np.ndarray) -> float:
    if not len(part):
        return 0.0
    return len(np.intersect1d(part, whole, assume_unique=True)) / len(part)


def cluster_lines(lines: Iterable[str], out: TextIO, err: TextIO, clusterer: StoryClusterer) -> int:
    """Read JSON Lines {"id", "title", "text"[, "url", "published", "lang"]}, assign them
    as one batch (StoryClusterer.assign_batch), then write {"id", "story"} per article with
    the story it ended in; report malformed lines on `err` with their number and skip them.
    Returns how many lines were skipped."""
    bad = 0
    batch: dict[str, Evidence] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            fields = [row["id"], row["title"], row["text"]]
            if not all(isinstance(f, str) for f in fields):
                raise TypeError("id, title and text must be strings")
            for key in ("published", "url", "lang"):
                if not isinstance(row.get(key) or "", str):
                    raise TypeError(f"{key} must be a string")
        except (ValueError, KeyError, TypeError) as exc:
            bad += 1
            print(f"line {number}: skipped: {exc}", file=err)
            continue
        if row["id"] not in batch:
            batch[row["id"]] = clusterer.reader.read(
                row["title"], row["text"], row.get("published"), url=row.get("url")
            )
    clusterer.assign_batch(list(batch.items()))
    for doc_id in batch:
        story = clusterer.store.member(doc_id).story_id
        out.write(json.dumps({"id": doc_id, "story": story}) + "\n")
    return bad
