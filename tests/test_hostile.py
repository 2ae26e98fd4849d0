"""A hostile feed against the real crawler on 127.0.0.1: items that must never be fetched
come first, good ones after; a redirect to a local file, a canonical link into another
outlet and a page whose bytes contradict its declared charset. Nothing local is read,
nothing but http(s) is asked for, every good item is stored and every bad one is on record.
"""

from __future__ import annotations

import json
import re
import socket
import sqlite3
import threading
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.conftest import FIXTURES, run_newswatch, write_sources
from tests.siteserver import FixtureSite, SiteServer

LONG_PATH = "/hostile/long-link.html"

# Pages that state no date anywhere: the items that link to them carry impossible dates,
# so the stored article must have none.
UNDATED_ZERO = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>HAL and Russia agree to build Su-30MKI engines in Koraput</title></head>
<body><article><h1>HAL and Russia agree to build Su-30MKI engines in Koraput</h1>
<p>Hindustan Aeronautics Limited and Russia's United Engine Corporation have agreed to
build more AL-31FP engines for the Indian Air Force's Su-30MKI fleet at the Koraput
division, the Indian Ministry of Defence said.</p>
<p>The engines will be made under licence with a larger share of Indian components, and
Russian engineers will help HAL to raise the rate of production, officials in New Delhi
and Moscow said after the talks.</p>
<p>India operates more than two hundred and fifty Su-30MKI fighters, the backbone of its
air force, and the upgrade of the fleet with Russian help is under discussion.</p>
</article></body></html>"""

UNDATED_NINES = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Russia confirms schedule for remaining S-400 squadrons to India</title></head>
<body><article><h1>Russia confirms schedule for remaining S-400 squadrons to India</h1>
<p>Rosoboronexport has confirmed to the Indian Ministry of Defence that the last two
squadrons of the S-400 Triumf air-defence system will be delivered on schedule, Russian
officials said in Moscow.</p>
<p>India signed the contract for five S-400 squadrons with Russia despite the threat of
American sanctions, and the Indian Air Force has deployed the first three along its
northern and western borders.</p>
<p>Defence Minister Rajnath Singh raised the deliveries with his Russian counterpart, and
both sides said payments in rupees and roubles were no longer holding them up.</p>
</article></body></html>"""

# Outlet A is the same server reached as "localhost": another registrable domain.
VICTIM = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>India and Russia sign deal for more BrahMos missiles for the navy</title>
<link rel="canonical" href="{base}/a/victim.html"></head>
<body><article><h1>India and Russia sign deal for more BrahMos missiles for the navy</h1>
<p>The Indian Navy will receive more BrahMos supersonic cruise missiles under a contract
signed with BrahMos Aerospace, the Indo-Russian joint venture, the Ministry of Defence in
New Delhi said.</p>
<p>The missiles will arm Indian warships including the Talwar-class frigates built in
Russia, and the joint venture with NPO Mashinostroyeniya will raise production.</p>
<p>Officials said India and Russia also discussed an extended-range version of the
missile for the Indian Air Force's Su-30MKI fighters.</p>
</article></body></html>"""

# Outlet B claims Outlet A's article as its canonical address.
HIJACK = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Outlet B: Russian Igla-S air-defence systems to be made in India</title>
<link rel="canonical" href="{victim}"></head>
<body><article><h1>Russian Igla-S air-defence systems to be made in India</h1>
<p>India and Russia will produce Igla-S man-portable air-defence systems together under
the Make in India programme, Rosoboronexport said, and the Indian Army will receive the
first batch from a private Indian company.</p>
<p>The deal follows the S-400 contract and the AK-203 rifle plant at Korwa, and the
Indian Ministry of Defence said Russian technology would be transferred in full.</p>
<p>Officials said the Indian Army needs hundreds of launchers and thousands of missiles
to replace the older Igla systems bought from Russia.</p>
</article></body></html>"""

