"""The SQLite store: schema, migrations and every query newswatch runs.

All SQL lives here so the schema can be read in one place. The database runs in WAL
mode, so analysts can read it while a crawl writes; each article is written in one
transaction, so a reader never sees half an article, and a killed crawl loses at most
the article it was writing.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlite_utils

from pipelines.article import Article
from pipelines.shingles import body_hash
from pipelines.story_store import DocInfo

DEFAULT_DB = Path("data") / "newswatch.db"
BUSY_TIMEOUT_MS = 10_000


def utc_now() -> str:
    """Timestamps are stored as ISO 8601 in UTC with an explicit offset."""
    return datetime.now(UTC).isoformat(timespec="seconds")


# ------------------------------------------------------------------ schema


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
        {
            "id": int,
            "started": str,
            "finished": str,
            "status": str,
            "pid": int,
            "stats": str,
        },
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
    db.create_view(
        "article_tags_view",
        """SELECT a.id AS article_id, a.url, a.title, a.source, a.published, a.status,
       a.relevance, t.tag, tags.kind, t.evidence
FROM article_tags t
JOIN articles a ON a.id = t.article_id
JOIN tags ON tags.name = t.tag""",
    )


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


# unicode61 splits words at combining marks (categories Mn/Mc), which cuts every Indic
# word at its vowel signs and viramas ("ब्रह्मोस" became four tokens, so "ब्रह्म" matched
# it). Counting marks (M*) as word characters keeps Devanagari, Bengali, Tamil, … words
# whole; Latin diacritics are still folded ("cafe" finds "café").
FTS_TOKENIZE = "unicode61 remove_diacritics 2 categories 'L* N* Co M*'"
FTS_COLUMNS = ("title", "summary", "body")
_FTS_COLS = ", ".join(FTS_COLUMNS)
_FTS_OLD = ", ".join(f"old.{c}" for c in FTS_COLUMNS)
_FTS_NEW = ", ".join(f"new.{c}" for c in FTS_COLUMNS)
# The triggers that keep articles_fts current (the names sqlite-utils gave them).
FTS_TRIGGERS = {
    "articles_ai": f"CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN"
    f" INSERT INTO articles_fts (rowid, {_FTS_COLS}) VALUES (new.rowid, {_FTS_NEW}); END",
    "articles_ad": f"CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN"
    f" INSERT INTO articles_fts (articles_fts, rowid, {_FTS_COLS})"
    f" VALUES ('delete', old.rowid, {_FTS_OLD}); END",
    "articles_au": f"CREATE TRIGGER articles_au AFTER UPDATE ON articles BEGIN"
    f" INSERT INTO articles_fts (articles_fts, rowid, {_FTS_COLS})"
    f" VALUES ('delete', old.rowid, {_FTS_OLD});"
    f" INSERT INTO articles_fts (rowid, {_FTS_COLS}) VALUES (new.rowid, {_FTS_NEW}); END",
}

# Analysts' views. Articles a retag judged 'irrelevant' are no longer the topic: every
# view leaves them out (they stay in `articles` so the decision can be revisited).
_TAGS_OF = (
    "(SELECT json_group_array(tag) FROM"
    " (SELECT tag FROM article_tags WHERE article_id = {a}.id ORDER BY tag))"
)
VIEWS = {
    "v_articles": f"""SELECT a.id, a.url, a.title, a.source, s.country AS source_country,
       s.language AS source_language, a.publisher, a.published, a.first_seen, a.language,
       a.status, a.relevance, {_TAGS_OF.format(a="a")} AS tags, a.story_id, a.story_kind,
       (SELECT count(*) FROM articles m
        WHERE m.story_id = a.story_id AND m.status != 'irrelevant') AS story_size,
       a.summary, a.run_id
FROM articles a LEFT JOIN sources s ON s.name = a.source
WHERE a.status != 'irrelevant'""",
    "v_stories": """SELECT s.id AS story_id, coalesce(s.title, l.title) AS title, s.lead_url,
       l.source AS lead_source, s.first_seen,
       (SELECT max(published) FROM articles m
        WHERE m.story_id = s.id AND m.status != 'irrelevant') AS last_published,
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
    "v_daily_tag_counts": """SELECT substr(coalesce(a.published, a.first_seen), 1, 10) AS day,
       t.tag, tags.kind, count(DISTINCT a.story_id) AS stories, count(*) AS articles
FROM article_tags t JOIN articles a ON a.id = t.article_id
LEFT JOIN tags ON tags.name = t.tag
WHERE a.status != 'irrelevant'
GROUP BY day, t.tag""",
    "v_run_new_items": f"""SELECT a.run_id, r.started AS run_started, a.id AS article_id, a.url,
       a.title, a.source, a.published, a.status, a.relevance, {_TAGS_OF.format(a="a")} AS tags,
       a.story_id,
       (SELECT min(m.run_id) FROM articles m WHERE m.story_id = a.story_id) = a.run_id
         AS new_story
FROM articles a JOIN runs r ON r.id = a.run_id
WHERE a.status != 'irrelevant'""",
}


