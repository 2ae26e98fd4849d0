"""A report as Markdown, as a self-contained HTML page, and the Atom feed of stories.

Every headline, outlet name and URL here was scraped from the web, so each is treated as
hostile: escaped for the format it goes into, and linked only when it is http(s).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html import escape
from typing import Any
from urllib.parse import quote, urlsplit
from xml.etree import ElementTree as ET

ATOM_NS = "http://www.w3.org/2005/Atom"
SECTIONS = (
    ("new", "New stories"),
    ("updates", "Updates to earlier stories"),
    ("review", "For review (borderline)"),
)
# Characters XML 1.0 forbids, which a scraped page may still carry.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]])")


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


# ------------------------------------------------------------------ Markdown


def md_text(text: Any) -> str:
    """Text that stays text in Markdown: HTML is entity-escaped (Markdown passes raw HTML
    through to the page), and link and emphasis syntax is backslash-escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", escape(clean(text), quote=False))


def md_link(title: Any, url: Any) -> str:
    href = safe_url(url)
    label = md_text(title) or "(untitled)"
    return f"[{label}]({href})" if href else label


def markdown(report: dict[str, Any]) -> str:
    """The digest as Markdown: for chat notifiers and e-mail in text form."""
    run = report["run"]
    lines = [f"# newswatch run {run['id']}", "", _summary(report), ""]
    for key, heading in SECTIONS:
        if not report[key]:
            continue
        lines += [f"## {heading} ({len(report[key])})", ""]
        for entry in report[key]:
            meta = " · ".join(
                md_text(part) for part in (entry["source"], entry["published"]) if part
            )
            tags = ", ".join(md_text(tag) for tag in entry["tags"])
            lines.append(f"- {md_link(entry['title'], entry['url'])} — {meta}")
            if tags:
                lines.append(f"  tags: {tags}")
            if entry["also"]:
                also = ", ".join(md_link(other["source"], other["url"]) for other in entry["also"])
                lines.append(f"  also: {also}")
        lines.append("")
    if report.get("merged"):
        lines += ["## Stories merged", ""]
        for merge in report["merged"]:
            lines.append(
                f"- story {merge['story']} ({md_text(merge['title'])}) is now part of story "
                f"{merge['into_story']} ({md_text(merge['into_title'])})"
            )
        lines.append("")
    problems = [s for s in report["sources"] if s.get("state", "ok") != "ok"]
    if problems:
        lines += ["## Sources needing attention", ""]
        for source in problems:
            lines.append(f"- **{md_text(source['name'])}**: {md_text(_source_note(source))}")
        lines.append("")
    return "\n".join(lines)


def _summary(report: dict[str, Any]) -> str:
    run = report["run"]
    return (
        f"{len(report['new'])} new, {len(report['updates'])} updates, "
        f"{len(report['review'])} for review; run {run['status']}, "
        f"started {run['started']}, finished {run['finished'] or 'not yet'}"
    )


def _source_note(source: dict[str, Any]) -> str:
    state = source.get("state", source["status"])
    note = {
        "failing": f"failing since {source.get('failing_since')}",
        "empty": f"no feed items in {source.get('empty_runs')} runs",
        "extraction broken": "pages fetched but none parsed in the last runs",
    }.get(state, state)
    return f"{note}: {source['error']}" if source.get("error") else note


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
.meta,.also{font-size:.9rem;color:#555}
.tag{display:inline-block;background:#eef;border-radius:3px;padding:0 .3rem;margin:.1rem;
font-size:.85rem}
.bad{color:#a00}figure{margin:1rem 0}svg{max-width:100%;height:auto}
"""


def html_page(report: dict[str, Any], chart_svg: str | None = None) -> str:
    """The digest as one self-contained page (inline CSS and SVG, no script, no external
    asset) that reads well on a phone: also the HTML body of e-mail digests."""
    run = report["run"]
    title = f"newswatch run {run['id']}"
    body = [f"<h1>{escape(title)}</h1>", f"<p>{escape(_summary(report))}</p>"]
    for key, heading in SECTIONS:
        if report[key]:
            body.append(f"<h2>{escape(heading)} ({len(report[key])})</h2><ul>")
            body += [_html_entry(entry) for entry in report[key]]
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
    for source in report["sources"]:
        state = source.get("state", source["status"])
        css = "" if state == "ok" and source["status"] == "ok" else ' class="bad"'
        body.append(
            f"<li{css}><b>{escape(clean(source['name']))}</b>: "
            f"{escape(clean(_source_note(source)))} — {source['items']} items, "
            f"{source['fetched']} fetched, {source['stored']} stored</li>"
        )
    body.append("</ul>")
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_CSS}</style></head>"
        f"<body><main>{''.join(body)}</main></body></html>\n"
    )


def _html_link(text: Any, url: Any, css: str = "", hint: Any = None) -> str:
    href = safe_url(url)
    label = escape(clean(text)) or "(untitled)"
    title = f' title="{escape(clean(hint))}"' if hint else ""
    if href:
        return f'<a href="{escape(href)}"{title}>{label}</a>'
    return f'<span class="{css}"{title}>{label}</span>' if css or title else label


def _html_entry(entry: dict[str, Any]) -> str:
    meta = " · ".join(escape(clean(p)) for p in (entry["source"], entry["published"]) if p)
    tags = "".join(f'<span class="tag">{escape(clean(tag))}</span>' for tag in entry["tags"])
    parts = [
        '<li class="story">',
        _html_link(entry["title"], entry["url"], "title"),
        f'<div class="meta">{meta}</div>',
    ]
    if tags:
        parts.append(f"<div>{tags}</div>")
    if entry["also"]:
        also = ", ".join(
            _html_link(other["source"], other["url"], hint=other["title"])
            for other in entry["also"]
        )
        parts.append(f'<div class="also">also: {also}</div>')
    parts.append("</li>")
    return "".join(parts)


# ------------------------------------------------------------------ Atom


def atom(stories: list[dict[str, Any]], *, feed_id: str = "urn:newswatch:stories") -> str:
    """An Atom feed of the latest stories (`Store.latest_stories`), newest first."""
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
