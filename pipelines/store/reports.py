"""What a run's report reads: the articles a run stored, their outlets' languages, the
openings of their texts, and when each recent story was first published."""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

# Enough of a body for the one or two sentences a report shows under a headline.
BODY_LEAD_CHARS = 1000


class ReportQueries:
    db: sqlite_utils.Database

    def run_articles(self, run_id: int) -> list[dict[str, Any]]:
        """Articles first stored by this run (relevant and borderline), newest first, with
        their tags, summary, the opening of their body (`body_lead`) and the run that
        first stored their story (`story_run`)."""
        rows = list(
            self.db.query(
                "SELECT a.id, a.url, a.title, a.source, a.published, a.first_seen, a.relevance,"
                " a.status, a.story_id, a.story_kind, a.summary,"
                " substr(a.body, 1, ?) AS body_lead,"
                " (SELECT json_group_array(tag) FROM (SELECT tag FROM article_tags"
                "   WHERE article_id = a.id ORDER BY tag)) AS tags,"
                " (SELECT min(run_id) FROM articles m WHERE m.story_id = a.story_id) AS story_run"
                " FROM articles a WHERE a.run_id = ? AND a.status IN ('relevant', 'borderline')"
                " ORDER BY coalesce(a.published_utc, a.first_seen) DESC, a.id",
                [BODY_LEAD_CHARS, run_id],
            )
        )
        for row in rows:
            row["tags"] = json.loads(row["tags"])
        return rows

    def source_languages(self) -> dict[str, str]:
        """The language each registered outlet writes in, as the registry says."""
        return {
            name: language
            for name, language in self.db.execute("SELECT name, language FROM sources")
            if language
        }

    def body_leads(self, urls: list[str]) -> dict[str, str]:
        """The opening of each stored article's body: the summary of a feed entry whose
        feed gave none."""
        return {
            url: lead
            for url, lead in self.db.execute(
                "SELECT url, substr(body, 1, ?) FROM articles"
                " WHERE url IN (SELECT value FROM json_each(?)) AND body IS NOT NULL",
                [BODY_LEAD_CHARS, json.dumps(urls)],
            )
        }

    def latest_reported_run(self) -> int | None:
        """The run whose report is the newest written: the one `latest.json` holds."""
        return self.db.execute("SELECT max(reported_in) FROM runs").fetchone()[0]

    def story_publications(self, since: str) -> list[dict[str, Any]]:
        """Each tag of each story first published (the publisher's date of its earliest
        relevant article, else when it was first seen) on or after `since` (UTC), with
        that date as the publisher wrote it: the chart counts stories by the day they
        were published, not the day a backfill found them. Only the stories with an
        article of the window are read (articles.status, published_utc index)."""
        moment = "coalesce(a.published_utc, a.first_seen)"
        return list(
            self.db.query(
                "WITH recent AS ("
                "   SELECT story_id FROM articles"
                "   WHERE status = 'relevant' AND published_utc >= :since"
                "   UNION SELECT story_id FROM articles"
                "   WHERE status = 'relevant' AND published_utc IS NULL AND first_seen >= :since),"
                " earliest AS ("
                f"  SELECT r.story_id AS story, (SELECT coalesce(a.published, a.first_seen)"
                "     FROM articles a WHERE a.story_id = r.story_id AND a.status = 'relevant'"
                f"    ORDER BY {moment}, a.id LIMIT 1) AS published,"
                f"   (SELECT min({moment}) FROM articles a"
                "     WHERE a.story_id = r.story_id AND a.status = 'relevant') AS published_utc"
                "   FROM recent r WHERE r.story_id IS NOT NULL)"
                " SELECT DISTINCT e.story, e.published, t.tag FROM earliest e"
                " JOIN articles a ON a.story_id = e.story AND a.status = 'relevant'"
                " JOIN article_tags t ON t.article_id = a.id"
                " WHERE e.published_utc >= :since ORDER BY e.story, t.tag",
                {"since": since},
            )
        )
