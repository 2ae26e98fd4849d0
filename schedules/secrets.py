"""Keep notifier credentials out of logs and the database.

Apprise URLs carry their secrets in many places: the password (`mailtos://bot:PASSWORD@…`),
the host and path (`tgram://BOT:TOKEN/CHAT`, `slack://TokenA/TokenB/TokenC`,
`json://host/hooks/TOKEN123`), and query values (`?-token=…`, `?+X-Api-Key=…`). Apprise's
own privacy mode masks what each plugin declares private, but not the path of a generic
webhook nor its header (`+`) and payload (`-`) arguments. So:

- `mask_url` gives the form of a URL that may be shown and stored;
- `url_secrets` lists the secret substrings of URLs, and `RedactSecrets` (a logging
  filter, installed by `redacting_logs`) replaces them in log records, for the lines apprise
  and the HTTP libraries log themselves while delivering (connection errors quote the URL).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import quote, quote_plus, unquote

MASK = "****"
# Shorter secrets are not redacted from logs: "ok" or "42" would be replaced everywhere.
MIN_SECRET_LENGTH = 4
# Schemes whose host (when dotless) and path segments are keys, webhook ids, chat ids or
# topics rather than places; apprise masks most of these itself, not always all.
TOKEN_PATH_SCHEMES = frozenset(
    """apprise apprises discord gotify gotifys ifttt join mmost mmosts msteams ntfy ntfys
    pbul pover rocket rockets slack tgram zulip""".split()
)
# Query keys whose values are secrets: apprise's `+Header=` and `-payload=` arguments, and
# any key naming a credential.
_SECRET_KEY = re.compile(r"^[+-]|token|key|secret|pass|auth|sig", re.IGNORECASE)
_TOKEN_CHARS = re.compile(r"[A-Za-z0-9_+=~-]{10,}")
_APPRISE_MASK = re.compile(r".\.\.\..|\*+")  # apprise's "T...A", or ours
_EMAIL = re.compile(r"[^@\s/]+@[^@\s/]+\.[^@\s/]+")
_URL = re.compile(
    r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<netloc>[^/?#]*)(?P<path>[^?#]*)"
    r"(?:\?(?P<query>[^#]*))?(?:#(?P<fragment>.*))?",
    re.DOTALL,
)
_DISPLAY_SAFE = "@:$,;=+!*'()~{}#"

log = logging.getLogger(__name__)


def mask_url(url: str) -> str:
    """The URL with its secrets masked, to show in logs and store with a run; never raises.

    The URL goes through apprise's privacy mode when apprise can parse it, then through
    these rules, which keep the scheme, host and port so notifiers can be told apart:

    - userinfo: the password is masked; so is a user name that looks like a token;
    - host: kept when it has a dot or is an IP or `localhost`; a dotless one is masked when
      it looks like a token (below), or always for TOKEN_PATH_SCHEMES, where apprise puts
      keys in the host position (`discord://WEBHOOK_ID/…`, `tgram://BOT:TOKEN/…`);
    - path: a segment is masked when it looks like a token: it contains a digit, or is 10+
      characters of `[A-Za-z0-9_+=~-]`; e-mail addresses and apprise's masks (`T...A`, the
      first and last characters) stay. For TOKEN_PATH_SCHEMES (slack, discord, tgram, ntfy,
      gotify, …) every segment is masked except `#channel` and `@user` targets that do not
      look like tokens: their paths are keys, webhook ids, chat ids and ntfy topics (which
      work as passwords);
    - query: only the arguments the URL itself gave are kept (apprise adds its defaults);
      a value is masked when its key starts with `+` or `-` (apprise's headers and payload
      fields) or contains token, key, secret, pass, auth or sig (any case);
    - a fragment is dropped.

    A URL apprise cannot parse is shown as `scheme://host/…` only. Finally any secret
    `url_secrets` finds in the URL is replaced, should a rule above have missed it.
    """
    try:
        forms = _apprise_forms(url)
        shown = forms[0] if forms else None
        original = _parse(url)
        if shown is not None and original is not None and (masked := _parse(shown)):
            kept = {key.lower() for key, _ in original.query}
            masked.query = [(k, v) for k, v in masked.query if k.lower() in kept]
            text = masked.render()
        elif original is not None:
            token_path = original.scheme.lower() in TOKEN_PATH_SCHEMES
            text = f"{original.scheme}://{_shown_host(original.host, token_path)}/…"
        else:
            return "(unparseable URL)"
        return scrub(text, url_secrets([url]))
    except Exception:  # never let masking break a delivery or a log line
        return "(unparseable URL)"


def url_secrets(urls: Iterable[str]) -> list[str]:
    """The secret substrings of `urls`, longest first, each also %-encoded and decoded as
    they may appear in a log line: whatever apprise masks in privacy mode, passwords,
    token-like user names, hosts and path segments, the host and path segments of
    TOKEN_PATH_SCHEMES, and the values of secret query keys (the rules of `mask_url`). Of a
    URL apprise cannot parse, every user name, path segment and query value is taken.
    Strings shorter than MIN_SECRET_LENGTH are left out: they would be redacted everywhere."""
    found: set[str] = set()
    for url in urls:
        try:
            found.update(_secrets_of(url))
        except Exception:  # a URL we cannot take apart yields nothing more to hide
            log.debug("could not take a notifier URL apart", exc_info=False)
    return _variants(found)


def scrub(text: str, secrets: Iterable[str]) -> str:
    """`text` with each of `secrets` (longest first) replaced by MASK."""
    for secret in sorted(set(secrets), key=len, reverse=True):
        if len(secret) >= MIN_SECRET_LENGTH and secret in text:
            text = text.replace(secret, MASK)
    return text


class RedactSecrets(logging.Filter):
    """Replace known secret substrings in log records with MASK; records are never dropped.

    Install it on handlers (not loggers) so that it also sees the records of child loggers
    that propagate to them, such as apprise's and urllib3's."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = sorted(
            {s for s in secrets if len(s) >= MIN_SECRET_LENGTH}, key=len, reverse=True
        )

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        try:
            message = record.getMessage()
            redacted = scrub(message, self.secrets)
            if redacted != message:
                record.msg, record.args = redacted, None
            # A traceback is formatted (and cached on the record) only if it holds a secret.
            trace = record.exc_text
            if record.exc_info and not trace:
                trace = logging.Formatter().formatException(record.exc_info)
            if trace and (scrubbed := scrub(trace, self.secrets)) != trace:
                record.exc_text = scrubbed
            if record.stack_info:
                record.stack_info = scrub(record.stack_info, self.secrets)
        except Exception:  # a record that cannot be formatted is left to logging to report
            pass
        return True


