"""A report as Markdown, as a self-contained HTML page, and the Atom feed of stories.

Every headline, outlet name and URL here was scraped from the web, so each is treated as
hostile: escaped for the format it goes into, and linked only when it is http(s).
Times are shown to people in the report's zone ("4 Dec 2025, 14:05 IST"); URLs are shown
decoded ("/новости/…") but linked percent-encoded. The HTML page is also the e-mail body,
and apprise derives the e-mail's plain-text part from it, so each piece of a story sits in
its own block and lists are separated by commas: the text part reads well too.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
import zoneinfo
from collections.abc import Iterator
from datetime import UTC, date, datetime, tzinfo
from html import escape
from typing import Any
from urllib.parse import quote, unquote, urlsplit
from xml.etree import ElementTree as ET

from pipelines.dates import zone as named_zone

ATOM_NS = "http://www.w3.org/2005/Atom"
DEFAULT_TIMEZONE = "Asia/Kolkata"
DEFAULT_ZONE = named_zone(DEFAULT_TIMEZONE)
SECTIONS = (
    ("new", "New stories"),
    ("updates", "Updates to earlier stories"),
    ("review", "For review (borderline)"),
)
# Source health states that need someone to look (pipelines/health.py); "unchanged"
# (every feed answered 304) and "ok" do not.
ATTENTION_STATES = frozenset({"failing", "empty", "extraction broken"})
NEWS_SECTIONS = ("new", "updates")  # what the tag index counts: review items are not news
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Characters XML 1.0 forbids, which a scraped page may still carry.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_MARKDOWN_INLINE = re.compile(r"([\\`*_\[\]])")
# "<" that could open an HTML tag, comment or autolink. Python-Markdown (which apprise
# uses to turn Markdown into HTML) has no backslash escape for "<", so it stays "&lt;".
_TAG_OPENER = re.compile(r"<(?=[A-Za-z/!?])")
_ENTITY_LIKE = re.compile(r"&(?=#?\w+;)")  # "&lt;" as text, not as "<"
# What makes a line a heading, quote, list item or numbered item.
_BLOCK_MARKER = re.compile(r"^(?:[#>+-]|(\d+)([.)]))")
# Percent-encoded bytes of non-ASCII characters: the slug of a Hindi or Russian URL.
_ENCODED_NON_ASCII = re.compile(r"(?:%[89a-fA-F][0-9a-fA-F])+")
# Characters that would disguise a URL shown as text: controls, bidi overrides, spaces.
_DISGUISING = {"Cc", "Cf", "Co", "Cn", "Zs", "Zl", "Zp"}


def clean(text: Any) -> str:
    """Scraped text as one line without control characters."""
    return " ".join(_CONTROL.sub("", str(text or "")).split())


def safe_url(url: Any) -> str | None:
    """The URL when it is an absolute http(s) URL that is safe to link, else None."""
    url = clean(url)
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    # Percent-encode what could end a Markdown link or an attribute early.
    return quote(url, safe=":/?#@!$&'*+,;=%~[]")


def display_url(href: str) -> str:
    """A linkable URL as people read it: percent-encoded UTF-8 decoded (the Devanagari or
    Cyrillic of a slug), ASCII escapes such as %20 and %2F kept, so the text names the
    same URL; characters that could disguise it (controls, bidi overrides, spaces) stay
    encoded."""

    def decode(match: re.Match[str]) -> str:
        try:
            text = unquote(match[0], errors="strict")
        except UnicodeDecodeError:
            return match[0]
        return "".join(
            quote(char) if unicodedata.category(char) in _DISGUISING else char for char in text
        )

    return _ENCODED_NON_ASCII.sub(decode, href)


# ------------------------------------------------------------------ times


def report_zone(name: Any) -> tzinfo:
    """The zone a report shows times in, from the config's `timezone`; a ValueError in
    one line, naming the closest known zone, for a name that is none."""
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"timezone must be a time zone name such as {DEFAULT_TIMEZONE!r}")
    try:
        return named_zone(name)
    except ValueError as exc:
        by_case = {known.casefold(): known for known in zoneinfo.available_timezones()}
        close = difflib.get_close_matches(name.casefold(), sorted(by_case), n=1, cutoff=0.8)
        hint = f"; did you mean {by_case[close[0]]!r}?" if close else ""
        raise ValueError(f"timezone: {exc}{hint}") from None


def _parse(value: Any) -> datetime | None:
    """An ISO 8601 date or time as an aware datetime (a stored time without an offset is
    UTC), or None."""
    try:
        moment = datetime.fromisoformat(str(value))
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _publisher_day(value: Any) -> date | None:
    """The day a publication date names when it names no time of day: a bare date, or
    midnight in the publisher's own offset (how a date without a time is stored). Moving
    such a date into another zone would invent a time and maybe another day."""
    moment = _parse(value)
    if moment is None:
        return None
    if len(str(value)) == 10 or (moment.hour, moment.minute, moment.second) == (0, 0, 0):
        return moment.date()
    return None


def _day(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _clock(local: datetime) -> str:
    return f"{local:%H:%M} {local.tzname()}"


def display_time(value: Any, zone: tzinfo) -> str:
    """A stored ISO time for people, in `zone`: "4 Dec 2025, 14:05 IST"."""
    moment = _parse(value)
    if moment is None:
        return clean(value)
    local = moment.astimezone(zone)
    return f"{_day(local.date())}, {_clock(local)}"


def display_published(value: Any, zone: tzinfo) -> str:
    """A publication date for people: its time in `zone`, or the day alone when the
    publisher gave no time."""
    day = _publisher_day(value)
    return _day(day) if day else display_time(value, zone)


def local_day(value: Any, zone: tzinfo) -> date | None:
    """The day in `zone` a publication date falls on (the publisher's day if it names
    no time)."""
    moment = _parse(value)
    if moment is None:
        return None
    return _publisher_day(value) or moment.astimezone(zone).date()


def _span(started: Any, finished: Any, zone: tzinfo) -> str:
    """When a run started and finished; the finish without its date on the same day."""
    text = f"started {display_time(started, zone)}"
    start, end = _parse(started), _parse(finished)
    if end is None:
        return f"{text}, not finished"
    end = end.astimezone(zone)
    same_day = start is not None and start.astimezone(zone).date() == end.date()
    return f"{text}, finished {_clock(end) if same_day else display_time(finished, zone)}"


# ------------------------------------------------------------------ what every format shows


def report_title(report: dict[str, Any]) -> str:
    """The heading of a run's report, or of a digest with its first and last day."""
    period = report.get("period")
    if period:
        return f"newswatch digest {period['from']} to {period['to']}"
    return f"newswatch run {report['run']['id']}"


