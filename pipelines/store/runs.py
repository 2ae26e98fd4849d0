"""Runs and what the crawler remembers between them: sources, failures, feed validators,
aggregator leads, backfill progress and notification results."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from typing import Any

import sqlite_utils


class RunQueries:
    db: sqlite_utils.Database
    clock: Callable[[], str]
    transaction: Callable[[], AbstractContextManager[Any]]  # Store's: BEGIN IMMEDIATE

    # ------------------------------------------------------------------ sources

    def sync_sources(self, sources: Iterable[Any]) -> None:
        """Record the registry as the crawl sees it, so reports can name every source."""
        now = self.clock()
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
        with self.transaction():
            self.db["sources"].upsert_all(rows, pk="name")
            # A source no longer in the registry is no longer crawled either.
            names = [row["name"] for row in rows]
            marks = ", ".join("?" * len(names))
            self.db.execute(f"UPDATE sources SET enabled = 0 WHERE name NOT IN ({marks})", names)

    def registry_sources(self) -> set[str] | None:
        """The sources the registry crawled as the latest crawl saw it (None before any
        crawl recorded one): a source removed or disabled since is not among them."""
        rows = self.db.execute("SELECT name, enabled FROM sources").fetchall()
        return {name for name, enabled in rows if enabled} if rows else None

    # ------------------------------------------------------------------ runs

    def start_run(self, kind: str = "run", pid: int | None = None) -> int:
        """A new run: `kind` is `run` (the daily cycle), `crawl` or `backfill`."""
        with self.transaction():
            cursor = self.db.execute(
                "INSERT INTO runs (started, status, pid, kind) VALUES (?, 'running', ?, ?)",
                [self.clock(), pid if pid is not None else os.getpid(), kind],
            )
        return cursor.lastrowid

    def finish_run(self, run_id: int, status: str, stats: dict[str, Any]) -> None:
        with self.transaction():
            self.db.execute(
                "UPDATE runs SET finished = ?, status = ?, stats = ? WHERE id = ?",
                [self.clock(), status, json.dumps(stats, sort_keys=True, default=str), run_id],
            )

    def abort_run_if_running(self, run_id: int) -> None:
        """Close a run whose crawl died before it could record its own end."""
        with self.transaction():
            self.db.execute(
                "UPDATE runs SET finished = ?, status = 'aborted' "
                "WHERE id = ? AND status = 'running'",
                [self.clock(), run_id],
            )

    def abort_stale_runs(self) -> list[int]:
        """Mark runs still 'running' as aborted: called by a run that holds the lock, so
        their processes are gone (killed, or the host went down)."""
        with self.transaction():
            stale = [r[0] for r in self.db.execute("SELECT id FROM runs WHERE status = 'running'")]
            self.db.execute(
                "UPDATE runs SET status = 'aborted', finished = coalesce(finished, ?)"
                " WHERE status = 'running'",
                [self.clock()],
            )
        return stale

    def get_run(self, run_id: int) -> dict[str, Any] | None:
        rows = list(self.db.query("SELECT * FROM runs WHERE id = ?", [run_id]))
        if not rows:
            return None
        run = rows[0]
        run["stats"] = json.loads(run["stats"]) if run["stats"] else {}
        return run

    def latest_run_id(self) -> int | None:
        return self.db.execute("SELECT max(id) FROM runs").fetchone()[0]

    def runs_since(self, since: str) -> list[int]:
        return [
            r[0]
            for r in self.db.execute(
                "SELECT id FROM runs WHERE started >= ? ORDER BY id", [since]
            ).fetchall()
        ]

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

    def unreported_runs(self, run_id: int) -> list[int]:
        """The runs a report of `run_id` covers: itself and every earlier finished run or
        crawl no report has covered yet (one killed before it could report), oldest first.
        Backfills are history, not news: `report --since` covers them on demand."""
        return [
            r[0]
            for r in self.db.execute(
                "SELECT id FROM runs WHERE id = ? OR (id < ? AND reported_in IS NULL"
                " AND status != 'running' AND kind != 'backfill') ORDER BY id",
                [run_id, run_id],
            )
        ]

    def runs_reported_in(self, run_id: int) -> list[int]:
        """The runs whose articles the report of `run_id` covered, oldest first."""
        return [
            r[0]
            for r in self.db.execute(
                "SELECT id FROM runs WHERE reported_in = ? OR id = ? ORDER BY id",
                [run_id, run_id],
            )
        ]

    def mark_reported(self, run_ids: Iterable[int], report_run: int) -> None:
        """Record that the report of `report_run` covered these runs' articles."""
        with self.transaction():
            self.db.conn.executemany(
                "UPDATE runs SET reported_in = ? WHERE id = ?",
                [(report_run, run_id) for run_id in run_ids],
            )

    def record_notifications(self, run_id: int, results: list[dict[str, Any]]) -> None:
        with self.transaction():
            self.db.execute(
                "UPDATE runs SET notifications = ? WHERE id = ?", [json.dumps(results), run_id]
            )

    # ------------------------------------------------------------------ failures

    def record_errors(self, run_id: int, errors: Iterable[dict[str, str]]) -> None:
        rows = [{"run_id": run_id, "at": self.clock(), **error} for error in errors]
        if rows:
            with self.transaction():
                self.db["fetch_errors"].insert_all(rows)

    def run_errors(self, run_id: int) -> list[dict[str, Any]]:
        return list(
            self.db.query(
                "SELECT source, url, reason FROM fetch_errors WHERE run_id = ? ORDER BY id",
                [run_id],
            )
        )

    # ------------------------------------------------------------------ feeds

    def feed_state(self, url: str) -> tuple[str | None, str | None]:
        """The ETag and Last-Modified a feed answered with last time."""
        row = self.db.execute(
            "SELECT etag, last_modified FROM feed_state WHERE url = ?", [url]
        ).fetchone()
        return (row[0], row[1]) if row else (None, None)

    def save_feed_states(self, states: dict[str, tuple[str | None, str | None]]) -> None:
        now = self.clock()
        with self.transaction():
            self.db.conn.executemany(
                "INSERT OR REPLACE INTO feed_state (url, etag, last_modified, updated_at)"
                " VALUES (?, ?, ?, ?)",
                [(url, etag, modified, now) for url, (etag, modified) in states.items()],
            )

    # ------------------------------------------------------------------ discovery

    def save_lead(self, lead: dict[str, Any], run_id: int | None) -> bool:
        """Keep an aggregator item we could not find on the publisher's site, once per
        (normalised title, outlet). Returns whether it was new."""
        with self.transaction():
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
                    self.clock(),
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
        with self.transaction():
            self.db.execute(
                "INSERT OR REPLACE INTO backfill_slices (backfill, slice, done_at)"
                " VALUES (?, ?, ?)",
                [backfill, slice_, self.clock()],
            )
