"""Stories: the story clusterer's index, and stories as analysts and reports read them."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

import sqlite_utils

from pipelines.story_store import DocInfo


class StoryQueries:
    db: sqlite_utils.Database

    def stories(self, since: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        """Stories newest first, each with its member articles (lead first) and outlets."""
        query = (
            "SELECT s.id, s.lead_url, s.first_seen,"
            " coalesce(s.title, (SELECT title FROM articles WHERE url = s.lead_url)) AS title,"
            " (SELECT published FROM articles WHERE story_id = s.id"
            " ORDER BY published_utc DESC LIMIT 1) AS published"
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


class SqliteStoryStore:
    """The story clusterer's memory (pipelines/story_store.StoryStore) in the newswatch database.

    Each method is one indexed query, so the cost of assigning an article does not grow
    with the archive.
    """

    def __init__(self, db: sqlite_utils.Database):
        self.db = db

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
