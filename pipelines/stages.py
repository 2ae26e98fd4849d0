"""The Scrapy item pipelines: thin adapters from Scrapy to the plain classes that do the work."""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import asdict
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from pipelines.article import Article, Lead, SliceDone
from pipelines.lexicon import Lexicon
from pipelines.runstats import RunStats, article_totals, run_status
from pipelines.store import SqliteStoryStore, Store
from pipelines.stories import StoryClusterer
from pipelines.topic import Classifier

logger = logging.getLogger(__name__)


class TopicPipeline:
    """Judge relevance and tag each article; the store drops off-topic ones but remembers them."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.classifier = Classifier(
            Lexicon.load(crawler.settings.get("NEWSWATCH_LEXICON") or None)
        )

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> TopicPipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article):
            return item
        verdict = self.classifier.classify(
            item.title or "",
            item.body or "",
            summary=item.summary,
            lang=item.language,
            url=item.url,
        )
        item.relevance = verdict.score
        item.status = verdict.status
        item.reasons = verdict.reasons
        item.tags = [tag.to_dict() for tag in verdict.tags]
        RunStats(self.crawler.stats).inc(item.source, verdict.status)
        return item


class DedupPipeline:
    """Fold exact duplicates, syndicated copies and rewrites of one event into one story."""

    def __init__(self, crawler: Crawler):
        self.db_path = crawler.settings["NEWSWATCH_DB"]
        self.store: Store | None = None
        self.clusterer: StoryClusterer | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupPipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        self.store = Store(self.db_path)
        self.clusterer = StoryClusterer(SqliteStoryStore(self.store))

    def process_item(self, item: Any) -> Any:
        if isinstance(item, Article) and item.status != "irrelevant":
            assignment = self.clusterer.assign(
                item.key_url, item.title or "", item.body or "", published=item.published
            )
            item.story = assignment.story_id
            item.story_kind = assignment.kind
            item.matched = assignment.matched
        return item

    def close_spider(self) -> None:
        self.store.close()


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

    def process_item(self, item: Any) -> Any:
        if isinstance(item, Lead):
            if self.store.save_lead(asdict(item), self.run_id):
                self.stats.inc(item.source, "stored_leads")
            return item
        if isinstance(item, SliceDone):
            self.store.mark_slice_done(item.backfill, item.slice)
            return item
        if item.status == "irrelevant":
            self.store.remember_irrelevant({item.key_url, item.url, item.fetched_url})
            raise DropItem(f"not India–Russia defence news: {item.key_url}")
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
        stats = {
            "finish_reason": reason,
            "articles": article_totals(per_source),
            "sources": per_source,
        }
        self.store.finish_run(self.run_id, status, stats)
        logger.info("run %s finished: %s", self.run_id, status)
        self.store.close()
