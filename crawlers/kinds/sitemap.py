"""(News) sitemaps: read like feeds, and the kind a backfill can walk into the past."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from crawlers.kinds.feed import Feed

if TYPE_CHECKING:
    from scrapy import Request

    from crawlers.sources import Source


class Sitemap(Feed):
    names = ("sitemap", "news-sitemap")
    supports_backfill = True

    def start_requests(self, source: Source) -> Iterable[Request]:
        spider = self.spider
        for url in source.feeds:
            if not (spider.backfill and spider.slice_key(source, url) in spider.done_slices):
                yield spider.feed_request(source, url)
