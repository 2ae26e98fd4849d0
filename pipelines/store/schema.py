"""The database schema: migrations in order, the full-text index and the analysts' views.

Pending migrations run once, in order, in one transaction that also bumps `PRAGMA
user_version`; views hold no data, so they are dropped before and created again after.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable

import sqlite_utils

from pipelines.stemming import stem_text

# unicode61 splits words at combining marks (categories Mn/Mc), which cuts every Indic
# word at its vowel signs and viramas ("ब्रह्मोस" became four tokens, so "ब्रह्म" matched
# it). Counting marks (M*) as word characters keeps Devanagari, Bengali, Tamil, … words
# whole; Latin diacritics are still folded ("cafe" finds "café").
FTS_TOKENIZE = "unicode61 remove_diacritics 2 categories 'L* N* Co M*'"
FTS_COLUMNS = ("title", "summary", "body")
# The article's tags, each one index token (tag_token), so FTS5 itself intersects a
# search with a tag: checking each hit against article_tags cost 1-1.5 µs a hit, and a
# common word filtered by a common tag reads tens of thousands of hits.
TAG_TERMS = "tag_terms"
TAG_MARK = "\ue010"
# The SQL function that gives the text articles_fts indexes for a column of an article:
# pipelines.stemming.stem_text(text, language). Every Store connection has it; one
# without it (the sqlite3 shell) can read, but not write an article's text or language.
STEM_FUNCTION = "newswatch_stem"
# The triggers that kept articles_fts current before schema 9 (by hand in schema 6, by
# sqlite-utils from schema 7, under the same names), and those that do now.
_OLD_FTS_TRIGGERS = ("articles_ai", "articles_ad", "articles_au")
_FTS_TRIGGERS = ("articles_fts_insert", "articles_fts_delete", "articles_fts_update")


def day_of(alias: str = "") -> str:
    """The SQL for the time an article counts under (its publication, or when it was
    first seen if the outlet gave none), in UTC, as articles_id_day holds it."""
    row = f"{alias}." if alias else ""
    return f"coalesce({row}published_utc, {row}first_seen)"


# Its UTC date, as articles_date_id holds it.
UTC_DATE = f"substr({day_of()}, 1, 10)"


def register_functions(conn: sqlite3.Connection) -> None:
    """Make the SQL functions the schema's triggers call available on `conn`."""
    conn.create_function(STEM_FUNCTION, 2, stem_text, deterministic=True)


def _migration_1(db: sqlite_utils.Database) -> None:
    """The crawl backbone: sources, runs, articles with full-text search, fetch errors."""
    db["sources"].create(
        {
            "name": str,
            "feeds": str,
            "language": str,
            "country": str,
            "kind": str,
            "enabled": int,
            "prefilter": int,
            "updated_at": str,
        },
        pk="name",
    )
    db["runs"].create(
        {"id": int, "started": str, "finished": str, "status": str, "pid": int, "stats": str},
        pk="id",
    )
    db["articles"].create(
        {
            "id": int,
            "url": str,
            "fetched_url": str,
            "feed_url": str,
            "source": str,
            "title": str,
            "summary": str,
            "body": str,
            "published": str,
            "modified": str,
            "authors": str,
            "language": str,
            "section": str,
            "image": str,
            "publisher": str,
            "body_hash": str,
            "first_seen": str,
            "updated_at": str,
            "run_id": int,
        },
        pk="id",
        not_null=["url", "source", "first_seen"],
        foreign_keys=[("run_id", "runs", "id")],
    )
    db["articles"].create_index(["url"], unique=True)
    db["articles"].create_index(["source", "published"])
    db["articles"].create_index(["published"])
    db["articles"].create_index(["run_id"])
    db["articles"].create_index(["body_hash"])
    db["articles"].enable_fts(["title", "summary", "body"], create_triggers=True)
    # Every URL we have decided about, under each address it was reached by, so the
    # crawler can skip it before download with one primary-key lookup.
    db.execute(
        "CREATE TABLE seen_urls (url TEXT PRIMARY KEY, verdict TEXT NOT NULL, "
        "article_id INTEGER, first_seen TEXT NOT NULL) WITHOUT ROWID"
    )
    db["fetch_errors"].create(
        {"id": int, "run_id": int, "source": str, "url": str, "reason": str, "at": str},
        pk="id",
        foreign_keys=[("run_id", "runs", "id")],
    )
    db["fetch_errors"].create_index(["run_id"])
    db["fetch_errors"].create_index(["source", "at"])