def _create_fts(db: sqlite_utils.Database) -> None:
    """(Re)build articles_fts with FTS_TOKENIZE from the articles table, and its triggers."""
    for trigger in FTS_TRIGGERS:
        db.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    db.execute("DROP TABLE IF EXISTS articles_fts")
    db.execute(
        f"CREATE VIRTUAL TABLE articles_fts USING FTS5 ({_FTS_COLS},"
        f' tokenize="{FTS_TOKENIZE}", content=articles)'
    )
    db.execute("INSERT INTO articles_fts (articles_fts) VALUES ('rebuild')")
    for sql in FTS_TRIGGERS.values():
        db.execute(sql)


def _migration_6(db: sqlite_utils.Database) -> None:
    """The analysts' side: a full-text index that keeps Indic words whole, and views for
    the common questions."""
    _create_fts(db)
    for name, sql in VIEWS.items():
        db.execute(f"CREATE VIEW {name} AS {sql}")


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [
    _migration_1,
    _migration_2,
    _migration_3,
    _migration_4,
    _migration_5,
    _migration_6,
]
SCHEMA_VERSION = len(MIGRATIONS)


class StoreError(RuntimeError):
    """The database cannot be used (newer schema, unreadable file)."""


class QuerySyntaxError(ValueError):
    """A full-text query FTS5 cannot parse: the user's to fix, not a crash."""


@dataclass(frozen=True)
class ArticleFilter:
    """Which articles a search, listing or export covers. Dates compare against the
    publication date, or the day first seen when the outlet gave none; `until` is
    inclusive (a bare date covers that whole day)."""

    tag: str | None = None
    source: str | None = None
    since: str | None = None
    until: str | None = None

    @property
    def dated(self) -> bool:
        return bool(self.since or self.until)

    def where(self, id_column: str = "a.id", alias: str = "a") -> tuple[str, list[Any]]:
        """SQL conditions on the article id `id_column` and, for dates and the source, its
        row `alias`, and their params.

        When `id_column` is not the row's own id (a search judging thousands of FTS hits)
        the source becomes a set of ids read once off its index (a few per cent of the
        archive) instead of a row read per hit; the unary + keeps SQLite from feeding that
        set to FTS5 as rowid lookups. Irrelevant and tagged articles are found by id."""
        clauses = [f"{id_column} NOT IN (SELECT id FROM articles WHERE status = 'irrelevant')"]
        params: list[Any] = []
        if self.tag:
            clauses.append(
                f"EXISTS (SELECT 1 FROM article_tags t WHERE t.article_id = {id_column}"
                " AND t.tag = ?)"
            )
            params.append(self.tag)
        if self.source:
            clauses.append(
                f"{alias}.source = ?"
                if id_column == f"{alias}.id"
                else f"+{id_column} IN (SELECT id FROM articles WHERE source = ?)"
            )
            params.append(self.source)
        day = f"coalesce({alias}.published, {alias}.first_seen)"
        if self.since:
            clauses.append(f"{day} >= ?")
            params.append(self.since)
        if self.until:
            clauses.append(f"{day} < ?")
            params.append(_day_after(self.until) if len(self.until) == 10 else self.until)
        return " AND ".join(clauses), params


def _day_after(day: str) -> str:
    return (date.fromisoformat(day) + timedelta(days=1)).isoformat()


# Columns of an export row, in order: one row per article.
EXPORT_COLUMNS = (
    "id",
    "url",
    "title",
    "source",
    "publisher",
    "published",
    "first_seen",
    "language",
    "status",
    "relevance",
    "tags",
    "story",
    "story_kind",
    "summary",
)
# A search ranks (bm25) at most this many matches, the newest: enough to hold every
# match of a specific query, and a bound on the cost of one word found everywhere.
SEARCH_WINDOW = 10_000
# Listing a tag newest first: below this many tagged articles, read them off the tag
# index and sort; above, walk the publication-date index until enough carry the tag
# (a tag this common is met within a few thousand rows).
_RARE_TAG = 5000


