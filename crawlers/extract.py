"""Article extraction from HTML: title, dates, authors, body and page metadata.

A source's own selectors (its `[source.extract]` table in sources.toml) come first;
then sources are trusted in the order measured best on real pages (bench/extract.py):
JSON-LD article nodes, then OpenGraph and other meta tags, then trafilatura for the
body (checked against the JSON-LD articleBody and the page's shown lead) and htmldate
for dates the markup does not state. The page is parsed once; trafilatura and
htmldate copy the tree before they prune it. Dates are read by pipelines.dates: an
implausible one is skipped like an unreadable one, and counted.
"""

from __future__ import annotations

import codecs
import gzip
import re
from collections.abc import Callable, Mapping
from html import unescape
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

import charset_normalizer
import trafilatura
from htmldate import find_date
from lxml.etree import XPath, XPathError, _Element, strip_tags
from lxml.html import HtmlElement
from trafilatura.metadata import extract_author
from trafilatura.utils import load_html
from trafilatura.xml import xmltotxt

from crawlers.metadata import PageMeta, is_organisation, ld_people, ld_text, read_page_meta
from pipelines.dates import DateReader, Zone

if TYPE_CHECKING:
    from crawlers.sources import ExtractOverrides, Selector

__all__ = ["FIELDS", "decode_html", "extract", "extract_file"]

FIELDS = (
    "url", "canonical_url", "title", "summary", "body", "published", "modified",
    "authors", "language", "section", "image", "publisher",
)  # fmt: skip

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([a-z0-9_:.\-]+)""", re.I)
# WHATWG: browsers read these labels as Windows-1252, and so do the pages' authors.
_LATIN1_LABELS = {"iso-8859-1", "latin1", "latin-1", "l1", "us-ascii", "ascii", "iso8859-1"}

_PUBLISHED_KEYS = (
    "article:published_time", "og:published_time", "og:article:published_time",
    "article.published", "published_time", "datepublished", "parsely-pub-date",
    "sailthru.date", "dc.date.issued", "dcterms.issued", "dc.date", "dcterms.date",
    "dcterms.created", "dc.date.created", "pubdate", "publishdate", "publish-date",
    "publish_date", "date", "cxenseparse:recs:publishtime", "article_date_original",
    "original-publish-date",
)  # fmt: skip
_MODIFIED_KEYS = (
    "article:modified_time", "og:updated_time", "og:article:modified_time",
    "datemodified", "dcterms.modified", "dc.date.modified", "last-modified",
    "lastmod", "article.updated",
)  # fmt: skip
_AUTHOR_KEYS = (
    "author", "article:author", "og:article:author", "parsely-author", "sailthru.author",
    "dc.creator", "dcterms.creator", "byl", "citation_author", "cxenseparse:author",
    "twitter:misc:written by",
)  # fmt: skip
_SECTION_KEYS = ("article:section", "parsely-section", "og:article:section", "section")

_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—:»·•~/*]+\s+|\s*[|｜：ㅣ]\s*|:\s+")
_DATE_ONLY = re.compile(r"[\d\s./-]{6,}")
_BYLINE_PREFIX = re.compile(
    r"^(?:by|von|par|por|di|da|de|door|av|af|od|от|автор|text|texto|written by|reporting by)"
    r"[:\s]+",
    re.I,
)
_AUTHOR_SPLIT = re.compile(r"\s*(?:,|;|\s&\s|\|)\s*|\s+(?:and|und|et|y|og|ve|и|और)\s+", re.I)
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
# Trailing job titles in CJK bylines: "신현주 기자" (Korean: "reporter").
_BYLINE_SUFFIX = re.compile(r"\s*(?:기자|記者|特派員)$")
_TAG = re.compile(r"<(/?(?:p|br|div|h\d|li)\b)?[^>]*>", re.I)
_EMAIL = re.compile(r"\S+@\S+\.\w+")
_WORDS = re.compile(r"\w+")
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_LANG_SCRIPTS = (
    ("hi", re.compile(r"[\u0900-\u097f]")),
    ("ru", re.compile(r"[\u0400-\u04ff]")),
    ("ar", re.compile(r"[\u0600-\u06ff]")),
    ("zh", re.compile(r"[\u4e00-\u9fff]")),
)


def decode_html(data: bytes, declared: str | None = None) -> str:
    """Decode page bytes: BOM, then the declared (HTTP) charset, then <meta>, then guess.

    A label that fails to decode the bytes is skipped. A legacy label (Latin-1 and the
    like) on bytes that are valid non-ASCII UTF-8 is stale, a template left unchanged
    when the site moved to UTF-8: such bytes are next to never legacy text.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    try:
        utf8: str | None = data.decode("utf-8")
    except UnicodeDecodeError:
        utf8 = None
    labels = [declared] if declared else []
    labels += [m.decode("ascii", "ignore") for m in _META_CHARSET.findall(data[:4096])]
    for label in labels:
        encoding = _codec(label)
        if encoding is None:
            continue
        if utf8 is not None and encoding != "utf-8" and not utf8.isascii():
            return utf8
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    if utf8 is not None:
        return utf8
    best = charset_normalizer.from_bytes(data).best()
    if best is not None:
        return str(best)
    return data.decode("cp1252", errors="replace")


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().lower()
    if label in _LATIN1_LABELS:
        return "cp1252"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def extract(
    html: bytes | str,
    url: str,
    *,
    fallback: Mapping[str, Any] | None = None,
    encoding: str | None = None,
    tz: Zone = None,
    overrides: ExtractOverrides | None = None,
) -> dict[str, Any]:
    """Extract an article from one page; never raises on malformed input.

    The result has the FIELDS, then "dates_rejected": how many dates the page (or the
    fallback) stated but were impossible or implausible, for the run's stats.
    encoding is the charset of the HTTP Content-Type header, for bytes; tz the source's
    time zone, for dates without an offset (UTC when None; an unknown name raises);
    overrides the source's `[source.extract]` selectors, which come before the cascade.
    """
    fallback = fallback or {}
    dates = DateReader(tz)
    text = decode_html(html, declared=encoding) if isinstance(html, bytes) else html
    tree = _parse(text)
    result: dict[str, Any] = dict.fromkeys(FIELDS)
    result["url"] = url
    result["authors"] = []
    if tree is None:
        result["canonical_url"] = url
        _apply_fallback(result, fallback, dates)
        result["dates_rejected"] = dates.rejected
        return result
    if overrides is not None:
        _remove(tree, overrides.drop)
    found = _overridden(tree, overrides)
    page = read_page_meta(tree)
    art = page.article
    canonical = page.links.get("canonical") or page.first("og:url") or ld_text(art.get("url"))
    result["canonical_url"] = urljoin(url, canonical) if canonical else url
    result["publisher"] = page.ld_publisher or page.first("og:site_name", "application-name")
    result["title"] = found["title"] or _title(tree, page, result["canonical_url"])
    summary = ld_text(art.get("description")) or page.first(
        "og:description", "description", "twitter:description"
    )
    result["summary"] = " ".join(_html_text(summary or "").split()) or None
    result["body"] = found["body"] or _body(tree, url, page, result["summary"])
    # Each source is looked up only when the ones before gave no plausible date.
    result["published"] = (
        dates.first(found["date"])
        or dates.first(ld_text(art.get("datePublished")), page.first(*_PUBLISHED_KEYS))
        or dates.first(_microdata(tree, "datePublished"))
        or dates.first(_htmldate(tree, result["canonical_url"]))
    )
    result["modified"] = dates.first(
        ld_text(art.get("dateModified")), page.first(*_MODIFIED_KEYS)
    ) or dates.first(_microdata(tree, "dateModified"))
    result["authors"] = found["authors"] or _authors(
        tree, page, _site_keys(page, result["canonical_url"])
    )
    result["language"] = _language(page, art, result["body"] or result["title"] or "")
    result["section"] = ld_text(art.get("articleSection")) or page.first(*_SECTION_KEYS)
    image = ld_text(art.get("image")) or page.first("og:image", "twitter:image", "og:image:url")
    result["image"] = urljoin(url, image) if image else None
    _apply_fallback(result, fallback, dates)
    result["dates_rejected"] = dates.rejected
    return result