def _migration_2(db: sqlite_utils.Database) -> None:
    """Relevance and tags: why each article was kept, and what it is about."""
    articles = db["articles"]
    articles.add_column("relevance", float)
    articles.add_column("status", str, not_null_default="relevant")
    articles.add_column("reasons", str)
    articles.create_index(["status", "published"])
    db["tags"].create({"name": str, "kind": str}, pk="name")
    db.execute(
        "CREATE TABLE article_tags ("
        " article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,"
        " tag TEXT NOT NULL REFERENCES tags(name),"
        " evidence TEXT,"
        " PRIMARY KEY (article_id, tag)) WITHOUT ROWID"
    )
    db["article_tags"].create_index(["tag", "article_id"])


def _migration_3(db: sqlite_utils.Database) -> None:
    """One story, reported once: stories, duplicates, revisions, the near-duplicate index
    and conditional-GET state of feeds."""
    db["stories"].create(
        {"id": int, "lead_url": str, "title": str, "first_seen": str},
        pk="id",
        not_null=["lead_url", "first_seen"],
    )
    db["stories"].create_index(["lead_url"], unique=True)
    db["stories"].create_index(["first_seen"])
    db["articles"].add_column("story_id", int)
    db["articles"].add_column("duplicate_of", int)
    db["articles"].add_column("story_kind", str)
    db["articles"].create_index(["story_id"])
    db["article_revisions"].create(
        {"id": int, "article_id": int, "title": str, "body_hash": str, "replaced_at": str},
        pk="id",
        foreign_keys=[("article_id", "articles", "id")],
    )
    db["article_revisions"].create_index(["article_id"])
    # The near-duplicate index (pipelines/story_store.py): every lookup is by an index.
    db.execute(
        "CREATE TABLE story_docs (seq INTEGER PRIMARY KEY, doc_id TEXT NOT NULL UNIQUE,"
        " story_id TEXT NOT NULL, kind TEXT NOT NULL, matched TEXT, score REAL, title TEXT,"
        " day TEXT, ahead INTEGER, body_hash TEXT, shingles BLOB, entities TEXT)"
    )
    db.execute("CREATE INDEX story_docs_body_hash ON story_docs (body_hash)")
    db.execute(
        "CREATE TABLE story_bands (key TEXT NOT NULL, seq INTEGER NOT NULL, doc_id TEXT NOT NULL,"
        " PRIMARY KEY (key, seq)) WITHOUT ROWID"
    )
    db.execute(
        "CREATE TABLE story_entities (key TEXT NOT NULL, seq INTEGER NOT NULL, day TEXT,"
        " doc_id TEXT NOT NULL, PRIMARY KEY (key, seq)) WITHOUT ROWID"
    )
    db.execute(
        "CREATE TABLE story_entity_counts (key TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID"
    )
    db.execute(
        "CREATE TABLE feed_state (url TEXT PRIMARY KEY, etag TEXT, last_modified TEXT,"
        " updated_at TEXT NOT NULL) WITHOUT ROWID"
    )


def _migration_4(db: sqlite_utils.Database) -> None:
    """What each run delivered: notification results, so a failing notifier is on record."""
    db["runs"].add_column("notifications", str)


def _migration_5(db: sqlite_utils.Database) -> None:
    """Discovery: headline-only leads from aggregators, and resumable backfills."""
    db["leads"].create(
        {
            "id": int,
            "key": str,
            "title": str,
            "outlet": str,
            "outlet_url": str,
            "published": str,
            "link": str,
            "source": str,
            "first_seen": str,
            "run_id": int,
        },
        pk="id",
        not_null=["key", "title", "source", "first_seen"],
    )
    db["leads"].create_index(["key"], unique=True)
    db["leads"].create_index(["first_seen"])
    db.execute(
        "CREATE TABLE backfill_slices (backfill TEXT NOT NULL, slice TEXT NOT NULL,"
        " done_at TEXT NOT NULL, PRIMARY KEY (backfill, slice)) WITHOUT ROWID"
    )


