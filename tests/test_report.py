"""Reports of a run from a fixture database: contents, JSON shape, files, escaping."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET
from zoneinfo import ZoneInfo

import feedparser
import markdown as markdown_lib
import pytest

from crawlers.sources import Source
from pipelines.article import Article
from pipelines.store import Store
from schedules import render
from schedules.chart import stories_per_day, tag_chart
from schedules.report import (
    build_report,
    build_report_since,
    digest_subject,
    has_news,
    lead_summary,
    write_reports,
)

SCRIPT = "<script>alert(1)</script> BrahMos test"
IMG = '"><img src=x onerror=alert(1)> S-400 delivery'
# The keys of the contract, then the keys added since.
ENTRY_KEYS = {"story", "title", "url", "source", "published", "tags", "relevance", "also"}
ENTRY_KEYS |= {"summary", "language"}
IST = ZoneInfo("Asia/Kolkata")
# ब्रह्मोस-परीक्षण, and новости: slugs as feeds send them, percent-encoded.
HINDI_SLUG = "%E0%A4%AC%E0%A5%8D%E0%A4%B0%E0%A4%B9%E0%A5%8D%E0%A4%AE%E0%A5%8B%E0%A4%B8-"
HINDI_SLUG += "%E0%A4%AA%E0%A4%B0%E0%A5%80%E0%A4%95%E0%A5%8D%E0%A4%B7%E0%A4%A3"
RUSSIAN_SLUG = "%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8"


def tag(name: str) -> dict[str, Any]:
    return {"name": name, "kind": "system", "evidence": []}


def save(store: Store, run_id: int, url: str, title: str, source: str, **fields: Any) -> None:
    lead = fields.pop("story", url)
    fields.setdefault("story_kind", "new" if lead == url else "syndicated")
    fields["story_id"] = store.story_of(lead)
    fields.setdefault("tags", [tag("S-400")])
    fields.setdefault("relevance", 0.8)
    fields.setdefault("summary", f"About {title}")
    article = Article(url=url, source=source, title=title, **fields)
    store.save_article(article, run_id)


def stats(**sources: dict[str, Any]) -> dict[str, Any]:
    return {"articles": {}, "sources": sources}


def outlets(store: Store, **languages: str) -> None:
    """Register outlets with their languages, as a run's registry sync does."""
    store.sync_sources(
        Source(name, (f"https://{name}.example/rss",), language, "IN")
        for name, language in languages.items()
    )


OK = {"status": "ok", "error": None, "items_seen": 4, "articles_fetched": 4, "stored": 3}
FAILED = {"status": "failed", "error": "HTTP 403 (https://tass.example/rss)", "items_seen": 0}


def ticking(start: str) -> Callable[[], str]:
    """A store clock that starts at `start` and moves a second each time it is read."""
    seconds = itertools.count()
    return lambda: (datetime.fromisoformat(start) + timedelta(seconds=next(seconds))).isoformat()


