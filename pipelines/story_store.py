"""What the story clusterer remembers between runs, behind a protocol the SQLite store implements.

Every method is one indexed lookup (by doc id, body hash, band key, entity key
and day, or entity key for counts), so assigning an article costs the same
however many articles are stored.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import islice
from typing import Literal, Protocol

Kind = Literal["new", "duplicate", "syndicated", "same-event"]


@dataclass(frozen=True)
class DocInfo:
    """One stored article: its assignment and the evidence later articles are compared with."""

    doc_id: str
    story_id: str
    kind: Kind
    matched: str | None  # the stored article it was matched to; None for a story lead
    score: float
    title: str
    day: date | None  # published, else found in the text, else the matched article's day
    ahead: bool  # announces a coming event ("to visit", "will commission")
    body_hash: str
    shingles: bytes  # sorted unique uint32 shingle hashes (numpy tobytes)
    entities: frozenset[str]


class StoryStore(Protocol):
    def get(self, doc_id: str) -> DocInfo | None:
        """The stored article, or None."""

    def add(self, doc: DocInfo, band_keys: Sequence[str]) -> None:
        """Store `doc`, index it under its LSH band keys and entity keys (with `doc.day`),
        and add one to the document count of each of its entity keys."""

    def by_body_hash(self, body_hash: str) -> str | None:
        """Some stored article with this body hash, or None."""

    def by_bands(self, band_keys: Sequence[str], per_key: int) -> set[str]:
        """Articles sharing a band key: at most `per_key` most recently added per key."""

    def by_entities(
        self, keys: Sequence[str], since: date | None, until: date | None, per_key: int
    ) -> set[str]:
        """Articles sharing an entity key whose day is unknown or within [since, until]
        (any day when since/until are None): at most `per_key` most recently added per key."""

    def entity_counts(self, keys: Iterable[str]) -> dict[str, int]:
        """How many stored articles carry each key (absent keys may be left out)."""

    def doc_count(self) -> int:
        """How many articles are stored."""


class MemoryStoryStore:
    """In-process StoryStore for tests, the CLI and the benchmark."""

    def __init__(self) -> None:
        self._docs: dict[str, DocInfo] = {}
        self._hashes: dict[str, str] = {}
        self._bands: dict[str, list[str]] = defaultdict(list)
        self._entities: dict[str, list[str]] = defaultdict(list)
        self._counts: dict[str, int] = defaultdict(int)

    def get(self, doc_id: str) -> DocInfo | None:
        return self._docs.get(doc_id)

    def add(self, doc: DocInfo, band_keys: Sequence[str]) -> None:
        self._docs[doc.doc_id] = doc
        self._hashes.setdefault(doc.body_hash, doc.doc_id)
        for key in band_keys:
            self._bands[key].append(doc.doc_id)
        for key in doc.entities:
            self._entities[key].append(doc.doc_id)
            self._counts[key] += 1

    def by_body_hash(self, body_hash: str) -> str | None:
        return self._hashes.get(body_hash)

    def by_bands(self, band_keys: Sequence[str], per_key: int) -> set[str]:
        return {d for key in band_keys for d in self._bands.get(key, [])[-per_key:]}

    def by_entities(
        self, keys: Sequence[str], since: date | None, until: date | None, per_key: int
    ) -> set[str]:
        found: set[str] = set()
        for key in keys:
            recent = (
                d for d in reversed(self._entities.get(key, [])) if self._in_window(d, since, until)
            )
            found.update(islice(recent, per_key))
        return found

    def _in_window(self, doc_id: str, since: date | None, until: date | None) -> bool:
        day = self._docs[doc_id].day
        return day is None or since is None or until is None or since <= day <= until

    def entity_counts(self, keys: Iterable[str]) -> dict[str, int]:
        return {k: self._counts[k] for k in keys if k in self._counts}

    def doc_count(self) -> int:
        return len(self._docs)
