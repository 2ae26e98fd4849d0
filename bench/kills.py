"""`newswatch run` killed with SIGKILL at random moments, then one clean run.

    python bench/kills.py [--kills 20] [--batch 25] [--seed 7]

A loopback site publishes a new batch of generated articles before each run (its pages
slightly slow, so a run takes a few seconds); each run is SIGKILLed at a random moment,
alternately the whole process group and the run's PID only (its crawl's worker processes
must then end by themselves). A last run is left to finish. Prints the database's
integrity_check, whether every stored relevant article was reported exactly once across
the run-N.json reports (as an entry of `new` or `updates`, or in an entry's `also`), and
how many worker processes outlived their killed run (orphans).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import closing
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import write_sources  # noqa: E402
from tests.siteserver import FixtureSite, SiteServer  # noqa: E402
from tests.test_kills import descendants, is_running, reported_urls  # noqa: E402
from tests.test_storage_failures import article_page, feed_xml  # noqa: E402

SETTINGS = {
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0",
    "DOWNLOAD_TIMEOUT": "10",
    "RETRY_TIMES": "0",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "4",
    "LOG_LEVEL": "WARNING",
    "NEWSWATCH_WORKERS": "2",
}
ORPHAN_GRACE = 10.0  # seconds a worker process may take to end after its run is killed


def run_command(sources: Path, db: Path, reports: Path) -> list[str]:
    command = [sys.executable, "-m", "newswatch", "run", "--sources", str(sources)]
    command += ["--db", str(db), "--report-dir", str(reports)]
    for name, value in SETTINGS.items():
        command += ["-s", f"{name}={value}"]
    return command


def publish(site: FixtureSite, base: str, numbers: list[int], delay: float) -> None:
    for n in numbers:
        site.add(f"/a/{n}.html", article_page(n), delay=delay)
    site.add("/feed.rss", feed_xml(base, numbers), content_type="application/rss+xml")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--batch", type=int, default=20, help="new articles before each run")
    parser.add_argument("--delay", type=float, default=0.15, help="seconds per article page")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    site = FixtureSite()
    with SiteServer(site) as server, tempfile.TemporaryDirectory() as tmp:
        base = server.base
        sources = write_sources(Path(tmp) / "sources.toml", {"Feed": [f"{server.base}/feed.rss"]})
        db = Path(tmp) / "data" / "news.db"
        reports = Path(tmp) / "reports"
        command = run_command(sources, db, reports)
        orphans, stop_times, outcomes = 0, [], Counter()
        published: list[int] = []
        for number in range(args.kills + 1):
            published += range(number * args.batch, (number + 1) * args.batch)
            publish(site, server.base, published, args.delay)
            last = number == args.kills
            started = time.monotonic()
            victim = subprocess.Popen(
                command,
                cwd=ROOT,
                start_new_session=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            if last:
                outcomes[f"clean run exit {victim.wait()}"] += 1
                break
            moment = rng.uniform(0.5, 7.0)
            while victim.poll() is None and time.monotonic() - started < moment:
                time.sleep(0.02)
            children = descendants(victim.pid)  # the crawl's worker processes
            whole_group = number % 2 == 0
            if victim.poll() is not None:
                outcomes["finished before the kill"] += 1
                continue
            if whole_group:
                os.killpg(victim.pid, signal.SIGKILL)
            else:
                os.kill(victim.pid, signal.SIGKILL)
            victim.wait()
            outcomes[
                f"killed ({'group' if whole_group else 'run only'}) "
                f"{'with worker processes' if children else 'before any worker started'}"
            ] += 1
            killed_at = time.monotonic()
            while any(is_running(pid) for pid in children):
                if time.monotonic() - killed_at > ORPHAN_GRACE:
                    break
                time.sleep(0.05)
            if children and not whole_group:
                stop_times.append(time.monotonic() - killed_at)
            alive = [pid for pid in children if is_running(pid)]
            if alive:
                orphans += len(alive)
                for pid in alive:  # so the next run is not locked out
                    os.kill(pid, signal.SIGKILL)

        with closing(sqlite3.connect(db)) as conn:
            integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
            relevant = [
                u for (u,) in conn.execute("SELECT url FROM articles WHERE status = 'relevant'")
            ]
            stored = {u for (u,) in conn.execute("SELECT url FROM articles")}
            runs = Counter(s for (s,) in conn.execute("SELECT status FROM runs"))
            unreported = [
                r for (r,) in conn.execute("SELECT id FROM runs WHERE reported_in IS NULL")
            ]
        listed = reported_urls(reports)
        twice = {url: n for url, n in listed.items() if n > 1}
        never = [url for url in relevant if listed[url] == 0]
        strays = [p.name for p in reports.glob(".*.tmp")]
        report_runs = Counter()
        for path in reports.glob("run-*.json"):
            for run_id in json.loads(path.read_text())["runs"]:
                report_runs[run_id] += 1

    print(f"runs: {args.kills} killed at random moments + 1 clean; {dict(outcomes)}")
    print(f"run statuses: {dict(runs)}; runs covered by no report: {unreported}")
    missing = len({f"{base}/a/{n}.html" for n in published} - stored)
    print(f"articles published {len(published)}, stored {len(stored)} ({len(relevant)} relevant)")
    print(f"articles missing after the clean run: {missing}")
    print(f"integrity_check: {integrity}")
    ok = not twice and not never
    details = f"{len(relevant)} articles, {len(twice)} reported more than once, {len(never)} never"
    if twice:
        details += f"; e.g. {sorted(twice.items())[:3]}"
    if never:
        details += f"; e.g. {never[:3]}"
    print(
        f"every stored article reported exactly once across reports: {'yes' if ok else 'no'} "
        f"({details})"
    )
    print(f"runs in more than one report: {sorted(r for r, n in report_runs.items() if n > 1)}")
    if stop_times:
        print(
            f"worker processes ended after their run's SIGKILL: max {max(stop_times):.1f} s, "
            f"mean {sum(stop_times) / len(stop_times):.1f} s ({len(stop_times)} kills)"
        )
    print(f"orphan worker processes ({ORPHAN_GRACE:.0f} s after their run died): {orphans}")
    print(f"stray temporary report files: {len(strays)}")


if __name__ == "__main__":
    main()
