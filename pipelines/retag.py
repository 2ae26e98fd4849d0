"""Re-apply the current lexicon and rules to every stored article."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from pipelines.store import Store
from pipelines.topic import Classifier


@dataclass
class RetagResult:
    articles: int = 0
    status_changed: int = 0
    tags_changed: int = 0
    changed: int = 0  # articles whose status or tags changed
    gained: Counter[str] = field(default_factory=Counter)  # tag -> articles that gained it
    lost: Counter[str] = field(default_factory=Counter)  # tag -> articles that lost it


def retag(
    store: Store,
    classifier: Classifier,
    batch_size: int = 500,
    progress: Callable[[int], None] | None = None,
) -> RetagResult:
    """Classify every article again, one transaction per batch, and count what changed.

    Articles that no longer qualify keep their row with status 'irrelevant', so a lexicon
    change can be undone by another retag without crawling again.
    """
    result = RetagResult()
    store.sync_tags(classifier.lexicon.tags)
    for batch in store.iter_article_batches(batch_size):
        verdicts = []
        for row in batch:
            verdict = classifier.classify(
                row["title"] or "",
                row["body"] or "",
                summary=row["summary"],
                lang=row["language"],
                url=row["url"],
            )
            tags = [tag.to_dict() for tag in verdict.tags]
            status_changed = verdict.status != row["status"]
            before, after = set(json.loads(row["tags"])), {t["name"] for t in tags}
            tags_changed = before != after
            result.gained.update(after - before)
            result.lost.update(before - after)
            result.articles += 1
            result.status_changed += status_changed
            result.tags_changed += tags_changed
            result.changed += status_changed or tags_changed
            verdicts.append((row["id"], verdict.score, verdict.status, verdict.reasons, tags))
        store.update_verdicts(verdicts)
        if progress:
            progress(len(batch))
    return result
