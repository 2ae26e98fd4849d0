"""The one spider for every feed source: read feeds and sitemaps, fetch the new articles."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import scrapy
from scrapy import signals
from scrapy.exceptions import (
    CannotResolveHostError,
    DontCloseSpider,
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

from crawlers.backfill import Backfill
from crawlers.discovery import (
    find_link_by_title,
    gdelt_start,
    gdelt_url,
    google_news_url,
    listing_links,
    parse_gdelt,
    parse_google_news,
    title_key,
)
from crawlers.extract import extract
from crawlers.feeds import FeedEntry, NotAFeed, parse_feed
from crawlers.middlewares import ARTICLE, FEED, AlreadySeen
from crawlers.sources import Source, load_sources, select_sources
from pipelines.article import Article, Lead, SliceDone
from pipelines.lexicon import Lexicon
from pipelines.runstats import RunStats
from pipelines.topic import Classifier
from pipelines.urls import canonicalize_url

GDELT_ATTEMPTS = 3  # answers of 429 or 5xx are retried this often, with back-off
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
        spider.since = settings.getdict("NEWSWATCH_SINCE")
        spider.gdelt_backoff = settings.getfloat("NEWSWATCH_GDELT_BACKOFF")
        spider.backfill = Backfill.parse(settings.get("NEWSWATCH_BACKFILL"))
        spider.done_slices = set(settings.getlist("NEWSWATCH_BACKFILL_DONE"))
        spider.feed_titles: dict[str, str] = {}  # headline key -> article URL, from all feeds
        spider.pending_news: dict[str, list[tuple[Source, dict]]] = {}  # by publisher site
        spider.slice_pending: dict[str, int] = {}  # backfill slice -> article requests left
        spider.requested: set[str] = set()  # article URLs already asked for in this run
        crawler.signals.connect(spider.resolve_pending_news, signal=signals.spider_idle)
        return spider

    @property
    def run_stats(self) -> RunStats:
        return RunStats(self.crawler.stats)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        requests = {source.name: list(self.first_requests(source)) for source in self.sources}
        for source in self.sources:
            self.run_stats.register(source.name, len(requests[source.name]))
        for source in self.sources:
            for request in requests[source.name]:
                yield request

    def first_requests(self, source: Source) -> Iterable[scrapy.Request]:
        """What a source is asked first: its feeds, or its queries at an aggregator."""
        if self.backfill and source.kind not in ("sitemap", "news-sitemap", "gdelt"):
            return  # feeds only hold the latest items: nothing to backfill from
        if source.kind == "gdelt":
            for query in source.queries:
                yield from self.gdelt_requests(source, query)
        elif source.kind == "google-news":
            for query in source.queries:
                url = google_news_url(source.endpoint, query, source.language)
                yield self.feed_request(source, url, callback=self.parse_google_news)
        elif source.kind == "listing":
            for url in source.feeds:
                yield self.feed_request(source, url, callback=self.parse_listing)
        else:
            for url in source.feeds:
                if not (self.backfill and self.slice_key(source, url) in self.done_slices):
                    yield self.feed_request(source, url)

    # ------------------------------------------------------------------ feeds

    def feed_request(
        self, source: Source, url: str, callback: Callable | None = None, **meta: Any
    ) -> scrapy.Request:
        headers = {"Accept": FEED_ACCEPT}
        if source.user_agent:
            headers["User-Agent"] = source.user_agent
        return scrapy.Request(
            url,
            callback=callback or self.parse_feed,
            errback=self.feed_failed,
            headers=headers,
            meta={FEED: True, "source": source, "handle_httpstatus_list": [304], **meta},
            dont_filter=True,
        )

    def unchanged(self, response: Response) -> bool:
        """A 304 to a conditional GET: the feed is as it was last run, nothing new in it."""
        if response.status != 304:
            return False
        source: Source = response.meta["source"]
        self.run_stats.inc(source.name, "feeds_fetched")
        self.run_stats.inc(source.name, "feeds_unchanged")
        return True

    def parse_feed(self, response: Response) -> Iterable[scrapy.Request]:
        source: Source = response.meta["source"]
        if self.unchanged(response):
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
            children = self.child_sitemaps(source, parsed.sitemaps)
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
            if entry.title:
                self.feed_titles.setdefault(title_key(entry.title), entry.url)
        yield from self.article_requests(source, entries, response)

    def article_requests(
        self, source: Source, entries: list[FeedEntry], response: Response
    ) -> Iterable[scrapy.Request]:
        """Requests for the wanted entries of a feed, sitemap, listing or API answer.

        In a backfill, the answer is a slice that counts as done once all its articles
        were fetched, skipped or failed.
        """
        slice_key = self.slice_key(source, response.url) if self.backfill else None
        requests = []
        for entry in entries:
            self.run_stats.inc(source.name, "items_seen")
            if source.prefilter and not self.classifier.is_candidate(
                entry.title or "", entry.summary
            ):
                self.run_stats.inc(source.name, "items_filtered")
                continue
            request = self.article_request(source, entry, response.url, slice_key)
            if request.url not in self.requested:  # another feed of this run listed it too
                self.requested.add(request.url)
                requests.append(request)
        if slice_key:
            self.slice_pending[slice_key] = len(requests)
            if not requests:
                yield SliceDone(self.backfill.key, slice_key)
        yield from requests

    def recent(self, entries: list[FeedEntry]) -> list[FeedEntry]:
        """Sitemaps can list years of pages: keep recent entries (or, in a backfill, those
        of its window), newest first, up to a cap."""
        if self.backfill:
            window = self.backfill
            dated = [e for e in entries if e.published and window.covers(e.published)]
            undated, cap = [], None  # an undated entry cannot be placed in the window
        else:
            cutoff = (datetime.now(UTC) - self.sitemap_max_age).isoformat()
            dated = [e for e in entries if e.published and e.published >= cutoff]
            undated = [e for e in entries if not e.published]
            cap = self.sitemap_max_entries
        dated.sort(key=lambda e: e.published, reverse=True)
        return (dated + undated)[:cap]

    def child_sitemaps(self, source: Source, children: list[FeedEntry]) -> list[FeedEntry]:
        """The sitemaps of an index worth reading: recent ones, or in a backfill those
        changed since the window began and not finished by an earlier attempt."""
        if not self.backfill:
            return self.recent(children)
        return [
            child
            for child in children
            if (not child.published or child.published[:10] >= self.backfill.since)
            and self.slice_key(source, child.url) not in self.done_slices
        ]

    def feed_failed(self, failure: Failure) -> None:
        source: Source = failure.request.meta["source"]
        self.run_stats.fail(source.name, failure.request.url, describe(failure), "feeds_failed")

    # ------------------------------------------------------------------ discovery

    def gdelt_requests(self, source: Source, query: str) -> Iterable[scrapy.Request]:
        """One request since the last good run, or one per day of a backfill window."""
        if self.backfill:
            for start in self.backfill.days():
                url = gdelt_url(source.endpoint, query, start, start + timedelta(days=1))
                if self.slice_key(source, url) not in self.done_slices:
                    yield self.gdelt_request(source, url)
        else:
            start = gdelt_start(self.since.get(source.name), datetime.now(UTC))
            yield self.gdelt_request(source, gdelt_url(source.endpoint, query, start, None))

    def gdelt_request(self, source: Source, url: str, attempt: int = 0) -> scrapy.Request:
        # One request at a time, 5 s apart (the "gdelt" download slot); 429 and 5xx are
        # answered here with back-off, not by the retry middleware's immediate retries.
        return self.feed_request(
            source,
            url,
            callback=self.parse_gdelt,
            download_slot="gdelt",
            autothrottle_dont_adjust_delay=True,
            conditional=False,  # the answer depends on when it is asked
            dont_retry=True,
            handle_httpstatus_list=[429, 500, 502, 503, 504],
            attempt=attempt,
        )

    async def parse_gdelt(self, response: Response) -> AsyncIterator[Any]:
        source: Source = response.meta["source"]
        if response.status != 200:
            attempt = response.meta["attempt"] + 1
            if attempt > GDELT_ATTEMPTS:
                reason = f"HTTP {response.status} after {attempt} attempts"
                self.run_stats.fail(source.name, response.url, reason, "feeds_failed")
                return
            await asyncio.sleep(self.gdelt_backoff * 2 ** (attempt - 1))
            yield self.gdelt_request(source, response.url, attempt)
            return
        try:
            entries = parse_gdelt(response.body)
        except NotAFeed as exc:
            self.run_stats.fail(source.name, response.url, str(exc), "feeds_failed")
            return
        self.run_stats.inc(source.name, "feeds_fetched")
        for item in self.article_requests(source, entries, response):
            yield item

    def parse_google_news(self, response: Response) -> Iterable[Any]:
        """Google's links are opaque redirects: find each headline on the publisher's own
        feeds or site instead, once every feed of the run has been read (spider_idle)."""
        source: Source = response.meta["source"]
        if self.unchanged(response):
            return
        try:
            items = parse_google_news(response.body)
        except NotAFeed as exc:
            self.run_stats.fail(source.name, response.url, f"not a feed: {exc}", "feeds_failed")
            return
        self.run_stats.inc(source.name, "feeds_fetched")
        self.run_stats.inc(source.name, "items_seen", len(items))
        for item in items:
            site = item["outlet_url"] or ""
            if site.startswith(("http://", "https://")):
                self.pending_news.setdefault(site, []).append((source, item))
            else:  # no publisher site to look on: only the run's feeds can tell
                yield self.resolved(source, item, site) or self.lead(source, item)

    def resolve_pending_news(self) -> None:
        """When the crawl runs dry: fetch headlines found in feeds, ask the publishers'
        pages for the rest, and keep what is found nowhere as a headline-only lead."""
        if not self.pending_news:
            return
        pending, self.pending_news = self.pending_news, {}
        for site, items in pending.items():
            unresolved = []
            for source, item in items:
                request = self.resolved(source, item, site)
                if request:
                    self.crawler.engine.crawl(request)
                else:
                    unresolved.append((source, item))
            if unresolved:
                request = self.feed_request(
                    unresolved[0][0],
                    site,
                    callback=self.parse_publisher_page,
                    news=unresolved,
                    conditional=False,
                )
                request.errback = self.publisher_page_failed
                self.crawler.engine.crawl(request)
        raise DontCloseSpider

    def resolved(self, source: Source, item: dict, site: str) -> scrapy.Request | None:
        """A request for the headline's article when a feed of this run carried it."""
        url = self.feed_titles.get(title_key(item["title"]))
        if url is None:
            return None
        return self.article_request(source, FeedEntry(url=url, title=item["title"]), site)

    def parse_publisher_page(self, response: Response) -> Iterable[Any]:
        html = response.text if isinstance(response, TextResponse) else ""
        for source, item in response.meta["news"]:
            url = find_link_by_title(html, response.url, item["title"])
            if url:
                yield self.article_request(source, FeedEntry(url=url, title=item["title"]), "")
            else:
                yield self.lead(source, item)

    def publisher_page_failed(self, failure: Failure) -> Iterable[Lead]:
        for source, item in failure.request.meta["news"]:
            yield self.lead(source, item)

    def lead(self, source: Source, item: dict) -> Lead:
        self.run_stats.inc(source.name, "leads")
        return Lead(
            key=f"{title_key(item['title'])}|{(item['outlet'] or '').casefold()}",
            title=item["title"],
            outlet=item["outlet"],
            outlet_url=item["outlet_url"],
            published=item["published"],
            link=item["link"],
            source=source.name,
        )

    def parse_listing(self, response: Response) -> Iterable[scrapy.Request]:
        """A listing page without a feed (PIB's Ministry of Defence releases)."""
        source: Source = response.meta["source"]
        if self.unchanged(response):
            return
        if not isinstance(response, TextResponse):
            self.run_stats.fail(source.name, response.url, "not an HTML page", "feeds_failed")
            return
        entries = listing_links(response.text, response.url, source.link_pattern)
        if not entries:
            reason = "no article links on the listing page (a redesign?)"
            self.run_stats.fail(source.name, response.url, reason, "feeds_failed")
            return
        self.run_stats.inc(source.name, "feeds_fetched")
        yield from self.article_requests(source, entries, response)

    # ------------------------------------------------------------------ backfill

    def slice_key(self, source: Source, url: str) -> str:
        return f"{source.name}|{url}"

    def slice_finished(self, meta: dict) -> Iterable[SliceDone]:
        key = meta.get("slice")
        if key is None:
            return
        self.slice_pending[key] -= 1
        if self.slice_pending[key] == 0:
            yield SliceDone(self.backfill.key, key)

    # ------------------------------------------------------------------ articles

    def article_request(
        self, source: Source, entry: FeedEntry, feed_url: str, slice_key: str | None = None
    ) -> scrapy.Request:
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
                "slice": slice_key,
            },
        )

    def parse_article(self, response: Response) -> Iterable[Article | SliceDone]:
        yield from self.slice_finished(response.meta)
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

    def article_failed(self, failure: Failure) -> Iterable[SliceDone]:
        yield from self.slice_finished(failure.request.meta)
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
