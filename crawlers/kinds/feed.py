"""RSS and Atom feeds, the kind of most sources; a feed URL that answers with a sitemap is
read as one."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from crawlers.discovery import title_key
from crawlers.feeds import FeedEntry, NotAFeed, parse_feed
from crawlers.kinds.base import SourceKind

if TYPE_CHECKING:
    from scrapy.http import Response

    from crawlers.sources import Source


class Feed(SourceKind):
    names = ("rss", "atom", None)

    def parse(self, response: Response) -> Iterable[Any]:
        spider = self.spider
        source: Source = response.meta["source"]
        if spider.unchanged(response):
            return
        try:
            parsed = parse_feed(response.body, response.url, tz=source.timezone)
        except NotAFeed as exc:
            spider.run_stats.fail(source.name, response.url, f"not a feed: {exc}", "feeds_failed")
            return
        if parsed.warning:
            spider.logger.warning("%s: %s", response.url, parsed.warning)
        if parsed.dates_rejected:
            spider.run_stats.inc(source.name, "dates_rejected", parsed.dates_rejected)
        for problem in parsed.problems:
            spider.item_failed(source, response.url, f"bad feed item: {problem}", response.url)
        spider.run_stats.inc(source.name, "feeds_fetched")
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
