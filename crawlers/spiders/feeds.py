"""The one spider for every source: ask each source as its kind says, fetch the new articles."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Callable, Iterable
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any

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
from w3lib.encoding import http_content_type_encoding

from crawlers.backfill import Backfill
from crawlers.feeds import FeedEntry
from crawlers.kinds import SourceKind, kind_class
from crawlers.middlewares import ARTICLE, FEED, AlreadySeen
from crawlers.sources import Source, load_sources, select_sources
from crawlers.workers import WorkerCrashed, WorkerPool, extract_page, overrides_table
from pipelines.article import Article, SliceDone
from pipelines.dates import utc_iso
from pipelines.runstats import RunStats
from pipelines.urls import canonicalize_url, check_http_url, same_outlet

if TYPE_CHECKING:  # the lexicon and its code load with the first feed entries
    from pipelines.topic import Classifier

FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.8"
# An article request that ends in one of these will never succeed: its feed is done with it
# (so is one whose redirect was refused: to a non-http(s) URL, or in a loop). A refusal
# (robots.txt, a bad scheme) is final too; 5xx, 429, timeouts and the like are not.
PERMANENT_STATUSES = (404, 410)


class BadItem(ValueError):
    """A feed item that cannot be fetched (no usable link): skipped and recorded."""


class FeedSpider(scrapy.Spider):
    """Crawl the registry's sources: feeds, sitemaps, listings and aggregators.

    Run it through `newswatch crawl`, or as `scrapy crawl feeds [-a source=NAME]
    [-a sources_file=FILE]`. Every failure is counted against its source with the URL
    and the reason; a bad item costs that item only, and no failure stops the others.
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
        spider.sitemap_max_age = timedelta(days=settings.getfloat("NEWSWATCH_SITEMAP_MAX_AGE_DAYS"))
        spider.sitemap_max_entries = settings.getint("NEWSWATCH_SITEMAP_MAX_ENTRIES")
        spider.max_url_length = settings.getint("URLLENGTH_LIMIT")
        spider.since = settings.getdict("NEWSWATCH_SINCE")
        spider.backfill = Backfill.parse(settings.get("NEWSWATCH_BACKFILL"))
        spider.done_slices = set(settings.getlist("NEWSWATCH_BACKFILL_DONE"))
        spider.feed_titles: dict[str, str] = {}  # headline key -> article URL, from all feeds
        spider.slice_pending: dict[str, int] = {}  # backfill slice -> article requests left
        spider.requested: set[str] = set()  # article URLs already asked for in this run
        spider.kinds: dict[type[SourceKind], SourceKind] = {}
        spider.worker_count = settings.getint("NEWSWATCH_WORKERS")
        spider.feed_item_cap = settings.getint("NEWSWATCH_MAX_ITEMS_PER_FEED")
        spider.workers: WorkerPool | None = None  # only while the crawl runs
        crawler.signals.connect(spider.settle_heap, signal=signals.spider_opened)
        crawler.signals.connect(spider.open_workers, signal=signals.spider_opened)
        crawler.signals.connect(spider.close_workers, signal=signals.spider_closed)
        crawler.signals.connect(spider.callback_failed, signal=signals.spider_error)
        crawler.signals.connect(spider.idle, signal=signals.spider_idle)
        return spider

    @property
    def run_stats(self) -> RunStats:
        return RunStats(self.crawler.stats)

    @cached_property
    def classifier(self) -> Classifier:
        """Loaded with the first feed entries to prefilter: a crawl whose feeds are all
        unchanged never reads the lexicon."""
        from pipelines.prepared import reader_for

        return reader_for(self.settings.get("NEWSWATCH_LEXICON") or None).classifier

    def kind_of(self, source: Source) -> SourceKind:
        cls = kind_class(source.kind)
        if cls not in self.kinds:
            self.kinds[cls] = cls(self)
        return self.kinds[cls]

    def settle_heap(self) -> None:
        """What the crawl loaded (its code, settings, sources; later the lexicon, see
        pipelines.prepared) lives until its end: frozen out of the garbage collector's
        reach, it is no longer walked by every full collection, which held the reactor
        for ~190 ms when a feed's 500 requests were scheduled. Frozen as it is, without a
        collection first (that alone took ~60 ms): the little garbage of start-up stays."""
        gc.freeze()

    def open_workers(self) -> None:
        """Extraction and feed parsing go to worker processes when there are 2 or more;
        they start with the first page or feed to parse."""
        if self.worker_count > 1:
            self.workers = WorkerPool(self.worker_count)

    def close_workers(self) -> None:
        if self.workers is not None:
            self.workers.close()
            self.workers = None

    def idle(self) -> None:
        """Let each kind schedule what it kept for the end; stay open if any did."""
        if any([kind.idle() for kind in self.kinds.values()]):
            raise DontCloseSpider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        requests = {source.name: self.first_requests(source) for source in self.sources}
        for source in self.sources:
            self.run_stats.register(source.name, len(requests[source.name]))
        for source in self.sources:
            for request in requests[source.name]:
                yield request

    def first_requests(self, source: Source) -> list[scrapy.Request]:
        kind = self.kind_of(source)
        if self.backfill and not kind.supports_backfill:
            return []  # feeds and listings only hold the latest items
        try:
            return list(kind.start_requests(source))
        except Exception as exc:  # a bad entry costs its source only
            where = (source.feeds or (source.endpoint,))[0] or source.name
            self.run_stats.fail(source.name, where, f"cannot start: {exc}", "feeds_failed")
            return []

    # ------------------------------------------------------------------ feeds

    def feed_request(
        self, source: Source, url: str, callback: Callable | None = None, **meta: Any
    ) -> scrapy.Request:
        """A request for a feed, sitemap, listing or API answer of `source`."""
        headers = {"Accept": FEED_ACCEPT}
        if source.user_agent:
            headers["User-Agent"] = source.user_agent
        return scrapy.Request(
            url,
            callback=callback or self.kind_of(source).reader(),
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

    @staticmethod
    def page_text(response: Response) -> str | None:
        """The decoded text of an HTML or XML answer, None for anything else."""
        return response.text if isinstance(response, TextResponse) else None

    def feed_failed(self, failure: Failure) -> None:
        source: Source = failure.request.meta["source"]
        self.run_stats.fail(source.name, failure.request.url, describe(failure), "feeds_failed")

    def callback_failed(self, failure: Failure, response: Response, spider: Any) -> None:
        """A callback raised: what it had not yet yielded is lost, so it is on record."""
        source: Source | None = response.meta.get("source")
        if source is None:
            return
        reason = f"could not read the page: {failure.type.__name__}: {failure.getErrorMessage()}"
        if response.meta.get(ARTICLE):
            feed = response.meta.get("feed_url")
            self.run_stats.fail(source.name, response.url, reason, "article_errors", feed=feed)
        else:
            self.run_stats.fail(source.name, response.url, reason, "feeds_failed")

    # ------------------------------------------------------------------ feed items

    def article_requests(
        self, source: Source, entries: Iterable[FeedEntry], feed_url: str
    ) -> Iterable[scrapy.Request | SliceDone]:
        """Requests for the wanted entries of a feed, sitemap, listing or API answer (at
        `feed_url`), each entry on its own: a bad one is recorded and skipped, the others
        go on.

        In a backfill, the answer is a slice that counts as done once all its articles
        were fetched, skipped or failed.
        """
        slice_key = self.slice_key(source, feed_url) if self.backfill else None
        requests = []
        for entry in entries:
            try:
                if source.prefilter and not self.classifier.is_candidate(
                    entry.title or "", entry.summary
                ):
                    self.run_stats.inc(source.name, "items_filtered")
                    continue
                request = self.article_request(source, entry, feed_url, slice_key)
            except Exception as exc:  # hostile items must cost only themselves
                reason = str(exc) if isinstance(exc, BadItem) else f"{type(exc).__name__}: {exc}"
                self.item_failed(
                    source, entry.url or feed_url, f"bad feed item: {reason}", feed_url
                )
                continue
            if request.url not in self.requested:  # another feed of this run listed it too
                self.requested.add(request.url)
                requests.append(request)
        if slice_key:
            self.slice_pending[slice_key] = len(requests)
            if not requests:
                yield SliceDone(self.backfill.key, slice_key)
        yield from requests

    def item_failed(self, source: Source, url: str, reason: str, feed_url: str | None) -> None:
        """An item that can never be fetched: recorded, and its feed is done with it."""
        self.run_stats.fail(source.name, url, reason, "item_errors", feed=feed_url, permanent=True)

    def article_request(
        self, source: Source, entry: FeedEntry, feed_url: str, slice_key: str | None = None
    ) -> scrapy.Request:
        """The request for one item's article; BadItem when its link cannot be fetched."""
        try:
            url = canonicalize_url(
                entry.url, drop_params=source.drop_params, force_https=source.force_https
            )
            check_http_url(url, self.max_url_length)
        except ValueError as exc:
            raise BadItem(f"{exc}") from None
        headers = {"User-Agent": source.user_agent} if source.user_agent else {}
        fallback = {
            "title": entry.title,
            "published": entry.published,
            "summary": entry.summary,
            "authors": list(entry.authors),
        }
        return scrapy.Request(
            url,
            callback=self.parse_article_in_worker if self.workers else self.parse_article,
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

    def recent(self, entries: list[FeedEntry]) -> list[FeedEntry]:
        """Sitemaps can list years of pages: keep recent entries (or, in a backfill, those
        of its window), newest first, up to a cap."""
        if self.backfill:
            window = self.backfill
            dated = [e for e in entries if e.published and window.covers(e.published)]
            undated, cap = [], None  # an undated entry cannot be placed in the window
        else:
            cutoff = utc_iso(datetime.now(UTC) - self.sitemap_max_age)
            dated = [e for e in entries if e.published and utc_iso(e.published) >= cutoff]
            undated = [e for e in entries if not e.published]
            cap = self.sitemap_max_entries
        dated.sort(key=lambda e: utc_iso(e.published), reverse=True)
        return (dated + undated)[:cap]

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

    def parse_article(self, response: Response) -> Iterable[Article | SliceDone]:
        from crawlers.extract import extract  # heavy: with workers, only they load it

        yield from self.slice_finished(response.meta)
        if self.is_page(response):
            source: Source = response.meta["source"]
            fields = extract(
                response.body,
                response.url,
                overrides=source.extract,
                **self.extract_options(response),
            )
            yield from self.article_items(response, fields)

    async def parse_article_in_worker(
        self, response: Response
    ) -> AsyncIterator[Article | SliceDone]:
        """`parse_article` with the extraction in a worker process."""
        for done in self.slice_finished(response.meta):
            yield done
        if not self.is_page(response):
            return
        source: Source = response.meta["source"]
        try:
            fields = await self.workers.run(
                extract_page,
                response.body,
                response.url,
                overrides=overrides_table(source.extract),
                lexicon=self.settings.get("NEWSWATCH_LEXICON") or None,
                **self.extract_options(response),
            )
        except WorkerCrashed as exc:
            reason = f"extraction failed: {exc}"
            feed = response.meta["feed_url"]
            self.run_stats.fail(source.name, response.url, reason, "extract_failed", feed=feed)
            return
        for item in self.article_items(response, fields):
            yield item

    def is_page(self, response: Response) -> bool:
        """An HTML or XML answer; anything else is recorded as a failure."""
        if isinstance(response, TextResponse):
            return True
        source: Source = response.meta["source"]
        feed_url = response.meta["feed_url"]
        self.run_stats.fail(
            source.name, response.url, "not an HTML page", "article_errors", feed=feed_url
        )
        return False

    @staticmethod
    def extract_options(response: Response) -> dict[str, Any]:
        """What extract() needs besides the page's bytes and URL, the overrides aside. The
        charset is the one the server declared: extract() decodes the bytes exactly as
        `newswatch extract` decodes a saved page."""
        return {
            "fallback": response.meta["fallback"],
            "encoding": http_content_type_encoding(
                response.headers.get(b"Content-Type", b"").decode("latin-1")
            ),
            "tz": response.meta["source"].timezone,
        }

    def article_items(self, response: Response, fields: dict[str, Any]) -> Iterable[Article]:
        """The article of an extracted page, or the failure to find one on record."""
        source: Source = response.meta["source"]
        feed_url = response.meta["feed_url"]
        rejected = fields.pop("dates_rejected", 0)
        if rejected:
            self.run_stats.inc(source.name, "dates_rejected", rejected)
        if not fields.get("title") or not fields.get("body"):
            self.run_stats.fail(
                source.name,
                response.url,
                "no article text found on the page",
                "extract_failed",
                feed=feed_url,
            )
            return
        self.run_stats.inc(source.name, "articles_fetched")
        fields["canonical_url"] = self.key_url(source, fields.get("canonical_url"), response.url)
        yield Article(
            **fields,
            source=source.name,
            feed_url=feed_url,
            fetched_url=response.request.url,
        )

    def key_url(self, source: Source, canonical: str | None, page_url: str) -> str:
        """The URL an article is stored under: the page's canonical link when it stays
        within the outlet (another site's canonical would take over that site's article),
        else the address it was fetched from."""
        if canonical and canonical != page_url:
            try:
                check_http_url(canonical, self.max_url_length)
                trusted = same_outlet(canonical, page_url, source.domains)
            except ValueError:
                trusted = False
            if not trusted:
                self.run_stats.inc(source.name, "canonical_ignored")
                canonical = None
        return canonicalize_url(
            canonical or page_url, drop_params=source.drop_params, force_https=source.force_https
        )

    def article_failed(self, failure: Failure) -> Iterable[SliceDone]:
        yield from self.slice_finished(failure.request.meta)
        meta = failure.request.meta
        source: Source = meta["source"]
        if failure.check(AlreadySeen):
            self.run_stats.inc(source.name, "skipped_seen")
            return
        if failure.check(HttpError):  # an IgnoreRequest too, but not always final
            status = failure.value.response.status
            permanent = status in PERMANENT_STATUSES or 300 <= status < 400
        else:
            permanent = bool(failure.check(IgnoreRequest))
        self.run_stats.fail(
            source.name,
            failure.request.url,
            describe(failure),
            "article_errors",
            feed=meta.get("feed_url"),
            permanent=permanent,
        )


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
