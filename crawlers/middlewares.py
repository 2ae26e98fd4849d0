"""Downloader middlewares: who we say we are, and what we need not fetch again."""

from __future__ import annotations

from datetime import datetime

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from pipelines.runstats import RunStats
from pipelines.store import Store

ARTICLE = "newswatch_article"  # request meta key: this request fetches an article page
FEED = "newswatch_feed"  # request meta key: this request fetches a feed or sitemap


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

    One primary-key lookup per request, so the cost does not grow with the archive. An
    article whose feed item says it changed after we saw it is fetched again.
    """

    def __init__(self, db_path: str):
        self.store = Store(db_path)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SkipSeenMiddleware:
        middleware = cls(crawler.settings["NEWSWATCH_DB"])
        crawler.signals.connect(middleware.close, signal=signals.spider_closed)
        return middleware

    def process_request(self, request: Request) -> None:
        if not request.meta.get(ARTICLE):
            return
        seen_at = self.store.seen_at(request.url)
        if seen_at and not _later(request.meta.get("updated"), seen_at):
            raise AlreadySeen(f"already seen: {request.url}")

    def close(self) -> None:
        self.store.close()


class ConditionalGetMiddleware:
    """Fetch feeds with If-None-Match / If-Modified-Since, remembering validators per feed.

    Validators are saved only when the crawl finishes normally and none of the feed's
    articles failed to download, so a killed or failing run never hides items from the next.
    """

    def __init__(self, db_path: str):
        self.store = Store(db_path)
        self.validators: dict[str, tuple[str | None, str | None]] = {}
        self.failed_feeds: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalGetMiddleware:
        middleware = cls(crawler.settings["NEWSWATCH_DB"])
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def process_request(self, request: Request) -> None:
        if not request.meta.get(FEED) or not request.meta.get("conditional", True):
            return
        etag, last_modified = self.store.feed_state(request.url)
        if etag:
            request.headers.setdefault(b"If-None-Match", etag)
        if last_modified:
            request.headers.setdefault(b"If-Modified-Since", last_modified)

    def process_response(self, request: Request, response: Response) -> Response:
        if request.meta.get(FEED) and response.status == 200:
            etag = response.headers.get(b"ETag")
            modified = response.headers.get(b"Last-Modified")
            if etag or modified:
                self.validators[request.url] = (
                    etag.decode("latin-1") if etag else None,
                    modified.decode("latin-1") if modified else None,
                )
        elif request.meta.get(ARTICLE) and response.status >= 400:
            self.failed_feeds.add(request.meta["feed_url"])
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        if request.meta.get(ARTICLE) and not isinstance(exception, IgnoreRequest):
            self.failed_feeds.add(request.meta["feed_url"])

    def spider_closed(self, reason: str) -> None:
        if reason == "finished":
            self.store.save_feed_states(
                {url: v for url, v in self.validators.items() if url not in self.failed_feeds}
            )
        self.store.close()


def _later(updated: str | None, seen_at: str) -> bool:
    if not updated:
        return False
    try:
        return datetime.fromisoformat(updated) > datetime.fromisoformat(seen_at)
    except ValueError:
        return False


class SourceStatsMiddleware:
    """Count every request of a source and its HTTP status, for source health."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SourceStatsMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        if source := request.meta.get("source"):
            stats = RunStats(self.crawler.stats)
            stats.inc(source.name, "requests")
            stats.inc(source.name, f"http_{response.status}")
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        if (source := request.meta.get("source")) and not isinstance(exception, IgnoreRequest):
            stats = RunStats(self.crawler.stats)
            stats.inc(source.name, "requests")
            stats.inc(source.name, "network_errors")
