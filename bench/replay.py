"""Replay the real 12-day history of the Indian Express "Explained" feed, one crawl a day.

    python bench/replay.py

Each snapshot of ../shared/fixtures/feeds/ie-explained-history/ is served in turn from a
loopback server (links pointed at it, article pages generated), and `newswatch crawl` runs
once per day. Prints, per day, the items new that day, the requests made and their ratio
to the minimum (one feed request plus one per new item; target at most 1.1x), then a
13th day with the feed unchanged (target: zero article requests, the feed answered 304).
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipelines.store import Store  # noqa: E402
from tests.siteserver import FixtureSite, Route, SiteServer  # noqa: E402

HISTORY = ROOT.parent / "shared" / "fixtures" / "feeds" / "ie-explained-history"
FEED_PATH = "/section/explained/feed"
SETTINGS = ["AUTOTHROTTLE_ENABLED=False", "DOWNLOAD_DELAY=0", "LOG_LEVEL=WARNING"]


@dataclass
class Day:
    snapshot: str
    new_items: set[str]  # article paths first listed that day
    article_requests: list[str]
    requests: int  # everything the server saw that day, robots.txt included
    feed_unchanged: bool  # answered 304 to the conditional GET

    @property
    def minimum(self) -> int:
        return 1 + len(self.new_items)

    @property
    def ratio(self) -> float:
        return self.requests / self.minimum


def article_page(path: str) -> Route:
    """A plain article page whose headline comes from the URL's slug."""
    slug = path.rstrip("/").rsplit("/", 1)[-1]
    title = re.sub(r"-\d+$", "", slug).replace("-", " ").capitalize()
    body = "".join(
        f"<p>{title}. Paragraph {n} of an explainer written for the replay, long enough "
        f"for the extractor to treat it as the article's main text and not as a teaser.</p>"
        for n in range(4)
    )
    html = f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>{body}"
    return Route(body=(html + "</article></body></html>").encode())


def replay(workdir: Path, snapshots: list[Path]) -> list[Day]:
    """Crawl once per snapshot (and once more with the last one unchanged)."""
    site = FixtureSite()
    days: list[Day] = []
    with SiteServer(site) as server:
        site.fallback = lambda path: article_page(path) if path.startswith("/article/") else None
        sources = workdir / "sources.toml"
        sources.write_text(
            f'[[source]]\nname = "Indian Express"\nfeeds = ["{server.base}{FEED_PATH}"]\n'
            'language = "en"\ncountry = "IN"\nkind = "rss"\n'
        )
        listed: set[str] = set()
        for snapshot in [*snapshots, snapshots[-1]]:
            feed = snapshot.read_bytes().replace(b"https://indianexpress.com", server.base.encode())
            site.add(FEED_PATH, feed, content_type="application/rss+xml")
            links = set(re.findall(rb"<link>([^<]*/article/[^<]*)</link>", feed))
            paths = {link.decode().removeprefix(server.base) for link in links}
            before = len(site.requests)
            command = [sys.executable, "-m", "newswatch", "crawl", "--sources", str(sources)]
            command += ["--db", str(workdir / "replay.db")]
            command += [arg for setting in SETTINGS for arg in ("-s", setting)]
            subprocess.run(command, cwd=ROOT, capture_output=True, check=False)
            seen = site.requests[before:]
            with Store(workdir / "replay.db") as store:
                run = store.get_run(len(days) + 1)
            counters = run["stats"]["sources"]["Indian Express"]
            days.append(
                Day(
                    snapshot=snapshot.name,
                    new_items=paths - listed,
                    article_requests=[p for p in seen if p.startswith("/article/")],
                    requests=len(seen),
                    feed_unchanged=counters["feeds_unchanged"] == 1,
                )
            )
            listed |= paths
    return days


def main() -> None:
    snapshots = sorted(HISTORY.glob("*.xml"))
    if not snapshots:
        print(f"skipped: {HISTORY} not found")
        return
    with tempfile.TemporaryDirectory() as tmp:
        days = replay(Path(tmp), snapshots)
    print("day  snapshot                          new  requests  minimum  ratio")
    for n, day in enumerate(days, start=1):
        print(
            f"{n:>3}  {day.snapshot:<32} {len(day.new_items):>4} {day.requests:>9}"
            f" {day.minimum:>8}  {day.ratio:5.2f}x"
        )
    daily = days[1:-1]  # day 1 is the initial fill; the last day replays an unchanged feed
    total = sum(d.requests for d in days[:-1]) / sum(d.minimum for d in days[:-1])
    worst = max(d.ratio for d in daily)
    print(f"worst day after the first: {worst:.2f}x; all 12 days: {total:.2f}x")
    last = days[-1]
    print(
        f"unchanged feed: {len(last.article_requests)} article requests, {last.requests} in all,"
        f" answered 304: {last.feed_unchanged}"
    )


if __name__ == "__main__":
    main()