# Russian text, sent as cp1251 bytes while the server claims UTF-8; no <meta charset>.
RUSSIAN_TITLE = "Россия поставит Индии оставшиеся полки С-400 и модернизирует Су-30МКИ"
RUSSIAN = f"""<!DOCTYPE html><html lang="ru"><head>
<title>{RUSSIAN_TITLE}</title></head>
<body><article><h1>{RUSSIAN_TITLE}</h1>
<p>Россия завершит поставки Индии зенитных ракетных систем С-400 «Триумф» в срок,
сообщили в Рособоронэкспорте. Индия подписала контракт на пять полков С-400, несмотря на
угрозу американских санкций.</p>
<p>Министр обороны Индии Раджнат Сингх обсудил с российским коллегой модернизацию
истребителей Су-30МКИ индийских ВВС и лицензионное производство двигателей АЛ-31ФП на
предприятии HAL в Корапуте.</p>
<p>Индийская сторона также заинтересована в совместном производстве ракет BrahMos и
запасных частей для российской военной техники в рамках программы «Сделай в Индии».</p>
</article></body></html>"""


@dataclass
class Listener:
    """A TCP port that counts connections to it: the ftp:// item points here."""

    sock: socket.socket = field(default_factory=socket.socket)
    connections: int = 0

    def __post_init__(self) -> None:
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        return self.sock.getsockname()[1]

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self.stopped.set()
        self.thread.join(2)
        self.sock.close()


def hostile_items(base: str, ftp_port: int) -> list[dict[str, str]]:
    """The bad items, first in the feed: `link` as published, `name` to find its record."""
    long_link = f"{base}{LONG_PATH}?q=" + "S400" * 540
    assert len(long_link) > 2083
    return [
        {"name": "javascript", "link": "javascript:alert(1)"},
        {"name": "mailto", "link": "mailto:x@y.z"},
        {"name": "bad port", "link": "http://127.0.0.1:99999/x"},
        {"name": "file passwd", "link": "file://localhost/etc/passwd"},
        {"name": "file hostname", "link": "file:/etc/hostname"},
        {"name": "data", "link": "data:text/html,<h1>x</h1>"},
        {"name": "ftp", "link": f"ftp://127.0.0.1:{ftp_port}/x"},
        {"name": "long", "link": long_link},
    ]


def item_xml(title: str, link: str, pub_date: str = "Tue, 12 Apr 2022 09:30:00 +0530") -> str:
    link = link.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f"<item><title>{title}</title><link>{link}</link><pubDate>{pub_date}</pubDate></item>"


def rss(title: str, items: list[str]) -> str:
    channel = f"<channel><title>{title}</title>{''.join(items)}</channel>"
    return f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0">{channel}</rss>'


@dataclass
class HostileSite:
    """Everything the hostile crawl needs, and what a good crawl must store."""

    sources: Path
    bad: list[dict[str, str]]
    good: dict[str, str]  # stored URL -> expected title (None: any)
    undated: list[str]
    redirect: str
    hijack: str
    victim: str
    russian: str


