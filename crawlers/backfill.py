"""The window of a backfill: which past days a crawl walks through sitemaps and GDELT."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta


@dataclass(frozen=True)
class Backfill:
    since: str  # YYYY-MM-DD, inclusive
    until: str  # YYYY-MM-DD, inclusive

    @classmethod
    def parse(cls, value: str | None) -> Backfill | None:
        """`SINCE/UNTIL` (the NEWSWATCH_BACKFILL setting), or None for a normal crawl."""
        if not value:
            return None
        since, _, until = value.partition("/")
        first, last = date.fromisoformat(since), date.fromisoformat(until)
        if first > last:
            raise ValueError(f"backfill window ends before it starts: {value}")
        return cls(first.isoformat(), last.isoformat())

    @property
    def key(self) -> str:
        """Names the backfill, so an interrupted one resumes where it stopped."""
        return f"{self.since}/{self.until}"

    def covers(self, timestamp: str) -> bool:
        return self.since <= timestamp[:10] <= self.until

    def days(self) -> Iterator[datetime]:
        day = date.fromisoformat(self.since)
        while day.isoformat() <= self.until:
            yield datetime(day.year, day.month, day.day, tzinfo=UTC)
            day += timedelta(days=1)
