"""`newswatch search`: words as typed in any script, filters, FTS syntax, broken queries."""

from __future__ import annotations

import json
import sqlite3

import pytest
import sqlite_utils

from newswatch import main
from pipelines.fts_query import to_fts
from pipelines.store import Store
from pipelines.store.schema import MIGRATIONS, SCHEMA_VERSION
from tests.analyst_data import build
from tests.conftest import run_newswatch


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return build(tmp_path_factory.mktemp("search") / "news.db")


def search(db, capsys, *args: str) -> list[dict]:
    assert main(["search", "--db", str(db), "--format", "jsonl", *args]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def urls(rows: list[dict]) -> list[str]:
    return [row["url"] for row in rows]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("S-400", {"https://daily.example/s400-punjab", "https://wire.example/s400-punjab-copy"}),
        ("India-Russia", {"https://daily.example/s400-punjab"}),
        ("Su-30MKI", {"https://daily.example/su30-upgrade"}),
        ("su-30mki upgrade", {"https://daily.example/su30-upgrade"}),
        ("Триумф", {"https://tass.example/triumf"}),
        ("поставки", {"https://tass.example/triumf"}),
        ("ब्रह्मोस", {"https://hindi.example/brahmos"}),
        ("परीक्षण", {"https://hindi.example/brahmos"}),
    ],
)
def test_words_are_found_as_typed(db, capsys, query, expected):
    assert set(urls(search(db, capsys, query))) == expected


def test_indic_words_stay_whole(db, capsys):
    """unicode61 cut "ब्रह्मोस" at its vowel signs, so its first syllables matched it."""
    assert search(db, capsys, "ब्रह्म") == []


def test_title_hits_rank_first_with_highlighted_snippets(db, capsys):
    rows = search(db, capsys, "Punjab")
    assert len(rows) == 3
    assert urls(rows)[-1] == "https://daily.example/su30-upgrade"  # Punjab only in its body
    assert all("[Punjab]" in r["snippet"] for r in rows)
    assert rows[0]["tags"] == ["S-400"] and rows[0]["story"] == 1


def test_user_fts_syntax_still_works(db, capsys):
    assert len(search(db, capsys, "NEAR(S-400 Punjab, 5)")) == 2
    assert len(search(db, capsys, "Su-30MKI OR ब्रह्मोस")) == 2
    assert urls(search(db, capsys, '"squadron arrives"')) == ["https://daily.example/s400-punjab"]
    assert len(search(db, capsys, "squad*")) == 2
    assert urls(search(db, capsys, "S-400 NOT Punjab")) == []
    assert urls(search(db, capsys, "title:India-Russia")) == []


def test_filters(db, capsys):
    assert urls(search(db, capsys, "S-400", "--source", "Wire")) == [
        "https://wire.example/s400-punjab-copy"
    ]
    assert set(urls(search(db, capsys, "--tag", "S-400"))) == {
        "https://daily.example/s400-punjab",
        "https://wire.example/s400-punjab-copy",
        "https://tass.example/triumf",
    }
    assert urls(search(db, capsys, "--since", "2025-11-05", "--until", "2025-11-07")) == [
        "https://hindi.example/brahmos",
        "https://tass.example/triumf",
    ]
    assert len(search(db, capsys, "--limit", "1")) == 1


def test_irrelevant_articles_are_left_out(db, capsys):
    assert "https://daily.example/cricket" not in urls(search(db, capsys, "S-400"))
    assert "https://daily.example/cricket" not in urls(search(db, capsys))


@pytest.mark.parametrize("query", ['"S-400 squadron', "(S-400 OR", "S-400 AND", "NEAR(a b,"])
def test_broken_syntax_exits_2_with_one_line(db, capsys, query):
    assert main(["search", "--db", str(db), query]) == 2
    err = capsys.readouterr().err
    assert err.startswith("newswatch search: cannot read the query")
    assert len(err.strip().splitlines()) == 1


def test_broken_syntax_in_a_real_process_has_no_traceback(db):
    result = run_newswatch("search", "--db", str(db), "(S-400")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "cannot read the query" in result.stderr


def test_bad_date_exits_2(db, capsys):
    assert main(["search", "--db", str(db), "S-400", "--since", "yesterday"]) == 2
    assert "expected an ISO date" in capsys.readouterr().err


def test_table_format_prints_title_snippet_and_url(db, capsys):
    assert main(["search", "--db", str(db), "Su-30MKI"]) == 0
    out = capsys.readouterr().out
    assert "Daily: Su-30MKI upgrade cleared  [Su-30MKI]" in out
    assert "**Su-30MKI**" in out and "https://daily.example/su30-upgrade" in out


def test_query_translation():
    assert to_fts("S-400 delivery") == '"S-400" delivery'
    assert to_fts('"S-400 squadron" OR Su-30MKI*') == '"S-400 squadron" OR "Su-30MKI"*'
    assert to_fts("NEAR(S-400 Punjab, 5)") == 'NEAR( "S-400" Punjab , 5 )'
    assert to_fts("title:S-400") == 'title:"S-400"'


def test_migration_6_reindexes_an_older_database(tmp_path):
    """A schema-5 database's index split Indic words; opening it rebuilds the index."""
    path = tmp_path / "v5.db"
    db = sqlite_utils.Database(sqlite3.connect(path))
    for migration in MIGRATIONS[:5]:
        migration(db)
    db.execute("PRAGMA user_version = 5")
    db.execute(
        "INSERT INTO articles (url, source, title, first_seen) VALUES (?, ?, ?, ?)",
        ["https://hindi.example/b", "Hindi", "ब्रह्मोस परीक्षण", "2025-11-01T00:00:00+00:00"],
    )
    db.conn.commit()
    db.close()
    with Store(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        match = "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?"
        assert store.db.execute(match, ["ब्रह्मोस"]).fetchall() == [(1,)]
        assert store.db.execute(match, ["ब्रह्म"]).fetchall() == []
