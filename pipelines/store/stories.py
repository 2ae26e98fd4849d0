"""Stories as analysts and reports read them (the matcher's index is story_index.py)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

import sqlite_utils

from pipelines.store.search import ArticleFilter


class StoryQueries:
    db: sqlite_utils.Database
    clock: Callable[[], str]

    def stories(
        self,
        where: ArticleFilter | None = None,
        *,
        seen_since: str | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        """Stories newest first (by first seen), each with its member articles (lead first)
        and the outlets that carried it with the languages they wrote in. `where` keeps the
        stories with at least one article it covers (publication dates, tag, source);
        `seen_since` those first seen on or after that day."""
        members, params = (where or ArticleFilter()).where("m.id", "m")
        query = (
            "SELECT s.id, s.lead_url, s.first_seen,"
            " coalesce(s.title, (SELECT title FROM articles WHERE url = s.lead_url)) AS title,"
            " (SELECT published FROM articles WHERE story_id = s.id"
            " ORDER BY published_utc LIMIT 1) AS first_published,"
            " (SELECT published FROM articles WHERE story_id = s.id"
            " ORDER BY published_utc DESC LIMIT 1) AS published"
            " FROM stories s WHERE s.first_seen >= coalesce(?, '')"
            f" AND EXISTS (SELECT 1 FROM articles m WHERE m.story_id = s.id AND {members})"
            " ORDER BY s.first_seen DESC, s.id DESC"
        )
        params = [seen_since, *params]
        if limit:
            query += " LIMIT ?"
            params.append(limit)
        stories = list(self.db.query(query, params))
        for story in stories:
            story["articles"] = list(
                self.db.query(
                    "SELECT id, url, title, source, language, published, story_kind, status"
                    " FROM articles WHERE story_id = ? ORDER BY url != ?, first_seen, id",
                    [story["id"], story["lead_url"]],
                )
            )
            languages: dict[str, set[str]] = {}
            for article in story["articles"]:
                found = languages.setdefault(article["source"], set())
                if article["language"]:
                    found.add(article["language"])
            story["outlets"] = [
                {"source": source, "languages": sorted(found)}
                for source, found in sorted(languages.items())
            ]
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

    # ------------------------------------------------------------------ the matcher's index

    def story_rules(self) -> str | None:
        """The version of the rules that built the story index (None: never built)."""
        row = self.db.execute("SELECT value FROM story_rules WHERE name = 'version'").fetchone()
        return row[0] if row else None

    def set_story_rules(self, version: str) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO story_rules (name, value) VALUES ('version', ?)", [version]
        )

    def reset_story_index(self) -> None:
        """Forget every assignment (stories keep their rows, so their ids can be reused)."""
        for table in ("story_members", "story_bands", "story_keys", "story_key_counts"):
            self.db.execute(f"DELETE FROM {table}")
        self.db.execute("UPDATE stories SET profile = NULL")

    def clustering_order(self, since: str | None) -> list[int]:
        """Ids of the articles (all, or published — else first seen — since `since`) in
        publication order: the order the story matcher is replayed in."""
        day = "coalesce(published_utc, first_seen)"
        return [
            r[0]
            for r in self.db.execute(
                f"SELECT id FROM articles WHERE {day} >= ? ORDER BY {day}, id", [since or ""]
            )
        ]

    def articles_for_clustering(self, ids: list[int]) -> list[dict[str, Any]]:
        """What the story matcher reads of these articles (`themes`: their theme tags), in
        the order given."""
        rows = {
            row["id"]: row
            for row in self.db.query(
                "SELECT a.id, a.url, a.title, a.body, a.published, a.story_id,"
                " (SELECT json_group_array(t.tag) FROM article_tags t JOIN tags g"
                "  ON g.name = t.tag WHERE t.article_id = a.id AND g.kind = 'theme') AS themes"
                " FROM articles a WHERE a.id IN (SELECT value FROM json_each(?))",
                [json.dumps(ids)],
            )
        }
        for row in rows.values():
            row["themes"] = json.loads(row["themes"])
        return [rows[i] for i in ids if i in rows]

    def recent_small_stories(self, since: str, size: int, limit: int) -> list[int]:
        """Ids of the articles of the live stories of at most `size` articles, one of
        them first seen on or after `since` (the newest `limit`, oldest first): a crawl
        judges them again with its own articles, so that yesterday's early report joins
        the story its event formed today."""
        return [
            r[0]
            for r in self.db.execute(
                "SELECT * FROM (SELECT id, first_seen FROM articles WHERE story_id IN ("
                "  SELECT story_id FROM articles WHERE story_id IN ("
                "   SELECT story_id FROM articles WHERE first_seen >= ?)"
                "  GROUP BY story_id HAVING count(*) <= ?)"
                " ORDER BY first_seen DESC, id DESC LIMIT ?) ORDER BY first_seen, id",
                [since, size, limit],
            )
        ]

    def set_article_stories(self, rows: Iterable[tuple[int, str, str | None, int]]) -> None:
        """(story id, kind, matched URL, article id) for re-assigned articles."""
        self.db.conn.executemany(
            "UPDATE articles SET story_id = ?, story_kind = ?,"
            " duplicate_of = (SELECT id FROM articles d WHERE d.url = ? AND ? = 'duplicate')"
            " WHERE id = ?",
            [(story, kind, matched, kind, article) for story, kind, matched, article in rows],
        )

    def retire_unused_stories(self, run_id: int | None = None) -> int:
        """Stories no article belongs to any more point at the story their lead article
        joined, so links to them still resolve. With `run_id` (a crawl's refining), those
        formed by an earlier run are recorded as merged by this one, so its report says
        so; the run's own never reached a report. Returns how many were retired."""
        cursor = self.db.execute(
            "UPDATE stories SET merged_into = (SELECT a.story_id FROM articles a"
            "   WHERE a.url = stories.lead_url AND a.story_id != stories.id), profile = NULL,"
            " merged_at = ?, merged_run = CASE WHEN EXISTS (SELECT 1 FROM articles a"
            "   WHERE a.url = stories.lead_url AND a.run_id IS NOT ?) THEN ? END"
            " WHERE merged_into IS NULL"
            " AND NOT EXISTS (SELECT 1 FROM articles a WHERE a.story_id = stories.id)"
            " AND EXISTS (SELECT 1 FROM articles a WHERE a.url = stories.lead_url)",
            [self.clock(), run_id, run_id],  # formed by an earlier run: merged by this one
        )
        return cursor.rowcount

    def resolve_story(self, story_id: int) -> int | None:
        """The live story a (possibly merged) story id stands for, or None if unknown."""
        row = self.db.execute(
            "SELECT coalesce(merged_into, id) FROM stories WHERE id = ?", [story_id]
        ).fetchone()
        return row[0] if row else None

    def merged_stories(self, run_ids: Iterable[int]) -> list[dict[str, Any]]:
        """Stories merged into others during these runs, with the titles of both."""
        return list(
            self.db.query(
                "SELECT s.id AS story, coalesce(s.title, a.title) AS title,"
                " t.id AS into_story, coalesce(t.title, b.title) AS into_title"
                " FROM stories s JOIN stories t ON t.id = s.merged_into"
                " LEFT JOIN articles a ON a.url = s.lead_url"
                " LEFT JOIN articles b ON b.url = t.lead_url"
                " WHERE s.merged_run IN (SELECT value FROM json_each(?)) ORDER BY s.id",
                [json.dumps(sorted(set(run_ids)))],
            )
        )