def extract_file(
    path: str | Path,
    url: str | None = None,
    *,
    tz: Zone = None,
    overrides: ExtractOverrides | None = None,
) -> dict[str, Any]:
    """Extract a saved page (.html or gzip-compressed .html.gz), as the crawl would with
    the source's time zone and overrides.

    Without a URL the page's own canonical address stands in for it, and the file
    URI when the page names none.
    """
    path = Path(path)
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    result = extract(data, url or path.resolve().as_uri(), tz=tz, overrides=overrides)
    if url is None:
        result["url"] = result["canonical_url"]
    result["path"] = str(path)
    return result


def _parse(text: str) -> HtmlElement | None:
    if not text or not text.strip():
        return None
    try:
        return load_html(text)
    except Exception:  # lxml raises a variety of errors on binary junk
        return None


def _apply_fallback(result: dict[str, Any], fallback: Mapping[str, Any], dates: DateReader) -> None:
    """Fill what the page lacked with what the feed said about the item."""
    for key in ("title", "summary"):
        if not result[key] and fallback.get(key):
            result[key] = " ".join(str(fallback[key]).split())
    if not result["published"] and fallback.get("published"):
        result["published"] = dates.first(fallback["published"])
    if not result["authors"] and fallback.get("authors"):
        authors = fallback["authors"]
        result["authors"] = _clean_authors([authors] if isinstance(authors, str) else list(authors))


