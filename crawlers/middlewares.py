"""Downloader middlewares: who we say we are, and what we need not fetch again."""

from __future__ import annotations

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest

from pipelines.store import Store

ARTICLE = "newswatch_article"  # request meta key: this request fetches an article page


class AlreadySeen(IgnoreRequest):
    """The article was stored or judged before: skipping it is not a failure."""


class ContactUserAgentMiddleware:
    """Send USER_AGENT with the project's contact URL filled in, unless a source sets its own."""

    def __init__(self, user_agent: str):
        self.user_agent = user_agent

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ContactUserAgentMiddleware:
        settings = crawler.settings
        return cls(settings["USER_AGENT"].format(contact=settings["NEWSWATCH_CONTACT_URL"]))

    def process_request(self, request: Request) -> None:
        request.headers.setdefault(b"User-Agent", self.user_agent)


class SkipSeenMiddleware:
    """Drop article requests whose URL the database already knows, before any download.

    One primary-key lookup per request, so the cost does not grow with the archive.
    """

    def __init__(self, db_path: str):
        self.store = Store(db_path)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SkipSeenMiddleware:
        middleware = cls(crawler.settings["NEWSWATCH_DB"])
        crawler.signals.connect(middleware.close, signal=signals.spider_closed)
        return middleware

    def process_request(self, request: Request) -> None:
        if request.meta.get(ARTICLE) and self.store.is_seen(request.url):
            raise AlreadySeen(f"already seen: {request.url}")

    def close(self) -> None:
        self.store.close()
