"""`newswatch serve` in a real browser: headless Chromium renders the home page, canned
queries, full-text search, the story page and the weekly tag chart. Skipped when Chromium
or Datasette is missing (.ci/run installs both)."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from urllib.parse import urljoin

import pytest

from schedules.serve import CANNED_QUERIES, HIDDEN_TABLES, datasette_installed
from tests.analyst_data import WIDE_STORY, add_wide_story, build
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
    add_wide_story(db)
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


def story_links(page: str) -> list[str]:
    """The story ids a page links to the story page, in order."""
    return re.findall(r'<a href="/-/story/(\d+)">\1</a>', page)


def test_home_page_lists_views_and_queries_first_and_hides_internal_tables(server, tmp_path):
    page = dom(server + "/", tmp_path)
    assert "<title>newswatch" in page
    assert '<a href="/news">news</a>' in page and "5 views" in page
    views, queries, tables = (
        page.index(f'<h2 id="{part}">') for part in ("views", "queries", "tables")
    )
    assert views < queries < tables
    for view in ("v_articles", "v_stories", "v_daily_tag_counts", "v_run_new_items"):
        assert f'<a href="/news/{view}">{view}</a>' in page[views:queries]
    assert '<a href="/news/tag_timeline">Tag timeline</a>' in page[queries:tables]
    assert '<a href="/-/tags-per-week">' in page[queries:tables]
    assert '<a href="/news/articles"' in page and '<a href="/news/stories"' in page
    for table in HIDDEN_TABLES:
        assert f'href="/news/{table}"' not in page


def test_a_canned_query_shows_rows_newest_first_with_links(server, tmp_path):
    page = dom(server + "/news/latest_stories", tmp_path)
    assert CANNED_QUERIES["latest_stories"]["title"] in page
    assert page.count('<td class="col-story_id"') == 5
    assert len(story_links(page)) == 5
    wide, punjab = WIDE_STORY[0].title, "Second S-400 squadron arrives in Punjab"
    assert page.index(wide) < page.index(punjab)  # published 12 November, then 2 November
    assert f'<a href="{WIDE_STORY[0].url}">{wide}</a>' in page
    assert '<td class="col-outlets">Agency, Daily, Mirror, RIA</td>' in page
    assert "ब्रह्मोस मिसाइल का नया परीक्षण" in page


def test_the_tag_timeline_takes_a_tag(server, tmp_path):
    page = dom(server + "/news/tag_timeline?tag=S-400", tmp_path)
    assert "Tag timeline" in page and 'name="tag"' in page
    assert "S-400 squadron arrives in Punjab" in page and "Триумф" in page
    assert "BrahMos export deal" not in page and "cricket" not in page


def test_tables_carry_their_documented_descriptions(server, tmp_path):
    page = dom(server + "/news/v_stories", tmp_path)
    assert "View: one row per story" in page
    assert page.count('<td class="col-story_id') >= 5
    assert '<input id="_search" type="search" name="_search"' in page


def table_rows(page: str) -> str:
    """The body of a page's table of rows."""
    return page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]


def test_search_finds_only_matching_articles_page_after_page(server, tmp_path):
    first = dom(server + "/news/articles?_search=BrahMos&_size=2", tmp_path)
    assert '<input id="_search" type="search" name="_search" value="BrahMos">' in first
    # The next page's link carries the words as typed: they are read afresh, not twice.
    next_page = re.search(r'<a href="([^"]+)">Next page</a>', first).group(1)
    assert "_search=BrahMos&" in next_page
    second = dom(urljoin(server, html.unescape(next_page)), tmp_path)
    rows = table_rows(first) + table_rows(second)
    assert rows.count('<td class="col-id type-pk">') == len(WIDE_STORY)
    for article in WIDE_STORY:
        assert f'<a href="{article.url}">{article.title}</a>' in rows
    assert "S-400" not in rows


def test_a_search_that_matches_nothing_shows_no_rows(server, tmp_path):
    page = dom(server + "/news/articles?_search=zzzz", tmp_path)
    assert '<input id="_search" type="search" name="_search" value="zzzz">' in page
    assert "<h3>0 rows" in page and "<tbody>" not in page
    for table in ("v_articles", "v_stories", "v_run_new_items", "article_tags_view"):
        url = f"{server}/news/{table}.json?_search=zzzz"
        with urllib.request.urlopen(url, timeout=10) as response:
            assert json.load(response)["rows"] == [], table


def test_a_search_where_there_is_no_index_is_refused(server):
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{server}/news/runs.json?_search=zzzz", timeout=10)
    assert refused.value.code == 400


def test_a_hyphenated_name_is_searched_as_a_phrase(server, tmp_path):
    page = dom(server + "/news/v_stories?_search=S-400", tmp_path)
    assert "Second S-400 squadron arrives in Punjab" in page
    assert "BrahMos export deal" not in page


def test_story_ids_in_v_stories_link_to_the_story_page(server, tmp_path):
    page = dom(server + "/news/v_stories", tmp_path)
    links = story_links(page)
    assert len(links) == page.count('<td class="col-story_id')
    story = dom(f"{server}/-/story/{links[0]}", tmp_path)
    assert f"<h1>{WIDE_STORY[0].title}</h1>" in story


def test_the_most_carried_story_page_lists_every_outlet_and_article(server, tmp_path):
    carried = dom(server + "/news/most_carried_stories", tmp_path)
    story_id = story_links(carried)[0]
    page = dom(f"{server}/-/story/{story_id}", tmp_path)
    outlets = re.findall(r'<li class="outlet">(\w+)', page)
    assert outlets == sorted(article.source for article in WIDE_STORY)
    for article in WIDE_STORY:
        assert f'<a href="{article.url}">{article.title}</a>' in page
    copies = re.findall(r'<td class="col-copy">(\w+)', page)
    assert copies == ["lead", "syndicated", "duplicate", "rewrite"]
    assert "2025-11-12T09:00:00+05:30" in page and "2025-11-13T08:00:00+03:00" in page
    assert 'href="/news/tag_timeline?tag=BrahMos">BrahMos</a>' in page


def test_a_story_row_opens_the_story_page(server, tmp_path):
    stories = dom(server + "/news/stories", tmp_path)
    story_id = re.search(r'<td class="col-id type-pk"><a href="/news/stories/(\d+)">', stories)
    page = dom(f"{server}/news/stories/{story_id.group(1)}", tmp_path)
    assert '<table class="rows-and-columns story-articles">' in page


def test_the_weekly_tag_chart_draws_the_chosen_tag(server, tmp_path):
    page = dom(server + "/-/tags-per-week?tag=BrahMos", tmp_path)
    assert "<svg" in page and "<title>BrahMos</title>" in page
    assert page.count('class="tag-line"') == 1
    # The Hindi article (week of 3 November) and the wide story (week of 10 November).
    assert '<td class="col-week">2025-11-10</td><td class="col-stories">1</td>' in page
    assert '<td class="col-week">2025-11-03</td><td class="col-stories">1</td>' in page


def test_the_database_is_read_only(server):
    request = urllib.request.Request(
        server + "/news/-/query", data=b"sql=DELETE+FROM+runs", method="POST"
    )
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(request, timeout=10)
