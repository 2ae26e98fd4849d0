"""Keep robots.txt answers for a day, as the big crawlers do, instead of asking every run.

Scrapy's HTTP cache with a policy that caches nothing but robots.txt: a daily run then
costs one request per feed plus one per new article.
"""

from __future__ import annotations

from scrapy import Request
from scrapy.extensions.httpcache import DummyPolicy


class RobotsOnlyPolicy(DummyPolicy):
    def should_cache_request(self, request: Request) -> bool:
        return request.url.endswith("/robots.txt") and super().should_cache_request(request)
