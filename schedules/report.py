"""The report of a run: what is new, what updates earlier stories, what needs review.

The JSON written here is read by other tools; its keys `run`, `new`, `updates`, `review`
and `sources` (and the keys of their entries) are a contract: add keys, never change them.
Its times stay ISO 8601 as stored; only the Markdown and HTML show them in a zone.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta, tzinfo
from itertools import islice
from pathlib import Path
from typing import Any

from pipelines.health import source_health
from pipelines.sentences import sentence_bounds
from pipelines.store import Store
from schedules import render
from schedules.chart import CHART_DAYS, stories_per_day, tag_chart
from schedules.render import DEFAULT_ZONE, clean, plural

HEALTH_RUNS = 10  # runs of history source health is judged on
FEED_ENTRIES = 50
SUMMARY_CHARS = 300  # one or two sentences under a headline, not the article


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


def build_report_since(store: Store, since: str, zone: tzinfo = DEFAULT_ZONE) -> dict[str, Any]:
    """One report over every run started since `since` (ISO date or time, in `zone`
    when it names no offset): a daily or weekly digest. Each story appears once: new if
    it was first stored in the period. `period` gives its first and last day in `zone`."""
    start = _period_start(since, zone)
    run_ids = store.runs_since(start.astimezone(UTC).isoformat(timespec="seconds"))
    if not run_ids:
        raise ValueError(f"no run since {since}")
    report = _report(store, store.get_run(run_ids[-1]), run_ids)
    report["since"] = since
    report["runs"] = run_ids
    report["period"] = {
        "from": start.astimezone(zone).date().isoformat(),
        "to": _report_day(report, zone).isoformat(),
    }
    return report


def _period_start(since: str, zone: tzinfo) -> datetime:
    """The moment `since` names: a date is its midnight in `zone`."""
    start = datetime.fromisoformat(since)
    return start if start.tzinfo else start.replace(tzinfo=zone)


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
    languages = store.source_languages()

    def entries(selected: list[dict[str, Any]]) -> list[dict[str, Any]]:
        selected = sorted(selected, key=lambda r: r["published"] or r["first_seen"], reverse=True)
        return [_entry(r, members.get(r["story_id"], []), languages) for r in selected]

    new, updates = entries(new_rows), entries(update_rows)
    tag_counts = Counter(tag for entry in new + updates for tag in entry["tags"])
    return {
        "run": {key: run[key] for key in ("id", "started", "finished", "status")},
        "new": new,
        "updates": updates,
        "review": entries(review_rows),
        "sources": _registry_health(store, run["id"]),
        # Stories found to be one event with another: their ids now lead to that story.
        "merged": store.merged_stories(run_ids),
        "tag_counts": dict(sorted(tag_counts.items(), key=lambda kv: (-kv[1], kv[0]))),
    }


def _registry_health(store: Store, run_id: int) -> list[dict[str, Any]]:
    """The health of the sources the registry still crawls: one removed or disabled since
    its last runs is no longer reported (it would read "failing" for HEALTH_RUNS runs)."""
    registry = store.registry_sources()
    health = source_health(store.run_history(run_id, HEALTH_RUNS))
    return [h for h in health if registry is None or h["name"] in registry]


def _first_per_story(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    first: dict[int, dict[str, Any]] = {}
    for row in rows:
        first.setdefault(row["story_id"], row)
    return list(first.values())


def _entry(
    row: dict[str, Any], members: list[dict[str, Any]], languages: dict[str, str]
) -> dict[str, Any]:
    """A story as the report lists it; `also` keeps every other copy (an outlet may have
    several), the formats show each other outlet once."""
    return {
        "story": row["story_id"],
        "title": row["title"],
        "url": row["url"],
        "source": row["source"],
        "published": row["published"],
        "tags": row["tags"],
        "relevance": row["relevance"],
        "also": [
            {
                "source": m["source"],
                "url": m["url"],
                "title": m["title"],
                "language": languages.get(m["source"]),
            }
            for m in members
            if m["id"] != row["id"]
        ],
        "summary": lead_summary(row["summary"], row["body_lead"], row["title"]),
        "language": languages.get(row["source"]),
    }


def lead_summary(summary: Any, body: Any, title: Any = None) -> str:
    """What a report shows under a headline: the article's own summary (its feed's or
    page's description; not when it only repeats the headline), else the opening of its
    body, cut to the first one or two sentences that fit in `SUMMARY_CHARS`."""
    text = clean(summary)
    if not text or text.casefold() == clean(title).casefold():
        text = clean(body)
    sentences = list(islice(_sentences(text), 2))
    if not sentences:
        return ""
    lead = sentences[0]
    if len(lead) > SUMMARY_CHARS:
        return _cut_at_word(lead, SUMMARY_CHARS)
    if len(sentences) > 1 and len(lead) + 1 + len(sentences[1]) <= SUMMARY_CHARS:
        lead = f"{lead} {sentences[1]}"
    return lead


def _sentences(text: str) -> Iterator[str]:
    """The sentences of `text`, lazily: a summary may be a whole article."""
    start = 0
    for end, following in sentence_bounds(text):
        yield text[start:end]
        start = following
    if text[start:]:
        yield text[start:]


def _cut_at_word(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters at a word's end, with an ellipsis."""
    head = text[: limit - 1]
    if " " in head:
        head = head.rsplit(" ", 1)[0]
    return head.rstrip(" ,;:–—-") + "…"


