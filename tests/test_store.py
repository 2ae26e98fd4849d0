"""The SQLite store: schema and migrations, article upserts, concurrent readers, locks."""

from __future__ import annotations

import sqlite3

import pytest

from pipelines.article import Article
from pipelines.store import Store, StoreError
from pipelines.store.schema import SCHEMA_VERSION


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "news.db") as opened:
        yield opened


def article(**fields):
    defaults = {
        "url": "https://daily.example/a?utm_source=x",
        "canonical_url": "https://daily.example/a",
        "source": "Daily",
        "title": "S-400 squadron arrives",
        "body": "First paragraph.\n\nSecond paragraph.",
        "authors": ["A. Rao"],
    }
    return Article(**{**defaults, **fields})


def test_schema_version_wal_and_fts(store):
    assert store.schema_version == SCHEMA_VERSION
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert {"sources", "runs", "articles", "articles_fts", "seen_urls", "fetch_errors"} <= set(
        store.db.table_names()
    )


def test_reopening_does_not_migrate_again(tmp_path):
    Store(tmp_path / "n.db").close()
    with Store(tmp_path / "n.db") as again:
        assert again.schema_version == SCHEMA_VERSION


def test_newer_schema_is_refused(tmp_path):
    conn = sqlite3.connect(tmp_path / "future.db")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer than this newswatch"):
        Store(tmp_path / "future.db")


def test_one_row_per_canonical_url_and_seen_under_every_address(store):
    run = store.start_run()
    assert store.save_article(article(), run) == ("new", 1)
    assert store.save_article(article(), run) == ("unchanged", 1)
    assert store.count("articles") == 1
    assert store.is_seen("https://daily.example/a")
    assert store.is_seen("https://daily.example/a?utm_source=x")
    assert not store.is_seen("https://daily.example/b")


def test_changed_content_updates_the_row(store):
    run = store.start_run()
    store.save_article(article(), run)
    outcome, _ = store.save_article(article(body="A corrected text.\n\nWith more."), run)
    assert outcome == "updated"
    row = store.get_article("https://daily.example/a")
    assert row["body"].startswith("A corrected text.")


def test_full_text_search_follows_writes(store):
    store.save_article(article(), store.start_run())
    hits = list(
        store.db.query("SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'squadron'")
    )
    assert hits == [{"rowid": 1}]


def test_reader_is_not_blocked_and_sees_no_half_written_article(tmp_path):
    path = tmp_path / "news.db"
    writer = Store(path)
    writer.save_article(article(), writer.start_run())
    reader = sqlite3.connect(path, timeout=0.1)
    writer.db.execute("BEGIN")
    writer.db.execute("UPDATE articles SET title = 'half-written' WHERE id = 1")
    # The reader answers at once, with the last committed state.
    assert reader.execute("SELECT title FROM articles").fetchone() == ("S-400 squadron arrives",)
    writer.db.execute("COMMIT")
    assert reader.execute("SELECT title FROM articles").fetchone() == ("half-written",)
    reader.close()
    writer.close()


def test_locked_database_raises_after_the_busy_timeout(tmp_path):
    path = tmp_path / "news.db"
    Store(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    with Store(path, busy_timeout_ms=100) as store, pytest.raises(sqlite3.OperationalError):
        store.save_article(article(), None)
    holder.execute("ROLLBACK")
    with Store(path) as store:
        assert not store.is_seen("https://daily.example/a")  # nothing half-recorded


def test_runs_and_errors(store):
    run = store.start_run()
    store.record_errors(run, [{"source": "Daily", "url": "https://x", "reason": "HTTP 404"}])
    store.finish_run(run, "partial", {"sources": {"Daily": {"status": "partial"}}})
    assert store.get_run(run)["status"] == "partial"
    assert store.get_run(run)["stats"]["sources"]["Daily"]["status"] == "partial"
    assert store.run_errors(run) == [{"source": "Daily", "url": "https://x", "reason": "HTTP 404"}]
    store.abort_run_if_running(run)
    assert store.get_run(run)["status"] == "partial"