# --- per-source overrides ---------------------------------------------------


def _overridden(tree: HtmlElement, overrides: ExtractOverrides | None) -> dict[str, Any]:
    """The title, body, date (as the page writes it) and authors the source's selectors
    find; None (or no authors) for a field they do not give or find nothing for."""
    if overrides is None:
        return {"title": None, "body": None, "date": None, "authors": []}
    titles = [_match_text(m) for m in _matches(tree, overrides.title)]
    dates = [_match_date(m) for m in _matches(tree, overrides.date)]
    body = [p for m in _matches(tree, overrides.body) for p in _block_paragraphs(m)]
    return {
        "title": next(filter(None, titles), None),
        "body": "\n\n".join(body) or None,
        "date": next(filter(None, dates), None),
        "authors": _clean_authors([_match_text(m) for m in _matches(tree, overrides.authors)]),
    }


def _remove(tree: HtmlElement, selectors: tuple[Selector, ...]) -> None:
    """Take the elements the drop selectors match out of the page (their tails stay)."""
    for selector in selectors:
        for match in _matches(tree, selector):
            if isinstance(match, _Element):
                _drop(match)


def _matches(tree: HtmlElement, selector: Selector | None) -> list[Any]:
    if selector is None:
        return []
    try:
        return selector(tree)
    except XPathError:  # checked at load time; a page can still trip a function in it
        return []


def _match_text(match: Any) -> str:
    """What a reader sees of a matched element, or a matched text or attribute value."""
    if isinstance(match, _Element):
        match = "".join(_VISIBLE_TEXT(match))
    return " ".join(match.split()) if isinstance(match, str) else ""


def _match_date(match: Any) -> str:
    """A <time datetime> or <meta content> value, else the text."""
    if isinstance(match, _Element):
        return match.get("datetime") or match.get("content") or _match_text(match)
    return _match_text(match)


_BLOCK_TAGS = frozenset(
    "address article aside blockquote br dd div dl dt figcaption figure footer h1 h2 h3 h4 "
    "h5 h6 header hr li main ol p pre section table td th tr ul".split()
)
_UNSEEN_TAGS = frozenset(("script", "style", "noscript", "template", "svg"))
_SPACE = re.compile(r"\s+")


def _block_paragraphs(match: Any) -> list[str]:
    """A matched element's text as paragraphs, one per block (p, div, li, br...): what a
    reader sees as separate; a matched text or attribute value is one paragraph."""
    if not isinstance(match, _Element):
        return [text] if (text := _match_text(match)) else []
    pieces: list[str] = []
    _collect_text(match, pieces)
    return [line.strip() for line in "".join(pieces).split("\n") if line.strip()]


def _collect_text(element: _Element, pieces: list[str]) -> None:
    """Append an element's visible text, a newline around each block element."""
    if not isinstance(element.tag, str) or element.tag in _UNSEEN_TAGS:
        return
    block = element.tag in _BLOCK_TAGS
    pieces.append("\n" if block else "")
    pieces.append(_SPACE.sub(" ", element.text or ""))
    for child in element:
        _collect_text(child, pieces)
        pieces.append(_SPACE.sub(" ", child.tail or ""))
    pieces.append("\n" if block else "")


# --- title -----------------------------------------------------------------


def _title(tree: HtmlElement, page: PageMeta, url: str) -> str | None:
    """JSON-LD headline, og:title, <h1>, <title>, with any site-name affix removed.

    The first source that has a title gives it, unless og:title outvotes the JSON-LD
    headline (_og_outvotes_headline), or another source states the same headline
    without an affix the first carries: a kicker before it ("Topic: Headline") or a
    tail after it ("Headline | Section", or a longer SEO variant of a social title).
    Invisible characters (soft hyphens, zero-width spaces) are ignored in comparisons
    but kept in the result, as the page has them.
    """
    sites = _site_keys(page, url)
    section = ld_text(page.article.get("articleSection")) or page.first(*_SECTION_KEYS)
    section_key = _key(section) if section else None

    def clean(value: str | None) -> str | None:
        return _strip_site(_clean_title(value), sites, section_key) if value else None

    art = page.article
    headline, name = clean(ld_text(art.get("headline"))), clean(ld_text(art.get("name")))
    og, twitter, meta_headline = map(
        clean, map(page.first, ("og:title", "twitter:title", "headline"))
    )
    ordered = [
        headline or name,
        og or clean(page.first("twitter:title", "title", "parsely-title", "sailthru.title")),
        meta_headline,
        clean(_h1(tree)),
        clean(page.title_tag),
    ]
    if headline and og and _og_outvotes_headline(tree, page, headline, name, og, clean):
        ordered.insert(0, og)
    title = next((c for c in ordered if c), None)
    if not title:
        return None
    for other in (headline, name, meta_headline, og, twitter):
        if other and _is_affix_free_form(other, title):
            title = other
    return title


