"""The source registry: the shipped file is valid, and bad entries name file, source and field."""

from __future__ import annotations

import re

import pytest

from crawlers.sources import DEFAULT_SOURCES, SourcesError, load_sources, select_sources
from tests.conftest import run_newswatch


def test_shipped_registry_has_at_least_twenty_enabled_outlets():
    sources = load_sources()
    enabled = select_sources(sources)
    assert len(enabled) >= 20
    assert {s.country for s in enabled} >= {"IN", "RU", "US"}
    assert all((s.feeds or s.queries) and s.language and s.country for s in sources)
    assert {s.kind for s in enabled} >= {"rss", "news-sitemap", "gdelt", "google-news", "listing"}


def write(tmp_path, text):
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD = (
    '[[source]]\nname = "A"\nfeeds = ["https://a.example/feed"]\nlanguage = "en"\ncountry = "IN"\n'
)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GOOD + 'colour = "red"\n', "source 'A': field 'colour': unknown key"),
        (GOOD.replace('name = "A"\n', ""), "source #1: field 'name': missing"),
        (
            GOOD.replace("https://a.example/feed", "a.example/feed"),
            "field 'feeds': not an http(s) URL",
        ),
        (
            GOOD.replace('["https://a.example/feed"]', '"https://a.example/feed"'),
            "field 'feeds': must be a list",
        ),
        (GOOD + 'kind = "json"\n', "field 'kind': 'json' is not one of"),
        (GOOD + "enabled = 1\n", "field 'enabled': must be a bool"),
        (GOOD + 'timezone = "Mars/Olympus"\n', "field 'timezone': 'Mars/Olympus' is not a time"),
        (GOOD + 'domains = ["", 3]\n', "field 'domains': must be a list of strings"),
        (GOOD + GOOD, "source 'A': field 'name': duplicate name"),
        ("[[source]\n", "not valid TOML"),
    ],
)
def test_bad_entry_names_file_source_and_field(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(SourcesError) as error:
        load_sources(path)
    assert str(path) in str(error.value)
    assert message in str(error.value)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('kind = "gdelt"\n', "field 'queries': a gdelt source needs a list of queries"),
        ('kind = "listing"\n', "field 'link_pattern': a listing source needs a link_pattern"),
        ('kind = "listing"\nlink_pattern = "(("\n', "field 'link_pattern': not a regular"),
        ('kind = "google-news"\nqueries = ["x"]\nendpoint = "ftp://x"\n', "field 'endpoint'"),
    ],
)
def test_discovery_entries_are_checked(tmp_path, entry, message):
    with pytest.raises(SourcesError, match=re.escape(message)):
        load_sources(write(tmp_path, GOOD + entry))


def test_aggregators_need_no_feeds(tmp_path):
    text = '[[source]]\nname = "G"\nkind = "gdelt"\nqueries = ["S-400"]\n'
    text += 'language = "en"\ncountry = "IN"\n'
    (source,) = load_sources(write(tmp_path, text))
    assert source.endpoint == "https://api.gdeltproject.org/api/v2/doc/doc"
    assert source.feeds == ()


def test_defaults_of_optional_keys(tmp_path):
    (source,) = load_sources(write(tmp_path, GOOD))
    assert (source.enabled, source.prefilter, source.kind, source.user_agent) == (
        True,
        False,
        None,
        None,
    )


def test_select_by_name_includes_disabled_and_rejects_unknown(tmp_path):
    sources = load_sources(write(tmp_path, GOOD + "enabled = false\n"))
    assert select_sources(sources) == []
    assert [s.name for s in select_sources(sources, ["A"])] == ["A"]
    with pytest.raises(SourcesError, match="unknown source 'B'"):
        select_sources(sources, ["B"])


def test_cli_stops_on_a_bad_registry_with_exit_code_2(tmp_path):
    path = write(tmp_path, GOOD + "enabled = 1\n")
    result = run_newswatch("crawl", "--sources", str(path), "--db", str(tmp_path / "x.db"))
    assert result.returncode == 2
    assert f"{path}: source 'A': field 'enabled': must be a bool" in result.stderr
    assert not (tmp_path / "x.db").exists()


def test_default_registry_path_is_inside_the_package():
    assert DEFAULT_SOURCES.name == "sources.toml"
    assert DEFAULT_SOURCES.parent.name == "crawlers"


def test_extract_overrides_are_compiled_at_load_time(tmp_path):
    text = GOOD + (
        "[source.extract]\n"
        'title = "h1.headline::text"\n'
        'body = "div.story-body > p"\n'
        "date = \"//time[@class='published']/@datetime\"\n"
        "authors = \"string(//span[@class='byline'])\"\n"
        'drop = ["aside.live-updates", "div.also-read"]\n'
    )
    (source,) = load_sources(write(tmp_path, text))
    rules = source.extract
    assert [s.text for s in (rules.title, rules.body, rules.date, rules.authors)] == [
        "h1.headline::text",
        "div.story-body > p",
        "//time[@class='published']/@datetime",
        "string(//span[@class='byline'])",
    ]
    assert [s.text for s in rules.drop] == ["aside.live-updates", "div.also-read"]
    (plain,) = load_sources(write(tmp_path, GOOD))
    assert plain.extract is None


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('colour = "h1"', "field 'extract.colour': unknown key; known: title, body"),
        ("title = 3", "field 'extract.title': must be a selector (a string)"),
        ('body = ""', "field 'extract.body': must be a selector (a string)"),
        ('drop = "aside"', "field 'extract.drop': must be a list of selectors (strings)"),
        ('drop = ["aside", 3]', "field 'extract.drop': must be a list of selectors (strings)"),
        ('body = "div >> p"', "field 'extract.body': 'div >> p': not a CSS selector (Expected"),
        ('drop = ["aside", "p["]', "field 'extract.drop': 'p[': not a CSS selector"),
        (
            'date = "//time[@datetime"',
            "field 'extract.date': '//time[@datetime': not a valid XPath",
        ),
        ('title = "//h1[foo()]"', "field 'extract.title': '//h1[foo()]': not a valid XPath"),
        ('authors = "//a[@rel=$who]"', "field 'extract.authors': '//a[@rel=$who]': not a valid"),
    ],
)
def test_bad_extract_overrides_name_source_and_key_in_one_line(tmp_path, table, message):
    path = write(tmp_path, GOOD + f"[source.extract]\n{table}\n")
    with pytest.raises(SourcesError) as error:
        load_sources(path)
    assert str(error.value).startswith(f"{path}: source 'A': ")
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_extract_must_be_a_table(tmp_path):
    with pytest.raises(SourcesError, match="source 'A': field 'extract': must be a dict"):
        load_sources(write(tmp_path, GOOD + 'extract = "h1"\n'))
