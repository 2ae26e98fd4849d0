"""Source health from run history: which outlets are failing, empty or unparseable.

One run's counters cannot tell a blip from a broken source; the streak across recent
runs can, so the report flags a source only when its trouble persists.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

EMPTY_AFTER = 3  # runs in a row whose feeds answered with no item before a source is empty
BROKEN_AFTER = 2  # consecutive page-fetching runs with no page parsed: extraction broken


def source_health(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per source of the recent runs (newest first, as `Store.run_history` returns), judged
    on the runs it took part in (a `crawl --source X` says nothing of the others): its
    latest counters, how long it has been failing or empty, and a one-word state."""
    names = sorted({name for run in runs for name in _sources(run)})
    health = []
    for name in names:
        ran = [(run["started"], _sources(run)[name]) for run in runs if name in _sources(run)]
        history = [counters for _, counters in ran]
        latest = history[0]
        streak = _leading(history, lambda c: c.get("status") == "failed")
        answered = [c for c in history if _answered(c)]  # 304s say nothing new, not empty
        empty_runs = len(_leading(answered, lambda c: not c.get("items_seen")))
        entry = {
            "name": name,
            "status": latest.get("status", "ok"),
            "error": latest.get("error"),
            "items": latest.get("items_seen", 0),
            "fetched": latest.get("articles_fetched", 0),
            "stored": latest.get("stored", 0),
            "failing_since": ran[len(streak) - 1][0] if streak else None,
            "empty_runs": empty_runs,
            "extraction_broken": _extraction_broken(history),
            "unchanged": latest.get("status") != "failed" and not _answered(latest),
        }
        entry["state"] = _state(entry)
        health.append(entry)
    return health


def _sources(run: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return (run.get("stats") or {}).get("sources") or {}


def _answered(counters: dict[str, Any]) -> bool:
    """Some feed of the source answered with content (a 200), not only 304 Not Modified."""
    return counters.get("feeds_fetched", 1) > counters.get("feeds_unchanged", 0)


def _leading(
    history: list[dict[str, Any]], test: Callable[[dict[str, Any]], bool]
) -> list[dict[str, Any]]:
    """The newest runs, in order, for which `test` held."""
    streak = []
    for counters in history:
        if not test(counters):
            break
        streak.append(counters)
    return streak


def _extraction_broken(history: list[dict[str, Any]]) -> bool:
    """True when the last BROKEN_AFTER runs that fetched pages parsed none of them."""
    fetching = [
        c for c in history if c.get("articles_fetched", 0) + c.get("extract_failed", 0) > 0
    ][:BROKEN_AFTER]
    return len(fetching) == BROKEN_AFTER and all(
        c.get("extract_failed", 0) > 0 and c.get("articles_fetched", 0) == 0 for c in fetching
    )


def _state(entry: dict[str, Any]) -> str:
    if entry["failing_since"]:
        return "failing"
    if entry["extraction_broken"]:
        return "extraction broken"
    if entry["empty_runs"] >= EMPTY_AFTER:
        return "empty"
    if entry["unchanged"]:
        return "unchanged"
    return "ok"