def _og_outvotes_headline(
    tree: HtmlElement,
    page: PageMeta,
    headline: str,
    name: str | None,
    og: str,
    clean: Callable[[str | None], str | None],
) -> bool:
    """Whether og:title beats a differing JSON-LD headline.

    It does when the JSON-LD name repeats og:title, or when the page's visible
    headline shows og:title verbatim (site name and all) and the JSON-LD does not
    vouch for its own headline: with an alternativeHeadline other than og:title, or a
    name that repeats the headline.
    """
    if _same(og, headline):
        return False
    if _same(name, og):
        return True
    alternative = clean(ld_text(page.article.get("alternativeHeadline")))
    if alternative and not _same(alternative, og):
        return False
    if name and _comparable(name).startswith(_comparable(headline)):
        return False
    raw_og = _clean_title(page.first("og:title") or "")
    return any(_same(shown, raw_og) for shown in _visible_headlines(tree))


def _same(one: str | None, other: str | None) -> bool:
    return bool(one and other) and _comparable(one) == _comparable(other)


def _clean_title(text: str) -> str:
    return " ".join(unescape(text).split())


_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))


def _comparable(text: str) -> str:
    return " ".join(text.translate(_INVISIBLE).split())


def _is_affix_free_form(short: str, long: str) -> bool:
    """Whether short is long without a leading kicker or a trailing addition.

    The cut must fall at a word boundary and leave at least three words.
    """
    short, long = _comparable(short), _comparable(long)
    if len(short) >= len(long) or len(short.split()) < 3:
        return False
    if long.startswith(short):
        rest, boundary = long[len(short) :], long[len(short)]
    elif long.endswith(short):
        rest, boundary = long[: -len(short)], long[-len(short) - 1]
    else:
        return False
    return bool(_WORDS.search(rest)) and (not boundary.isalnum() or boundary == "-")


def _site_keys(page: PageMeta, url: str) -> set[str]:
    """Comparison keys for the outlet's names: og:site_name, the publisher (JSON-LD or
    meta tag, without notes in brackets such as its address) and the domain."""
    names = (
        page.first("og:site_name", "application-name"),
        page.ld_publisher,
        _BRACKETS.sub("", page.first("publisher", "dc.publisher", "dcterms.publisher") or ""),
        _domain_label(url),
    )
    return {_key(name) for name in names if name} - {""}


def _visible_headlines(tree: HtmlElement) -> list[str]:
    """The headlines a reader sees: the first <h1> outside navigation.

    Some sites have their only <h1> in the breadcrumb trail and the article's headline
    in the next <h2>, often a kicker and a headline in two spans; the two headlines
    then differ (one is og:title, one the JSON-LD headline), and both count, with the
    <h2>'s parts.
    """
    headings = tree.xpath("//body//h1")
    for h1 in headings:
        if not _in_navigation(h1):
            return [_clean_title(h1.text_content())]
    if not headings:
        return []
    shown = [_clean_title(headings[0].text_content())]
    following = headings[0].xpath("following::h2[1]")
    if following:
        shown += [_clean_title(el.text_content()) for el in (following[0], *following[0])]
    return shown


def _in_navigation(element: HtmlElement) -> bool:
    for node in (element, *element.iterancestors()):
        marker = f"{node.get('class') or ''} {node.get('id') or ''}".lower()
        if node.tag == "nav" or "breadcrumb" in marker:
            return True
    return False


def _h1(tree: HtmlElement) -> str | None:
    """The article's visible headline: the first <h1> in <article> or <main>, else the first."""
    found = tree.xpath("(//article//h1 | //main//h1)[1]") or tree.xpath("(//h1)[1]")
    if not found:
        return None
    h1 = found[0]
    text = " ".join(h1.text_content().split())
    return text or None


def _key(text: str) -> str:
    """Letters and digits only, casefolded, umlauts spelt out as domains spell them."""
    return "".join(_WORDS.findall(text.casefold().translate(_UMLAUTS)))


def _domain_label(url: str) -> str:
    """The outlet's name as its domain spells it: "bbc" for www.bbc.co.uk."""
    labels = (urlsplit(url).hostname or "").split(".")[:-1]
    if len(labels) > 1 and labels[-1] in ("co", "com", "org", "net", "gov", "ac", "or", "ne"):
        labels.pop()
    return labels[-1] if labels else ""


def _strip_site(title: str, sites: set[str], section: str | None) -> str:
    """Drop affixes naming the site ("Headline | Outlet", "Outlet: Headline").

    Trailing parts that are a date or the article's section go too, as in
    "Headline | Sport | Outlet" or "Headline | Outlet | 28.04.2023".
    """
    while True:
        separators = list(_TITLE_SEPARATORS.finditer(title))
        if not separators:
            return title
        last, first = separators[-1], separators[0]
        tail, head = title[last.end() :], title[: first.start()]
        if _matches_site(tail, sites) or _DATE_ONLY.fullmatch(tail) or _key(tail) == section:
            if not title[: last.start()].strip():
                return title
            title = title[: last.start()].strip()
        elif _matches_site(head, sites) and title[first.end() :].strip():
            return title[first.end() :].strip()
        else:
            return title


