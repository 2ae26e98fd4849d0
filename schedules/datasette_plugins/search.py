"""Full-text search in the browser as `newswatch search` reads it.

Datasette searches a table with `<pk> IN (SELECT rowid FROM articles_fts WHERE
articles_fts MATCH escape_fts(:search))`; here `escape_fts` is pipelines.fts_query.to_fts,
so what an analyst types (`S-400`, `missiles`, `"exact phrase" OR BrahMos`) is turned
into the index's MATCH expression by the same function as on the command line. The
translation happens in SQL, not in the URL: every link of a result page (next page,
sort, facets, export, the search box) carries the words as typed, and to_fts is never
applied to its own output. Stories are found by their articles. Anywhere without an
index `_search` is refused: Datasette would ignore it and show every row.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode

from datasette import hookimpl
from datasette.filters import FilterArguments
from datasette.utils.asgi import BadRequest

from pipelines.fts_query import to_fts

ASGIApp = Callable[[dict[str, Any], Callable, Callable], Awaitable[None]]
# Stories with an article (not `irrelevant`) that matches, as v_stories counts them.
STORY_SEARCH = (
    "story_id IN (SELECT story_id FROM articles WHERE status != 'irrelevant' AND id IN"
    " (SELECT rowid FROM articles_fts WHERE articles_fts MATCH escape_fts(:story_search)))"
)


def is_search_key(key: str) -> bool:
    """Datasette's search parameters: `_search` and `_search_<column>`."""
    return key == "_search" or key.startswith("_search_")


def without_blank_searches(query_string: bytes) -> bytes:
    """The query string less its empty search parameters: an emptied search box means
    no search, not a query with nothing to search for."""
    pairs = parse_qsl(query_string.decode(errors="replace"), keep_blank_values=True)
    kept = [(key, value) for key, value in pairs if value.strip() or not is_search_key(key)]
    return query_string if len(kept) == len(pairs) else urlencode(kept).encode()


@hookimpl
def asgi_wrapper(datasette) -> Callable[[ASGIApp], ASGIApp]:
    def wrap(app: ASGIApp) -> ASGIApp:
        async def drop_blank_searches(
            scope: dict[str, Any], receive: Callable, send: Callable
        ) -> None:
            if scope["type"] == "http" and scope.get("query_string"):
                scope = dict(scope, query_string=without_blank_searches(scope["query_string"]))
            await app(scope, receive, send)

        return drop_blank_searches

    return wrap


# Last, so that it replaces the escape_fts Datasette itself registers.
@hookimpl(trylast=True)
def prepare_connection(conn) -> None:
    conn.create_function("escape_fts", 1, to_fts, deterministic=True)


def checked(search: str) -> str:
    """`search`, if to_fts can read it; else the page says what is wrong with it."""
    try:
        to_fts(search)
    except ValueError as error:  # pipelines.fts_query.QuerySyntaxError
        raise BadRequest(f"Cannot search for {search!r}: {error}") from error
    return search


def stories_matching(searches: dict[str, str]) -> FilterArguments:
    """v_stories: a search box, and the stories with an article that matches."""
    if set(searches) - {"_search"}:
        raise BadRequest("v_stories is searched as a whole: use _search")
    if not searches:
        return FilterArguments([], extra_context={"supports_search": True})
    search = searches["_search"]
    return FilterArguments(
        [STORY_SEARCH],
        {"story_search": search},
        [f'an article matches "{search}"'],
        {"supports_search": True, "search": search},
    )


# Last, so that this filter's search box and search text are the ones the page shows.
@hookimpl(trylast=True)
def filters_from_request(request, database, table, datasette) -> Callable:
    async def search_filter() -> FilterArguments | None:
        searches = {key: request.args[key] for key in request.args if is_search_key(key)}
        for search in searches.values():
            checked(search)
        if table == "v_stories":
            return stories_matching(searches)
        if not searches:
            return None
        metadata = datasette.table_metadata(database, table)
        if metadata.get("fts_table") or await datasette.get_database(database).fts_table(table):
            return None
        raise BadRequest(
            f"{table} has no full-text index: search articles, v_articles or v_stories"
        )

    return search_filter
