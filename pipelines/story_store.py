"""What the story matcher remembers between articles, behind a protocol that the SQLite
store (pipelines/store/stories.py) and this module's in-memory store implement.

Every lookup is bounded (by document, body hash, band key, or index key with a cap per
key), so assigning an article costs about the same however many are stored.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Literal, Protocol

from pipelines.story_model import StoryProfile

Kind = Literal["new", "duplicate", "syndicated", "same-event"]
StoryId = Hashable


@dataclass(frozen=True)
class Member:
    """One stored article: the story it joined, how, and what later copies compare with."""

    doc_id: str
    story_id: StoryId
    kind: Kind
    matched: str | None  # the article it was matched to; None for a story's first article
    score: float
    body_hash: str
    shingles: bytes  # sorted unique uint32 shingle hashes (numpy tobytes)


class StoryStore(Protocol):
    def member(self, doc_id: str) -> Member | None:
        """The stored article, its story resolved through merges; None if unknown."""

    def add_member(self, member: Member, band_keys: Sequence[int]) -> None:
        """Store an article and index it under its MinHash band keys."""

    def move_member(
        self, doc_id: str, story_id: StoryId, kind: Kind, matched: str | None, score: float
    ) -> None:
        """Move a stored article to another story, as another report of its event (or a
        copy of its article `matched`)."""

    def by_body_hash(self, body_hash: str) -> str | None:
        """Some stored article with this body hash."""

    def by_bands(self, band_keys: Sequence[int], per_key: int) -> set[str]:
        """Articles sharing a band key: at most `per_key` most recent per key."""

    def new_story(self, lead: str) -> StoryId:
        """A new, empty story led by the article `lead`."""

    def profile(self, story_id: StoryId) -> StoryProfile:
        """The story's profile (empty for a new story)."""

    def save_profile(self, story_id: StoryId, profile: StoryProfile) -> None:
        """Store the story's profile and index the story under the profile's keys."""

    def stories_per_key(self, keys: Sequence[str], per_key: int) -> dict[str, list[StoryId]]:
        """The stories indexed under each of `keys`: at most `per_key` most recent."""

    def key_counts(self, keys: Iterable[str]) -> dict[str, int]:
        """How many stored articles carry each key (absent keys may be left out)."""

    def count_keys(self, keys: Iterable[str]) -> None:
        """One more stored article carries each of `keys`."""

    def doc_count(self) -> int:
        """How many articles are stored."""

    def merge(self, source: StoryId, target: StoryId) -> None:
        """Move every article and index entry of `source` to `target`; `source` then
        resolves to `target`."""


class MemoryStoryStore:
    """In-process StoryStore for `newswatch cluster`, tests and benchmarks; a story's id is
    the id of its first article."""

    def __init__(self) -> None:
        self._members: dict[str, Member] = {}
        self._hashes: dict[str, str] = {}
        self._bands: dict[int, list[str]] = defaultdict(list)
        self._profiles: dict[StoryId, StoryProfile] = {}
        self._index: dict[str, dict[StoryId, None]] = defaultdict(dict)  # ordered sets
        self._counts: Counter[str] = Counter()
        self._merged: dict[StoryId, StoryId] = {}

    def _resolve(self, story_id: StoryId) -> StoryId:
        while story_id in self._merged:
            story_id = self._merged[story_id]
        return story_id

    def member(self, doc_id: str) -> Member | None:
        found = self._members.get(doc_id)
        if found is None:
            return None
        story = self._resolve(found.story_id)
        if story == found.story_id:
            return found
        return Member(
            found.doc_id, story, found.kind, found.matched, found.score,
            found.body_hash, found.shingles,
        )  # fmt: skip

    def add_member(self, member: Member, band_keys: Sequence[int]) -> None:
        self._members[member.doc_id] = member
        self._hashes.setdefault(member.body_hash, member.doc_id)
        for key in band_keys:
            self._bands[key].append(member.doc_id)

    def move_member(
        self, doc_id: str, story_id: StoryId, kind: Kind, matched: str | None, score: float
    ) -> None:
        self._members[doc_id] = replace(
            self._members[doc_id], story_id=story_id, kind=kind, matched=matched, score=score
        )

    def by_body_hash(self, body_hash: str) -> str | None:
        return self._hashes.get(body_hash)

    def by_bands(self, band_keys: Sequence[int], per_key: int) -> set[str]:
        return {d for key in band_keys for d in self._bands.get(key, [])[-per_key:]}

    def new_story(self, lead: str) -> StoryId:
        self._profiles[lead] = StoryProfile()
        return lead

    def profile(self, story_id: StoryId) -> StoryProfile:
        return self._profiles[self._resolve(story_id)]

    def save_profile(self, story_id: StoryId, profile: StoryProfile) -> None:
        self._profiles[story_id] = profile
        for key in profile.index_keys():
            stories = self._index[key]
            stories.pop(story_id, None)
            stories[story_id] = None  # most recently saved last

    def stories_per_key(self, keys: Sequence[str], per_key: int) -> dict[str, list[StoryId]]:
        found = {}
        for key in keys:
            latest = list(self._index.get(key, ()))[-per_key:]
            found[key] = list(dict.fromkeys(self._resolve(s) for s in latest))
        return found

    def key_counts(self, keys: Iterable[str]) -> dict[str, int]:
        return {k: self._counts[k] for k in keys if k in self._counts}

    def count_keys(self, keys: Iterable[str]) -> None:
        self._counts.update(keys)

    def doc_count(self) -> int:
        return len(self._members)

    def merge(self, source: StoryId, target: StoryId) -> None:
        for key in self._profiles.pop(source).index_keys():
            stories = self._index[key]
            stories.pop(source, None)
            stories[target] = None
        self._merged[source] = target