def _matches_site(part: str, sites: set[str]) -> bool:
    """Whether a title part names the site, exactly or as a longer name's start or end.

    "Die Neue Südtiroler Tageszeitung" names tageszeitung.it; "Kate Moss auf dem
    VOGUE-Cover" does not name vogue.de.
    """
    key = _key(part)
    if not key or len(part.split()) > 6:
        return False
    for site in sites:
        short, long = sorted((key, site), key=len)
        if key == site or (len(short) >= 5 and (long.startswith(short) or long.endswith(short))):
            return True
    return False


# --- body ------------------------------------------------------------------


def _body(tree: HtmlElement, url: str, page: PageMeta, description: str | None) -> str | None:
    """The article text: trafilatura's paragraphs, checked against what the page states.

    The JSON-LD articleBody replaces trafilatura's text when it is more than twice as
    long (trafilatura missed most of the article); otherwise it only vetoes paragraphs
    it does not contain (_confirmed_by): measured on real pages, a similar-length
    articleBody, which keeps sub-headings and lacks the lead, is a worse text than
    trafilatura's but a good judge of it. Lines that are labels, not prose, go
    (_is_label), and the lead the page shows under the headline comes first when
    trafilatura left it out (_shown_lead).
    """
    paragraphs = _main_text(tree, url)
    ld_body = ld_text(page.article.get("articleBody"))
    ld_paragraphs = [p.strip() for p in _html_text(ld_body or "").split("\n") if p.strip()]
    ld_chosen = sum(map(len, ld_paragraphs)) > 2 * sum(map(len, paragraphs))
    if ld_chosen:
        paragraphs = ld_paragraphs
    paragraphs = list(dict.fromkeys(p for p in paragraphs if not _is_label(p)))
    if ld_paragraphs and not ld_chosen:
        paragraphs = _confirmed_by(paragraphs, ld_paragraphs)
    lead = _shown_lead(tree, description) if description else None
    if lead and not _contains(paragraphs, description) and not _contains(paragraphs, lead):
        paragraphs.insert(0, lead)
    return "\n\n".join(paragraphs) or None


def _main_text(tree: HtmlElement, url: str) -> list[str]:
    """Paragraphs of trafilatura's main text without sub-headings and links standing alone.

    The article text proper leaves out sub-headings (a "heading" of _LEAD_WORDS words or
    more is a lead set as a heading, and stays), lists whose items are all links and
    paragraphs that are links ("related stories", "Comments", the author's page).
    """
    try:
        document = trafilatura.bare_extraction(
            tree, url=url, include_comments=False, include_links=True
        )
    except Exception:  # trafilatura has failed on odd trees; the metadata is still useful
        document = None
    if document is None or document.body is None:
        return []
    body = document.body
    for element in list(body.iter("head", "list", "p")):
        if element.tag == "head" and len(_WORDS.findall(_text(element))) >= _LEAD_WORDS:
            element.tag = "p"
        elif element.tag == "head" or _is_link_list(element) or _is_link_paragraph(element):
            _drop(element)
    strip_tags(body, "ref")
    text = xmltotxt(body, include_formatting=False)
    return [p.strip() for p in text.split("\n") if p.strip()]


_LEAD_WORDS = 20


def _text(element: _Element) -> str:
    return " ".join("".join(element.itertext()).split())


def _is_link_list(element: _Element) -> bool:
    if element.tag != "list":
        return False
    items = element.findall("item")
    return bool(items) and all(item.find(".//ref") is not None for item in items)


def _is_link_paragraph(element: _Element) -> bool:
    """A paragraph of links with at most a short label besides ("Also Read |", "Читайте
    также:"): a pointer to other pages, not prose."""
    if element.tag != "p":
        return False
    links = [_text(ref) for ref in element.iter("ref")]
    text = label = _text(element)
    for link in links:
        label = label.replace(link, " ", 1)
    mostly_linked = 2 * sum(map(len, links)) >= len(text)
    return bool(links) and mostly_linked and len(" ".join(label.split())) <= _LINK_LABEL_CHARS


_LINK_LABEL_CHARS = 15