def plural(n: int, one: str, many: str) -> str:
    """A count and its noun: "1 new story", "2 new stories"."""
    return f"{n} {one if n == 1 else many}"


def _summary(report: dict[str, Any], zone: tzinfo) -> str:
    counts = (
        f"{plural(len(report['new']), 'new story', 'new stories')}, "
        f"{plural(len(report['updates']), 'update', 'updates')}, "
        f"{len(report['review'])} for review"
    )
    if report.get("period"):
        return f"{counts}; {plural(len(report['runs']), 'run', 'runs')}"
    run = report["run"]
    return f"{counts}; run {run['status']}, {_span(run['started'], run['finished'], zone)}"


def numbered(
    report: dict[str, Any],
) -> Iterator[tuple[str, str, list[tuple[int, dict[str, Any]]]]]:
    """Each non-empty section with its entries numbered across the whole report, so the
    tag index can point at stories by number."""
    number = 0
    for key, heading in SECTIONS:
        entries = []
        for entry in report[key]:
            number += 1
            entries.append((number, entry))
        if entries:
            yield key, heading, entries


def tag_index(report: dict[str, Any]) -> list[tuple[str, list[int]]]:
    """Each tag of the news sections with the numbers of its stories, the most carried
    tag first."""
    stories: dict[str, list[int]] = {}
    for key, _, entries in numbered(report):
        if key in NEWS_SECTIONS:
            for number, entry in entries:
                for tag in entry["tags"]:
                    stories.setdefault(tag, []).append(number)
    return sorted(stories.items(), key=lambda item: (-len(item[1]), item[0]))


