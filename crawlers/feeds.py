"""Turn a downloaded feed or sitemap into the list of articles it announces.

RSS 0.9x/1.0/2.0 and Atom go through feedparser, which also recovers from the broken
XML real outlets publish; sitemaps, sitemap indexes and Google-News sitemaps through
lxml. A response that is not a feed at all (an HTML page served with status 200, an
empty or unparseable body) raises NotAFeed with a reason an operator can act on.
Dates are read by pipelines.dates: a bad one leaves its item undated, never fails the feed.
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass, field
from io import BytesIO
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from lxml import etree
from w3lib.html import remove_tags, replace_entities

from pipelines.dates import DateReader, Zone

if TYPE_CHECKING:
    import feedparser

MAX_SITEMAP_BYTES = 50 * 1024 * 1024  # the sitemap protocol's own limit
SITEMAP_ROOTS = {"urlset", "sitemapindex"}
_HTML_START = re.compile(
    rb"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<(!doctype\s+html|html)\b", re.I | re.S
)


class NotAFeed(ValueError):
    """The response is not a feed or sitemap we can read; the message says why."""


@dataclass(frozen=True)
class FeedEntry:
    """One item of a feed: the article link plus what the feed says about it."""

    url: str
    title: str | None = None
    published: str | None = None
    summary: str | None = None
    authors: tuple[str, ...] = ()
    updated: str | None = None  # when the item says it last changed, if it says so


@dataclass
class ParsedFeed:
    kind: str  # rss, atom, sitemap, news-sitemap or sitemap-index
    entries: list[FeedEntry] = field(default_factory=list)
    sitemaps: list[FeedEntry] = field(default_factory=list)  # children of a sitemap index
    warning: str | None = None  # set when the parser had to recover from bad XML
    dates_rejected: int = 0  # dates left out as impossible or implausible (0000-00-00, 9999)
    problems: list[str] = field(default_factory=list)  # items left out, each with why


def parse_feed(body: bytes, url: str, tz: Zone = None) -> ParsedFeed:
    """Parse any feed or sitemap body; raise NotAFeed when it is neither.

    tz is the source's time zone, for dates that state no offset (UTC when None).
    """
    dates = DateReader(tz)
    if body[:2] == b"\x1f\x8b":
        body = _gunzip(body)
    if not body.strip():
        raise NotAFeed("empty response")
    if _HTML_START.match(body[:4096]):
        raise NotAFeed("an HTML page, not a feed")
    if _root_name(body) in SITEMAP_ROOTS:
        parsed = _parse_sitemap(body, url, dates)
    else:
        parsed = _parse_syndication(body, url, dates)
    parsed.dates_rejected = dates.rejected
    return parsed


def _gunzip(body: bytes) -> bytes:
    try:
        with gzip.GzipFile(fileobj=BytesIO(body)) as f:
            data = f.read(MAX_SITEMAP_BYTES + 1)
    except (OSError, EOFError) as exc:
        raise NotAFeed(f"broken gzip data: {exc}") from None
    if len(data) > MAX_SITEMAP_BYTES:
        raise NotAFeed("gzip body larger than 50 MB")
    return data


def _root_name(body: bytes) -> str | None:
    try:
        for _, element in etree.iterparse(
            BytesIO(body), events=("start",), recover=True, resolve_entities=False
        ):
            return etree.QName(element).localname
    except etree.LxmlError:
        return None
    return None


# ------------------------------------------------------------------ RSS and Atom


def _parse_syndication(body: bytes, url: str, dates: DateReader) -> ParsedFeed:
    import feedparser  # heavy, and a run whose feeds are all unchanged parses none

    headers = {"content-location": url, "content-type": "application/xml"}
    # We keep plain text only, so feedparser need not sanitise or rewrite the HTML it sees.
    parsed = feedparser.parse(
        body, response_headers=headers, sanitize_html=False, resolve_relative_uris=False
    )
    entries, problems = [], []
    for number, item in enumerate(parsed.entries, start=1):
        # Each item on its own: a hostile one is reported, the rest of the feed goes on.
        try:
            entry = _feed_entry(item, url, dates)
        except Exception as exc:
            entry, why = None, f"{type(exc).__name__}: {exc}"
        else:
            why = "no link" if entry is None else None
        if entry is not None:
            entries.append(entry)
        else:
            problems.append(f"item {number} ({_clean(item.get('title')) or 'untitled'}): {why}")
    problem = parsed.get("bozo_exception")
    if not entries and (problem or not parsed.version):
        # A valid feed may be empty; a broken one that yields nothing is a failure.
        raise NotAFeed(f"invalid XML ({problem})" if problem else "not an RSS or Atom feed")
    kind = "atom" if parsed.version.startswith("atom") else "rss"
    warning = f"recovered from bad XML: {problem}" if problem else None
    return ParsedFeed(kind=kind, entries=entries, warning=warning, problems=problems)


def _feed_entry(
    item: feedparser.FeedParserDict, feed_url: str, dates: DateReader
) -> FeedEntry | None:
    link = _clean(item.get("link")) or _guid_link(item)
    if not link:
        return None
    updated = _item_date(item, "updated", dates)
    authors = tuple(name for a in item.get("authors", []) if (name := _clean(a.get("name"))))
    summary = item.get("summary")
    return FeedEntry(
        url=urljoin(feed_url, link),
        title=_clean(item.get("title")),
        published=_item_date(item, "published", dates) or updated,
        summary=_clean(replace_entities(remove_tags(summary))) if summary else None,
        authors=authors,
        updated=updated,
    )


def _guid_link(item: feedparser.FeedParserDict) -> str | None:
    guid = _clean(item.get("id"))
    return guid if guid and guid.startswith(("http://", "https://")) else None


def _item_date(item: feedparser.FeedParserDict, key: str, dates: DateReader) -> str | None:
    """The item's `published` or `updated` date as ISO 8601, in the publisher's offset.

    Our reading of the text comes first, as it keeps the offset; feedparser's UTC reading
    (it knows more spellings) next, unless we rejected the text: that would count it twice.
    """
    # Not item.get(key): feedparser answers a missing `updated` with `published` and a warning.
    if key not in item:
        return None
    reading = dates.read(_clean(item[key]))
    if reading.iso or reading.rejected:
        return reading.iso
    parsed = f"{key}_parsed"
    return dates.read(item[parsed]).iso if parsed in item else None


def _clean(value: str | None) -> str | None:
    """Collapse the whitespace that pretty-printed feeds leave inside values."""
    if not value:
        return None
    return " ".join(value.split()) or None


# ------------------------------------------------------------------ sitemaps


def _parse_sitemap(body: bytes, url: str, dates: DateReader) -> ParsedFeed:
    entries: list[FeedEntry] = []
    children: list[FeedEntry] = []
    problems: list[str] = []
    is_news = False
    root_name = None
    context = etree.iterparse(
        BytesIO(body),
        events=("start", "end"),
        recover=True,
        resolve_entities=False,
        remove_comments=True,
        remove_pis=True,
    )
    for event, element in context:
        name = etree.QName(element).localname
        if event == "start":
            root_name = root_name or name
            continue
        if name not in ("url", "sitemap"):
            continue
        fields = {etree.QName(child).localname: child for child in element.iterdescendants()}
        loc = _clean(_text(fields.get("loc")))
        if loc:
            news_date = _text(fields.get("publication_date"))
            is_news = is_news or news_date is not None or "news" in fields
            lastmod = dates.first(_text(fields.get("lastmod")))
            try:
                entry = FeedEntry(
                    url=urljoin(url, loc),
                    title=_clean(_text(fields.get("title"))),
                    published=dates.first(news_date) or lastmod,
                    updated=lastmod,
                )
            except ValueError as exc:  # a <loc> urljoin cannot read (a broken IPv6 host)
                problems.append(f"<{name}> {loc[:80]!r}: {exc}")
            else:
                (children if name == "sitemap" else entries).append(entry)
        element.clear()
    if root_name == "sitemapindex":
        return ParsedFeed(kind="sitemap-index", sitemaps=children, problems=problems)
    return ParsedFeed(
        kind="news-sitemap" if is_news else "sitemap", entries=entries, problems=problems
    )


def _text(element: etree._Element | None) -> str | None:
    return element.text.strip() if element is not None and element.text else None
