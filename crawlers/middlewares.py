"""Downloader middlewares: what we fetch at all, who we say we are, and what we need not
fetch again."""

from __future__ import annotations

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from pipelines.crawlstore import crawl_store
from pipelines.dates import read, utc_iso
from pipelines.runstats import RunStats
from pipelines.urls import FETCHABLE_SCHEMES

ARTICLE = "newswatch_article"  # request meta key: this request fetches an article page
FEED = "newswatch_feed"  # request meta key: this request fetches a feed or sitemap


class AlreadySeen(IgnoreRequest):
    """The article was stored or judged before: skipping it is not a failure."""


class HttpOnlyMiddleware:
    """Refuse every request that is not http(s), wherever it came from: a feed item, a
    sitemap, a listing, a redirect or a canonical link. Scrapy's file, data, ftp and s3
    handlers are switched off in the settings too; this names the refusal."""

    def process_request(self, request: Request) -> None:
        scheme = request.url.partition(":")[0].lower()
        if scheme not in FETCHABLE_SCHEMES:
            raise IgnoreRequest(f"only http(s) is fetched, not {scheme}:")


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

    def __init__(self, crawler: Crawler):
        self.store = crawl_store(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SkipSeenMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        if not request.meta.get(ARTICLE):
            return
        seen_at = self.store.seen_at(request.url)
        if seen_at and not _changed_since(request.meta.get("updated"), seen_at):
            raise AlreadySeen(f"already seen: {request.url}")


def _changed_since(updated: str | None, seen_at: str) -> bool:
    """Whether the feed says the item changed after we first decided on it (a date the
    feed could not have meant, far in the future, says nothing)."""
    changed, seen = utc_iso(read(updated).iso), utc_iso(seen_at)
    return changed is not None and seen is not None and changed > seen


class ConditionalGetMiddleware:
    """Fetch feeds with If-None-Match / If-Modified-Since, remembering validators per feed.

    A feed's new validators are saved only when the crawl finished normally and every item
    of the feed was stored, judged, skipped as seen or failed for good: an item that failed
    in a way the next run may get past (a timeout, a 5xx, a page that did not parse, a
    database that was full or locked) keeps the old validators, so the next run reads the
    feed again and retries the item instead of being told "304, nothing new".
    """

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.store = crawl_store(crawler)
        self.validators: dict[str, tuple[str | None, str | None]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalGetMiddleware:
        middleware = cls(crawler)
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
        return response

    def spider_closed(self, reason: str) -> None:
        if reason != "finished":
            return
        unfinished = RunStats(self.crawler.stats).unfinished_feeds()
        self.store.save_feed_states(
            {url: v for url, v in self.validators.items() if url not in unfinished}
        )


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
