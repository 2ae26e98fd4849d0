"""The crawl's rules, checked in seconds: the spider, middlewares and store pipeline built
by Scrapy's own get_crawler and fed hand-made responses (no network, no reactor).

The loopback crawls (test_crawl.py, test_hostile.py, ...) check the same rules end to end.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.exceptions import DropItem, IgnoreRequest
from scrapy.http import HtmlResponse, XmlResponse
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

import crawlers.settings
from crawlers.extract import extract_file
from crawlers.middlewares import (
    AlreadySeen,
    ConditionalGetMiddleware,
    HttpOnlyMiddleware,
    SkipSeenMiddleware,
)
from crawlers.sources import Source
from crawlers.spiders.feeds import FeedSpider
from pipelines.article import Article
from pipelines.crawlstore import crawl_store
from pipelines.stages import StoreFailed, StorePipeline, TopicPipeline
from pipelines.store import Store
from pipelines.story_model import JoinModel
from schedules.report import build_report

PROJECT_SETTINGS = {k: getattr(crawlers.settings, k) for k in dir(crawlers.settings) if k.isupper()}
SOURCE = Source(
    name="Outlet",
    feeds=("http://outlet.example/feed",),
    language="en",
    country="IN",
    kind="rss",
    timezone="Asia/Kolkata",
    domains=("outlet.example", "outlet-cdn.example"),
)
FEED_URL = SOURCE.feeds[0]
RELEVANT_BODY = (
    "Defence Minister Rajnath Singh and Russian Defence Minister Andrei Belousov discussed "
    "the delivery of the remaining S-400 squadrons to the Indian Air Force in New Delhi. "
    "Russia's Rosoboronexport confirmed the schedule for the air defence systems. " * 3
)


class Crawl:
    """A crawler with the project's settings on a fresh database, and its spider."""

    def __init__(self, tmp_path: Path, **settings: Any):
        self.crawler = get_crawler(
            FeedSpider, {**PROJECT_SETTINGS, "NEWSWATCH_DB": str(tmp_path / "news.db"), **settings}
        )
        self.spider = FeedSpider.from_crawler(self.crawler, sources=[SOURCE])
        self.crawler.spider = self.spider
        self.store = crawl_store(self.crawler)

    def read_feed(self, body: bytes, url: str = FEED_URL) -> list[Any]:
        request = self.spider.feed_request(SOURCE, url)
        return list(request.callback(XmlResponse(url, body=body, request=request)))

    def read_page(
        self, url: str, body: bytes, content_type: bytes = b"text/html; charset=utf-8"
    ) -> list[Any]:
        request = Request(
            url,
            meta={
                "source": SOURCE,
                "feed_url": FEED_URL,
                "fallback": {},
                "newswatch_article": True,
            },
        )
        response = HtmlResponse(
            url, body=body, headers={"Content-Type": content_type}, request=request
        )
        return list(self.spider.parse_article(response))

    def errors(self) -> list[dict[str, str]]:
        return self.spider.run_stats.errors()

    def counters(self) -> dict[str, Any]:
        return self.spider.run_stats.per_source()[SOURCE.name]


@pytest.fixture
def crawl(tmp_path: Path) -> Iterator[Crawl]:
    crawl = Crawl(tmp_path)
    yield crawl
    crawl.store.close()


def rss(*items: str) -> bytes:
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        + "".join(items)
        + "</channel></rss>"
    ).encode()


def item(link: str, title: str = "India and Russia", date: str | None = None) -> str:
    pub = f"<pubDate>{date}</pubDate>" if date else ""
    return f"<item><title>{title}</title><link>{link}</link>{pub}</item>"


def page(title: str, body: str, canonical: str | None = None, charset: str = "utf-8") -> str:
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    return (
        f'<html><head><meta charset="{charset}"><title>{title}</title>{link}</head>'
        f"<body><article><h1>{title}</h1><p>{body}</p></article></body></html>"
    )


# ------------------------------------------------------------------ feed items


BAD_LINKS = {
    "javascript:alert(1)": "not an http(s) URL",
    "mailto:desk@outlet.example": "not an http(s) URL",
    "http://outlet.example:99999/a": "Port out of range",
    "file://localhost/etc/passwd": "not an http(s) URL",
    "file:/etc/hostname": "not an http(s) URL",
    "data:text/html,hello": "not an http(s) URL",
    "ftp://outlet.example/a": "not an http(s) URL",
    "http://outlet.example/" + "a" * 2100: "URL longer than 2083 characters",
}