def tag_anchors(tags: list[str]) -> dict[str, str]:
    """A distinct fragment id for each tag: "S-400" is "tag-s-400"."""
    anchors: dict[str, str] = {}
    for tag in tags:
        slug = "tag-" + (_slug(tag) or "x")
        anchor, n = slug, 1
        while anchor in anchors.values():
            n += 1
            anchor = f"{slug}-{n}"
        anchors[tag] = anchor
    return anchors


def _slug(text: str) -> str:
    """Letters, digits and marks (a Devanagari word keeps its vowel signs), lower-case,
    anything else one hyphen."""
    kept = (c if unicodedata.category(c)[0] in "LNM" else "-" for c in clean(text).casefold())
    return re.sub("-+", "-", "".join(kept)).strip("-")


def outlet(source: Any, language: Any) -> str:
    """An outlet with its language: "TASS (ru)"."""
    language = clean(language)
    return f"{clean(source)} ({language})" if language else clean(source)


def other_outlets(entry: dict[str, Any]) -> list[dict[str, Any]]:
    """The story's other outlets, each once (its first copy), without the entry's own."""
    seen = {entry["source"]}
    others = []
    for other in entry["also"]:
        if other["source"] not in seen:
            seen.add(other["source"])
            others.append(other)
    return others


def needs_attention(source: dict[str, Any]) -> bool:
    """Whether a source's health calls for someone to look at it."""
    return source.get("state", "ok") in ATTENTION_STATES


def _source_note(source: dict[str, Any], zone: tzinfo) -> str:
    state = source.get("state", source["status"])
    note = {
        "failing": f"failing since {display_time(source.get('failing_since'), zone)}",
        "empty": f"no feed items in {source.get('empty_runs')} runs",
        "extraction broken": "pages fetched but none parsed in the last runs",
        "unchanged": "feeds not modified since the last run",
    }.get(state, state)
    return f"{note}: {source['error']}" if source.get("error") else note


def _meta(entry: dict[str, Any], zone: tzinfo) -> str:
    parts = [outlet(entry["source"], entry.get("language"))]
    if entry["published"]:
        parts.append(display_published(entry["published"], zone))
    return " · ".join(parts)


# ------------------------------------------------------------------ Markdown


def md_text(text: Any, *, starts_line: bool = False) -> str:
    """Text that stays text in Markdown, escaped as Markdown rather than HTML: link,
    emphasis and code syntax backslash-escaped; a "<" that could open a tag written "&lt;"
    (the one entity: Python-Markdown, which apprise uses, has no escape for it); and, for
    text that starts a line, what would make the line a heading, quote or list item."""
    text = _MARKDOWN_INLINE.sub(r"\\\1", clean(text))
    text = _TAG_OPENER.sub("&lt;", _ENTITY_LIKE.sub("&amp;", text))
    if starts_line:
        text = _BLOCK_MARKER.sub(lambda m: f"{m[1]}\\{m[2]}" if m[1] else f"\\{m[0]}", text)
    return text


def md_link(title: Any, url: Any) -> str:
    href = safe_url(url)
    label = md_text(title) or "(untitled)"
    return f"[{label}]({href})" if href else label


def markdown(report: dict[str, Any], zone: tzinfo = DEFAULT_ZONE) -> str:
    """The digest as Markdown: for chat notifiers, webhooks and the report folder. Each
    story is numbered; the tag index at the top lists the numbers of each tag's stories."""
    lines = [f"# {report_title(report)}", "", _summary(report, zone), ""]
    index = tag_index(report)
    if index:
        lines += ["## Tags", ""]
        for tag, numbers in index:
            stories = plural(len(numbers), "story", "stories")
            lines.append(f"- {md_text(tag)}: {stories} ({', '.join(map(str, numbers))})")
        lines.append("")
    for key, heading, entries in numbered(report):
        lines += [f"## {heading} ({len(report[key])})", ""]
        for number, entry in entries:
            lines += _md_entry(number, entry, zone)
        lines.append("")
    if report.get("merged"):
        lines += ["## Stories merged", ""]
        for merge in report["merged"]:
            lines.append(
                f"- story {merge['story']} ({md_text(merge['title'])}) is now part of story "
                f"{merge['into_story']} ({md_text(merge['into_title'])})"
            )
        lines.append("")
    problems = [source for source in report["sources"] if needs_attention(source)]
    if problems:
        lines += ["## Sources needing attention", ""]
        for source in problems:
            note = _source_note(source, zone)
            lines.append(f"- **{md_text(source['name'])}**: {md_text(note)}")
        lines.append("")
    return "\n".join(lines)


