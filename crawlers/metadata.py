"""Read article metadata (JSON-LD, OpenGraph and other meta tags) from a parsed page.

Kept apart from crawlers/extract.py, which decides between these sources, trafilatura
and htmldate. Everything here works on an lxml tree that is parsed once per page:
a bs4 pass over the same document costs more than trafilatura's whole extraction.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from lxml.html import HtmlElement

# schema.org types that describe the article itself (subtypes included by suffix test).
_ARTICLE_SUFFIXES = ("article", "blogposting", "newsarticle", "report", "liveblogposting")
_PAGE_TYPES = {"webpage", "itempage", "medicalwebpage", "collectionpage"}
_JSON_COMMENTS = re.compile(r"^\s*(?://[^\n]*|<!--|-->|/\*.*?\*/)", re.S | re.M)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass
class PageMeta:
    """What the page says about itself, before any choice between sources."""

    meta: dict[str, list[str]] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)
    article: dict[str, Any] = field(default_factory=dict)
    ld_publisher: str | None = None
    ld_ids: dict[str, dict[str, Any]] = field(default_factory=dict)
    title_tag: str | None = None
    lang: str | None = None

    def first(self, *keys: str) -> str | None:
        """First non-empty meta value among keys (in the order given)."""
        for key in keys:
            for value in self.meta.get(key, ()):
                if value:
                    return value
        return None

    def all(self, *keys: str) -> list[str]:
        return [v for key in keys for v in self.meta.get(key, ()) if v]


def read_page_meta(tree: HtmlElement) -> PageMeta:
    """Collect meta tags, links and the main JSON-LD article node of a page."""
    page = PageMeta()
    for el in tree.iter("meta"):
        key = el.get("property") or el.get("name") or el.get("itemprop") or el.get("http-equiv")
        content = el.get("content")
        if key and content is not None:
            page.meta.setdefault(key.strip().lower(), []).append(_clean(content))
    for el in tree.iter("link"):
        rel, href = (el.get("rel") or "").lower().split(), el.get("href")
        if href:
            for name in rel:
                page.links.setdefault(name, href.strip())
    title = tree.find(".//title")
    if title is not None:
        page.title_tag = _clean(title.text_content())
    page.lang = tree.get("lang") or tree.get("xml:lang")
    nodes = list(_ld_nodes(tree))
    page.ld_ids = {n["@id"]: n for n in nodes if isinstance(n.get("@id"), str) and len(n) > 1}
    page.article = _main_article(nodes)
    page.ld_publisher = _publisher_name(page.article) or _org_name(nodes)
    return page


def _clean(text: str) -> str:
    return " ".join(text.split())


def _ld_nodes(tree: HtmlElement) -> Iterator[dict[str, Any]]:
    """Every JSON object in the page's JSON-LD blocks, @graph and lists flattened."""
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        data = _load_json(script.text or "")
        if data is not None:
            yield from _flatten(data)


def _load_json(text: str) -> Any:
    text = _CONTROL.sub(" ", text.strip())
    if text.startswith("<![CDATA["):
        text = text[9:].removesuffix("]]>")
    for candidate in (text, _JSON_COMMENTS.sub("", text)):
        try:
            return json.loads(candidate, strict=False)
        except ValueError:
            continue
    return None


def _flatten(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for item in data:
            yield from _flatten(item)
    elif isinstance(data, dict):
        yield data
        if "@graph" in data:
            yield from _flatten(data["@graph"])
        main = data.get("mainEntity")
        if isinstance(main, (dict, list)):
            yield from _flatten(main)


def types_of(node: dict[str, Any]) -> list[str]:
    kind = node.get("@type") or []
    return [str(k).lower() for k in (kind if isinstance(kind, list) else [kind])]


def _is_article(node: dict[str, Any]) -> bool:
    return any(k.endswith(_ARTICLE_SUFFIXES) for k in types_of(node))


def _main_article(nodes: list[dict[str, Any]]) -> dict[str, Any]:
    """The article node: the first *Article/*Posting with a headline, else a WebPage one.

    Pages list related stories as further Article nodes after the main one, so the
    first is the safest pick; a node with a body beats one without.
    """
    articles = [n for n in nodes if _is_article(n) and (n.get("headline") or n.get("name"))]
    with_body = [n for n in articles if n.get("articleBody")]
    if with_body:
        return with_body[0]
    if articles:
        return articles[0]
    pages = [n for n in nodes if set(types_of(n)) & _PAGE_TYPES and n.get("headline")]
    return pages[0] if pages else {}


def _name(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name")
    return _clean(value) if isinstance(value, str) and value.strip() else None


def _publisher_name(article: dict[str, Any]) -> str | None:
    return _name(article.get("publisher")) or _name(article.get("sourceOrganization"))


def _org_name(nodes: list[dict[str, Any]]) -> str | None:
    for node in nodes:
        if {"newsmediaorganization", "organization", "website"} & set(types_of(node)):
            name = _name(node)
            if name:
                return name
    return None


def ld_text(value: Any) -> str | None:
    """A JSON-LD scalar as text (first item of lists, @value/name of objects)."""
    if isinstance(value, list):
        value = next((v for v in value if v), None)
    if isinstance(value, dict):
        value = value.get("@value") or value.get("name") or value.get("url") or value.get("@id")
    if isinstance(value, (int, float)):
        value = str(value)
    return value.strip() if isinstance(value, str) and value.strip() else None


def ld_people(value: Any, ids: dict[str, dict[str, Any]]) -> list[str]:
    """Names from a JSON-LD author value: strings, Person objects, lists, @id references.

    Yoast-style graphs give the article only {"@id": ...} and describe the person in
    another node; some sites give givenName/familyName without a name.
    """
    if isinstance(value, list):
        return [name for item in value for name in ld_people(item, ids)]
    if isinstance(value, dict):
        if "name" not in value and isinstance(value.get("@id"), str):
            value = ids.get(value["@id"], value)
        name = value.get("name")
        if not name and (value.get("givenName") or value.get("familyName")):
            name = f"{value.get('givenName') or ''} {value.get('familyName') or ''}"
        return ld_people(name, ids)
    if isinstance(value, str) and value.strip():
        return [value]
    return []


def is_organisation(value: Any) -> bool:
    """Whether a JSON-LD author value names only organisations."""
    items = value if isinstance(value, list) else [value]
    return bool(items) and all(
        isinstance(item, dict) and {"organization", "newsmediaorganization"} & set(types_of(item))
        for item in items
    )
