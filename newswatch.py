"""The `newswatch` command: thin sub-commands over the crawler, the pipelines and the store.

Configuration flows one way: defaults in code, overridden by a TOML file (`--config`),
overridden by flags. Exit codes: 0 all fine, 1 the job ran but something failed,
2 bad configuration or arguments.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import tomllib
from contextlib import closing
from datetime import date, datetime
from pathlib import Path
from typing import Any

from crawlers.settingtypes import SettingError, check_settings
from crawlers.sources import SourcesError, load_sources, select_sources
from pipelines.lexicon import LexiconError
from pipelines.store import DEFAULT_DB, ArticleFilter, Store, StoreError
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
    """The effective options of one command: flags over config over defaults.

    Scrapy settings are checked against their types here, before any work starts; the
    config file's path and the user's own `-s` strings are kept as given, so a crawl in a
    child process reads exactly what this process read."""

    def __init__(self, args: argparse.Namespace):
        self.config_file: str | None = args.config
        config = load_config(args.config)
        self.db = Path(args.db or config.get("db") or DEFAULT_DB)
        self.sources_file = args.sources or config.get("sources")
        self.lexicon_file = getattr(args, "lexicon", None) or config.get("lexicon")
        self.report_dir = Path(
            getattr(args, "report_dir", None) or config.get("report_dir") or DEFAULT_REPORT_DIR
        )
        self.notify: list[str] = list(config.get("notify", []))
        self.set_args: list[str] = [f"{name}={value}" for name, value in args.set or []]
        try:
            self.settings: dict[str, Any] = {
                **check_settings(config.get("settings", {}), f"{args.config} [settings]"),
                **check_settings(dict(args.set or []), "-s"),
            }
        except SettingError as exc:
            raise UsageError(str(exc)) from None

    def sources(self) -> list:
        return load_sources(self.sources_file)

    def store(self) -> Store:
        """The database of a command that only reads it: never created here."""
        return Store(self.db, create=False)

    def classifier(self):
        from pipelines.lexicon import Lexicon
        from pipelines.topic import Classifier

        return Classifier(Lexicon.load(self.lexicon_file))


# ------------------------------------------------------------------ commands


def cmd_crawl(args: argparse.Namespace) -> int:
    """Crawl every enabled source (or the named ones) once into the database."""
    options = Options(args)
    selected = select_sources(options.sources(), args.source)
    return crawl(options, selected, kind="crawl", run_id=args.run_id)


def cmd_backfill(args: argparse.Namespace) -> int:
    """Walk news sitemaps and GDELT for a past window, resuming an interrupted backfill."""
    from crawlers.backfill import Backfill

    options = Options(args)
    selected = select_sources(options.sources(), args.source)
    try:
        window = Backfill.parse(f"{args.since}/{args.until or date.today().isoformat()}")
    except ValueError as exc:
        raise UsageError(f"bad window: {exc}") from None
    with Store(options.db) as store:
        done = sorted(store.done_slices(window.key))
    if done:
        print(f"resuming backfill {window.key}: {len(done)} slices already done")
    extra = {"NEWSWATCH_BACKFILL": window.key, "NEWSWATCH_BACKFILL_DONE": done}
    return crawl(options, selected, kind="backfill", extra=extra)


def crawl(
    options: Options,
    selected: list,
    *,
    kind: str,
    run_id: int | None = None,
    extra: dict[str, Any] | None = None,
) -> int:
    """One crawl of `selected` under the run lock (held by `newswatch run` when it gives
    `run_id`), then the per-source summary."""
    from crawlers.process import crawl_settings, run_crawl
    from schedules.lock import RunLock

    lock = RunLock(options.db)
    if run_id is None:
        lock.acquire()
    try:
        with Store(options.db) as store:
            if run_id is None:
                store.abort_stale_runs()
                store.sync_sources(options.sources())
                run_id = store.start_run(kind)
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


def ensure_story_rules(store: Store, options: Options) -> None:
    """Rebuild the story index first when it was built by other rules (a new release, or
    another lexicon), so new articles are never matched against stale stories."""
    from pipelines.evidence import EvidenceReader
    from pipelines.recluster import needs_recluster
    from pipelines.stories import StoryClusterer

    clusterer = StoryClusterer(store.story_store(), reader=EvidenceReader(options.classifier()))
    if needs_recluster(store, clusterer):
        print("story rules changed: rebuilding the story index first", file=sys.stderr)
        result = rebuild_stories(store, options)
        print(
            f"stories rebuilt: {result.articles} articles, {result.split} split, "
            f"{result.merged} merged",
            file=sys.stderr,
        )


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
    rows = []
    for source in registry:
        h = health.get(source.name, {})
        state = h.get("state", "not run") if source.enabled else "disabled"
        if state == "failing":
            state = f"failing since {h['failing_since'][:16]}"
        elif state == "empty":
            state = f"empty for {h['empty_runs']} runs"
        rows.append((source.name, source.kind or "feed", state, h.get("error") or ""))
    if args.format == "json":
        for name, kind, state, error in rows:
            print(json.dumps({"name": name, "kind": kind, "state": state, "error": error or None}))
        return EXIT_OK
    header = ("source", "kind", "state", "last error")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(3)]
    for row in [header, *rows]:
        cells = [cell.ljust(w) for cell, w in zip(row[:3], widths, strict=True)]
        print("  ".join([*cells, row[3]]).rstrip())
    return EXIT_OK


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
            config_file=options.config_file,
            set_args=options.set_args,
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
    """Re-apply the current lexicon and rules to every stored article."""
    from pipelines.retag import retag
    from schedules.progress import progress

    options = Options(args)
    classifier = options.classifier()
    with options.store() as store, progress(store.count("articles"), "retagging") as advance:
        result = retag(store, classifier, batch_size=args.batch, progress=advance)
    print(
        f"{result.articles} articles retagged: {result.changed} changed "
        f"({result.status_changed} status, {result.tags_changed} tags)"
    )
    for tag in sorted(result.gained.keys() | result.lost.keys()):
        print(f"  {tag}: +{result.gained[tag]} -{result.lost[tag]}")
    return EXIT_OK


def cmd_cluster(args: argparse.Namespace) -> int:
    """Assign JSON Lines documents from stdin to stories, as the pipeline would."""
    from pipelines.stories import StoryClusterer, cluster_lines

    if args.db is None:
        bad = cluster_lines(sys.stdin, sys.stdout, sys.stderr, StoryClusterer())
    else:
        with Store(Options(args).db) as store, store.transaction():
            clusterer = StoryClusterer(store.story_store())
            bad = cluster_lines(sys.stdin, sys.stdout, sys.stderr, clusterer)
    return EXIT_FAILURES if bad else EXIT_OK


def cmd_recluster(args: argparse.Namespace) -> int:
    """Rebuild story assignments over the archive with the current rules."""
    if args.since is not None:
        article_filter(args)  # the date must read as ISO
    options = Options(args)
    with options.store() as store:
        result = rebuild_stories(store, options, since=args.since)
    print(
        f"{result.articles} articles in {result.stories} stories: {result.split} stories "
        f"split, {result.merged} merged, {result.retired} kept only as aliases"
    )
    return EXIT_OK


def rebuild_stories(store: Store, options: Options, since: str | None = None):
    """Replay the archive through the story matcher, with a progress bar."""
    from pipelines.evidence import EvidenceReader
    from pipelines.recluster import recluster
    from pipelines.stories import StoryClusterer
    from schedules.progress import progress

    reader = EvidenceReader(options.classifier())
    total = len(store.clustering_order(since))
    with progress(total, "reclustering") as advance:
        return recluster(
            store,
            lambda index: StoryClusterer(index, reader=reader),
            since=since,
            progress=advance,
        )


def cmd_stories(args: argparse.Namespace) -> int:
    """List stories newest first with their member articles and outlets."""
    with Options(args).store() as store:
        stories = store.stories(since=args.since, limit=args.limit)
    for story in stories:
        if args.format == "json":
            print(json.dumps(story, ensure_ascii=False))
            continue
        outlets = ", ".join(
            f"{o['source']} ({', '.join(o['languages'])})" if o["languages"] else o["source"]
            for o in story["outlets"]
        )
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
    with options.store() as store:
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


def article_filter(args: argparse.Namespace) -> ArticleFilter:
    """The --tag/--source/--since/--until flags; dates must be ISO 8601."""
    for flag in ("since", "until"):
        value = getattr(args, flag)
        if value is not None:
            try:
                datetime.fromisoformat(value)
            except ValueError:
                raise UsageError(
                    f"--{flag} {value!r}: expected an ISO date, e.g. 2025-12-01"
                ) from None
    return ArticleFilter(tag=args.tag, source=args.source, since=args.since, until=args.until)


def cmd_search(args: argparse.Namespace) -> int:
    """Full-text search, best match first; without a query, the newest articles."""
    from pipelines.fts_query import to_fts
    from pipelines.store import QuerySyntaxError

    where = article_filter(args)
    marks = ("**", "**") if args.format == "table" else ("[", "]")
    with Options(args).store() as store:
        if args.query is None:
            rows = store.list_articles(where, args.limit)
        else:
            try:
                rows = store.search(to_fts(args.query), where, args.limit, marks)
            except QuerySyntaxError as exc:
                raise UsageError(
                    f'cannot read the query {args.query!r} ({exc}): close every " and (, '
                    'and quote words that are not terms, e.g. "NEAR" or "AND"'
                ) from None
    for row in rows:
        if args.format == "json":
            print(json.dumps(row, ensure_ascii=False))
            continue
        day = (row["published"] or "")[:10]
        tags = ", ".join(row["tags"])
        print(f"{day}  {row['source']}: {row['title']}  [{tags}]")
        if row.get("snippet"):
            print(f"    {' '.join(row['snippet'].split())}")
        print(f"    {row['url']}")
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    """Stream articles as CSV, a JSON array or JSON Lines to a file or stdout."""
    from pipelines.export import write_rows
    from pipelines.store import EXPORT_COLUMNS

    where = article_filter(args)
    with Options(args).store() as store, closing(store.iter_export(where)) as rows:
        if args.out:
            with open(args.out, "w", encoding="utf-8", newline="") as out:
                count = write_rows(rows, EXPORT_COLUMNS, args.format, out)
            print(f"{count} articles written to {args.out}", file=sys.stderr)
            return EXIT_OK
        try:
            write_rows(rows, EXPORT_COLUMNS, args.format, sys.stdout)
            sys.stdout.flush()
        except BrokenPipeError:  # `newswatch export | head`: the reader has had enough
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    """Browse the database read-only in Datasette on 127.0.0.1."""
    from schedules.serve import HOST, datasette_installed, serve

    options = Options(args)
    if not datasette_installed():
        raise UsageError("Datasette is not installed: pip install -e '.[analyst]'")
    options.store().close()  # a database must exist; its schema (views too) is brought up to date
    print(f"serving {options.db} read-only on http://{HOST}:{args.port}/", file=sys.stderr)
    return serve(options.db, args.port)


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

    backfill = commands.add_parser(
        "backfill",
        parents=[common],
        help="crawl a past window through news sitemaps and GDELT",
        description="Walk the news sitemaps and GDELT day by day for a past window, politely, "
        "through the same pipeline; an interrupted backfill resumes where it stopped. "
        "Example: newswatch backfill --since 2025-11-01 --until 2025-11-30",
    )
    backfill.add_argument("--since", required=True, help="first day (YYYY-MM-DD)")
    backfill.add_argument("--until", help="last day (default: today)")
    backfill.add_argument("--source", action="append", help="only this source (repeatable)")
    backfill.set_defaults(func=cmd_backfill)

    sources = commands.add_parser(
        "sources",
        parents=[common],
        help="list every source with its state and last error",
        description="Every source of the registry with its state from the recent runs (ok, "
        "failing since, empty for N runs, extraction broken, disabled) and its last error. "
        "Example: newswatch sources --format json",
    )
    sources.add_argument("--format", choices=("table", "json"), default="table")
    sources.set_defaults(func=cmd_sources)

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

    recluster = commands.add_parser(
        "recluster",
        parents=[common],
        help="rebuild story assignments over the archive with the current rules",
        description="Replay every stored article (or those published since --since) through "
        "the story matcher in publication order and store their new stories, with a progress "
        "bar; prints how many stories split and merged. Stories keep their ids where their "
        "first article leads them again; the others stay as aliases. A crawl does this by "
        "itself when the rules changed. Example: newswatch recluster --since 2025-01-01",
    )
    recluster.add_argument("--since", help="only articles published on or after this date")
    recluster.set_defaults(func=cmd_recluster, tag=None, source=None, until=None)

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

    filters = argparse.ArgumentParser(add_help=False)
    filters.add_argument("--tag", help="only articles with this canonical tag, e.g. S-400")
    filters.add_argument("--source", help="only articles of this source")
    filters.add_argument("--since", help="published (or first seen) on or after this date")
    filters.add_argument("--until", help="published (or first seen) on or before this date")

    search = commands.add_parser(
        "search",
        parents=[common, filters],
        help="full-text search of stored articles, best match first",
        description="Search titles, summaries and bodies (SQLite FTS5, ranked by bm25, title "
        "hits first) and print each hit with a highlighted snippet. Words are searched as "
        "typed, hyphenated names included (S-400, India-Russia, Su-30MKI), in any script; "
        'FTS5 syntax works too: "exact phrase", OR, NOT, NEAR(a b, 5), prefix*, title:word. '
        "A query matching more than 10,000 articles is ranked among its newest 10,000 "
        "matches. Without QUERY: the newest articles of the filters. Articles a retag judged "
        "irrelevant are left out. Example: newswatch search 'S-400 delivery' --since 2025-01-01",
    )
    search.add_argument("query", nargs="?", metavar="QUERY")
    search.add_argument("--limit", type=int, default=20, help="at most this many (default 20)")
    search.add_argument("--format", choices=("table", "json"), default="table")
    search.set_defaults(func=cmd_search)

    export = commands.add_parser(
        "export",
        parents=[common, filters],
        help="export articles as CSV, JSON or JSON Lines",
        description="Write one row per article (id, url, title, source, publisher, published, "
        "first_seen, language, status, relevance, tags, story, story_kind, summary) in id "
        "order, streamed in constant memory; irrelevant articles are left out. CSV carries "
        "tags as a JSON array. Example: newswatch export --format csv --tag BrahMos "
        "--since 2025-01-01 --out brahmos.csv",
    )
    export.add_argument("--format", choices=("csv", "json", "jsonl"), default="jsonl")
    export.add_argument("--out", metavar="FILE", help="write here (default: stdout)")
    export.set_defaults(func=cmd_export)

    serve = commands.add_parser(
        "serve",
        parents=[common],
        help="browse the database read-only in Datasette",
        description="Open the database read-only in Datasette on 127.0.0.1 with its tables and "
        "columns described and canned queries (latest stories, stories per tag over time, "
        "the S-400 timeline, the most carried stories, failing sources). Needs the analyst "
        "extra: pip install -e '.[analyst]'. Example: newswatch serve --port 8001",
    )
    serve.add_argument("--port", type=int, default=8001, help="port (default 8001)")
    serve.set_defaults(func=cmd_serve)
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
    except sqlite3.Error as exc:  # a full disk, a lock held past the busy timeout
        db = getattr(args, "db", None) or DEFAULT_DB
        print(f"newswatch {args.command}: database {db}: {exc}", file=sys.stderr)
        return EXIT_FAILURES


if __name__ == "__main__":
    sys.exit(main())
