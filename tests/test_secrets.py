"""Notifier secrets stay out of shown URLs, notify() results and log output."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from schedules.notify import notify, notify_urls
from schedules.secrets import (
    MASK,
    RedactSecrets,
    mask_url,
    redacting_logs,
    scrub,
    url_secrets,
)

# (URL, its secrets, what must stay visible)
EXAMPLES = [
    (
        "json://hooks.example.org/path/TOKEN123abc?-token=s3cr3t&+X-Api-Key=abcd",
        ["TOKEN123abc", "s3cr3t", "abcd"],
        ["json://hooks.example.org/path/", "-token=", "X-Api-Key="],
    ),
    (
        "mailtos://user:password@smtp.example.org?to=desk@example.org",
        ["password"],
        ["mailtos://user:", "@smtp.example.org"],
    ),
    ("slack://TokenA/TokenB/TokenC/#channel", ["TokenA", "TokenB", "TokenC"], ["slack://"]),
    ("tgram://123456:ABCDEF/98765", ["123456", "ABCDEF", "98765"], ["tgram://"]),
    ("discord://webhook_id/webhook_token", ["webhook_id", "webhook_token"], ["discord://"]),
    (
        "https://discord.com/api/webhooks/4815162342/Zq9-aVeryLongWebhookToken",
        ["4815162342", "Zq9-aVeryLongWebhookToken"],
        ["discord://"],
    ),
    (
        "json://user:hunter2@127.0.0.1:8080/hooks/news",
        ["hunter2"],
        ["json://user:", "@127.0.0.1:8080/hooks/news"],
    ),
    ("ntfy://ntfy.example.org/newsdesk-topic", ["newsdesk-topic"], ["ntfy://ntfy.example.org"]),
    (
        "gotify://gotify.example.org/AbCdEfGhIjKl",
        ["AbCdEfGhIjKl"],
        ["gotify://gotify.example.org/"],
    ),
    (
        "form://hooks.example.org/in?+Authorization=Bearer%20xyz987&sig=9f8e7d&mode=x",
        ["Bearer xyz987", "xyz987", "9f8e7d"],
        ["form://hooks.example.org/in"],
    ),
]


@pytest.mark.parametrize(("url", "secrets", "visible"), EXAMPLES)
def test_mask_url_hides_the_secrets_and_keeps_the_place(
    url: str, secrets: list[str], visible: list[str]
) -> None:
    shown = mask_url(url)
    for secret in secrets:
        assert secret not in shown, shown
    for part in visible:
        assert part in shown, shown
    found = url_secrets([url])
    assert all(any(secret in s for s in found) for secret in secrets), found


def test_apprise_defaults_are_left_out_and_the_arguments_given_kept() -> None:
    shown = mask_url("json://hooks.example.org/x?-token=s3cr3t&method=PUT")
    assert shown == "json://hooks.example.org/x?method=PUT&-token=****"


def test_plain_paths_and_addresses_stay_readable() -> None:
    assert mask_url("json://127.0.0.1:8080/hooks/news") == "json://127.0.0.1:8080/hooks/news"
    assert mask_url("mailto://desk@example.org").startswith("mailto://desk@example.org")
    # An unexpanded variable is no secret, and shows what is missing.
    assert "${HOOK_TOKEN}" in mask_url("json://hooks.example.org/${HOOK_TOKEN}")


def test_unparseable_urls_show_scheme_and_host_only() -> None:
    assert mask_url("nosuchscheme://token@host.example/k3y/s3cr3t?x=pa55") == (
        "nosuchscheme://host.example/…"
    )
    assert url_secrets(["nosuchscheme://tok3n@host.example/k3y?x=pa55"]) == [
        "tok3n",
        "pa55",
    ]


@pytest.mark.parametrize(
    "url",
    ["", "not a url", "://", "json://[::1", "json://%zz/%", "json://" + "a" * 5000, "\x00://x"],
)
def test_mask_url_never_raises(url: str) -> None:
    assert isinstance(mask_url(url), str)
    assert isinstance(url_secrets([url]), list)


def test_expanded_environment_secrets_are_masked(monkeypatch) -> None:
    monkeypatch.setenv("SMTP_PASSWORD", "Corr3ct-Horse")
    monkeypatch.setenv("HOOK_TOKEN", "tkn-5f2a9c")
    monkeypatch.delenv("NEWSWATCH_NOTIFY", raising=False)
    urls = notify_urls(
        [
            "mailtos://bot:${SMTP_PASSWORD}@smtp.example.org?to=desk@example.org",
            "json://hooks.example.org/in/${HOOK_TOKEN}?-token=${HOOK_TOKEN}",
        ]
    )
    assert "Corr3ct-Horse" in urls[0] and "tkn-5f2a9c" in urls[1]
    for url in urls:
        shown = mask_url(url)
        assert "Corr3ct-Horse" not in shown and "tkn-5f2a9c" not in shown
        assert "example.org" in shown


def test_url_secrets_include_encoded_forms_and_skip_short_ones() -> None:
    secrets = url_secrets(["json://u:p%40ss%2Fw0rd@hooks.example.org/x?-token=ab"])
    assert "p@ss/w0rd" in secrets and "p%40ss%2Fw0rd" in secrets
    assert "ab" not in secrets  # too short to redact without damaging every line
    assert secrets == sorted(secrets, key=len, reverse=True)


def test_scrub_replaces_longest_first() -> None:
    assert scrub("bot 123456:ABCDEF and 123456", ["123456", "123456:ABCDEF"]) == (
        f"bot {MASK} and {MASK}"
    )


# --- the logging filter


def test_the_filter_redacts_message_args_and_traceback() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactSecrets(["s3cr3t-value", "ab"]))
    logger = logging.getLogger("tests.secrets.filter")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("sending to %s failed (ab)", "https://h.example/s3cr3t-value")
        try:
            raise ConnectionError("refused: /s3cr3t-value")
        except ConnectionError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    output = stream.getvalue()
    assert "s3cr3t-value" not in output
    assert f"https://h.example/{MASK} failed (ab)" in output
    assert f"ConnectionError: refused: /{MASK}" in output


def test_redacting_logs_installs_and_removes_the_filter() -> None:
    root = logging.getLogger()
    handler = logging.StreamHandler(io.StringIO())
    root.addHandler(handler)
    try:
        with redacting_logs(["s3cr3t"]) as redactor:
            assert redactor in handler.filters
            assert all(redactor in h.filters for h in logging.getLogger("apprise").handlers)
        assert redactor not in handler.filters
    finally:
        root.removeHandler(handler)


# --- end to end: an unreachable notifier on the loopback interface


@pytest.fixture
def root_log() -> Iterator[io.StringIO]:
    """Everything logged at DEBUG and above, through a plain handler on the root logger."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture
def report() -> dict[str, Any]:
    return {
        "run": {"id": 1, "started": "2026-11-25T06:00:00+00:00", "finished": None, "status": "ok"},
        "new": [],
        "updates": [],
        "review": [],
        "sources": [],
    }


UNREACHABLE = [
    (
        "json://127.0.0.1:1/TOKENabc123?-token=s3cr3t&+X-Api-Key=k3yvalue",
        ["TOKENabc123", "s3cr3t", "k3yvalue"],
    ),
    ("json://hookuser:hunter22@127.0.0.1:1/hooks/in", ["hunter22"]),
    (
        "mailto://bot:Pa55word@127.0.0.1:1?from=bot@example.org&to=desk@example.org"
        "&smtp=127.0.0.1&mode=insecure",
        ["Pa55word"],
    ),
    ("xml://127.0.0.1:1/a/b/Zm9vYmFyYmF6cXV4?-sig=deadbeef", ["Zm9vYmFyYmF6cXV4", "deadbeef"]),
    ("nosuchscheme://s3cr3tuser@127.0.0.1/tok3n", ["s3cr3tuser", "tok3n"]),
]


def test_notify_results_and_logs_never_show_secrets(root_log, caplog, report) -> None:
    caplog.set_level(logging.DEBUG)
    urls = [url for url, _ in UNREACHABLE]
    results = notify(report, urls)
    assert [r["ok"] for r in results] == [False] * len(urls)
    logged = root_log.getvalue() + caplog.text
    assert "127.0.0.1" in logged  # apprise and the warnings did log about these
    for result, (_, secrets) in zip(results, UNREACHABLE, strict=True):
        assert result["error"]
        assert result["url"].split("://")[1].startswith(("127.0.0.1", "hookuser:", "bot:"))
        for secret in secrets:
            assert secret not in str(result), result
            assert secret not in logged, secret
    # The filters are gone afterwards.
    assert not any(
        isinstance(f, RedactSecrets) for h in logging.getLogger().handlers for f in h.filters
    )


def test_notify_with_expanded_secrets_keeps_them_out_of_logs(
    monkeypatch, root_log, caplog, report
) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.delenv("NEWSWATCH_NOTIFY", raising=False)
    monkeypatch.setenv("HOOK_TOKEN", "Xy7-env-token")
    monkeypatch.setenv("HOOK_PASSWORD", "env-passw0rd")
    urls = notify_urls(
        ["json://desk:${HOOK_PASSWORD}@127.0.0.1:1/hooks/${HOOK_TOKEN}?-token=${HOOK_TOKEN}"]
    )
    [result] = notify(report, urls)
    assert result["ok"] is False and result["url"].startswith("json://desk:****@127.0.0.1:1/")
    logged = root_log.getvalue() + caplog.text
    for secret in ("Xy7-env-token", "env-passw0rd"):
        assert secret not in str(result) and secret not in logged


def test_an_exception_message_from_apprise_is_scrubbed(monkeypatch, report) -> None:
    import apprise

    def explode(self: Any, **kwargs: Any) -> bool:
        raise RuntimeError("could not post to http://127.0.0.1:1/TOKENabc123 (s3cr3t)")

    monkeypatch.setattr(apprise.Apprise, "notify", explode)
    [result] = notify(report, ["json://127.0.0.1:1/TOKENabc123?-token=s3cr3t"])
    assert result["error"] == f"RuntimeError: could not post to http://127.0.0.1:1/{MASK} ({MASK})"
