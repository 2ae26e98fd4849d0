"""The article record that flows from the spider through every pipeline into the store."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pipelines.shingles import body_hash

if TYPE_CHECKING:
    from pipelines.prepared import Prepared


@dataclass
class Article:
    """One fetched article page, as extracted, plus what later pipeline stages add.

    Scrapy treats dataclasses as items, so spiders yield this directly and pipelines
    fill the later fields in place.
    """

    url: str
    source: str
    canonical_url: str | None = None
    title: str | None = None
    summary: str | None = None
    body: str | None = None
    published: str | None = None
    modified: str | None = None
    authors: list[str] = field(default_factory=list)
    language: str | None = None
    section: str | None = None
    image: str | None = None
    publisher: str | None = None
    feed_url: str | None = None
    fetched_url: str | None = None
    # Filled by the relevance stage.
    relevance: float | None = None
    status: str = "relevant"
    reasons: list[dict[str, Any]] = field(default_factory=list)
    tags: list[dict[str, Any]] = field(default_factory=list)
    # Filled by the store stage: the story it joined (stories.id), how it joined it, and
    # the stored article it was matched to.
    story_id: int | None = None
    story_kind: str | None = None
    matched: str | None = None
    # The verdict and story evidence, when a worker process read them beside the extraction
    # (pipelines/prepared.py); the stages above read them themselves otherwise.
    prepared: Prepared | None = field(default=None, repr=False, compare=False)

    @property
    def key_url(self) -> str:
        """The URL the article is stored under: its canonical URL when it has one."""
        return self.canonical_url or self.url

    def body_hash(self) -> str | None:
        """The body's hash, as the worker that read the article computed it if one did."""
        if not self.body:
            return None
        if self.prepared and self.prepared.evidence:
            return self.prepared.evidence.body_hash
        return body_hash(self.body)


@dataclass
class Lead:
    """A headline an aggregator announced but we could not find on the publisher's site:
    kept as such (title, outlet, date), never fetched through the aggregator."""

    key: str  # normalised title and outlet: one lead per headline and outlet
    title: str
    source: str  # the aggregator source that announced it
    outlet: str | None = None
    outlet_url: str | None = None
    published: str | None = None
    link: str | None = None
    feed_url: str | None = None  # the aggregator answer that announced it


@dataclass
class SliceDone:
    """A backfill slice (one sitemap or one day of an API) whose articles are all handled."""

    backfill: str
    slice: str
