"""Run one crawl in this process, with the project settings plus per-run overrides."""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawlers.sources import Source
from crawlers.spiders.feeds import FeedSpider

STOP_DEADLINE = 4.0  # seconds from the first SIGINT/SIGTERM to a stopped crawl


def crawl_settings(overrides: dict[str, Any] | None = None) -> Settings:
    """The project's settings module, with command-line values on top."""
    settings = Settings()
    settings.setmodule("crawlers.settings", priority="project")
    settings.update(overrides or {}, priority="cmdline")
    if settings.getpriority("HTTPCACHE_DIR") < settings.getpriority("NEWSWATCH_DB"):
        # The robots.txt cache lives beside the database it serves.
        cache = Path(settings["NEWSWATCH_DB"]).resolve().parent / "httpcache"
        settings.set("HTTPCACHE_DIR", str(cache), "cmdline")
    slots = {"gdelt": {"concurrency": 1, "delay": settings.getfloat("NEWSWATCH_GDELT_DELAY")}}
    settings.set("DOWNLOAD_SLOTS", {**settings.getdict("DOWNLOAD_SLOTS"), **slots}, "cmdline")
    return settings


def run_crawl(sources: list[Source], settings: Settings) -> None:
    """Crawl the given sources until done. Twisted's reactor cannot restart: once per process."""
    settings.set("LOG_INSTALL_ROOT_HANDLER", False, "cmdline")  # the caller's handlers log
    process = CrawlerProcess(settings)
    process.crawl(FeedSpider, sources=sources)
    from twisted.internet import reactor  # the one CrawlerProcess installed

    # Scrapy installs its own handlers once the reactor runs; ours go in one tick later.
    reactor.callWhenRunning(reactor.callLater, 0, _stop_within, process, STOP_DEADLINE)
    try:
        process.start()
    finally:  # what follows the crawl in this process (a run's report) stops as usual
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _stop_within(process: CrawlerProcess, seconds: float) -> None:
    """SIGINT/SIGTERM: stop the crawl gracefully, but within `seconds` whatever is in
    flight (a backfill waits on slow APIs); a second signal stops it at once. Nothing is
    lost: an article is stored whole or not at all, and a backfill slice counts as done
    only once all its articles are, so the next call picks up the rest."""
    from twisted.internet import reactor

    signals_seen = 0

    def stop(signum: int, _: Any) -> None:
        nonlocal signals_seen
        signals_seen += 1
        if signals_seen == 1:
            reactor.callFromThread(process.stop)
            reactor.callFromThread(reactor.callLater, seconds, _stop_reactor)
        else:
            reactor.callFromThread(_stop_reactor)

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, stop)


def _stop_reactor() -> None:
    from twisted.internet import reactor

    if reactor.running:
        reactor.stop()
