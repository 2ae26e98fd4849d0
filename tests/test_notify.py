"""Delivery through apprise to a real local SMTP server and a local webhook."""

from __future__ import annotations

import email
import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from email import policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from schedules.notify import notify, notify_urls
from schedules.report import digest_subject
from tests.conftest import REPO

SCRIPT = "<script>alert(1)</script> BrahMos test"
HINDI_URL = (
    "https://hindi.example/%E0%A4%AC%E0%A5%8D%E0%A4%B0%E0%A4%B9%E0%A5%8D%E0%A4%AE%E0%A5%8B%E0%A4%B8"
)


@pytest.fixture
def report() -> dict[str, Any]:
    entry = {
        "story": 1,
        "title": SCRIPT,
        "url": "https://pti.example/b1",
        "source": "pti",
        "published": "2026-11-02",
        "tags": ["BrahMos"],
        "relevance": 0.9,
        "also": [{"source": "evil", "url": "javascript:alert(1)", "title": "copy"}],
        "summary": "India tested BrahMos. The test went well.",
        "language": "en",
    }
    hindi = {
        "story": 2,
        "title": "ब्रह्मोस & S-400",
        "url": HINDI_URL,
        "source": "Dainik",
        "published": "2026-11-02T04:30:00+00:00",
        "tags": ["BrahMos", "S-400"],
        "relevance": 0.8,
        "also": [
            {"source": "TASS", "url": "https://tass.example/1", "title": "С-400", "language": "ru"},
            {"source": "TASS", "url": "https://tass.example/2", "title": "С-400", "language": "ru"},
        ],
        "summary": "",
        "language": "hi",
    }
    return {
        "run": {"id": 7, "started": "2026-11-25T06:00:00+00:00", "finished": None, "status": "ok"},
        "new": [entry, hindi],
        "updates": [],
        "review": [],
        "sources": [
            {"name": "pti", "status": "ok", "error": None, "items": 3, "fetched": 2, "stored": 1}
        ],
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """An aiosmtpd handler keeping every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.logins: list[tuple[bytes, bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def authenticate(self, *args: Any) -> AuthResult:
        """aiosmtpd's authenticator(server, session, envelope, mechanism, auth_data)."""
        auth_data = args[-1]
        assert isinstance(auth_data, LoginPassword)
        self.logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=True)


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=inbox.authenticate,
        auth_require_tls=False,  # loopback test server: plain SMTP with AUTH
    )
    controller.start()
    yield inbox, port
    controller.stop()


class Hook(BaseHTTPRequestHandler):
    received: list[tuple[str, dict[str, Any]]] = []

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        Hook.received.append((self.path, json.loads(self.rfile.read(length))))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[tuple[list, int]]:
    Hook.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Hook.received, server.server_address[1]
    server.shutdown()
    server.server_close()


def test_email_arrives_with_the_hostile_headline_escaped(smtp, report) -> None:
    inbox, port = smtp
    url = (
        f"mailto://bot:s3cret@127.0.0.1:{port}"
        "?from=bot@example.org&to=desk@example.org&smtp=127.0.0.1&mode=insecure"
    )
    [result] = notify(report, [url])
    assert result["ok"] is True and result["error"] is None
    assert "s3cret" not in result["url"] and result["url"].startswith("mailto://bot:")
    assert inbox.logins == [(b"bot", b"s3cret")]
    [message] = inbox.messages
    assert message["Subject"] == digest_subject(report)
    assert message["To"] == "desk@example.org"
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html
    assert 'href="https://pti.example/b1"' in html and "javascript:" not in html


def test_webhook_receives_the_markdown_digest(webhook, report) -> None:
    received, port = webhook
    [result] = notify(report, [f"json://127.0.0.1:{port}/hooks/news"])
    assert result == {"url": result["url"], "ok": True, "error": None}
    [(path, payload)] = received
    assert path == "/hooks/news"
    assert payload["title"] == digest_subject(report)
    message = payload["message"]
    assert "&lt;script>" in message and "<script" not in message
    assert "[&lt;script>alert(1)&lt;/script> BrahMos test](https://pti.example/b1)" in message
    assert "ब्रह्मोस & S-400" in message and "&amp;" not in message
    assert f"[https://hindi.example/ब्रह्मोस]({HINDI_URL})" in message