def build_hostile_site(site: FixtureSite, base: str, ftp_port: int, directory: Path) -> HostileSite:
    """Serve the hostile feed, Outlet A (as localhost) and Outlet B on `site`."""
    site.add_directory(FIXTURES / "site")
    port = base.rsplit(":", 1)[1]
    local = f"http://localhost:{port}"
    bad = hostile_items(base, ftp_port)
    good_paths = [
        "/articles/s400-second-squadron.html",
        "/articles/brahmos-export.html",
        "/articles/talwar-frigate.html",
        "/articles/su30-upgrade.html",
        "/articles/ak203-korwa.html",
    ]
    site.add("/hostile/undated-zero.html", UNDATED_ZERO)
    site.add("/hostile/undated-nines.html", UNDATED_NINES)
    site.add("/hostile/redirect.html", b"", status=302, headers={"Location": "file:///etc/passwd"})
    site.add("/hostile/ru-s400.html", RUSSIAN.encode("cp1251"))  # declared utf-8
    items = [item_xml(f"Bad item: {b['name']}", b["link"]) for b in bad]
    items += [
        item_xml("Undated zero", f"{base}/hostile/undated-zero.html", "0000-00-00"),
        item_xml(
            "Undated nines", f"{base}/hostile/undated-nines.html", "Fri, 31 Dec 9999 23:59:59 +0000"
        ),
        *(item_xml(f"Good {path}", f"{base}{path}") for path in good_paths),
        item_xml("Redirects to a local file", f"{base}/hostile/redirect.html"),
        item_xml("Russian page", f"{base}/hostile/ru-s400.html"),
    ]
    site.add("/hostile/feed.rss", rss("Hostile", items), content_type="application/rss+xml")

    victim = f"{local}/a/victim.html"
    site.add("/a/victim.html", VICTIM.format(base=local), delay=1.0)  # after B's page
    site.add(
        "/a/feed.rss",
        rss("Outlet A", [item_xml("Victim", victim)]),
        content_type="application/rss+xml",
    )
    hijack = f"{base}/b/hijack.html"
    site.add("/b/hijack.html", HIJACK.format(victim=victim))
    site.add(
        "/b/feed.rss",
        rss("Outlet B", [item_xml("Hijack", hijack)]),
        content_type="application/rss+xml",
    )

    sources = write_sources(
        directory / "sources.toml",
        {
            "Hostile": [f"{base}/hostile/feed.rss"],
            "Outlet A": [f"{local}/a/feed.rss"],
            "Outlet B": [f"{base}/b/feed.rss"],
        },
    )
    good = {f"{base}{path}": None for path in good_paths}
    undated = [f"{base}/hostile/undated-zero.html", f"{base}/hostile/undated-nines.html"]
    russian = f"{base}/hostile/ru-s400.html"
    good.update({url: None for url in undated})
    good[russian] = RUSSIAN_TITLE
    good[victim] = "India and Russia sign deal for more BrahMos missiles for the navy"
    good[hijack] = None
    return HostileSite(
        sources=sources,
        bad=bad,
        good=good,
        undated=undated,
        redirect=f"{base}/hostile/redirect.html",
        hijack=hijack,
        victim=victim,
        russian=russian,
    )


