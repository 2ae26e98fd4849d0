"""How the crawl logs its items: a dropped one by the reason alone, at the level the
dropper chose; a stored one not at all.

Scrapy logs an item with its whole repr, which for an article is its whole text: an
off-topic article is dropped at DEBUG (that is the pipeline working), an article that
could not be stored at WARNING (and it is in fetch_errors too). A stored article is in
the database and the run's counts; its DEBUG line cost ~2 ms of the reactor's time each.
"""

from __future__ import annotations

from typing import Any

from scrapy.logformatter import LogFormatter, LogFormatterResult


class NewswatchLogFormatter(LogFormatter):
    def scraped(self, item: Any, response: Any, spider: Any) -> None:
        return None

    def dropped(
        self, item: Any, exception: BaseException, response: Any, spider: Any
    ) -> LogFormatterResult:
        result = super().dropped(item, exception, response, spider)
        return {
            "level": result["level"],
            "msg": "Dropped: %(exception)s",
            "args": {"exception": exception},
        }
