"""Crawling commands: crawl, backfill, run, schedule, and the sources they read."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from cli.options import (
    EXIT_FAILURES,
    EXIT_OK,
    FORMATS,
    Options,
    UsageError,
    add_db,
    add_format,
    add_lexicon,
    add_report_dir,
    add_settings,
    add_sources,
)
from cli.output import print_table, write_records
from cli.rules import ensure_story_rules
from crawlers.sources import select_sources
from pipelines.store import Store


def cmd_crawl(args: argparse.Namespace) -> int:
    """Crawl every enabled source (or the named ones) once into the database."""
    options = Options(args, writes=True)
    selected = select_sources(options.sources(), args.source)
    return crawl(options, selected, kind="crawl")


def cmd_backfill(args: argparse.Namespace) -> int:
    """Walk news sitemaps and GDELT for a past window, resuming an interrupted backfill."""
    from crawlers.backfill import Backfill

    options = Options(args, writes=True)
    selected = select_sources(options.sources(), args.source)
    try:
        window = Backfill.parse(f"{args.since}/{args.until or date.today().isoformat()}")
    except ValueError as exc:
        raise UsageError(f"bad window: {exc}") from None
    selected = backfillable(selected, window, options)
    with Store(options.db) as store:
        done = sorted(store.done_slices(window.key))
    if done:
        print(f"resuming backfill {window.key}: {len(done)} slices already done")
    extra = {"NEWSWATCH_BACKFILL": window.key, "NEWSWATCH_BACKFILL_DONE": done}
    return crawl(options, selected, kind="backfill", extra=extra)


def backfillable(selected: list, window: Any, options: Options) -> list:
    """The sources a backfill of `window` can walk; says which cannot (feeds and listings
    hold only their latest items) and where a kind reaches less far back than asked."""
    from crawlers.kinds import kind_class
    from crawlers.process import crawl_settings

    settings = crawl_settings(options.settings)
    walkable, skipped = [], []
    for source in selected:
        kind = kind_class(source.kind)
        if not kind.supports_backfill:
            skipped.append(source.name)
            continue
        walkable.append(source)
        earliest = kind.backfill_start(settings, date.today())
        if earliest and window.since < earliest.isoformat():
            print(
                f"{source.name}: {source.kind} answers only from {earliest.isoformat()} on; "
                f"the days before are skipped",
                file=sys.stderr,
            )
    if skipped:
        print(
            f"not backfillable (their feeds hold only the latest items): {', '.join(skipped)}",
            file=sys.stderr,
        )
    if not walkable:
        raise UsageError("none of the sources can be backfilled: give a sitemap or GDELT source")
    return walkable


def crawl(
    options: Options,
    selected: list,
    *,
    kind: str,
    extra: dict[str, Any] | None = None,
) -> int:
    """One crawl of `selected` as a run of its own, under the run lock, then the
    per-source summary."""
    from schedules.lock import RunLock
    from schedules.logs import configure_logging

    configure_logging(options.db.parent / "logs", "crawl")
    with RunLock(options.db):
        with Store(options.db) as store:
            store.abort_stale_runs()
            store.sync_sources(options.sources())
            run_id = store.start_run(kind)
        try:
            crawl_run(options, selected, run_id, extra)
        finally:  # a crawl that ended any other way than finishing leaves its run aborted
            with Store(options.db) as store:
                store.abort_run_if_running(run_id)
                run = store.get_run(run_id)
                errors = store.run_errors(run_id)
    print_run_summary(run, errors)
    return EXIT_OK if run["status"] == "ok" else EXIT_FAILURES


def crawl_run(
    options: Options, selected: list, run_id: int, extra: dict[str, Any] | None = None
) -> None:
    """Crawl `selected` in this process as run `run_id`, the story index first brought up
    to today's rules. Scrapy's reactor runs once per process: one crawl per command. The
    caller marks the run aborted if the crawl did not finish it."""
    from crawlers.process import crawl_settings, run_crawl

    with Store(options.db) as store:
        ensure_story_rules(store, options)
        # Aggregators are asked for what appeared since they last answered.
        since = {
            s.name: started
            for s in selected
            if s.kind == "gdelt" and (started := store.last_good_run_started(s.name))
        }
    settings = crawl_settings(
        {
            **options.settings,
            "NEWSWATCH_DB": str(options.db),
            "NEWSWATCH_RUN_ID": run_id,
            "NEWSWATCH_LEXICON": options.lexicon_file or "",
            "NEWSWATCH_SINCE": json.dumps(since),
            **(extra or {}),
        }
    )
    run_crawl(selected, settings)


def cmd_sources(args: argparse.Namespace) -> int:
    """List every source with its state and last error, from the recent runs."""
    from pipelines.health import source_health

    options = Options(args)
    registry = options.sources()
    with options.store() as store:
        runs = store.runs_since("")
        health = (
            {h["name"]: h for h in source_health(store.run_history(runs[-1], 10))} if runs else {}
        )
    records = []
    for source in registry:
        h = health.get(source.name, {})
        state = h.get("state", "not run") if source.enabled else "disabled"
        if state == "failing":
            state = f"failing since {h['failing_since'][:16]}"
        elif state == "empty":
            state = f"empty for {h['empty_runs']} runs"
        elif state == "extraction broken":
            state = "extraction broken: pages parse empty; add a [source.extract] override"
        records.append(
            {
                "name": source.name,
                "kind": source.kind or "feed",
                "state": state,
                "error": h.get("error") or None,
            }
        )
    if args.format != "table":
        write_records(records, ("name", "kind", "state", "error"), args.format, sys.stdout)
        return EXIT_OK
    rows = [(r["name"], r["kind"], r["state"], r["error"] or "") for r in records]
    print_table(rows, ("source", "kind", "state", "last error"))
    return EXIT_OK


def cmd_run(args: argparse.Namespace) -> int:
    """One whole cycle: crawl, report, notify; safe to call from cron."""
    from schedules.logs import configure_logging
    from schedules.runner import RunOptions, run_cycle

    options = Options(args, writes=True)
    configure_logging(options.db.parent / "logs", "run")
    sources = options.sources()
    result = run_cycle(
        RunOptions(
            db=options.db,
            report_dir=options.report_dir,
            sources=sources,
            notify=options.notify,
            timezone=options.timezone,
            notify_empty=options.notify_empty,
        ),
        crawl=lambda run_id: crawl_run(options, select_sources(sources, None), run_id),
    )
    print_run_summary(
        result.run,
        result.errors,
        report=result.report,
        notifications=result.notifications,
        failing_since=result.failing_since,
    )
    if "html" in result.reports:
        print(f"report: {result.reports['html']}")
    if result.report_error:
        print(f"reports not written: {result.report_error}", file=sys.stderr)
    return result.exit_code


def print_run_summary(
    run: dict[str, Any],
    errors: list[dict[str, Any]],
    *,
    report: dict[str, Any] | None = None,
    notifications: Sequence[dict[str, Any]] = (),
    failing_since: dict[str, str] | None = None,
) -> None:
    """The per-source table and the run's line on stdout; on stderr, what an operator
    must look at: one line per failing source, one per failed notifier."""
    sources = run["stats"].get("sources", {})
    header = ("source", "status", "feeds", "items", "fetched", "stored", "errors")
    rows = [
        (
            name,
            c["status"],
            f"{c['feeds_fetched']}/{c['feeds']}",
            str(c["items_seen"]),
            str(c["articles_fetched"]),
            str(c["stored"]),
            str(c["feeds_failed"] + c["article_errors"] + c["extract_failed"]),
        )
        for name, c in sorted(sources.items())
    ]
    print_table(rows, header)
    line = f"\nrun {run['id']}: {run['status']}"
    if report is not None:
        line += (
            f"; {len(report['new'])} new stories, {len(report['updates'])} updated, "
            f"{len(report['review'])} for review"
        )
    print(line)
    for text in failure_lines(sources, errors, failing_since or {}):
        print(text, file=sys.stderr)
    for result in notifications:
        if not result["ok"]:
            print(f"notifier {result['url']} failed: {result['error']}", file=sys.stderr)


def failure_lines(
    sources: dict[str, dict[str, Any]], errors: list[dict[str, Any]], since: dict[str, str]
) -> list[str]:
    """One line per source with failures: its first error, how many more, since when;
    a single line when no source could be reached at all."""
    by_source: dict[str, list[dict[str, Any]]] = {}
    for error in errors:
        by_source.setdefault(error["source"], []).append(error)
    failed = [name for name, c in sources.items() if c["status"] == "failed"]
    if (
        len(failed) > 1
        and len(failed) == len(sources)
        and all(_unreachable(by_source.get(name, [])) for name in failed)
    ):
        first = by_source[failed[0]][0]["reason"]
        return [
            f"no source could be reached ({len(failed)} sources; {first}): is the network down?"
        ]
    lines = []
    for name, failures in sorted(by_source.items()):
        first = failures[0]
        text = f"{name}: {first['reason']} — {first['url']}"
        if len(failures) > 1:
            text += f" (and {len(failures) - 1} more)"
        if name in since:
            text += f"; failing since {since[name][:16]}"
        lines.append(text)
    return lines


# The reasons crawlers/spiders/feeds.py `describe` gives when the network is at fault.
UNREACHABLE = ("DNS lookup failed", "connection refused", "timed out")


def _unreachable(failures: list[dict[str, Any]]) -> bool:
    return bool(failures) and all(f["reason"].startswith(UNREACHABLE) for f in failures)


def cmd_schedule(args: argparse.Namespace) -> int:
    """Run `newswatch run` daily from an APScheduler daemon."""
    from schedules.daemon import make_trigger, serve
    from schedules.logs import configure_logging

    options = Options(args, writes=True)
    options.sources()  # a bad registry stops the daemon now, not at 06:30
    try:
        trigger = make_trigger(args.at, args.cron, args.tz)
    except (ValueError, KeyError) as exc:  # bad --at or crontab fields, unknown time zone
        raise UsageError(str(exc)) from None
    run_args = [
        "--db",
        str(options.db.resolve()),
        "--report-dir",
        str(options.report_dir.resolve()),
    ]
    for flag, value in (
        ("--sources", options.sources_file),
        ("--lexicon", options.lexicon_file),
        ("--config", options.config_file),
    ):
        if value:
            run_args += [flag, str(Path(value).resolve())]
    for setting in options.set_args:
        run_args += ["-s", setting]
    configure_logging(options.db.parent / "logs", "schedule")
    return serve(trigger, run_args, options.db.parent / "schedule.db", once_now=args.once_now)


def _crawl_options(parser: argparse.ArgumentParser) -> None:
    add_db(parser)
    add_sources(parser)
    add_lexicon(parser)
    add_settings(parser)


def register(commands: argparse._SubParsersAction) -> None:
    crawl = commands.add_parser(
        "crawl",
        help="crawl all enabled sources once",
        description="Crawl every enabled source (or --source NAME) once into the database "
        "and print a per-source table. Example: newswatch crawl --source TASS",
    )
    _crawl_options(crawl)
    crawl.add_argument("--source", action="append", help="only this source (repeatable)")
    crawl.set_defaults(func=cmd_crawl)

    backfill = commands.add_parser(
        "backfill",
        help="crawl a past window through news sitemaps and GDELT",
        description="Walk the news sitemaps and GDELT day by day for a past window, politely, "
        "through the same pipeline; an interrupted backfill resumes where it stopped. "
        "Example: newswatch backfill --since 2025-11-01 --until 2025-11-30",
    )
    _crawl_options(backfill)
    backfill.add_argument("--since", required=True, help="first day (YYYY-MM-DD)")
    backfill.add_argument("--until", help="last day (default: today)")
    backfill.add_argument("--source", action="append", help="only this source (repeatable)")
    backfill.set_defaults(func=cmd_backfill)

    sources = commands.add_parser(
        "sources",
        help="list every source with its state and last error",
        description="Every source of the registry with its state from the recent runs (ok, "
        "failing since, empty for N runs, extraction broken, disabled) and its last error. "
        "Example: newswatch sources --format json",
    )
    add_db(sources)
    add_sources(sources)
    add_format(sources, FORMATS)
    sources.set_defaults(func=cmd_sources)

    run = commands.add_parser(
        "run",
        help="one whole cycle for cron: crawl, report, notify",
        description="Crawl every enabled source, then write this run's report (JSON, Markdown, "
        "HTML, Atom) and send it to the configured notifiers. Exit codes: 0 all sources fine, "
        "1 some sources failed, 2 bad configuration, 75 another run is active. "
        "Example: newswatch run --config newswatch.toml",
    )
    _crawl_options(run)
    add_report_dir(run)
    run.set_defaults(func=cmd_run)

    schedule = commands.add_parser(
        "schedule",
        help="daemon that runs `newswatch run` daily (for hosts without cron)",
        description="Fire `newswatch run` daily at --at in --tz (or on a --cron expression) "
        "from an APScheduler daemon; a run missed while the host was down happens once when "
        "it comes back. SIGTERM/SIGINT: no new runs, a running one may finish, exit 0. "
        "Example: newswatch schedule --at 06:30 --tz Asia/Kolkata --once-now",
    )
    _crawl_options(schedule)
    add_report_dir(schedule)
    schedule.add_argument("--at", default="06:30", help="daily time HH:MM (default 06:30)")
    schedule.add_argument("--tz", default="Asia/Kolkata", help="time zone (default Asia/Kolkata)")
    schedule.add_argument("--cron", help='crontab expression "m h dom mon dow" instead of --at')
    schedule.add_argument("--once-now", action="store_true", help="also run once at start")
    schedule.set_defaults(func=cmd_schedule)