def has_news(report: dict[str, Any]) -> bool:
    """Whether the digest has something to say: a story, an update, an item for review, or
    a source that needs attention (silence must not hide a crawl that broke)."""
    if report["new"] or report["updates"] or report["review"]:
        return True
    return any(render.needs_attention(source) for source in report["sources"])


def digest_subject(report: dict[str, Any]) -> str:
    """One line that says whether the digest is worth opening."""
    states = Counter(source.get("state", "ok") for source in report["sources"])
    parts = [
        plural(len(report["new"]), "new story", "new stories"),
        plural(len(report["updates"]), "update", "updates"),
        f"{len(report['review'])} for review",
    ]
    if states["failing"]:
        parts.append(plural(states["failing"], "source failing", "sources failing"))
    degraded = states["empty"] + states["extraction broken"]
    if degraded:
        parts.append(plural(degraded, "source degraded", "sources degraded"))
    return f"{render.report_title(report)}: {', '.join(parts)}"


def report_name(report: dict[str, Any]) -> str:
    """The file name, without extension, of a run's report (`run-12`) or of a digest
    (`digest-2025-12-01-2025-12-07`)."""
    period = report.get("period")
    if period:
        return f"digest-{period['from']}-{period['to']}"
    return f"run-{report['run']['id']}"


def write_reports(
    report: dict[str, Any], directory: Path, store: Store, *, zone: tzinfo = DEFAULT_ZONE
) -> dict[str, Path]:
    """Write the report's JSON, Markdown and HTML (`report_name`), each atomically, so a
    web server or a reader never sees half a file. Only the report of the newest reported
    run (or of a run being reported now) replaces latest.json and the Atom feed: a
    rebuilt older report or a digest never does."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    name = report_name(report)
    as_json = json.dumps(report, ensure_ascii=False, indent=2) + "\n"
    outputs = {
        "json": (f"{name}.json", as_json),
        "markdown": (f"{name}.md", render.markdown(report, zone)),
        "html": (f"{name}.html", render.html_page(report, _chart(report, store, zone), zone=zone)),
    }
    if _is_latest(report, store):
        outputs["latest"] = ("latest.json", as_json)
        outputs["atom"] = ("feed.xml", render.atom(feed_entries(store)))
    return {kind: _write_atomic(directory / name, text) for kind, (name, text) in outputs.items()}


def _is_latest(report: dict[str, Any], store: Store) -> bool:
    if "period" in report:
        return False
    return report["run"]["id"] >= (store.latest_reported_run() or 0)


def feed_entries(store: Store) -> list[dict[str, Any]]:
    """The latest stories for the Atom feed, each with the summary a report shows."""
    stories = store.latest_stories(FEED_ENTRIES)
    bodies = store.body_leads([story["url"] for story in stories])
    for story in stories:
        story["summary"] = lead_summary(story["summary"], bodies.get(story["url"]), story["title"])
    return stories


def _chart(report: dict[str, Any], store: Store, zone: tzinfo) -> str:
    """Stories per day and tag over the days up to the report's, by publication day."""
    end = _report_day(report, zone)
    since = end - timedelta(days=CHART_DAYS)  # a day early: the store compares UTC times
    rows = stories_per_day(store.story_publications(since.isoformat()), zone)
    return tag_chart(rows, end=end, zone=zone)


def _report_day(report: dict[str, Any], zone: tzinfo) -> date:
    """The chart ends on the run's day, so a report rebuilt later shows the same window."""
    stamp = report["run"]["finished"] or report["run"]["started"]
    return datetime.fromisoformat(stamp).astimezone(zone).date() if stamp else date.today()


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
