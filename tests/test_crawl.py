"""The whole crawl through real Scrapy against the fixture site on 127.0.0.1."""

from __future__ import annotations

import json

import pytest

from pipelines.store import Store
from tests.conftest import FIXTURES, run_newswatch, write_sources
from tests.siteserver import FixtureSite, SiteServer


@pytest.fixture
def crawled(site, tmp_path):
    """One crawl of a registry mixing good sources with every kind of failure."""
    base = site.base
    sources = write_sources(
        tmp_path / "sources.toml",
        {
            "Fixture Daily": [f"{base}/feeds/defence.rss", f"{base}/feeds/rdf.xml"],
            "Atom Outlet": [f"{base}/feeds/atom.xml"],
            "Sitemap Outlet": [f"{base}/sitemaps/index.xml"],
            "Broken Feed": [f"{base}/feeds/broken.xml"],
            "HTML Feed": [f"{base}/feeds/editorials.xml"],
            "Missing Feed": [f"{base}/feeds/missing.xml"],
            "Dead Host": ["http://newswatch-test.invalid/feed.xml"],
        },
    )
    db = tmp_path / "news.db"
    result = run_newswatch("crawl", "--sources", str(sources), "--db", str(db))
    return result, db, site


def test_good_sources_land_in_sqlite(crawled):
    result, db, site = crawled
    with Store(db) as store:
        articles = {row["url"]: row for row in store.iter_articles()}
    base = site.base
    assert set(articles) == {
        f"{base}/articles/s400-second-squadron.html",
        f"{base}/articles/brahmos-export.html",
        f"{base}/articles/talwar-frigate.html",
        f"{base}/articles/su30-upgrade.html",
        f"{base}/articles/ak203-korwa.html",
    }
    s400 = articles[f"{base}/articles/s400-second-squadron.html"]
    assert s400["title"] == "Second S-400 squadron arrives in Punjab"
    assert s400["source"] == "Fixture Daily"
    assert s400["published"].startswith("2022-04-12T09:30:00+05:30")
    assert json.loads(s400["authors"]) == ["Anjali Rao"]
    assert "Most read" not in s400["body"]
    assert "\n\n" in s400["body"]
    # Linked with tracking parameters, which are stripped before the page is even fetched.
    brahmos = articles[f"{base}/articles/brahmos-export.html"]
    assert brahmos["fetched_url"] == f"{base}/articles/brahmos-export.html"
    assert articles[f"{base}/articles/su30-upgrade.html"]["source"] == "Atom Outlet"
    assert articles[f"{base}/articles/ak203-korwa.html"]["source"] == "Sitemap Outlet"


def test_failures_are_recorded_per_source_and_the_rest_succeed(crawled):
    result, db, site = crawled
    assert result.returncode == 1, result.stderr
    with Store(db) as store:
        run = store.get_run(1)
        errors = store.run_errors(1)
    assert run["status"] == "partial"
    reasons = {(e["source"], e["url"].removeprefix(site.base)): e["reason"] for e in errors}
    assert reasons[("Fixture Daily", "/articles/deleted.html")] == "HTTP 404"
    assert reasons[("Fixture Daily", "/articles/slow.html")] == "timed out"
    assert "robots.txt" in reasons[("Fixture Daily", "/private/secret.html")]
    assert reasons[("Missing Feed", "/feeds/missing.xml")] == "HTTP 404"
    assert reasons[("HTML Feed", "/feeds/editorials.xml")] == "not a feed: an HTML page, not a feed"
    assert reasons[("Broken Feed", "/feeds/broken.xml")].startswith("not a feed: invalid XML")
    assert "DNS lookup failed" in reasons[("Dead Host", "http://newswatch-test.invalid/feed.xml")]

    sources = run["stats"]["sources"]
    assert {name: s["status"] for name, s in sources.items()} == {
        "Fixture Daily": "partial",
        "Atom Outlet": "ok",
        "Sitemap Outlet": "ok",
        "Broken Feed": "failed",
        "HTML Feed": "failed",
        "Missing Feed": "failed",
        "Dead Host": "failed",
    }
    daily = sources["Fixture Daily"]
    assert (daily["feeds_fetched"], daily["items_seen"], daily["stored"]) == (2, 6, 3)
    assert daily["article_errors"] == 3


def test_summary_table_names_failing_sources(crawled):
    result, _, _ = crawled
    assert "Fixture Daily" in result.stdout
    assert "run 1: partial" in result.stdout
    assert "Dead Host: DNS lookup failed" in result.stderr


def test_sitemap_entries_older_than_the_window_are_not_fetched(crawled):
    _, _, site = crawled
    hits = site.site.hits()
    assert hits["/articles/old-story.html"] == 0
    assert hits["/articles/ak203-korwa.html"] == 1


def test_second_crawl_fetches_no_article_seen_before(crawled, tmp_path):
    result, db, site = crawled
    sources = tmp_path / "sources.toml"
    before = site.site.hits()
    second = run_newswatch("crawl", "--sources", str(sources), "--db", str(db))
    after = site.site.hits()
    fetched_again = {
        path for path in after if path.startswith("/articles/") and after[path] > before[path]
    }
    # Failed pages are tried again; stored ones are not.
    assert fetched_again == {"/articles/deleted.html", "/articles/slow.html"}
    with Store(db) as store:
        assert store.count("articles") == 5
        run = store.get_run(2)
    daily = run["stats"]["sources"]["Fixture Daily"]
    # The RSS feed had failing articles, so it is read in full again and its stored
    # items skipped; the RDF feed had none, so it is asked for conditionally and answers 304.
    assert (daily["skipped_seen"], daily["feeds_unchanged"]) == (2, 1)
    assert second.returncode == 1


def test_one_source_by_name(site, tmp_path):
    sources = write_sources(
        tmp_path / "s.toml",
        {"A": [f"{site.base}/feeds/atom.xml"], "B": [f"{site.base}/feeds/rdf.xml"]},
    )
    db = tmp_path / "one.db"
    result = run_newswatch("crawl", "--sources", str(sources), "--db", str(db), "--source", "A")
    assert result.returncode == 0, result.stderr
    with Store(db) as store:
        assert [row["source"] for row in store.iter_articles()] == ["A"]
        assert store.get_run(1)["status"] == "ok"


def test_a_site_that_keeps_connections_alive_is_crawled_alike(site, tmp_path):
    """bench/crawl.py serves its pages over kept-alive HTTP/1.1 connections, as real sites
    do: a crawl of such a site stores what a crawl of one closing every connection does."""
    feeds = ["/feeds/defence.rss", "/feeds/atom.xml"]

    def crawl(base: str, name: str) -> tuple[int, set[str]]:
        """The crawl's exit status (1: the robots.txt refusal in this feed) and the paths
        of the articles it stored."""
        sources = write_sources(tmp_path / f"{name}.toml", {"Outlet": [base + f for f in feeds]})
        db = tmp_path / f"{name}.db"
        result = run_newswatch("crawl", "--sources", str(sources), "--db", str(db))
        with Store(db) as store:
            urls = [row["url"] for row in store.db.query("SELECT url FROM articles")]
        return result.returncode, {url.removeprefix(base) for url in urls}

    alive_site = FixtureSite()
    with SiteServer(alive_site, keep_alive=True) as alive:
        alive_site.add_directory(FIXTURES / "site")
        kept_alive = crawl(alive.base, "alive")
    assert kept_alive[1] and kept_alive == crawl(site.base, "closing")
