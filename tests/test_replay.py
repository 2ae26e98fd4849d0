"""The real 12-day feed history replayed day by day: each day fetches exactly its new items."""

from __future__ import annotations

import pytest

from bench.replay import HISTORY, replay
from pipelines.store import Store

SNAPSHOTS = sorted(HISTORY.glob("*.xml")) if HISTORY.is_dir() else []


@pytest.mark.skipif(not SNAPSHOTS, reason="../shared/fixtures/feeds/ie-explained-history is absent")
def test_each_day_fetches_exactly_the_new_items_once(tmp_path):
    days = replay(tmp_path, SNAPSHOTS)
    fetched: list[str] = []
    for day in days[:-1]:
        assert sorted(day.article_requests) == sorted(day.new_items), day.snapshot
        assert day.ratio <= 1.1, day.snapshot
        fetched += day.article_requests
    assert len(fetched) == len(set(fetched))  # none twice
    unchanged = days[-1]
    assert unchanged.article_requests == [] and unchanged.feed_unchanged
    # Every item was decided on (stored, or judged off-topic and remembered): none missed.
    with Store(tmp_path / "replay.db") as store:
        decided = {
            url.split("/article/", 1)[-1]
            for (url,) in store.db.execute("SELECT url FROM seen_urls")
        }
    assert {path.split("/article/", 1)[-1] for path in fetched} <= decided
