"""What every command shares: exit codes, the config file, the effective options, and
the option builders that give each flag one meaning on every command that has it.

Configuration flows one way: defaults in code, overridden by a TOML file (`--config`),
overridden by flags.
"""

from __future__ import annotations

import argparse
import difflib
import tomllib
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from cli.checks import (
    UsageError,
    check_config_values,
    database_file,
    readable_file,
    report_folder,
)
from crawlers.settingtypes import SettingError, check_settings
from crawlers.sources import load_sources
from pipelines.store import DEFAULT_DB, ArticleFilter, Store
from schedules.render import DEFAULT_TIMEZONE, report_zone

EXIT_OK, EXIT_FAILURES, EXIT_USAGE, EXIT_LOCKED = 0, 1, 2, 75
CONFIG_KEYS = {
    "db",
    "sources",
    "lexicon",
    "report_dir",
    "notify",
    "notify_empty",
    "timezone",
    "settings",
}
DEFAULT_REPORT_DIR = Path("data") / "reports"
# --format: table for people; json is one array, jsonl one object per line, csv a sheet.
FORMATS = ("table", "json", "jsonl", "csv")


def load_config(path: str | None) -> dict[str, Any]:
    """Read the optional TOML config; unknown keys are errors, not silently ignored."""
    if not path:
        return {}
    try:
        config = tomllib.loads(readable_file(path, "--config").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{path}: config file not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: not valid TOML: {exc}") from None
    unknown = set(config) - CONFIG_KEYS
    if unknown:
        raise UsageError(f"{path}: unknown key {sorted(unknown)[0]!r}")
    check_config_values(config, path)
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
    child process reads exactly what this process read. A command without a flag gets
    the config's value or the default."""

    def __init__(self, args: argparse.Namespace, *, writes: bool = False):
        """`writes`: the command writes to the database (it must be writable)."""
        self.config_file: str | None = getattr(args, "config", None)
        config = load_config(self.config_file)
        self.db = Path(getattr(args, "db", None) or config.get("db") or DEFAULT_DB)
        database_file(self.db, writing=writes)
        self.sources_file = getattr(args, "sources", None) or config.get("sources")
        if self.sources_file:
            readable_file(self.sources_file, "--sources")
        self.lexicon_file = getattr(args, "lexicon", None) or config.get("lexicon")
        if self.lexicon_file:
            readable_file(self.lexicon_file, "--lexicon")
        self.report_dir = report_folder(
            Path(
                getattr(args, "report_dir", None) or config.get("report_dir") or DEFAULT_REPORT_DIR
            )
        )
        self.notify: list[str] = list(config.get("notify", []))
        self.notify_empty: bool = config.get("notify_empty", False)
        try:
            self.timezone = report_zone(config.get("timezone", DEFAULT_TIMEZONE))
        except ValueError as exc:
            raise UsageError(f"{self.config_file}: {exc}") from None
        flags = getattr(args, "set", None) or []
        self.set_args: list[str] = [f"{name}={value}" for name, value in flags]
        try:
            self.settings: dict[str, Any] = {
                **check_settings(config.get("settings", {}), f"{self.config_file} [settings]"),
                **check_settings(dict(flags), "-s"),
            }
        except SettingError as exc:
            raise UsageError(str(exc)) from None

    def sources(self) -> list:
        return load_sources(self.sources_file)

    def store(self) -> Store:
        """The database of a command that only reads it: never created here."""
        return Store(self.db, create=False)

    def lexicon(self):
        from pipelines.lexicon import Lexicon

        return Lexicon.load(self.lexicon_file)

    def classifier(self):
        from pipelines.topic import Classifier

        return Classifier(self.lexicon())


# ------------------------------------------------------------------ option builders


def add_db(parser: argparse.ArgumentParser) -> None:
    """--db and --config (which may name the database)."""
    parser.add_argument("--db", help=f"SQLite database (default: {DEFAULT_DB})")
    add_config(parser)


def add_config(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        help="TOML file with db, sources, lexicon, report_dir, notify, timezone, "
        "notify_empty, [settings]",
    )


def add_sources(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sources", help="sources TOML file (default: crawlers/sources.toml)")


def add_lexicon(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lexicon", help="lexicon TOML file (default: pipelines/lexicon.toml)")


def add_settings(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-s",
        "--set",
        action="append",
        type=parse_setting,
        metavar="NAME=VALUE",
        help="override a Scrapy setting, as in `scrapy crawl` (repeatable)",
    )


def add_report_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--report-dir", help=f"where reports go (default: {DEFAULT_REPORT_DIR})")


def add_format(
    parser: argparse.ArgumentParser, choices: tuple[str, ...] = FORMATS, default: str = "table"
) -> None:
    parser.add_argument(
        "--format",
        choices=choices,
        default=default,
        help=f"table, or json (one array), jsonl (one object per line), csv (default {default})",
    )


def add_dates(parser: argparse.ArgumentParser) -> None:
    """--since/--until: the publication date, on every command that has them."""
    parser.add_argument("--since", help="published on or after this date (YYYY-MM-DD)")
    parser.add_argument("--until", help="published on or before this date (YYYY-MM-DD)")


def add_filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--tag", help="only articles with this canonical tag, e.g. S-400")
    parser.add_argument("--source", help="only articles of this source")
    add_dates(parser)


def iso_date(value: str | None, flag: str) -> str | None:
    """The flag's value when it reads as an ISO date or time; a UsageError otherwise."""
    if value is not None:
        try:
            datetime.fromisoformat(value)
        except ValueError:
            raise UsageError(f"{flag} {value!r}: expected an ISO date, e.g. 2025-12-01") from None
    return value


def known_name(value: str, names: Iterable[str], flag: str) -> str:
    """The canonical spelling of a tag or source given in any case; a UsageError naming
    the closest known names when there is none."""
    names = list(names)
    by_case = {name.casefold(): name for name in names}
    if value.casefold() in by_case:
        return by_case[value.casefold()]
    close = difflib.get_close_matches(value.casefold(), list(by_case), n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(repr(by_case[c]) for c in close)}?" if close else ""
    raise UsageError(f"{flag} {value!r}: no such {flag.lstrip('-')}{hint}")


def article_filter(args: argparse.Namespace, store: Store, options: Options) -> ArticleFilter:
    """The --tag/--source/--since/--until flags: dates must be ISO 8601, tags and sources
    known (in any case: `s-400` is S-400)."""
    tag, source = args.tag, args.source
    if tag is not None and not store.has_tag(tag):
        tag = known_name(tag, options.lexicon().tags, "--tag")
    if source is not None:
        source = known_name(source, store.source_names(), "--source")
    return ArticleFilter(
        tag=tag,
        source=source,
        since=iso_date(args.since, "--since"),
        until=iso_date(args.until, "--until"),
    )
