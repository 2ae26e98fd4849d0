"""One story, reported once: group reprints, wire copies and rewrites of the same event.

An article joins an earlier one's story when it is
  * an exact reprint (same normalised body),
  * a near-verbatim copy: most of the shorter text's word shingles occur in the
    other (wire copy with a new byline, or a truncated teaser), found through
    MinHash LSH bands, or
  * an independent report of the same event: within a few days, announcing or
    reporting in the same tense, and sharing rare facts (names, codes, amounts,
    days, and the facts its opening states), found through an entity index
    limited to that time window.
Same-topic reports of other events share background, not the event's facts or days,
so they stay apart. Candidates come only from bounded index lookups.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TextIO

import numpy as np

from pipelines.entities import entity_keys, text_date
from pipelines.shingles import band_keys, body_hash, containment, minhash, shingles, words
from pipelines.story_store import DocInfo, Kind, MemoryStoryStore, StoryStore

__all__ = [
    "Assignment",
    "StoryClusterer",
    "body_hash",
    "cluster_lines",
]

# Titles announcing a coming event: an announcement and the event itself are two stories.
AHEAD = re.compile(
    r"\b(will|to be|set to|poised to|slated to|scheduled to|likely to|expected to"
    r"|to (visit|hold|launch|commission|sign|begin|discuss|deliver|get|receive|conduct|host))\b",
    re.IGNORECASE,
)
# Entity keys of these kinds pin down an event; names alone mostly pin down a topic.
KEY_WEIGHTS = {"code": 2.0, "num": 2.0, "day": 1.5, "ord": 1.0, "name": 1.0}
# Titles this short name a topic ("INS Tamal"), not an event: read the phase from the opening.
TOPIC_TITLE_WORDS = 3
DATE_MARKER = re.compile(r"\bdate \d{4}-\d\d(-\d\d)?\b")
FIRST_SENTENCE = re.compile(r"(?<=[\w)][.!?])\s")
# A copy this close is verbatim; below it, this share of the opening's facts must agree too.
VERBATIM = 0.8
COPY_OPENING = 0.4
OPENING_CHARS = 200
TITLE_STOPWORDS = frozenset(
    "india indian russia russian with from that this after over amid into says said".split()
)


@dataclass(frozen=True)
class Assignment:
    story_id: str
    kind: Kind
    matched: str | None
    score: float


@dataclass(frozen=True)
class _Doc:
    """The new article's evidence, computed once."""

    title_words: frozenset[str]
    day: date | None
    ahead: bool
    hash: str
    shingles: np.ndarray
    entities: frozenset[str]
    opening_entities: frozenset[str]


def _title_words(title: str) -> frozenset[str]:
    return frozenset(w for w in words(title) if len(w) > 3 and w not in TITLE_STOPWORDS)