def _sqlite_utils_fts(db: sqlite_utils.Database) -> None:
    """articles_fts as schemas 6 to 8 had it: the words as written, sqlite-utils' triggers."""
    db["articles"].enable_fts(
        FTS_COLUMNS, tokenize=FTS_TOKENIZE, create_triggers=True, replace=True
    )


def _migration_6(db: sqlite_utils.Database) -> None:
    """A full-text index that keeps Indic words whole."""
    _sqlite_utils_fts(db)


def _migration_7(db: sqlite_utils.Database) -> None:
    """Dates compared as times, runs reported exactly once, the index made by sqlite-utils.

    `published` keeps the publisher's own offset; `published_utc` is the same instant in
    UTC, fixed width, so ordering and cut-offs compare times rather than spellings.
    `kind` says what started a run (`run`, `crawl` or `backfill`); `reported_in` is the
    run whose report covered a run's articles (itself, or a later run when this one was
    killed before it could report)."""
    articles = db["articles"]
    articles.add_column("published_utc", str)
    db.execute(
        "UPDATE articles SET published_utc = strftime('%Y-%m-%dT%H:%M:%S+00:00', published)"
        " WHERE published IS NOT NULL"
    )
    articles.create_index(["published_utc"])
    articles.create_index(["source", "published_utc"])
    articles.create_index(["status", "published_utc"])
    db["runs"].add_column("kind", str, not_null_default="run")
    db["runs"].add_column("reported_in", int)
    db.execute("UPDATE runs SET reported_in = id WHERE status != 'running'")
    # Schema 6 wrote the index and its triggers by hand, in a form sqlite-utils does not
    # recognise as its own: drop them, and let it make its own.
    for trigger in _OLD_FTS_TRIGGERS:
        db.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    db.execute("DROP TABLE IF EXISTS articles_fts")
    _sqlite_utils_fts(db)


def _migration_8(db: sqlite_utils.Database) -> None:
    """Stories as wholes: a profile per story, an index from evidence keys to stories,
    merged stories kept as aliases, and the version of the rules that built the index
    (a database indexed by other rules is reclustered before it is crawled into)."""
    for table in ("story_docs", "story_bands", "story_entities", "story_entity_counts"):
        db.execute(f"DROP TABLE IF EXISTS {table}")
    stories = db["stories"]
    stories.add_column("profile", str)
    stories.add_column("merged_into", int)
    stories.add_column("merged_at", str)
    stories.add_column("merged_run", int)
    stories.create_index(["merged_into"])
    db.execute(
        "CREATE TABLE story_members (seq INTEGER PRIMARY KEY, doc TEXT NOT NULL UNIQUE,"
        " story INTEGER NOT NULL, kind TEXT NOT NULL, matched TEXT, score REAL,"
        " body_hash TEXT, shingles BLOB)"
    )
    db.execute("CREATE INDEX story_members_story ON story_members (story)")
    db.execute("CREATE INDEX story_members_body_hash ON story_members (body_hash)")
    db.execute(
        "CREATE TABLE story_bands (key INTEGER NOT NULL, seq INTEGER NOT NULL,"
        " PRIMARY KEY (key, seq)) WITHOUT ROWID"
    )
    db.execute("CREATE INDEX story_bands_seq ON story_bands (seq)")
    db.execute(
        "CREATE TABLE story_keys (key TEXT NOT NULL, story INTEGER NOT NULL,"
        " PRIMARY KEY (key, story)) WITHOUT ROWID"
    )
    db.execute("CREATE INDEX story_keys_story ON story_keys (story)")
    db.execute(
        "CREATE TABLE story_key_counts (key TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID"
    )
    db.execute(
        "CREATE TABLE story_rules (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID"
    )


def tag_token(tag: str) -> str:
    """A tag as one index token: a private-use mark and the name's UTF-8 in hex (FTS5's
    tokenizer would split "S-400" or "Su-30MKI" and fold case)."""
    return TAG_MARK + tag.encode().hex()


def tag_terms(tags: Iterable[str]) -> str | None:
    """What articles.tag_terms holds for an article with these tags."""
    return " ".join(sorted(tag_token(tag) for tag in set(tags))) or None


def tags_of_terms(terms: str | None) -> list[str]:
    """The tags tag_terms holds, for people reading the column."""
    return [bytes.fromhex(token[1:]).decode() for token in (terms or "").split()]


