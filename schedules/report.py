"""The report of a run: what is new, what updates earlier stories, what needs review.

The JSON written here is read by other tools; its keys `run`, `new`, `updates`, `review`
and `sources` (and the keys of their entries) are a contract: add keys, never change them.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from pipelines.health import source_health
from pipelines.store import Store
from schedules import render
from schedules.chart import CHART_DAYS, tag_chart

HEALTH_RUNS = 10  # runs of history source health is judged on
FEED_ENTRIES = 50


def build_report(store: Store, run_id: int) -> dict[str, Any]:
    """The report of one run. It covers the articles of that run and of every earlier run
    that was never reported (killed before it could be); rebuilt later, it covers exactly
    what it covered when it was first written. `runs` lists them."""
    run = store.get_run(run_id)
    if run is None:
        raise ValueError(f"no run {run_id}")
    if run["reported_in"] is None:
        covered = store.unreported_runs(run_id)
    else:
        covered = store.runs_reported_in(run_id)
    report = _report(store, run, covered)
    report["runs"] = covered
    return report


def build_report_since(store: Store, since: str) -> dict[str, Any]:
    """One report over every run started since `since` (ISO date or time): a daily or
    weekly digest. Each story appears once: new if it was first stored in the period."""
    run_ids = store.runs_since(since)
    if not run_ids:
        raise ValueError(f"no run since {since}")
    report = _report(store, store.get_run(run_ids[-1]), run_ids)
    report["since"] = since
    report["runs"] = run_ids
    return report


def _report(store: Store, run: dict[str, Any], run_ids: list[int]) -> dict[str, Any]:
    rows = [row for run_id in run_ids for row in store.run_articles(run_id)]
    rows.sort(key=lambda r: r["id"])  # stored order: a story's first article comes first
    in_period = set(run_ids)
    relevant = [r for r in rows if r["status"] == "relevant"]
    new_rows = _first_per_story(r for r in relevant if r["story_run"] in in_period)
    new_stories = {r["story_id"] for r in new_rows}
    update_rows = _first_per_story(r for r in relevant if r["story_id"] not in new_stories)
    review_rows = [r for r in rows if r["status"] == "borderline"]
    members = store.story_members(r["story_id"] for r in new_rows + update_rows + review_rows)

    def entries(selected: list[dict[str, Any]]) -> list[dict[str, Any]]:
        selected = sorted(selected, key=lambda r: r["published"] or r["first_seen"], reverse=True)
        return [_entry(r, members.get(r["story_id"], [])) for r in selected]

    new, updates = entries(new_rows), entries(update_rows)
    tag_counts = Counter(tag for entry in new + updates for tag in entry["tags"])
    return {
        "run": {key: run[key] for key in ("id", "started", "finished", "status")},
        "new": new,
        "updates": updates,
        "review": entries(review_rows),
        "sources": source_health(store.run_history(run["id"], HEALTH_RUNS)),
        # Stories found to be one event with another: their ids now lead to that story.
        "merged": store.merged_stories(run_ids),
        "tag_counts": dict(sorted(tag_counts.items(), key=lambda kv: (-kv[1], kv[0]))),
    }


def _first_per_story(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    first: dict[int, dict[str, Any]] = {}
    for row in rows:
        first.setdefault(row["story_id"], row)
    return list(first.values())


def _entry(row: dict[str, Any], members: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "story": row["story_id"],
        "title": row["title"],
        "url": row["url"],
        "source": row["source"],
        "published": row["published"],
        "tags": row["tags"],
        "relevance": row["relevance"],
        "also": [
            {"source": m["source"], "url": m["url"], "title": m["title"]}
            for m in members
            if m["id"] != row["id"]
        ],
    }


def digest_subject(report: dict[str, Any]) -> str:
    """One line that says whether the digest is worth opening."""
    states = Counter(source.get("state", "ok") for source in report["sources"])
    parts = [
        _count(len(report["new"]), "new story", "new stories"),
        _count(len(report["updates"]), "update", "updates"),
        f"{len(report['review'])} for review",
    ]
    if states["failing"]:
        parts.append(_count(states["failing"], "source failing", "sources failing"))
    degraded = states["empty"] + states["extraction broken"]
    if degraded:
        parts.append(_count(degraded, "source degraded", "sources degraded"))
    return f"newswatch run {report['run']['id']}: {', '.join(parts)}"


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def write_reports(report: dict[str, Any], directory: Path, store: Store) -> dict[str, Path]:
    """Write the run's JSON, Markdown and HTML, latest.json and the Atom feed, each
    atomically, so a web server or a reader never sees half a file."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    run_id = report["run"]["id"]
    as_json = json.dumps(report, ensure_ascii=False, indent=2) + "\n"
    chart_end = _report_day(report)
    since = date.fromordinal(chart_end.toordinal() - CHART_DAYS + 1).isoformat()
    chart = tag_chart(store.daily_tag_counts(since), end=chart_end)
    outputs = {
        "json": (f"run-{run_id}.json", as_json),
        "latest": ("latest.json", as_json),
        "markdown": (f"run-{run_id}.md", render.markdown(report)),
        "html": (f"run-{run_id}.html", render.html_page(report, chart)),
        "atom": ("feed.xml", render.atom(store.latest_stories(FEED_ENTRIES))),
    }
    return {kind: _write_atomic(directory / name, text) for kind, (name, text) in outputs.items()}


def _report_day(report: dict[str, Any]) -> date:
    """The chart ends on the run's day, so a report rebuilt later shows the same window."""
    stamp = report["run"]["finished"] or report["run"]["started"]
    return datetime.fromisoformat(stamp).astimezone(UTC).date() if stamp else date.today()


def _write_atomic(path: Path, text: str) -> Path:
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(temp, 0o644)  # published files: mkstemp's 0600 would hide them from a web server
        os.replace(temp, path)
    except BaseException:
        os.unlink(temp)
        raise
    return path
