"""`newswatch search`: full-text search of the archive from the command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any

from cli.options import (
    EXIT_OK,
    EXIT_USAGE,
    Options,
    UsageError,
    add_db,
    add_filters,
    add_format,
    article_filter,
)
from cli.output import write_records
from pipelines.fts_query import QuerySyntaxError, to_fts
from pipelines.store.search import SEARCH_WINDOW, SearchPage

SEARCH_COLUMNS = ("id", "url", "title", "source", "published", "status", "relevance", "tags",
                  "story", "snippet")  # fmt: skip


def cmd_search(args: argparse.Namespace) -> int:
    """Full-text search, best match first; without a query, the newest articles."""
    options = Options(args)
    marks = ("**", "**") if args.format == "table" else ("[", "]")
    try:
        match = None if args.query is None else to_fts(args.query)
        with options.store() as store:
            where = article_filter(args, store, options)
            if match is None:
                rows, summary = store.list_articles(where, args.limit), None
            else:
                found = store.search(match, where, args.limit, marks)
                rows, summary = found.rows, _matches(found)
    except QuerySyntaxError as exc:
        raise UsageError(f"cannot read the query {_shorten(args.query)!r}: {exc}") from None
    if args.format != "table":
        write_records(rows, SEARCH_COLUMNS, args.format, sys.stdout)
        return EXIT_OK
    if summary:
        print(summary)
    for row in rows:
        day = (row["published"] or "")[:10]
        tags = ", ".join(row["tags"])
        print(f"{day}  {row['source']}: {row['title']}  [{tags}]")
        if row.get("snippet"):
            print(f"    {' '.join(row['snippet'].split())}")
        print(f"    {row['url']}")
    return EXIT_OK


def _matches(found: SearchPage) -> str:
    """The line above a table of results: how many articles matched, and when more
    than the search ranks, which it ranked."""
    if found.capped:
        return f"more than {SEARCH_WINDOW:,} matches (ranked among the newest {SEARCH_WINDOW:,})"
    return f"{found.matches:,} match" + ("" if found.matches == 1 else "es")


def _shorten(query: str, width: int = 60) -> str:
    """A long pasted query, cut so that the error still fits on one line."""
    return query if len(query) <= width else query[: width - 1] + "…"


def _dash_queries_need_dashes(
    parse: Callable[..., tuple[argparse.Namespace, list[str]]],
) -> Callable[..., tuple[argparse.Namespace, list[str]]]:
    """argparse reads `search -foo` as an unknown option and answers with its usage;
    say in one line how to search for it instead (exit 2, as for any bad argument)."""

    def parse_known_args(
        args: Sequence[str] | None = None, namespace: Any = None
    ) -> tuple[argparse.Namespace, list[str]]:
        parsed, extras = parse(args, namespace)
        for extra in extras:
            if extra.startswith("-") and not extra.startswith("--"):
                print(
                    f"newswatch search: {extra!r} reads as an option; to search for it,"
                    f" end the options with --: newswatch search -- {extra!r}",
                    file=sys.stderr,
                )
                raise SystemExit(EXIT_USAGE)
        return parsed, extras

    return parse_known_args


def register(commands: argparse._SubParsersAction) -> None:
    search = commands.add_parser(
        "search",
        help="full-text search of stored articles, best match first",
        description="Search titles, summaries and bodies (SQLite FTS5, ranked by bm25, title "
        "hits first) and print the number of matches, then each hit with a highlighted "
        "snippet. Words are stemmed, so any form finds the others (missiles: missile; "
        "Индия: Индии), and searched as typed, hyphenated names included (S-400, "
        'India-Russia, Su-30MKI), in any script; FTS5 syntax works too: "exact phrase", '
        "OR, AND, NOT, NEAR(a b, 5), prefix*, title:word, at most 64 words. A query "
        "matching more than 10,000 articles is ranked among its newest 10,000 matches. "
        "Without QUERY: the newest articles of the filters. Articles a retag judged "
        "irrelevant are left out. A query starting with - goes after --. Example: "
        "newswatch search 'S-400 delivery' --since 2025-01-01",
    )
    search.add_argument("query", nargs="?", metavar="QUERY")
    add_db(search)
    add_filters(search)
    search.add_argument("--limit", type=int, default=20, help="at most this many (default 20)")
    add_format(search)
    search.set_defaults(func=cmd_search)
    search.parse_known_args = _dash_queries_need_dashes(search.parse_known_args)  # type: ignore[method-assign]
