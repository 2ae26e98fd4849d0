"""What a run's report reads: the articles a run stored and stories per tag and day."""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils


class ReportQueries:
    db: sqlite_utils.Database

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
                " ORDER BY coalesce(a.published_utc, a.first_seen) DESC, a.id",
                [run_id],
            )
        )
        for row in rows:
            row["tags"] = json.loads(row["tags"])
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
