"""URL canonicalisation: one key per page, whatever tracking, AMP or mobile variant was linked.

Outlets publish the same article under AMP paths, AMP or mobile hosts and
tracking-tagged links; deduplication and the seen-URL check need them to agree.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache, lru_cache
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

if TYPE_CHECKING:
    from tldextract import TLDExtract


TRACKING_PARAMS = frozenset(
    {"fbclid", "gclid", "ref", "ito", "ref_src", "cmpid", "mc_cid", "mc_eid", "_ga"}
)
DEFAULT_PORTS = {"http": 80, "https": 443}
FETCHABLE_SCHEMES = ("http", "https")
# Host prefixes that serve the same article as the bare host.
VARIANT_HOST_PREFIXES = ("amp.", "m.", "mobile.")
# Trailing AMP markers besides an "amp" path segment: NDTV's "/amp/1", ".amp", ".amp.html".
AMP_PATH_SUFFIX = re.compile(r"(/amp/1|\.amp)$")
AMP_HTML_SUFFIX = re.compile(r"\.amp\.html$")


def _is_tracking(name: str, extra: frozenset[str]) -> bool:
    key = name.lower()
    return key.startswith("utm_") or key in TRACKING_PARAMS or key in extra


def _is_amp_param(name: str, value: str) -> bool:
    """`?amp`, `?amp=1` and `?outputType=amp` (defensenews, Arc sites) ask for the AMP view."""
    key = name.lower()
    return key == "amp" or (key == "outputtype" and value.lower() == "amp")


def _strip_host_variant(host: str) -> str:
    for prefix in VARIANT_HOST_PREFIXES:
        rest = host.removeprefix(prefix)
        if rest != host and "." in rest:
            return rest
    return host


def _strip_amp_path(path: str) -> str:
    path = AMP_PATH_SUFFIX.sub("", AMP_HTML_SUFFIX.sub(".html", path))
    segments = path.split("/")
    kept = [s for s in segments if s != "amp"]
    # The Hindu: ".../article1.ece/amp/" is ".../article1.ece", not a directory.
    if len(kept) < len(segments) and len(kept) > 1 and kept[-1] == "" and "." in kept[-2]:
        kept.pop()
    # Times Internet (TOI, ET): /amp_articleshow/123.cms is /articleshow/123.cms.
    kept = [s.removeprefix("amp_") for s in kept]
    return "/".join(kept) or "/"


def _netloc(host: str, port: int | None, userinfo: str) -> str:
    netloc = host if port is None else f"{host}:{port}"
    return f"{userinfo}@{netloc}" if userinfo else netloc


def canonicalize_url(
    url: str, *, drop_params: Iterable[str] = (), force_https: bool = False
) -> str:
    """Return the canonical form of `url`; idempotent.

    Lower-cases scheme and host, drops the fragment, tracking and AMP parameters,
    sorts the query, maps AMP and mobile variants to the main page and removes
    default ports. `drop_params` adds per-source parameters to drop.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    port = None if parts.port == DEFAULT_PORTS.get(scheme) else parts.port
    if force_https and scheme == "http":
        scheme = "https"
    host = _strip_host_variant((parts.hostname or "").lower().rstrip("."))
    userinfo = parts.netloc.rpartition("@")[0] if "@" in parts.netloc else ""
    extra = frozenset(p.lower() for p in drop_params)
    query = sorted(
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not _is_tracking(k, extra) and not _is_amp_param(k, v)
    )
    return urlunsplit(
        (
            scheme,
            _netloc(host, port, userinfo),
            _strip_amp_path(parts.path or "/"),
            urlencode(query),
            "",
        )
    )


def is_amp(url: str) -> bool:
    """True when `url` is an AMP rendering (host, path or query marks it)."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    query = parse_qsl(parts.query, keep_blank_values=True)
    return (
        host.startswith("amp.")
        or _strip_amp_path(parts.path or "/") != (parts.path or "/")
        or any(_is_amp_param(k, v) for k, v in query)
    )


def check_http_url(url: str, max_length: int) -> None:
    """Raise ValueError, saying why, unless `url` is an absolute http(s) URL with a host,
    a valid port and at most `max_length` characters: nothing else is ever fetched."""
    if len(url) > max_length:
        raise ValueError(f"URL longer than {max_length} characters")
    parts = urlsplit(url)
    if parts.scheme.lower() not in FETCHABLE_SCHEMES:
        raise ValueError(f"not an http(s) URL: {url[:80]!r}")
    if not parts.hostname:
        raise ValueError(f"URL without a host: {url[:80]!r}")
    parts.port  # noqa: B018 (raises ValueError for a port out of range)


@lru_cache(maxsize=4096)
def registrable_domain(url: str) -> str:
    """The domain an outlet registered ("hindustantimes.com" for any of its hosts); for
    names under no known public suffix, their last two labels; IP addresses as they are."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    parts = _public_suffixes().extract_str(host)
    if parts.top_domain_under_public_suffix:
        return parts.top_domain_under_public_suffix
    if parts.ipv4 or ":" in host:
        return host
    return ".".join(host.split(".")[-2:])


@cache
def _public_suffixes() -> TLDExtract:
    """The public suffix list shipped with tldextract: never fetched, so it works offline
    (loaded on first use: a tenth of a second)."""
    from tldextract import TLDExtract

    return TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True)


def same_outlet(url: str, page_url: str, hosts: Iterable[str] = ()) -> bool:
    """Whether `url` belongs to the outlet of the page at `page_url`: the same registrable
    domain as that page, or as one of the source's `hosts` (its feeds', and those it
    declares)."""
    domain = registrable_domain(url)
    return domain == registrable_domain(page_url) or any(
        domain == _host_domain(host) for host in hosts
    )


@lru_cache(maxsize=1024)
def _host_domain(host: str) -> str:
    """A source's host's registrable domain, looked up once per process."""
    return registrable_domain(f"http://{host}/")
