"""Analysts' queries: full-text search, newest-first listings and streamed exports."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlite_utils

from pipelines.fts_query import QuerySyntaxError
from pipelines.store.schema import TAGS_OF, UTC_DATE, day_of, tag_token


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
        """SQL conditions on the article row `alias` (whose id is `id_column`), and their
        params. Irrelevant and tagged articles are found by id."""
        clauses = [f"{id_column} NOT IN (SELECT id FROM articles WHERE status = 'irrelevant')"]
        params: list[Any] = []
        if self.tag:
            clauses.append(
                f"EXISTS (SELECT 1 FROM article_tags t WHERE t.article_id = {id_column}"
                " AND t.tag = ?)"
            )
            params.append(self.tag)
        if self.source:
            clauses.append(f"{alias}.source = ?")
            params.append(self.source)
        day_clauses, day_params = self.days(day_of(alias))
        return " AND ".join(clauses + day_clauses), params + day_params

    def days(self, day: str) -> tuple[list[str], list[str]]:
        """The date conditions on the SQL expression `day`, and their params."""
        clauses, params = [], []
        if self.since:
            clauses.append(f"{day} >= ?")
            params.append(self.since)
        if self.until:
            clauses.append(f"{day} < ?")
            params.append(_day_after(self.until) if len(self.until) == 10 else self.until)
        return clauses, params


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
# What sqlite3 raises for a MATCH expression FTS5 cannot read (to_fts reads every query
# first, so these reach a user only from an expression written by hand).
_FTS5_ERRORS = (
    "fts5:",
    "unterminated string",
    "unknown special query",
    "no such column",
    "expected integer",
)
# Listing a tag newest first: below this many tagged articles, read them off the tag
# index and sort; above, walk the publication-date index until enough carry the tag
# (a tag this common is met within a few thousand rows).
_RARE_TAG = 5000


@dataclass(frozen=True)
class SearchPage:
    """A page of ranked matches, and how many articles matched: exactly when at most
    SEARCH_WINDOW did; otherwise `capped`, and the page is the best of the newest
    SEARCH_WINDOW."""

    rows: list[dict[str, Any]]
    matches: int
    capped: bool


class SearchQueries:
    db: sqlite_utils.Database

    def search(
        self, match: str, where: ArticleFilter, limit: int, marks: tuple[str, str] = ("[", "]")
    ) -> SearchPage:
        """Articles matching the FTS5 expression `match` (pipelines.fts_query.to_fts), best
        first by bm25 (a hit in the title weighs 10, in the summary 4, in the body 1), with
        a highlighted snippet of the original text.

        bm25 costs about 1.5 µs per matching article, so a word in a third of a million
        articles would take half a second: the ranking covers the newest SEARCH_WINDOW
        matches of the filters, and snippets and tags are made for the page shown only.
        A tag is a term of the index (articles.tag_terms, weighing nothing in the ranking),
        so FTS5 intersects the words with it; no other filter reads an article's row, which
        is long and holds its dates last: each is judged off an index (see _hit_filter)."""
        ranked = f"({match}) AND {tag_token(where.tag)}" if where.tag else match
        conditions, params = self._hit_filter(where)
        sql = (
            "WITH recent AS (SELECT articles_fts.rowid AS id,"
            " bm25(articles_fts, 10.0, 4.0, 1.0, 0.0) AS score"
            f" FROM articles_fts WHERE articles_fts MATCH ? AND {conditions}"
            " ORDER BY articles_fts.rowid DESC LIMIT ? + 1),"
            " newest AS (SELECT id, score FROM recent ORDER BY id DESC LIMIT ?),"
            " top AS (SELECT id, score FROM newest ORDER BY score LIMIT ?)"
            " SELECT a.id, a.url, a.title, a.source, a.published, a.status, a.relevance,"
            f" {TAGS_OF.format(a='a')} AS tags, a.story_id AS story,"
            " snippet(articles_fts, -1, ?, ?, '…', 16) AS snippet,"
            " (SELECT count(*) FROM recent) AS matches"
            " FROM top CROSS JOIN articles_fts ON articles_fts.rowid = top.id"
            " CROSS JOIN articles a ON a.id = top.id"
            " WHERE articles_fts MATCH ? ORDER BY top.score"
        )
        window = [SEARCH_WINDOW, SEARCH_WINDOW, limit]
        try:
            rows = list(self.db.query(sql, [ranked, *params, *window, *marks, match]))
        except sqlite3.OperationalError as exc:
            if not str(exc).startswith(_FTS5_ERRORS):
                raise
            raise QuerySyntaxError(f"FTS5 cannot read it: {exc}") from None
        matches = rows[0].pop("matches") if rows else 0
        for row in rows[1:]:
            del row["matches"]
        for row in rows:
            row["tags"] = json.loads(row["tags"])
        return SearchPage(rows, min(matches, SEARCH_WINDOW), matches > SEARCH_WINDOW)

    def _hit_filter(self, where: ArticleFilter) -> tuple[str, list[Any]]:
        """SQL conditions on a hit's rowid for the filters, and their params.

        The irrelevant articles and a source (a few per cent of the archive) become sets
        of ids read once off their indexes; the unary + keeps SQLite from feeding such a
        set to FTS5 as rowid lookups. Dates bound the rowids (FTS5 then reads only the hits
        between) and are checked per hit in articles_id_day, an index far smaller than the
        rows, which hold dates last. The tag is not here: it is part of the match."""
        hit = "articles_fts.rowid"
        clauses = [f"{hit} NOT IN (SELECT id FROM articles WHERE status = 'irrelevant')"]
        params: list[Any] = []
        if where.source:
            clauses.append(f"+{hit} IN (SELECT id FROM articles WHERE source = ?)")
            params.append(where.source)
        if where.dated:
            clauses.append(f"{hit} BETWEEN ? AND ?")
            params += self._ids_of_dates(where)
            days, day_params = where.days(day_of("d"))
            clauses.append(
                f"EXISTS (SELECT 1 FROM articles d INDEXED BY articles_id_day WHERE d.id = {hit}"
                f" AND {' AND '.join(days)})"
            )
            params += day_params
        return " AND ".join(clauses), params

    def _ids_of_dates(self, where: ArticleFilter) -> list[int]:
        """The least and greatest id of the articles of the dates a filter's range
        touches (a few ms for years: two seeks in articles_date_id per date). Articles are
        stored as they are published, so the ids of a range are mostly a run; a backfill
        widens it, never making it wrong. The dates are the first ten characters of the
        times compared, so a time that passes the filter has a date within them."""
        first = (where.since or "")[:10]
        last = (where.until or "9999")[:10]
        least, greatest = self.db.execute(
            "WITH RECURSIVE dates(date) AS ("
            f" SELECT min({UTC_DATE}) FROM articles WHERE {UTC_DATE} >= ?"
            " UNION ALL"
            f" SELECT (SELECT min({UTC_DATE}) FROM articles WHERE {UTC_DATE} > dates.date)"
            " FROM dates WHERE dates.date < ?)"
            f" SELECT min((SELECT min(id) FROM articles WHERE {UTC_DATE} = dates.date)),"
            f" max((SELECT max(id) FROM articles WHERE {UTC_DATE} = dates.date))"
            " FROM dates WHERE dates.date <= ?",
            [first, last, last],
        ).fetchone()
        return [least, greatest] if least is not None else [1, 0]

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
