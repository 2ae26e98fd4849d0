"""The source registry: loads and validates `sources.toml`, the list of outlets we crawl.

Sources are data, not code. A bad entry stops the program with an error that names
the file, the source and the field, so an operator can fix it without reading code.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from lxml.etree import XPath, XPathError, fromstring

from crawlers.kinds import kind_class, kind_names
from pipelines.dates import zone

DEFAULT_SOURCES = Path(__file__).with_name("sources.toml")


class SourcesError(ValueError):
    """A sources file that cannot be used; the message says where and why."""


@dataclass(frozen=True)
class Selector:
    """A CSS selector or an XPath from a `[source.extract]` table, compiled at load time.

    CSS is parsel's, with ::text and ::attr(name) for text and attribute values; an
    expression starting like a path ("/", "./", "(") or that is no CSS is XPath.
    Two selectors are equal when their texts are.
    """

    text: str
    xpath: XPath = field(compare=False, repr=False)

    def __call__(self, tree: Any) -> list[Any]:
        """The matches in a parsed page: elements, or strings for text and attributes."""
        found = self.xpath(tree)
        return found if isinstance(found, list) else [found]


@dataclass(frozen=True)
class ExtractOverrides:
    """Where one outlet's pages keep their fields, for pages the generic extraction gets
    wrong. A field found through its selector wins; the others come from the cascade of
    crawlers/extract.py. The drop selectors are removed from the page before anything."""

    title: Selector | None = None
    body: Selector | None = None
    date: Selector | None = None
    authors: Selector | None = None
    drop: tuple[Selector, ...] = ()


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
    # Hosts whose registrable domains the outlet's canonical links may name: its feeds'
    # plus any declared (an outlet whose feeds live on another domain).
    domains: tuple[str, ...] = field(default=())
    extract: ExtractOverrides | None = None  # the [source.extract] table


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
    "extract": dict,
}
_FIELD_SELECTORS = ("title", "body", "date", "authors")
# A page with the common elements, so that a predicate calling an unknown function or
# variable (found by XPath only when it runs) runs once at load time.
_SAMPLE_PAGE = fromstring(
    "<html><head><title>t</title><meta name='m' content='c'/></head><body><article><h1>t</h1>"
    "<div class='c'><p>t <a href='/a'>a</a> <span>s</span> <time datetime='d'>t</time></p>"
    "<ul><li>i</li></ul></div></article></body></html>"
)


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
    domains = {urlsplit(url).hostname or "" for url in feeds} | set(entry.get("domains", []))

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
        extract=_parse_overrides(entry["extract"], fail) if "extract" in entry else None,
    )


def _parse_overrides(
    table: dict[str, Any], fail: Callable[[str, str], SourcesError]
) -> ExtractOverrides:
    """The [source.extract] table: one selector per field, a list of them under drop."""
    for key, value in table.items():
        where = f"extract.{key}"
        if key not in (*_FIELD_SELECTORS, "drop"):
            raise fail(where, f"unknown key; known: {', '.join((*_FIELD_SELECTORS, 'drop'))}")
        if key == "drop" and not (
            isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)
        ):
            raise fail(where, "must be a list of selectors (strings)")
        if key != "drop" and not (isinstance(value, str) and value.strip()):
            raise fail(where, "must be a selector (a string)")
    fields = {key: _selector(table.get(key), f"extract.{key}", fail) for key in _FIELD_SELECTORS}
    drop = tuple(_selector(value, "extract.drop", fail) for value in table.get("drop", []))
    return ExtractOverrides(**{k: v for k, v in fields.items() if v is not None}, drop=drop)


def _selector(
    text: str | None, key: str, fail: Callable[[str, str], SourcesError]
) -> Selector | None:
    if text is None:
        return None
    text = text.strip()
    xpath, problem = _compile(text)
    if xpath is None:
        raise fail(key, f"{text!r}: {problem}")
    return Selector(text, xpath)


def _compile(text: str) -> tuple[XPath | None, str]:
    """A selector as XPath, else why not: XPath when it starts like a path ("/", "./",
    "("), else CSS, else XPath (a function call such as "string(//h1)")."""
    if text.startswith(("/", "./", "../", "(")):
        xpath, xpath_error = _compile_xpath(text)
        return xpath, f"not a valid XPath: {xpath_error}"
    xpath, css_error = _compile_css(text)
    if xpath is not None:
        return xpath, ""
    xpath, xpath_error = _compile_xpath(text)
    return xpath, f"not a CSS selector ({css_error}) nor an XPath ({xpath_error})"


def _compile_css(text: str) -> tuple[XPath | None, str]:
    """parsel's CSS dialect (::text, ::attr); parsel is loaded only for sources with one."""
    from cssselect import SelectorError
    from parsel.csstranslator import HTMLTranslator

    try:
        return _compile_xpath(HTMLTranslator().css_to_xpath(text))
    except SelectorError as exc:
        return None, _one_line(exc)


def _compile_xpath(expression: str) -> tuple[XPath | None, str]:
    """The compiled XPath, run once on a sample page, else lxml's complaint."""
    try:
        xpath = XPath(expression)
        xpath(_SAMPLE_PAGE)
    except XPathError as exc:
        return None, _one_line(exc)
    return xpath, ""


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())


def _is_http_url(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)