def all_text(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """(table, value) for every text value of every table."""
    tables = [
        name
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    found = []
    for table in tables:
        for row in conn.execute(f"SELECT * FROM [{table}]"):
            found += [(table, value) for value in row if isinstance(value, str)]
    return found


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """One `newswatch run` over the hostile feed and the two outlets."""
    tmp = tmp_path_factory.mktemp("hostile")
    listener = Listener()
    site = FixtureSite()
    try:
        with SiteServer(site) as server:
            setup = build_hostile_site(site, server.base, listener.port, tmp)
            db = tmp / "data" / "news.db"
            result = run_newswatch(
                "run",
                "--sources",
                str(setup.sources),
                "--db",
                str(db),
                "--report-dir",
                str(tmp / "reports"),
                settings={"DOWNLOAD_TIMEOUT": "5"},
            )
            requests = list(site.requests)
            served = "\n".join(
                [route.body.decode("latin-1") for route in site.routes.values()]
                + [item["link"] for item in setup.bad]
                + list(setup.good)
            )
    finally:
        listener.close()
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    yield SimpleNamespace(
        result=result,
        setup=setup,
        conn=conn,
        requests=requests,
        served=served,
        connections=listener.connections,
        base=server.base,
        articles={row["url"]: dict(row) for row in conn.execute("SELECT * FROM articles")},
        errors=[dict(row) for row in conn.execute("SELECT * FROM fetch_errors")],
    )
    conn.close()


def test_the_run_is_partial_and_ends_without_a_traceback(hostile):
    result = hostile.result
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "Traceback" not in result.stdout
    (status,) = hostile.conn.execute("SELECT status FROM runs WHERE id = 1").fetchone()
    assert status == "partial"


def test_every_good_item_is_stored(hostile):
    missing = set(hostile.setup.good) - set(hostile.articles)
    assert not missing, f"not stored: {missing}; errors: {hostile.errors}"
    for url, title in hostile.setup.good.items():
        if title:
            assert hostile.articles[url]["title"] == title


def test_impossible_feed_dates_leave_the_article_undated(hostile):
    for url in hostile.setup.undated:
        article = hostile.articles[url]
        assert article["published"] is None and article["published_utc"] is None, article


def test_nothing_local_is_read_and_nothing_but_http_is_asked_for(hostile):
    assert hostile.connections == 0  # the ftp:// item's port
    hostname = Path("/etc/hostname").read_text().strip()
    host_word = re.compile(rf"(?<![\w.-]){re.escape(hostname)}(?![\w.-])") if hostname else None
    if host_word and host_word.search(hostile.served):
        host_word = None  # the host's name is a word the site itself serves: not telling
    for table, value in all_text(hostile.conn):
        assert "root:" not in value, (table, value[:200])
        assert "/bin/bash" not in value and "nologin" not in value, (table, value[:200])
        if host_word:
            assert not host_word.search(value), (table, value[:200])
    for article in hostile.articles.values():
        for column in ("url", "fetched_url"):
            assert article[column].startswith("http"), article[column]


def test_the_site_never_saw_a_request_for_a_bad_item(hostile):
    assert LONG_PATH not in hostile.requests
    for path in hostile.requests:
        assert not re.search(r"passwd|hostname|/x$|alert", path), path
    assert hostile.requests.count("/hostile/redirect.html") == 1  # asked once, not followed


def test_each_bad_item_has_one_fetch_error_naming_it_and_why(hostile):
    hostile_errors = [e for e in hostile.errors if e["source"] == "Hostile"]
    expectations = {
        "javascript": "not an http(s) URL",
        "mailto": "not an http(s) URL",
        "bad port": "port",
        "file passwd": "not an http(s) URL",
        "file hostname": "not an http(s) URL",
        "data": "not an http(s) URL",
        "ftp": "not an http(s) URL",
        "long": "longer than 2083",
    }
    for item in hostile.setup.bad:
        naming = [
            e
            for e in hostile_errors
            if e["url"] == item["link"] or f"Bad item: {item['name']}" in e["reason"]
        ]
        assert len(naming) == 1, (item["name"], naming, hostile_errors)
        assert expectations[item["name"]].lower() in naming[0]["reason"].lower(), naming[0]
    redirect = [
        e for e in hostile_errors if e["url"] in (hostile.setup.redirect, "file:///etc/passwd")
    ]
    assert len(redirect) == 1, hostile_errors
    # Scrapy does not follow a redirect out of http(s); the 302 itself is the failure.
    assert redirect[0]["reason"] == "HTTP 302" or "file" in redirect[0]["reason"], redirect
    # Nothing else failed: one row per bad item and one for the redirect.
    assert len(hostile_errors) == len(hostile.setup.bad) + 1, json.dumps(hostile_errors, indent=1)
    assert [e for e in hostile.errors if e["source"] != "Hostile"] == []


def test_a_canonical_link_into_another_outlet_is_ignored(hostile):
    articles, setup = hostile.articles, hostile.setup
    hijack = articles[setup.hijack]
    assert hijack["source"] == "Outlet B"
    assert "Igla-S" in hijack["title"]
    victim = articles[setup.victim]
    assert victim["source"] == "Outlet A"
    assert victim["title"] == setup.good[setup.victim]
    assert "Igla" not in (victim["body"] or "")
    (revisions,) = hostile.conn.execute(
        "SELECT count(*) FROM article_revisions WHERE article_id = ?", [victim["id"]]
    ).fetchone()
    assert revisions == 0
    stats = json.loads(
        hostile.conn.execute("SELECT stats FROM runs WHERE id = 1").fetchone()["stats"]
    )
    assert stats["sources"]["Outlet B"]["canonical_ignored"] == 1
    assert stats["sources"]["Outlet A"]["skipped_seen"] == 0


def test_a_cp1251_page_declared_utf8_is_stored_as_cyrillic(hostile):
    article = hostile.articles[hostile.setup.russian]
    assert article["title"] == RUSSIAN_TITLE
    body = article["body"]
    assert "\ufffd" not in body and "\ufffd" not in article["title"]
    assert "Раджнат Сингх" in body and "Су-30МКИ" in body and "С-400" in body
    assert article["status"] == "relevant", article["reasons"]
