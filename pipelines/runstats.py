"""Per-source counters of one crawl, kept in Scrapy's stats collector.

The spider counts what it fetched and what failed; the store pipeline reads the same
keys when the crawl ends and writes them into the run's row. Both sides use this module,
so the key names are defined once.
"""

from __future__ import annotations

from typing import Any, Protocol

PREFIX = "newswatch/source/"
ERRORS_KEY = "newswatch/errors"
COUNTERS = (
    "feeds",
    "feeds_fetched",
    "feeds_failed",
    "feeds_unchanged",
    "items_seen",
    "items_filtered",
    "items_capped",
    "item_errors",
    "skipped_seen",
    "articles_fetched",
    "article_errors",
    "extract_failed",
    "relevant",
    "borderline",
    "irrelevant",
    "stored",
    "updated",
    "store_failed",
    "dates_rejected",
    "canonical_ignored",
)
# Failures that make a source 'partial' (feeds_failed is judged apart: all feeds failing
# makes it 'failed').
ITEM_FAILURES = ("item_errors", "article_errors", "extract_failed", "store_failed")


class StatsCollector(Protocol):
    def get_value(self, key: str, default: Any = None) -> Any: ...
    def set_value(self, key: str, value: Any) -> None: ...
    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None: ...
    def get_stats(self) -> dict[str, Any]: ...


class RunStats:
    """Counters and failures per source, on top of a Scrapy stats collector."""

    def __init__(self, stats: StatsCollector):
        self.stats = stats

    def register(self, source: str, feeds: int) -> None:
        for counter in COUNTERS:
            self.stats.set_value(f"{PREFIX}{source}/{counter}", 0)
        self.stats.set_value(f"{PREFIX}{source}/feeds", feeds)

    def inc(self, source: str, counter: str, count: int = 1) -> None:
        self.stats.inc_value(f"{PREFIX}{source}/{counter}", count)

    def fail(
        self,
        source: str,
        url: str,
        reason: str,
        counter: str,
        *,
        feed: str | None = None,
        permanent: bool = False,
    ) -> None:
        """Count a failure and keep its URL and reason for the operator. `feed` is the
        feed that listed the failed item: unless the failure is `permanent` (the item can
        never succeed), that feed's validators must not be saved, so the next run reads
        the feed again and retries the item."""
        self.inc(source, counter)
        errors = self.stats.get_value(ERRORS_KEY, [])
        errors.append(
            {"source": source, "url": url, "reason": reason, "feed": feed, "permanent": permanent}
        )
        self.stats.set_value(ERRORS_KEY, errors)

    def errors(self) -> list[dict[str, str]]:
        """Every failure as the fetch_errors table keeps it: source, URL and reason."""
        return [
            {key: error[key] for key in ("source", "url", "reason")}
            for error in self.stats.get_value(ERRORS_KEY, [])
        ]

    def unfinished_feeds(self) -> set[str]:
        """Feeds with an item that failed in a way a later run may get past."""
        return {
            error["feed"]
            for error in self.stats.get_value(ERRORS_KEY, [])
            if error["feed"] and not error["permanent"]
        }

    def per_source(self) -> dict[str, dict[str, Any]]:
        """Each source's counters, its status and its first error."""
        sources: dict[str, dict[str, Any]] = {}
        for key, value in self.stats.get_stats().items():
            if key.startswith(PREFIX):
                name, counter = key[len(PREFIX) :].rsplit("/", 1)
                sources.setdefault(name, {})[counter] = value
        first_error: dict[str, str] = {}
        for error in self.errors():
            first_error.setdefault(error["source"], f"{error['reason']} ({error['url']})")
        for name, counters in sources.items():
            counters["status"] = source_status(counters)
            counters["error"] = first_error.get(name)
        return sources


def article_totals(per_source: dict[str, dict[str, Any]]) -> dict[str, int]:
    """The run's article counts: fetched (seen by the tagger), relevant, borderline, dropped."""

    def total(counter: str) -> int:
        return sum(counters.get(counter, 0) for counters in per_source.values())

    return {
        "seen": total("articles_fetched"),
        "relevant": total("relevant"),
        "borderline": total("borderline"),
        "dropped": total("irrelevant"),
        "stored": total("stored"),
        "updated": total("updated"),
    }


def source_status(counters: dict[str, int]) -> str:
    """'failed' when nothing of the source could be read, 'partial' when some of it failed."""
    feeds, feeds_failed = counters.get("feeds", 0), counters.get("feeds_failed", 0)
    article_failures = sum(counters.get(counter, 0) for counter in ITEM_FAILURES)
    if feeds and feeds_failed >= feeds:
        return "failed"
    if feeds_failed or article_failures:
        return "partial"
    return "ok"


def run_status(per_source: dict[str, dict[str, Any]], finish_reason: str) -> str:
    """The run's status: 'aborted' unless Scrapy finished normally, else the worst source's."""
    if finish_reason != "finished":
        return "aborted"
    statuses = {counters["status"] for counters in per_source.values()}
    if statuses and statuses == {"failed"}:
        return "failed"
    return "partial" if statuses - {"ok"} else "ok"
