"""Setting overrides are checked against the type of their default, from `-s` and TOML."""

from __future__ import annotations

import tomllib
from typing import Any

import pytest

from crawlers.settingtypes import (
    SettingError,
    check_settings,
    known_settings,
    setting_text,
    settings_args,
)

TOML = "newswatch.toml [settings]"


def from_toml(text: str) -> dict[str, Any]:
    return check_settings(tomllib.loads(text), TOML)


def error(values: dict[str, Any], origin: str = "-s") -> str:
    with pytest.raises(SettingError) as caught:
        check_settings(values, origin)
    message = str(caught.value)
    assert "\n" not in message
    assert isinstance(caught.value, ValueError)
    return message


def parse_args(args: list[str]) -> dict[str, str]:
    """What `newswatch -s NAME=VALUE` hands to check_settings."""
    assert args[::2] == ["-s"] * (len(args) // 2)
    return dict(arg.partition("=")[::2] for arg in args[1::2])


# --- the examples of the documentation


def test_a_bad_number_names_setting_value_type_and_origin() -> None:
    assert error({"DOWNLOAD_TIMEOUT": "abc"}) == "-s DOWNLOAD_TIMEOUT='abc': expected a number"
    message = error({"DOWNLOAD_TIMEOUT": "abc"}, TOML)
    assert message == f"{TOML} DOWNLOAD_TIMEOUT='abc': expected a number"


def test_an_unknown_name_suggests_the_nearest_known_ones() -> None:
    assert error({"DOWNLOAD_TIMOUT": "5"}) == (
        "-s DOWNLOAD_TIMOUT='5': unknown setting (did you mean DOWNLOAD_TIMEOUT?)"
    )
    assert "(did you mean LOG_LEVEL?)" in error({"log_level": "INFO"}, TOML)
    assert "CONCURRENT_REQUESTS_PER_DOMAIN" in error({"CONCURRENT_REQUESTS_PER_IP": "2"})
    assert error({"NO_SUCH_THING_AT_ALL": "1"}).endswith(": unknown setting")


# --- each type, both origins


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("true", True),
        ("False", False),
        ("YES", True),
        ("no", False),
        ("On", True),
        ("off", False),
        ("1", True),
        (" 0 ", False),
    ],
)
def test_booleans_from_the_command_line(text: str, expected: bool) -> None:
    assert check_settings({"ROBOTSTXT_OBEY": text}, "-s") == {"ROBOTSTXT_OBEY": expected}


def test_booleans_from_toml_and_names_ending_in_enabled() -> None:
    assert from_toml("COOKIES_ENABLED = true\nROBOTSTXT_OBEY = 0") == {
        "COOKIES_ENABLED": True,
        "ROBOTSTXT_OBEY": False,
    }
    # Scrapy's default for it is the int 1; it is still a switch.
    assert check_settings({"TELNETCONSOLE_ENABLED": "off"}, "-s") == {
        "TELNETCONSOLE_ENABLED": False
    }
    assert "expected a boolean" in error({"ROBOTSTXT_OBEY": "maybe"})
    assert "expected a boolean" in error({"TELNETCONSOLE_ENABLED": "2"})
    assert "expected a boolean" in error({"ROBOTSTXT_OBEY": 2}, TOML)
    assert "expected a boolean" in error({"ROBOTSTXT_OBEY": ["true"]}, TOML)


def test_integers() -> None:
    assert check_settings({"RETRY_TIMES": "3", "CONCURRENT_REQUESTS": " 8"}, "-s") == {
        "RETRY_TIMES": 3,
        "CONCURRENT_REQUESTS": 8,
    }
    assert from_toml("RETRY_TIMES = 5\nNEWSWATCH_SITEMAP_MAX_ENTRIES = 10") == {
        "RETRY_TIMES": 5,
        "NEWSWATCH_SITEMAP_MAX_ENTRIES": 10,
    }
    assert error({"RETRY_TIMES": "2.5"}) == "-s RETRY_TIMES='2.5': expected an integer"
    assert error({"RETRY_TIMES": "two"}).endswith("expected an integer")
    assert error({"RETRY_TIMES": 2.0}, TOML) == f"{TOML} RETRY_TIMES=2.0: expected an integer"
    assert error({"RETRY_TIMES": True}, TOML).endswith("expected an integer")


