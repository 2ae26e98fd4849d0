"""An inline SVG line chart of daily story counts for the top tags.

Inline SVG needs no script, no image file and no external asset, so the HTML report
stays one self-contained file that renders the same in a browser, offline or on a phone.
Stories are counted on the day they were published, in the report's zone: a backfill
that finds a month of stories at once adds to each of their days, not to its own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime, time, timedelta, tzinfo
from html import escape
from typing import Any

from schedules.render import MONTHS, local_day

CHART_DAYS = 30
TOP_TAGS = 5
COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd")
WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 16, 96  # plot margins; the legend sits below the x axis


def stories_per_day(publications: list[dict[str, Any]], zone: tzinfo) -> list[dict[str, Any]]:
    """{day, tag, stories} rows from `Store.story_publications` ({story, published, tag}):
    each story counted once per tag, on the day in `zone` it was published."""
    stories: dict[tuple[str, str], set[int]] = defaultdict(set)
    days: dict[str, date | None] = {}  # a story has a row per tag, all with its one date
    for row in publications:
        if (published := row["published"]) not in days:
            days[published] = local_day(published, zone)
        if (day := days[published]) is not None:
            stories[day.isoformat(), row["tag"]].add(row["story"])
    return [
        {"day": day, "tag": tag, "stories": len(ids)} for (day, tag), ids in sorted(stories.items())
    ]


def tag_chart(
    rows: list[dict[str, Any]], *, end: date, zone: tzinfo, days: int = CHART_DAYS
) -> str:
    """SVG of stories per day for the `TOP_TAGS` tags with most stories over the `days`
    ending on `end`, from `stories_per_day` rows ({day, tag, stories}) counted in `zone`."""
    start = end - timedelta(days=days - 1)
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for row in rows:
        if start.isoformat() <= row["day"] <= end.isoformat():
            counts[row["tag"]][row["day"]] = row["stories"]
    top = sorted(counts, key=lambda tag: (-sum(counts[tag].values()), tag))[:TOP_TAGS]
    title = f"Stories per day, top {TOP_TAGS} tags, {start.isoformat()} to {end.isoformat()}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%"'
        f' role="img" aria-label="{escape(title)}" font-family="sans-serif" font-size="12">',
        f"<title>{escape(title)}</title>",
    ]
    if not top:
        parts.append(
            f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle">'
            f"No tagged stories in the last {days} days</text></svg>"
        )
        return "".join(parts)
    day_keys = [(start + timedelta(days=i)).isoformat() for i in range(days)]
    peak = max(max(counts[tag].values()) for tag in top)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(i: int) -> float:
        return LEFT + plot_w * i / max(days - 1, 1)

    def y(n: float) -> float:
        return TOP + plot_h * (1 - n / peak)

    zone_name = datetime.combine(end, time(12), zone).tzname() or ""
    parts += _axes(day_keys, peak, x, y, zone_name)
    parts += tag_lines({tag: counts[tag] for tag in top}, day_keys, x, y)
    parts.append("</svg>")
    return "".join(parts)


def tag_lines(
    counts: dict[str, dict[Any, int]],
    keys: list[Any],
    x: Callable[[int], float],
    y: Callable[[float], float],
) -> list[str]:
    """One coloured line per tag over `keys` (days, weeks), each with its legend entry
    below the plot: the report's chart and the browser's weekly one draw the same way."""
    parts = []
    for index, (tag, by_key) in enumerate(counts.items()):
        colour = COLOURS[index % len(COLOURS)]
        points = " ".join(f"{x(i):.1f},{y(by_key.get(key, 0)):.1f}" for i, key in enumerate(keys))
        parts.append(
            f'<polyline class="tag-line" fill="none" stroke="{colour}" stroke-width="2"'
            f' points="{points}"><title>{escape(tag)}</title></polyline>'
        )
        legend_x, legend_y = LEFT + (index % 3) * 200, HEIGHT - 40 + (index // 3) * 18
        parts.append(
            f'<rect x="{legend_x}" y="{legend_y - 9}" width="14" height="4" fill="{colour}"/>'
            f'<text x="{legend_x + 20}" y="{legend_y}">{escape(tag)}</text>'
        )
    return parts


def _axes(
    day_keys: list[str],
    peak: int,
    x: Callable[[int], float],
    y: Callable[[float], float],
    zone_name: str,
) -> list[str]:
    """Axis lines, a few date and count ticks, and the axis labels."""
    last = len(day_keys) - 1
    bottom = y(0)
    parts = [
        f'<line x1="{x(0):.1f}" y1="{bottom:.1f}" x2="{x(last):.1f}" y2="{bottom:.1f}"'
        ' stroke="#555"/>',
        f'<line x1="{x(0):.1f}" y1="{y(peak):.1f}" x2="{x(0):.1f}" y2="{bottom:.1f}"'
        ' stroke="#555"/>',
    ]
    # The end labels are anchored inwards so they are not clipped at the chart's edges.
    for i, anchor in ((0, "start"), (last // 2, "middle"), (last, "end")):
        parts.append(
            f'<text x="{x(i):.1f}" y="{bottom + 16:.1f}" text-anchor="{anchor}">'
            f"{_short_day(day_keys[i])}</text>"
        )
    for n in sorted({0, peak // 2, peak}):
        parts.append(f'<text x="{x(0) - 6:.1f}" y="{y(n) + 4:.1f}" text-anchor="end">{n}</text>')
    middle = y(peak / 2)
    parts.append(
        f'<text x="{x(last // 2):.1f}" y="{bottom + 34:.1f}" text-anchor="middle">'
        f"day published ({escape(zone_name)})</text>"
        f'<text x="12" y="{middle:.1f}" text-anchor="middle"'
        f' transform="rotate(-90 12 {middle:.1f})">stories per day</text>'
    )
    return parts


def _short_day(iso_day: str) -> str:
    day = date.fromisoformat(iso_day)
    return f"{day.day} {MONTHS[day.month - 1]}"