def _md_entry(number: int, entry: dict[str, Any], zone: tzinfo) -> list[str]:
    """One story as a list item whose lines end in hard breaks (two spaces)."""
    parts = [f"**{number}.** {md_link(entry['title'], entry['url'])}", md_text(_meta(entry, zone))]
    if entry.get("summary"):
        parts.append(md_text(entry["summary"], starts_line=True))
    if entry["tags"]:
        parts.append("tags: " + ", ".join(md_text(tag) for tag in entry["tags"]))
    others = other_outlets(entry)
    if others:
        links = (md_link(outlet(o["source"], o.get("language")), o["url"]) for o in others)
        parts.append("also: " + ", ".join(links))
    href = safe_url(entry["url"])
    if href:
        parts.append(f"[{md_text(display_url(href))}]({href})")
    return ["- " + parts[0] + "  "] + [f"  {part}  " for part in parts[1:-1]] + [f"  {parts[-1]}"]


# ------------------------------------------------------------------ HTML

_CSS = """
body{margin:0;font:17px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
color:#1a1a1a;background:#fafafa}
main{max-width:44rem;margin:0 auto;padding:1rem}
h1{font-size:1.5rem;margin:.5rem 0}h2{font-size:1.2rem;margin:1.5rem 0 .5rem}
ul{list-style:none;padding:0;margin:0}
li.story{background:#fff;border:1px solid #ddd;border-radius:6px;padding:.6rem .8rem;
margin:.5rem 0;overflow-wrap:anywhere}
.story>a,.story>span.title{font-weight:600;text-decoration:none;color:#0645ad}
.num{font-weight:600;color:#555;margin-right:.3rem}
.summary{margin:.3rem 0}
.meta,.also,.tags,.url{font-size:.9rem;color:#555}.url a{color:#555}
.tags a,.index a{color:#0645ad}
.bad{color:#a00}figure{margin:1rem 0}svg{max-width:100%;height:auto}
"""


def html_page(
    report: dict[str, Any], chart_svg: str | None = None, *, zone: tzinfo = DEFAULT_ZONE
) -> str:
    """The digest as one self-contained page (inline CSS and SVG, no script, no external
    asset) that reads well on a phone: also the HTML body of e-mail digests."""
    title = report_title(report)
    body = [f"<h1>{escape(title)}</h1>", f"<p>{escape(_summary(report, zone))}</p>"]
    index = tag_index(report)
    anchors = tag_anchors([tag for tag, _ in index])
    if index:
        body.append('<h2>Tags</h2><ul class="index">')
        body += [_html_index_line(tag, numbers, anchors[tag]) for tag, numbers in index]
        body.append("</ul>")
    for key, heading, entries in numbered(report):
        body.append(f"<h2>{escape(heading)} ({len(report[key])})</h2><ul>")
        body += [_html_entry(number, entry, anchors, zone) for number, entry in entries]
        body.append("</ul>")
    if report.get("merged"):
        body.append("<h2>Stories merged</h2><ul>")
        body += [
            f"<li>story {m['story']} ({escape(clean(m['title']))}) is now part of story "
            f"{m['into_story']} ({escape(clean(m['into_title']))})</li>"
            for m in report["merged"]
        ]
        body.append("</ul>")
    if chart_svg:
        body.append(f"<h2>Stories per day by tag</h2><figure>{chart_svg}</figure>")
    body.append("<h2>Sources</h2><ul>")
    body += [_html_source(source, zone) for source in report["sources"]]
    body.append("</ul>")
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_CSS}</style></head>"
        f"<body><main>{''.join(body)}</main></body></html>\n"
    )


