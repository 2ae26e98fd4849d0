"""Reading the archive: stories and export (search is cli/search.py)."""

from __future__ import annotations

import argparse
import sys
from contextlib import closing

from cli.options import (
    EXIT_OK,
    Options,
    add_db,
    add_filters,
    add_format,
    article_filter,
    iso_date,
)
from cli.output import output, write_records

STORY_COLUMNS = ("id", "title", "first_seen", "first_published", "published", "lead_url",
                 "outlets", "articles")  # fmt: skip


def cmd_stories(args: argparse.Namespace) -> int:
    """List stories newest first with their member articles and outlets."""
    options = Options(args)
    with options.store() as store:
        where = article_filter(args, store, options)
        seen_since = iso_date(args.seen_since, "--seen-since")
        stories = store.stories(where, seen_since=seen_since, limit=args.limit)
    if args.format != "table":
        write_records(stories, STORY_COLUMNS, args.format, sys.stdout)
        return EXIT_OK
    for story in stories:
        outlets = ", ".join(
            f"{o['source']} ({', '.join(o['languages'])})" if o["languages"] else o["source"]
            for o in story["outlets"]
        )
        day = (story["published"] or story["first_seen"])[:10]
        print(f"[{story['id']}] {story['title']}  ({day}; {outlets})")
        for article in story["articles"]:
            kind = article["story_kind"] or ""
            print(f"    {article['source']}: {article['title']}  [{kind}]  {article['url']}")
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    """Stream articles as CSV, a JSON array or JSON Lines to a file or stdout."""
    from pipelines.store import EXPORT_COLUMNS

    options = Options(args)
    with options.store() as store:
        where = article_filter(args, store, options)
        with output(args.out) as out, closing(store.iter_export(where)) as rows:
            count = write_records(rows, EXPORT_COLUMNS, args.format, out)
    if args.out:
        print(f"{count} articles written to {args.out}", file=sys.stderr)
    return EXIT_OK


def register(commands: argparse._SubParsersAction) -> None:
    stories = commands.add_parser(
        "stories",
        help="list stories with their articles and outlets, newest first",
        description="List stories newest first (by first seen), each with its member articles "
        "(lead first) and the outlets that carried it, with their languages. --since/--until, "
        "--tag and --source keep the stories with at least one such article (publication "
        "dates, as everywhere); --seen-since those first seen since a day. "
        "Example: newswatch stories --tag S-400 --since 2025-12-01",
    )
    add_db(stories)
    add_filters(stories)
    stories.add_argument("--seen-since", help="only stories first seen on or after this date")
    stories.add_argument("--limit", type=int, default=50, help="at most this many (default 50)")
    add_format(stories)
    stories.set_defaults(func=cmd_stories)

    export = commands.add_parser(
        "export",
        help="export articles as CSV, JSON or JSON Lines",
        description="Write one row per article (id, url, title, source, publisher, published, "
        "first_seen, language, status, relevance, tags, story, story_kind, summary) in id "
        "order, streamed in constant memory; irrelevant articles are left out. CSV carries "
        "tags as a JSON array; the default format is JSON Lines. Example: newswatch export "
        "--format csv --tag BrahMos --since 2025-01-01 --out brahmos.csv",
    )
    add_db(export)
    add_filters(export)
    add_format(export, ("json", "jsonl", "csv"), default="jsonl")
    export.add_argument("--out", metavar="FILE", help="write here (default: stdout)")
    export.set_defaults(func=cmd_export)