def test_numbers_take_ints_and_floats() -> None:
    assert check_settings({"DOWNLOAD_DELAY": "0.5", "AUTOTHROTTLE_MAX_DELAY": "10"}, "-s") == {
        "DOWNLOAD_DELAY": 0.5,
        "AUTOTHROTTLE_MAX_DELAY": 10.0,
    }
    # Scrapy's default is an int, but it reads the setting with getfloat.
    assert from_toml("DOWNLOAD_TIMEOUT = 2.5\nDNS_TIMEOUT = 5") == {
        "DOWNLOAD_TIMEOUT": 2.5,
        "DNS_TIMEOUT": 5.0,
    }
    for bad in ("", "nan", "inf", "1,5"):
        assert error({"DOWNLOAD_DELAY": bad}).endswith("expected a number")
    assert error({"DOWNLOAD_DELAY": False}, TOML).endswith("expected a number")
    assert error({"DOWNLOAD_DELAY": [1]}, TOML).endswith("expected a number")


def test_lists_from_json_commas_and_toml() -> None:
    assert check_settings({"SPIDER_MODULES": '["a.spiders", "b.spiders"]'}, "-s") == {
        "SPIDER_MODULES": ["a.spiders", "b.spiders"]
    }
    assert check_settings({"SPIDER_MODULES": "a.spiders, b.spiders,"}, "-s") == {
        "SPIDER_MODULES": ["a.spiders", "b.spiders"]
    }
    assert check_settings({"SPIDER_MODULES": ""}, "-s") == {"SPIDER_MODULES": []}
    assert from_toml('HTTPCACHE_IGNORE_SCHEMES = ["file", "data"]') == {
        "HTTPCACHE_IGNORE_SCHEMES": ["file", "data"]
    }
    assert "expected a list" in error({"SPIDER_MODULES": '["a", '})
    assert "expected a list" in error({"SPIDER_MODULES": '[["nested"]]'})
    assert "expected a list" in error({"SPIDER_MODULES": {"a": 1}}, TOML)
    assert "expected a list" in error({"SPIDER_MODULES": 5}, TOML)


def test_status_code_lists_hold_integers() -> None:
    assert check_settings({"RETRY_HTTP_CODES": "500, 502,503"}, "-s") == {
        "RETRY_HTTP_CODES": [500, 502, 503]
    }
    assert check_settings({"HTTPCACHE_IGNORE_HTTP_CODES": "[404, 500]"}, "-s") == {
        "HTTPCACHE_IGNORE_HTTP_CODES": [404, 500]
    }
    assert from_toml("HTTPERROR_ALLOWED_CODES = [404]") == {"HTTPERROR_ALLOWED_CODES": [404]}
    assert "expected a list of integer codes" in error({"RETRY_HTTP_CODES": "500,oops"})
    assert "expected a list of integer codes" in error({"RETRY_HTTP_CODES": [500.0]}, TOML)
    assert "expected a list of integer codes" in error({"RETRY_HTTP_CODES": '["x"]'})


def test_tables_from_json_and_toml() -> None:
    assert check_settings({"ITEM_PIPELINES": '{"a.B": 100, "c.D": null}'}, "-s") == {
        "ITEM_PIPELINES": {"a.B": 100, "c.D": None}
    }
    assert from_toml('[DOWNLOAD_SLOTS."example.org"]\ndelay = 2.0\nconcurrency = 1') == {
        "DOWNLOAD_SLOTS": {"example.org": {"delay": 2.0, "concurrency": 1}}
    }
    assert check_settings({"NEWSWATCH_SINCE": '{"gdelt": "2026-01-01"}'}, "-s") == {
        "NEWSWATCH_SINCE": {"gdelt": "2026-01-01"}
    }
    assert "expected a table" in error({"ITEM_PIPELINES": "a.B=100"})
    assert "expected a table" in error({"ITEM_PIPELINES": "[1, 2]"})
    assert "expected a table" in error({"ITEM_PIPELINES": ["a.B"]}, TOML)


