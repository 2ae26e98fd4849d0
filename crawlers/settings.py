"""Scrapy settings for newswatch: every default in one place.

Each can be overridden per run with `-s NAME=VALUE` (newswatch commands and
`scrapy crawl feeds` alike) or in the TOML config file.
"""

import os

from scrapy.settings.default_settings import (
    DOWNLOADER_MIDDLEWARES_BASE as _SCRAPY_DOWNLOADER_MIDDLEWARES,
)
from scrapy.settings.default_settings import EXTENSIONS_BASE as _SCRAPY_EXTENSIONS


def _without(base: dict[str, int], *names: str) -> dict[str, int]:
    return {name: order for name, order in base.items() if name not in names}


BOT_NAME = "newswatch"
SPIDER_MODULES = ["crawlers.spiders"]
NEWSPIDER_MODULE = "crawlers.spiders"

# --- newswatch's own settings
NEWSWATCH_DB = "data/newswatch.db"
# How long a write waits for another process's lock on the database before it fails (the
# article is then recorded as not stored, and fetched again by the next run).
NEWSWATCH_BUSY_TIMEOUT = 10.0
NEWSWATCH_SOURCES = ""  # empty: crawlers/sources.toml
NEWSWATCH_RUN_ID = 0  # 0: the store pipeline opens a run of its own
NEWSWATCH_CONTACT_URL = "https://github.com/newswatch-project/newswatch"
NEWSWATCH_LEXICON = ""  # empty: pipelines/lexicon.toml
# Discovery sources: when each last worked (set per run by the CLI), GDELT's pace.
NEWSWATCH_SINCE = {}
NEWSWATCH_GDELT_DELAY = 5.0  # seconds between GDELT requests, as its API asks
NEWSWATCH_GDELT_BACKOFF = 30.0  # first wait after a 429; doubled for each further one
NEWSWATCH_GDELT_HORIZON_DAYS = 90  # how far back the DOC API answers (its 3-month window)
# A backfill: "SINCE/UNTIL" dates, and the slices an interrupted one already finished.
NEWSWATCH_BACKFILL = ""
NEWSWATCH_BACKFILL_DONE = []
# Sitemaps can list years of articles: only entries this recent are fetched.
NEWSWATCH_SITEMAP_MAX_AGE_DAYS = 3
NEWSWATCH_SITEMAP_MAX_ENTRIES = 500
# Processes that extract articles and parse feeds, off the reactor thread and on every
# core; 0 or 1: both run in the crawl's own process, between downloads.
NEWSWATCH_WORKERS = os.cpu_count() or 1
# An RSS/Atom feed's items beyond this many are not fetched: the newest are kept (feed
# order when undated) and the rest counted as items_capped. 0: no cap.
NEWSWATCH_MAX_ITEMS_PER_FEED = 500

# --- politeness
ROBOTSTXT_OBEY = True
USER_AGENT = "newswatch/0.1 (India-Russia defence news monitor; +{contact})"
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.25
COOKIES_ENABLED = False
# robots.txt rules are read for our own name, even where a source sends a browser-like agent.
ROBOTSTXT_USER_AGENT = "newswatch"

# --- nothing opens a port, and nothing but http(s) is fetched
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
# Scrapy imports every component its base lists name, even one disabled: these are left
# out of the base lists, so they are not even loaded (remote control imports aiohttp, the
# cookies middleware tldextract: a third of a second of every crawl's start-up).
EXTENSIONS_BASE = _without(
    _SCRAPY_EXTENSIONS,
    "scrapy.extensions.telnet.TelnetConsole",
    "scrapy.extensions.remote_control.RemoteControl",
)
DOWNLOADER_MIDDLEWARES_BASE = _without(
    _SCRAPY_DOWNLOADER_MIDDLEWARES, "scrapy.downloadermiddlewares.cookies.CookiesMiddleware"
)
DOWNLOAD_HANDLERS = {"file": None, "data": None, "ftp": None, "s3": None}

# --- robustness
DOWNLOAD_TIMEOUT = 30
DNS_TIMEOUT = 15
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024

# robots.txt is asked once a day per host (the HTTP cache keeps nothing else); the CLI puts
# the cache next to the database.
HTTPCACHE_ENABLED = True
HTTPCACHE_POLICY = "crawlers.robotscache.RobotsOnlyPolicy"
HTTPCACHE_EXPIRATION_SECS = 24 * 3600
HTTPCACHE_DIR = "httpcache"
HTTPCACHE_IGNORE_HTTP_CODES = [500, 502, 503, 504, 408, 429]

# The crawl's one database connection, shared by the middlewares and pipelines below.
EXTENSIONS = {"pipelines.crawlstore.CrawlStore": 0, "crawlers.progress.BackfillProgress": 10}

DOWNLOADER_MIDDLEWARES = {
    "crawlers.middlewares.HttpOnlyMiddleware": 10,
    "scrapy.downloadermiddlewares.useragent.UserAgentMiddleware": None,
    "crawlers.middlewares.ContactUserAgentMiddleware": 500,
    "crawlers.middlewares.SkipSeenMiddleware": 50,
    "crawlers.middlewares.ConditionalGetMiddleware": 60,
    "crawlers.middlewares.SourceStatsMiddleware": 950,
}

ITEM_PIPELINES = {
    "pipelines.stages.TopicPipeline": 300,
    "pipelines.stages.StorePipeline": 900,
}
# What one response yields goes through the item pipelines one at a time: they are
# synchronous, and Scrapy's default (100) starts 100 asyncio tasks for every response
# (6-9% of the crawl's main process, measured with 2 workers on 100 KB pages).
CONCURRENT_ITEMS = 1

LOG_LEVEL = "INFO"
LOG_FORMATTER = "crawlers.logformatter.NewswatchLogFormatter"
FEED_EXPORT_ENCODING = "utf-8"
