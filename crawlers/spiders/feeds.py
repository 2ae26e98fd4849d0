"""The one spider for every feed source: read feeds and sitemaps, fetch the new articles."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import scrapy
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import (
    ConnectionRefusedError,
    DNSLookupError,
    TCPTimedOutError,
    TimeoutError,
)
from twisted.python.failure import Failure

from crawlers.extract import extract
from crawlers.feeds import FeedEntry, NotAFeed, parse_feed
from crawlers.middlewares import ARTICLE, FEED, AlreadySeen
from crawlers.sources import Source, load_sources, select_sources
from pipelines.article import Article
from pipelines.lexicon import Lexicon
from pipelines.runstats import RunStats
from pipelines.topic import Classifier
from pipelines.urls import canonicalize_url

FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.8"


class FeedSpider(scrapy.Spider):
    """Crawl RSS/Atom feeds and (news) sitemaps of the registry's sources.

    Run it through `newswatch crawl`, or as `scrapy crawl feeds [-a source=NAME]
    [-a sources_file=FILE]`. Every failure is counted against its source with the URL
    and the reason; no failure stops the other sources.
    """

    name = "feeds"

    def __init__(
        self,
        sources: list[Source] | None = None,
        source: str | None = None,
        sources_file: str | None = None,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self.sources = sources
        self.source_names = [n.strip() for n in source.split(",")] if source else None
        self.sources_file = sources_file

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> FeedSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        if spider.sources is None:
            registry = load_sources(spider.sources_file or settings["NEWSWATCH_SOURCES"] or None)
            spider.sources = select_sources(registry, spider.source_names)
        spider.classifier = Classifier(Lexicon.load(settings.get("NEWSWATCH_LEXICON") or None))
        spider.sitemap_max_age = timedelta(days=settings.getfloat("NEWSWATCH_SITEMAP_MAX_AGE_DAYS"))
        spider.sitemap_max_entries = settings.getint("NEWSWATCH_SITEMAP_MAX_ENTRIES")
        return spider

    @property
    def run_stats(self) -> RunStats:
        return RunStats(self.crawler.stats)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for source in self.sources:
            self.run_stats.register(source.name, len(source.feeds))
        for source in self.sources:
            for url in source.feeds:
                yield self.feed_request(source, url)

    # ------------------------------------------------------------------ feeds

    def feed_request(self, source: Source, url: str) -> scrapy.Request:
        headers = {"Accept": FEED_ACCEPT}
        if source.user_agent:
            headers["User-Agent"] = source.user_agent
        return scrapy.Request(
            url,
            callback=self.parse_feed,
            errback=self.feed_failed,
            headers=headers,
            meta={FEED: True, "source": source, "handle_httpstatus_list": [304]},
            dont_filter=True,
        )

    def parse_feed(self, response: Response) -> Iterable[scrapy.Request]:
        source: Source = response.meta["source"]
        if response.status == 304:
            # Unchanged since the last run (conditional GET): nothing new to fetch.
            self.run_stats.inc(source.name, "feeds_fetched")
            self.run_stats.inc(source.name, "feeds_unchanged")
            return
        try:
            parsed = parse_feed(response.body, response.url)
        except NotAFeed as exc:
            self.run_stats.fail(source.name, response.url, f"not a feed: {exc}", "feeds_failed")
            return
        if parsed.warning:
            self.logger.warning("%s: %s", response.url, parsed.warning)
        if parsed.kind == "sitemap-index":
            # Children count as feeds of the source, so their failures show up too.
            children = self.recent(parsed.sitemaps)
            self.run_stats.inc(source.name, "feeds", len(children))
            self.run_stats.inc(source.name, "feeds_fetched")
            for child in children:
                yield self.feed_request(source, child.url)
            return
        self.run_stats.inc(source.name, "feeds_fetched")
        entries = parsed.entries
        if parsed.kind in ("sitemap", "news-sitemap"):
            entries = self.recent(entries)
        for entry in entries:
            self.run_stats.inc(source.name, "items_seen")
            if source.prefilter and not self.classifier.is_candidate(
                entry.title or "", entry.summary
            ):
                self.run_stats.inc(source.name, "items_filtered")
                continue
            yield self.article_request(source, entry, feed_url=response.url)

    def recent(self, entries: list[FeedEntry]) -> list[FeedEntry]:
        """Sitemaps can list years of pages: keep recent entries, newest first, up to a cap."""
        cutoff = (datetime.now(UTC) - self.sitemap_max_age).isoformat()
        dated = [e for e in entries if e.published and e.published >= cutoff]
        undated = [e for e in entries if not e.published]
        dated.sort(key=lambda e: e.published, reverse=True)
        return (dated + undated)[: self.sitemap_max_entries]

    def feed_failed(self, failure: Failure) -> None:
        source: Source = failure.request.meta["source"]
        self.run_stats.fail(source.name, failure.request.url, describe(failure), "feeds_failed")

    # ------------------------------------------------------------------ articles

    def article_request(self, source: Source, entry: FeedEntry, feed_url: str) -> scrapy.Request:
        headers = {"User-Agent": source.user_agent} if source.user_agent else {}
        fallback = {
            "title": entry.title,
            "published": entry.published,
            "summary": entry.summary,
            "authors": list(entry.authors),
        }
        return scrapy.Request(
            canonicalize_url(
                entry.url, drop_params=source.drop_params, force_https=source.force_https
            ),
            callback=self.parse_article,
            errback=self.article_failed,
            headers=headers,
            meta={
                ARTICLE: True,
                "source": source,
                "feed_url": feed_url,
                "fallback": fallback,
                "updated": entry.updated,
            },
        )

    def parse_article(self, response: Response) -> Iterable[Article]:
        source: Source = response.meta["source"]
        if not isinstance(response, TextResponse):
            self.run_stats.fail(source.name, response.url, "not an HTML page", "article_errors")
            return
        fields = extract(response.text, response.url, fallback=response.meta["fallback"])
        if not fields.get("title") or not fields.get("body"):
            self.run_stats.fail(
                source.name, response.url, "no article text found on the page", "extract_failed"
            )
            return
        self.run_stats.inc(source.name, "articles_fetched")
        fields["canonical_url"] = canonicalize_url(
            fields.get("canonical_url") or response.url,
            drop_params=source.drop_params,
            force_https=source.force_https,
        )
        yield Article(
            **fields,
            source=source.name,
            feed_url=response.meta["feed_url"],
            fetched_url=response.request.url,
        )

    def article_failed(self, failure: Failure) -> None:
        source: Source = failure.request.meta["source"]
        if failure.check(AlreadySeen):
            self.run_stats.inc(source.name, "skipped_seen")
            return
        self.run_stats.fail(source.name, failure.request.url, describe(failure), "article_errors")


def describe(failure: Failure) -> str:
    """A one-line reason an operator can act on."""
    if failure.check(HttpError):
        return f"HTTP {failure.value.response.status}"
    if failure.check(CannotResolveHostError, DNSLookupError):
        return "DNS lookup failed (host unknown or no network)"
    if failure.check(DownloadTimeoutError, TimeoutError, TCPTimedOutError):
        return "timed out"
    if failure.check(DownloadConnectionRefusedError, ConnectionRefusedError):
        return "connection refused"
    if failure.check(ResponseDataLossError):
        return "connection dropped mid-response"
    if failure.check(IgnoreRequest):
        return f"not fetched: {failure.value}"
    return f"{failure.type.__name__}: {failure.getErrorMessage()}"