def _html_index_line(tag: str, numbers: list[int], anchor: str) -> str:
    links = ", ".join(f'<a href="#story-{n}">{n}</a>' for n in numbers)
    stories = plural(len(numbers), "story", "stories")
    return f'<li id="{anchor}"><b>{escape(clean(tag))}</b>: {stories} ({links})</li>'


def _html_link(text: Any, url: Any, css: str = "", hint: Any = None) -> str:
    href = safe_url(url)
    label = escape(clean(text)) or "(untitled)"
    title = f' title="{escape(clean(hint))}"' if hint else ""
    if href:
        return f'<a href="{escape(href)}"{title}>{label}</a>'
    return f'<span class="{css}"{title}>{label}</span>' if css or title else label


def _html_entry(number: int, entry: dict[str, Any], anchors: dict[str, str], zone: tzinfo) -> str:
    """One story; each part in its own block, so the e-mail's text part has it on its
    own line."""
    parts = [
        f'<li class="story" id="story-{number}"><span class="num">{number}.</span> ',
        _html_link(entry["title"], entry["url"], "title"),
        f'<div class="meta">{escape(_meta(entry, zone))}</div>',
    ]
    if entry.get("summary"):
        parts.append(f'<p class="summary">{escape(clean(entry["summary"]))}</p>')
    if entry["tags"]:
        tags = ", ".join(_html_tag(tag, anchors.get(tag)) for tag in entry["tags"])
        parts.append(f'<div class="tags">tags: {tags}</div>')
    others = other_outlets(entry)
    if others:
        also = ", ".join(
            _html_link(outlet(o["source"], o.get("language")), o["url"], hint=o["title"])
            for o in others
        )
        parts.append(f'<div class="also">also: {also}</div>')
    href = safe_url(entry["url"])
    if href:
        parts.append(f'<div class="url">{_html_link(display_url(href), href)}</div>')
    parts.append("</li>")
    return "".join(parts)


def _html_tag(tag: str, anchor: str | None) -> str:
    """A story's tag, linked to its line in the tag index when it has one."""
    label = escape(clean(tag))
    return f'<a href="#{anchor}">{label}</a>' if anchor else label


def _html_source(source: dict[str, Any], zone: tzinfo) -> str:
    css = ' class="bad"' if needs_attention(source) or source["status"] != "ok" else ""
    return (
        f"<li{css}><b>{escape(clean(source['name']))}</b>: "
        f"{escape(clean(_source_note(source, zone)))} — {source['items']} items, "
        f"{source['fetched']} fetched, {source['stored']} stored</li>"
    )


# ------------------------------------------------------------------ Atom


def atom(stories: list[dict[str, Any]], *, feed_id: str = "urn:newswatch:stories") -> str:
    """An Atom feed of the latest stories (`Store.latest_stories`, each with the summary
    a report shows), newest first."""
    ET.register_namespace("", ATOM_NS)
    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    _sub(feed, "id", feed_id)
    _sub(feed, "title", "newswatch: India–Russia defence news")
    updated = max((s["first_seen"] for s in stories), default=None)
    _sub(feed, "updated", updated or datetime.now(UTC).isoformat(timespec="seconds"))
    _sub(_sub(feed, "author"), "name", "newswatch")
    for story in stories:
        entry = _sub(feed, "entry")
        _sub(entry, "id", f"{feed_id}:{story['story']}")
        _sub(entry, "title", clean(story["title"]) or "(untitled)")
        href = safe_url(story["url"])
        if href:
            ET.SubElement(entry, f"{{{ATOM_NS}}}link", rel="alternate", href=href)
        _sub(entry, "updated", story["first_seen"])
        _sub(_sub(entry, "author"), "name", clean(story["source"]))
        for tag in story["tags"]:
            ET.SubElement(entry, f"{{{ATOM_NS}}}category", term=clean(tag))
        summary = clean(story["summary"]) or clean(story["title"]) or "(no summary)"
        _sub(entry, "summary", summary)
        if not href:  # an entry without an alternate link must carry content (RFC 4287)
            _sub(entry, "content", summary)
    return ET.tostring(feed, encoding="unicode", xml_declaration=True) + "\n"


def _sub(parent: ET.Element, name: str, text: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM_NS}}}{name}")
    if text is not None:
        element.text = text
    return element
