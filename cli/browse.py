"""`newswatch serve`: the archive in the browser, read-only, through Datasette."""

from __future__ import annotations

import argparse
import sys

from cli.options import Options, UsageError, add_db


def cmd_serve(args: argparse.Namespace) -> int:
    """Browse the database read-only in Datasette on 127.0.0.1."""
    from schedules.serve import HOST, datasette_installed, serve

    options = Options(args)
    if not datasette_installed():
        raise UsageError("Datasette is not installed: pip install -e '.[analyst]'")
    options.store().close()  # a database must exist; its schema (views too) is brought up to date
    print(f"serving {options.db} read-only on http://{HOST}:{args.port}/", file=sys.stderr)
    return serve(options.db, args.port)


def register(commands: argparse._SubParsersAction) -> None:
    serve = commands.add_parser(
        "serve",
        help="browse the database read-only in Datasette",
        description="Open the database read-only in Datasette on 127.0.0.1 with its tables and "
        "columns described, full-text search on articles and the views, a page per story "
        "with every outlet that carried it, stories per tag per week, and canned queries "
        "(latest stories, stories per tag over time, a tag's timeline, the most carried "
        "stories, failing sources). Needs the analyst extra: pip install -e '.[analyst]'. "
        "Example: newswatch serve --port 8001",
    )
    add_db(serve)
    serve.add_argument("--port", type=int, default=8001, help="port (default 8001)")
    serve.set_defaults(func=cmd_serve)
