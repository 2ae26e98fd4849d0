"""`newswatch search`: words as typed in any script, stemmed; filters, FTS syntax, broken
queries, the count of matches; the stemmed index kept exact by every write."""

from __future__ import annotations

import json
import sqlite3

import pytest
import sqlite_utils

from newswatch import main
from pipelines.article import Article
from pipelines.fts_query import MAX_TERMS, QuerySyntaxError, to_fts
from pipelines.stemming import stem_text
from pipelines.store import ArticleFilter, Store
from pipelines.store.schema import FTS_TOKENIZE, MIGRATIONS, SCHEMA_VERSION
from pipelines.store.search import SEARCH_WINDOW
from tests.analyst_data import build
from tests.conftest import run_newswatch

# The marks of French, German, Spanish, Portuguese and Italian stems in the index.
FR, DE, ES, PT, IT = "\ue001", "\ue002", "\ue003", "\ue004", "\ue005"


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
        (
            "S-400 – Punjab",
            {"https://daily.example/s400-punjab", "https://wire.example/s400-punjab-copy"},
        ),
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


@pytest.mark.parametrize(
    ("query", "why"),
    [
        ('"S-400 squadron', "the quote at character 1 is never closed"),
        ("(S-400 OR", "'OR' at character 8 needs a term after it"),
        ("S-400 AND", "'AND' at character 7 needs a term after it"),
        ("NEAR(a b,", "needs a distance after ','"),
        ("*", "'*' at character 1 must follow a word directly"),
        ("NEAR(a b, -1)", "NEAR distance at character 11 must be a whole number, not '-1'"),
        ('"unclosed', "the quote at character 1 is never closed"),
        ("a AND", "'AND' at character 3 needs a term after it"),
        (")", "')' at character 1 has no '(' before it"),
        ("title:", "'title:' at character 1 needs a word after it"),
        ("nosuchcolumn:x", "no column 'nosuchcolumn' at character 1 (columns: title,"),
        ("NOT S-400", "'NOT' at character 1 needs a term before it"),
        ("()", "'()' at character 1 is empty"),
        ("S-400 , Punjab", "',' at character 7 belongs inside NEAR"),
        ("a + ", "'+' at character 3 needs a word after it"),
        ("{title body", "'{' is never closed"),
        ("NEAR(a OR b)", "NEAR(…) holds words and phrases only"),
        ("   ", "there is nothing to search for"),
        (" ".join(["word"] * 1000), f"1000 terms, more than the limit of {MAX_TERMS}"),
    ],
)
def test_broken_syntax_exits_2_with_one_line(db, capsys, query, why):
    assert main(["search", "--db", str(db), query]) == 2
    err = capsys.readouterr().err
    assert err.startswith("newswatch search: cannot read the query")
    assert why in err
    assert len(err.strip().splitlines()) == 1


def test_expressions_fts5_cannot_read_are_query_errors(db):
    """The store's own guard, for an expression written by hand (the browser's SQL)."""
    with Store(db) as store:
        for expression in ['"unclosed', "nosuch:x", "*", "NEAR(a b, x)", ")"]:
            with pytest.raises(QuerySyntaxError, match="^FTS5 cannot read it: "):
                store.search(expression, ArticleFilter(), 5)


def test_the_term_limit_counts_words_not_characters(db, capsys):
    assert search(db, capsys, " ".join(["Punjab"] * MAX_TERMS))
    hindi = " ".join(["परीक्षण"] * MAX_TERMS)  # vowel signs are part of a word
    assert urls(search(db, capsys, hindi)) == ["https://hindi.example/brahmos"]


