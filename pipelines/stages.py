"""The Scrapy item pipelines: thin adapters from Scrapy to the plain classes that do the work."""

from __future__ import annotations

import logging
import sqlite3

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from pipelines.article import Article
from pipelines.runstats import RunStats, run_status
from pipelines.store import Store

logger = logging.getLogger(__name__)


class StorePipeline:
    """Write each article to SQLite, and the run's per-source stats when the crawl ends."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.db_path = crawler.settings["NEWSWATCH_DB"]
        self.run_id = crawler.settings.getint("NEWSWATCH_RUN_ID") or None
        self.store: Store | None = None
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler)

    @property
    def stats(self) -> RunStats:
        return RunStats(self.crawler.stats)

    def open_spider(self) -> None:
        self.store = Store(self.db_path)
        if self.run_id is None:
            self.run_id = self.store.start_run()

    def process_item(self, item: Article) -> Article:
        try:
            outcome, _ = self.store.save_article(item, self.run_id)
        except sqlite3.Error as exc:
            # Not marked as seen, so the next run fetches it again: nothing is lost.
            self.stats.fail(item.source, item.key_url, f"not stored: {exc}", "article_errors")
            raise DropItem(f"could not store {item.key_url}: {exc}") from exc
        if outcome == "new":
            self.stats.inc(item.source, "stored")
        elif outcome == "updated":
            self.stats.inc(item.source, "updated")
        return item

    def spider_closed(self, reason: str) -> None:
        per_source = self.stats.per_source()
        status = run_status(per_source, reason)
        self.store.record_errors(self.run_id, self.stats.errors())
        self.store.finish_run(self.run_id, status, {"finish_reason": reason, "sources": per_source})
        logger.info("run %s finished: %s", self.run_id, status)
        self.store.close()