def test_bad_items_are_recorded_one_by_one_and_the_rest_of_the_feed_goes_on(crawl):
    good = [f"http://outlet.example/news/{n}" for n in range(3)]
    requests = crawl.read_feed(rss(*(item(link) for link in [*BAD_LINKS, *good])))
    assert [r.url for r in requests] == good
    errors = crawl.errors()
    assert len(errors) == len(BAD_LINKS)
    for error, (link, why) in zip(errors, BAD_LINKS.items(), strict=True):
        assert error["url"] == link and why in error["reason"], error
    counters = crawl.counters()
    assert counters["item_errors"] == len(BAD_LINKS) and counters["status"] == "partial"


def test_a_bad_item_is_final_so_its_feed_keeps_the_new_validators(crawl):
    crawl.read_feed(rss(item("javascript:alert(1)")))
    assert crawl.spider.run_stats.unfinished_feeds() == set()


def test_zone_less_dates_are_in_the_source_time_zone_and_implausible_ones_dropped(crawl):
    tomorrow_and_more = (datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%d")
    requests = crawl.read_feed(
        rss(
            item("http://outlet.example/a", date="2025-12-04 10:00:00"),
            item("http://outlet.example/b", date="0000-00-00"),
            item("http://outlet.example/c", date="9999-01-01T00:00:00Z"),
            item("http://outlet.example/d", date=tomorrow_and_more),
        )
    )
    published = [r.meta["fallback"]["published"] for r in requests]
    assert published == ["2025-12-04T10:00:00+05:30", None, None, None]
    assert crawl.counters()["dates_rejected"] == 3


def test_sitemap_entries_are_recent_by_time_not_by_spelling(crawl):
    now = datetime.now(UTC)
    hours_ago = (now - timedelta(hours=2)).astimezone().strftime("%Y-%m-%dT%H:%M:%S%z")
    # Four days old in UTC, yet "later" as text than a recent UTC date if compared as text.
    old_far_east = (now - timedelta(days=4)).astimezone(
        datetime.now(UTC).astimezone().tzinfo
    ).replace(tzinfo=None).strftime("%Y-%m-%dT%H:%M:%S") + "+14:00"
    body = (
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>http://outlet.example/old</loc><lastmod>{old_far_east}</lastmod></url>"
        f"<url><loc>http://outlet.example/new</loc><lastmod>{hours_ago}</lastmod></url>"
        "</urlset>"
    ).encode()
    assert [r.url for r in crawl.read_feed(body)] == ["http://outlet.example/new"]


def test_a_callback_that_raises_is_on_record(crawl):
    request = Request("http://outlet.example/feed", meta={"source": SOURCE})
    response = XmlResponse(request.url, body=b"<rss/>", request=request)
    crawl.spider.callback_failed(Failure(KeyError("boom")), response, crawl.spider)
    [error] = crawl.errors()
    assert error["url"] == request.url and "KeyError" in error["reason"]


# ------------------------------------------------------------------ article pages


def test_a_page_decodes_as_newswatch_extract_does_whatever_the_header_claims(crawl, tmp_path):
    text = "Индия и Россия обсудили поставки С-400 и модернизацию Су-30МКИ."
    body = page("Раджнатх Сингх и Белоусов обсудили С-400", text * 5, charset="windows-1251")
    data = body.encode("cp1251")
    [article] = crawl.read_page("http://outlet.example/ru", data, b"text/html; charset=utf-8")
    assert article.title == "Раджнатх Сингх и Белоусов обсудили С-400"
    assert "\ufffd" not in article.body and "модернизацию Су-30МКИ" in article.body
    saved = tmp_path / "page.html"
    saved.write_bytes(data)
    offline = extract_file(saved, url="http://outlet.example/ru")
    assert (offline["title"], offline["body"]) == (article.title, article.body)


@pytest.mark.parametrize(
    ("canonical", "key"),
    [
        # Another outlet's address: ignored, the page is stored under its own.
        ("http://other.example/their-story", "http://outlet.example/story"),
        ("javascript:alert(1)", "http://outlet.example/story"),
        # The outlet's own canonical (any host of its domain, or a declared domain): kept.
        ("https://www.outlet.example/story?utm_source=x", "https://www.outlet.example/story"),
        ("http://outlet-cdn.example/story", "http://outlet-cdn.example/story"),
    ],
)
def test_canonical_links_are_trusted_within_the_outlet_only(crawl, canonical, key):
    body = page("S-400 deliveries", RELEVANT_BODY, canonical=canonical).encode()
    [article] = crawl.read_page("http://outlet.example/story", body)
    assert article.key_url == key
    ignored = crawl.counters().get("canonical_ignored", 0)
    assert ignored == (key == "http://outlet.example/story")


# ------------------------------------------------------------------ middlewares


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "file://localhost/etc/passwd", "data:,x", "ftp://a.example/x"],
)
def test_nothing_but_http_is_fetched(url):
    with pytest.raises(IgnoreRequest, match="only http"):
        HttpOnlyMiddleware().process_request(Request(url))
    assert HttpOnlyMiddleware().process_request(Request("https://a.example/")) is None


