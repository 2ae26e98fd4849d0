"""`newswatch serve` in a real browser: headless Chromium renders the home page and a
canned query with rows. Skipped when Chromium or Datasette is missing (.ci/run installs
both)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from schedules.serve import CANNED_QUERIES, datasette_installed
from tests.analyst_data import build
from tests.conftest import REPO

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed"),
    pytest.mark.skipif(not datasette_installed(), reason="datasette is not installed"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[str]:
    db = build(tmp_path_factory.mktemp("serve") / "news.db")
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "newswatch", "serve", "--db", str(db), "--port", str(port)],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("newswatch serve did not start")
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)


def dom(url: str, tmp_path) -> str:
    """The page as headless Chromium renders it."""
    result = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'chromium'}",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_home_page_lists_the_database_and_its_tables(server, tmp_path):
    page = dom(server + "/", tmp_path)
    assert "<title>newswatch" in page
    assert '<a href="/news">news</a>' in page and "5 views" in page
    assert '<a href="/news/articles"' in page and '<a href="/news/stories"' in page


def test_a_canned_query_shows_rows(server, tmp_path):
    page = dom(server + "/news/latest_stories", tmp_path)
    assert CANNED_QUERIES["latest_stories"]["title"] in page
    assert page.count('<td class="col-story_id"') == 4
    assert "Second S-400 squadron arrives in Punjab" in page
    assert "ब्रह्मोस मिसाइल का नया परीक्षण" in page


def test_tables_carry_their_documented_descriptions(server, tmp_path):
    page = dom(server + "/news/v_stories", tmp_path)
    assert "View: one row per story" in page
    assert page.count('<td class="col-story_id') >= 4


def test_the_database_is_read_only(server):
    import urllib.error
    import urllib.request

    request = urllib.request.Request(
        server + "/news/-/query", data=b"sql=DELETE+FROM+runs", method="POST"
    )
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(request, timeout=10)
