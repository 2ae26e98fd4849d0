"""The crawl's one database connection, owned by the crawler and shared by every component.

Middlewares and pipelines reach it with `crawl_store(crawler)`, so everything one article
writes (row, tags, story, seen-marks) can commit in one transaction, and a crawl never
holds two connections that could block each other.
"""

from __future__ import annotations

from scrapy import signals
from scrapy.crawler import Crawler

from pipelines.store import Store


class CrawlStore:
    """A Scrapy extension: opens the Store named by NEWSWATCH_DB when the crawler is set
    up, and closes it once the engine has stopped (after every spider_closed handler)."""

    def __init__(self, store: Store):
        self.store = store

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlStore:
        settings = crawler.settings
        busy_timeout_ms = int(settings.getfloat("NEWSWATCH_BUSY_TIMEOUT") * 1000)
        extension = cls(Store(settings["NEWSWATCH_DB"], busy_timeout_ms=busy_timeout_ms))
        crawler.signals.connect(extension.close, signal=signals.engine_stopped)
        return extension

    def close(self) -> None:
        self.store.close()


def crawl_store(crawler: Crawler) -> Store:
    """The crawl's Store (the CrawlStore extension must be enabled)."""
    extension = crawler.get_extension(CrawlStore)
    if extension is None:
        raise RuntimeError("the CrawlStore extension is not enabled (settings EXTENSIONS)")
    return extension.store