def test_no_handler_for_local_files_and_no_open_port():
    handlers = PROJECT_SETTINGS["DOWNLOAD_HANDLERS"]
    assert all(handlers[scheme] is None for scheme in ("file", "data", "ftp", "s3"))
    assert PROJECT_SETTINGS["TELNETCONSOLE_ENABLED"] is False
    assert PROJECT_SETTINGS["REMOTE_CONTROL_ENABLED"] is False
    assert PROJECT_SETTINGS["ROBOTSTXT_USER_AGENT"] == "newswatch"


def test_seen_articles_are_skipped_unless_the_feed_says_they_changed(crawl):
    crawl.store.remember_irrelevant(["http://outlet.example/a"])
    middleware = SkipSeenMiddleware.from_crawler(crawl.crawler)

    def request(updated: str | None) -> Request:
        meta = {"newswatch_article": True, "updated": updated}
        return Request("http://outlet.example/a", meta=meta)

    for updated in (None, "2020-01-01T00:00:00+00:00", "2099-01-01 00:00", "garbage"):
        with pytest.raises(AlreadySeen):
            middleware.process_request(request(updated))
    later = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S")
    assert middleware.process_request(request(later)) is None  # zone-less: no TypeError


def feed_answer(middleware: ConditionalGetMiddleware, url: str) -> None:
    request = Request(url, meta={"newswatch_feed": True})
    headers = {"ETag": '"v2"', "Last-Modified": "Mon, 01 Dec 2025 10:00:00 GMT"}
    middleware.process_response(request, XmlResponse(url, headers=headers, body=b"<rss/>"))


def test_validators_are_saved_only_for_feeds_whose_items_all_ended(crawl):
    middleware = ConditionalGetMiddleware.from_crawler(crawl.crawler)
    done, retry, gone = (f"http://outlet.example/{name}.xml" for name in ("done", "retry", "gone"))
    for url in (done, retry, gone):
        feed_answer(middleware, url)
    stats = crawl.spider.run_stats
    stats.fail(SOURCE.name, "http://outlet.example/x", "not stored: disk full", "store_failed",
               feed=retry)  # fmt: skip
    stats.fail(SOURCE.name, "http://outlet.example/y", "HTTP 404", "article_errors",
               feed=gone, permanent=True)  # fmt: skip
    middleware.spider_closed("finished")
    assert crawl.store.feed_state(done) == ('"v2"', "Mon, 01 Dec 2025 10:00:00 GMT")
    assert crawl.store.feed_state(gone)[0] == '"v2"'
    assert crawl.store.feed_state(retry) == (None, None)


def test_a_crawl_that_did_not_finish_saves_no_validators(crawl):
    middleware = ConditionalGetMiddleware.from_crawler(crawl.crawler)
    feed_answer(middleware, FEED_URL)
    middleware.spider_closed("shutdown")
    assert crawl.store.feed_state(FEED_URL) == (None, None)


# ------------------------------------------------------------------ the store pipeline


def article(n: int) -> Article:
    return Article(
        url=f"http://outlet.example/s400-{n}",
        source=SOURCE.name,
        title=f"Rajnath Singh and Belousov discuss S-400 deliveries, round {n}",
        body=RELEVANT_BODY + f" Round {n}.",
        feed_url=FEED_URL,
    )