class Store:
    """A newswatch database: open it, and the schema is brought up to date."""

    def __init__(self, path: str | Path = DEFAULT_DB, *, busy_timeout_ms: int = BUSY_TIMEOUT_MS):
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), timeout=busy_timeout_ms / 1000)
        self.db = sqlite_utils.Database(conn)
        self.db.execute(f"PRAGMA busy_timeout = {busy_timeout_ms}")
        self.db.execute("PRAGMA foreign_keys = ON")
        if str(path) != ":memory:":
            self.db.enable_wal()
            # In WAL mode NORMAL never corrupts the file; it only skips an fsync per commit.
            self.db.execute("PRAGMA synchronous = NORMAL")
        self._migrate()

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    def _migrate(self) -> None:
        version = self.schema_version
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: schema version {version} is newer than this newswatch "
                f"({SCHEMA_VERSION}); upgrade newswatch"
            )
        for number, migration in enumerate(MIGRATIONS[version:], start=version + 1):
            with self.db.atomic():
                migration(self.db)
                self.db.execute(f"PRAGMA user_version = {number}")

    # ------------------------------------------------------------------ sources

    def sync_sources(self, sources: Iterable[Any]) -> None:
        """Record the registry as the crawl sees it, so reports can name every source."""
        now = utc_now()
        rows = [
            {
                "name": s.name,
                "feeds": json.dumps(list(s.feeds)),
                "language": s.language,
                "country": s.country,
                "kind": s.kind,
                "enabled": int(s.enabled),
                "prefilter": int(s.prefilter),
                "updated_at": now,
            }
            for s in sources
        ]
        with self.db.atomic():
            self.db["sources"].upsert_all(rows, pk="name")

    # ------------------------------------------------------------------ runs

    def start_run(self, pid: int | None = None) -> int:
        with self.db.atomic():
            cursor = self.db.execute(
                "INSERT INTO runs (started, status, pid) VALUES (?, 'running', ?)",
                [utc_now(), pid if pid is not None else os.getpid()],
            )
        return cursor.lastrowid

    def finish_run(self, run_id: int, status: str, stats: dict[str, Any]) -> None:
        with self.db.atomic():
            self.db.execute(
                "UPDATE runs SET finished = ?, status = ?, stats = ? WHERE id = ?",
                [utc_now(), status, json.dumps(stats, sort_keys=True, default=str), run_id],
            )

    def abort_run_if_running(self, run_id: int) -> None:
        """Close a run whose crawl died before it could record its own end."""
        with self.db.atomic():
            self.db.execute(
                "UPDATE runs SET finished = ?, status = 'aborted' "
                "WHERE id = ? AND status = 'running'",
                [utc_now(), run_id],
            )

    def abort_stale_runs(self) -> list[int]:
        """Mark runs still 'running' as aborted: called by a run that holds the lock, so
        their processes are gone (killed, or the host went down)."""
        with self.db.atomic():
            stale = [r[0] for r in self.db.execute("SELECT id FROM runs WHERE status = 'running'")]
            self.db.execute(
                "UPDATE runs SET status = 'aborted', finished = coalesce(finished, ?)"
                " WHERE status = 'running'",
                [utc_now()],
            )
        return stale

    def last_good_run_started(self, source: str) -> str | None:
        """When the newest run in which `source` did not fail started: discovery APIs are
        asked for what appeared since then."""
        row = self.db.execute(
            "SELECT max(started) FROM runs WHERE status != 'running'"
            " AND json_extract(stats, '$.sources.' || json_quote(?) || '.status')"
            " IN ('ok', 'partial')",
            [source],
        ).fetchone()
        return row[0]

    def save_lead(self, lead: dict[str, Any], run_id: int | None) -> bool:
        """Keep an aggregator item we could not find on the publisher's site, once per
        (normalised title, outlet). Returns whether it was new."""
        with self.db.atomic():
            cursor = self.db.execute(
                "INSERT OR IGNORE INTO leads (key, title, outlet, outlet_url, published, link,"
                " source, first_seen, run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    lead["key"],
                    lead["title"],
                    lead.get("outlet"),
                    lead.get("outlet_url"),
                    lead.get("published"),
                    lead.get("link"),
                    lead["source"],
                    utc_now(),
                    run_id,
                ],
            )
        return cursor.rowcount == 1

    def done_slices(self, backfill: str) -> set[str]:
        return {
            r[0]
            for r in self.db.execute(
                "SELECT slice FROM backfill_slices WHERE backfill = ?", [backfill]
            )
        }

    def mark_slice_done(self, backfill: str, slice_: str) -> None:
        with self.db.atomic():
            self.db.execute(
                "INSERT OR REPLACE INTO backfill_slices (backfill, slice, done_at)"
                " VALUES (?, ?, ?)",
                [backfill, slice_, utc_now()],
            )

    def record_notifications(self, run_id: int, results: list[dict[str, Any]]) -> None:
        with self.db.atomic():
            self.db.execute(
                "UPDATE runs SET notifications = ? WHERE id = ?", [json.dumps(results), run_id]
            )

    def get_run(self, run_id: int) -> dict[str, Any] | None:
        rows = list(self.db.query("SELECT * FROM runs WHERE id = ?", [run_id]))
        if not rows:
            return None
        run = rows[0]
        run["stats"] = json.loads(run["stats"]) if run["stats"] else {}
        return run

    def record_errors(self, run_id: int, errors: Iterable[dict[str, str]]) -> None:
        rows = [{"run_id": run_id, "at": utc_now(), **error} for error in errors]
        if rows:
            with self.db.atomic():
                self.db["fetch_errors"].insert_all(rows)

    def run_errors(self, run_id: int) -> list[dict[str, Any]]:
        return list(
            self.db.query(
                "SELECT source, url, reason FROM fetch_errors WHERE run_id = ? ORDER BY id",
                [run_id],
            )
        )

    # ------------------------------------------------------------------ articles

    def is_seen(self, url: str) -> bool:
        """True when this URL was stored or judged before: the crawler need not fetch it."""
        return self.seen_at(url) is not None

    def save_article(self, article: Article, run_id: int | None) -> tuple[str, int]:
        """Insert the article, or update its row when its content changed.

        Returns what happened ('new', 'updated' or 'unchanged') and the row id.
        """
        url = article.key_url
        now = utc_now()
        row = {
            "url": url,
            "fetched_url": article.fetched_url or article.url,
            "feed_url": article.feed_url,
            "source": article.source,
            "title": article.title,
            "summary": article.summary,
            "body": article.body,
            "published": article.published,
            "modified": article.modified,
            "authors": json.dumps(article.authors, ensure_ascii=False),
            "language": article.language,
            "section": article.section,
            "image": article.image,
            "publisher": article.publisher,
            "body_hash": body_hash(article.body) if article.body else None,
            "relevance": article.relevance,
            "status": article.status,
            "reasons": json.dumps(article.reasons, ensure_ascii=False),
        }
        with self.db.atomic():
            existing = self.db.execute(
                "SELECT id, title, body_hash FROM articles WHERE url = ?", [url]
            ).fetchone()
            tags_changed = True
            if existing is None:
                row |= self._story_columns(article, url, now)
                cursor = self.db.execute(
                    f"INSERT INTO articles ({', '.join(row)}, first_seen, updated_at, run_id) "
                    f"VALUES ({', '.join('?' * len(row))}, ?, ?, ?)",
                    [*row.values(), now, now, run_id],
                )
                outcome, article_id = "new", cursor.lastrowid
            else:
                article_id = existing[0]
                if (existing[1], existing[2]) == (row["title"], row["body_hash"]):
                    outcome, tags_changed = "unchanged", False
                else:
                    self.db.execute(
                        "INSERT INTO article_revisions (article_id, title, body_hash, replaced_at)"
                        " VALUES (?, ?, ?, ?)",
                        [article_id, existing[1], existing[2], now],
                    )
                    assignments = ", ".join(f"{column} = ?" for column in row)
                    self.db.execute(
                        f"UPDATE articles SET {assignments}, updated_at = ? WHERE id = ?",
                        [*row.values(), now, article_id],
                    )
                    outcome = "updated"
            if tags_changed:
                self._write_tags(article_id, article.tags)
            self._mark_seen({url, article.url, article.fetched_url}, "stored", article_id, now)
        return outcome, article_id

    def _story_columns(self, article: Article, url: str, now: str) -> dict[str, Any]:
        """The story a new article joins (created when it leads one) and what it duplicates."""
        lead = article.story or url
        found = self.db.execute("SELECT id FROM stories WHERE lead_url = ?", [lead]).fetchone()
        if found is None:
            title = article.title if lead == url else None
            cursor = self.db.execute(
                "INSERT INTO stories (lead_url, title, first_seen) VALUES (?, ?, ?)",
                [lead, title, now],
            )
            story_id = cursor.lastrowid
        else:
            story_id = found[0]
        duplicate_of = None
        if article.story_kind == "duplicate" and article.matched:
            match = self.db.execute(
                "SELECT id FROM articles WHERE url = ?", [article.matched]
            ).fetchone()
            duplicate_of = match[0] if match else None
        return {
            "story_id": story_id,
            "story_kind": article.story_kind,
            "duplicate_of": duplicate_of,
        }

    def seen_at(self, url: str) -> str | None:
        """When this URL was first decided on, or None: the crawler's skip-before-download check."""
        row = self.db.execute("SELECT first_seen FROM seen_urls WHERE url = ?", [url]).fetchone()
        return row[0] if row else None

    def feed_state(self, url: str) -> tuple[str | None, str | None]:
        """The ETag and Last-Modified a feed answered with last time."""
        row = self.db.execute(
            "SELECT etag, last_modified FROM feed_state WHERE url = ?", [url]
        ).fetchone()
        return (row[0], row[1]) if row else (None, None)

    def save_feed_states(self, states: dict[str, tuple[str | None, str | None]]) -> None:
        now = utc_now()
        with self.db.atomic():
            self.db.conn.executemany(
                "INSERT OR REPLACE INTO feed_state (url, etag, last_modified, updated_at)"
                " VALUES (?, ?, ?, ?)",
                [(url, etag, modified, now) for url, (etag, modified) in states.items()],
            )

    def stories(self, since: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        """Stories newest first, each with its member articles (lead first) and outlets."""
        query = (
            "SELECT s.id, s.lead_url, s.first_seen,"
            " coalesce(s.title, (SELECT title FROM articles WHERE url = s.lead_url)) AS title,"
            " (SELECT max(published) FROM articles WHERE story_id = s.id) AS published"
            " FROM stories s WHERE s.first_seen >= coalesce(?, '')"
            " AND EXISTS (SELECT 1 FROM articles WHERE story_id = s.id)"
            " ORDER BY s.first_seen DESC, s.id DESC"
        )
        params: list[Any] = [since]
        if limit:
            query += " LIMIT ?"
            params.append(limit)
        stories = list(self.db.query(query, params))
        for story in stories:
            story["articles"] = list(
                self.db.query(
                    "SELECT id, url, title, source, published, story_kind, status FROM articles"
                    " WHERE story_id = ? ORDER BY url != ?, first_seen, id",
                    [story["id"], story["lead_url"]],
                )
            )
            story["outlets"] = sorted({a["source"] for a in story["articles"]})
        return stories

    # ------------------------------------------------------------------ reports

    def run_articles(self, run_id: int) -> list[dict[str, Any]]:
        """Articles first stored by this run (relevant and borderline), newest first, with
        their tags and the run that first stored their story (`story_run`)."""
        rows = list(
            self.db.query(
                "SELECT a.id, a.url, a.title, a.source, a.published, a.first_seen, a.relevance,"
                " a.status, a.story_id, a.story_kind,"
                " (SELECT json_group_array(tag) FROM (SELECT tag FROM article_tags"
                "   WHERE article_id = a.id ORDER BY tag)) AS tags,"
                " (SELECT min(run_id) FROM articles m WHERE m.story_id = a.story_id) AS story_run"
                " FROM articles a WHERE a.run_id = ? AND a.status IN ('relevant', 'borderline')"
                " ORDER BY coalesce(a.published, a.first_seen) DESC, a.id",
                [run_id],
            )
        )
        for row in rows:
            row["tags"] = json.loads(row["tags"])
        return rows

    def runs_since(self, since: str) -> list[int]:
        return [
            r[0]
            for r in self.db.execute(
                "SELECT id FROM runs WHERE started >= ? ORDER BY id", [since]
            ).fetchall()
        ]

    def _write_tags(self, article_id: int, tags: Iterable[dict[str, Any]]) -> None:
        self.db.execute("DELETE FROM article_tags WHERE article_id = ?", [article_id])
        self.db.conn.executemany(
            "INSERT OR IGNORE INTO tags (name, kind) VALUES (?, ?)",
            [(tag["name"], tag["kind"]) for tag in tags],
        )
        self.db.conn.executemany(
            "INSERT INTO article_tags (article_id, tag, evidence) VALUES (?, ?, ?)",
            [
                (article_id, tag["name"], json.dumps(tag["evidence"], ensure_ascii=False))
                for tag in tags
            ],
        )

    def remember_irrelevant(self, urls: Iterable[str | None]) -> None:
        """An article judged off-topic is not stored, but it is not fetched again either."""
        with self.db.atomic():
            self._mark_seen(set(urls), "irrelevant", None, utc_now())

    def sync_tags(self, tags: dict[str, str]) -> None:
        """Record the lexicon's canonical tags and their kinds."""
        with self.db.atomic():
            self.db["tags"].upsert_all(
                [{"name": name, "kind": kind} for name, kind in tags.items()], pk="name"
            )

    def iter_article_batches(self, size: int) -> Iterator[list[dict[str, Any]]]:
        """All articles in id order, `size` at a time, with their current tag names."""
        last = 0
        while True:
            rows = list(
                self.db.query(
                    "SELECT a.id, a.url, a.title, a.summary, a.body, a.language, a.status,"
                    " (SELECT json_group_array(tag) FROM"
                    "   (SELECT tag FROM article_tags WHERE article_id = a.id ORDER BY tag)"
                    " ) AS tags"
                    " FROM articles a WHERE a.id > ? ORDER BY a.id LIMIT ?",
                    [last, size],
                )
            )
            if not rows:
                return
            yield rows
            last = rows[-1]["id"]

    def update_verdicts(self, verdicts: Iterable[tuple[int, float, str, list, list]]) -> None:
        """Rewrite relevance, status, reasons and tags of many articles in one transaction."""
        with self.db.atomic():
            for article_id, relevance, status, reasons, tags in verdicts:
                self.db.execute(
                    "UPDATE articles SET relevance = ?, status = ?, reasons = ? WHERE id = ?",
                    [relevance, status, json.dumps(reasons, ensure_ascii=False), article_id],
                )
                self._write_tags(article_id, tags)

    def _mark_seen(
        self, urls: Iterable[str | None], verdict: str, article_id: int | None, now: str
    ) -> None:
        self.db.conn.executemany(
            "INSERT OR IGNORE INTO seen_urls (url, verdict, article_id, first_seen) "
            "VALUES (?, ?, ?, ?)",
            [(u, verdict, article_id, now) for u in urls if u],
        )

    def get_article(self, url: str) -> dict[str, Any] | None:
        rows = list(self.db.query("SELECT * FROM articles WHERE url = ?", [url]))
        return rows[0] if rows else None

    def iter_articles(self, run_id: int | None = None) -> Iterator[dict[str, Any]]:
        if run_id is None:
            yield from self.db.query("SELECT * FROM articles ORDER BY id")
        else:
            yield from self.db.query(
                "SELECT * FROM articles WHERE run_id = ? ORDER BY id", [run_id]
            )

    def count(self, table: str) -> int:
        return self.db[table].count

    def story_members(self, story_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
        """Every stored article of each story, oldest first, in one query: a report lists
        the other outlets of hundreds of stories at once."""
        members: dict[int, list[dict[str, Any]]] = {}
        rows = self.db.query(
            "SELECT id, url, title, source, published, run_id, status, story_id FROM articles"
            " WHERE story_id IN (SELECT value FROM json_each(?)) ORDER BY story_id, first_seen, id",
            [json.dumps(sorted(set(story_ids)))],
        )
        for row in rows:
            members.setdefault(row.pop("story_id"), []).append(row)
        return members

    def run_history(self, run_id: int, limit: int) -> list[dict[str, Any]]:
        """This run and the finished runs before it, newest first, with their stats: the
        history a report on any run (not only the latest) judges source health by."""
        runs = list(
            self.db.query(
                "SELECT * FROM runs WHERE id <= ? AND (status != 'running' OR id = ?)"
                " ORDER BY id DESC LIMIT ?",
                [run_id, run_id, limit],
            )
        )
        for run in runs:
            run["stats"] = json.loads(run["stats"]) if run["stats"] else {}
        return runs

    def latest_stories(self, limit: int) -> list[dict[str, Any]]:
        """The newest relevant stories with their lead article and tags, read newest first
        off the stories.first_seen index (CROSS JOIN fixes the join order): 1 ms instead of
        a sort of every article on 100k articles."""
        rows = list(
            self.db.query(
                "SELECT s.id AS story, s.first_seen, a.title, a.url, a.source, a.published,"
                " a.summary, (SELECT json_group_array(DISTINCT t.tag) FROM articles m"
                "   JOIN article_tags t ON t.article_id = m.id WHERE m.story_id = s.id) AS tags"
                " FROM stories s CROSS JOIN articles a ON a.url = s.lead_url"
                " WHERE a.status = 'relevant' ORDER BY s.first_seen DESC, s.id DESC LIMIT ?",
                [limit],
            )
        )
        for row in rows:
            row["tags"] = sorted(json.loads(row["tags"]))
        return rows

    def daily_tag_counts(self, since: str) -> list[dict[str, Any]]:
        """Stories per tag and day (the day a story was first seen) from `since` on, reading
        only the stories of the window (stories.first_seen index first)."""
        return list(
            self.db.query(
                "SELECT substr(s.first_seen, 1, 10) AS day, t.tag, count(DISTINCT s.id) AS stories"
                " FROM stories s CROSS JOIN articles a ON a.story_id = s.id"
                " CROSS JOIN article_tags t ON t.article_id = a.id"
                " WHERE s.first_seen >= ? AND a.status = 'relevant'"
                " GROUP BY day, t.tag ORDER BY day, t.tag",
                [since],
            )
        )

    # ------------------------------------------------------------------ analysts

    def search(
        self, match: str, where: ArticleFilter, limit: int, marks: tuple[str, str] = ("[", "]")
    ) -> list[dict[str, Any]]:
        """Articles matching the FTS5 expression `match`, best first by bm25 (a hit in the
        title weighs 10, in the summary 4, in the body 1), with a highlighted snippet.

        bm25 costs about 1.5 µs per matching article, so a word in a third of a million
        articles would take half a second: the ranking covers the newest SEARCH_WINDOW
        matches of the filters, and snippets and tags are made for the page shown only."""
        conditions, params = where.where("articles_fts.rowid", "a")
        join = " CROSS JOIN articles a ON a.id = articles_fts.rowid" if where.dated else ""
        sql = (
            "WITH recent AS (SELECT articles_fts.rowid AS id,"
            " bm25(articles_fts, 10.0, 4.0, 1.0) AS score"
            f" FROM articles_fts{join} WHERE articles_fts MATCH ? AND {conditions}"
            " ORDER BY articles_fts.rowid DESC LIMIT ?),"
            " top AS (SELECT id, score FROM recent ORDER BY score LIMIT ?)"
            " SELECT a.id, a.url, a.title, a.source, a.published, a.status, a.relevance,"
            f" {_TAGS_OF.format(a='a')} AS tags, a.story_id AS story,"
            " snippet(articles_fts, -1, ?, ?, '…', 16) AS snippet, top.score"
            " FROM top CROSS JOIN articles_fts ON articles_fts.rowid = top.id"
            " CROSS JOIN articles a ON a.id = top.id"
            " WHERE articles_fts MATCH ? ORDER BY top.score"
        )
        try:
            rows = list(self.db.query(sql, [match, *params, SEARCH_WINDOW, limit, *marks, match]))
        except sqlite3.OperationalError as exc:
            if not str(exc).startswith(("fts5:", "unterminated string")):
                raise
            raise QuerySyntaxError(str(exc)) from None
        for row in rows:
            row["tags"] = json.loads(row["tags"])
        return rows

    def list_articles(self, where: ArticleFilter, limit: int) -> list[dict[str, Any]]:
        """The newest articles of a filter (publication date, then first seen), fast on a
        large archive whether the tag is rare or common (see _RARE_TAG). The page of ids
        is found first, so tags are gathered for the rows shown, not every candidate."""
        conditions, params = where.where()
        order = "a.published DESC, a.first_seen DESC, a.id DESC"
        if where.tag and self._tag_is_rare(where.tag):
            page = (
                "SELECT a.id FROM article_tags k CROSS JOIN articles a ON a.id = k.article_id"
                f" WHERE k.tag = ? AND {conditions} ORDER BY {order} LIMIT ?"
            )
            params = [where.tag, *params]
        else:
            page = f"SELECT a.id FROM articles a WHERE {conditions} ORDER BY {order} LIMIT ?"
        rows = list(
            self.db.query(
                "SELECT a.id, a.url, a.title, a.source, a.published, a.status, a.relevance,"
                f" {_TAGS_OF.format(a='a')} AS tags, a.story_id AS story"
                f" FROM ({page}) p CROSS JOIN articles a ON a.id = p.id ORDER BY {order}",
                [*params, limit],
            )
        )
        for row in rows:
            row["tags"] = json.loads(row["tags"])
        return rows

    def _tag_is_rare(self, tag: str) -> bool:
        row = self.db.execute(
            "SELECT count(*) FROM (SELECT 1 FROM article_tags WHERE tag = ? LIMIT ?)",
            [tag, _RARE_TAG],
        ).fetchone()
        return row[0] < _RARE_TAG

    def iter_export(self, where: ArticleFilter) -> Iterator[tuple[Any, ...]]:
        """Every article of a filter in id order as EXPORT_COLUMNS tuples (tags a JSON
        array), straight off a cursor: memory stays flat however many rows there are."""
        conditions, params = where.where()
        cursor = self.db.execute(
            "SELECT a.id, a.url, a.title, a.source, a.publisher, a.published, a.first_seen,"
            f" a.language, a.status, a.relevance, {_TAGS_OF.format(a='a')}, a.story_id,"
            f" a.story_kind, a.summary FROM articles a WHERE {conditions} ORDER BY a.id",
            params,
        )
        yield from cursor

    def columns(self) -> dict[str, list[str]]:
        """Every table and view with its columns in order: what docs/schema.md must list."""
        names = [
            r[0]
            for r in self.db.execute(
                "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')"
                " AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        return {
            name: [r[1] for r in self.db.execute(f"PRAGMA table_info({name})")] for name in names
        }

    def bulk_load(self, tables: dict[str, tuple[Sequence[str], Iterable[Sequence[Any]]]]) -> None:
        """Load generated rows fast (benchmarks): one transaction, the full-text index
        built once at the end instead of a trigger per row."""
        with self.db.atomic():
            for trigger in FTS_TRIGGERS:
                self.db.execute(f"DROP TRIGGER {trigger}")
            for table, (columns, rows) in tables.items():
                self.db.conn.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)})"
                    f" VALUES ({', '.join('?' * len(columns))})",
                    rows,
                )
            _create_fts(self.db)


