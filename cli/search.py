"""`newswatch search`: full-text search of the archive from the command line."""

from __future__ import annotations

import argparse
import sys

from cli.options import (
    EXIT_OK,
    Options,
    UsageError,
    add_db,
    add_filters,
    add_format,
    article_filter,
)
from cli.output import write_records

SEARCH_COLUMNS = ("id", "url", "title", "source", "published", "status", "relevance", "tags",
                  "story", "snippet")  # fmt: skip


def cmd_search(args: argparse.Namespace) -> int:
    """Full-text search, best match first; without a query, the newest articles."""
    from pipelines.fts_query import to_fts
    from pipelines.store import QuerySyntaxError

    options = Options(args)
    marks = ("**", "**") if args.format == "table" else ("[", "]")
    with options.store() as store:
        where = article_filter(args, store, options)
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
    if args.format != "table":
        write_records(rows, SEARCH_COLUMNS, args.format, sys.stdout)
        return EXIT_OK
    for row in rows:
        day = (row["published"] or "")[:10]
        tags = ", ".join(row["tags"])
        print(f"{day}  {row['source']}: {row['title']}  [{tags}]")
        if row.get("snippet"):
            print(f"    {' '.join(row['snippet'].split())}")
        print(f"    {row['url']}")
    return EXIT_OK


def register(commands: argparse._SubParsersAction) -> None:
    search = commands.add_parser(
        "search",
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
    add_db(search)
    add_filters(search)
    search.add_argument("--limit", type=int, default=20, help="at most this many (default 20)")
    add_format(search)
    search.set_defaults(func=cmd_search)
