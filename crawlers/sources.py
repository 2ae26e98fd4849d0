"""The source registry: loads and validates `sources.toml`, the list of outlets we crawl.

Sources are data, not code. A bad entry stops the program with an error that names
the file, the source and the field, so an operator can fix it without reading code.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

DEFAULT_SOURCES = Path(__file__).with_name("sources.toml")
KINDS = ("rss", "atom", "sitemap", "news-sitemap", "listing", "gdelt", "google-news")
# Discovery sources are asked `queries` at an endpoint instead of listing feeds.
ENDPOINTS = {
    "gdelt": "https://api.gdeltproject.org/api/v2/doc/doc",
    "google-news": "https://news.google.com/rss/search",
}


class SourcesError(ValueError):
    """A sources file that cannot be used; the message says where and why."""


@dataclass(frozen=True)
class Source:
    """One outlet: where its feeds are and how to fetch them."""

    name: str
    feeds: tuple[str, ...]
    language: str
    country: str
    kind: str | None = None  # None: detected from each response
    enabled: bool = True
    prefilter: bool = False  # fetch only feed items that carry a topic signal
    user_agent: str | None = None  # for outlets that refuse unknown agents
    drop_params: tuple[str, ...] = field(default=())  # extra tracking parameters to strip
    force_https: bool = False
    queries: tuple[str, ...] = field(default=())  # for gdelt and google-news
    endpoint: str | None = None  # the aggregator's URL; default: the real service
    link_pattern: str | None = None  # for listing pages: which links are articles (regex)


_REQUIRED = {"name": str, "language": str, "country": str}
_OPTIONAL = {
    "feeds": list,
    "queries": list,
    "endpoint": str,
    "link_pattern": str,
    "kind": str,
    "enabled": bool,
    "prefilter": bool,
    "user_agent": str,
    "drop_params": list,
    "force_https": bool,
}


def load_sources(path: str | Path | None = None) -> list[Source]:
    """Read every `[[source]]` of a TOML file; raise SourcesError on the first bad entry."""
    path = Path(path) if path else DEFAULT_SOURCES
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SourcesError(f"{path}: file not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SourcesError(f"{path}: not valid TOML: {exc}") from None

    unknown = set(data) - {"source"}
    if unknown:
        raise SourcesError(f"{path}: unknown top-level key {sorted(unknown)[0]!r}")
    entries = data.get("source", [])
    if not isinstance(entries, list) or not entries:
        raise SourcesError(f"{path}: no [[source]] entries")

    sources: list[Source] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries, start=1):
        source = _parse_entry(entry, f"{path}: source #{index}")
        if source.name in seen:
            raise SourcesError(f"{path}: source {source.name!r}: field 'name': duplicate name")
        seen.add(source.name)
        sources.append(source)
    return sources


def select_sources(sources: list[Source], names: list[str] | None = None) -> list[Source]:
    """The sources a crawl should run: the named ones (enabled or not), else every enabled one."""
    if not names:
        return [s for s in sources if s.enabled]
    by_name = {s.name: s for s in sources}
    missing = [n for n in names if n not in by_name]
    if missing:
        raise SourcesError(f"unknown source {missing[0]!r}; known: {', '.join(sorted(by_name))}")
    return [by_name[n] for n in names]


def _parse_entry(entry: Any, where: str) -> Source:
    if not isinstance(entry, dict):
        raise SourcesError(f"{where}: not a table")
    name = entry.get("name")
    if isinstance(name, str) and name.strip():
        where = f"{where.rsplit(': ', 1)[0]}: source {name!r}"

    def fail(key: str, problem: str) -> SourcesError:
        return SourcesError(f"{where}: field {key!r}: {problem}")

    for key in entry:
        if key not in _REQUIRED and key not in _OPTIONAL:
            raise fail(key, "unknown key")
    for key in _REQUIRED:
        if key not in entry:
            raise fail(key, "missing")
    for key, kind in (_REQUIRED | _OPTIONAL).items():
        if key in entry and not isinstance(entry[key], kind):
            raise fail(key, f"must be a {kind.__name__}")
    if not name.strip():
        raise fail("name", "empty")

    kind = entry.get("kind")
    if kind is not None and kind not in KINDS:
        raise fail("kind", f"{kind!r} is not one of {', '.join(KINDS)}")
    feeds = entry.get("feeds", [])
    queries = entry.get("queries", [])
    if kind in ENDPOINTS:
        if not queries or not all(isinstance(q, str) and q.strip() for q in queries):
            raise fail("queries", f"a {kind} source needs a list of queries")
    elif not feeds:
        raise fail("feeds", "missing" if "feeds" not in entry else "empty list")
    for feed in feeds:
        if not _is_http_url(feed):
            raise fail("feeds", f"not an http(s) URL: {feed!r}")
    endpoint = entry.get("endpoint")
    if endpoint is not None and not _is_http_url(endpoint):
        raise fail("endpoint", f"not an http(s) URL: {endpoint!r}")
    link_pattern = entry.get("link_pattern")
    if kind == "listing":
        if not link_pattern:
            raise fail("link_pattern", "a listing source needs a link_pattern")
        try:
            re.compile(link_pattern)
        except re.error as exc:
            raise fail("link_pattern", f"not a regular expression: {exc}") from None
    drop_params = entry.get("drop_params", [])
    if not all(isinstance(p, str) for p in drop_params):
        raise fail("drop_params", "must be a list of strings")

    return Source(
        name=name.strip(),
        feeds=tuple(feeds),
        language=entry["language"],
        country=entry["country"],
        kind=kind,
        enabled=entry.get("enabled", True),
        prefilter=entry.get("prefilter", False),
        user_agent=entry.get("user_agent"),
        drop_params=tuple(drop_params),
        force_https=entry.get("force_https", False),
        queries=tuple(q.strip() for q in queries),
        endpoint=endpoint or ENDPOINTS.get(kind),
        link_pattern=link_pattern,
    )


def _is_http_url(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)
