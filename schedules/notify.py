"""Deliver a run's digest through apprise: e-mail, chat, webhooks, one URL each.

Notification URLs carry credentials, so they never live in the repository: set them in
the `NEWSWATCH_NOTIFY` environment variable (whitespace- or comma-separated URLs), or
list URLs in the config whose secrets are `${VAR}` references expanded from the
environment here (apprise itself does not expand variables in URLs), e.g.
`mailtos://bot:${SMTP_PASSWORD}@smtp.example.org?to=desk@example.org`.

Only masked URLs (`schedules.secrets.mask_url`) reach results and log lines, and while
delivering, the URLs' secrets are redacted from every line logged through the root and
apprise handlers (apprise and urllib3 quote URLs in their own messages).
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from datetime import tzinfo
from typing import Any

from schedules.render import DEFAULT_ZONE, html_page, markdown
from schedules.report import digest_subject
from schedules.secrets import mask_url, redacting_logs, scrub, url_secrets

log = logging.getLogger(__name__)

ENV_VAR = "NEWSWATCH_NOTIFY"
EMAIL_SCHEMES = ("mailto", "mailtos")
_VARIABLE = re.compile(r"\$\{(\w+)\}")


def notify_urls(config_urls: list[str] | None) -> list[str]:
    """The config's URLs (with `${VAR}` expanded) followed by those of NEWSWATCH_NOTIFY,
    each once."""
    urls = [
        _VARIABLE.sub(lambda m: os.environ.get(m[1], m[0]), url.strip())
        for url in config_urls or []
    ]
    urls += re.split(r"[\s,]+", os.environ.get(ENV_VAR, "").strip())
    return list(dict.fromkeys(url for url in urls if url))


DEADLINE_SECONDS = 60.0  # for all the notifiers of one run together


def notify(
    report: dict[str, Any],
    urls: list[str],
    *,
    body_format: str = "markdown",
    zone: tzinfo = DEFAULT_ZONE,
    deadline: float = DEADLINE_SECONDS,
) -> list[dict[str, Any]]:
    """Send the digest, its times shown in `zone`, to each URL; one result per URL. A
    failing notifier is logged and reported as failed, never raised: one dead webhook
    must not stop the others.

    E-mail always gets the HTML page (mail clients render it; apprise would otherwise
    convert the Markdown itself), and its plain-text part is apprise's text of that
    page; other notifiers get `body_format`. All of them together get `deadline`
    seconds: a server that answers one byte at a time never keeps a run alive."""
    if body_format not in ("markdown", "html"):
        raise ValueError(f"body_format must be 'markdown' or 'html', not {body_format!r}")
    subject = digest_subject(report)
    bodies: dict[str, str] = {}

    def body(kind: str) -> str:
        if kind not in bodies:
            html = kind == "html"
            bodies[kind] = html_page(report, zone=zone) if html else markdown(report, zone)
        return bodies[kind]

    results = []
    with redacting_logs(url_secrets(urls)):  # loads apprise: not yet sending
        ends = time.monotonic() + deadline
        for url in urls:
            kind = "html" if _scheme(url) in EMAIL_SCHEMES else body_format
            result = _send_until(ends, url, subject, body(kind), kind)
            if not result["ok"]:
                # The run's summary says so on stderr; the log keeps the detail.
                log.info("notification to %s failed: %s", result["url"], result["error"])
            results.append(result)
    return results


def _send_until(ends: float, url: str, subject: str, body: str, kind: str) -> dict[str, Any]:
    """_send, given up on at the monotonic time `ends` (apprise's own timeouts reset on
    every byte received). The thread left behind is a daemon: it cannot hold up exit."""
    if time.monotonic() >= ends:
        return {"url": mask_url(url), "ok": False, "error": "not sent: out of time"}
    results: list[dict[str, Any]] = []
    worker = threading.Thread(
        target=lambda: results.append(_send(url, subject, body, kind)), daemon=True
    )
    worker.start()
    worker.join(timeout=max(ends - time.monotonic(), 0.0))
    if results:
        return results[0]
    return {"url": mask_url(url), "ok": False, "error": "no answer in time: gave up"}


def _send(url: str, subject: str, body: str, kind: str) -> dict[str, Any]:
    shown, secrets = mask_url(url), url_secrets([url])

    def failed(error: str) -> dict[str, Any]:
        return {"url": shown, "ok": False, "error": scrub(error, secrets)}

    import apprise  # a run with nothing to send never loads it

    # Sent in this thread, not in apprise's thread pool: a pool thread still waiting on a
    # trickling webhook would be joined at exit, holding the finished run up for ever.
    inline = apprise.AppriseAsset(async_mode=False, service_timeout=0)
    plugin = apprise.Apprise.instantiate(url, asset=inline)
    if plugin is None:
        return failed("invalid or unsupported URL")
    if _VARIABLE.search(url):
        return failed("unset environment variable in URL")
    sender = apprise.Apprise(asset=inline)
    sender.add(plugin)
    try:
        with apprise.LogCapture(level=logging.WARNING) as captured:
            ok = sender.notify(body=body, title=subject, body_format=kind)
    except Exception as exc:  # a plugin bug must not stop the other notifiers
        return failed(f"{type(exc).__name__}: {exc}")
    if not ok:
        return failed(_last_line(captured.getvalue()) or "delivery failed")
    return {"url": shown, "ok": True, "error": None}


def redact(url: str) -> str:
    """The URL with its secrets masked; kept for callers of the old name of `mask_url`."""
    return mask_url(url)


def _scheme(url: str) -> str:
    return url.split("://", 1)[0].lower()


def _last_line(text: str) -> str:
    lines = [line.split(" - ", 2)[-1] for line in text.strip().splitlines()]
    return lines[-1] if lines else ""
