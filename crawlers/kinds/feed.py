"""RSS and Atom feeds, the kind of most sources; a feed URL that answers with a sitemap is
read as one."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable
from typing import TYPE_CHECKING, Any

from crawlers.discovery import title_key
from crawlers.feeds import FeedEntry, NotAFeed, ParsedFeed, parse_feed
from crawlers.kinds.base import SourceKind
from crawlers.workers import WorkerCrashed
from pipelines.dates import Zone, utc_iso

if TYPE_CHECKING:
    from scrapy.http import Response

    from crawlers.sources import Source


def read_feed(body: bytes, url: str, tz: Zone, cap: int) -> tuple[ParsedFeed, int]:
    """The parsed feed with at most `cap` items (0: all), and how many were cut.

    Run in a worker process when the crawl has them: a 20,000-item feed takes feedparser
    seconds. Sitemaps are left whole: the spider keeps their recent entries (or, in a
    backfill, those of its window) itself.
    """
    parsed = parse_feed(body, url, tz=tz)
    if not cap or parsed.kind not in ("rss", "atom") or len(parsed.entries) <= cap:
        return parsed, 0
    cut = len(parsed.entries) - cap
    parsed.entries = newest_first(parsed.entries)[:cap]
    return parsed, cut


def newest_first(entries: list[FeedEntry]) -> list[FeedEntry]:
    """Dated entries newest first, then the undated ones in feed order."""
    dated = [e for e in entries if e.published]
    dated.sort(key=lambda e: utc_iso(e.published), reverse=True)
    return dated + [e for e in entries if not e.published]


# Scheduling a request costs Scrapy about 0.2 ms; a capped feed's 500 at once would hold
# the reactor for ~100 ms.
YIELD_EVERY = 50


class Feed(SourceKind):
    names = ("rss", "atom", None)

    def reader(self) -> Callable[[Response], Any]:
        return self.parse_in_worker if self.spider.workers else self.parse

    def parse(self, response: Response) -> Iterable[Any]:
        if self.spider.unchanged(response):
            return
        source: Source = response.meta["source"]
        try:
            parsed = read_feed(
                response.body, response.url, source.timezone, self.spider.feed_item_cap
            )
        except NotAFeed as exc:
            self.not_a_feed(source, response, exc)
            return
        yield from self.requests(source, response, *parsed)

    async def parse_in_worker(self, response: Response) -> AsyncIterator[Any]:
        """`parse` with the parsing in a worker process: the reactor keeps serving."""
        spider = self.spider
        if spider.unchanged(response):
            return
        source: Source = response.meta["source"]
        try:
            parsed = await spider.workers.run(
                read_feed, response.body, response.url, source.timezone, spider.feed_item_cap
            )
        except NotAFeed as exc:
            self.not_a_feed(source, response, exc)
            return
        except WorkerCrashed as exc:
            spider.run_stats.fail(source.name, response.url, f"{exc}", "feeds_failed")
            return
        for count, request in enumerate(self.requests(source, response, *parsed), 1):
            yield request
            if count % YIELD_EVERY == 0:
                await asyncio.sleep(0)  # let the reactor serve downloads between batches

    def not_a_feed(self, source: Source, response: Response, exc: NotAFeed) -> None:
        self.spider.run_stats.fail(source.name, response.url, f"not a feed: {exc}", "feeds_failed")

    def requests(
        self, source: Source, response: Response, parsed: ParsedFeed, capped: int
    ) -> Iterable[Any]:
        """What a parsed feed asks for: its child sitemaps, or its articles."""
        spider = self.spider
        if parsed.warning:
            spider.logger.warning("%s: %s", response.url, parsed.warning)
        if parsed.dates_rejected:
            spider.run_stats.inc(source.name, "dates_rejected", parsed.dates_rejected)
        for problem in parsed.problems:
            spider.item_failed(source, response.url, f"bad feed item: {problem}", response.url)
        spider.run_stats.inc(source.name, "feeds_fetched")
        if capped:
            spider.run_stats.inc(source.name, "items_capped", capped)
        if parsed.kind == "sitemap-index":
            # Children count as feeds of the source, so their failures show up too.
            children = self.child_sitemaps(source, parsed.sitemaps)
            spider.run_stats.inc(source.name, "feeds", len(children))
            for child in children:
                yield spider.feed_request(source, child.url)
            return
        entries = parsed.entries
        if parsed.kind in ("sitemap", "news-sitemap"):
            entries = spider.recent(entries)
        spider.run_stats.inc(source.name, "items_seen", len(entries))
        for entry in entries:
            if entry.title:
                spider.feed_titles.setdefault(title_key(entry.title), entry.url)
        yield from spider.article_requests(source, entries, response.url)

    def child_sitemaps(self, source: Source, children: list[FeedEntry]) -> list[FeedEntry]:
        """The sitemaps of an index worth reading: recent ones, or in a backfill those
        changed since the window began and not finished by an earlier attempt."""
        spider = self.spider
        if not spider.backfill:
            return spider.recent(children)
        return [
            child
            for child in children
            if (not child.published or child.published[:10] >= spider.backfill.since)
            and spider.slice_key(source, child.url) not in spider.done_slices
        ]
