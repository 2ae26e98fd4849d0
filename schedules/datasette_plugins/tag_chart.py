"""/-/tags-per-week: stories per tag per week as an inline SVG chart, with its numbers.

Inline SVG, like the report's chart (schedules/chart.py), needs no script and no chart
plugin: the page renders the same offline and in any browser. The weeks end at the
newest publication in the archive, so an archive that is not crawled daily still shows.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from html import escape
from typing import Any

from datasette import hookimpl
from datasette.utils.asgi import Response
from markupsafe import Markup

from schedules.chart import BOTTOM, HEIGHT, LEFT, RIGHT, TOP, WIDTH, tag_lines

WEEKS = 26
TOP_TAGS = 5

# Distinct stories per tag and week (starting Monday) from `:start`, by publication day
# or, for an undated article, the day first seen (as v_daily_tag_counts counts days);
# `:tags` a JSON array of tags, or null for all. The articles are read off the
# published_utc index (undated ones too: NULL is indexed), not by a scan of the archive.
STORIES_PER_WEEK = """
SELECT date(substr(coalesce(a.published_utc, a.first_seen), 1, 10), '-6 days', 'weekday 1')
         AS week,
       t.tag, count(DISTINCT a.story_id) AS stories
FROM articles a JOIN article_tags t ON t.article_id = a.id
WHERE a.status != 'irrelevant'
  AND (a.published_utc >= :start OR (a.published_utc IS NULL AND a.first_seen >= :start))
  AND (:tags IS NULL OR t.tag IN (SELECT value FROM json_each(:tags)))
GROUP BY week, t.tag
"""


def week_starts(newest: date, weeks: int = WEEKS) -> list[str]:
    """The Mondays of the `weeks` weeks ending with the one holding `newest`."""
    last = newest - timedelta(days=newest.weekday())
    return [(last - timedelta(weeks=n)).isoformat() for n in reversed(range(weeks))]


def weekly_chart(weeks: list[str], counts: dict[str, dict[str, int]]) -> str:
    """SVG of stories per week, one line per tag of `counts` ({tag: {week: stories}})."""
    title = f"Stories per week, {weeks[0]} to {weeks[-1]}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%"'
        f' role="img" aria-label="{escape(title)}" font-family="sans-serif" font-size="12">',
        f"<title>{escape(title)}</title>",
    ]
    peak = max((n for weekly in counts.values() for n in weekly.values()), default=0)
    if not peak:
        parts.append(
            f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle">'
            "No tagged stories in these weeks</text></svg>"
        )
        return "".join(parts)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(i: int) -> float:
        return LEFT + plot_w * i / max(len(weeks) - 1, 1)

    def y(n: float) -> float:
        return TOP + plot_h * (1 - n / peak)

    last = len(weeks) - 1
    parts.append(
        f'<polyline fill="none" stroke="#555" points="{x(0):.1f},{y(peak):.1f}'
        f' {x(0):.1f},{y(0):.1f} {x(last):.1f},{y(0):.1f}"/>'
    )
    for i, anchor in ((0, "start"), (last // 2, "middle"), (last, "end")):
        parts.append(
            f'<text x="{x(i):.1f}" y="{y(0) + 16:.1f}" text-anchor="{anchor}">{weeks[i]}</text>'
        )
    for n in sorted({0, peak // 2, peak}):
        parts.append(f'<text x="{x(0) - 6:.1f}" y="{y(n) + 4:.1f}" text-anchor="end">{n}</text>')
    parts.append(
        f'<text x="{x(last // 2):.1f}" y="{y(0) + 34:.1f}" text-anchor="middle">'
        "week starting (UTC)</text>"
    )
    parts += tag_lines(counts, weeks, x, y)
    parts.append("</svg>")
    return "".join(parts)


async def tags_per_week(datasette, request) -> Response:
    db = datasette.get_database()
    chosen = [tag.strip() for tag in request.args.getlist("tag") if tag.strip()]
    newest = (await db.execute("SELECT max(published_utc) FROM articles")).first()[0]
    weeks = week_starts(date.fromisoformat(newest[:10]) if newest else date.today())
    rows = await db.execute(
        STORIES_PER_WEEK,
        {"start": weeks[0], "tags": json.dumps(chosen) if chosen else None},
    )
    counts: dict[str, dict[str, int]] = {}
    for week, tag, stories in rows:
        counts.setdefault(tag, {})[week] = stories
    shown = chosen or sorted(counts, key=lambda tag: (-sum(counts[tag].values()), tag))
    counts = {tag: counts.get(tag, {}) for tag in shown[:TOP_TAGS]}
    all_tags = [name for (name,) in await db.execute("SELECT name FROM tags ORDER BY name")]
    context: dict[str, Any] = {
        "database": db.name,
        "chosen": chosen,
        "all_tags": all_tags,
        "weeks": weeks,
        "counts": counts,
        "chart": Markup(weekly_chart(weeks, counts)),
    }
    return Response.html(
        await datasette.render_template("tags_per_week.html", context, request=request)
    )


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [(r"^/-/tags-per-week$", tags_per_week)]
