"""Run one crawl in this process, with the project settings plus per-run overrides."""

from __future__ import annotations

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
    return settings


def run_crawl(sources: list[Source], settings: Settings) -> None:
    """Crawl the given sources until done. Twisted's reactor cannot restart: once per process."""
    process = CrawlerProcess(settings, install_root_handler=True)
    process.crawl(FeedSpider, sources=sources)
    process.start()
