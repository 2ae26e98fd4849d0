"""How values read in a table: story ids are links to the story page, titles links to
the article, JSON arrays of names plain lists, tags links to their timeline."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from datasette import hookimpl
from markupsafe import Markup, escape

from pipelines.store.schema import TAG_TERMS, tags_of_terms

# Columns that hold a story id, in any table, view or query (the stories table's own ids
# link to its row page, which story_page.py sends to the story page).
STORY_COLUMNS = ("story_id", "merged_into")
# The columns whose row carries the article's address, in order of preference.
ARTICLE_URL_COLUMNS = ("url", "lead_url")
NAME_LIST_COLUMNS = ("outlets", "authors")


def article_url(row: Any) -> str | None:
    """The article address a result row (sqlite3.Row or Datasette's CustomRow) carries."""
    columns = row.keys()  # `name in row` would search a sqlite3.Row's values
    for name in ARTICLE_URL_COLUMNS:
        url = row[name] if name in columns else None
        if isinstance(url, str) and url.startswith(("http://", "https://")):
            return url
    return None


def names_of(value: Any) -> list[str] | None:
    """The names in a JSON array of strings; None for anything else."""
    if not isinstance(value, str) or not value.startswith("["):
        return None
    try:
        names = json.loads(value)
    except ValueError:
        return None
    if not all(isinstance(name, str) for name in names):
        return None
    return names


def story_link(datasette, story_id: int) -> Markup:
    return Markup('<a href="{}">{}</a>').format(
        datasette.urls.path(f"/-/story/{story_id}"), story_id
    )


def name_list(names: list[str]) -> Markup:
    return escape(", ".join(names)) if names else Markup("&nbsp;")


def tag_links(datasette, database: str, tags: list[str]) -> Markup:
    """Each tag as a link to the Tag timeline canned query."""
    timeline = datasette.urls.query(database, "tag_timeline")
    links = [
        Markup('<a href="{}?{}">{}</a>').format(timeline, urlencode({"tag": tag}), tag)
        for tag in tags
    ]
    return Markup(", ").join(links) if links else Markup("&nbsp;")


@hookimpl
def render_cell(row, value, column, table, database, datasette) -> Markup | None:
    if isinstance(value, int) and column in STORY_COLUMNS:
        return story_link(datasette, value)
    if column == "title" and value and (url := article_url(row)):
        return Markup('<a href="{}">{}</a>').format(url, value)
    if column == "tag" and isinstance(value, str):
        return tag_links(datasette, database, [value])
    if column == "tags" and (tags := names_of(value)) is not None:
        return tag_links(datasette, database, tags)
    if column == TAG_TERMS and isinstance(value, str):  # index terms: show the tags
        return tag_links(datasette, database, tags_of_terms(value))
    if column in NAME_LIST_COLUMNS and (names := names_of(value)) is not None:
        return name_list(names)
    return None
