"""The story index in SQLite: the same assignments as in memory, merges kept as aliases,
and reclustering the archive when the rules change."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from pipelines.article import Article
from pipelines.evidence import EvidenceReader
from pipelines.recluster import needs_recluster, recent_small_stories, recluster, replayed_since
from pipelines.store import Store
from pipelines.stories import StoryClusterer
from pipelines.story_model import default_model
from pipelines.story_store import MemoryStoryStore
from tests.conftest import REPO, cover_model, headline_model, run_newswatch, write_sources
from tests.test_kills import RESTORE_CTRL_C, descendants, killed_afterwards, wait_until_gone

READER = EvidenceReader()
REPORTS = [
    (
        "https://a.example/tushil",
        "2024-12-09T12:00:00+05:30",
        "INS Tushil commissioned at Kaliningrad in presence of Rajnath Singh",
        "Kaliningrad, December 9: The Indian Navy commissioned INS Tushil, a Krivak-class "
        "frigate built at the Yantar shipyard, in the presence of Defence Minister Rajnath "
        "Singh. The frigate carries BrahMos missiles.",
    ),
    (
        "https://b.example/tushil-joins-navy",
        "2024-12-09T18:00:00+05:30",
        "Rajnath Singh attends INS Tushil commissioning in Kaliningrad",
        "Defence Minister Rajnath Singh on December 9 attended the commissioning of INS Tushil "
        "at Yantar shipyard in Kaliningrad; the Krivak-class frigate is armed with BrahMos.",
    ),
    (
        "https://c.example/sipri-2025",
        "2025-03-10T09:00:00+00:00",
        "India second largest arms importer, says SIPRI",
        "India was the world's second largest arms importer in 2020-24 with 8.3 per cent of "
        "global imports, SIPRI said on March 10; Russia's share of Indian imports fell to 36 "
        "per cent.",
    ),
    (
        "https://d.example/tamal",
        "2025-07-01T10:00:00+03:00",
        "INS Tamal commissioned at Kaliningrad",
        "Kaliningrad, July 1: The Indian Navy commissioned INS Tamal, the last Krivak-class "
        "frigate from the Yantar shipyard, in the presence of Vice Admiral Sanjay Jasjit Singh.",
    ),
]


def store_all(store: Store, clusterer: StoryClusterer, reports=REPORTS) -> dict[str, int]:
    """Assign and store each report as the pipeline does: one transaction each."""
    for url, published, title, body in reports:
        with store.transaction():
            result = clusterer.assign(url, title, body, published=published)
            article = Article(
                url=url, source=url.split("/")[2], title=title, body=body, published=published,
                story_id=result.story_id, story_kind=result.kind, matched=result.matched,
            )  # fmt: skip
            store.save_article(article, None)
    return {r["url"]: r["story_id"] for r in store.db.query("SELECT url, story_id FROM articles")}


def partition(assignment: dict[str, object]) -> set[frozenset[str]]:
    groups: dict[object, set[str]] = {}
    for doc, story in assignment.items():
        groups.setdefault(story, set()).add(doc)
    return {frozenset(g) for g in groups.values()}


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "news.db") as store:
        yield store


def test_sqlite_assigns_as_memory_does(store):
    stored = store_all(store, StoryClusterer(store.story_store(), reader=READER))
    memory = StoryClusterer(MemoryStoryStore(), reader=READER)
    in_memory = {
        url: memory.assign(url, title, body, published=published).story_id
        for url, published, title, body in REPORTS
    }
    assert partition(stored) == partition(in_memory)
    assert {frozenset({REPORTS[0][0], REPORTS[1][0]})} <= partition(stored)
    assert len(partition(stored)) == 3
    # A story's id is the stories row every article of it points at.
    ids = set(stored.values())
    assert ids == {
        r["id"] for r in store.db.query("SELECT id FROM stories WHERE profile IS NOT NULL")
    }


def test_the_recent_small_stories_are_read_again_for_a_crawls_refining(store):
    clusterer = StoryClusterer(store.story_store(), reader=READER)
    tushil, sipri, tamal = REPORTS[:2], REPORTS[2:3], REPORTS[3:]
    for first_seen, reports in (("2026-11-01", sipri), ("2026-11-29", tushil + tamal)):
        store.clock = lambda day=first_seen: f"{day}T08:00:00+00:00"
        store_all(store, clusterer, reports)
    store.clock = lambda: "2026-12-01T08:00:00+00:00"  # the last three days: from 28 Nov
    found = recent_small_stories(store, READER, 3, {tamal[0][0]}, limit=10)
    assert [url for url, _, _ in found] == [tushil[0][0], tushil[1][0]]  # the old one is not
    url, evidence, row_id = found[0]
    again = READER.read(*tushil[0][2:], tushil[0][1], url=url, themes=[])  # as stored: none
    assert (evidence.body_hash, evidence.entities, evidence.day, evidence.themes) == (
        again.body_hash, again.entities, again.day, again.themes,
    )  # fmt: skip
    assert row_id == store.db.execute("SELECT id FROM articles WHERE url = ?", [url]).fetchone()[0]
    # The newest `limit` articles: a story cut in two is left out by the refining.
    assert len(recent_small_stories(store, READER, 3, set(), limit=1)) == 1


def test_a_merged_story_stays_an_alias_of_the_story_it_joined(store):
    model = replace(default_model(), forest=headline_model().forest, join=0.6, merge=0.7)
    clusterer = StoryClusterer(store.story_store(run_id=7), model=model, reader=READER)
    reports = [
        ("https://a.example/1", None, "Kalibr frigate launched at Yantar", "Launched."),
        ("https://b.example/2", None, "Tushil sea trials begin in Baltic", "Trials began."),
        ("https://c.example/3", None, "Kalibr frigate Tushil launched, sea trials Yantar Baltic",
         "Both."),
    ]  # fmt: skip
    stored = store_all(store, clusterer, reports)
    assert len(set(stored.values())) == 1
    survivor = stored["https://c.example/3"]
    merged = store.db.execute(
        "SELECT id, merged_into, merged_run FROM stories WHERE merged_into IS NOT NULL"
    ).fetchall()
    assert len(merged) == 1 and merged[0][1:] == (survivor, 7)
    assert store.resolve_story(merged[0][0]) == survivor
    report = store.merged_stories([7])
    assert [(m["story"], m["into_story"]) for m in report] == [(merged[0][0], survivor)]
    assert store.db.execute(
        "SELECT count(*) FROM story_keys WHERE story = ?", [merged[0][0]]
    ).fetchone() == (0,)


def test_new_rules_rebuild_the_index_and_keep_story_ids(store):
    clusterer = StoryClusterer(store.story_store(), reader=READER)
    assert not needs_recluster(store, clusterer.rules_version)  # an empty archive adopts the rules
    before = store_all(store, clusterer)
    newer = StoryClusterer(
        store.story_store(), model=replace(default_model(), version="next"), reader=READER
    )
    assert needs_recluster(store, newer.rules_version)
    result = recluster(store, lambda index: StoryClusterer(index, model=newer.model, reader=READER))
    after = {r["url"]: r["story_id"] for r in store.db.query("SELECT url, story_id FROM articles")}
    assert after == before  # same stories, same ids
    assert (result.articles, result.stories, result.split, result.merged) == (4, 3, 0, 0)
    assert not needs_recluster(store, newer.rules_version)
    counts = store.db.execute("SELECT count(*) FROM story_members").fetchone()[0]
    assert counts == 4


def test_a_crawl_checks_the_rules_the_matcher_uses(tmp_path):
    # `newswatch crawl` computes the rules version without loading the lexicon or the
    # matcher: it must be the one the matcher stores its index under, or every crawl
    # would rebuild the index.
    db = tmp_path / "rules.db"
    sources = write_sources(tmp_path / "sources.toml", {"Closed": ["http://127.0.0.1:9/feed"]})
    run_newswatch("crawl", "--sources", str(sources), "--db", str(db))
    with Store(db) as store:
        assert store.story_rules() == StoryClusterer(store.story_store()).rules_version


def test_recluster_since_a_date_replays_only_later_articles(store):
    clusterer = StoryClusterer(store.story_store(), reader=READER)
    before = store_all(store, clusterer)
    with store.transaction():  # the index was built by these rules, as a crawl records
        store.set_story_rules(clusterer.rules_version)
    result = recluster(
        store, lambda index: StoryClusterer(index, reader=READER), since="2025-01-01"
    )
    assert result.articles == 2
    after = {r["url"]: r["story_id"] for r in store.db.query("SELECT url, story_id FROM articles")}
    assert after == before
    assert store.db.execute("SELECT count(*) FROM story_members").fetchone()[0] == 4


def test_recluster_since_a_date_replays_everything_when_the_rules_changed(store):
    # The stories before the date were made by the old rules (their stored profiles too):
    # replaying only the later articles would leave the index half old, half new.
    store_all(store, StoryClusterer(store.story_store(), reader=READER))
    with store.transaction():
        store.set_story_rules("older rules")
    make = lambda index: StoryClusterer(index, reader=READER)  # noqa: E731
    assert replayed_since(store, make(store.story_store()).rules_version, "2025-01-01") is None
    result = recluster(store, make, since="2025-01-01")
    assert result.articles == 4
    assert replayed_since(store, make(store.story_store()).rules_version, "2025-01-01")


def test_cluster_into_a_database_of_other_rules_rebuilds_its_index_first(store, tmp_path):
    store_all(store, StoryClusterer(store.story_store(), reader=READER))
    with store.transaction():
        store.set_story_rules("older rules")
    store.close()
    doc = {"id": "x1", "title": "Rajnath Singh meets Belousov", "text": "They met in Delhi."}
    result = run_newswatch("cluster", "--db", str(tmp_path / "news.db"), stdin=json.dumps(doc))
    assert result.returncode == 0, result.stderr
    assert "story rules changed: rebuilding the story index first" in result.stderr
    assert json.loads(result.stdout)["id"] == "x1"
    with Store(tmp_path / "news.db") as reopened:
        assert reopened.story_rules() == StoryClusterer(reopened.story_store()).rules_version


def test_recluster_command(store, tmp_path):
    store_all(store, StoryClusterer(store.story_store(), reader=READER))
    store.close()
    result = run_newswatch("recluster", "--db", str(tmp_path / "news.db"))
    assert result.returncode == 0, result.stderr
    assert "4 articles in 3 stories: 0 stories split, 0 merged" in result.stdout
    missing = run_newswatch("recluster", "--db", str(tmp_path / "none.db"))
    assert missing.returncode == 2 and "no database at" in missing.stderr


def test_recluster_moves_a_report_that_came_before_its_story(store):
    """Refining each batch: the first report, alone when it came, joins the story that the
    two after it formed (the one-feature cover_model judges by shared entities)."""
    reports = [
        ("https://a.example/1", "2025-01-01", "Rajnath Singh speaks",
         "Defence Minister Rajnath Singh spoke on Friday."),
        ("https://b.example/2", "2025-01-02", "Belousov on the S-400",
         "Andrei Belousov said the S-400 deliveries go on."),
        ("https://c.example/3", "2025-01-03", "Rajnath Singh meets Belousov",
         "Rajnath Singh met Andrei Belousov and discussed the S-400."),
    ]  # fmt: skip
    online = StoryClusterer(store.story_store(), model=cover_model(), reader=READER)
    assert len(set(store_all(store, online, reports).values())) == 2
    result = recluster(
        store, lambda index: StoryClusterer(index, model=cover_model(), reader=READER)
    )
    after = {r["url"]: r["story_id"] for r in store.db.query("SELECT url, story_id FROM articles")}
    assert (result.articles, result.stories, len(set(after.values()))) == (3, 1, 1)
    members = store.db.execute("SELECT DISTINCT story FROM story_members").fetchall()
    assert members == [(next(iter(after.values())),)]


def test_recluster_dates_an_undated_article_by_its_address(store):
    reports = [("https://a.example/2025/12/05/talks", None, "Rajnath Singh meets Belousov",
                "Rajnath Singh met Andrei Belousov on Friday.")]  # fmt: skip
    store_all(store, StoryClusterer(store.story_store(), reader=READER), reports)
    recluster(store, lambda index: StoryClusterer(index, reader=READER), read_ahead=False)
    story = store.db.execute("SELECT story_id FROM articles").fetchone()[0]
    assert dict(store.story_store().profile(story).event_days) == {"2025-12-05": 1}


@pytest.mark.parametrize("read_ahead", [False, True])
def test_recluster_in_batches_reading_ahead_or_not(store, read_ahead):
    """Batches of one: with `read_ahead`, each next article's evidence is read in another
    process while the one before is assigned; the stories are the same either way."""
    before = store_all(store, StoryClusterer(store.story_store(), reader=READER))
    done = []
    result = recluster(
        store,
        lambda index: StoryClusterer(index, reader=READER),
        batch=1,
        read_ahead=read_ahead,
        progress=done.append,
    )
    after = {r["url"]: r["story_id"] for r in store.db.query("SELECT url, story_id FROM articles")}
    assert after == before
    assert (result.articles, result.stories, done) == (4, 3, [1, 1, 1, 1])


def test_a_rolled_back_assignment_leaves_no_trace_in_the_story_index(store):
    """The article's row could not be written: its story assignment rolls back with it,
    and the index's decoded profiles must not keep it (the article comes again next run)."""
    clusterer = StoryClusterer(store.story_store(), reader=READER)
    (url, published, title, body), (again, *second) = REPORTS[:2]
    with store.transaction():
        first = clusterer.assign(url, title, body, published=published)
    with pytest.raises(OSError), store.transaction():
        joined = clusterer.assign(again, second[1], second[2], published=second[0])
        assert joined.story_id == first.story_id
        raise OSError("database or disk is full")
    index = clusterer.store
    assert (index.profile(first.story_id).size, index.doc_count()) == (1, 1)
    assert index.member(again) is None
    with store.transaction():
        clusterer.assign(again, second[1], second[2], published=second[0])
    stored = store.db.execute("SELECT profile FROM stories WHERE id = ?", [first.story_id])
    assert json.loads(stored.fetchone()[0])["size"] == index.profile(first.story_id).size == 2


