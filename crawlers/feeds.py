"""Turn a downloaded feed or sitemap into the list of articles it announces.

RSS 0.9x/1.0/2.0 and Atom go through feedparser, which also recovers from the broken
XML real outlets publish; sitemaps, sitemap indexes and Google-News sitemaps through
lxml. A response that is not a feed at all (an HTML page served with status 200, an
empty or unparseable body) raises NotAFeed with a reason an operator can act on.
"""

from __future__ import annotations

import calendar
import gzip
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from io import BytesIO
from urllib.parse import urljoin

import feedparser
from lxml import etree
from w3lib.html import remove_tags, replace_entities

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


def parse_feed(body: bytes, url: str) -> ParsedFeed:
    """Parse any feed or sitemap body; raise NotAFeed when it is neither."""
    if body[:2] == b"\x1f\x8b":
        body = _gunzip(body)
    if not body.strip():
        raise NotAFeed("empty response")
    if _HTML_START.match(body[:4096]):
        raise NotAFeed("an HTML page, not a feed")
    if _root_name(body) in SITEMAP_ROOTS:
        return _parse_sitemap(body, url)
    return _parse_syndication(body, url)


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


def _parse_syndication(body: bytes, url: str) -> ParsedFeed:
    headers = {"content-location": url, "content-type": "application/xml"}
    # We keep plain text only, so feedparser need not sanitise or rewrite the HTML it sees.
    parsed = feedparser.parse(
        body, response_headers=headers, sanitize_html=False, resolve_relative_uris=False
    )
    entries = [e for e in (_feed_entry(item, url) for item in parsed.entries) if e]
    problem = parsed.get("bozo_exception")
    if not entries and (problem or not parsed.version):
        # A valid feed may be empty; a broken one that yields nothing is a failure.
        raise NotAFeed(f"invalid XML ({problem})" if problem else "not an RSS or Atom feed")
    kind = "atom" if parsed.version.startswith("atom") else "rss"
    warning = f"recovered from bad XML: {problem}" if problem else None
    return ParsedFeed(kind=kind, entries=entries, warning=warning)


def _feed_entry(item: feedparser.FeedParserDict, feed_url: str) -> FeedEntry | None:
    link = _clean(item.get("link")) or _guid_link(item)
    if not link:
        return None
    authors = tuple(name for a in item.get("authors", []) if (name := _clean(a.get("name"))))
    summary = item.get("summary")
    return FeedEntry(
        url=urljoin(feed_url, link),
        title=_clean(item.get("title")),
        published=_entry_date(item),
        summary=_clean(replace_entities(remove_tags(summary))) if summary else None,
        authors=authors,
        # feedparser answers a missing `updated` with `published` (and a warning): ask first.
        updated=_iso_date(_clean(item["updated"])) if "updated" in item else None,
    )


def _guid_link(item: feedparser.FeedParserDict) -> str | None:
    guid = _clean(item.get("id"))
    return guid if guid and guid.startswith(("http://", "https://")) else None


def _entry_date(item: feedparser.FeedParserDict) -> str | None:
    """The item's date as ISO 8601, keeping the publisher's own offset where it gave one.

    Hand-edited feeds carry dates like "Mon,31 Mar 2025" or "30Mar 2025": the spacing
    is repaired before parsing.
    """
    # Not item.get("updated"): feedparser answers a missing key with `published` and a warning.
    raw = item.get("published") or (item["updated"] if "updated" in item else None)  # noqa: SIM401
    if parsed := _iso_date(_clean(raw)):
        return parsed
    struct = item.get("published_parsed") or item.get("updated_parsed")
    return datetime.fromtimestamp(calendar.timegm(struct), UTC).isoformat() if struct else None


def _iso_date(raw: str | None) -> str | None:
    """An RFC 822 or ISO 8601 date as ISO 8601, keeping its offset; None when unparseable."""
    if not raw:
        return None
    for candidate in (raw, _respace_date(raw)):
        try:
            return parsedate_to_datetime(candidate).isoformat()
        except (TypeError, ValueError, IndexError):
            pass
        if parsed := _iso_from_text(candidate):
            return parsed
    return None


def _respace_date(raw: str) -> str:
    raw = re.sub(r"(?<=\d)(?=[A-Za-z])|(?<=[A-Za-z])(?=\d)", " ", raw)
    raw = re.sub(r",(?=\S)", ", ", raw)
    return re.sub(r"\b(\d{4})(\d{1,2}:\d{2})", r"\1 \2", raw)


def _clean(value: str | None) -> str | None:
    """Collapse the whitespace that pretty-printed feeds leave inside values."""
    if not value:
        return None
    return " ".join(value.split()) or None


# ------------------------------------------------------------------ sitemaps


def _parse_sitemap(body: bytes, url: str) -> ParsedFeed:
    entries: list[FeedEntry] = []
    children: list[FeedEntry] = []
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
            lastmod = _iso_from_text(_text(fields.get("lastmod")))
            entry = FeedEntry(
                url=urljoin(url, loc),
                title=_clean(_text(fields.get("title"))),
                published=_iso_from_text(news_date) or lastmod,
                updated=lastmod,
            )
            (children if name == "sitemap" else entries).append(entry)
        element.clear()
    if root_name == "sitemapindex":
        return ParsedFeed(kind="sitemap-index", sitemaps=children)
    return ParsedFeed(kind="news-sitemap" if is_news else "sitemap", entries=entries)


def _text(element: etree._Element | None) -> str | None:
    return element.text.strip() if element is not None and element.text else None


def _iso_from_text(value: str | None) -> str | None:
    """Sitemap dates are W3C datetimes; keep them as ISO 8601 with an offset."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat()