def _drop(element: _Element) -> None:
    """Remove an element but keep its tail text, which belongs to the parent."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail and element.tail.strip():
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


# A sentence ends in a stop, a closing quote or bracket (Latin, CJK, Devanagari danda).
_SENTENCE_END = re.compile(r"[.!?…:;\"'»”’)\]。！？」』】।]\s*$")
_LABEL_WORDS, _LABEL_CHARS = 8, 80


def _is_label(paragraph: str) -> bool:
    """A short line that ends no sentence: a sub-heading set as a paragraph, a photo credit,
    a dateline, a button ("Comments", "Advertisement", "STR/AFP via Getty Images").

    Eight words or fewer; the character cap keeps unspaced (CJK) paragraphs, whose words
    the \\w+ count runs together.
    """
    return (
        len(paragraph) <= _LABEL_CHARS
        and len(_WORDS.findall(paragraph)) <= _LABEL_WORDS
        and not _SENTENCE_END.search(paragraph)
    )


def _shingles(text: str) -> set[tuple[str, ...]]:
    """Runs of four words (fewer for a shorter text), for comparing texts."""
    words = _WORDS.findall(text.lower())
    return {tuple(words[i : i + 4]) for i in range(max(len(words) - 3, 1))} if words else set()


def _confirmed_by(paragraphs: list[str], ld_paragraphs: list[str]) -> list[str]:
    """Paragraphs the JSON-LD articleBody contains, when it states the article in full.

    It does when it holds half of the text's 4-word shingles (else it is a teaser and
    judges nothing). Paragraphs before the first one it contains are the lead, which
    articleBody leaves out; later ones sharing under a tenth of their shingles with it
    are captions, teasers and boxes.
    """
    stated = set().union(*map(_shingles, ld_paragraphs))
    own = [_shingles(p) for p in paragraphs]
    total = sum(map(len, own))
    if not total or sum(len(s & stated) for s in own) < total / 2:
        return paragraphs
    confirmed = [not s or len(s & stated) >= len(s) / 10 for s in own]
    first = confirmed.index(True) if True in confirmed else len(paragraphs)
    return [p for i, p in enumerate(paragraphs) if confirmed[i] or i < first]


_HIDDEN = "self::script or self::style or self::noscript or self::template or self::svg"
_TEXT_WITH = XPath(
    f"//body//text()[contains(normalize-space(.), $key)][not(ancestor::*[{_HIDDEN}])]"
)
_VISIBLE_TEXT = XPath(f".//text()[not(ancestor::*[{_HIDDEN}])]")
_CAPTION = re.compile(r"caption|credit", re.I)


def _shown_lead(tree: HtmlElement, description: str) -> str | None:
    """The page's description where the page shows it: the lead (standfirst) under the
    headline, which trafilatura often leaves out with the header it sits in.

    The element holding the description's opening words gives the lead's full text. A
    description shown only as a photo caption (some outlets reuse the caption) is no
    lead, and neither is an element far longer than it (a section that quotes it).
    """
    key = description if len(description) <= 40 else description[:40].rsplit(" ", 1)[0]
    if len(key) < 15:
        return None
    for node in _TEXT_WITH(tree, key=key):
        element = node.getparent()
        if node.is_tail:
            element = element.getparent()
        if element is None or _is_caption(element):
            continue
        shown = " ".join("".join(_VISIBLE_TEXT(element)).split())
        return shown if len(shown) <= 2 * len(description) + 20 else None
    return None


def _is_caption(element: HtmlElement) -> bool:
    for node in (element, *element.iterancestors()):
        marker = f"{node.get('class') or ''} {node.get('id') or ''}"
        if node.tag in ("figure", "figcaption") or _CAPTION.search(marker):
            return True
    return False


def _contains(paragraphs: list[str], text: str) -> bool:
    """Whether the paragraphs hold text already: its opening words, case and marks aside."""
    opening = " ".join(_WORDS.findall(text.lower()))[:60]
    return opening in " ".join(_WORDS.findall("\n".join(paragraphs).lower()))


def _html_text(text: str) -> str:
    """JSON-LD articleBody as plain text: some sites put (escaped) HTML there."""
    for _ in range(2):
        if "&" not in text:
            break
        text = unescape(text)
    if "<" in text:
        text = _TAG.sub(lambda m: "\n" if m.group(1) else " ", text)
    return text


# --- dates -----------------------------------------------------------------


def _microdata(tree: HtmlElement, prop: str) -> str | None:
    """The first itemprop value: <time datetime>, <meta content> or the element's text."""
    for element in tree.iterfind(f'.//*[@itemprop="{prop}"]'):
        value = element.get("datetime") or element.get("content") or element.text_content()
        if value and value.strip():
            return value
    return None


def _htmldate(tree: HtmlElement, url: str) -> str | None:
    """htmldate's date for the page, as it spells it (pipelines.dates reads it)."""
    try:
        return find_date(
            tree,
            url=url,
            original_date=True,
            extensive_search=False,  # free-text guesses turn "in 2018" into 2018-01-01
            outputformat="%Y-%m-%dT%H:%M:%S%z",
        )
    except Exception:  # htmldate is a last resort; a failure there means "unknown"
        return None


