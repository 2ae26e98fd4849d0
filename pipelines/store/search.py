"""Analysts' queries: full-text search, newest-first listings and streamed exports."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlite_utils

from pipelines.store.schema import TAGS_OF


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
        day = f"coalesce({alias}.published_utc, {alias}.first_seen)"
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


class SearchQueries:
    db: sqlite_utils.Database

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
            f" {TAGS_OF.format(a='a')} AS tags, a.story_id AS story,"
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
        order = "a.published_utc DESC, a.first_seen DESC, a.id DESC"
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
                f" {TAGS_OF.format(a='a')} AS tags, a.story_id AS story"
                f" FROM ({page}) p CROSS JOIN articles a ON a.id = p.id ORDER BY {order}",
                [*params, limit],
            )
        )
        for row in rows:
            row["tags"] = json.loads(row["tags"])
        return rows

    def source_names(self) -> list[str]:
        """Every source the archive knows: the registry's and those of stored articles."""
        rows = self.db.execute(
            "SELECT name FROM sources UNION SELECT DISTINCT source FROM articles ORDER BY 1"
        )
        return [name for (name,) in rows if name]

    def has_tag(self, tag: str) -> bool:
        """Some article carries this exact tag (one a lexicon no longer has, say)."""
        row = self.db.execute("SELECT 1 FROM article_tags WHERE tag = ? LIMIT 1", [tag])
        return row.fetchone() is not None

    def _tag_is_rare(self, tag: str) -> bool:
        row = self.db.execute(
            "SELECT count(*) FROM (SELECT 1 FROM article_tags WHERE tag = ? LIMIT ?)",
            [tag, _RARE_TAG],
        ).fetchone()
        return row[0] < _RARE_TAG

    def iter_export(self, where: ArticleFilter) -> Iterator[dict[str, Any]]:
        """Every article of a filter in id order, EXPORT_COLUMNS each (tags a list), straight
        off a cursor: memory stays flat however many rows there are."""
        conditions, params = where.where()
        cursor = self.db.execute(
            "SELECT a.id, a.url, a.title, a.source, a.publisher, a.published, a.first_seen,"
            f" a.language, a.status, a.relevance, {TAGS_OF.format(a='a')}, a.story_id,"
            f" a.story_kind, a.summary FROM articles a WHERE {conditions} ORDER BY a.id",
            params,
        )
        for row in cursor:
            record = dict(zip(EXPORT_COLUMNS, row, strict=True))
            record["tags"] = json.loads(record["tags"])
            yield record
