"""Discovery sources through real crawls: GDELT's DOC API, Google News RSS search and an
HTML listing, answered in their documented shapes by the fixture server."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from crawlers.discovery import gdelt_start, gdelt_url, google_news_url, parse_gdelt
from crawlers.feeds import NotAFeed
from pipelines.store import Store
from tests.conftest import FIXTURES, run_newswatch
from tests.siteserver import Route

DISCOVERY = FIXTURES / "discovery"
FAST_GDELT = {"NEWSWATCH_GDELT_DELAY": "0.1", "NEWSWATCH_GDELT_BACKOFF": "0.1"}


def registry(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def crawl(tmp_path, sources_text, **settings):
    sources = registry(tmp_path / "sources.toml", sources_text)
    db = tmp_path / "news.db"
    result = run_newswatch("crawl", "--sources", str(sources), "--db", str(db), settings=settings)
    return result, db


def gdelt_source(base):
    return (
        f'[[source]]\nname = "GDELT"\nkind = "gdelt"\nendpoint = "{base}/gdelt/doc"\n'
        'queries = ["(S-400 OR BrahMos) India Russia"]\nlanguage = "en"\ncountry = "IN"\n'
    )


def json_route(site, name):
    return Route(
        body=site.site.fill((DISCOVERY / name).read_bytes()), content_type="application/json"
    )


def test_gdelt_url_shape():
    url = gdelt_url(
        "https://api.gdeltproject.org/api/v2/doc/doc",
        '"S-400" India',
        datetime(2025, 12, 1, 6, 30, tzinfo=UTC),
        None,
    )
    query = parse_qs(urlsplit(url).query)
    assert query["mode"] == ["ArtList"] and query["format"] == ["json"]
    assert query["startdatetime"] == ["20251201063000"]
    assert query["maxrecords"] == ["250"] and query["query"] == ['"S-400" India']
    assert "timespan=24h" in gdelt_url("https://x/doc", "q", None, None)
    now = datetime(2025, 12, 1, tzinfo=UTC)
    assert gdelt_start("2020-01-01T00:00:00+00:00", now) == datetime(2025, 9, 2, tzinfo=UTC)


def test_google_news_editions():
    assert "hl=en-IN&gl=IN&ceid=IN%3Aen" in google_news_url("https://n/rss/search", "S-400", "en")
    assert "hl=ru&gl=RU&ceid=RU%3Aru" in google_news_url("https://n/rss/search", "С-400", "ru")


def test_gdelt_throttle_text_is_not_a_feed():
    with pytest.raises(NotAFeed, match="not JSON"):
        parse_gdelt(b"Please limit requests to one every 5 seconds.")


def test_gdelt_results_are_fetched_from_the_publishers_after_a_429(site, tmp_path):
    throttled = Route(b"Please limit requests to one every 5 seconds.", 429, "text/plain")
    site.site.queue("/gdelt/doc", throttled, json_route(site, "gdelt-artlist.json"))
    result, db = crawl(tmp_path, gdelt_source(site.base), **FAST_GDELT)
    assert result.returncode == 0, result.stdout + result.stderr
    with Store(db) as store:
        urls = {row["url"] for row in store.iter_articles()}
        gdelt = store.get_run(1)["stats"]["sources"]["GDELT"]
    assert urls == {
        f"{site.base}/articles/s400-second-squadron.html",
        f"{site.base}/articles/talwar-frigate.html",
    }
    assert (gdelt["http_429"], gdelt["http_200"] >= 3, gdelt["items_seen"]) == (1, True, 2)


def test_gdelt_empty_result_and_persistent_throttling(site, tmp_path):
    site.site.queue("/gdelt/doc", json_route(site, "gdelt-empty.json"))
    result, db = crawl(tmp_path, gdelt_source(site.base), **FAST_GDELT)
    assert result.returncode == 0, result.stderr
    throttled = Route(b"Please limit requests to one every 5 seconds.", 429, "text/plain")
    site.site.queue("/gdelt/doc", *[throttled] * 4)
    second = run_newswatch(
        "crawl", "--sources", str(tmp_path / "sources.toml"), "--db", str(db), settings=FAST_GDELT
    )
    assert second.returncode == 1
    with Store(db) as store:
        (error,) = store.run_errors(2)
    assert error["reason"] == "HTTP 429 after 4 attempts"


def test_google_news_items_are_found_on_the_publishers_feeds_and_site(site, tmp_path):
    site.site.add("/gnews/rss/search", site.site.fill((DISCOVERY / "google-news.xml").read_bytes()))
    site.site.add("/", (DISCOVERY / "homepage.html").read_bytes())
    text = (
        f'[[source]]\nname = "Fixture Daily"\nfeeds = ["{site.base}/feeds/defence.rss"]\n'
        'language = "en"\ncountry = "IN"\n\n'
        f'[[source]]\nname = "Google News"\nkind = "google-news"\n'
        f'endpoint = "{site.base}/gnews/rss/search"\nqueries = ["S-400 India Russia"]\n'
        'language = "en"\ncountry = "IN"\n'
    )
    result, db = crawl(tmp_path, text)
    with Store(db) as store:
        rows = {row["url"]: row["source"] for row in store.iter_articles()}
        leads = list(store.db.query("SELECT title, outlet, outlet_url, source FROM leads"))
    assert rows[f"{site.base}/articles/talwar-frigate.html"] == "Google News"
    assert rows[f"{site.base}/articles/brahmos-export.html"] == "Fixture Daily"
    assert sorted((lead["title"], lead["outlet"]) for lead in leads) == [
        ("Army orders more Igla-S launchers", "Fixture Daily"),
        ("Kremlin confirms Su-57 offer to India", "Moscow Gazette"),
    ]
    assert all(lead["source"] == "Google News" for lead in leads)
    assert not any("news.google.com" in path for path in site.site.hits())
    # A second run keeps one lead per headline and outlet.
    run_newswatch("crawl", "--sources", str(tmp_path / "sources.toml"), "--db", str(db))
    with Store(db) as store:
        assert store.count("leads") == 2


def test_listing_page_without_a_feed(site, tmp_path):
    site.site.add("/pib/listing.html", (DISCOVERY / "pib-listing.html").read_bytes())
    site.site.add("/PressReleasePage.aspx", (DISCOVERY / "pib-release.html").read_bytes())
    text = (
        f'[[source]]\nname = "PIB Defence"\nkind = "listing"\n'
        f'feeds = ["{site.base}/pib/listing.html"]\nlink_pattern = "PRID=\\\\d+"\n'
        'language = "en"\ncountry = "IN"\n'
    )
    result, db = crawl(tmp_path, text)
    assert result.returncode == 0, result.stdout + result.stderr
    with Store(db) as store:
        (row,) = list(store.iter_articles())
    assert row["url"] == f"{site.base}/PressReleasePage.aspx?PRID=2081234"
    assert row["title"] == "Raksha Mantri holds talks with Russian Defence Minister in Moscow"
    assert json.loads(row["authors"]) == []


def test_a_listing_page_that_lost_its_links_is_a_failure(site, tmp_path):
    site.site.add("/pib/listing.html", "<html><body><p>Redesigned!</p></body></html>")
    text = (
        f'[[source]]\nname = "PIB Defence"\nkind = "listing"\n'
        f'feeds = ["{site.base}/pib/listing.html"]\nlink_pattern = "PRID=\\\\d+"\n'
        'language = "en"\ncountry = "IN"\n'
    )
    result, db = crawl(tmp_path, text)
    assert result.returncode == 1
    assert "no article links on the listing page" in result.stderr
