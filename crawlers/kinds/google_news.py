"""Google News RSS search. Its links are opaque redirects, so each headline is looked for
on the publisher's own feeds (read in the same run) or site instead, once every feed of
the run has been read; what is found nowhere is kept as a headline-only lead."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from crawlers.discovery import find_link_by_title, google_news_url, parse_google_news, title_key
from crawlers.feeds import FeedEntry, NotAFeed
from crawlers.kinds.base import Fail, SourceKind
from crawlers.kinds.gdelt import validate_queries
from pipelines.article import Lead

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.http import Response
    from twisted.python.failure import Failure

    from crawlers.sources import Source
    from crawlers.spiders.feeds import FeedSpider

# A headline waiting for its article: the source that announced it, the item, and the
# Google News answer it came in (the feed whose validators depend on it).
Pending = tuple["Source", dict, str]


class GoogleNews(SourceKind):
    names = ("google-news",)
    default_endpoint = "https://news.google.com/rss/search"

    def __init__(self, spider: FeedSpider):
        super().__init__(spider)
        self.pending: dict[str, list[Pending]] = {}  # by publisher site

    @classmethod
    def validate(cls, entry: dict[str, Any], fail: Fail) -> None:
        validate_queries(entry, fail)

    def start_requests(self, source: Source) -> Iterable[Request]:
        for query in source.queries:
            url = google_news_url(source.endpoint, query, source.language)
            yield self.spider.feed_request(source, url)

    def parse(self, response: Response) -> Iterable[Any]:
        spider = self.spider
        source: Source = response.meta["source"]
        if spider.unchanged(response):
            return
        try:
            items = parse_google_news(response.body)
        except NotAFeed as exc:
            spider.run_stats.fail(source.name, response.url, f"not a feed: {exc}", "feeds_failed")
            return
        spider.run_stats.inc(source.name, "feeds_fetched")
        spider.run_stats.inc(source.name, "items_seen", len(items))
        for item in items:
            site = item["outlet_url"] or ""
            if site.startswith(("http://", "https://")):
                self.pending.setdefault(site, []).append((source, item, response.url))
            else:  # no publisher site to look on: only the run's feeds can tell
                found = self.resolved(source, item, response.url)
                yield from found if found is not None else [self.lead(source, item, response.url)]

    def idle(self) -> bool:
        """When the crawl runs dry: fetch headlines found in feeds, ask the publishers'
        pages for the rest, and keep what is found nowhere as a headline-only lead."""
        if not self.pending:
            return False
        pending, self.pending = self.pending, {}
        engine = self.spider.crawler.engine
        for site, items in pending.items():
            unresolved = []
            for source, item, feed_url in items:
                found = self.resolved(source, item, feed_url)
                if found is None:
                    unresolved.append((source, item, feed_url))
                for request in found or ():
                    engine.crawl(request)
            if unresolved:
                request = self.spider.feed_request(
                    unresolved[0][0],
                    site,
                    callback=self.parse_publisher_page,
                    news=unresolved,
                    conditional=False,
                )
                request.errback = self.publisher_page_failed
                engine.crawl(request)
        return True

    def resolved(self, source: Source, item: dict, feed_url: str) -> list[Any] | None:
        """The request for the headline's article when a feed of this run carried it (none
        when that feed already asked for it), or None when no feed did."""
        url = self.spider.feed_titles.get(title_key(item["title"]))
        if url is None:
            return None
        entry = FeedEntry(url=url, title=item["title"])
        return list(self.spider.article_requests(source, [entry], feed_url))

    def parse_publisher_page(self, response: Response) -> Iterable[Any]:
        html = self.spider.page_text(response) or ""
        for source, item, feed_url in response.meta["news"]:
            url = find_link_by_title(html, response.url, item["title"])
            if url:
                entry = FeedEntry(url=url, title=item["title"])
                yield from self.spider.article_requests(source, [entry], feed_url)
            else:
                yield self.lead(source, item, feed_url)

    def publisher_page_failed(self, failure: Failure) -> Iterable[Lead]:
        for source, item, feed_url in failure.request.meta["news"]:
            yield self.lead(source, item, feed_url)

    def lead(self, source: Source, item: dict, feed_url: str) -> Lead:
        self.spider.run_stats.inc(source.name, "leads")
        return Lead(
            key=f"{title_key(item['title'])}|{(item['outlet'] or '').casefold()}",
            title=item["title"],
            outlet=item["outlet"],
            outlet_url=item["outlet_url"],
            published=item["published"],
            link=item["link"],
            source=source.name,
            feed_url=feed_url,
        )
