"""The `newswatch` command: thin sub-commands over the crawler, the pipelines and the store.

Configuration flows one way: defaults in code, overridden by a TOML file (`--config`),
overridden by flags. Exit codes: 0 all fine, 1 the job ran but something failed,
2 bad configuration or arguments.
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from pathlib import Path
from typing import Any

from crawlers.sources import SourcesError, load_sources, select_sources
from pipelines.lexicon import LexiconError
from pipelines.store import DEFAULT_DB, Store, StoreError
from schedules.lock import Locked

EXIT_OK, EXIT_FAILURES, EXIT_USAGE, EXIT_LOCKED = 0, 1, 2, 75
CONFIG_KEYS = {"db", "sources", "lexicon", "report_dir", "notify", "settings"}


DEFAULT_REPORT_DIR = Path("data") / "reports"


class UsageError(Exception):
    """Bad arguments or configuration: reported in one line, exit code 2."""


# ------------------------------------------------------------------ configuration


def load_config(path: str | None) -> dict[str, Any]:
    """Read the optional TOML config; unknown keys are errors, not silently ignored."""
    if not path:
        return {}
    try:
        config = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{path}: config file not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: not valid TOML: {exc}") from None
    unknown = set(config) - CONFIG_KEYS
    if unknown:
        raise UsageError(f"{path}: unknown key {sorted(unknown)[0]!r}")
    if not isinstance(config.get("settings", {}), dict):
        raise UsageError(f"{path}: 'settings' must be a table of Scrapy settings")
    return config


def parse_setting(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name.strip(), value


class Options:
    """The effective options of one command: flags over config over defaults."""

    def __init__(self, args: argparse.Namespace):
        config = load_config(args.config)
        self.db = Path(args.db or config.get("db") or DEFAULT_DB)
        self.sources_file = args.sources or config.get("sources")
        self.lexicon_file = getattr(args, "lexicon", None) or config.get("lexicon")
        self.report_dir = Path(
            getattr(args, "report_dir", None) or config.get("report_dir") or DEFAULT_REPORT_DIR
        )
        self.notify: list[str] = list(config.get("notify", []))
        self.settings: dict[str, Any] = {**config.get("settings", {}), **dict(args.set or [])}

    def sources(self) -> list:
        return load_sources(self.sources_file)

    def classifier(self):
        from pipelines.lexicon import Lexicon
        from pipelines.topic import Classifier

        return Classifier(Lexicon.load(self.lexicon_file))


# ------------------------------------------------------------------ commands


def cmd_crawl(args: argparse.Namespace) -> int:
    """Crawl every enabled source (or the named ones) once into the database."""
    from crawlers.process import crawl_settings, run_crawl
    from schedules.lock import RunLock

    options = Options(args)
    registry = options.sources()
    selected = select_sources(registry, args.source)
    lock = RunLock(options.db)
    if args.run_id is None:  # `newswatch run` holds the lock for its child crawl
        lock.acquire()
    try:
        with Store(options.db) as store:
            if args.run_id is None:
                store.abort_stale_runs()
                store.sync_sources(registry)
            run_id = args.run_id or store.start_run()
        settings = crawl_settings(
            {
                **options.settings,
                "NEWSWATCH_DB": str(options.db),
                "NEWSWATCH_RUN_ID": run_id,
                "NEWSWATCH_LEXICON": options.lexicon_file or "",
            }
        )
        try:
            run_crawl(selected, settings)
        finally:
            with Store(options.db) as store:
                store.abort_run_if_running(run_id)
                run = store.get_run(run_id)
                errors = store.run_errors(run_id)
    finally:
        lock.release()
    print_run_summary(run, errors)
    return EXIT_OK if run["status"] == "ok" else EXIT_FAILURES


def cmd_run(args: argparse.Namespace) -> int:
    """One whole cycle: crawl, report, notify; safe to call from cron."""
    from schedules.logs import configure_logging
    from schedules.runner import RunOptions, run_cycle

    options = Options(args)
    configure_logging(options.db.parent / "logs")
    result = run_cycle(
        RunOptions(
            db=options.db,
            report_dir=options.report_dir,
            sources_file=options.sources_file,
            lexicon_file=options.lexicon_file,
            settings=options.settings,
            notify=options.notify,
        )
    )
    print_run_summary(result.run, result.errors)
    if "html" in result.reports:
        print(f"report: {result.reports['html']}")
    return result.exit_code


def print_run_summary(run: dict[str, Any], errors: list[dict[str, Any]]) -> None:
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
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    print(f"\nrun {run['id']}: {run['status']}", end="")
    if errors:
        failing = sorted({e["source"] for e in errors})
        print(f"; {len(errors)} failures in {len(failing)} sources:")
        for error in errors:
            print(f"  {error['source']}: {error['reason']} — {error['url']}")
    else:
        print()


def cmd_extract(args: argparse.Namespace) -> int:
    """Extract article fields from saved pages: one JSON line per file."""
    from crawlers.extract import extract_file

    status = EXIT_OK
    for path in args.paths:
        try:
            fields = extract_file(path, url=args.url)
        except OSError as exc:
            print(f"newswatch extract: {path}: {exc.strerror or exc}", file=sys.stderr)
            status = EXIT_FAILURES
            continue
        print(json.dumps(fields, ensure_ascii=False))
    return status


def cmd_classify(args: argparse.Namespace) -> int:
    """Judge JSON Lines documents from stdin, as the pipeline would."""
    from pipelines.topic import classify_lines

    bad = classify_lines(sys.stdin, sys.stdout, sys.stderr, Options(args).classifier())
    return EXIT_FAILURES if bad else EXIT_OK


def cmd_retag(args: argparse.Namespace) -> int:
    """Re-apply the current lexicon to every stored article."""
    from pipelines.retag import retag

    options = Options(args)
    classifier = options.classifier()
    with Store(options.db) as store:
        result = retag(store, classifier, batch_size=args.batch)
    print(
        f"{result.articles} articles retagged: {result.changed} changed "
        f"({result.status_changed} status, {result.tags_changed} tags)"
    )
    return EXIT_OK


def cmd_cluster(args: argparse.Namespace) -> int:
    """Assign JSON Lines documents from stdin to stories, as the pipeline would."""
    from pipelines.stories import StoryClusterer, cluster_lines

    if args.db is None:
        bad = cluster_lines(sys.stdin, sys.stdout, sys.stderr, StoryClusterer())
    else:
        from pipelines.store import SqliteStoryStore

        with Store(Options(args).db) as store:
            clusterer = StoryClusterer(SqliteStoryStore(store))
            bad = cluster_lines(sys.stdin, sys.stdout, sys.stderr, clusterer)
    return EXIT_FAILURES if bad else EXIT_OK


def cmd_stories(args: argparse.Namespace) -> int:
    """List stories newest first with their member articles and outlets."""
    with Store(Options(args).db) as store:
        stories = store.stories(since=args.since, limit=args.limit)
    for story in stories:
        if args.format == "json":
            print(json.dumps(story, ensure_ascii=False))
            continue
        outlets = ", ".join(story["outlets"])
        print(f"[{story['id']}] {story['title']}  ({story['first_seen'][:10]}; {outlets})")
        for article in story["articles"]:
            kind = article["story_kind"] or ""
            print(f"    {article['source']}: {article['title']}  [{kind}]  {article['url']}")
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    """Rebuild the reports of one run, or of every run since a date, from the database."""
    from schedules.report import build_report, build_report_since, write_reports

    options = Options(args)
    if (args.run is None) == (args.since is None):
        raise UsageError("give either --run ID or --since DATE")
    with Store(options.db) as store:
        try:
            if args.run is not None:
                report = build_report(store, args.run)
            else:
                report = build_report_since(store, args.since)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        paths = write_reports(report, options.report_dir, store)
    for kind, path in paths.items():
        print(f"{kind}: {path}")
    return EXIT_OK


def cmd_schedule(args: argparse.Namespace) -> int:
    """Run `newswatch run` daily from an APScheduler daemon."""
    from schedules.daemon import make_trigger, serve
    from schedules.logs import configure_logging

    options = Options(args)
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
        ("--config", args.config),
    ):
        if value:
            run_args += [flag, str(Path(value).resolve())]
    for name, value in args.set or []:
        run_args += ["-s", f"{name}={value}"]
    configure_logging(options.db.parent / "logs")
    return serve(trigger, run_args, options.db.parent / "schedule.db", once_now=args.once_now)


# ------------------------------------------------------------------ parser


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", help=f"SQLite database (default: {DEFAULT_DB})")
    common.add_argument("--sources", help="sources TOML file (default: crawlers/sources.toml)")
    common.add_argument(
        "--config", help="TOML file with db, sources, lexicon, report_dir, [settings]"
    )
    common.add_argument("--lexicon", help="lexicon TOML file (default: pipelines/lexicon.toml)")
    common.add_argument(
        "-s",
        "--set",
        action="append",
        type=parse_setting,
        metavar="NAME=VALUE",
        help="override a Scrapy setting, as in `scrapy crawl` (repeatable)",
    )
    parser = argparse.ArgumentParser(
        prog="newswatch",
        description="Monitor India–Russia defence news: crawl, tag, deduplicate, report.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    crawl = commands.add_parser(
        "crawl",
        parents=[common],
        help="crawl all enabled sources once",
        description="Crawl every enabled source (or --source NAME) once into the database "
        "and print a per-source table. Example: newswatch crawl --source TASS",
    )
    crawl.add_argument("--source", action="append", help="only this source (repeatable)")
    crawl.add_argument("--run-id", type=int, help=argparse.SUPPRESS)  # set by `newswatch run`
    crawl.set_defaults(func=cmd_crawl)

    run = commands.add_parser(
        "run",
        parents=[common],
        help="one whole cycle for cron: crawl, report, notify",
        description="Crawl every enabled source, then write this run's report (JSON, Markdown, "
        "HTML, Atom) and send it to the configured notifiers. Exit codes: 0 all sources fine, "
        "1 some sources failed, 2 bad configuration, 75 another run is active. "
        "Example: newswatch run --config newswatch.toml",
    )
    run.add_argument("--report-dir", help=f"where reports go (default: {DEFAULT_REPORT_DIR})")
    run.set_defaults(func=cmd_run)

    report = commands.add_parser(
        "report",
        parents=[common],
        help="rebuild the reports of a run (or of the runs since a date)",
        description="Write JSON, Markdown, HTML and Atom reports again from the database. "
        "Example: newswatch report --run 12, or newswatch report --since 2025-12-01",
    )
    report.add_argument("--run", type=int, help="the run's id")
    report.add_argument("--since", help="every run started on or after this date")
    report.add_argument("--report-dir", help=f"where reports go (default: {DEFAULT_REPORT_DIR})")
    report.set_defaults(func=cmd_report)

    schedule = commands.add_parser(
        "schedule",
        parents=[common],
        help="daemon that runs `newswatch run` daily (for hosts without cron)",
        description="Fire `newswatch run` daily at --at in --tz (or on a --cron expression) "
        "from an APScheduler daemon; a run missed while the host was down happens once when "
        "it comes back. SIGTERM/SIGINT: no new runs, a running one may finish, exit 0. "
        "Example: newswatch schedule --at 06:30 --tz Asia/Kolkata --once-now",
    )
    schedule.add_argument("--at", default="06:30", help="daily time HH:MM (default 06:30)")
    schedule.add_argument("--tz", default="Asia/Kolkata", help="time zone (default Asia/Kolkata)")
    schedule.add_argument("--cron", help='crontab expression "m h dom mon dow" instead of --at')
    schedule.add_argument("--once-now", action="store_true", help="also run once at start")
    schedule.add_argument("--report-dir", help=f"where reports go (default: {DEFAULT_REPORT_DIR})")
    schedule.set_defaults(func=cmd_schedule)

    extract = commands.add_parser(
        "extract",
        parents=[common],
        help="extract article fields from saved HTML pages",
        description="Print the fields newswatch extracts from saved pages (.html or .html.gz), "
        "one JSON object per line. Example: newswatch extract page.html.gz --url https://...",
    )
    extract.add_argument("paths", nargs="+", metavar="PATH")
    extract.add_argument("--url", help="the page's address (default: its canonical URL)")
    extract.set_defaults(func=cmd_extract)

    classify = commands.add_parser(
        "classify",
        parents=[common],
        help="judge relevance and tags of JSON Lines documents on stdin",
        description="Read JSON Lines {id, title, text[, summary, url, lang]} on stdin and "
        "write {id, relevant, score, status, tags, reasons} per line: how to try a lexicon "
        "change before applying it. Malformed lines are reported on stderr and skipped. "
        "Example: newswatch classify --lexicon my-lexicon.toml < docs.jsonl",
    )
    classify.set_defaults(func=cmd_classify)

    retag = commands.add_parser(
        "retag",
        parents=[common],
        help="re-apply the current lexicon to every stored article",
        description="Classify every stored article again (one transaction per batch) and "
        "report how many changed status or tags. Example: newswatch retag --db data/newswatch.db",
    )
    retag.add_argument("--batch", type=int, default=500, help="articles per transaction")
    retag.set_defaults(func=cmd_retag)

    cluster = commands.add_parser(
        "cluster",
        parents=[common],
        help="assign JSON Lines documents on stdin to stories",
        description="Read JSON Lines {id, title, text[, url, published]} on stdin and print "
        "{id, story} per line, with the pipeline's own code: a fresh in-memory index, or the "
        "database's when --db is given (which then remembers the documents). "
        "Example: newswatch cluster < docs.jsonl",
    )
    cluster.set_defaults(func=cmd_cluster)

    stories = commands.add_parser(
        "stories",
        parents=[common],
        help="list stories with their articles and outlets, newest first",
        description="List stories newest first, each with its member articles (lead first) and "
        "the outlets that carried it. Example: newswatch stories --since 2025-12-01",
    )
    stories.add_argument("--since", help="only stories first seen on or after this date")
    stories.add_argument("--limit", type=int, help="at most this many stories")
    stories.add_argument("--format", choices=("text", "json"), default="text")
    stories.set_defaults(func=cmd_stories)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (UsageError, SourcesError, StoreError, LexiconError) as exc:
        print(f"newswatch {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except Locked as exc:
        print(f"newswatch {args.command}: {exc}", file=sys.stderr)
        return EXIT_LOCKED


if __name__ == "__main__":
    sys.exit(main())
