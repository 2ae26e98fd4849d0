"""/-/story/<id>: one story with every outlet that carried it and each article's copy kind.

A story's row in Datasette shows ids and JSON; analysts ask "who carried it, when, and
who copied whom", so this page answers that. The stories table's own row links lead
here too, and a story merged into another redirects to the one it merged into.
"""

from __future__ import annotations

from typing import Any

from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response

STORY = (
    "SELECT s.id, s.lead_url, s.first_seen, s.merged_into,"
    " coalesce(s.title, (SELECT title FROM articles WHERE url = s.lead_url)) AS title"
    " FROM stories s WHERE s.id = :id"
)
# Members as v_stories counts them (not `irrelevant`), the lead first, then by publication.
MEMBERS = (
    "SELECT id, url, title, source, language, published, published_utc, story_kind,"
    " duplicate_of FROM articles WHERE story_id = :id AND status != 'irrelevant'"
    " ORDER BY url != :lead_url, published_utc IS NULL, published_utc, id"
)
TAGS = (
    "SELECT DISTINCT t.tag FROM articles a JOIN article_tags t ON t.article_id = a.id"
    " WHERE a.story_id = :id AND a.status != 'irrelevant' ORDER BY t.tag"
)
# How an article that is not the lead joined the story (articles.story_kind): `new` is
# the lead of a story that later merged into this one, an outlet's own text like a
# `same-event` report.
COPY_KINDS = {
    "duplicate": "duplicate",
    "syndicated": "syndicated",
    "same-event": "rewrite",
    "new": "rewrite",
}


def copy_kind(article: dict[str, Any], lead_url: str) -> str:
    if article["url"] == lead_url:
        return "lead"
    return COPY_KINDS.get(article["story_kind"], article["story_kind"] or "")


def outlets_of(members: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each outlet once, with the languages it wrote in and its number of articles."""
    outlets: dict[str, dict[str, Any]] = {}
    for article in members:
        outlet = outlets.setdefault(
            article["source"], {"source": article["source"], "languages": set(), "articles": 0}
        )
        outlet["articles"] += 1
        if article["language"]:
            outlet["languages"].add(article["language"])
    return [
        dict(outlet, languages=sorted(outlet["languages"])) for _, outlet in sorted(outlets.items())
    ]


def publication_span(members: list[dict[str, Any]]) -> tuple[str | None, str | None]:
    """The first and last publication times, as the outlets gave them."""
    dated = sorted((m for m in members if m["published_utc"]), key=lambda m: m["published_utc"])
    if not dated:
        return None, None
    return dated[0]["published"], dated[-1]["published"]


async def story_page(datasette, request) -> Response:
    db = datasette.get_database()
    story_id = int(request.url_vars["story_id"])
    row = (await db.execute(STORY, {"id": story_id})).first()
    if row is None:
        raise NotFound(f"No story {story_id}")
    story = dict(row)
    if story["merged_into"]:
        return Response.redirect(datasette.urls.path(f"/-/story/{story['merged_into']}"))
    members = [
        dict(article, copy_kind=copy_kind(article, story["lead_url"]))
        for article in (await db.execute(MEMBERS, {"id": story_id, "lead_url": story["lead_url"]}))
    ]
    tags = [tag for (tag,) in await db.execute(TAGS, {"id": story_id})]
    first_published, last_published = publication_span(members)
    context = {
        "database": db.name,
        "story": story,
        "members": members,
        "outlets": outlets_of(members),
        "tags": tags,
        "first_published": first_published,
        "last_published": last_published,
    }
    return Response.html(await datasette.render_template("story.html", context, request=request))


async def story_row(datasette, request) -> Response:
    """The stories table's row page: the story page says more."""
    return Response.redirect(datasette.urls.path(f"/-/story/{request.url_vars['story_id']}"))


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [
        (r"^/-/story/(?P<story_id>\d+)$", story_page),
        (r"^/(?P<database>[^/.]+)/stories/(?P<story_id>\d+)$", story_row),
    ]
