"""Reports of a run from a fixture database: contents, JSON shape, files, escaping."""

from __future__ import annotations

import json
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import feedparser
import markdown as markdown_lib
import pytest

from pipelines.article import Article
from pipelines.store import Store
from schedules import render
from schedules.chart import tag_chart
from schedules.report import build_report, build_report_since, digest_subject, write_reports

SCRIPT = "<script>alert(1)</script> BrahMos test"
IMG = '"><img src=x onerror=alert(1)> S-400 delivery'
ENTRY_KEYS = {"story", "title", "url", "source", "published", "tags", "relevance", "also"}


def tag(name: str) -> dict[str, Any]:
    return {"name": name, "kind": "system", "evidence": []}


def save(store: Store, run_id: int, url: str, title: str, source: str, **fields: Any) -> None:
    lead = fields.pop("story", url)
    fields.setdefault("story_kind", "new" if lead == url else "syndicated")
    fields["story_id"] = store.story_of(lead)
    fields.setdefault("tags", [tag("S-400")])
    fields.setdefault("relevance", 0.8)
    article = Article(url=url, source=source, title=title, summary=f"About {title}", **fields)
    store.save_article(article, run_id)


def stats(**sources: dict[str, Any]) -> dict[str, Any]:
    return {"articles": {}, "sources": sources}


OK = {"status": "ok", "error": None, "items_seen": 4, "articles_fetched": 4, "stored": 3}
FAILED = {"status": "failed", "error": "HTTP 403 (https://tass.example/rss)", "items_seen": 0}


@pytest.fixture
def store(tmp_path: Path) -> Store:
    """Run 1 stores a story; run 2 stores two new stories (one with two copies, one of
    them a javascript: URL), an update to run 1's story and a borderline article."""
    store = Store(tmp_path / "news.db")
    first = store.start_run()
    save(store, first, "https://tass.example/a1", "S-400 talks", "tass", published="2026-11-01")
    store.finish_run(first, "ok", stats(tass=OK, pti=OK))
    store.mark_reported([first], first)  # run 1's own report went out
    second = store.start_run()
    lead = "https://pti.example/b1"
    save(store, second, lead, SCRIPT, "pti", published="2026-11-02T10:00:00+05:30")
    save(store, second, "https://ani.example/b2", IMG, "ani", story=lead, tags=[tag("BrahMos")])
    save(store, second, "javascript:alert(1)", "copy", "evil", story=lead)
    save(store, second, "https://pti.example/c1", "Su-57 offer", "pti", published="2026-11-03")
    save(
        store,
        second,
        "https://ria.example/u1",
        "S-400 talks go on",
        "ria",
        story=("https://tass.example/a1"),
    )
    save(store, second, "https://pti.example/r1", IMG, "pti", status="borderline")
    store.finish_run(second, "partial", stats(tass=FAILED, pti=OK))
    yield store
    store.close()


def test_new_updates_and_review_are_kept_apart(store: Store) -> None:
    report = build_report(store, 2)
    assert [e["title"] for e in report["new"]] == ["Su-57 offer", SCRIPT]  # newest first
    lead = report["new"][1]
    assert lead["url"] == "https://pti.example/b1" and lead["source"] == "pti"
    assert lead["also"] == [
        {"source": "ani", "url": "https://ani.example/b2", "title": IMG},
        {"source": "evil", "url": "javascript:alert(1)", "title": "copy"},
    ]
    assert report["new"][0]["also"] == []
    [update] = report["updates"]
    assert update["title"] == "S-400 talks go on"
    assert update["also"] == [
        {"source": "tass", "url": "https://tass.example/a1", "title": "S-400 talks"}
    ]
    assert [e["title"] for e in report["review"]] == [IMG]
    assert report["tag_counts"] == {"S-400": 3}


def test_json_shape_is_the_contract(store: Store) -> None:
    report = json.loads(json.dumps(build_report(store, 2)))
    assert {"run", "new", "updates", "review", "sources"} <= set(report)
    assert set(report["run"]) == {"id", "started", "finished", "status"}
    assert report["run"]["id"] == 2 and report["run"]["status"] == "partial"
    for section in ("new", "updates", "review"):
        for entry in report[section]:
            assert set(entry) == ENTRY_KEYS
            assert all(set(other) == {"source", "url", "title"} for other in entry["also"])
    sources = {s["name"]: s for s in report["sources"]}
    for source in sources.values():
        assert {"name", "status", "error", "items", "fetched", "stored"} <= set(source)
    assert sources["tass"]["status"] == "failed" and sources["tass"]["state"] == "failing"
    assert sources["tass"]["error"] == "HTTP 403 (https://tass.example/rss)"
    assert sources["pti"]["items"] == 4 and sources["pti"]["state"] == "ok"


def test_earlier_run_and_merged_period(store: Store) -> None:
    assert [e["title"] for e in build_report(store, 1)["new"]] == ["S-400 talks"]
    merged = build_report_since(store, "2000-01-01")
    assert merged["run"]["id"] == 2
    # Run 1's story is new in the period: run 2's update is folded into it, not repeated.
    assert {e["title"] for e in merged["new"]} == {"S-400 talks", "Su-57 offer", SCRIPT}
    assert merged["updates"] == []
    assert [e["title"] for e in merged["review"]] == [IMG]
    with pytest.raises(ValueError):
        build_report_since(store, "2999-01-01")


def test_digest_subject(store: Store) -> None:
    assert digest_subject(build_report(store, 2)) == (
        "newswatch run 2: 2 new stories, 1 update, 1 for review, 1 source failing"
    )


