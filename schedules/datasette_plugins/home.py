"""What the home and database pages list first: the analysts' views, the canned queries
and the plugin's pages, each with its description; then the tables that hold data
(tables only the machinery reads are hidden by metadata)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from datasette import hookimpl

PAGES = (
    {
        "path": "/-/tags-per-week",
        "title": "Stories per tag per week",
        "description": "A chart of the busiest tags, or the tags you choose, week by week.",
    },
)


def link(href: str, title: str, description: str | None) -> dict[str, Any]:
    return {"href": href, "title": title, "description": description or ""}


async def catalogue(datasette, database: str, actor: Any) -> dict[str, list[dict[str, Any]]]:
    """The views, canned queries and visible tables of `database`, described."""
    db = datasette.get_database(database)
    urls = datasette.urls

    def described(name: str) -> dict[str, Any]:
        metadata = datasette.table_metadata(database, name)
        return link(urls.table(database, name), name, metadata.get("description"))

    hidden = set(await db.hidden_table_names())
    queries = await datasette.get_canned_queries(database, actor)
    # The v_ views answer the common questions: they come first.
    views = sorted(await db.view_names(), key=lambda name: (not name.startswith("v_"), name))
    return {
        "views": [described(name) for name in views],
        "queries": [
            link(urls.query(database, name), query.get("title", name), query.get("description"))
            for name, query in queries.items()
        ],
        "tables": [described(name) for name in await db.table_names() if name not in hidden],
    }


@hookimpl
def extra_template_vars(template, request, datasette) -> Callable[[], Awaitable[dict]] | dict:
    if template not in ("index.html", "database.html"):
        return {}

    async def listing() -> dict[str, Any]:
        pages = [
            link(datasette.urls.path(page["path"]), page["title"], page["description"])
            for page in PAGES
        ]
        actor = request.actor if request else None
        catalogues = {
            name: await catalogue(datasette, name, actor)
            for name in datasette.databases
            if name != "_internal"
        }
        return {"analyst_pages": pages, "catalogues": catalogues}

    return listing