def test_a_query_starting_with_a_dash_goes_after_double_dash(db, capsys):
    assert urls(search(db, capsys, "--", "-Su-30MKI")) == ["https://daily.example/su30-upgrade"]
    with pytest.raises(SystemExit) as exit_:
        main(["search", "--db", str(db), "-Su-30MKI"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        "newswatch search: '-Su-30MKI' reads as an option; to search for it, end the"
        " options with --: newswatch search -- '-Su-30MKI'"
    )


@pytest.mark.parametrize(
    ("flag", "typed", "found"),
    [
        ("--tag", "s-400", "https://daily.example/s400-punjab"),
        ("--tag", "SU-30mki", "https://daily.example/su30-upgrade"),
        ("--source", "wire", "https://wire.example/s400-punjab-copy"),
        ("--source", "TASS", "https://tass.example/triumf"),
    ],
)
def test_tags_and_sources_in_any_case(db, capsys, flag, typed, found):
    assert found in urls(search(db, capsys, flag, typed))


@pytest.mark.parametrize(
    ("flag", "typed", "named"),
    [("--tag", "S400x", "'S-400'"), ("--source", "Wir", "'Wire'"), ("--source", "tas", "'TASS'")],
)
def test_unknown_tags_and_sources_exit_2_naming_the_closest(db, capsys, flag, typed, named):
    assert main(["search", "--db", str(db), "S-400", flag, typed]) == 2
    err = capsys.readouterr().err
    assert f"{flag} {typed!r}: no such {flag[2:]}; did you mean" in err and named in err
    assert len(err.strip().splitlines()) == 1


def test_broken_syntax_in_a_real_process_has_no_traceback(db):
    result = run_newswatch("search", "--db", str(db), "(S-400")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "cannot read the query" in result.stderr


def test_bad_date_exits_2(db, capsys):
    assert main(["search", "--db", str(db), "S-400", "--since", "yesterday"]) == 2
    assert "expected an ISO date" in capsys.readouterr().err


def test_table_format_prints_the_count_title_snippet_and_url(db, capsys):
    assert main(["search", "--db", str(db), "Su-30MKI"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "1 match"
    assert "Daily: Su-30MKI upgrade cleared  [Su-30MKI]" in out
    assert "**Su-30MKI**" in out and "https://daily.example/su30-upgrade" in out
    assert main(["search", "--db", str(db), "Punjab", "--limit", "1"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "3 matches"


def test_records_carry_no_count(db, capsys):
    assert main(["search", "--db", str(db), "Punjab", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("id,url,title") and len(lines) == 4


def test_dated_searches(db, capsys):
    assert set(
        urls(search(db, capsys, "S-400", "--since", "2025-11-02", "--until", "2025-11-02"))
    ) == {
        "https://daily.example/s400-punjab",
        "https://wire.example/s400-punjab-copy",
    }
    assert urls(search(db, capsys, "Punjab", "--since", "2025-11-03")) == [
        "https://daily.example/su30-upgrade"
    ]
    assert search(db, capsys, "Punjab", "--until", "2025-11-01") == []
    assert urls(search(db, capsys, "Индия", "--since", "2025-11-05", "--until", "2025-11-05")) == [
        "https://tass.example/triumf"
    ]


def test_a_query_matching_more_than_the_window_says_so(tmp_path, capsys):
    path = tmp_path / "many.db"
    columns = ("url", "source", "title", "first_seen")
    rows = [
        (f"https://x.example/{i}", "X", f"Missile test {i}", "2025-01-01T00:00:00+00:00")
        for i in range(SEARCH_WINDOW + 1)
    ]
    with Store(path) as store:
        store.bulk_load({"articles": (columns, rows)})
    assert main(["search", "--db", str(path), "missiles", "--limit", "2"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "more than 10,000 matches (ranked among the newest 10,000)"
    assert len([line for line in out if line.startswith("    https://")]) == 2


def test_query_translation():
    """Cyrillic, Devanagari and Tamil words have one stemmer; a Latin word is asked for
    in each Latin language the index stems (marked), side by side as explicit ANDs."""
    assert to_fts("Индия поставки") == '("инд" AND "поставк")'
    assert to_fts("NEAR(С-400 Индии, 5) OR title:Триумф*") == (
        'NEAR("с-400" "инд", 5) OR title:"триумф"*'
    )
    assert to_fts("मिसाइलों") == '"मिसाइल"'
    assert to_fts("missiles") == (
        f'("missil" OR "{FR}missil" OR "{DE}missil" OR "{ES}missil" OR "{PT}missil"'
        f' OR "{IT}missiles")'
    )
    assert to_fts("title:S-400") == (
        f'title:("s-400" OR "{FR}s-400" OR "{DE}s-400" OR "{ES}s-400" OR "{PT}s-400"'
        f' OR "{IT}s-400")'
    )
    # FTS5 binds side-by-side words tighter than NOT: a NOT (b AND c).
    assert to_fts("Индия NOT С-400 Триумф") == '"инд" NOT ("с-400" AND "триумф")'


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


# ------------------------------------------------------------------ stemming

STEMMED = [
    Article(
        url="https://daily.example/missile",
        source="Daily",
        title="Missile test over the Bay of Bengal",
        body="India tested a new missile; two squadrons arrived for the drill.",
        language="en",
    ),
    Article(
        url="https://tass.example/india",
        source="TASS",
        title="Поставки в Индию",
        body="Поставки систем в Индии завершатся.",
        language="ru",
    ),
    Article(
        url="https://monde.example/livraisons",
        source="Monde",
        title="Les missiles livrés à l'Inde",
        body="Les livraisons des systèmes S-400 sont terminées.",
        language="fr",
    ),
    Article(
        url="https://faz.example/raketen",
        source="FAZ",
        title="Indien erhält neue Raketen",
        body="Die Rakete wurde in Russland gebaut.",
        language="de-DE",
    ),
    Article(
        url="https://unknown.example/mislabelled",
        source="Unknown",
        title="Entregas de misiles a la India",
        body="Las entregas continúan.",
        language=None,
    ),
    Article(
        url="https://dinamani.example/india",
        source="Dinamani",
        title="இந்தியாவின் புதிய ஏவுகணை",
        body="இந்தியாவின் சோதனை வெற்றி.",
        language="en",  # wrong: the script decides
    ),
]


@pytest.fixture(scope="module")
def stemmed(tmp_path_factory):
    path = tmp_path_factory.mktemp("stemmed") / "news.db"
    with Store(path) as store:
        run = store.start_run()
        for article in STEMMED:
            store.save_article(article, run)
    return path


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Индия", {"https://tass.example/india"}),
        ("поставка", {"https://tass.example/india"}),
        ("missiles", {"https://daily.example/missile", "https://monde.example/livraisons"}),
        ("squadron arrives", {"https://daily.example/missile"}),
        ('"squadron arrives"', {"https://daily.example/missile"}),
        ("NEAR(squadron drills, 3)", {"https://daily.example/missile"}),
        ("missil*", {"https://daily.example/missile", "https://monde.example/livraisons"}),
        ("livrées", {"https://monde.example/livraisons"}),  # French: livr-
        ("Rakete", {"https://faz.example/raketen"}),  # German: raket-
        ("misiles", {"https://unknown.example/mislabelled"}),  # as printed, any language
        ("entregas", {"https://unknown.example/mislabelled"}),
        ("இந்தியா", {"https://dinamani.example/india"}),  # Tamil, whatever `language` says
        ("title:Поставки NOT Индии", set()),
    ],
)
def test_any_form_of_a_word_finds_the_others(stemmed, capsys, query, expected):
    assert set(urls(search(stemmed, capsys, query))) == expected


def test_hindi_words_are_stemmed(db, capsys):
    assert urls(search(db, capsys, "मिसाइलों")) == ["https://hindi.example/brahmos"]


def test_snippets_mark_the_words_as_printed(stemmed, capsys):
    (row,) = search(stemmed, capsys, "drills squadron")
    assert row["snippet"] == (
        "India tested a new missile; two [squadrons] arrived for the [drill]."
    )
    (row,) = search(stemmed, capsys, "Индия")
    assert row["snippet"] == "Поставки в [Индию]"


def test_stems_line_up_token_for_token_with_the_text(stemmed):
    """FTS5 counts as many tokens in each indexed column as in its original text, so
    positions (phrases, NEAR, snippets) mean the same in both."""
    plain = sqlite3.connect(":memory:")
    tokenize = FTS_TOKENIZE.replace("'", "''")
    columns = "title, summary, body, tag_terms"
    plain.execute(f"CREATE VIRTUAL TABLE t USING fts5({columns}, tokenize='{tokenize}')")
    with Store(stemmed) as store:
        for row in store.db.execute(f"SELECT id, {columns} FROM articles"):
            plain.execute(f"INSERT INTO t (rowid, {columns}) VALUES (?, ?, ?, ?, ?)", row)
        indexed = store.db.execute("SELECT id, sz FROM articles_fts_docsize ORDER BY id").fetchall()
    assert plain.execute("SELECT id, sz FROM t_docsize ORDER BY id").fetchall() == indexed


def vocabulary(store: Store) -> set[tuple[str, int]]:
    store.db.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.vocab USING fts5vocab(main, articles_fts, 'row')"
    )
    return set(store.db.execute("SELECT term, doc FROM temp.vocab").fetchall())


def expected_vocabulary(store: Store) -> set[tuple[str, int]]:
    """The terms an index built afresh from the stems of the current rows holds."""
    fresh = sqlite3.connect(":memory:")
    tokenize = FTS_TOKENIZE.replace("'", "''")
    fresh.execute(f"CREATE VIRTUAL TABLE t USING fts5(title, summary, body, tokenize='{tokenize}')")
    fresh.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'row')")
    for row in store.db.query("SELECT id, title, summary, body, language FROM articles"):
        values = [stem_text(row[c], row["language"]) for c in ("title", "summary", "body")]
        fresh.execute("INSERT INTO t (rowid, title, summary, body) VALUES (?, ?, ?, ?)",
                      [row["id"], *values])  # fmt: skip
    return set(fresh.execute("SELECT term, doc FROM v").fetchall())


def test_every_write_keeps_the_index_exact(tmp_path):
    """Inserts, content updates, a changed language and deletes leave no stale stems."""
    with Store(tmp_path / "news.db") as store:
        run = store.start_run()
        for article in STEMMED:
            store.save_article(article, run)
        store.save_article(
            Article(
                url="https://daily.example/missile",
                source="Daily",
                title="Rocket test postponed",
                body="The drill was called off.",
                language="en",
            ),
            run,
        )
        store.db.execute("UPDATE articles SET language = 'es' WHERE url LIKE '%mislabelled'")
        store.db.execute("UPDATE articles SET status = 'borderline'")
        store.db.execute("DELETE FROM articles WHERE url LIKE '%faz.example%'")
        assert vocabulary(store) == expected_vocabulary(store)
        terms = {term for term, _ in vocabulary(store)}
        assert f"{FR}missil" in terms and "missil" not in terms  # the English one was rewritten
        assert not store.search(to_fts("squadrons"), ArticleFilter(), 5).rows
        assert store.search(to_fts("entrega"), ArticleFilter(), 5).rows


def test_a_connection_without_the_stemmer_cannot_change_text(stemmed):
    """The sqlite3 shell reads, and may change anything but an article's text or
    language; changing those would leave the index stale, so it fails loudly."""
    conn = sqlite3.connect(stemmed)
    conn.execute("UPDATE articles SET status = 'borderline' WHERE id = 1")
    with pytest.raises(sqlite3.OperationalError, match="no such function: newswatch_stem"):
        conn.execute("UPDATE articles SET title = 'x' WHERE id = 1")
    conn.rollback()
    conn.close()


def test_an_older_database_is_reindexed_by_stems_and_tags(tmp_path):
    """A schema-8 database (sqlite-utils' triggers, words as written) is reindexed by
    stems and tags on opening (migrations 9 and 10), and kept so by the new triggers."""
    path = tmp_path / "v8.db"
    db = sqlite_utils.Database(sqlite3.connect(path))
    for migration in MIGRATIONS[:8]:
        migration(db)
    db.execute("PRAGMA user_version = 8")
    db.execute(
        "INSERT INTO articles (url, source, title, language, first_seen) VALUES (?, ?, ?, ?, ?)",
        ["https://tass.example/i", "TASS", "Поставки в Индии", "ru", "2025-11-01T00:00:00+00:00"],
    )
    db.execute("INSERT INTO tags (name, kind) VALUES ('S-400', 'system')")
    db.execute("INSERT INTO article_tags (article_id, tag) VALUES (1, 'S-400')")
    db.conn.commit()
    db.close()
    with Store(path) as store:
        assert store.schema_version == SCHEMA_VERSION == 11
        triggers = {
            name
            for (name,) in store.db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        }
        assert triggers == {"articles_fts_insert", "articles_fts_delete", "articles_fts_update"}
        (hit,) = store.search(to_fts("Индия"), ArticleFilter(), 5).rows
        assert hit["snippet"] == "Поставки в [Индии]"
        assert store.search(to_fts("Индия"), ArticleFilter(tag="S-400"), 5).rows == [hit]
        store.save_article(
            Article(url="https://daily.example/m", source="Daily", title="Missiles", language="en"),
            store.start_run(),
        )
        assert len(store.search(to_fts("missile"), ArticleFilter(), 5).rows) == 1


def test_a_tag_filter_follows_the_tags_through_updates_and_retags(tmp_path):
    """Tags are terms of the index: writing, changing and removing them changes what a
    search filtered by them finds."""
    missile = {"name": "BrahMos", "kind": "system", "evidence": []}
    air = {"name": "S-400", "kind": "system", "evidence": []}
    with Store(tmp_path / "t.db") as store:
        run = store.start_run()
        article = Article(
            url="https://a.example/1", source="A", title="Missile test", tags=[missile]
        )
        store.save_article(article, run)
        store.save_article(
            Article(url="https://a.example/2", source="A", title="Missile missile", tags=[]), run
        )

        def found(tag: str) -> list[str]:
            rows = store.search(to_fts("missile"), ArticleFilter(tag=tag), 5).rows
            return [row["url"] for row in rows]

        assert found("BrahMos") == ["https://a.example/1"]
        assert found("S-400") == []
        (article_id,) = store.db.execute("SELECT id FROM articles WHERE url = ?", [article.url])
        store.update_verdicts([(article_id[0], 0.9, "relevant", [], [air])])
        assert (found("BrahMos"), found("S-400")) == ([], ["https://a.example/1"])
        article.title, article.tags = "Missile test, revised", [missile, air]
        assert store.save_article(article, run)[0] == "updated"
        assert found("BrahMos") == found("S-400") == ["https://a.example/1"]