class StoryClusterer:
    """Assigns articles to stories one at a time against a persistent StoryStore."""

    def __init__(
        self,
        store: StoryStore | None = None,
        *,
        syndicated: float = 0.5,
        same_event: float = 0.4,
        title_boost: float = 0.5,
        window_days: int = 4,
        per_key: int = 20,
        entity_queries: int = 24,
        opening: float = 0.2,
    ) -> None:
        """`syndicated`: share of the shorter text's shingles found in the other for a copy;
        `same_event`: score a rewrite needs (cosine of IDF-weighted fact keys plus
        `title_boost` times title-word overlap); `window_days`: how far apart two
        reports of one event may be; `opening`: share of the new article's opening facts
        a rewrite candidate must carry; `per_key` and `entity_queries` bound the lookups."""
        self.store = store if store is not None else MemoryStoryStore()
        self.syndicated = syndicated
        self.same_event = same_event
        self.title_boost = title_boost
        self.window = timedelta(days=window_days)
        self.per_key = per_key
        self.entity_queries = entity_queries
        self.opening = opening

    def assign(
        self,
        doc_id: str,
        title: str,
        text: str,
        *,
        published: str | None = None,
        url: str | None = None,
    ) -> Assignment:
        """Assign `doc_id` to a story, store it, and say why. Re-assigning a stored id
        returns its stored assignment. `url` is accepted for callers' convenience;
        URL identity is settled before this by canonicalize_url."""
        known = self.store.get(doc_id)
        if known is not None:
            return Assignment(known.story_id, known.kind, known.matched, known.score)
        doc = self._evidence(title, text, published)
        bands = band_keys(minhash(doc.shingles))
        result = self._match(doc, bands) or Assignment(doc_id, "new", None, 0.0)
        day = doc.day
        if day is None and result.matched is not None:
            matched = self.store.get(result.matched)
            day = matched.day if matched else None
        self.store.add(
            DocInfo(
                doc_id=doc_id,
                story_id=result.story_id,
                kind=result.kind,
                matched=result.matched,
                score=result.score,
                title=title,
                day=day,
                ahead=doc.ahead,
                body_hash=doc.hash,
                shingles=doc.shingles.tobytes(),
                entities=doc.entities,
            ),
            bands,
        )
        return result

    def _evidence(self, title: str, text: str, published: str | None) -> _Doc:
        day = _parse_day(published) or text_date(text)
        entities = frozenset(entity_keys(title, text))
        return _Doc(
            title_words=_title_words(title),
            day=day,
            ahead=_announces(title, text),
            hash=body_hash(text),
            shingles=shingles(words(text)),
            entities=entities,
            opening_entities=entities & entity_keys("", _opening(text)),
        )

    def _match(self, doc: _Doc, bands: list[str]) -> Assignment | None:
        """The earlier article this one repeats or rewrites, most specific test first."""
        exact = self.store.by_body_hash(doc.hash)
        if exact is not None:
            stored = self.store.get(exact)
            if stored is not None:
                return Assignment(stored.story_id, "duplicate", exact, 1.0)
        return self._best_copy(doc, bands) or self._best_rewrite(doc)

    def _best_copy(self, doc: _Doc, bands: list[str]) -> Assignment | None:
        """Best band candidate holding most of the shorter text. When the texts only
        partly agree, the new article's opening facts must be in the other one too:
        a shared background paragraph under two different leads is not a copy."""
        best: Assignment | None = None
        weights = self._weights(doc.opening_entities)
        for doc_id in self.store.by_bands(bands, self.per_key):
            stored = self.store.get(doc_id)
            if stored is None:
                continue
            score = containment(doc.shingles, np.frombuffer(stored.shingles, dtype=np.uint32))
            if score < self.syndicated or (best is not None and score <= best.score):
                continue
            partial = score < VERBATIM
            if partial and _coverage(doc.opening_entities, stored.entities, weights) < COPY_OPENING:
                continue
            best = Assignment(stored.story_id, "syndicated", doc_id, score)
        return best

    def _best_rewrite(self, doc: _Doc) -> Assignment | None:
        """Best report of the same event among articles sharing the rarest fact keys
        within the time window."""
        weights = self._weights(doc.entities)
        rare = sorted(weights, key=lambda k: -weights[k])[: self.entity_queries]
        since, until = (doc.day - self.window, doc.day + self.window) if doc.day else (None, None)
        best: Assignment | None = None
        for doc_id in self.store.by_entities(rare, since, until, self.per_key):
            stored = self.store.get(doc_id)
            if stored is None or not self._compatible(doc, stored):
                continue
            if _coverage(doc.opening_entities, stored.entities, weights) < self.opening:
                continue
            score = self._event_score(doc, stored, weights)
            if best is None or score > best.score:
                best = Assignment(stored.story_id, "same-event", doc_id, score)
        return best if best is not None and best.score >= self.same_event else None

    def _compatible(self, doc: _Doc, stored: DocInfo) -> bool:
        """Same tense (announcement vs report) and, when both days are known, within the window."""
        if doc.ahead != stored.ahead:
            return False
        return doc.day is None or stored.day is None or abs(doc.day - stored.day) <= self.window

    def _weights(self, keys: frozenset[str]) -> dict[str, float]:
        """Inverse document frequency from the store, scaled by how specific the key kind is."""
        counts = self.store.entity_counts(keys)
        total = self.store.doc_count()
        return {
            k: KEY_WEIGHTS[k.split(":", 1)[0]] * math.log((total + 10) / (counts.get(k, 0) + 1))
            for k in keys
        }

    def _event_score(self, doc: _Doc, stored: DocInfo, weights: dict[str, float]) -> float:
        """Cosine of the two articles' weighted fact sets, plus title overlap."""
        other = self._weights(stored.entities)
        shared = sum(weights[k] for k in doc.entities & stored.entities)
        norm = math.sqrt(sum(weights.values()) * sum(other.values())) or 1.0
        title = _title_words(stored.title)
        overlap = len(doc.title_words & title) / (len(doc.title_words | title) or 1)
        return shared / norm + self.title_boost * overlap


def _announces(title: str, text: str) -> bool:
    """Whether the report announces a coming event, judged on the title, or on the
    first sentence when the title only names a topic."""
    if len(title.split()) > TOPIC_TITLE_WORDS:
        return bool(AHEAD.search(title))
    opening = DATE_MARKER.sub(" ", text).strip()
    return bool(AHEAD.search(FIRST_SENTENCE.split(opening, maxsplit=1)[0]))


def _opening(text: str) -> str:
    """The first sentences, where a report states its event."""
    return DATE_MARKER.sub(" ", text).strip()[:OPENING_CHARS]


def _coverage(keys: frozenset[str], other: frozenset[str], weights: dict[str, float]) -> float:
    """Weighted share of `keys` present in `other`; 1.0 when there is nothing to check."""
    total = sum(weights[k] for k in keys)
    return sum(weights[k] for k in keys & other) / total if total else 1.0


def _parse_day(published: str | None) -> date | None:
    if not published:
        return None
    try:
        return date.fromisoformat(published[:10])
    except ValueError:
        return None


def cluster_lines(lines: Iterable[str], out: TextIO, err: TextIO, clusterer: StoryClusterer) -> int:
    """Read JSON Lines {"id", "title", "text"[, "url", "published"]}, write {"id", "story"}
    per article; report malformed lines on `err` with their number and skip them.
    Returns how many lines were skipped."""
    bad = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            fields = [row["id"], row["title"], row["text"]]
            if not all(isinstance(f, str) for f in fields):
                raise TypeError("id, title and text must be strings")
            if not isinstance(row.get("published") or "", str):
                raise TypeError("published must be a string")
        except (ValueError, KeyError, TypeError) as exc:
            bad += 1
            print(f"line {number}: skipped: {exc}", file=err)
            continue
        result = clusterer.assign(
            row["id"], row["title"], row["text"], published=row.get("published"), url=row.get("url")
        )
        out.write(json.dumps({"id": row["id"], "story": result.story_id}) + "\n")
    return bad
