"""Browse the database in Datasette, read-only, with described tables and canned queries.

Datasette opens a file it treats as mutable with `?mode=ro`: it cannot write, yet it sees
what a crawl commits while it serves (an `immutable` open would ignore the WAL file and
show a stale archive). Table and column descriptions come from docs/schema.md, so the
browser says what the schema page says.

The plugins in datasette_plugins/ and the templates in templates/ make it the browser
analysts expect: a page per story (/-/story/<id>) that story ids link to, a weekly
chart of stories per tag (/-/tags-per-week), titles linked to their articles, JSON
lists shown as lists, `_search` read as `newswatch search` reads it, and the views and
canned queries listed first.
"""

from __future__ import annotations

import importlib.util
import json
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from pipelines import schema_doc

HOST = "127.0.0.1"
# The plugin modules (story page, chart, search, cell rendering) and the templates that
# give the pages their order: views and canned queries first.
PLUGINS_DIR = Path(__file__).parent / "datasette_plugins"
TEMPLATES_DIR = Path(__file__).parent / "templates"

# The lead article's publication and the newest member's, for queries over v_stories `s`
# and its lead article `l`.
STORY_DATES = "l.published AS lead_published, s.last_published"

# The questions analysts ask most, as Datasette canned queries (read-only SQL), newest
# publication first. Each reads the newest rows off the articles.published_utc index, or
# picks its rows before it works out their columns, so it stays fast on a large archive.
CANNED_QUERIES: dict[str, dict[str, str]] = {
    "latest_stories": {
        "title": "Latest stories",
        "description": "The 50 newest stories (by their lead article's publication) with their "
        "outlets and tags.",
        # CROSS JOIN keeps the join order: lead articles newest first, read off the index.
        "sql": f"SELECT s.story_id, {STORY_DATES}, s.title, s.lead_source, s.outlet_count,"
        " s.outlets, s.tags, s.lead_url FROM articles l CROSS JOIN v_stories s"
        " ON s.lead_url = l.url ORDER BY l.published_utc DESC, s.story_id DESC LIMIT 50",
    },
    "stories_per_tag_over_time": {
        "title": "Stories per tag over time",
        "description": "Stories per tag and day; give a tag (e.g. BrahMos) or leave it empty.",
        "sql": "SELECT day, tag, stories, articles FROM v_daily_tag_counts"
        " WHERE :tag = '' OR tag = :tag ORDER BY day DESC, stories DESC",
    },
    "tag_timeline": {
        "title": "Tag timeline",
        "description": "The newest 1,000 stories with an article tagged :tag (e.g. S-400, "
        "BrahMos), newest first.",
        "sql": "WITH newest AS (SELECT st.id, l.published AS lead_published, l.published_utc"
        " FROM stories st JOIN articles l ON l.url = st.lead_url"
        " WHERE st.id IN (SELECT a.story_id FROM article_tags t"
        " JOIN articles a ON a.id = t.article_id WHERE t.tag = :tag AND a.status != 'irrelevant')"
        " ORDER BY l.published_utc DESC, st.id DESC LIMIT 1000)"
        " SELECT s.story_id, n.lead_published, s.last_published, s.title, s.outlet_count,"
        " s.outlets, s.tags, s.lead_url FROM newest n JOIN v_stories s ON s.story_id = n.id"
        " ORDER BY n.published_utc DESC, s.story_id DESC",
    },
    "most_carried_stories": {
        "title": "Stories carried by the most outlets",
        "description": "The 50 stories of the last 90 days reported by the most outlets.",
        "sql": "WITH carried AS (SELECT m.story_id, count(DISTINCT m.source) AS outlet_count,"
        " count(*) AS articles, max(m.published_utc) AS newest"
        " FROM stories st JOIN articles m ON m.story_id = st.id"
        " WHERE st.first_seen >= date('now', '-90 days') AND m.status != 'irrelevant'"
        " GROUP BY m.story_id ORDER BY outlet_count DESC, articles DESC, newest DESC LIMIT 50)"
        f" SELECT s.story_id, s.outlet_count, s.articles, s.title, {STORY_DATES}, s.outlets,"
        " s.lead_url FROM carried c JOIN v_stories s ON s.story_id = c.story_id"
        " LEFT JOIN articles l ON l.url = s.lead_url"
        " ORDER BY c.outlet_count DESC, c.articles DESC, c.newest DESC",
    },
    "failing_sources": {
        "title": "Failing sources",
        "description": "Sources that failed in the latest finished run, with how many of the "
        "last 10 runs they failed in and their first error (from runs.stats).",
        "sql": "WITH recent AS (SELECT id, started, stats FROM runs WHERE status != 'running'"
        " ORDER BY id DESC LIMIT 10),"
        " per AS (SELECT r.id, r.started, s.key AS source,"
        " json_extract(s.value, '$.status') AS status, json_extract(s.value, '$.error') AS error"
        " FROM recent r, json_each(r.stats, '$.sources') s)"
        " SELECT source, sum(status = 'failed') AS failed_of_last_10,"
        " max(CASE WHEN id = (SELECT max(id) FROM recent) THEN error END) AS latest_error,"
        " (SELECT max(started) FROM recent) AS latest_run"
        " FROM per GROUP BY source"
        " HAVING max(CASE WHEN id = (SELECT max(id) FROM recent) THEN status END) = 'failed'"
        " ORDER BY failed_of_last_10 DESC, source",
    },
}