class SqliteStoryStore:
    """The story clusterer's memory (pipelines/story_store.StoryStore) in the newswatch database.

    Each method is one indexed query, so the cost of assigning an article does not grow
    with the archive.
    """

    def __init__(self, store: Store):
        self.db = store.db

    def get(self, doc_id: str) -> DocInfo | None:
        row = self.db.execute(
            "SELECT doc_id, story_id, kind, matched, score, title, day, ahead, body_hash,"
            " shingles, entities FROM story_docs WHERE doc_id = ?",
            [doc_id],
        ).fetchone()
        if row is None:
            return None
        return DocInfo(
            doc_id=row[0],
            story_id=row[1],
            kind=row[2],
            matched=row[3],
            score=row[4],
            title=row[5],
            day=date.fromisoformat(row[6]) if row[6] else None,
            ahead=bool(row[7]),
            body_hash=row[8],
            shingles=row[9],
            entities=frozenset(json.loads(row[10])),
        )

    def add(self, doc: DocInfo, band_keys: Sequence[str]) -> None:
        day = doc.day.isoformat() if doc.day else None
        with self.db.atomic():
            seq = self.db.execute(
                "INSERT INTO story_docs (doc_id, story_id, kind, matched, score, title, day,"
                " ahead, body_hash, shingles, entities) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    doc.doc_id,
                    doc.story_id,
                    doc.kind,
                    doc.matched,
                    doc.score,
                    doc.title,
                    day,
                    int(doc.ahead),
                    doc.body_hash,
                    doc.shingles,
                    json.dumps(sorted(doc.entities), ensure_ascii=False),
                ],
            ).lastrowid
            self.db.conn.executemany(
                "INSERT OR IGNORE INTO story_bands (key, seq, doc_id) VALUES (?, ?, ?)",
                [(key, seq, doc.doc_id) for key in band_keys],
            )
            self.db.conn.executemany(
                "INSERT INTO story_entities (key, seq, day, doc_id) VALUES (?, ?, ?, ?)",
                [(key, seq, day, doc.doc_id) for key in doc.entities],
            )
            self.db.conn.executemany(
                "INSERT INTO story_entity_counts (key, n) VALUES (?, 1)"
                " ON CONFLICT (key) DO UPDATE SET n = n + 1",
                [(key,) for key in doc.entities],
            )

    def by_body_hash(self, body_hash: str) -> str | None:
        row = self.db.execute(
            "SELECT doc_id FROM story_docs WHERE body_hash = ? ORDER BY seq LIMIT 1", [body_hash]
        ).fetchone()
        return row[0] if row else None

    def by_bands(self, band_keys: Sequence[str], per_key: int) -> set[str]:
        found: set[str] = set()
        for key in band_keys:
            found.update(
                r[0]
                for r in self.db.execute(
                    "SELECT doc_id FROM story_bands WHERE key = ? ORDER BY seq DESC LIMIT ?",
                    [key, per_key],
                )
            )
        return found

    def by_entities(
        self, keys: Sequence[str], since: date | None, until: date | None, per_key: int
    ) -> set[str]:
        low = since.isoformat() if since and until else ""
        high = until.isoformat() if since and until else "9999"
        found: set[str] = set()
        for key in keys:
            found.update(
                r[0]
                for r in self.db.execute(
                    "SELECT doc_id FROM story_entities WHERE key = ?"
                    " AND (day IS NULL OR day BETWEEN ? AND ?) ORDER BY seq DESC LIMIT ?",
                    [key, low, high, per_key],
                )
            )
        return found

    def entity_counts(self, keys: Iterable[str]) -> dict[str, int]:
        counts: dict[str, int] = {}
        for key in keys:
            row = self.db.execute(
                "SELECT n FROM story_entity_counts WHERE key = ?", [key]
            ).fetchone()
            if row:
                counts[key] = row[0]
        return counts

    def doc_count(self) -> int:
        # seq only grows and rows are never deleted: its maximum is the count, read off the index.
        return self.db.execute("SELECT coalesce(max(seq), 0) FROM story_docs").fetchone()[0]
