"""The GDELT DOC 2.0 API: articles matching a query, asked since the last good run (or
day by day in a backfill), one request at a time as the API asks."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from crawlers.discovery import gdelt_start, gdelt_url, parse_gdelt
from crawlers.feeds import NotAFeed
from crawlers.kinds.base import Fail, SourceKind

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.http import Response
    from scrapy.settings import BaseSettings

    from crawlers.sources import Source

ATTEMPTS = 3  # answers of 429 or 5xx are retried this often, with back-off


def validate_queries(entry: dict[str, Any], fail: Fail) -> None:
    """Aggregators are asked queries at an endpoint instead of reading feeds."""
    queries = entry.get("queries")
    if not queries or not all(isinstance(q, str) and q.strip() for q in queries):
        raise fail("queries", f"a {entry.get('kind')} source needs a list of queries")


class Gdelt(SourceKind):
    names = ("gdelt",)
    supports_backfill = True
    default_endpoint = "https://api.gdeltproject.org/api/v2/doc/doc"

    @classmethod
    def validate(cls, entry: dict[str, Any], fail: Fail) -> None:
        validate_queries(entry, fail)

    @classmethod
    def backfill_start(cls, settings: BaseSettings, today: date) -> date | None:
        """The DOC API answers for its last three months only."""
        return today - timedelta(days=settings.getint("NEWSWATCH_GDELT_HORIZON_DAYS"))

    def start_requests(self, source: Source) -> Iterable[Request]:
        """One request since the last good run, or one per day of a backfill window
        (the days GDELT still covers)."""
        spider = self.spider
        earliest = self.backfill_start(spider.settings, datetime.now(UTC).date())
        for query in source.queries:
            if spider.backfill:
                for start in spider.backfill.days():
                    if earliest and start.date() < earliest:
                        continue
                    url = gdelt_url(source.endpoint, query, start, start + timedelta(days=1))
                    if spider.slice_key(source, url) not in spider.done_slices:
                        yield self.request(source, url)
            else:
                start = gdelt_start(spider.since.get(source.name), datetime.now(UTC))
                yield self.request(source, gdelt_url(source.endpoint, query, start, None))

    def request(self, source: Source, url: str, attempt: int = 0) -> Request:
        # One request at a time, 5 s apart (the "gdelt" download slot); 429 and 5xx are
        # answered here with back-off, not by the retry middleware's immediate retries.
        return self.spider.feed_request(
            source,
            url,
            callback=self.parse,
            download_slot="gdelt",
            autothrottle_dont_adjust_delay=True,
            conditional=False,  # the answer depends on when it is asked
            dont_retry=True,
            handle_httpstatus_list=[429, 500, 502, 503, 504],
            attempt=attempt,
        )

    async def parse(self, response: Response) -> AsyncIterator[Any]:
        spider = self.spider
        source: Source = response.meta["source"]
        if response.status != 200:
            attempt = response.meta["attempt"] + 1
            if attempt > ATTEMPTS:
                reason = f"HTTP {response.status} after {attempt} attempts"
                spider.run_stats.fail(source.name, response.url, reason, "feeds_failed")
                return
            backoff = spider.settings.getfloat("NEWSWATCH_GDELT_BACKOFF")
            await asyncio.sleep(backoff * 2 ** (attempt - 1))
            yield self.request(source, response.url, attempt)
            return
        try:
            entries = parse_gdelt(response.body)
        except NotAFeed as exc:
            spider.run_stats.fail(source.name, response.url, str(exc), "feeds_failed")
            return
        spider.run_stats.inc(source.name, "feeds_fetched")
        spider.run_stats.inc(source.name, "items_seen", len(entries))
        for item in spider.article_requests(source, entries, response.url):
            yield item