def _indexed(row: str) -> str:
    """The values articles_fts holds for the article `row` (new or old in a trigger)."""
    stems = (f"{STEM_FUNCTION}({row}.{column}, {row}.language)" for column in FTS_COLUMNS)
    return ", ".join([*stems, f"{row}.{TAG_TERMS}"])


def _fill_tag_terms(db: sqlite_utils.Database) -> None:
    """Set articles.tag_terms from article_tags (the index is built after)."""
    rows = db.execute(
        "SELECT article_id, json_group_array(tag) FROM article_tags GROUP BY article_id"
    )
    db.conn.executemany(
        f"UPDATE articles SET {TAG_TERMS} = ? WHERE id = ?",
        ((tag_terms(json.loads(tags)), article_id) for article_id, tags in rows),
    )


def drop_fts(db: sqlite_utils.Database) -> None:
    """Drop articles_fts and every trigger that has kept it current."""
    for trigger in (*_OLD_FTS_TRIGGERS, *_FTS_TRIGGERS):
        db.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    db.execute("DROP TABLE IF EXISTS articles_fts")


def build_fts(db: sqlite_utils.Database) -> None:
    """(Re)build articles_fts over the stems of every article and the triggers that keep
    it current (see pipelines/stemming.py).

    The index has external content (`articles`): it stores no text of its own, and
    snippet() and highlight() read the original text, whose tokens line up one for one
    with the indexed stems. So FTS5's own 'rebuild' (sqlite-utils' rebuild_fts) must
    never run on it: that would index the unstemmed text. The triggers recompute the
    stems of a changed or deleted row to take it out of the index, as FTS5 requires.
    articles.tag_terms is set again from article_tags first."""
    drop_fts(db)
    _fill_tag_terms(db)
    columns = ", ".join([*FTS_COLUMNS, TAG_TERMS])
    tokenize = FTS_TOKENIZE.replace("'", "''")
    db.execute(
        f"CREATE VIRTUAL TABLE articles_fts USING FTS5 ({columns},"
        f" tokenize='{tokenize}', content=[articles])"
    )
    db.execute(
        f"INSERT INTO articles_fts (rowid, {columns}) SELECT id, {_indexed('articles')}"
        " FROM articles"
    )
    watched = (*FTS_COLUMNS, "language", TAG_TERMS)
    changed = " OR ".join(f"old.{c} IS NOT new.{c}" for c in watched)
    delete = (
        f"INSERT INTO articles_fts (articles_fts, rowid, {columns})"
        f" VALUES ('delete', old.id, {_indexed('old')});"
    )
    insert = f"INSERT INTO articles_fts (rowid, {columns}) VALUES (new.id, {_indexed('new')});"
    db.execute(f"CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN {insert} END")
    db.execute(f"CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN {delete} END")
    db.execute(
        f"CREATE TRIGGER articles_fts_update AFTER UPDATE OF {', '.join(watched)} ON articles"
        f" WHEN {changed} BEGIN {delete} {insert} END"
    )


def _migration_9(db: sqlite_utils.Database) -> None:
    """Stemmed full-text search: `missiles` finds missile, `Индия` finds Индии (see
    pipelines/stemming.py); the index, dropped here, is built over the stems of every
    article by _migration_10, which always runs with it. Two indexes of the day an article
    counts under: the ids of each date, and the day of an article by id (a search checks
    its hits in it rather than in their rows)."""
    drop_fts(db)
    db.execute(f"CREATE INDEX articles_date_id ON articles ({UTC_DATE}, id)")
    db.execute(f"CREATE INDEX articles_id_day ON articles (id, {day_of()})")


def _migration_10(db: sqlite_utils.Database) -> None:
    """Tags in the full-text index (articles.tag_terms): a search filtered by a tag is
    one FTS5 query. The index is rebuilt."""
    db["articles"].add_column(TAG_TERMS, str)
    build_fts(db)


def _migration_11(db: sqlite_utils.Database) -> None:
    """A story's articles with their status and dates in one index: the report's chart and
    the story views read those of thousands of stories, and an article's row is wide (its
    body comes before its status)."""
    db.execute("DROP INDEX IF EXISTS idx_articles_story_id")
    db.execute(
        "CREATE INDEX articles_story_dates"
        " ON articles (story_id, status, published_utc, first_seen, published)"
    )


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [
    _migration_1,
    _migration_2,
    _migration_3,
    _migration_4,
    _migration_5,
    _migration_6,
    _migration_7,
    _migration_8,
    _migration_9,
    _migration_10,
    _migration_11,
]
SCHEMA_VERSION = len(MIGRATIONS)


