"""crawlers.extract on small hand-written pages under tests/fixtures/pages/, with and
without a source's extract overrides (in the crawl and in `newswatch extract`)."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawlers.extract import FIELDS, decode_html, extract, extract_file
from crawlers.sources import ExtractOverrides, Source, load_sources
from crawlers.spiders.feeds import FeedSpider
from tests.conftest import run_newswatch

PAGES = Path(__file__).parent / "fixtures" / "pages"
ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")


def page(name: str, url: str | None = None) -> dict:
    return extract_file(PAGES / name, url or f"https://example.org/news/{name}")


def test_json_ld_wins_for_title_dates_and_authors() -> None:
    result = page("jsonld.html")
    assert list(result) == [*FIELDS, "dates_rejected", "path"]
    assert result["dates_rejected"] == 0
    assert result["title"] == "India, Russia agree to speed up S-400 deliveries"
    assert result["published"] == "2025-05-09T20:13:05+05:30"
    assert result["modified"] == "2025-05-10T09:00:00+05:30"
    # One author is an @id reference to a Person node of the @graph, one has "By ".
    assert result["authors"] == ["Ravi Kumar", "Anna Petrova"]
    assert result["canonical_url"] == "https://example.org/news/s400-deliveries"
    assert result["image"] == "https://example.org/img/s400.jpg"
    assert result["publisher"] == "Defence Desk"
    assert result["section"] == "Defence"
    assert result["language"] == "en"
    assert result["summary"].startswith("Two remaining squadrons")
    paragraphs = result["body"].split("\n\n")
    assert len(paragraphs) == 4
    assert paragraphs[0].startswith("India and Russia agreed on Friday")
    assert "Defence Desk" not in result["body"]


def test_opengraph_only_page() -> None:
    result = page("opengraph.html")
    assert result["title"] == "BrahMos export order signed"  # "| Strategic Times" removed
    assert result["published"] == "2025-03-14T10:30:00+01:00"
    assert result["authors"] == ["Anna Petrova", "Ravi Kumar"]  # split, no "By", no e-mail
    assert result["canonical_url"] == "https://strategic.example/2025/brahmos-export"
    assert result["section"] == "Missiles"
    assert result["publisher"] == "Strategic Times"
    assert result["summary"] == "A second country has ordered the Indo-Russian missile."
    assert result["body"].startswith("BrahMos Aerospace, the Indo-Russian joint venture")
    assert result["body"].count("\n\n") == 2


def test_bare_html_page() -> None:
    result = page("bare.html")
    assert result["title"] == "Su-30MKI upgrade cleared"
    assert result["body"].startswith("The Cabinet Committee on Security")
    assert result["body"].endswith("if Russian components arrive on time.")
    assert result["published"] is None
    assert result["authors"] == []
    assert result["canonical_url"] == "https://example.org/news/bare.html"


def test_amp_page_points_to_canonical_page() -> None:
    amp_url = "https://navywatch.example/amp/news/tamal-commissioned"
    result = page("amp.html", amp_url)
    assert result["url"] == amp_url
    assert result["canonical_url"] == "https://navywatch.example/news/tamal-commissioned"
    assert result["title"] == "Talwar-class frigate Tamal commissioned"
    assert "Yantar shipyard" in result["body"]
    assert result["published"] is None  # no "2018-01-01" guessed from the text


def test_windows_1252_page_is_not_mojibake() -> None:
    raw = (PAGES / "cp1252.html").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    result = page("cp1252.html")
    assert result["title"] == "Défense : l’Inde et la Russie prolongent leur coopération"
    assert "« pilier stratégique »" in result["body"]
    assert "Ã" not in result["body"]


def test_utf8_devanagari_page() -> None:
    result = page("hindi.html")
    assert result["title"] == "भारत और रूस के बीच एस-400 पर समझौता"
    assert "ब्रह्मोस सुपरसोनिक क्रूज मिसाइल" in result["body"]
    assert result["language"] == "hi"
    assert result["published"] == "2025-06-02T11:00:00+05:30"


def test_utf8_cyrillic_page_without_declared_language() -> None:
    result = page("russian.html")
    assert result["title"] == "Россия и Индия ускорят поставки С-400"
    assert "«Триумф»" in result["body"]
    assert result["language"] == "ru"


def test_sidebar_headlines_stay_out_of_body() -> None:
    result = page("sidebar.html")
    assert result["title"] == "Kamov helicopter deal revived"
    assert "Kamov Ka-226T" in result["body"]
    for headline in ("Most read", "torpedo", "Igla-S", "Defence budget", "Home"):
        assert headline not in result["body"]


def test_extract_file_reads_gzip_and_defaults_url_to_canonical() -> None:
    result = extract_file(PAGES / "article.html.gz")
    assert result["url"] == "https://armsmonitor.example/ak203-service"
    assert result["path"] == str(PAGES / "article.html.gz")
    assert result["title"] == "Indo-Russian AK-203 rifles enter service"
    assert result["published"] == "2025-02-20T00:00:00+00:00"
    assert "India’s Advanced Weapons and Equipment" in result["body"]


def test_extract_file_without_canonical_uses_file_uri(tmp_path: Path) -> None:
    target = tmp_path / "copy.html.gz"
    target.write_bytes(gzip.compress((PAGES / "bare.html").read_bytes()))
    result = extract_file(target)
    assert result["url"] == target.resolve().as_uri()
    assert result["title"] == "Su-30MKI upgrade cleared"


@pytest.mark.parametrize("name", ["jsonld.html", "opengraph.html", "hindi.html"])
def test_dates_carry_an_offset(name: str) -> None:
    assert ISO_WITH_OFFSET.match(page(name)["published"])


@pytest.mark.parametrize(
    "html",
    [b"", "", b"\x00\xff\xfe\x00garbage<<>>", "<html><p>unclosed", "<<<>>>", b"\x1f\x8b\x08"],
)
def test_broken_input_never_raises(html: bytes | str) -> None:
    result = extract(html, "https://example.org/broken")
    assert list(result) == [*FIELDS, "dates_rejected"]
    assert result["url"] == "https://example.org/broken"
    assert result["authors"] == []
    assert result["published"] is None


def test_fallback_fills_what_the_page_lacks() -> None:
    feed = {
        "title": "Feed title",
        "published": "Fri, 09 May 2025 14:43:05 GMT",
        "summary": "From the feed.",
        "authors": ["By Anna Petrova", "Ravi Kumar"],
    }
    empty = extract(b"", "https://example.org/a", fallback=feed)
    assert empty["title"] == "Feed title"
    assert empty["published"] == "2025-05-09T14:43:05+00:00"
    assert empty["summary"] == "From the feed."
    assert empty["authors"] == ["Anna Petrova", "Ravi Kumar"]
    # The page's own values win over the feed's.
    html = (PAGES / "jsonld.html").read_bytes()
    full = extract(html, "https://example.org/news/s400", fallback=feed)
    assert full["title"] == "India, Russia agree to speed up S-400 deliveries"
    assert full["authors"] == ["Ravi Kumar", "Anna Petrova"]


def test_implausible_json_ld_date_gives_way_to_the_meta_tag() -> None:
    html = """<html><head>
    <script type="application/ld+json">{"@type": "NewsArticle", "headline": "S-400 talks",
     "datePublished": "9999-01-01T00:00:00Z"}</script>
    <meta property="article:published_time" content="2025-03-14T10:30:00">
    </head><body><h1>S-400 talks</h1><p>India and Russia talked.</p></body></html>"""
    result = extract(html, "https://example.org/a", tz="Asia/Kolkata")
    # The year 9999 is skipped like an unreadable date; the zone-less meta tag is local time.
    assert result["published"] == "2025-03-14T10:30:00+05:30"
    assert result["dates_rejected"] == 1


def test_implausible_fallback_date_is_counted_not_kept() -> None:
    result = extract(b"", "https://example.org/a", fallback={"published": "0000-00-00"})
    assert result["published"] is None
    assert result["dates_rejected"] == 1


def test_declared_http_charset_that_does_not_fit_the_bytes() -> None:
    text = "<html><body><p>" + "Россия поставит Индии комплексы С-400. " * 20 + "</p></body></html>"
    # The server says UTF-8, the page is Windows-1251: the bytes win, no U+FFFD.
    result = extract(text.encode("cp1251"), "https://example.ru/a", encoding="utf-8")
    assert "Россия поставит Индии" in result["body"]
    assert "\ufffd" not in result["body"]


def test_declared_http_charset_is_used_for_bytes() -> None:
    html = "<html><head><title>Россия и Индия</title></head><body><p>С-400</p></body></html>"
    # Too short to guess: without the header's charset KOI8-R reads as CJK.
    result = extract(html.encode("koi8-r"), "https://example.ru/a", encoding="koi8-r")
    assert result["title"] == "Россия и Индия"


class TestDecodeHtml:
    TEXT = "<html><head>{meta}</head><body><p>“S-400” — défense</p></body></html>"

    def test_meta_charset(self) -> None:
        data = self.TEXT.format(meta='<meta charset="windows-1252">').encode("cp1252")
        assert "“S-400” — défense" in decode_html(data)

    def test_http_equiv_latin1_label_means_windows_1252(self) -> None:
        meta = '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'
        data = self.TEXT.format(meta=meta).encode("cp1252")
        assert "“S-400” — défense" in decode_html(data)

    def test_declared_charset_from_http(self) -> None:
        data = self.TEXT.format(meta="").encode("cp1252")
        assert "“S-400” — défense" in decode_html(data, "windows-1252")

    def test_bom(self) -> None:
        data = self.TEXT.format(meta="").encode("utf-8-sig")
        assert decode_html(data).startswith("<html>")

    def test_stale_legacy_label_on_utf8_bytes(self) -> None:
        data = self.TEXT.format(meta='<meta charset="iso-8859-15">').encode("utf-8")
        assert "“S-400” — défense" in decode_html(data)

    def test_undeclared_legacy_bytes_are_detected(self) -> None:
        text = (
            "<html><body><p>"
            + "Россия поставит Индии комплексы С-400. " * 20
            + "</p></body></html>"
        )
        assert "Россия поставит Индии" in decode_html(text.encode("cp1251"))


# --- choosing between title and author sources -------------------------------------


def test_kicker_dropped_when_og_title_lacks_it_and_visible_byline_beats_outlet() -> None:
    result = page("kicker.html", "https://defencedesk.example/news/s400")
    # JSON-LD and <h1> carry the kicker "Air defence:", og:title states the headline alone.
    assert result["title"] == "India orders two more S-400 squadrons"
    # JSON-LD names only the outlet: the byline names the person; the desk ("Defence
    # Desk Moskau"), the date and the teaser's author further down do not count.
    assert result["authors"] == ["Anna Petrova"]


def test_longer_seo_variant_gives_way_to_its_prefix() -> None:
    html = (PAGES / "kicker.html").read_text()
    html = html.replace("Air defence: India orders two more S-400 squadrons", "X")
    html = html.replace(
        '"headline": "X"', '"headline": "India orders two more S-400 squadrons by 2028"'
    )
    assert extract(html, "https://defencedesk.example/a")["title"] == (
        "India orders two more S-400 squadrons"
    )


def test_h1_in_breadcrumb_and_headline_in_next_h2() -> None:
    result = page("breadcrumb_h1.html", "https://strategic.example/news/s400")
    # The breadcrumb's <h1> repeats the JSON-LD headline; the reader sees og:title.
    assert result["title"] == "Two more S-400 squadrons for India by 2028"
    # A web address is no author; the bold name paragraph closing the text is the byline.
    assert result["authors"] == ["Mohan Rao", "Elena Sokolova"]


def test_og_title_shown_as_h1_beats_json_ld_headline() -> None:
    result = page("h1_vote.html", "https://rotor.example/news/s400")
    assert result["title"] == "India and Russia seal S-400 follow-on order"
    # The author tag repeats the publisher tag; the details list names the author.
    assert result["authors"] == ["Mohan Rao"]


def test_json_ld_alternative_headline_vouches_for_its_headline() -> None:
    html = (
        (PAGES / "h1_vote.html")
        .read_text()
        .replace(
            '"headline": "India signs S-400 deal with Russia"',
            '"headline": "India signs S-400 deal with Russia",'
            ' "alternativeHeadline": "S-400: India signs follow-on deal"',
        )
    )
    assert extract(html, "https://rotor.example/a")["title"] == "India signs S-400 deal with Russia"


def test_invisible_characters_ignored_when_comparing_but_kept() -> None:
    html = (PAGES / "h1_vote.html").read_text()
    html = html.replace(
        'content="India and Russia seal S-400 follow-on order"',
        'content="India and Russia seal S-400 follow-on or\u00adder"',
    )
    # og:title has a soft hyphen the <h1> lacks: still the same headline.
    title = extract(html, "https://rotor.example/a")["title"]
    assert title == "India and Russia seal S-400 follow-on or\u00adder"


@pytest.mark.parametrize(
    ("byline", "names"),
    [
        ("Ursula von der Leyen", ["Ursula von der Leyen"]),
        ("capital von Jemima Kelly 05. November 2024", ["Jemima Kelly"]),
        ("By Jean de la Fontaine and Anna Smith | 3 May", ["Jean de la Fontaine", "Anna Smith"]),
        ("Foto: Bild: SN/APA/Keystone", []),
        ("Veröffentlicht am 3. Mai", []),
    ],
)
def test_visible_byline_text(byline: str, names: list[str]) -> None:
    html = (
        (PAGES / "kicker.html")
        .read_text()
        .replace("Von Anna Petrova, Defence Desk Moskau | 12.05.2025", byline)
    )
    authors = extract(html, "https://defencedesk.example/a")["authors"]
    assert authors == (names or ["Defence Desk"])


# --- per-source overrides (the [source.extract] table of sources.toml) --------------

OVERRIDES_URL = "https://courier.example/defence/s400-third"
OVERRIDES_TITLE = "Third S-400 squadron to reach Rajasthan before the monsoon"
OVERRIDES_BODY = (
    "The third squadron of S-400 air defence systems will be deployed in Rajasthan before "
    "the monsoon, two officials said on Monday.\n\n"
    "The radars and launchers left the Russian port on a chartered ship last month."
)


def courier(tmp_path: Path, table: str) -> Source:
    """A source with an extract table, as the registry loads it from a sources file."""
    path = tmp_path / "sources.toml"
    path.write_text(
        '[[source]]\nname = "Courier"\nfeeds = ["https://courier.example/feed"]\n'
        'language = "en"\ncountry = "IN"\ntimezone = "Asia/Kolkata"\n'
        f"[source.extract]\n{table}\n",
        encoding="utf-8",
    )
    (source,) = load_sources(path)
    return source


def overrides(tmp_path: Path, table: str) -> ExtractOverrides:
    overrides = courier(tmp_path, table).extract
    assert overrides is not None
    return overrides


def test_the_generic_cascade_is_misled_by_the_overrides_page() -> None:
    result = page("overrides.html", OVERRIDES_URL)
    # The CMS states the section's title and date and the outlet as author; the byline
    # names two people in two elements; a column outweighs the short story.
    assert result["title"] == "Defence news, analysis and opinion"
    assert result["published"] == "2019-01-01T00:00:00+05:30"
    assert result["authors"] == ["Kavita Menon"]
    assert "Every generation of planners" in result["body"]


def test_overrides_give_title_body_date_and_authors(tmp_path: Path) -> None:
    rules = overrides(
        tmp_path,
        'title = "h2.story-title"\n'
        'body = "div.story-text p"\n'
        'date = "span.story-time::attr(data-published)"\n'
        "authors = \"//span[@class='story-author']\"\n",
    )
    result = extract_file(PAGES / "overrides.html", OVERRIDES_URL, overrides=rules)
    assert result["title"] == OVERRIDES_TITLE
    assert result["body"] == OVERRIDES_BODY
    assert result["published"] == "2025-05-12T08:15:00+05:30"
    assert result["authors"] == ["Kavita Menon", "Oleg Smirnov"]
    # Fields without a selector still come from the cascade.
    assert result["canonical_url"] == OVERRIDES_URL
    assert result["publisher"] == "Frontier Courier"
    assert result["language"] == "en"


def test_drop_removes_elements_before_the_generic_extraction(tmp_path: Path) -> None:
    rules = overrides(tmp_path, 'drop = ["section.opinion-rail", "//span[@class=\'kicker\']"]')
    result = extract_file(PAGES / "overrides.html", OVERRIDES_URL, overrides=rules)
    assert result["body"].endswith(OVERRIDES_BODY)
    assert "planners" not in result["body"]
    assert "Air defence" not in result["body"]
    assert result["title"] == "Defence news, analysis and opinion"  # no title selector


def test_a_selector_that_finds_nothing_falls_back_to_the_cascade(tmp_path: Path) -> None:
    rules = overrides(tmp_path, 'title = "h1.headline"\ndate = "time::attr(datetime)"')
    result = extract_file(PAGES / "overrides.html", OVERRIDES_URL, overrides=rules)
    assert result["title"] == "Defence news, analysis and opinion"
    assert result["published"] == "2019-01-01T00:00:00+05:30"


def test_a_whole_container_as_body_gives_one_paragraph_per_block(tmp_path: Path) -> None:
    html = (
        (PAGES / "overrides.html")
        .read_text()
        .replace(
            "chartered ship last month.</p>",
            "chartered ship last month.<br>Delivery <b>is</b> due in June.</p><script>x()</script>",
        )
    )
    rules = overrides(tmp_path, 'body = "div.story-text"')
    result = extract(html, OVERRIDES_URL, overrides=rules)
    assert result["body"].split("\n\n")[1:] == [
        "The radars and launchers left the Russian port on a chartered ship last month.",
        "Delivery is due in June.",
    ]


def test_the_crawl_extracts_with_the_source_overrides(tmp_path: Path) -> None:
    source = courier(tmp_path, 'title = "h2.story-title"\nbody = "div.story-text p"')
    crawler = get_crawler(FeedSpider, {"NEWSWATCH_DB": str(tmp_path / "news.db")})
    spider = FeedSpider.from_crawler(crawler, sources=[source])
    request = Request(
        OVERRIDES_URL, meta={"source": source, "feed_url": source.feeds[0], "fallback": {}}
    )
    response = HtmlResponse(
        OVERRIDES_URL,
        body=(PAGES / "overrides.html").read_bytes(),
        headers={"Content-Type": "text/html; charset=utf-8"},
        request=request,
    )
    (article,) = spider.parse_article(response)
    assert (article.title, article.body) == (OVERRIDES_TITLE, OVERRIDES_BODY)


def test_newswatch_extract_with_a_source_applies_its_overrides(tmp_path: Path) -> None:
    courier(tmp_path, 'title = "h2.story-title"\ndate = "span.story-time"')
    sources = str(tmp_path / "sources.toml")
    target = str(PAGES / "overrides.html")
    result = run_newswatch("extract", target, "--source", "Courier", "--sources", sources)
    assert result.returncode == 0, result.stderr
    fields = json.loads(result.stdout)
    assert fields["title"] == OVERRIDES_TITLE
    # The text "12 May 2025" read in the source's time zone.
    assert fields["published"] == "2025-05-12T00:00:00+05:30"
    plain = json.loads(run_newswatch("extract", target).stdout)
    assert plain["title"] == "Defence news, analysis and opinion"
    unknown = run_newswatch("extract", target, "--source", "Nope", "--sources", sources)
    assert unknown.returncode == 2
    assert "unknown source 'Nope'" in unknown.stderr
