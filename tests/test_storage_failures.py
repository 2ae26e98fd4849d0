"""The database refuses a write (a failing trigger, another process's lock, a full disk):
the article is not half-stored, it is on record, its feed is read again next time, and
one more crawl once the cause is gone leaves nothing missing."""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from pipelines.store import Store
from tests.conftest import REPO, TEST_SETTINGS, run_newswatch, write_sources
from tests.siteserver import FixtureSite, Route, SiteServer


def filler_words(number: int, count: int) -> list[str]:
    """Made-up words of article `number`: distinct stories need distinct words, or the
    dedup stage would join them all into one."""
    rng = random.Random(number * 7919 + 1)
    return [
        "".join(rng.choices("abdefghiklmnoprstuvyz", k=rng.randint(4, 10))) for _ in range(count)
    ]


def article_page(number: int, paragraphs: int = 3) -> str:
    """A relevant India–Russia defence article, distinct from every other `number`."""
    words = filler_words(number, 40 * paragraphs)
    title = f"India and Russia agree S-400 and Su-30MKI package {number} {' '.join(words[:3])}"
    body = []
    for p in range(paragraphs):
        own = " ".join(words[p * 40 : (p + 1) * 40])
        body.append(
            f"<p>The Indian Ministry of Defence said India and Russia agreed on item {number}:"
            f" more S-400 squadrons for the Indian Air Force and an upgrade of the Su-30MKI"
            f" fleet with Rosoboronexport, officials in New Delhi and Moscow said. {own}.</p>"
        )
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f"</head><body><article><h1>{title}</h1>{''.join(body)}</article></body></html>"
    )


def feed_xml(base: str, numbers: list[int], prefix: str = "/a") -> str:
    items = "".join(
        f"<item><title>Item {n}</title><link>{base}{prefix}/{n}.html</link>"
        f"<pubDate>Mon, 01 Dec 2025 09:00:00 +0530</pubDate></item>"
        for n in numbers
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{items}</channel></rss>'
    )


def add_articles(site: FixtureSite, base: str, count: int, paragraphs: int = 3, **route) -> None:
    """A feed at /feed.rss listing /a/0.html .. /a/{count-1}.html."""
    for n in range(count):
        site.add(f"/a/{n}.html", article_page(n, paragraphs), **route)
    site.add("/feed.rss", feed_xml(base, list(range(count))), content_type="application/rss+xml")


def crawl(sources: Path, db: Path, **settings: str):
    return run_newswatch("crawl", "--sources", str(sources), "--db", str(db), settings=settings)


def stored_urls(db: Path) -> set[str]:
    with closing(sqlite3.connect(db)) as conn:
        return {url for (url,) in conn.execute("SELECT url FROM articles")}


def crawl_command(sources: Path, db: Path, **settings: str) -> list[str]:
    command = [sys.executable, "-m", "newswatch", "crawl", "--sources", str(sources)]
    command += ["--db", str(db)]
    for name, value in {**TEST_SETTINGS, **settings}.items():
        command += ["-s", f"{name}={value}"]
    return command


@pytest.fixture
def feed_site() -> Iterator[tuple[FixtureSite, SiteServer]]:
    site = FixtureSite()
    with SiteServer(site) as server:
        yield site, server


# ------------------------------------------------------------------ a failing trigger


def test_an_article_the_database_refuses_is_rolled_back_recorded_and_stored_next_run(
    feed_site, tmp_path
):
    site, server = feed_site
    base = server.base
    add_articles(site, base, 3)
    sources = write_sources(tmp_path / "sources.toml", {"Feed": [f"{base}/feed.rss"]})
    db = tmp_path / "news.db"
    Store(db).close()
    victim = f"{base}/a/1.html"
    with closing(sqlite3.connect(db)) as conn:
        conn.execute(
            "CREATE TRIGGER boom BEFORE INSERT ON articles WHEN new.url LIKE '%/a/1.html'"
            " BEGIN SELECT RAISE(ABORT, 'boom'); END"
        )
        conn.commit()

    first = crawl(sources, db)
    assert first.returncode == 1, first.stdout + first.stderr
    assert "Traceback" not in first.stderr
    assert stored_urls(db) == {f"{base}/a/0.html", f"{base}/a/2.html"}
    conn = sqlite3.connect(db)
    # Nothing of the refused article anywhere (story, story index, seen-marks, tags), but
    # in the run's record of what failed.
    tables = [
        name
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " AND name NOT IN ('fetch_errors', 'runs')"
        )
    ]
    assert {"stories", "seen_urls", "articles"} <= set(tables)
    for table in tables:
        for row in conn.execute(f"SELECT * FROM [{table}]"):
            texts = [value for value in row if isinstance(value, str)]
            assert not any("/a/1.html" in text for text in texts), (table, row)
    (orphans,) = conn.execute(
        "SELECT count(*) FROM stories WHERE id NOT IN (SELECT story_id FROM articles)"
    ).fetchone()
    assert orphans == 0
    errors = conn.execute(
        "SELECT source, url, reason FROM fetch_errors WHERE run_id = 1"
    ).fetchall()
    assert len(errors) == 1, errors
    source, url, reason = errors[0]
    assert (source, url) == ("Feed", victim)
    assert reason.startswith("not stored") and "boom" in reason
    # The feed's validators are not saved: the next run must read it again.
    assert conn.execute("SELECT * FROM feed_state").fetchall() == []
    with Store(db) as store:
        run = store.get_run(1)
    assert run["status"] == "partial"
    assert run["stats"]["sources"]["Feed"]["store_failed"] == 1

    conn.execute("DROP TRIGGER boom")
    conn.commit()
    conn.close()
    feed_hits = site.hits()["/feed.rss"]
    second = crawl(sources, db)
    assert second.returncode == 0, second.stdout + second.stderr
    assert site.hits()["/feed.rss"] == feed_hits + 1
    with Store(db) as store:
        stats = store.get_run(2)["stats"]["sources"]["Feed"]
    assert stats["feeds_unchanged"] == 0 and stats.get("http_200", 0) >= 2, stats  # feed read: 200
    assert (stats["stored"], stats["skipped_seen"]) == (1, 2), stats
    assert site.hits()["/a/1.html"] == 2 and site.hits()["/a/0.html"] == 1
    assert stored_urls(db) == {f"{base}/a/{n}.html" for n in range(3)}  # missing: 0