@contextmanager
def redacting_logs(
    secrets: Iterable[str], logger_names: Iterable[str] = ("", "apprise")
) -> Iterator[RedactSecrets]:
    """Within the block, a RedactSecrets filter on every handler of the named loggers (the
    root logger and apprise's by default); removed afterwards."""
    redactor = RedactSecrets(secrets)
    handlers = {
        id(handler): handler
        for name in logger_names
        for handler in logging.getLogger(name or None).handlers
    }
    for handler in handlers.values():
        handler.addFilter(redactor)
    try:
        yield redactor
    finally:
        for handler in handlers.values():
            handler.removeFilter(redactor)


# --- taking URLs apart


@dataclass
class _Url:
    scheme: str
    user: str | None = None
    password: str | None = None
    host: str = ""
    port: str = ""
    segments: list[str] = field(default_factory=list)  # decoded, of a path starting with /
    query: list[tuple[str, str]] = field(default_factory=list)  # decoded

    def render(self) -> str:
        """The URL with the masking rules of `mask_url` applied."""
        netloc = ""
        if self.user is not None:
            netloc = MASK if _is_token(self.user) else _q(self.user)
            if self.password is not None:
                netloc += ":" + MASK
            netloc += "@"
        netloc += _shown_host(self.host, self.scheme.lower() in TOKEN_PATH_SCHEMES)
        if self.port:
            netloc += ":" + (self.port if self.port.isdigit() else MASK)
        path = "".join("/" + self._segment(segment) for segment in self.segments)
        query = "&".join(
            f"{quote(key, safe='+-:')}={MASK if _SECRET_KEY.search(key) else _qv(value)}"
            for key, value in self.query
        )
        return f"{self.scheme}://{netloc}{path}" + (f"?{query}" if query else "")

    def _segment(self, segment: str) -> str:
        if not segment or _APPRISE_MASK.fullmatch(segment):
            return segment
        if _is_token(segment):
            return MASK
        if self.scheme.lower() in TOKEN_PATH_SCHEMES and not _is_target(segment):
            return MASK
        return _q(segment)


def _parse(url: str) -> _Url | None:
    match = _URL.fullmatch(url.strip())
    if not match:
        return None
    userinfo, at, hostport = match["netloc"].rpartition("@")
    parts = _Url(scheme=match["scheme"])
    if at:
        user, colon, password = userinfo.partition(":")
        parts.user, parts.password = unquote(user), unquote(password) if colon else None
    if hostport.startswith("["):  # IPv6 literal
        host, _, rest = hostport.partition("]")
        parts.host, parts.port = host + "]", rest.removeprefix(":")
    else:
        host, colon, port = hostport.rpartition(":")
        parts.host, parts.port = (host, port) if colon else (hostport, "")
    path = match["path"]
    parts.segments = [unquote(s) for s in path.split("/")[1:]] if path else []
    for pair in (match["query"] or "").split("&"):
        if pair:
            key, _, value = pair.partition("=")
            parts.query.append((unquote(key), unquote(value)))
    return parts