# Tables only the crawler and the story matcher read: hidden from the home and database
# pages (still reachable by URL and SQL).
HIDDEN_TABLES = (
    "seen_urls",
    "feed_state",
    "backfill_slices",
    "story_members",
    "story_bands",
    "story_keys",
    "story_key_counts",
    "story_rules",
)

# Full-text search: the articles index, also for the views whose rows are articles
# (`fts_pk` names their article id column). Explicit, because Datasette finds an index by
# itself only for a table whose index says `content="articles"` or `content=[articles]`
# (one written `content=articles`, as schema 6 did, made `_search` a silent no-op that
# listed every row) and never for a view. datasette_plugins/search.py reads the typed
# words with pipelines.fts_query.to_fts and searches v_stories through its articles.
FTS_TABLE = "articles_fts"

# How each table and view opens: newest first, searchable when its rows are articles.
TABLE_OPTIONS: dict[str, dict[str, Any]] = {
    "v_articles": {"sort_desc": "published_utc", "fts_table": FTS_TABLE, "fts_pk": "id"},
    "v_stories": {"sort_desc": "first_seen"},
    "v_daily_tag_counts": {"sort_desc": "day"},
    "v_run_new_items": {"sort_desc": "run_id", "fts_table": FTS_TABLE, "fts_pk": "article_id"},
    "article_tags_view": {
        "sort_desc": "published_utc",
        "fts_table": FTS_TABLE,
        "fts_pk": "article_id",
    },
    "articles": {"sort_desc": "published_utc", "fts_table": FTS_TABLE, "fts_pk": "id"},
    "stories": {"sort_desc": "first_seen"},
    "runs": {"sort_desc": "id"},
    "fetch_errors": {"sort_desc": "at"},
    "leads": {"sort_desc": "first_seen"},
    "article_revisions": {"sort_desc": "replaced_at"},
    "article_tags": {"sort_desc": "article_id"},
    **{name: {"hidden": True} for name in HIDDEN_TABLES},
}


def metadata(db_name: str, entries: list[schema_doc.Entry]) -> dict[str, Any]:
    """Datasette metadata: every documented table and column, how each table opens, and
    the canned queries."""
    tables: dict[str, dict[str, Any]] = {
        name: {"description": entry.description, "columns": entry.columns}
        for entry in entries
        for name in entry.names
    }
    for name, options in TABLE_OPTIONS.items():
        tables.setdefault(name, {}).update(options)
    return {
        "title": "newswatch",
        "description": "India–Russia defence news: articles, stories, tags and runs. "
        "Start with the v_ views; the schema is in docs/schema.md.",
        "databases": {db_name: {"tables": tables, "queries": CANNED_QUERIES}},
    }


def datasette_installed() -> bool:
    return importlib.util.find_spec("datasette") is not None


def serve(db: Path, port: int) -> int:
    """Run Datasette on HOST:port over `db` until interrupted; returns its exit code."""
    with tempfile.TemporaryDirectory(prefix="newswatch-serve-") as tmp:
        meta = Path(tmp) / "metadata.json"
        meta.write_text(json.dumps(metadata(db.stem, schema_doc.load()), ensure_ascii=False))
        command = [
            sys.executable,
            "-m",
            "datasette",
            "serve",
            str(db),
            "--metadata",
            str(meta),
            "--plugins-dir",
            str(PLUGINS_DIR),
            "--template-dir",
            str(TEMPLATES_DIR),
            "--host",
            HOST,
            "--port",
            str(port),
            "--setting",
            "sql_time_limit_ms",
            "5000",
        ]
        child = subprocess.Popen(command)
        # Stopping `newswatch serve` stops Datasette too, never leaving it orphaned.
        signal.signal(signal.SIGTERM, lambda *_: child.terminate())
        try:
            return child.wait()
        except KeyboardInterrupt:
            child.terminate()
            child.wait()
            return 0