def test_an_article_that_answered_503_is_fetched_again_next_run(feed_site, tmp_path):
    """A 5xx may pass: its feed's validators must not be saved, or the next run hears
    "304, nothing new" and the article is lost for good."""
    site, server = feed_site
    base = server.base
    add_articles(site, base, 2)
    site.queue("/a/1.html", Route(body=b"busy", status=503))
    sources = write_sources(tmp_path / "sources.toml", {"Feed": [f"{base}/feed.rss"]})
    db = tmp_path / "news.db"
    first = crawl(sources, db)
    assert first.returncode == 1
    with Store(db) as store:
        assert store.run_errors(1)[0]["reason"] == "HTTP 503"
    with closing(sqlite3.connect(db)) as conn:
        saved = conn.execute("SELECT url FROM feed_state").fetchall()
    second = crawl(sources, db)
    assert second.returncode == 0, second.stdout
    assert stored_urls(db) == {f"{base}/a/0.html", f"{base}/a/1.html"}, (
        f"feed validators saved after a 503: {saved}"
    )


# ------------------------------------------------------------------ another process's lock

LOCKER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
sys.stdin.readline()
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("ROLLBACK")
print("released", flush=True)
"""


def hold_write_lock_during_crawl(
    site: FixtureSite, sources: Path, db: Path, prefix: str, seconds: float, **settings: str
) -> tuple[subprocess.CompletedProcess, float]:
    """Crawl; once the site has been asked for a first path under `prefix` (an article
    page), another process holds the database's write lock for `seconds`. Returns the
    crawl's result and when the lock was taken, in seconds after the crawl started."""
    locker = subprocess.Popen(
        [sys.executable, "-c", LOCKER, str(db), str(seconds)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    started = time.monotonic()
    crawler = subprocess.Popen(
        crawl_command(sources, db, **settings),
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        while not any(path.startswith(prefix) for path in site.hits()):
            assert crawler.poll() is None, crawler.communicate()
            assert time.monotonic() - started < 60, "the crawl never reached the article"
            time.sleep(0.02)
        locker.stdin.write("go\n")
        locker.stdin.flush()
        assert locker.stdout.readline().strip() == "locked"
        taken = time.monotonic() - started
        assert locker.stdout.readline().strip() == "released"
        stdout, stderr = crawler.communicate(timeout=120)
    finally:
        for process in (locker, crawler):
            if process.poll() is None:
                process.kill()
            process.wait()
    return subprocess.CompletedProcess(crawler.args, crawler.returncode, stdout, stderr), taken


def test_a_write_lock_held_past_the_busy_timeout_loses_nothing(feed_site, tmp_path):
    site, server = feed_site
    base = server.base
    count = 12
    add_articles(site, base, count, delay=0.4)
    sources = write_sources(tmp_path / "sources.toml", {"Feed": [f"{base}/feed.rss"]})
    db = tmp_path / "news.db"
    Store(db).close()
    settings = {
        "NEWSWATCH_BUSY_TIMEOUT": "1",
        # About 5 s of crawl, 3 s of it locked: the first article is stored a second or
        # so after it is asked for (the lexicon and the matcher load with it), so the lock
        # outlasts the busy timeout for it and the next ones.
        "CONCURRENT_REQUESTS_PER_DOMAIN": "1",
        "DOWNLOAD_TIMEOUT": "10",
    }
    first, _ = hold_write_lock_during_crawl(site, sources, db, "/a/", 3.0, **settings)
    assert first.returncode == 1, first.stdout + first.stderr
    assert "Traceback" not in first.stderr
    with Store(db) as store:
        run = store.get_run(1)
        errors = store.run_errors(1)
    assert run["status"] == "partial", run
    failed = run["stats"]["sources"]["Feed"]["store_failed"]
    assert failed >= 1, run["stats"]
    assert len(errors) == failed, errors
    for error in errors:
        assert error["reason"] == "not stored: OperationalError: database is locked", error
    missing = {f"{base}/a/{n}.html" for n in range(count)} - stored_urls(db)
    assert {e["url"] for e in errors} == missing
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("SELECT * FROM feed_state").fetchall() == []

    site_hits = site.hits()["/feed.rss"]
    second = crawl(sources, db, **settings)
    assert second.returncode == 0, second.stdout + second.stderr
    assert site.hits()["/feed.rss"] == site_hits + 1
    assert stored_urls(db) == {f"{base}/a/{n}.html" for n in range(count)}  # missing: 0


def test_a_write_lock_shorter_than_the_busy_timeout_is_waited_for(feed_site, tmp_path):
    """NEWSWATCH_BUSY_TIMEOUT is how long a write waits for another process's lock: a
    lock held for 1.5 s must cost a crawl with a 10 s timeout nothing."""
    site, server = feed_site
    base = server.base
    count = 4
    add_articles(site, base, count, delay=0.3)
    sources = write_sources(tmp_path / "sources.toml", {"Feed": [f"{base}/feed.rss"]})
    db = tmp_path / "news.db"
    Store(db).close()
    settings = {
        "NEWSWATCH_BUSY_TIMEOUT": "10",
        "CONCURRENT_REQUESTS_PER_DOMAIN": "1",
        "DOWNLOAD_TIMEOUT": "10",
    }
    result, _ = hold_write_lock_during_crawl(site, sources, db, "/a/", 1.5, **settings)
    with Store(db) as store:
        errors = store.run_errors(1)
    assert errors == [], errors
    assert result.returncode == 0, result.stdout
    assert stored_urls(db) == {f"{base}/a/{n}.html" for n in range(count)}


# ------------------------------------------------------------------ a full disk


@pytest.fixture
def small_disk(tmp_path) -> Iterator[Path]:
    """A 1 MB tmpfs (root only), unmounted however the test ends."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    if not shutil.which("mount"):
        pytest.skip("no mount command")
    mountpoint = tmp_path / "disk"
    mountpoint.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mountpoint)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {mounted.stderr.strip()}")
    try:
        yield mountpoint
    finally:
        if subprocess.run(["umount", str(mountpoint)], check=False).returncode != 0:
            subprocess.run(["umount", "-l", str(mountpoint)], check=False)


def remount(mountpoint: Path, size: str) -> None:
    subprocess.run(["mount", "-o", f"remount,size={size}", str(mountpoint)], check=True)


def test_a_full_disk_loses_nothing_once_space_is_freed(feed_site, small_disk, tmp_path):
    site, server = feed_site
    base = server.base
    count = 40
    add_articles(site, base, count, paragraphs=12)
    sources = write_sources(tmp_path / "sources.toml", {"Feed": [f"{base}/feed.rss"]})
    db = small_disk / "news.db"

    first = crawl(sources, db, CONCURRENT_REQUESTS_PER_DOMAIN="2")
    assert first.returncode == 1, first.stdout + first.stderr
    assert "database or disk is full" in first.stderr
    stored = stored_urls(db)
    assert 0 < len(stored) < count, f"the disk did not fill mid-run: {len(stored)} stored"

    remount(small_disk, "64m")
    second = crawl(sources, db)
    assert second.returncode == 0, second.stdout + second.stderr
    assert stored_urls(db) == {f"{base}/a/{n}.html" for n in range(count)}  # missing: 0
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        (run1_status,) = conn.execute("SELECT status FROM runs WHERE id = 1").fetchone()
    assert run1_status in ("partial", "aborted")


def fill(mountpoint: Path) -> None:
    """Take every byte left on the file system."""
    with open(mountpoint / "ballast", "wb") as ballast:
        try:
            while True:
                ballast.write(bytes(65536))
                ballast.flush()
        except OSError:
            pass


def test_a_crawl_on_a_full_disk_ends_on_record_without_a_traceback(feed_site, small_disk, tmp_path):
    """The disk fills up completely while the crawl runs: no article can be stored and
    not even the run's end can be written; the log says so, and the command ends with
    exit code 1, not a traceback."""
    site, server = feed_site
    base = server.base
    add_articles(site, base, 3, delay=0.5)
    sources = write_sources(tmp_path / "sources.toml", {"Feed": [f"{base}/feed.rss"]})
    db = small_disk / "news.db"
    crawler = subprocess.Popen(
        crawl_command(sources, db),
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not any(site.hits()[f"/a/{n}.html"] for n in range(3)):
            assert crawler.poll() is None and time.monotonic() < deadline, crawler.communicate()
            time.sleep(0.02)
        fill(small_disk)
        stdout, stderr = crawler.communicate(timeout=120)
    finally:
        if crawler.poll() is None:
            crawler.kill()
        crawler.wait()
    for n in range(3):
        assert (
            f"not stored: OperationalError: database or disk is full ({base}/a/{n}.html)" in stderr
        )
    assert "Traceback" not in stderr, stderr[stderr.find("Traceback") :][:2500]
    assert crawler.returncode == 1