@pytest.fixture
def store(tmp_path: Path) -> Store:
    """Run 1 stores a story; run 2 stores two new stories (one with two copies, one of
    them a javascript: URL), an update to run 1's story and a borderline article. The
    runs happen on 4 Nov 2026, days after the stories were published: the report's chart
    (30 days up to the run) shows them whatever day the tests run."""
    store = Store(tmp_path / "news.db", clock=ticking("2026-11-04T06:00:00+00:00"))
    outlets(store, tass="ru", pti="en", ani="en", ria="ru")
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
        {"source": "ani", "url": "https://ani.example/b2", "title": IMG, "language": "en"},
        {"source": "evil", "url": "javascript:alert(1)", "title": "copy", "language": None},
    ]
    assert lead["language"] == "en" and lead["summary"] == f"About {SCRIPT}"
    assert report["new"][0]["also"] == []
    [update] = report["updates"]
    assert update["title"] == "S-400 talks go on"
    assert update["also"] == [
        {
            "source": "tass",
            "url": "https://tass.example/a1",
            "title": "S-400 talks",
            "language": "ru",
        }
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
            assert all(set(other) >= {"source", "url", "title"} for other in entry["also"])
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
            assert re.match(r"https?://|#[\w-]+$", attrs["href"]), attrs["href"]
    text = "".join(parsed.text)
    assert SCRIPT in text and IMG.strip() in text  # still readable, as text


def test_hostile_headlines_stay_text_in_html_and_markdown(store: Store, tmp_path: Path) -> None:
    report = build_report(store, 2)
    paths = write_reports(report, tmp_path, store)
    page = paths["html"].read_text()
    assert_inert(page)
    text = paths["markdown"].read_text()
    assert_inert(markdown_lib.markdown(text))
    assert_inert(markdown_lib.markdown(text, extensions=["nl2br"]))  # as apprise renders it
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
    svg = tag_chart(rows, end=end, zone=IST)
    assert svg.count("<polyline") == 5
    assert ">t0<" in svg and ">t4<" in svg and ">t5<" not in svg and "old" not in svg
    assert "day published (IST)" in svg and "stories per day" in svg
    assert ">27 Oct<" in svg and ">25 Nov<" in svg  # the first and last day, as people write them
    assert "No tagged stories" in tag_chart([], end=end, zone=IST)


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


# ------------------------------------------------------------------ reading well


def report_of(store: Store, *articles: dict[str, Any]) -> dict[str, Any]:
    """The report of a new run that stores these articles (save()'s arguments) alone:
    the earlier runs count as reported."""
    for earlier in store.unreported_runs(store.latest_run_id()):
        store.mark_reported([earlier], earlier)
    run = store.start_run()
    for article in articles:
        save(store, run, **article)
    store.finish_run(run, "ok", stats(pti=OK))
    return build_report(store, run)


def test_a_summary_sits_under_each_headline_in_every_format(store: Store, tmp_path: Path) -> None:
    body = "Russia offered the S-400 again. Talks resume in Delhi! A third sentence is not shown."
    offer = {"url": "https://pti.example/s1", "title": "Offer", "summary": None, "body": body}
    same = {
        "url": "https://pti.example/s2",
        "title": "Same",
        "summary": "Same",
        "body": "Body one.",
    }
    report = report_of(store, offer | {"source": "pti"}, same | {"source": "pti"})
    summaries = {entry["title"]: entry["summary"] for entry in report["new"]}
    # No summary, or one that repeats the headline: the body's first sentences stand in.
    assert summaries == {
        "Offer": "Russia offered the S-400 again. Talks resume in Delhi!",
        "Same": "Body one.",
    }
    paths = write_reports(report, tmp_path, store)
    written = json.loads(paths["json"].read_text())["new"]
    assert {entry["title"]: entry["summary"] for entry in written} == summaries
    for kind in ("markdown", "html"):
        assert summaries["Offer"] in paths[kind].read_text()
    feed = {e.title: e.summary for e in feedparser.parse(paths["atom"].read_text()).entries}
    assert feed["Offer"] == summaries["Offer"] and feed["Su-57 offer"] == "About Su-57 offer"


def test_a_lead_is_one_or_two_sentences_cut_where_a_sentence_ends() -> None:
    assert lead_summary("Lt. Gen. S. Kumar met U.S. envoys. They spoke. Then left.", None) == (
        "Lt. Gen. S. Kumar met U.S. envoys. They spoke."
    )
    assert lead_summary(None, "भारत को एस-400 मिला। दूसरा वाक्य। तीसरा।") == (
        "भारत को एस-400 मिला। दूसरा वाक्य।"
    )
    assert lead_summary(None, "Поставки С-400 в 2025 г. продолжились. Второе.") == (
        "Поставки С-400 в 2025 г. продолжились. Второе."
    )
    long_first = "word " * 100 + "end. Next."
    cut = lead_summary(long_first, None)
    assert len(cut) <= 300 and cut.endswith("word…")
    second_too_long = "Short one. " + "X" * 295 + "."
    assert lead_summary(second_too_long, None) == "Short one."
    assert lead_summary(None, None) == ""


def test_a_tag_index_counts_stories_and_links_to_them(store: Store) -> None:
    report = build_report(store, 2)
    text = render.markdown(report, IST)
    assert text.index("## Tags") < text.index("## New stories")
    assert "- S-400: 3 stories (1, 2, 3)" in text  # 2 new stories, then 1 update
    assert "- **1.** [Su-57 offer]" in text and "- **3.** [S-400 talks go on]" in text
    page = Elements(render.html_page(report, zone=IST))
    ids = {attrs["id"] for _, attrs in page.tags if "id" in attrs}
    fragments = [attrs["href"][1:] for _, attrs in page.tags if attrs.get("href", "")[:1] == "#"]
    assert {"tag-s-400", "story-1", "story-2", "story-3"} <= ids
    assert set(fragments) <= ids  # every link within the page lands somewhere
    assert fragments.count("tag-s-400") == 4  # each story's tag (review's too) leads to the index
    assert render.tag_anchors(["S-400", "S 400", "ब्रह्मोस"]) == {
        "S-400": "tag-s-400",
        "S 400": "tag-s-400-2",
        "ब्रह्मोस": "tag-ब्रह्मोस",
    }


def test_the_chart_counts_stories_on_the_day_they_were_published(tmp_path: Path) -> None:
    """A backfill stores a week of stories at once: one a day in the chart, not a spike
    on the day they were found."""
    store = Store(tmp_path / "news.db")
    run = store.start_run("backfill")
    today = datetime.now(UTC).date()
    for days_ago in range(2, 8):
        published = f"{today - timedelta(days=days_ago)}T06:00:00+00:00"
        url = f"https://pti.example/{days_ago}"
        save(store, run, url, f"Story {days_ago}", "pti", published=published)
    # A copy published before its lead: the story counts on the copy's day.
    early = f"{today - timedelta(days=10)}T06:00:00+00:00"
    lead = "https://pti.example/2"
    save(store, run, "https://tass.example/early", "Copy", "tass", story=lead, published=early)
    # 20:00 UTC is the next day in India.
    late = f"{today - timedelta(days=12)}T20:00:00+00:00"
    save(
        store, run, "https://pti.example/late", "Late", "pti", tags=[tag("BrahMos")], published=late
    )
    store.finish_run(run, "ok", stats(pti=OK))
    since = (today - timedelta(days=31)).isoformat()
    rows = stories_per_day(store.story_publications(since), IST)
    expected = {(str(today - timedelta(days=d)), "S-400"): 1 for d in (3, 4, 5, 6, 7, 10)}
    expected[str(today - timedelta(days=11)), "BrahMos"] = 1
    assert {(r["day"], r["tag"]): r["stories"] for r in rows} == expected
    page = write_reports(build_report_since(store, since, IST), tmp_path, store)["html"]
    assert 'text-anchor="end">6<' not in page.read_text()  # no peak of six stories on a day


def test_times_are_shown_in_the_configured_zone(store: Store, tmp_path: Path) -> None:
    assert render.display_time("2025-12-04T08:35:00+00:00", IST) == "4 Dec 2025, 14:05 IST"
    assert render.display_published("2026-11-01", IST) == "1 Nov 2026"  # a day, no time
    assert render.display_published("2026-11-01T00:00:00+03:00", IST) == "1 Nov 2026"
    report = build_report(store, 2)
    assert "pti (en) · 2 Nov 2026, 10:00 IST" in render.markdown(report, IST)
    moscow = ZoneInfo("Europe/Moscow")
    assert "pti (en) · 2 Nov 2026, 07:30 MSK" in render.markdown(report, moscow)
    page = write_reports(report, tmp_path, store, zone=moscow)["html"].read_text()
    assert "2 Nov 2026, 07:30 MSK" in page and "day published (MSK)" in page
    started = r"started \d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d IST, finished \d\d:\d\d IST"
    assert re.search(started, render.markdown(report, IST))
    with pytest.raises(ValueError, match="did you mean 'Asia/Kolkata'"):
        render.report_zone("Asia/Kolkatta")
    with pytest.raises(ValueError, match="time zone name"):
        render.report_zone(530)


def test_also_names_each_other_outlet_once_with_its_language(store: Store) -> None:
    lead = "https://tass.example/x1"
    report = report_of(
        store,
        {"url": lead, "title": "Lead", "source": "tass"},
        {"url": "https://ria.example/x2", "title": "Copy", "source": "ria", "story": lead},
        {"url": "https://ria.example/x3", "title": "Copy", "source": "ria", "story": lead},
        {"url": "https://tass.example/x4", "title": "Copy", "source": "tass", "story": lead},
        {"url": "https://pti.example/x5", "title": "Copy", "source": "pti", "story": lead},
    )
    [entry] = report["new"]
    assert len(entry["also"]) == 4  # the JSON keeps every copy
    also = "also: [ria (ru)](https://ria.example/x2), [pti (en)](https://pti.example/x5)"
    assert also in render.markdown(report, IST)
    page = Elements(render.html_page(report, zone=IST))
    assert "also: ria (ru), pti (en)" in "".join(page.text)


def test_markdown_shows_urls_decoded_and_titles_as_written(store: Store) -> None:
    hindi = f"https://hindi.example/news/{HINDI_SLUG}?a=1&b=2"
    title = "India & Russia: *S-400* [deal] `x` <b>bold</b> 50_50 &lt;"
    summary = "1. Point one. # Not a heading"
    report = report_of(
        store,
        {"url": hindi, "title": title, "source": "pti", "summary": summary},
        {"url": f"https://ria.example/{RUSSIAN_SLUG}", "title": "Россия", "source": "ria"},
    )
    text = render.markdown(report, IST)
    assert f"[https://hindi.example/news/ब्रह्मोस-परीक्षण?a=1&b=2]({hindi})" in text
    assert f"[https://ria.example/новости](https://ria.example/{RUSSIAN_SLUG})" in text
    assert "India & Russia" in text and "&amp;" not in text.replace("&amp;lt;", "")
    # Rendered as apprise renders it, every title and summary reads as written.
    parsed = Elements(markdown_lib.markdown(text, extensions=["nl2br"]))
    names = [name for name, _ in parsed.tags]
    assert not set(names) & {"em", "code", "b", "ol"} and names.count("h1") == 1
    assert title in "".join(parsed.text) and summary in "".join(parsed.text)
    hrefs = [attrs["href"] for _, attrs in parsed.tags if "href" in attrs]
    assert hindi in hrefs and all(re.match(r"https?://[!-~]+$", href) for href in hrefs)


def test_display_urls_keep_what_would_change_or_disguise_them() -> None:
    assert render.display_url(f"https://x.example/{RUSSIAN_SLUG}%2F%20a") == (
        "https://x.example/новости%2F%20a"
    )
    assert render.display_url("https://x.example/%E2%80%AEgpj.exe") == (
        "https://x.example/%E2%80%AEgpj.exe"  # a right-to-left override stays encoded
    )
    assert render.display_url("https://x.example/%E0%A4") == "https://x.example/%E0%A4"


def test_a_digest_has_news_only_with_stories_or_a_source_to_look_at(store: Store) -> None:
    assert has_news(build_report(store, 2))
    quiet = {"new": [], "updates": [], "review": [], "sources": [{"status": "ok", "state": "ok"}]}
    assert not has_news(quiet)
    assert not has_news(quiet | {"sources": [{"status": "ok", "state": "unchanged"}]})
    assert has_news(quiet | {"sources": [{"status": "failed", "state": "failing"}]})


def test_an_older_run_rebuilt_leaves_latest_alone(store: Store, tmp_path: Path) -> None:
    store.mark_reported([2], 2)
    old = write_reports(build_report(store, 1), tmp_path, store)
    assert {p.name for p in old.values()} == {"run-1.json", "run-1.md", "run-1.html"}
    newest = write_reports(build_report(store, 2), tmp_path, store)
    assert {"latest.json", "feed.xml"} <= {p.name for p in newest.values()}


def test_a_digest_gets_files_of_its_own_named_by_its_days(store: Store, tmp_path: Path) -> None:
    digest = build_report_since(store, "2000-01-01", IST)
    today = datetime.fromisoformat(digest["run"]["finished"]).astimezone(IST).date()
    assert digest["period"] == {"from": "2000-01-01", "to": today.isoformat()}
    paths = write_reports(digest, tmp_path / "reports", store, zone=IST)
    name = f"digest-2000-01-01-{today}"
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == [
        f"{name}.{x}" for x in ("html", "json", "md")
    ]
    assert paths["markdown"].read_text().startswith(f"# newswatch digest 2000-01-01 to {today}\n")


def test_since_is_a_day_in_the_configured_zone(tmp_path: Path) -> None:
    """A run started at 01:30 in India on 25 Nov (20:00 UTC on the 24th) is a run of the
    25th for an Indian desk, not for one in UTC."""
    store = Store(tmp_path / "news.db", clock=lambda: "2026-11-24T20:00:00+00:00")
    store.finish_run(store.start_run(), "ok", stats())
    assert build_report_since(store, "2026-11-25", IST)["runs"] == [1]
    with pytest.raises(ValueError, match="no run since 2026-11-25"):
        build_report_since(store, "2026-11-25", ZoneInfo("UTC"))