def test_an_article_that_cannot_be_stored_leaves_nothing_behind(crawl):
    topic, store_stage = TopicPipeline(crawl.crawler), StorePipeline(crawl.crawler)
    store_stage.open_spider()
    crawl.store.db.execute(
        "CREATE TRIGGER refuse BEFORE INSERT ON articles WHEN new.url LIKE '%-2'"
        " BEGIN SELECT RAISE(ABORT, 'boom'); END"
    )
    store_stage.process_item(topic.process_item(article(1)))
    with pytest.raises(StoreFailed):
        store_stage.process_item(topic.process_item(article(2)))
    db = crawl.store.db
    assert [r[0] for r in db.execute("SELECT url FROM articles")] == [article(1).url]
    assert db.execute("SELECT count(*) FROM story_members").fetchone()[0] == 1
    assert db.execute("SELECT count(*) FROM stories").fetchone()[0] == 1
    assert crawl.store.seen_at(article(2).url) is None
    [error] = crawl.errors()
    assert error["url"] == article(2).url and "not stored" in error["reason"]
    assert "boom" in error["reason"]
    assert crawl.spider.run_stats.unfinished_feeds() == {FEED_URL}
    assert crawl.counters()["store_failed"] == 1


def test_off_topic_articles_are_remembered_and_dropped(crawl):
    store_stage = StorePipeline(crawl.crawler)
    store_stage.open_spider()
    off_topic = Article(url="http://outlet.example/oil", source=SOURCE.name, status="irrelevant")
    with pytest.raises(DropItem) as dropped:
        store_stage.process_item(off_topic)
    assert not isinstance(dropped.value, StoreFailed)
    assert crawl.store.seen_at("http://outlet.example/oil")


def test_read_commands_never_create_a_database(tmp_path):
    from pipelines.store import NoDatabase

    missing = tmp_path / "nowhere" / "news.db"
    with pytest.raises(NoDatabase, match=r'no database at .*news.db \(run "newswatch run" first\)'):
        Store(missing, create=False)
    assert not missing.parent.exists()


def test_a_garbage_file_is_not_a_database(tmp_path):
    from pipelines.store import StoreError

    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="cannot use it as a database"):
        Store(garbage)
    assert garbage.read_bytes() == b"this is not sqlite" * 100
    sqlite3.connect(tmp_path / "fine.db").close()


# Reports met in feed order: a1 and a0 pair up; a3 joins a2, not that pair; then the pair
# fits the story of a2 and a3 (under cover_model, which joins on shared entities).
EARLY_PAIR = {
    "a1": ("Rajnath Singh speaks", "Defence Minister Rajnath Singh spoke on Friday."),
    "a0": ("Rajnath Singh travels", "Rajnath Singh left Delhi."),
    "a2": ("Belousov on the S-400", "Andrei Belousov said the S-400 deliveries go on."),
    "a3": ("Rajnath Singh meets Belousov", "Rajnath Singh met Andrei Belousov on the S-400."),
}


def _store_early_pair(
    crawl: Crawl,
    names: tuple[str, ...] = tuple(EARLY_PAIR),
    reports: dict[str, tuple[str, str]] = EARLY_PAIR,
    model: JoinModel | None = None,
) -> StorePipeline:
    """One run's store stage, open, that stored these `reports` (EARLY_PAIR unless told)
    in order, clustered by `model` (cover_model unless told)."""
    from pipelines.evidence import EvidenceReader
    from pipelines.prepared import Prepared
    from pipelines.stories import StoryClusterer
    from tests.conftest import cover_model

    reader = EvidenceReader()
    store_stage = StorePipeline(crawl.crawler)
    store_stage.open_spider()
    index = crawl.store.story_store(store_stage.run_id)
    model = model or cover_model()
    store_stage.clusterer = StoryClusterer(index, model=model, reader=reader)
    for name in names:
        title, text = reports[name]
        item = Article(url=f"http://outlet.example/{name}", source=SOURCE.name, title=title,
                       body=text, feed_url=FEED_URL)  # fmt: skip
        item.prepared = Prepared(None, reader.read(title, text))  # as a worker hands it over
        store_stage.process_item(item)
    return store_stage


def _stories(crawl: Crawl) -> dict[str, int]:
    rows = crawl.store.db.execute("SELECT url, story_id FROM articles")
    return {url.rsplit("/", 1)[1]: story for url, story in rows}


