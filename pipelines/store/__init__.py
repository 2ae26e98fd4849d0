"""The SQLite store: one facade over a package that keeps every query newswatch runs.

Each module holds the queries of one domain (runs, articles, search, stories, reports)
and the schema sits in `schema.py`, so SQL lives here and nowhere else. The database
runs in WAL mode, so analysts can read it while a crawl writes; each article is written
in one transaction, so a reader never sees half an article and a killed crawl loses at
most the article it was writing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from pipelines.store import schema
from pipelines.store.articles import ArticleQueries
from pipelines.store.reports import ReportQueries
from pipelines.store.runs import RunQueries
from pipelines.store.search import EXPORT_COLUMNS, ArticleFilter, QuerySyntaxError, SearchQueries
from pipelines.store.stories import StoryQueries
from pipelines.store.story_index import SqliteStoryStore

__all__ = [
    "BUSY_TIMEOUT_MS",
    "DEFAULT_DB",
    "EXPORT_COLUMNS",
    "ArticleFilter",
    "NoDatabase",
    "QuerySyntaxError",
    "SqliteStoryStore",
    "Store",
    "StoreError",
    "utc_now",
]

DEFAULT_DB = Path("data") / "newswatch.db"
BUSY_TIMEOUT_MS = 10_000


def utc_now() -> str:
    """Timestamps are stored as ISO 8601 in UTC with an explicit offset."""
    return datetime.now(UTC).isoformat(timespec="seconds")


class StoreError(RuntimeError):
    """The database cannot be used (newer schema, not a database, unreadable file)."""


class NoDatabase(StoreError):
    """A command that only reads was pointed at a database that does not exist."""

    def __init__(self, path: Path):
        super().__init__(f'no database at {path} (run "newswatch run" first)')


class Store(RunQueries, ArticleQueries, SearchQueries, StoryQueries, ReportQueries):
    """A newswatch database: open it, and the schema is brought up to date.

    `create=False` is for commands that only read: a missing file is an error instead of
    a new empty database. `clock` gives the timestamps written (benchmarks set it)."""

    def __init__(
        self,
        path: str | Path = DEFAULT_DB,
        *,
        create: bool = True,
        busy_timeout_ms: int = BUSY_TIMEOUT_MS,
        clock: Callable[[], str] = utc_now,
    ):
        self.path = Path(path)
        self.clock = clock
        # The story indexes on this connection: what they keep decoded is forgotten when
        # a transaction rolls back, so it never holds what the database does not.
        self._story_stores: list[SqliteStoryStore] = []
        in_memory = str(path) == ":memory:"
        if not in_memory:
            if not self.path.exists() and not create:
                raise NoDatabase(self.path)
            if self.path.is_dir():
                raise StoreError(f"{self.path}: is a directory, not a database file")
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = sqlite3.connect(str(path), timeout=busy_timeout_ms / 1000)
            schema.register_functions(conn)
            self.db = sqlite_utils.Database(conn)
            self.db.execute(f"PRAGMA busy_timeout = {busy_timeout_ms}")
            self.db.execute("PRAGMA foreign_keys = ON")
            if not in_memory:
                self.db.enable_wal()
                # In WAL mode NORMAL never corrupts the file; it only skips an fsync per commit.
                self.db.execute("PRAGMA synchronous = NORMAL")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise
            raise StoreError(f"{self.path}: cannot use it as a database: {exc}") from None

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """Everything written inside commits together or not at all. The write lock is
        taken at the start (BEGIN IMMEDIATE), so a transaction that reads before it
        writes waits out another writer for the busy timeout instead of failing at its
        first write; nested, it is a savepoint."""
        nested = self.db.conn.in_transaction
        try:
            if nested:
                with self.db.atomic():
                    yield self
            else:
                self.db.execute("BEGIN IMMEDIATE")
                yield self
                self.db.conn.commit()
        except BaseException:
            if not nested and self.db.conn.in_transaction:
                self.db.conn.rollback()
            for index in self._story_stores:
                index.forget()
            raise

    def story_store(self, run_id: int | None = None, *, rebuild: bool = False) -> SqliteStoryStore:
        """The story matcher's index in this database, on this connection; merges are
        recorded against `run_id`. `rebuild`: stories keep their ids when their lead
        articles lead them again (see pipelines/recluster.py)."""
        index = SqliteStoryStore(self.db, self.clock, run_id, reuse_leads=rebuild)
        self._story_stores.append(index)
        return index

    # ------------------------------------------------------------------ schema

    @property
    def schema_version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    def _migrate(self) -> None:
        version = self.schema_version
        if version > schema.SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: schema version {version} is newer than this newswatch "
                f"({schema.SCHEMA_VERSION}); upgrade newswatch"
            )
        if version == schema.SCHEMA_VERSION:
            return
        with self.db.atomic():
            schema.drop_views(self.db)
            for number, migration in enumerate(schema.MIGRATIONS[version:], start=version + 1):
                migration(self.db)
                self.db.execute(f"PRAGMA user_version = {number}")
            schema.create_views(self.db)

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
            schema.drop_fts(self.db)
            for table, (columns, rows) in tables.items():
                self.db.conn.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)})"
                    f" VALUES ({', '.join('?' * len(columns))})",
                    rows,
                )
            schema.build_fts(self.db)
