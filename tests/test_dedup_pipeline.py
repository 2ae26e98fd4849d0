"""One story, reported once: skip-seen, conditional GET, revisions and stories in real crawls."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from pipelines.store import Store
from tests.conftest import run_newswatch, write_sources


def crawl(site, tmp_path, sources: dict[str, list[str]]):
    path = write_sources(tmp_path / "sources.toml", sources)
    db = tmp_path / "news.db"
    result = run_newswatch("crawl", "--sources", str(path), "--db", str(db))
    return result, db, path


def article_hits(site) -> int:
    return sum(
        n for path, n in site.site.hits().items() if path.startswith(("/articles/", "/wire/"))
    )


def test_recrawl_of_an_unchanged_feed_fetches_no_article_page(site, tmp_path):
    first, db, sources = crawl(site, tmp_path, {"Atom Outlet": [f"{site.base}/feeds/atom.xml"]})
    assert first.returncode == 0, first.stderr
    assert article_hits(site) == 1
    second = run_newswatch("crawl", "--sources", str(sources), "--db", str(db))
    assert second.returncode == 0, second.stderr
    assert article_hits(site) == 1
    with Store(db) as store:
        atom = store.get_run(2)["stats"]["sources"]["Atom Outlet"]
    assert (atom["feeds_fetched"], atom["feeds_unchanged"]) == (1, 1)


def test_a_changed_feed_without_new_items_fetches_no_article_page(site, tmp_path):
    _, db, sources = crawl(site, tmp_path, {"Atom Outlet": [f"{site.base}/feeds/atom.xml"]})
    feed = site.site.routes["/feeds/atom.xml"]
    feed.body = feed.body.replace(b"Fixture Russian Desk", b"Fixture Russian Desk (new title)")
    run_newswatch("crawl", "--sources", str(sources), "--db", str(db))
    assert article_hits(site) == 1
    with Store(db) as store:
        assert store.get_run(2)["stats"]["sources"]["Atom Outlet"]["skipped_seen"] == 1


def test_an_edited_article_updates_its_row_and_keeps_a_revision(site, tmp_path):
    _, db, sources = crawl(site, tmp_path, {"Atom Outlet": [f"{site.base}/feeds/atom.xml"]})
    page = site.site.routes["/articles/su30-upgrade.html"]
    page.body = page.body.replace(b"on Tuesday", b"on Tuesday evening, officials confirmed,")
    feed = site.site.routes["/feeds/atom.xml"]
    edited = (datetime.now(UTC) + timedelta(hours=1)).isoformat(timespec="seconds")
    feed.body = feed.body.replace(
        b"<updated>2024-07-09T12:00:00+03:00</updated>\n    <author>",
        f"<updated>{edited}</updated>\n    <author>".encode(),
    )
    run_newswatch("crawl", "--sources", str(sources), "--db", str(db))
    assert site.site.hits()["/articles/su30-upgrade.html"] == 2
    with Store(db) as store:
        assert store.count("articles") == 1
        row = store.get_article(f"{site.base}/articles/su30-upgrade.html")
        revisions = list(store.db.query("SELECT * FROM article_revisions"))
        assert store.get_run(2)["stats"]["sources"]["Atom Outlet"]["updated"] == 1
    assert "Tuesday evening" in row["body"]
    assert len(revisions) == 1
    assert revisions[0]["article_id"] == row["id"]
    assert revisions[0]["body_hash"] != row["body_hash"]
    assert row["updated_at"] >= row["first_seen"]


def test_syndicated_copy_from_another_outlet_joins_the_story(site, tmp_path):
    _, db, _ = crawl(
        site,
        tmp_path,
        {
            "Fixture Daily": [f"{site.base}/feeds/defence.rss"],
            "Wire Reprints": [f"{site.base}/feeds/wire.rss"],
        },
    )
    with Store(db) as store:
        rows = {
            r["source"]: r
            for r in store.db.query("SELECT * FROM articles WHERE title LIKE '%S-400%'")
        }
        stories = store.stories()
    assert rows["Fixture Daily"]["story_id"] == rows["Wire Reprints"]["story_id"]
    (story,) = [s for s in stories if s["id"] == rows["Fixture Daily"]["story_id"]]
    assert story["outlets"] == [
        {"source": "Fixture Daily", "languages": ["en"]},
        {"source": "Wire Reprints", "languages": ["en"]},
    ]
    assert len({s["id"] for s in stories}) == len(stories) == 2  # S-400 and BrahMos

    result = run_newswatch("stories", "--db", str(db), "--format", "jsonl")
    listed = [json.loads(line) for line in result.stdout.splitlines()]
    assert {s["id"] for s in listed} == {s["id"] for s in stories}


def test_cluster_command_uses_the_pipeline_code():
    text = (
        "The Indian Air Force has taken delivery of the second squadron of the S-400 Triumf "
        "air-defence system from Russia, officials said on Tuesday, and it is being deployed "
        "to cover the northern frontier under the 2018 contract with Rosoboronexport."
    )
    lines = [
        {"id": "a", "title": "Second S-400 squadron arrives", "text": text},
        {"id": "b", "title": "IAF gets second S-400 squadron", "text": "(PTI) " + text},
        {"id": "c", "title": "Monsoon reaches Kerala", "text": "Rain came early this year."},
    ]
    stdin = "\n".join(json.dumps(line) for line in lines) + "\n{broken\n"
    result = run_newswatch("cluster", stdin=stdin)
    out = {row["id"]: row["story"] for row in map(json.loads, result.stdout.splitlines())}
    assert out["a"] == out["b"] != out["c"]
    assert "line 4" in result.stderr
    assert result.returncode == 1
