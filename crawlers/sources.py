"""The source registry: loads and validates `sources.toml`, the list of outlets we crawl.

Sources are data, not code. A bad entry stops the program with an error that names
the file, the source and the field, so an operator can fix it without reading code.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawlers.kinds import kind_class, kind_names
from pipelines.dates import zone
from pipelines.urls import registrable_domain

DEFAULT_SOURCES = Path(__file__).with_name("sources.toml")


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
    timezone: str | None = None  # IANA zone of dates the outlet writes without an offset
    # Registrable domains whose canonical links the outlet's pages may name: those of its
    # feeds plus any declared (an outlet whose feeds live on another domain).
    domains: tuple[str, ...] = field(default=())


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
    "timezone": str,
    "domains": list,
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
    if kind is not None and kind not in kind_names():
        raise fail("kind", f"{kind!r} is not one of {', '.join(kind_names())}")
    kind_class(kind).validate(entry, fail)
    feeds = entry.get("feeds", [])
    queries = entry.get("queries", [])
    for feed in feeds:
        if not _is_http_url(feed):
            raise fail("feeds", f"not an http(s) URL: {feed!r}")
    endpoint = entry.get("endpoint")
    if endpoint is not None and not _is_http_url(endpoint):
        raise fail("endpoint", f"not an http(s) URL: {endpoint!r}")
    for key in ("drop_params", "domains"):
        if not all(isinstance(p, str) and p for p in entry.get(key, [])):
            raise fail(key, "must be a list of strings")
    timezone = entry.get("timezone")
    if timezone is not None:
        try:
            zone(timezone)
        except ValueError:
            raise fail(
                "timezone", f"{timezone!r} is not a time zone such as 'Asia/Kolkata'"
            ) from None
    domains = {registrable_domain(url) for url in feeds}
    domains |= {registrable_domain(f"http://{d}/") for d in entry.get("domains", [])}

    return Source(
        name=name.strip(),
        feeds=tuple(feeds),
        language=entry["language"],
        country=entry["country"],
        kind=kind,
        enabled=entry.get("enabled", True),
        prefilter=entry.get("prefilter", False),
        user_agent=entry.get("user_agent"),
        drop_params=tuple(entry.get("drop_params", [])),
        force_https=entry.get("force_https", False),
        queries=tuple(q.strip() for q in queries),
        endpoint=endpoint or kind_class(kind).default_endpoint,
        link_pattern=entry.get("link_pattern"),
        timezone=timezone,
        domains=tuple(sorted(domains)),
    )


def _is_http_url(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)
