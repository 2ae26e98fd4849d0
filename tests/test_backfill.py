"""`newswatch backfill`: a past window through news sitemaps and GDELT, resumable."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

from pipelines.store import Store
from tests.conftest import FIXTURES, REPO, run_newswatch
from tests.siteserver import Route

DISCOVERY = FIXTURES / "discovery"
# Fast, and reaching back as far as the fixture dates (GDELT itself answers for 90 days).
FAST_GDELT = {
    "NEWSWATCH_GDELT_DELAY": "0.1",
    "NEWSWATCH_GDELT_BACKOFF": "0.1",
    "NEWSWATCH_GDELT_HORIZON_DAYS": "100000",
}


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
    assert "backfill: 4/4" in first.stderr  # progress: a sitemap and three GDELT days read
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


def test_sources_that_cannot_be_backfilled_are_named_and_gdelt_is_clamped(site, tmp_path):
    sources = setup(site, tmp_path)
    db = tmp_path / "news.db"
    result = run_newswatch(
        "backfill", "--since", "2025-03-01", "--until", "2025-03-03",
        "--sources", str(sources), "--db", str(db),
        settings={**FAST_GDELT, "NEWSWATCH_GDELT_HORIZON_DAYS": "1"},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "not backfillable (their feeds hold only the latest items): Feed" in result.stderr
    assert "GDELT: gdelt answers only from" in result.stderr
    assert site.site.hits()["/gdelt/doc"] == 0  # every day of the window is out of reach
    assert "Feed" not in result.stdout  # not in the run summary as "ok 0/0"
    only_feeds = run_newswatch(
        "backfill", "--since", "2025-03-01", "--source", "Feed", "--sources", str(sources),
        "--db", str(db),
    )  # fmt: skip
    assert only_feeds.returncode == 2
    assert "none of the sources can be backfilled" in only_feeds.stderr


def test_an_interrupted_backfill_stops_within_seconds_and_resumes(site, tmp_path):
    sources = setup(site, tmp_path)
    db = tmp_path / "news.db"
    site.site.routes["/gdelt/doc"].delay = 20.0  # an API that keeps us waiting
    command = [
        sys.executable, "-m", "newswatch", "backfill", "--since", "2025-03-01",
        "--until", "2025-03-03", "--sources", str(sources), "--db", str(db),
        "-s", "NEWSWATCH_GDELT_DELAY=0.1", "-s", "DOWNLOAD_TIMEOUT=120",
        "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "NEWSWATCH_GDELT_HORIZON_DAYS=100000",
    ]  # fmt: skip
    child = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while site.site.hits()["/gdelt/doc"] == 0 and time.monotonic() < deadline:
        time.sleep(0.2)  # until the crawl waits on GDELT
    child.send_signal(signal.SIGINT)
    child.communicate(timeout=15)  # less than the 20 s GDELT would keep it
    with Store(db) as store:
        done = store.done_slices("2025-03-01/2025-03-03")
        (run_id,) = store.runs_since("")
        assert store.get_run(run_id)["status"] == "aborted"
    site.site.routes["/gdelt/doc"].delay = 0.0
    again = backfill(sources, db, "--since", "2025-03-01", "--until", "2025-03-03")
    assert again.returncode == 0, again.stdout + again.stderr
    assert f"{len(done)} slices already done" in again.stdout or not done