SLOW_RECLUSTER = (
    RESTORE_CTRL_C
    + """
import sys, time
from pipelines.recluster import recluster
from pipelines.store import Store
from pipelines.stories import StoryClusterer

class Stalled(StoryClusterer):
    def assign_batch(self, batch):
        print("assigning", flush=True)
        time.sleep(60)

with Store(sys.argv[1]) as store:
    try:
        recluster(store, Stalled, batch=1, read_ahead=True)
    except KeyboardInterrupt:
        print("interrupted", flush=True)
"""
)


def test_a_recluster_killed_outright_leaves_no_reading_process(store, tmp_path):
    """The process reading evidence ahead ends with the rebuild, however that ends."""
    store_all(store, StoryClusterer(store.story_store(), reader=READER))
    store.close()
    command = [sys.executable, "-c", SLOW_RECLUSTER, str(tmp_path / "news.db")]
    rebuild = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, text=True)
    with killed_afterwards(rebuild.pid) as tracked:
        assert rebuild.stdout.readline() == "assigning\n"
        readers = descendants(rebuild.pid)
        tracked += readers
        assert readers, "recluster started no reading process"
        os.kill(rebuild.pid, signal.SIGKILL)
        rebuild.wait()
        took = wait_until_gone(readers)
    assert took < 10, f"the reading process outlived recluster by {took:.1f} s"


def test_ctrl_c_stops_a_recluster_and_its_reading_process_quietly(store, tmp_path):
    """Ctrl-C reaches every process of the terminal's group: the rebuild stops, and the
    reading process leaves that to it (no traceback of its own) and ends too."""
    store_all(store, StoryClusterer(store.story_store(), reader=READER))
    store.close()
    command = [sys.executable, "-c", SLOW_RECLUSTER, str(tmp_path / "news.db")]
    rebuild = subprocess.Popen(
        command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )  # fmt: skip
    with killed_afterwards(rebuild.pid) as tracked:
        assert rebuild.stdout.readline() == "assigning\n"
        readers = descendants(rebuild.pid)
        tracked += readers
        os.killpg(rebuild.pid, signal.SIGINT)
        out, err = rebuild.communicate(timeout=30)
        took = wait_until_gone(readers)
    assert (out, err, took < 10) == ("interrupted\n", "", True)
