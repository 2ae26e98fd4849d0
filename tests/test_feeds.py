"""Feed and sitemap parsing, on feeds written for the tests and on real feeds in ../shared."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from crawlers.feeds import NotAFeed, parse_feed
from tests.conftest import FIXTURES, SHARED

SITE = FIXTURES / "site"
REAL_FEEDS = SHARED / "fixtures" / "feeds"


def fill(path: Path) -> bytes:
    return (
        path.read_bytes()
        .replace(b"{{BASE}}", b"https://daily.example")
        .replace(b"{{TODAY}}", b"2025-01-01")
    )


def test_rss2_with_cdata_whitespace_and_broken_dates():
    feed = parse_feed(fill(SITE / "feeds" / "defence.rss"), "https://daily.example/feed")
    assert feed.kind == "rss"
    first, second = feed.entries[:2]
    assert first.url == "https://daily.example/articles/s400-second-squadron.html"
    assert first.title == "Second S-400 squadron arrives in Punjab"
    assert first.published == "2022-04-12T09:30:00+05:30"
    assert first.authors == ("Staff Reporter",)
    # "Mon,31 Jan 2022" is repaired; the TOI-style <a><img></a> is stripped from the summary.
    assert second.published == "2022-01-31T18:00:00+05:30"
    assert second.summary == "The Indo-Russian joint venture signed a contract."


def test_atom_and_rss1_and_rss091():
    atom = parse_feed(fill(SITE / "feeds" / "atom.xml"), "https://daily.example/atom")
    assert atom.kind == "atom"
    assert atom.entries[0].published == "2024-07-09T11:00:00+03:00"
    assert atom.entries[0].authors == ("Moscow Bureau",)
    rdf = parse_feed(fill(SITE / "feeds" / "rdf.xml"), "https://daily.example/rdf")
    assert rdf.entries[0].title == "INS Tamal commissioned at Kaliningrad"
    assert rdf.entries[0].published == "2025-07-01T10:00:00+03:00"
    old = parse_feed((FIXTURES / "feeds" / "rss091.xml").read_bytes(), "https://wire.example/")
    assert old.entries[0].url == "https://wire.example/igla-s-contract"
    assert old.entries[0].published == "2023-11-15T08:00:00+00:00"


def test_invalid_entities_are_recovered_with_a_warning():
    feed = parse_feed((FIXTURES / "feeds" / "bad-entities.xml").read_bytes(), "https://r.example/")
    assert [e.url for e in feed.entries] == [
        "https://recognition.example/news/t90-upgrade",
        "https://recognition.example/news/pantsir",
    ]
    assert feed.warning


def test_news_sitemap_index_and_gzip():
    index = parse_feed(fill(SITE / "sitemaps" / "index.xml"), "https://daily.example/s.xml")
    assert index.kind == "sitemap-index"
    assert index.sitemaps[0].url == "https://daily.example/sitemaps/news.xml"
    news = parse_feed(gzip.compress(fill(SITE / "sitemaps" / "news.xml")), "https://d.example/")
    assert news.kind == "news-sitemap"
    assert news.entries[0].title == "Korwa plant rolls out AK-203 rifles"
    assert news.entries[0].published == "2025-01-01T08:00:00+05:30"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "empty response"),
        (b"<!DOCTYPE html><html><body>hi</body></html>", "an HTML page, not a feed"),
        (b'<?xml version="1.0"?>\n<rss version="2.0"><channel><item><title>x', "invalid XML"),
        (b'{"json": true}', "invalid XML"),
        (b'<?xml version="1.0"?><catalog><book>x</book></catalog>', "not an RSS or Atom feed"),
        (b"\x1f\x8b\x08garbage", "broken gzip data"),
    ],
)
def test_not_a_feed(body, reason):
    with pytest.raises(NotAFeed, match=reason):
        parse_feed(body, "https://x.example/feed")


@pytest.mark.skipif(not REAL_FEEDS.is_dir(), reason="../shared/fixtures/feeds is absent")
@pytest.mark.parametrize(
    "path",
    sorted(REAL_FEEDS.rglob("*.xml")) if REAL_FEEDS.is_dir() else [],
    ids=lambda p: p.name,
)
def test_real_feed_items_have_title_link_and_date(path):
    feed = parse_feed(path.read_bytes(), "https://outlet.example/feed")
    assert feed.kind == "rss"
    assert len(feed.entries) >= 40
    for entry in feed.entries:
        assert entry.title and entry.published
        assert entry.url.startswith(("http://", "https://"))
        assert entry.url == entry.url.strip() and " " not in entry.url


@pytest.mark.skipif(not REAL_FEEDS.is_dir(), reason="../shared/fixtures/feeds is absent")
def test_real_html_instead_of_feed_is_reported():
    (page,) = REAL_FEEDS.glob("*returned-html*.html")
    with pytest.raises(NotAFeed, match="HTML page"):
        parse_feed(page.read_bytes(), "https://indianexpress.com/section/opinion/editorials/feed")


BAD_DATES = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Hand-edited</title><link>https://d.example/</link>
<item><title>Placeholder date</title><link>https://d.example/a</link>
  <pubDate>0000-00-00</pubDate></item>
<item><title>Typo in the year</title><link>https://d.example/b</link>
  <pubDate>Tue, 12 Apr 9999 09:30:00 +0530</pubDate></item>
<item><title>Zone-less date</title><link>https://d.example/c</link>
  <pubDate>Tue, 12 Apr 2022 09:30:00</pubDate></item>
<item><title>No date</title><link>https://d.example/d</link></item>
</channel></rss>"""


def test_bad_item_dates_are_dropped_and_counted():
    feed = parse_feed(BAD_DATES, "https://d.example/feed", tz="Asia/Kolkata")
    assert [e.title for e in feed.entries] == [
        "Placeholder date",
        "Typo in the year",
        "Zone-less date",
        "No date",
    ]
    assert [e.published for e in feed.entries] == [None, None, "2022-04-12T09:30:00+05:30", None]
    assert feed.dates_rejected == 2  # "no date" is not a rejection


def test_implausible_sitemap_dates_are_dropped_and_counted():
    body = b"""<?xml version="1.0"?>
    <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <url><loc>https://d.example/a</loc><lastmod>2999-01-01</lastmod></url>
      <url><loc>https://d.example/b</loc><lastmod>2025-01-01T08:00</lastmod></url>
    </urlset>"""
    feed = parse_feed(body, "https://d.example/sitemap.xml")
    assert [e.published for e in feed.entries] == [None, "2025-01-01T08:00:00+00:00"]
    assert [e.updated for e in feed.entries] == [None, "2025-01-01T08:00:00+00:00"]
    assert feed.dates_rejected == 1