def test_files_are_written_whole(store: Store, tmp_path: Path) -> None:
    report = build_report(store, 2)
    out = tmp_path / "reports"
    paths = write_reports(report, out, store)
    assert {p.name for p in paths.values()} == {
        "run-2.json",
        "latest.json",
        "run-2.md",
        "run-2.html",
        "feed.xml",
    }
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in paths.values())
    assert json.loads(paths["latest"].read_text()) == json.loads(json.dumps(report))
    assert paths["latest"].read_text() == paths["json"].read_text()
    page = paths["html"].read_text()
    assert '<meta name="viewport"' in page and "<style>" in page
    assert "<svg" in page and "<polyline" in page and "S-400" in page
    tags = Elements(page).tags
    assert not {name for name, _ in tags} & {"script", "link", "img", "iframe", "object"}
    assert not any("src" in attrs for _, attrs in tags)
    assert "url(" not in page and "@import" not in page


class Elements(HTMLParser):
    """The tags, attributes and text of an HTML document, as a browser would see them."""

    def __init__(self, document: str):
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(document)

    def handle_starttag(self, name: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((name, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def assert_inert(document: str) -> None:
    """The hostile headlines are text: no script or img element, no event handler, no
    link other than http(s)."""
    parsed = Elements(document)
    names = {name for name, _ in parsed.tags}
    assert "script" not in names and "img" not in names
    for _, attrs in parsed.tags:
        assert not any(attr.startswith("on") for attr in attrs)
        if "href" in attrs:
            assert attrs["href"].startswith(("http://", "https://"))
    text = "".join(parsed.text)
    assert SCRIPT in text and IMG.strip() in text  # still readable, as text


def test_hostile_headlines_stay_text_in_html_and_markdown(store: Store, tmp_path: Path) -> None:
    report = build_report(store, 2)
    paths = write_reports(report, tmp_path, store)
    page = paths["html"].read_text()
    assert_inert(page)
    assert_inert(markdown_lib.markdown(paths["markdown"].read_text()))
    hints = [attrs.get("title") for _, attrs in Elements(page).tags]
    assert IMG in hints  # the other copies' headlines, as tooltips: attribute-escaped
    assert "javascript:" not in page


def test_atom_feed_parses_and_keeps_headlines_as_text(store: Store, tmp_path: Path) -> None:
    xml = write_reports(build_report(store, 2), tmp_path, store)["atom"].read_text()
    parsed = feedparser.parse(xml)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.id and parsed.feed.title and parsed.feed.updated
    titles = {entry.title for entry in parsed.entries}
    assert titles == {"S-400 talks", SCRIPT, "Su-57 offer"}
    for entry in parsed.entries:
        assert entry.id and entry.updated and entry.summary
        assert entry.link.startswith("https://")
    atom = "{http://www.w3.org/2005/Atom}"
    root = ET.fromstring(xml.encode())
    assert SCRIPT in [e.text for e in root.iter(f"{atom}title")]
    assert not list(root.iter("script"))


def test_unsafe_urls_are_never_links() -> None:
    assert render.safe_url("javascript:alert(1)") is None
    assert render.safe_url(" JavaScript:alert(1)") is None
    assert render.safe_url("data:text/html,hi") is None
    assert render.safe_url("//evil.example/x") is None
    assert render.safe_url('https://x.example/a"><b>') == "https://x.example/a%22%3E%3Cb%3E"
    assert render.md_link("t", "javascript:alert(1)") == "t"
    assert render.md_link("t", "https://x.example/a(b)") == "[t](https://x.example/a%28b%29)"


def test_atom_entry_without_a_safe_link_carries_content() -> None:
    story = {
        "story": 1,
        "first_seen": "2026-11-25T10:00:00+00:00",
        "title": "T\x00itle",
        "url": "javascript:alert(1)",
        "source": "evil",
        "published": None,
        "summary": None,
        "tags": [],
    }
    parsed = feedparser.parse(render.atom([story]))
    assert not parsed.bozo
    [entry] = parsed.entries
    assert entry.title == "Title" and entry.content[0].value == "Title"
    assert "<link" not in render.atom([story])


def test_chart_shows_the_top_five_tags_of_the_window() -> None:
    end = date(2026, 11, 25)
    rows = [
        {"day": (end - timedelta(days=d)).isoformat(), "tag": f"t{i}", "stories": 10 - i}
        for d in range(30)
        for i in range(6)
    ]
    rows.append({"day": "2026-10-01", "tag": "old", "stories": 999})  # outside the 30 days
    svg = tag_chart(rows, end=end)
    assert svg.count("<polyline") == 5
    assert ">t0<" in svg and ">t4<" in svg and ">t5<" not in svg and "old" not in svg
    assert "day (UTC)" in svg and "stories per day" in svg
    assert "No tagged stories" in tag_chart([], end=end)


def test_story_members_come_in_one_batch(store: Store) -> None:
    assert [s["story"] for s in store.latest_stories(1)] == [store.latest_stories(50)[0]["story"]]
    members = store.story_members([1, 2, 999])
    assert set(members) == {1, 2}
    assert [m["source"] for m in members[2]] == ["pti", "ani", "evil"]


def test_a_report_says_which_stories_merged(store: Store) -> None:
    store.db.execute("UPDATE stories SET merged_into = 1, merged_run = 2 WHERE id = 2")
    report = build_report(store, 2)
    [merge] = report["merged"]
    assert (merge["story"], merge["into_story"], merge["into_title"]) == (2, 1, "S-400 talks")
    assert "## Stories merged" in render.markdown(report)
    assert "is now part of story 1" in render.html_page(report)
