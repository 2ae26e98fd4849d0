"""What a crawl loses to storage failures and hostile feeds, on a loopback site.

    python bench/failures.py [--articles 300] [--lock-articles 60]

1. Disk full: the database on a small tmpfs (root only; skipped otherwise) fills up
   during a crawl of --articles generated articles; the tmpfs is then grown and one more
   crawl runs. Target: 0 articles missing, integrity_check ok.
2. Write lock: another process holds the database's write lock (BEGIN IMMEDIATE) for
   longer than the crawl's busy timeout (NEWSWATCH_BUSY_TIMEOUT=1) while it stores
   articles; once released, one more crawl runs. Target: 0 articles missing.
3. The hostile feed of tests/test_hostile.py: good items stored x/y, local files read 0,
   non-http(s) URLs requested 0, and the fetch_errors rows of each bad item (target 1).
"""

from __future__ import annotations

import argparse
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipelines.store import Store  # noqa: E402
from tests.conftest import write_sources  # noqa: E402
from tests.siteserver import FixtureSite, SiteServer  # noqa: E402
from tests.test_hostile import LONG_PATH, Listener, all_text, build_hostile_site  # noqa: E402
from tests.test_storage_failures import add_articles, hold_write_lock_during_crawl  # noqa: E402

SETTINGS = {
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0",
    "DOWNLOAD_TIMEOUT": "10",
    "RETRY_TIMES": "0",
    "LOG_LEVEL": "WARNING",
}


def crawl(sources: Path, db: Path, **settings: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "newswatch", "crawl", "--sources", str(sources)]
    command += ["--db", str(db)]
    for name, value in {**SETTINGS, **settings}.items():
        command += ["-s", f"{name}={value}"]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)


def stored(db: Path) -> set[str]:
    with closing(sqlite3.connect(db)) as conn:
        return {url for (url,) in conn.execute("SELECT url FROM articles")}


def integrity(db: Path) -> str:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


def exit_note(result: subprocess.CompletedProcess) -> str:
    traceback = " with a traceback" if "Traceback" in result.stderr else ""
    return f"exit {result.returncode}{traceback}"


def disk_full(articles: int, megabytes: int) -> None:
    print(f"== disk full: {articles} articles, database on a {megabytes} MB tmpfs")
    if os.geteuid() != 0:
        print("skipped: mounting a tmpfs needs root")
        return
    site = FixtureSite()
    with SiteServer(site) as server, tempfile.TemporaryDirectory() as tmp:
        mountpoint = Path(tmp) / "disk"
        mountpoint.mkdir()
        mount = ["mount", "-t", "tmpfs", "-o", f"size={megabytes}m", "tmpfs", str(mountpoint)]
        mounted = subprocess.run(mount, capture_output=True, text=True, check=False)
        if mounted.returncode != 0:
            print(f"skipped: cannot mount a tmpfs: {mounted.stderr.strip()}")
            return
        try:
            add_articles(site, server.base, articles, paragraphs=12)
            sources = write_sources(
                Path(tmp) / "sources.toml", {"Feed": [f"{server.base}/feed.rss"]}
            )
            db = mountpoint / "news.db"
            wanted = {f"{server.base}/a/{n}.html" for n in range(articles)}
            first = crawl(sources, db)
            in_first = len(stored(db))
            full = "not stored: OperationalError: database or disk is full"
            with closing(sqlite3.connect(db)) as conn:
                (recorded,) = conn.execute(
                    "SELECT count(*) FROM fetch_errors WHERE run_id = 1 AND reason = ?", [full]
                ).fetchone()
                (status,) = conn.execute("SELECT status FROM runs WHERE id = 1").fetchone()
            logged = first.stderr.count(full)
            print(
                f"first crawl:  {in_first}/{articles} stored, 'disk is full' failures: "
                f"{recorded} in fetch_errors, {logged} only in the log; run {status}, "
                f"{exit_note(first)}"
            )
            remount = ["mount", "-o", "remount,size=256m", str(mountpoint)]
            subprocess.run(remount, check=True)
            second = crawl(sources, db)
            missing = len(wanted - stored(db))
            print(f"second crawl: {len(stored(db)) - in_first} stored, {exit_note(second)}")
            print(f"articles missing after space freed and one more run: {missing}")
            print(f"integrity_check: {integrity(db)}")
        finally:
            if subprocess.run(["umount", str(mountpoint)], check=False).returncode != 0:
                subprocess.run(["umount", "-l", str(mountpoint)], check=False)


