"""HTML listing pages of sites without a feed (PIB's Ministry of Defence releases): the
links whose URL matches the source's `link_pattern` are its articles."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from crawlers.discovery import listing_links
from crawlers.kinds.base import Fail, SourceKind

if TYPE_CHECKING:
    from scrapy.http import Response

    from crawlers.sources import Source


class Listing(SourceKind):
    names = ("listing",)

    @classmethod
    def validate(cls, entry: dict[str, Any], fail: Fail) -> None:
        super().validate(entry, fail)
        pattern = entry.get("link_pattern")
        if not pattern:
            raise fail("link_pattern", "a listing source needs a link_pattern")
        try:
            re.compile(pattern)
        except re.error as exc:
            raise fail("link_pattern", f"not a regular expression: {exc}") from None

    def parse(self, response: Response) -> Iterable[Any]:
        spider = self.spider
        source: Source = response.meta["source"]
        if spider.unchanged(response):
            return
        html = spider.page_text(response)
        if html is None:
            spider.run_stats.fail(source.name, response.url, "not an HTML page", "feeds_failed")
            return
        entries = listing_links(html, response.url, source.link_pattern)
        if not entries:
            reason = "no article links on the listing page (a redesign?)"
            spider.run_stats.fail(source.name, response.url, reason, "feeds_failed")
            return
        spider.run_stats.inc(source.name, "feeds_fetched")
        spider.run_stats.inc(source.name, "items_seen", len(entries))
        yield from spider.article_requests(source, entries, response.url)