def test_the_email_text_part_lists_every_story_with_its_url(smtp, report) -> None:
    inbox, port = smtp
    url = f"mailto://127.0.0.1:{port}?from=bot@example.org&to=desk@example.org&mode=insecure"
    [result] = notify(report, [url])
    assert result["ok"], result["error"]
    [message] = inbox.messages
    text = message.get_body(preferencelist=("plain",)).get_content()
    lines = [line.strip() for line in text.splitlines()]
    assert lines[lines.index(f"- 1. {SCRIPT}") :][:6] == [
        f"- 1. {SCRIPT}",
        "pti (en) · 2 Nov 2026",
        "India tested BrahMos. The test went well.",
        "tags: BrahMos",
        "also: evil",  # named, never linked: its copy's URL is javascript:
        "https://pti.example/b1",
    ]
    assert lines[lines.index("- 2. ब्रह्मोस & S-400") :][:5] == [
        "- 2. ब्रह्मोस & S-400",
        "Dainik (hi) · 2 Nov 2026, 10:00 IST",
        "tags: BrahMos, S-400",
        "also: TASS (ru)",
        "https://hindi.example/ब्रह्मोस",
    ]
    assert "- BrahMos: 2 stories (1, 2)" in lines  # the tag index


def test_a_failing_notifier_is_reported_not_raised(webhook, report) -> None:
    received, port = webhook
    closed = free_port()
    urls = [
        f"json://user:hunter2@127.0.0.1:{closed}/x",
        f"mailto://bot:pw@127.0.0.1:{closed}?from=bot@example.org&smtp=127.0.0.1&mode=insecure",
        "nosuchscheme://token@host",
        f"json://127.0.0.1:{port}/ok",
    ]
    results = notify(report, urls)
    assert [r["ok"] for r in results] == [False, False, False, True]
    assert all(r["error"] for r in results[:3])
    assert "hunter2" not in results[0]["url"] and "token" not in results[2]["url"]
    assert len(received) == 1  # the others did not stop the last one


def test_urls_from_config_and_environment(monkeypatch, report) -> None:
    monkeypatch.setenv(
        "NEWSWATCH_NOTIFY", " json://a.example/x,json://b.example/y\n json://a.example/x "
    )
    monkeypatch.setenv("HOOK_TOKEN", "t0k")
    urls = notify_urls(["json://c.example/${HOOK_TOKEN}", "json://a.example/x"])
    assert urls == ["json://c.example/t0k", "json://a.example/x", "json://b.example/y"]
    monkeypatch.delenv("NEWSWATCH_NOTIFY")
    assert notify_urls(None) == []
    [result] = notify(report, notify_urls(["json://c.example/${UNSET_VAR}"]))
    assert result["ok"] is False and "unset" in result["error"]


class Trickle(BaseHTTPRequestHandler):
    """A webhook that answers one byte every second, for ever."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(200)
        self.send_header("Content-Length", "1000000")
        self.end_headers()
        try:
            while True:
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(1.0)
        except OSError:
            pass

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def trickle() -> Iterator[str]:
    """The URL of a webhook that never finishes answering."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Trickle)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"json://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()
    server.server_close()


def test_a_trickling_webhook_is_given_up_on_at_the_deadline(webhook, report, trickle) -> None:
    received, port = webhook
    slow = trickle
    results = notify(report, [slow, f"json://127.0.0.1:{port}/hook"], deadline=3.0)
    assert results[0]["ok"] is False and "no answer in time" in results[0]["error"]
    assert results[1] == {  # the deadline covers every notifier of the run
        "url": f"json://127.0.0.1:{port}/hook",
        "ok": False,
        "error": "not sent: out of time",
    }


def test_the_process_exits_after_giving_up_on_a_webhook(report, trickle) -> None:
    """The send given up on must not be joined at exit (apprise's pool threads are)."""
    script = (
        "import json, sys; from schedules.notify import notify;"
        " print(notify(json.loads(sys.argv[1]), [sys.argv[2]], deadline=1.0)[0]['error'])"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, json.dumps(report), trickle],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,  # hangs for ever otherwise
    )
    assert done.returncode == 0, done.stderr
    assert "no answer in time" in done.stdout
