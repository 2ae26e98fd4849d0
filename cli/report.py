"""`newswatch report`: write a run's reports again, or a digest of the runs since a day."""

from __future__ import annotations

import argparse

from cli.options import EXIT_OK, Options, UsageError, add_db, add_report_dir, iso_date


def cmd_report(args: argparse.Namespace) -> int:
    """Rebuild the reports of one run (run-N.*; latest.json and feed.xml too when N is
    the newest reported run), or write a digest of every run since a date
    (digest-FROM-TO.*, never a run's files), from the database."""
    from schedules.report import build_report, build_report_since, write_reports

    options = Options(args)
    if (args.run is None) == (args.since is None):
        raise UsageError("give either --run ID or --since DATE")
    since = iso_date(args.since, "--since")
    with options.store() as store:
        try:
            if args.run is not None:
                report = build_report(store, args.run)
            else:
                report = build_report_since(store, since, options.timezone)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        paths = write_reports(report, options.report_dir, store, zone=options.timezone)
    for kind, path in paths.items():
        print(f"{kind}: {path}")
    return EXIT_OK


def register(commands: argparse._SubParsersAction) -> None:
    report = commands.add_parser(
        "report",
        help="rebuild the reports of a run, or write a digest of the runs since a date",
        description="Write a run's JSON, Markdown and HTML reports (run-ID.*) again from the "
        "database; latest.json and feed.xml only when it is the newest reported run. Or write "
        "a digest of every run since a date (digest-FROM-TO.*), which replaces no run's files. "
        "Example: newswatch report --run 12, or newswatch report --since 2025-12-01",
    )
    add_db(report)
    report.add_argument("--run", type=int, help="the run's id")
    report.add_argument(
        "--since",
        help="every run started on or after this date (YYYY-MM-DD, in the config's timezone)",
    )
    add_report_dir(report)
    report.set_defaults(func=cmd_report)
