"""The Scrapy item pipelines: thin adapters from Scrapy to the plain classes that do the work."""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Container
from dataclasses import asdict
from functools import cached_property
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from pipelines.article import Article, Lead, SliceDone
from pipelines.crawlstore import crawl_store
from pipelines.runstats import RunStats, article_totals, run_status

if TYPE_CHECKING:  # the reading and matching code loads with the first article
    from pipelines.evidence import Evidence, EvidenceReader
    from pipelines.stories import StoryClusterer

logger = logging.getLogger(__name__)

# The run's latest new articles refined when the crawl ends: a day's crawl stores far
# fewer; a long backfill keeps this many articles' evidence in memory, not all of it.
REFINED_ARTICLES = 5_000
# The small stories of the last days are refined with the run's articles: an early
# report stored yesterday joins the story its event formed today.
RECENT_DAYS = 3


class StoreFailed(DropItem):
    """An item could not be stored: nothing of it was written, and it will be fetched again."""


class TopicPipeline:
    """Judge relevance and tag each article; the store drops off-topic ones but remembers them."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @cached_property
    def reader(self) -> EvidenceReader:
        """Made with the first article: a crawl that finds nothing new never loads the
        lexicon."""
        from pipelines.prepared import reader_for

        return reader_for(self.crawler.settings.get("NEWSWATCH_LEXICON") or None)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> TopicPipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article):
            return item
        if item.prepared is None:  # no worker read it: the crawl runs in one process
            from pipelines.prepared import prepare

            item.prepared = prepare(self.reader, vars(item))
        verdict = item.prepared.verdict
        item.relevance = verdict.score
        item.status = verdict.status
        item.reasons = verdict.reasons
        item.tags = [tag.to_dict() for tag in verdict.tags]
        RunStats(self.crawler.stats).inc(item.source, verdict.status)
        return item


class StorePipeline:
    """Write each item to SQLite, and the run's per-source stats when the crawl ends.

    An article's story assignment (with its index entries), its row, tags and seen-marks
    commit in one transaction: a failure anywhere rolls all of it back, is recorded
    against the article, and leaves the article to be fetched again by the next run.
    When the crawl ends, the run's new articles are refined as one batch, as `newswatch
    cluster` does: a small story of them that formed before its event's story did joins it.
    """

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.store = crawl_store(crawler)
        self.run_id = crawler.settings.getint("NEWSWATCH_RUN_ID") or None
        # The run's new articles: URL, evidence, row id (what the refining at the end needs).
        self.stored: deque[tuple[str, Evidence, int]] = deque(maxlen=REFINED_ARTICLES)
        crawler.signals.connect(self.item_error, signal=signals.item_error)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler)

    @property
    def stats(self) -> RunStats:
        return RunStats(self.crawler.stats)

    def open_spider(self) -> None:
        if self.run_id is None:
            self.run_id = self.store.start_run()

    @cached_property
    def clusterer(self) -> StoryClusterer:
        """Built with the first article to store: a crawl that finds nothing new never
        loads the matcher. It needs no lexicon: every article comes with its evidence."""
        from pipelines.stories import StoryClusterer

        return StoryClusterer(self.store.story_store(self.run_id))

    def process_item(self, item: Any) -> Any:
        try:
            if isinstance(item, Lead):
                if self.store.save_lead(asdict(item), self.run_id):
                    self.stats.inc(item.source, "stored_leads")
            elif isinstance(item, SliceDone):
                self.store.mark_slice_done(item.backfill, item.slice)
            elif item.status == "irrelevant":
                self.store.remember_irrelevant({item.key_url, item.url, item.fetched_url})
            else:
                outcome = self.save(item)
                if outcome in ("new", "updated"):
                    self.stats.inc(item.source, "stored" if outcome == "new" else "updated")
        except Exception as exc:
            self.failed(item, exc)
            raise StoreFailed(f"could not store {_url(item)}: {exc}") from exc
        if isinstance(item, Article) and item.status == "irrelevant":
            raise DropItem(f"not India–Russia defence news: {item.key_url}", log_level="DEBUG")
        return item

    def save(self, article: Article) -> str:
        """Assign the article to a story and store it, all in one transaction."""
        with self.store.transaction():
            assignment = self.clusterer.assign(
                article.key_url,
                article.title or "",
                article.body or "",
                evidence=article.prepared.evidence,  # read by a worker or TopicPipeline
            )
            article.story_id = assignment.story_id
            article.story_kind = assignment.kind
            article.matched = assignment.matched
            outcome, row_id = self.store.save_article(article, self.run_id)
        if outcome == "new" and article.prepared.evidence is not None:
            self.stored.append((article.key_url, article.prepared.evidence, row_id))
        return outcome

    def refine_stories(self) -> dict[str, Any]:
        """Judge the run's small stories again, now that all its articles are in, merge
        its stories that report one event (StoryClusterer.refine), and store where the
        moved articles went (the stories they left point there). A
        failure leaves every article in the story it was stored with. Returns what the
        run's record keeps: how many articles moved, or why none could.

        The small stories of the last RECENT_DAYS are judged with them: an early report
        stored yesterday joins the story its event formed today, and the story it leaves
        is recorded as merged by this run (its report says so)."""
        if not self.stored:
            return {}
        row_ids = {url: row_id for url, _, row_id in self.stored}
        try:
            with self.store.transaction():
                earlier = self.recent_small_stories(row_ids)
                row_ids |= {url: row_id for url, _, row_id in earlier}
                batch = [(url, evidence) for url, evidence, _ in [*earlier, *self.stored]]
                moved = self.clusterer.refine(batch)
                self.store.set_article_stories(
                    (found.story_id, found.kind, found.matched, row_ids[url])
                    for url, found in moved.items()
                )
                self.store.retire_unused_stories(self.run_id)
        except Exception as exc:
            logger.error("run %s: stories not refined: %s", self.run_id, exc)
            return {"stories_not_refined": f"{type(exc).__name__}: {exc}"}
        if moved:
            logger.info("run %s: %d articles joined their event's story", self.run_id, len(moved))
        return {"refined_articles": len(moved)}

    def recent_small_stories(self, skip: Container[str]) -> list[tuple[str, Evidence, int]]:
        """The articles of earlier runs in the small stories of the last RECENT_DAYS
        (`skip`: the run's own, which come with their evidence)."""
        from pipelines.prepared import reader_for
        from pipelines.recluster import recent_small_stories

        reader = reader_for(self.crawler.settings.get("NEWSWATCH_LEXICON") or None)
        return recent_small_stories(self.store, reader, RECENT_DAYS, skip, REFINED_ARTICLES)

    def item_error(self, item: Any, response: Any, spider: Any, failure: Any) -> None:
        """A stage before this one raised: the item is lost for this run, so on record."""
        self.failed(item, failure.value)

    def failed(self, item: Any, exc: BaseException) -> None:
        source = getattr(item, "source", None)
        if source is None:  # a backfill slice: it stays undone and is walked again
            logger.error("could not record %s: %s", item, exc)
            return
        reason = f"not stored: {type(exc).__name__}: {exc}"
        self.stats.fail(source, _url(item), reason, "store_failed", feed=item.feed_url)

    def spider_closed(self, reason: str) -> None:
        refined = self.refine_stories()
        per_source = self.stats.per_source()
        status = run_status(per_source, reason)
        stats = {
            "finish_reason": reason,
            "articles": article_totals(per_source),
            "sources": per_source,
            **refined,
        }
        errors = self.stats.errors()
        try:
            self.store.record_errors(self.run_id, errors)
            self.store.finish_run(self.run_id, status, stats)
        except Exception as exc:
            # The database refuses even this (full disk): the log is the only record left.
            logger.error("run %s could not be recorded: %s", self.run_id, exc)
            for error in errors:
                logger.error("%s: %s (%s)", error["source"], error["reason"], error["url"])
            return
        logger.info("run %s finished: %s", self.run_id, status)


def _url(item: Any) -> str:
    return item.key_url if isinstance(item, Article) else getattr(item, "link", None) or ""
