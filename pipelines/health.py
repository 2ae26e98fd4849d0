"""Source health from run history: which outlets are failing, empty or unparseable.

One run's counters cannot tell a blip from a broken source; the streak across recent
runs can, so the report flags a source only when its trouble persists.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

EMPTY_AFTER = 3  # consecutive runs without a feed item before a source counts as empty
BROKEN_AFTER = 2  # consecutive page-fetching runs with no page parsed: extraction broken


def source_health(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per source of the newest run (runs newest first, as `Store.run_history` returns):
    its latest counters, how long it has been failing or empty, and a one-word state."""
    if not runs:
        return []
    health = []
    for name, latest in sorted(_sources(runs[0]).items()):
        history = [_sources(run).get(name) for run in runs]
        streak = _leading(history, lambda c: c.get("status") == "failed")
        empty_runs = len(_leading(history, lambda c: not c.get("items_seen")))
        broken = _extraction_broken(history)
        entry = {
            "name": name,
            "status": latest.get("status", "ok"),
            "error": latest.get("error"),
            "items": latest.get("items_seen", 0),
            "fetched": latest.get("articles_fetched", 0),
            "stored": latest.get("stored", 0),
            "failing_since": runs[len(streak) - 1]["started"] if streak else None,
            "empty_runs": empty_runs,
            "extraction_broken": broken,
        }
        entry["state"] = _state(entry)
        health.append(entry)
    return health


def _sources(run: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return (run.get("stats") or {}).get("sources") or {}


def _leading(
    history: list[dict[str, Any] | None], test: Callable[[dict[str, Any]], bool]
) -> list[dict[str, Any]]:
    """The newest runs, in order, for which the source was present and `test` held."""
    streak = []
    for counters in history:
        if counters is None or not test(counters):
            break
        streak.append(counters)
    return streak


def _extraction_broken(history: list[dict[str, Any] | None]) -> bool:
    """True when the last BROKEN_AFTER runs that fetched pages parsed none of them."""
    fetching = [
        c for c in history if c and c.get("articles_fetched", 0) + c.get("extract_failed", 0) > 0
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
    return "ok"
