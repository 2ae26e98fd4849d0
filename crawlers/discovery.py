"""Discovery without feeds: the GDELT DOC 2.0 API, Google News RSS search and HTML listings.

Pure functions from responses to the links they announce; the spider does the fetching.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode, urljoin

from crawlers.feeds import FeedEntry, NotAFeed

GDELT_MAX_RECORDS = 250
GDELT_WINDOW = timedelta(days=90)  # the API's rolling window for ordinary queries
# Google News editions per source language: hl, gl and ceid must agree.
GOOGLE_NEWS_EDITIONS = {
    "en": {"hl": "en-IN", "gl": "IN", "ceid": "IN:en"},
    "ru": {"hl": "ru", "gl": "RU", "ceid": "RU:ru"},
    "hi": {"hl": "hi", "gl": "IN", "ceid": "IN:hi"},
}


def gdelt_url(endpoint: str, query: str, start: datetime | None, end: datetime | None) -> str:
    """An ArtList query, newest first, for [start, end] (the last 24 hours without start)."""
    params = {
        "query": query,
        "mode": "ArtList",
        "format": "json",
        "maxrecords": GDELT_MAX_RECORDS,
        "sort": "DateDesc",
    }
    if start is None:
        params["timespan"] = "24h"
    else:
        params["startdatetime"] = start.astimezone(UTC).strftime("%Y%m%d%H%M%S")
        if end is not None:
            params["enddatetime"] = end.astimezone(UTC).strftime("%Y%m%d%H%M%S")
    return f"{endpoint}?{urlencode(params)}"


def parse_gdelt(body: bytes) -> list[FeedEntry]:
    """The articles of an ArtList answer. Throttle and error answers are plain text."""
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        text = body[:80].decode("utf-8", "replace").strip()
        raise NotAFeed(f"GDELT answered with text, not JSON: {text!r}") from None
    if not isinstance(data, dict):
        raise NotAFeed("GDELT answered with JSON that is not an object")
    entries = []
    for article in data.get("articles") or []:
        url = article.get("url") if isinstance(article, dict) else None
        if isinstance(url, str) and url.startswith(("http://", "https://")):
            entries.append(FeedEntry(url=url, title=article.get("title") or None))
    return entries


def google_news_url(endpoint: str, query: str, language: str) -> str:
    edition = GOOGLE_NEWS_EDITIONS.get(language, GOOGLE_NEWS_EDITIONS["en"])
    return f"{endpoint}?{urlencode({'q': query, **edition})}"


def parse_google_news(body: bytes) -> list[dict[str, str | None]]:
    """Google News items: headline without the " - Publisher" suffix, the publisher's name
    and site, the date, and Google's own (opaque) link."""
    import feedparser  # heavy, and a run whose feeds are all unchanged parses none

    parsed = feedparser.parse(body, sanitize_html=False)
    if not parsed.entries and (parsed.bozo or not parsed.version):
        raise NotAFeed("not an RSS feed (an HTML page, or broken XML)")
    items = []
    for item in parsed.entries:
        source = item.get("source") or {}
        outlet = source.get("title")
        title = " ".join((item.get("title") or "").split())
        if outlet and title.endswith(f" - {outlet}"):
            title = title[: -len(outlet) - 3]
        elif " - " in title:
            title, _, guessed = title.rpartition(" - ")
            outlet = outlet or guessed
        if title:
            items.append(
                {
                    "title": title,
                    "outlet": outlet,
                    "outlet_url": source.get("href"),
                    "published": item.get("published"),
                    "link": item.get("link"),
                }
            )
    return items


def title_key(title: str) -> str:
    """Headlines compared without case, punctuation or spacing."""
    return " ".join(re.findall(r"\w+", title.casefold()))


def find_link_by_title(html: str, base_url: str, title: str) -> str | None:
    """The link on a publisher's page whose text is the headline, if any."""
    wanted = title_key(title)
    for anchor in _anchors(html):
        if title_key(anchor.get_text(" ")) == wanted:
            return urljoin(base_url, anchor["href"])
    return None


def listing_links(html: str, base_url: str, pattern: str) -> list[FeedEntry]:
    """Article links of a listing page (no feed): the anchors whose URL matches `pattern`."""
    matcher = re.compile(pattern)
    entries, seen = [], set()
    for anchor in _anchors(html):
        url = urljoin(base_url, anchor["href"])
        if matcher.search(url) and url not in seen:
            seen.add(url)
            entries.append(FeedEntry(url=url, title=" ".join(anchor.get_text(" ").split()) or None))
    return entries


def _anchors(html: str) -> list:
    """Only the <a href> elements are parsed: listing pages can be large."""
    from bs4 import BeautifulSoup, SoupStrainer  # heavy: only listing sources need it

    soup = BeautifulSoup(html, "lxml", parse_only=SoupStrainer("a", href=True))
    return soup.find_all("a", href=True)


def gdelt_start(since: str | None, now: datetime) -> datetime | None:
    """Where an incremental GDELT query starts: the last good run, within the API's window."""
    if not since:
        return None
    start = datetime.fromisoformat(since)
    return max(start, now - GDELT_WINDOW)