# --- authors ---------------------------------------------------------------


def _authors(tree: HtmlElement, page: PageMeta, sites: set[str]) -> list[str]:
    """Person names from JSON-LD, else meta tags, else microdata and rel=author links.

    A source naming only the outlet itself (or other organisations) does not stop the
    search: a person named in the page's visible byline (_visible_byline) comes next,
    and the organisation only when there is none. trafilatura's byline guess from the
    page text comes last: on real pages it beats nothing but not an organisation named
    in the markup.
    """
    art = page.article
    author = art.get("author") or art.get("creator")
    sources = (
        lambda: ld_people(author, page.ld_ids),
        lambda: [v for v in page.all(*_AUTHOR_KEYS) if not _is_org_line(v, sites)],
        lambda: _markup_authors(tree),
    )
    fallback: list[str] = []
    for index, source in enumerate(sources):
        names = _clean_authors(source())
        if index == 0 and is_organisation(author):
            people = []
        else:
            people = [name for name in names if not _is_outlet(name, sites)]
        if people:
            return people
        fallback = fallback or names
    visible = _visible_byline(tree, sites)
    if visible or fallback:
        return visible or fallback
    try:
        byline = extract_author(tree)
    except Exception:  # a heuristic over arbitrary markup; failing means "unknown"
        return []
    return _clean_authors([byline]) if byline else []


_HOSTNAME = re.compile(r"(?:www\.)?[\w-]+(?:\.[a-z]{2,})+", re.I)


def _is_outlet(name: str, sites: set[str]) -> bool:
    """The outlet's name or any web address ("mdr.de"): a credit, not a person."""
    return _matches_site(name, sites) or bool(_HOSTNAME.fullmatch(name))


# Class or id words of byline elements, and of look-alikes that name other people.
_BYLINE_CLASS = re.compile(r"author|byline|by-line|autor", re.I)
_NOT_BYLINE_CLASS = re.compile(
    r"quote|comment|teaser|related|avatar|image|img|photo|bio|desc|social|follow|share"
    r"|more|list-item-meta|meta-data|brand|card|recommend|footer|contact|socmed",
    re.I,
)
_AUTHOR_HREF = re.compile(r"/(?:authors?|autor(?:en|in)?|auteurs?|autores?|journalists?)/", re.I)
_BYLINE_CUT = re.compile(
    r"\s*(?:\d|\||•|·|\bStand\b|\bUpdated\b|\bPublished\b|\bAktualisiert\b).*$", re.S
)
# "By" and its translations; "de", "di" and "von" also occur inside names.
_BYLINE_WORD = re.compile(r"(?:^|(?<=\s))(?:by|von|par|por|door|av|af|od|от)\s+(?=\S)", re.I)
_NAME_PARTICLES = {
    "van", "von", "de", "der", "den", "da", "di", "du", "la", "le", "del", "dos", "das",
    "bin", "ibn", "al", "el", "zu", "ter", "ten", "y",
}  # fmt: skip


def _visible_byline(tree: HtmlElement, sites: set[str]) -> list[str]:
    """Person names from the first visible byline, for pages whose markup names the outlet.

    Byline elements are those whose class or id says author or byline (but not quote,
    comment, teaser, bio...), rel=author links, links to an author page, and <address>;
    the first one holding a person's name counts (later ones belong to teasers, quotes
    and comments). Then a name after an "Author" label, then a bold name paragraph
    opening or closing the article text.
    """
    candidates = tree.xpath(
        "//body//*[@class or @id or @rel or @href or self::address]"
        "[not(ancestor-or-self::script or ancestor-or-self::style)]"
    )
    for element in candidates:
        marker = f"{element.get('class') or ''} {element.get('id') or ''}"
        href = element.get("href") or ""
        if element.tag == "address" or element.get("rel") == "author":
            pass
        elif _BYLINE_CLASS.search(marker):
            if _NOT_BYLINE_CLASS.search(marker):
                continue
        elif not (element.tag == "a" and _AUTHOR_HREF.search(href)):
            continue
        names = _byline_names(element.text_content(), sites)
        if names:
            return names
    return _labelled_byline(tree, sites) or _bold_byline(tree, sites)


_AUTHOR_LABEL = re.compile(
    r"(?:authors?|autor(?:in|en)?|autorin/autor|auteurs?|autori?e?s?|written by)\s*:?", re.I
)


def _labelled_byline(tree: HtmlElement, sites: set[str]) -> list[str]:
    """A name after a label such as <strong>Author</strong> in a details list."""
    for label in tree.xpath("//body//strong | //body//b | //body//dt | //body//th"):
        if not _AUTHOR_LABEL.fullmatch(" ".join(label.text_content().split())):
            continue
        parent = label.getparent()
        if parent is None:
            continue
        text = parent.text_content().replace(label.text_content(), " ", 1)
        if label.tag in ("dt", "th"):
            following = label.getnext()
            text = following.text_content() if following is not None else ""
        names = _byline_names(text, sites)
        if names:
            return names
    return []