def write_lock(articles: int) -> None:
    hold = 3.0
    print(f"\n== write lock: {articles} articles, lock held {hold:.0f} s, busy timeout 1 s")
    site = FixtureSite()
    with SiteServer(site) as server, tempfile.TemporaryDirectory() as tmp:
        add_articles(site, server.base, articles, delay=0.1)
        sources = write_sources(Path(tmp) / "sources.toml", {"Feed": [f"{server.base}/feed.rss"]})
        db = Path(tmp) / "news.db"
        Store(db).close()
        settings = {
            **SETTINGS,
            "NEWSWATCH_BUSY_TIMEOUT": "1",
            "CONCURRENT_REQUESTS_PER_DOMAIN": "2",
        }
        started = time.monotonic()
        first, taken = hold_write_lock_during_crawl(site, sources, db, "/a/", hold, **settings)
        took = time.monotonic() - started
        wanted = {f"{server.base}/a/{n}.html" for n in range(articles)}
        in_first = len(stored(db))
        with Store(db) as store:
            run = store.get_run(1)
            errors = store.run_errors(1)
        locked = sum("database is locked" in e["reason"] for e in errors)
        print(
            f"first crawl:  {in_first}/{articles} stored in {took:.1f} s (lock taken at "
            f"{taken:.1f} s), {locked} 'database is locked' rows in fetch_errors, run "
            f"{run['status']}, {exit_note(first)}"
        )
        second = crawl(sources, db, NEWSWATCH_BUSY_TIMEOUT="1")
        missing = len(wanted - stored(db))
        print(f"second crawl: {len(stored(db)) - in_first} stored, {exit_note(second)}")
        print(f"articles missing after lock released and one more run: {missing}")
        print(f"integrity_check: {integrity(db)}")


def hostile() -> None:
    print("\n== hostile feed")
    listener = Listener()
    site = FixtureSite()
    try:
        with SiteServer(site) as server, tempfile.TemporaryDirectory() as tmp:
            setup = build_hostile_site(site, server.base, listener.port, Path(tmp))
            db = Path(tmp) / "data" / "news.db"
            command = [sys.executable, "-m", "newswatch", "run", "--sources", str(setup.sources)]
            command += ["--db", str(db), "--report-dir", str(Path(tmp) / "reports")]
            for name, value in {**SETTINGS, "DOWNLOAD_TIMEOUT": "5"}.items():
                command += ["-s", f"{name}={value}"]
            result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
            good = set(setup.good) & stored(db)
            with closing(sqlite3.connect(db)) as conn:
                texts = all_text(conn)
                errors = conn.execute("SELECT url, reason FROM fetch_errors").fetchall()
            requests = list(site.requests)
    finally:
        listener.close()
    hostname = Path("/etc/hostname").read_text().strip()
    host_word = re.compile(rf"(?<![\w.-]){re.escape(hostname)}(?![\w.-])")
    local_reads = sum(
        1
        for table, text in texts
        if "root:" in text or (table != "fetch_errors" and hostname and host_word.search(text))
    )
    bad_requests = sum(1 for path in requests if path == LONG_PATH or "passwd" in path)
    print(f"run: {exit_note(result)}")
    print(f"good items stored: {len(good)}/{len(setup.good)}")
    print(f"local files read: {local_reads} (rows holding /etc/passwd or /etc/hostname content)")
    print(
        f"non-http URLs requested: {listener.connections} (connections to the ftp:// port); "
        f"site requests for bad items: {bad_requests}"
    )
    print("fetch_errors rows per bad item:")
    for item in setup.bad:
        rows = [r for r in errors if r[0] == item["link"] or f"Bad item: {item['name']}" in r[1]]
        reason = rows[0][1][:70] if rows else "-"
        print(f"  {item['name']:<14} {len(rows)}  {reason}")
    redirect = [r for r in errors if r[0] == setup.redirect]
    print(f"  {'302 to file:':<14} {len(redirect)}  {redirect[0][1] if redirect else '-'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--disk-mb", type=int, default=9, help="tmpfs size for --articles")
    parser.add_argument("--lock-articles", type=int, default=60)
    args = parser.parse_args()
    disk_full(args.articles, args.disk_mb)
    write_lock(args.lock_articles)
    hostile()


if __name__ == "__main__":
    main()
