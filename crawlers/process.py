"""Run one crawl in this process, with the project settings plus per-run overrides."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawlers.sources import Source
from crawlers.spiders.feeds import FeedSpider


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
    process = CrawlerProcess(settings, install_root_handler=True)
    process.crawl(FeedSpider, sources=sources)
    process.start()