def test_the_runs_small_stories_join_their_events_story_when_the_crawl_ends(crawl):
    store_stage = _store_early_pair(crawl)
    before = _stories(crawl)
    assert before["a1"] == before["a0"] != before["a2"] == before["a3"]
    store_stage.spider_closed("finished")
    after = _stories(crawl)
    assert len(set(after.values())) == 1 and after["a2"] == before["a2"]
    stats = json.loads(crawl.store.db.execute("SELECT stats FROM runs").fetchone()[0])
    assert stats["refined_articles"] == 2
    # A link to the story the pair formed still resolves; no report ever showed it.
    assert crawl.store.resolve_story(before["a1"]) == before["a2"]
    assert build_report(crawl.store, store_stage.run_id)["merged"] == []


def test_an_earlier_runs_small_story_joins_its_events_story_and_the_report_says_merged(crawl):
    _store_early_pair(crawl, ("a1", "a0")).spider_closed("finished")  # yesterday: the pair
    paired = _stories(crawl)["a1"]
    today = _store_early_pair(crawl, ("a2", "a3"))
    today.spider_closed("finished")
    after = _stories(crawl)
    assert len(set(after.values())) == 1 and after["a1"] == after["a2"] != paired
    stats = json.loads(
        crawl.store.db.execute("SELECT stats FROM runs WHERE id = ?", [today.run_id]).fetchone()[0]
    )
    assert stats["refined_articles"] == 2
    assert crawl.store.resolve_story(paired) == after["a2"]
    report = build_report(crawl.store, today.run_id)
    assert [(m["story"], m["into_story"]) for m in report["merged"]] == [(paired, after["a2"])]


def test_the_runs_stories_of_one_event_in_two_scripts_are_regrouped_when_the_crawl_ends(crawl):
    from tests.conftest import headline_model

    reports = {
        "t1": ("Frigate Tushil launched at Yantar shipyard", "Report one."),
        "t2": ("Тушил спущен на воду на Янтаре", "Report two."),  # fits t1 at .73
    }
    model = headline_model(regroup=0.6)
    store_stage = _store_early_pair(crawl, tuple(reports), reports, model)
    before = _stories(crawl)
    assert before["t1"] != before["t2"]  # apart as they came: under the join threshold
    store_stage.spider_closed("finished")
    after = _stories(crawl)
    assert after["t1"] == after["t2"] == before["t1"]
    stats = json.loads(crawl.store.db.execute("SELECT stats FROM runs").fetchone()[0])
    assert stats["refined_articles"] == 1
    assert crawl.store.resolve_story(before["t2"]) == before["t1"]
    assert build_report(crawl.store, store_stage.run_id)["merged"] == []


def test_a_small_story_older_than_the_recent_days_is_left_as_it_is(crawl):
    from pipelines.stages import RECENT_DAYS

    now = datetime.now(UTC)
    long_ago = now - timedelta(days=RECENT_DAYS + 1)
    crawl.store.clock = lambda: long_ago.isoformat(timespec="seconds")
    _store_early_pair(crawl, ("a1", "a0")).spider_closed("finished")
    paired = _stories(crawl)["a1"]
    crawl.store.clock = lambda: now.isoformat(timespec="seconds")
    _store_early_pair(crawl, ("a2", "a3")).spider_closed("finished")
    after = _stories(crawl)
    assert after["a1"] == after["a0"] == paired != after["a2"] == after["a3"]


def test_a_refining_that_fails_leaves_every_article_where_it_was_stored(crawl, caplog):
    store_stage = _store_early_pair(crawl)
    before = _stories(crawl)
    crawl.store.db.execute(
        "CREATE TRIGGER refuse BEFORE UPDATE OF story_id ON articles"
        " BEGIN SELECT RAISE(ABORT, 'disk full'); END"
    )
    store_stage.spider_closed("finished")
    assert _stories(crawl) == before
    assert "stories not refined: disk full" in caplog.text
    members = crawl.store.db.execute("SELECT doc, story FROM story_members")
    assert {doc.rsplit("/", 1)[1]: story for doc, story in members} == before
    stats = json.loads(crawl.store.db.execute("SELECT stats FROM runs").fetchone()[0])
    assert stats["stories_not_refined"] == "IntegrityError: disk full"  # recorded all the same
