"""Source health across real runs: a source that starts answering 403, a redesign that
empties article bodies, counters of requests and HTTP statuses."""

from __future__ import annotations

import json

from pipelines.health import source_health
from pipelines.store import Store
from schedules.report import build_report, digest_subject
from tests.conftest import run_newswatch, write_sources

NEW_ITEM = """  <item>
    <title>Story {n}</title>
    <link>{{{{BASE}}}}/articles/redesigned-{n}.html</link>
    <pubDate>Tue, 12 Apr 2022 09:30:00 +0530</pubDate>
  </item>
</channel>"""


def health(db, run_id):
    with Store(db) as store:
        return {h["name"]: h for h in source_health(store.run_history(run_id, 10))}


def test_a_source_that_starts_answering_403_is_failing_since_that_run(site, tmp_path):
    sources = write_sources(
        tmp_path / "s.toml",
        {"Atom": [f"{site.base}/feeds/atom.xml"], "RDF": [f"{site.base}/feeds/rdf.xml"]},
    )
    db = tmp_path / "news.db"
    args = ("crawl", "--sources", str(sources), "--db", str(db))
    assert run_newswatch(*args).returncode == 0
    site.site.routes["/feeds/atom.xml"].status = 403
    for _ in range(2):
        assert run_newswatch(*args).returncode == 1
    state = health(db, 3)
    with Store(db) as store:
        second_run = store.get_run(2)
    assert state["Atom"]["state"] == "failing"
    assert state["Atom"]["failing_since"] == second_run["started"]
    assert state["Atom"]["error"].startswith("HTTP 403")
    assert state["RDF"]["state"] == "unchanged"  # 304 Not Modified since the first run
    atom = second_run["stats"]["sources"]["Atom"]
    assert (atom["requests"], atom["http_403"]) == (1, 1)
    listed = run_newswatch(
        "sources", "--sources", str(sources), "--db", str(db), "--format", "jsonl"
    )
    rows = {row["name"]: row for row in map(json.loads, listed.stdout.splitlines())}
    assert rows["Atom"]["state"] == f"failing since {second_run['started'][:16]}"
    assert rows["Atom"]["error"].startswith("HTTP 403")
    assert rows["RDF"] == {"name": "RDF", "kind": "feed", "state": "unchanged", "error": None}


def test_five_runs_over_unchanged_feeds_leave_no_source_empty(site, tmp_path):
    feeds = {"Atom": "atom.xml", "RDF": "rdf.xml", "RSS": "defence.rss"}
    sources = write_sources(
        tmp_path / "s.toml", {name: [f"{site.base}/feeds/{f}"] for name, f in feeds.items()}
    )
    db = tmp_path / "news.db"
    for _ in range(5):
        run_newswatch("crawl", "--sources", str(sources), "--db", str(db))
    listed = run_newswatch(
        "sources", "--sources", str(sources), "--db", str(db), "--format", "jsonl"
    )
    states = {row["name"]: row["state"] for row in map(json.loads, listed.stdout.splitlines())}
    assert "empty" not in states.values()
    assert states["Atom"] == states["RDF"] == "unchanged"  # these two answer 304


def test_a_redesign_that_empties_bodies_is_flagged_after_two_runs(site, tmp_path):
    feed = site.site.routes["/feeds/defence.rss"]
    sources = write_sources(tmp_path / "s.toml", {"Daily": [f"{site.base}/feeds/defence.rss"]})
    db = tmp_path / "news.db"
    args = ("crawl", "--sources", str(sources), "--db", str(db))
    run_newswatch(*args)
    assert health(db, 1)["Daily"]["extraction_broken"] is False
    empty_page = "<html><head><title>x</title></head><body><div id='app'></div></body></html>"
    for n in (1, 2):
        site.site.add(f"/articles/redesigned-{n}.html", empty_page)
        feed.body = feed.body.replace(b"</channel>", site.site.fill(NEW_ITEM.format(n=n).encode()))
        run_newswatch(*args)
        flagged = health(db, n + 1)["Daily"]
        assert flagged["extraction_broken"] is (n == 2)
    assert flagged["state"] == "extraction broken"
    with Store(db) as store:
        urls = {row["url"] for row in store.iter_articles()}
    assert not any("redesigned" in url for url in urls)  # never stored empty
    listed = run_newswatch("sources", "--sources", str(sources), "--db", str(db))
    assert "add a [source.extract] override" in listed.stdout


def test_a_failing_source_removed_or_disabled_leaves_the_report(site, tmp_path):
    """An operator who drops (or disables) a broken source no longer reads it is failing."""
    feeds = {"Atom": [f"{site.base}/feeds/atom.xml"], "RDF": [f"{site.base}/feeds/rdf.xml"]}
    db = tmp_path / "news.db"

    def crawl(registry: dict, disabled: str = "") -> int:
        sources = write_sources(tmp_path / "s.toml", registry)
        if disabled:
            entry = f'[[source]]\nname = "{disabled}"\nfeeds = {feeds[disabled]}\nenabled = false\n'
            sources.write_text(sources.read_text() + "\n" + entry.replace("'", '"'))
        run_newswatch("crawl", "--sources", str(sources), "--db", str(db))
        with Store(db) as store:
            return store.runs_since("")[-1]

    site.site.routes["/feeds/atom.xml"].status = 403
    crawl(feeds)
    failing = crawl(feeds)
    with Store(db) as store:
        report = build_report(store, failing)
    assert {s["name"]: s["state"] for s in report["sources"]}["Atom"] == "failing"
    assert "1 source failing" in digest_subject(report)

    for disabled in ("", "Atom"):  # Atom removed from the registry, then back but disabled
        later = crawl({"RDF": feeds["RDF"]}, disabled)
        with Store(db) as store:
            report = build_report(store, later)
        assert [s["name"] for s in report["sources"]] == ["RDF"]
        assert "failing" not in digest_subject(report)
