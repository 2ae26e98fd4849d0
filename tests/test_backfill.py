"""`newswatch backfill`: a past window through news sitemaps and GDELT, resumable."""

from __future__ import annotations

from pipelines.store import Store
from tests.conftest import FIXTURES, run_newswatch
from tests.siteserver import Route

DISCOVERY = FIXTURES / "discovery"
FAST_GDELT = {"NEWSWATCH_GDELT_DELAY": "0.1", "NEWSWATCH_GDELT_BACKOFF": "0.1"}


def setup(site, tmp_path):
    site.site.add(
        "/sitemaps/march.xml", site.site.fill((DISCOVERY / "news-sitemap-march.xml").read_bytes())
    )
    site.site.add(
        "/gdelt/doc",
        site.site.fill((DISCOVERY / "gdelt-artlist.json").read_bytes()),
        content_type="application/json",
    )
    sources = tmp_path / "sources.toml"
    sources.write_text(
        f'[[source]]\nname = "Sitemap"\nkind = "news-sitemap"\n'
        f'feeds = ["{site.base}/sitemaps/march.xml"]\nlanguage = "en"\ncountry = "IN"\n\n'
        f'[[source]]\nname = "GDELT"\nkind = "gdelt"\nendpoint = "{site.base}/gdelt/doc"\n'
        'queries = ["S-400 India Russia"]\nlanguage = "en"\ncountry = "IN"\n\n'
        f'[[source]]\nname = "Feed"\nfeeds = ["{site.base}/feeds/atom.xml"]\n'
        'language = "en"\ncountry = "IN"\n'
    )
    return sources


def backfill(sources, db, *window):
    return run_newswatch(
        "backfill", *window, "--sources", str(sources), "--db", str(db), settings=FAST_GDELT
    )


def test_backfill_walks_the_window_and_resumes(site, tmp_path):
    sources = setup(site, tmp_path)
    db = tmp_path / "news.db"
    failing = Route(b"server error", 500, "text/plain")
    site.site.queue("/gdelt/doc", *[failing] * 12)  # GDELT is down: 3 days x 4 attempts
    first = backfill(sources, db, "--since", "2025-03-01", "--until", "2025-03-03")
    assert first.returncode == 1, first.stdout + first.stderr
    hits = site.site.hits()
    assert hits["/gdelt/doc"] == 12
    assert hits["/feeds/atom.xml"] == 0  # feeds hold no history: not part of a backfill
    assert hits["/articles/su30-upgrade.html"] == 1  # in the window
    assert hits["/articles/ak203-korwa.html"] == hits["/articles/brahmos-export.html"] == 0
    with Store(db) as store:
        urls = {row["url"].removeprefix(site.base) for row in store.iter_articles()}
        done = store.done_slices("2025-03-01/2025-03-03")
    assert urls == {"/articles/su30-upgrade.html"}
    assert done == {f"Sitemap|{site.base}/sitemaps/march.xml"}

    again = backfill(sources, db, "--since", "2025-03-01", "--until", "2025-03-03")
    assert again.returncode == 0, again.stdout + again.stderr
    after = site.site.hits()
    assert after["/gdelt/doc"] - hits["/gdelt/doc"] == 3  # the three unfinished days
    assert after["/sitemaps/march.xml"] == hits["/sitemaps/march.xml"]  # already done
    with Store(db) as store:
        assert len(store.done_slices("2025-03-01/2025-03-03")) == 4
        urls = {row["url"].removeprefix(site.base) for row in store.iter_articles()}
    assert urls == {
        "/articles/su30-upgrade.html",
        "/articles/s400-second-squadron.html",
        "/articles/talwar-frigate.html",
    }


def test_a_backwards_window_is_a_usage_error(site, tmp_path):
    sources = setup(site, tmp_path)
    result = backfill(sources, tmp_path / "n.db", "--since", "2025-03-05", "--until", "2025-03-01")
    assert result.returncode == 2
    assert "ends before it starts" in result.stderr