# ------------------------------------------------------------------ views

# Analysts' views. Articles a retag judged 'irrelevant' are no longer the topic: every
# view leaves them out (they stay in `articles` so the decision can be revisited).
TAGS_OF = (
    "(SELECT json_group_array(tag) FROM"
    " (SELECT tag FROM article_tags WHERE article_id = {a}.id ORDER BY tag))"
)
VIEWS = {
    "article_tags_view": """SELECT a.id AS article_id, a.url, a.title, a.source, a.published,
       a.published_utc, a.status, a.relevance, t.tag, tags.kind, t.evidence
FROM article_tags t
JOIN articles a ON a.id = t.article_id
JOIN tags ON tags.name = t.tag""",
    "v_articles": f"""SELECT a.id, a.url, a.title, a.source, s.country AS source_country,
       s.language AS source_language, a.publisher, a.published, a.published_utc, a.first_seen,
       a.language,
       a.status, a.relevance, {TAGS_OF.format(a="a")} AS tags, a.story_id, a.story_kind,
       (SELECT count(*) FROM articles m
        WHERE m.story_id = a.story_id AND m.status != 'irrelevant') AS story_size,
       a.summary, a.run_id
FROM articles a LEFT JOIN sources s ON s.name = a.source
WHERE a.status != 'irrelevant'""",
    "v_stories": """SELECT s.id AS story_id, coalesce(s.title, l.title) AS title, s.lead_url,
       l.source AS lead_source, s.first_seen,
       (SELECT m.published FROM articles m
        WHERE m.story_id = s.id AND m.status != 'irrelevant' AND m.published_utc IS NOT NULL
        ORDER BY m.published_utc LIMIT 1) AS first_published,
       (SELECT m.published FROM articles m
        WHERE m.story_id = s.id AND m.status != 'irrelevant'
        ORDER BY m.published_utc DESC LIMIT 1) AS last_published,
       (SELECT count(*) FROM articles m
        WHERE m.story_id = s.id AND m.status != 'irrelevant') AS articles,
       (SELECT count(DISTINCT source) FROM articles m
        WHERE m.story_id = s.id AND m.status != 'irrelevant') AS outlet_count,
       (SELECT json_group_array(source) FROM (SELECT DISTINCT source FROM articles m
        WHERE m.story_id = s.id AND m.status != 'irrelevant' ORDER BY source)) AS outlets,
       (SELECT json_group_array(tag) FROM (SELECT DISTINCT t.tag FROM articles m
        JOIN article_tags t ON t.article_id = m.id
        WHERE m.story_id = s.id AND m.status != 'irrelevant' ORDER BY t.tag)) AS tags
FROM stories s LEFT JOIN articles l ON l.url = s.lead_url
WHERE EXISTS (SELECT 1 FROM articles m WHERE m.story_id = s.id AND m.status != 'irrelevant')""",
    "v_daily_tag_counts": """SELECT substr(coalesce(a.published_utc, a.first_seen), 1, 10) AS day,
       t.tag, tags.kind, count(DISTINCT a.story_id) AS stories, count(*) AS articles
FROM article_tags t JOIN articles a ON a.id = t.article_id
LEFT JOIN tags ON tags.name = t.tag
WHERE a.status != 'irrelevant'
GROUP BY day, t.tag""",
    "v_run_new_items": f"""SELECT a.run_id, r.started AS run_started, a.id AS article_id, a.url,
       a.title, a.source, a.published, a.published_utc, a.status, a.relevance,
       {TAGS_OF.format(a="a")} AS tags, a.story_id,
       (SELECT min(m.run_id) FROM articles m WHERE m.story_id = a.story_id) = a.run_id
         AS new_story
FROM articles a JOIN runs r ON r.id = a.run_id
WHERE a.status != 'irrelevant'""",
}


def drop_views(db: sqlite_utils.Database) -> None:
    for name in db.view_names():
        db.execute(f"DROP VIEW {name}")


def create_views(db: sqlite_utils.Database) -> None:
    for name, sql in VIEWS.items():
        db.execute(f"CREATE VIEW {name} AS {sql}")
