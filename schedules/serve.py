"""Browse the database in Datasette, read-only, with described tables and canned queries.

Datasette opens a file it treats as mutable with `?mode=ro`: it cannot write, yet it sees
what a crawl commits while it serves (an `immutable` open would ignore the WAL file and
show a stale archive). Table and column descriptions come from docs/schema.md, so the
browser says what the schema page says.
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

# The questions analysts ask most, as Datasette canned queries (read-only SQL).
CANNED_QUERIES: dict[str, dict[str, str]] = {
    "latest_stories": {
        "title": "Latest stories",
        "description": "The 50 newest stories with their outlets and tags.",
        "sql": "SELECT story_id, first_seen, title, lead_source, outlet_count, outlets, tags,"
        " lead_url FROM v_stories ORDER BY first_seen DESC, story_id DESC LIMIT 50",
    },
    "stories_per_tag_over_time": {
        "title": "Stories per tag over time",
        "description": "Stories per tag and day; give a tag (e.g. BrahMos) or leave it empty.",
        "sql": "SELECT day, tag, stories, articles FROM v_daily_tag_counts"
        " WHERE :tag = '' OR tag = :tag ORDER BY day DESC, stories DESC",
    },
    "s400_timeline": {
        "title": "S-400 timeline",
        "description": "Every story with an article tagged S-400, oldest first.",
        "sql": "SELECT s.first_seen, s.title, s.outlet_count, s.outlets, s.lead_url"
        " FROM v_stories s WHERE s.story_id IN (SELECT a.story_id FROM article_tags t"
        " JOIN articles a ON a.id = t.article_id WHERE t.tag = 'S-400')"
        " ORDER BY s.first_seen",
    },
    "most_carried_stories": {
        "title": "Stories carried by the most outlets",
        "description": "The 50 stories of the last 90 days reported by the most outlets.",
        "sql": "SELECT story_id, outlet_count, articles, title, first_seen, outlets"
        " FROM v_stories WHERE first_seen >= date('now', '-90 days')"
        " ORDER BY outlet_count DESC, articles DESC, first_seen DESC LIMIT 50",
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


def metadata(db_name: str, entries: list[schema_doc.Entry]) -> dict[str, Any]:
    """Datasette metadata: every documented table and column, and the canned queries."""
    tables = {
        name: {"description": entry.description, "columns": entry.columns}
        for entry in entries
        for name in entry.names
    }
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
