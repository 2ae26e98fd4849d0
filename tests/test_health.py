"""Source health is judged on the streak across runs, not on one run's counters."""

from __future__ import annotations

from typing import Any

from pipelines.health import source_health


def run(started: str, **sources: dict[str, Any]) -> dict[str, Any]:
    return {"started": started, "stats": {"sources": sources}}


def ok(**counters: Any) -> dict[str, Any]:
    base = {"status": "ok", "error": None, "items_seen": 5, "articles_fetched": 3}
    return base | {"stored": 2, "extract_failed": 0} | counters


def failed(error: str = "DNS lookup failed (https://x.example/feed)") -> dict[str, Any]:
    return {"status": "failed", "error": error, "items_seen": 0, "articles_fetched": 0}


def by_name(runs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {entry["name"]: entry for entry in source_health(runs)}


def test_healthy_source_reports_its_latest_counters() -> None:
    health = by_name([run("2026-11-03", tass=ok(items_seen=7, stored=4)), run("2026-11-02")])
    assert health["tass"] == {
        "name": "tass",
        "status": "ok",
        "error": None,
        "items": 7,
        "fetched": 3,
        "stored": 4,
        "failing_since": None,
        "empty_runs": 0,
        "extraction_broken": False,
        "unchanged": False,
        "state": "ok",
    }


def test_failing_since_is_the_start_of_the_current_streak() -> None:
    runs = [
        run("2026-11-04", pti=failed()),
        run("2026-11-03", pti=failed()),
        run("2026-11-02", pti=ok()),
        run("2026-11-01", pti=failed()),
    ]
    health = by_name(runs)["pti"]
    assert health["failing_since"] == "2026-11-03"
    assert health["state"] == "failing"
    assert health["error"].startswith("DNS lookup failed")


def test_a_recovered_source_is_not_failing() -> None:
    health = by_name([run("2026-11-02", pti=ok()), run("2026-11-01", pti=failed())])["pti"]
    assert health["failing_since"] is None and health["state"] == "ok"


def test_empty_after_three_runs_without_items() -> None:
    empty = ok(items_seen=0, articles_fetched=0, stored=0)
    two = [run("3", ria=empty), run("2", ria=empty), run("1", ria=ok())]
    three = [run("4", ria=empty), *two]
    assert by_name(two)["ria"]["empty_runs"] == 2
    assert by_name(two)["ria"]["state"] == "ok"
    assert by_name(three)["ria"]["empty_runs"] == 3
    assert by_name(three)["ria"]["state"] == "empty"


def test_extraction_broken_needs_two_page_fetching_runs_that_parsed_nothing() -> None:
    broken = ok(articles_fetched=0, extract_failed=4, stored=0)
    idle = ok(items_seen=0, articles_fetched=0, extract_failed=0)  # fetched no page: ignored
    runs = [run("4", ani=broken), run("3", ani=idle), run("2", ani=broken), run("1", ani=ok())]
    assert by_name(runs)["ani"]["extraction_broken"] is True
    assert by_name(runs)["ani"]["state"] == "extraction broken"
    assert by_name(runs[:1])["ani"]["extraction_broken"] is False  # one run is not a trend
    partly = [run("2", ani=ok(extract_failed=2)), run("1", ani=broken)]
    assert by_name(partly)["ani"]["extraction_broken"] is False


def test_each_source_is_judged_on_the_runs_it_took_part_in() -> None:
    # `crawl --source new` in run 3 says nothing about `old`, judged on runs 2 and 1.
    runs = [run("3", new=failed()), run("2", old=failed()), run("1", old=failed(), new=ok())]
    health = by_name(runs)
    assert health["new"]["failing_since"] == "3"
    assert health["old"]["failing_since"] == "1" and health["old"]["state"] == "failing"


def test_feeds_answering_304_are_unchanged_never_empty() -> None:
    quiet = ok(items_seen=0, articles_fetched=0, stored=0, feeds_fetched=2, feeds_unchanged=2)
    runs = [run(str(day), tass=quiet) for day in range(5, 0, -1)]
    health = by_name(runs)["tass"]
    assert health["empty_runs"] == 0 and health["state"] == "unchanged"
    empty = ok(items_seen=0, articles_fetched=0, stored=0, feeds_fetched=2, feeds_unchanged=0)
    # 200s with no items count even with 304 runs between them
    mixed = [run("5", tass=empty), run("4", tass=quiet), run("3", tass=empty), run("2", tass=empty)]
    assert by_name(mixed)["tass"]["state"] == "empty"


def test_no_runs_no_health() -> None:
    assert source_health([]) == []
