"""What every kind of source does: check its registry entry, make the first requests, read
the answers. The spider holds what kinds share (requests for feeds and articles, failure
accounting); a kind holds only what is its own.

Kind modules import Scrapy for type hints only: the registry is loaded by every command
that reads sources.toml, most of which never crawl.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.http import Response
    from scrapy.settings import BaseSettings

    from crawlers.sources import Source
    from crawlers.spiders.feeds import FeedSpider

Fail = Callable[[str, str], Exception]  # (field, problem) -> the error to raise


class SourceKind:
    """One kind of source. Subclasses that set `names` register themselves under each
    name (`None` names the kind of entries without a `kind` key), so a new kind is one
    class in one module of this package."""

    names: ClassVar[tuple[str | None, ...]] = ()
    supports_backfill: ClassVar[bool] = False
    default_endpoint: ClassVar[str | None] = None
    registry: ClassVar[dict[str | None, type[SourceKind]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name in cls.names:
            SourceKind.registry[name] = cls

    def __init__(self, spider: FeedSpider):
        self.spider = spider

    @classmethod
    def validate(cls, entry: dict[str, Any], fail: Fail) -> None:
        """Check the entry's kind-specific keys; raise `fail(field, problem)` on the first
        bad one. By default a source lists the feeds it is read from."""
        if not entry.get("feeds"):
            raise fail("feeds", "missing" if "feeds" not in entry else "empty list")

    @classmethod
    def backfill_start(cls, settings: BaseSettings, today: date) -> date | None:
        """The earliest day a backfill of this kind can reach (None: no limit)."""
        return None

    def start_requests(self, source: Source) -> Iterable[Request]:
        """The first requests of a crawl (or of a backfill, for kinds that support one);
        by default one for each of the source's feeds, answered by `parse`."""
        for url in source.feeds:
            yield self.spider.feed_request(source, url)

    def reader(self) -> Callable[[Response], Any]:
        """The callback for this kind's first answers: `parse` unless the kind has a
        way to read them in the crawl's worker processes."""
        return self.parse

    def parse(self, response: Response) -> Iterable[Any]:
        """Read one answer: requests for articles or further pages, and items."""
        raise NotImplementedError

    def idle(self) -> bool:
        """Called when the crawl has run dry; schedule any work left for the end (with
        `spider.crawler.engine.crawl`) and return True to keep the crawl open."""
        return False
