"""Relevance and tagging inside the crawl, and `newswatch classify` / `retag` on a real database."""

from __future__ import annotations

import json
import shutil

from pipelines.lexicon import Lexicon
from pipelines.store import Store
from tests.conftest import REPO, run_newswatch, write_sources


def crawl(site, tmp_path, **extra):
    sources = write_sources(
        tmp_path / "sources.toml",
        {
            "Fixture Daily": [f"{site.base}/feeds/defence.rss"],
            "General": [f"{site.base}/feeds/general.rss"],
        },
        **extra,
    )
    db = tmp_path / "news.db"
    result = run_newswatch("crawl", "--sources", str(sources), "--db", str(db))
    return result, db, sources


def test_off_topic_articles_are_dropped_but_remembered(site, tmp_path):
    result, db, sources = crawl(site, tmp_path)
    base = site.base
    with Store(db) as store:
        urls = {row["url"] for row in store.iter_articles()}
        assert f"{base}/articles/turkey-s400.html" not in urls
        assert f"{base}/articles/monsoon.html" not in urls
        assert store.is_seen(f"{base}/articles/turkey-s400.html")
        verdicts = dict(store.db.execute("SELECT url, verdict FROM seen_urls").fetchall())
        run = store.get_run(1)
    assert verdicts[f"{base}/articles/monsoon.html"] == "irrelevant"
    assert run["stats"]["articles"] == {
        "seen": 4,
        "relevant": 2,
        "borderline": 0,
        "dropped": 2,
        "stored": 2,
        "updated": 0,
    }
    before = site.site.hits()
    run_newswatch("crawl", "--sources", str(sources), "--db", str(db))
    after = site.site.hits()
    assert after["/articles/monsoon.html"] == before["/articles/monsoon.html"] == 1


def test_stored_articles_carry_relevance_reasons_and_tags(site, tmp_path):
    _, db, _ = crawl(site, tmp_path)
    with Store(db) as store:
        row = store.get_article(f"{site.base}/articles/s400-second-squadron.html")
        assert row["status"] == "relevant"
        assert 0.58 <= row["relevance"] <= 1
        reasons = json.loads(row["reasons"])
        assert any("S-400" in reason["snippet"] for reason in reasons)
        tags = {
            r["tag"]: r
            for r in store.db.query(
                "SELECT tag, kind, evidence FROM article_tags_view WHERE article_id = ?",
                [row["id"]],
            )
        }
    assert {"S-400", "Rosoboronexport", "delivery"} <= set(tags)
    assert tags["S-400"]["kind"] == "system"
    assert "S-400" in json.loads(tags["S-400"]["evidence"])[0]["text"]
    (delivery,) = json.loads(tags["delivery"]["evidence"])
    assert delivery["text"].lower() in delivery["sentence"].lower()
    assert delivery["tense"] in ("past", "future") and delivery["where"]


def test_prefilter_skips_items_without_a_topic_signal(site, tmp_path):
    result, db, _ = crawl(site, tmp_path, prefilter="true")
    with Store(db) as store:
        general = store.get_run(1)["stats"]["sources"]["General"]
    assert site.site.hits()["/articles/monsoon.html"] == 0
    assert site.site.hits()["/articles/turkey-s400.html"] == 1
    assert (general["items_seen"], general["items_filtered"]) == (2, 1)


def test_classify_reports_bad_lines_and_classifies_the_rest():
    lines = "\n".join(
        [
            json.dumps(
                {
                    "id": "a",
                    "title": "India receives S-400 squadron from Russia",
                    "text": "The Indian Air Force took delivery of the S-400 from Russia.",
                }
            ),
            "{not json",
            json.dumps({"id": "b", "title": "Monsoon", "text": "Rain in Kerala."}),
        ]
    )
    result = run_newswatch("classify", stdin=lines)
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(o["id"], o["relevant"]) for o in out] == [("a", True), ("b", False)]
    assert "S-400" in out[0]["tags"]
    assert "line 2" in result.stderr
    assert result.returncode == 1


NEW_TAG = """
[[tag]]
name = "Indian Air Force"
kind = "org"
signals = []
aliases = ["Indian Air Force"]
"""


def test_retag_after_a_lexicon_change(site, tmp_path):
    _, db, _ = crawl(site, tmp_path)
    lexicon = tmp_path / "lexicon.toml"
    shutil.copy(REPO / "pipelines" / "lexicon.toml", lexicon)
    with lexicon.open("a", encoding="utf-8") as f:
        f.write(NEW_TAG)
    assert Lexicon.load(lexicon).tags["Indian Air Force"] == "org"

    unchanged = run_newswatch("retag", "--db", str(db))
    assert "2 articles retagged: 0 changed" in unchanged.stdout, unchanged.stderr
    changed = run_newswatch("retag", "--db", str(db), "--lexicon", str(lexicon))
    assert "2 articles retagged: 1 changed (0 status, 1 tags)" in changed.stdout, changed.stderr
    assert "  Indian Air Force: +1 -0" in changed.stdout.splitlines()
    with Store(db) as store:
        query = "SELECT url FROM article_tags_view WHERE tag = 'Indian Air Force'"
        tagged = [r["url"] for r in store.db.query(query)]
    assert tagged == [f"{site.base}/articles/s400-second-squadron.html"]
