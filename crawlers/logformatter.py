"""How the crawl logs what it drops: by the reason alone, at the level the dropper chose.

Scrapy logs a dropped item with its whole repr, which for an article is its whole text;
an off-topic article is dropped at DEBUG (that is the pipeline working), an article that
could not be stored at WARNING (and it is in fetch_errors too).
"""

from __future__ import annotations

from typing import Any

from scrapy.logformatter import LogFormatter, LogFormatterResult


class NewswatchLogFormatter(LogFormatter):
    def dropped(
        self, item: Any, exception: BaseException, response: Any, spider: Any
    ) -> LogFormatterResult:
        result = super().dropped(item, exception, response, spider)
        return {
            "level": result["level"],
            "msg": "Dropped: %(exception)s",
            "args": {"exception": exception},
        }