def _bold_byline(tree: HtmlElement, sites: set[str]) -> list[str]:
    """Names set as a paragraph of their own in bold ("<p><strong>A B/C D</strong></p>"),
    before the article's first long paragraph or as its last paragraph."""
    for paragraph in tree.iterfind(".//body//p"):
        bold = paragraph.xpath("./strong | ./b")
        text = " ".join(paragraph.text_content().split())
        if len(bold) != 1 or not text or " ".join(bold[0].text_content().split()) != text:
            continue
        names = _byline_names(text.replace("/", ", "), sites)
        if not names:
            continue
        before = [len(p.text_content().strip()) for p in paragraph.itersiblings(preceding=True)]
        after = [len(p.text_content().strip()) for p in paragraph.itersiblings()]
        first = max(before, default=0) < _LONG_PARAGRAPH <= max(after, default=0)
        last = not any(after) and sum(n >= _LONG_PARAGRAPH for n in before) >= 2
        if first or last:
            return names
    return []


_LONG_PARAGRAPH = 150


def _byline_names(text: str, sites: set[str]) -> list[str]:
    """Person names in a byline's text: after "By"/"Von"..., before any date or "|".

    Names must have two or more capitalised words; the outlet (or a desk named after
    it, "MDR THÜRINGEN"), labels ("Foto: ...") and single words do not count.
    """
    text = " ".join(text.split())
    if not text or len(text) > 120:
        return []
    for match in _BYLINE_WORD.finditer(text):
        before = text[: match.start()].split()
        if not before or not before[-1][0].isupper():  # not "Ursula von der Leyen"
            text = text[match.end() :]
            break
    text = _BYLINE_CUT.sub("", text)
    names = []
    for name in _clean_authors([text]):
        words = name.split()
        if _is_outlet(name, sites) or _key(words[0]) in sites:
            continue
        if (
            ":" in name
            or "/" in name
            or len(words) < 2
            or not all(w[0].isupper() or w in _NAME_PARTICLES for w in words)
        ):
            continue
        names.append(name)
    return names


def _is_org_line(value: str, sites: set[str]) -> bool:
    """An author tag holding a URL, or the outlet among other words ("site.de, City")."""
    parts = _AUTHOR_SPLIT.split(value)
    return value.startswith(("http", "www.")) or (
        len(parts) > 1 and any(_matches_site(part, sites) for part in parts)
    )


def _markup_authors(tree: HtmlElement) -> list[str]:
    """Bylines marked up as microdata (itemprop=author) or rel=author links.

    Only the first byline block counts: later ones belong to teasers of other stories.
    """
    elements = tree.xpath('//*[@itemprop="author"] | //a[@rel="author"]')
    if not elements:
        return []
    parent = elements[0].getparent()
    names = []
    for element in elements:
        if element.getparent() is not parent:
            continue
        named = element.find('.//*[@itemprop="name"]')
        target = named if named is not None else element
        text = target.get("content") or target.text_content()
        if text and len(text.split()) <= 6:
            names.append(text)
    return names


def _clean_authors(values: list[str]) -> list[str]:
    """Split joined bylines; drop "By", e-mails and notes in brackets; deduplicate.

    Names are compared by their letters alone, so a "sophie-foster" slug from one tag
    folds into "Sophie Foster" from another.
    """
    seen: dict[str, str] = {}
    for value in values:
        value = _BRACKETS.sub(" ", _EMAIL.sub("", value))
        value = _BYLINE_PREFIX.sub("", " ".join(value.split()))
        for name in _AUTHOR_SPLIT.split(value):
            name = _BYLINE_SUFFIX.sub("", _BYLINE_PREFIX.sub("", name)).strip(" -–—|:·.,/")
            if name.startswith(("http", "@")) or len(name.split()) > 6:
                continue
            if not any(char.isalpha() for char in name):  # empty, or a numeric author ID
                continue
            key = _key(name)
            if key and key not in seen:
                seen[key] = name
    return list(seen.values())


# --- language --------------------------------------------------------------


def _language(page: PageMeta, art: Mapping[str, Any], text: str) -> str | None:
    declared = (
        page.lang
        or ld_text(art.get("inLanguage"))
        or page.first("og:locale", "content-language", "language", "dc.language")
    )
    if declared:
        code = re.split(r"[-_]", declared.strip().lower())[0]
        if code.isalpha() and 2 <= len(code) <= 3:
            return code
    # Undeclared: only scripts that (nearly) give the language away are guessed.
    sample = text[:2000]
    for code, script in _LANG_SCRIPTS:
        if len(script.findall(sample)) > len(sample) / 4:
            return code
    return None
