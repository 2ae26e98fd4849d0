"""A backfill's progress: the feeds, sitemaps and API days it has read out of those it
knows of (the total grows as sitemap indexes name their children), with an ETA on a
terminal and a plain line every few seconds in a log."""

from __future__ import annotations

from contextlib import ExitStack

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.statscollectors import StatsCollector
from twisted.internet import task

from pipelines.progress import Advance, progress
from pipelines.runstats import RunStats

TICK = 1.0  # seconds between updates


class BackfillProgress:
    def __init__(self, stats: StatsCollector):
        self.stats = RunStats(stats)
        self.shown = 0
        self.context = ExitStack()
        self.advance: Advance | None = None
        self.ticker = task.LoopingCall(self.tick)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackfillProgress:
        if not crawler.settings.get("NEWSWATCH_BACKFILL"):
            raise NotConfigured("not a backfill")
        extension = cls(crawler.stats)
        crawler.signals.connect(extension.opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.closed, signal=signals.spider_closed)
        return extension

    def opened(self, spider: Spider) -> None:
        self.advance = self.context.enter_context(progress(0, "backfill", unit="feed"))
        self.ticker.start(TICK, now=False)

    def tick(self) -> None:
        total = done = 0
        for counters in self.stats.per_source().values():
            total += counters.get("feeds", 0)
            done += sum(counters.get(c, 0) for c in ("feeds_fetched", "feeds_failed"))
            done += counters.get("feeds_unchanged", 0)
        if self.advance and (done != self.shown or total):
            self.advance(done - self.shown, total=total)
            self.shown = done

    def closed(self, spider: Spider) -> None:
        if self.ticker.running:
            self.ticker.stop()
        self.tick()
        self.context.close()