def _secrets_of(url: str) -> set[str]:
    parts = _parse(url)
    if parts is None:
        return set()
    forms = _apprise_forms(url)
    every = forms is None  # apprise cannot tell us what is private: all of it may be
    token_path = parts.scheme.lower() in TOKEN_PATH_SCHEMES
    found: set[str] = set()
    if forms:
        # What apprise shows in full but masks in privacy mode is private by its own rules.
        private, full = (_parse(form) for form in forms)
        if private and full:
            found |= _components(full) - _components(private)
    if parts.password:
        found.add(parts.password)
    if parts.user and (every or parts.password is None and _is_token(parts.user)):
        found.add(parts.user)
    if parts.port and not parts.port.isdigit():  # "tgram://123456:ABCDEF": a bot token
        found.update({f"{parts.host}:{parts.port}", parts.port, parts.host})
    if _host_is_secret(parts.host, token_path):
        found.add(parts.host)
    for segment in parts.segments:
        if every or _is_token(segment) or (token_path and not _is_target(segment)):
            found.add(segment)
    for key, value in parts.query:
        if every or _SECRET_KEY.search(key):
            found.add(value)
    found.discard(MASK)
    return {secret for secret in found if len(secret) >= MIN_SECRET_LENGTH}


def _components(parts: _Url) -> set[str]:
    """The pieces of a parsed URL, as candidates for secrets."""
    pieces = {parts.user or "", parts.password or "", unquote(parts.host), parts.port}
    pieces.update(parts.segments)
    pieces.update(value for _, value in parts.query)
    return {piece for piece in pieces if piece and not _APPRISE_MASK.fullmatch(piece)}


def _variants(secrets: set[str]) -> list[str]:
    """Each secret as written, decoded, and encoded the ways URLs and logs show it."""
    every = set()
    for secret in secrets:
        every.update(
            {secret, unquote(secret), quote(secret, safe=""), quote(secret), quote_plus(secret)}
        )
    return sorted((s for s in every if len(s) >= MIN_SECRET_LENGTH), key=lambda s: (-len(s), s))


def _apprise_forms(url: str) -> tuple[str, str] | None:
    """Apprise's privacy-mode and full forms of the URL, or None when apprise cannot parse
    it. What apprise logs meanwhile (it may quote the URL it fails to parse) is redacted."""
    import apprise  # a run with nothing to send never loads it

    redactor = RedactSecrets(_raw_secrets(url))
    apprise_log = logging.getLogger("apprise")
    apprise_log.addFilter(redactor)  # apprise logs through this logger itself
    try:
        plugin = apprise.Apprise.instantiate(url)
        if plugin is None:
            return None
        return plugin.url(privacy=True), plugin.url(privacy=False)
    except Exception:
        return None
    finally:
        apprise_log.removeFilter(redactor)


def _raw_secrets(url: str) -> list[str]:
    """Everything but scheme and host: what to hide while apprise is still parsing."""
    parts = _parse(url)
    if parts is None:
        return []
    found = {parts.user or "", parts.password or "", *parts.segments}
    found.update(value for _, value in parts.query)
    if parts.port and not parts.port.isdigit():
        found.update({parts.port, f"{parts.host}:{parts.port}"})
    return _variants({s for s in found if len(s) >= MIN_SECRET_LENGTH})


# --- rules


def _is_token(text: str | None) -> bool:
    """A path segment or user name that looks like a key rather than a word: it contains a
    digit, or is 10+ characters of `[A-Za-z0-9_+=~-]`. Not an e-mail address, nor a mask."""
    if not text or _APPRISE_MASK.fullmatch(text) or _EMAIL.fullmatch(text):
        return False
    return any(c.isdigit() for c in text) or _TOKEN_CHARS.fullmatch(text) is not None


def _is_target(segment: str) -> bool:
    """A `#channel` or `@user` a chat notifier posts to: shown unless it looks like a token."""
    return segment.startswith(("#", "@")) and not _is_token(segment)


def _host_is_secret(host: str, token_path: bool = False) -> bool:
    """A host is a place, kept visible, unless it has no dot, is not an address and looks
    like a token (any dotless host, for TOKEN_PATH_SCHEMES): apprise puts keys there."""
    if not host or "." in host or _is_address(host) or _APPRISE_MASK.fullmatch(host):
        return False
    return token_path or _is_token(host)


def _is_address(host: str) -> bool:
    """`localhost` or an IP literal: a place, never a secret."""
    if host.lower() == "localhost" or host.startswith("["):
        return True
    return re.fullmatch(r"\d{1,3}(\.\d{1,3}){3}", host) is not None


def _shown_host(host: str, token_path: bool = False) -> str:
    return MASK if _host_is_secret(host, token_path) else host


def _q(text: str) -> str:
    return quote(text, safe=_DISPLAY_SAFE)


def _qv(text: str) -> str:
    return quote(text, safe=_DISPLAY_SAFE.replace("#", "") + "/")