def test_strings() -> None:
    assert check_settings({"LOG_LEVEL": "DEBUG", "USER_AGENT": " spaced "}, "-s") == {
        "LOG_LEVEL": "DEBUG",
        "USER_AGENT": " spaced ",
    }
    assert from_toml('HTTPCACHE_DIR = "/var/cache"\nBOT_NAME = 7') == {
        "HTTPCACHE_DIR": "/var/cache",
        "BOT_NAME": "7",
    }
    assert "expected a string" in error({"LOG_LEVEL": ["INFO"]}, TOML)
    assert "expected a string" in error({"LOG_LEVEL": True}, TOML)


def test_settings_without_a_typed_default_are_taken_as_given() -> None:
    assert check_settings({"LOG_FILE": "crawl.log", "JOBDIR": "[x"}, "-s") == {
        "LOG_FILE": "crawl.log",
        "JOBDIR": "[x",
    }
    assert from_toml('FEED_EXPORT_FIELDS = ["title", "url"]') == {
        "FEED_EXPORT_FIELDS": ["title", "url"]
    }


def test_project_defaults_win_over_scrapy_defaults() -> None:
    import crawlers.settings as project

    defaults = known_settings()
    assert defaults["BOT_NAME"] == project.BOT_NAME  # Scrapy's is "scrapybot"
    assert "NEWSWATCH_DB" in defaults and "MEMUSAGE_ENABLED" in defaults


def test_values_of_secret_looking_settings_stay_out_of_messages() -> None:
    assert "hunter2" not in error({"MAIL_PASSWORD": "hunter2"})
    assert "hunter2" not in error({"FTP_PASSWORD": ["hunter2"]}, TOML)


def test_messages_stay_on_one_line() -> None:
    message = error({"RETRY_TIMES": "1\n2" * 100})
    assert message.startswith("-s RETRY_TIMES='1\\n2") and "…" in message


# --- back to `-s` arguments


ROUND_TRIP = """
ROBOTSTXT_OBEY = false
TELNETCONSOLE_ENABLED = true
RETRY_TIMES = 7
DOWNLOAD_TIMEOUT = 2.5
DOWNLOAD_DELAY = 0.1
AUTOTHROTTLE_TARGET_CONCURRENCY = 3
RETRY_HTTP_CODES = [500, 503]
SPIDER_MODULES = ["a, b", "c\\"d", "ünïcode", ""]
HTTPCACHE_IGNORE_SCHEMES = []
TELNETCONSOLE_PORT = [6023, 6024]
NEWSWATCH_SINCE = {}
LOG_LEVEL = "WARNING"
USER_AGENT = "bot = 1, [2]"
HTTPCACHE_DIR = ""
LOG_FILE = "x.log"

[ITEM_PIPELINES]
"a.B" = 100
"c.D" = 200

[DOWNLOAD_SLOTS."example.org"]
delay = 1.5
"""


def test_checked_values_round_trip_through_dash_s() -> None:
    checked = from_toml(ROUND_TRIP)
    args = settings_args(checked)
    assert args[:2] == ["-s", "ROBOTSTXT_OBEY=false"]
    again = check_settings(parse_args(args), "-s")
    assert again == checked
    assert {name: type(value) for name, value in again.items()} == {
        name: type(value) for name, value in checked.items()
    }
    # And a second trip changes nothing.
    assert settings_args(again) == args


def test_command_line_values_round_trip_too() -> None:
    given = {
        "ROBOTSTXT_OBEY": "Yes",
        "DOWNLOAD_TIMEOUT": "30",
        "RETRY_HTTP_CODES": "500,502",
        "ITEM_PIPELINES": '{"a.B": 1}',
    }
    checked = check_settings(given, "-s")
    assert check_settings(parse_args(settings_args(checked)), "-s") == checked


def test_setting_text() -> None:
    assert setting_text(True) == "true"
    assert setting_text(0.1) == "0.1"
    assert setting_text(30) == "30"
    assert setting_text([500, 502]) == "[500,502]"
    assert setting_text({"a": None}) == '{"a":null}'
    assert setting_text("as is") == "as is"
