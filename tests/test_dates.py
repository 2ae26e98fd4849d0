"""pipelines.dates: every date spelling we meet, time zones, plausibility, the UTC form."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from pipelines.dates import DateReader, Reading, day_in_url, is_plausible, read, utc_iso, zone

NOW = datetime(2025, 12, 4, 12, 0, tzinfo=UTC)


def iso(value: object, tz: str | None = None) -> str | None:
    return read(value, tz, now=NOW).iso


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # RFC 822 / 1123 / 2822, as feeds write them, and as hand-edited feeds do.
        ("Thu, 04 Dec 2025 18:30:00 +0530", "2025-12-04T18:30:00+05:30"),
        ("Thu, 04 Dec 2025 13:00:00 GMT", "2025-12-04T13:00:00+00:00"),
        ("04 Dec 2025 08:00 EST", "2025-12-04T08:00:00-05:00"),
        ("Thursday, 4 December 2025 18:30:00 +05:30", "2025-12-04T18:30:00+05:30"),
        ("Mon,31 Mar 2025 10:00:00 +0530", "2025-03-31T10:00:00+05:30"),
        ("30Mar 2025", "2025-03-30T00:00:00+00:00"),
        ("31 Mar 202510:00:00 +0530", "2025-03-31T10:00:00+05:30"),
        ("  Mon, 31 Mar  2025\n 10:00:00 +0530 ", "2025-03-31T10:00:00+05:30"),
        ("Thu, 04 Dec 25 18:30:00 +0530", "2025-12-04T18:30:00+05:30"),  # two-digit year
        ("Thu, 04 Dec 2025 18:30:00 -0000", "2025-12-04T18:30:00+00:00"),  # RFC 2822: UTC
        ("Thu, 04 Dec 2025 18:30:00 +0530 (IST)", "2025-12-04T18:30:00+05:30"),
        ("Thu, 04 Dec 2025 06:30 PM", "2025-12-04T18:30:00+00:00"),
        # asctime and Java's Date.toString(), seen in JSON-LD.
        ("Fri Apr 28 19:20:36 CEST 2023", "2023-04-28T19:20:36+02:00"),
        ("Sun Nov  6 08:49:37 1994", "1994-11-06T08:49:37+00:00"),
        # ISO 8601 / W3C datetime.
        ("2025-12-04", "2025-12-04T00:00:00+00:00"),
        ("2025-12-04T18:30", "2025-12-04T18:30:00+00:00"),
        ("2025-12-04T18:30:15", "2025-12-04T18:30:15+00:00"),
        ("2025-12-04T18:30:15.123456Z", "2025-12-04T18:30:15+00:00"),
        ("2025-12-04T18:30:00+05:30", "2025-12-04T18:30:00+05:30"),
        ("2025-12-04T18:30:00+0530", "2025-12-04T18:30:00+05:30"),
        ("2025-12-04T18:30:00+05", "2025-12-04T18:30:00+05:00"),
        ("2025-12-04 18:30:00-03:00", "2025-12-04T18:30:00-03:00"),
        ("Updated: 2025-12-04 18:30 IST", "2025-12-04T18:30:00+00:00"),  # in text
        # Unix epochs: seconds and milliseconds.
        ("1764851400", "2025-12-04T12:30:00+00:00"),
        ("1764851400123", "2025-12-04T12:30:00+00:00"),
        (1764851400, "2025-12-04T12:30:00+00:00"),
        # Objects.
        (
            datetime(2025, 12, 4, 18, 30, tzinfo=ZoneInfo("Asia/Kolkata")),
            "2025-12-04T18:30:00+05:30",
        ),
        (datetime(2025, 12, 4, 18, 30), "2025-12-04T18:30:00+00:00"),
        (date(2025, 12, 4), "2025-12-04T00:00:00+00:00"),
        (time.gmtime(1764851400), "2025-12-04T12:30:00+00:00"),  # feedparser's *_parsed
        (time.struct_time((2025, 12, 4, 12, 30, 0, 3, 338, 0)), "2025-12-04T12:30:00+00:00"),
    ],
)
def test_spellings(value: object, expected: str) -> None:
    assert iso(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-12-04 18:30", "2025-12-04T18:30:00+05:30"),
        ("Thu, 04 Dec 2025 18:30:00", "2025-12-04T18:30:00+05:30"),
        ("Thu, 04 Dec 2025 18:30:00 IST", "2025-12-04T18:30:00+05:30"),  # ambiguous name
        (datetime(2025, 12, 4, 18, 30), "2025-12-04T18:30:00+05:30"),
        # A stated offset is kept, not converted.
        ("2025-12-04T13:00:00Z", "2025-12-04T13:00:00+00:00"),
        ("Thu, 04 Dec 2025 16:00:00 +0300", "2025-12-04T16:00:00+03:00"),
        # Epochs and struct_time are UTC moments: shown in the source's zone.
        ("1764851400", "2025-12-04T18:00:00+05:30"),
        (time.gmtime(1764851400), "2025-12-04T18:00:00+05:30"),
    ],
)
def test_zone_less_values_are_placed_in_the_source_zone(value: object, expected: str) -> None:
    assert iso(value, "Asia/Kolkata") == expected


def test_zone_accepts_names_tzinfo_and_none() -> None:
    assert zone(None) is UTC
    assert zone("Europe/Moscow") == ZoneInfo("Europe/Moscow")
    fixed = timezone(timedelta(hours=3))
    assert read("2025-12-04 10:00", fixed, now=NOW).iso == "2025-12-04T10:00:00+03:00"
    with pytest.raises(ValueError, match="unknown time zone"):
        zone("Asia/Atlantis")  # a configuration mistake, not a bad date


@pytest.mark.parametrize(
    "value",
    [
        "1900-01-01",
        "1989-12-31T23:59:59Z",
        "Thu, 01 Jan 1970 00:00:00 GMT",
        "2999-01-01",
        "9999-12-31T23:59:59-12:00",  # beyond datetime's range once in UTC
        "Tue, 12 Apr 9999 09:30:00 +0530",
        "0000-00-00",
        "0000-00-00 00:00:00",
        "2025-02-30",
        "2025-13-01",
        "2025-12-04T25:00:00",
        "2025-12-04T10:00:00+25:00",
        "Thu, 32 Dec 2025 10:00:00 GMT",
        (NOW + timedelta(days=2)).isoformat(),
        time.struct_time((0, 0, 0, 0, 0, 0, 0, 0, 0)),
        datetime(1900, 1, 1),
    ],
)
def test_impossible_and_implausible_dates_are_none(value: object) -> None:
    assert iso(value) is None


@pytest.mark.parametrize(
    "value",
    ["0000-00-00", "2999-01-01", "1900-01-01", "2025-02-30", "Tue, 12 Apr 9999 09:30:00 GMT"],
)
def test_impossible_and_implausible_dates_are_rejected(value: str) -> None:
    assert read(value, now=NOW) == Reading(None, rejected=True)


@pytest.mark.parametrize(
    "value",
    [None, "", "   ", "n/a", "yesterday", "5 things 2025", "12345", "2025", 3.5, True,
     b"2025-12-04", ["2025-12-04"], {"date": "2025-12-04"}, object()],
)  # fmt: skip
def test_garbage_and_other_types_are_no_date_not_a_rejection(value: object) -> None:
    assert read(value, now=NOW) == Reading(None, rejected=False)


def test_plausible_window_is_1990_to_a_day_ahead() -> None:
    assert is_plausible(datetime(1990, 1, 1, tzinfo=UTC), NOW)
    assert is_plausible(NOW + timedelta(hours=23), NOW)
    assert not is_plausible(NOW + timedelta(days=1, seconds=1), NOW)
    assert not is_plausible(datetime(1989, 12, 31, 23, 59, tzinfo=UTC), NOW)
    # Without an injected now, the clock decides.
    assert read((datetime.now(UTC) + timedelta(hours=1)).isoformat()).iso
    assert read((datetime.now(UTC) + timedelta(days=2)).isoformat()).rejected


def test_reader_counts_rejections_and_skips_them() -> None:
    dates = DateReader("Asia/Kolkata", now=NOW)
    assert dates.first("9999-01-01", "garbage", None, "0000-00-00", "2025-12-04 18:30") == (
        "2025-12-04T18:30:00+05:30"
    )
    assert dates.rejected == 2
    assert dates.first("2025-12-01", "2999-01-01") == "2025-12-01T00:00:00+05:30"
    assert dates.rejected == 2  # values after the first good one are not read
    assert dates.first() is None
    assert dates.read("1900-01-01") == Reading(None, rejected=True)
    assert dates.rejected == 3


def test_utc_form_is_fixed_width_and_sorts_as_time() -> None:
    assert utc_iso("2025-12-04T18:30:00+05:30") == "2025-12-04T13:00:00+00:00"
    assert utc_iso("2025-12-04 18:30", "Asia/Kolkata") == "2025-12-04T13:00:00+00:00"
    assert utc_iso(datetime(2025, 12, 4, 13, 0)) == "2025-12-04T13:00:00+00:00"
    assert utc_iso("garbage") is None
    assert utc_iso("0000-00-00") is None
    in_time_order = [
        "2025-12-05T00:30:00+14:00",  # 10:30 UTC, though on the next calendar day
        "2025-12-03T23:30:00-12:00",  # 11:30 UTC, though on the day before
        "1764851400",  # 12:30 UTC
        "Thu, 04 Dec 2025 12:59:59 GMT",
        "2025-12-04T18:30:00+05:30",  # 13:00 UTC
        "2025-12-04T08:00:01-05:00",  # 13:00:01 UTC
    ]
    # As the publishers spell them, text order is not time order...
    assert sorted(in_time_order[:2] + in_time_order[4:]) != in_time_order[:2] + in_time_order[4:]
    # ...in the UTC form it is.
    forms = [utc_iso(value) for value in in_time_order]
    assert all(form and len(form) == 25 for form in forms)
    assert sorted(forms) == forms


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.example.in/2025/02/26/ins-tamal/", date(2025, 2, 26)),
        ("https://example.com/news/s-400-waiver-1975894-2022-07-15", date(2022, 7, 15)),
        ("https://example.ru/20250813/indiya-2034929578.html", date(2025, 8, 13)),
        ("http://en.example.cn/n3/2016/1016/c90000-9127776.html", date(2016, 10, 16)),
        ("https://example.vn/su-30-mki-brahmos-20200121140910552.htm", date(2020, 1, 21)),
        ("https://example.com/india/202006171079641330-75-member-contingent", date(2020, 6, 17)),
        ("https://example.com/report/caatsa-waiver/20220715.htm", date(2022, 7, 15)),
        ("http://www.example.com/nation/2019/mar/02/kalashnikov-unit", date(2019, 3, 2)),
        ("https://example.co.uk/world/2024/December/9/tushil", date(2024, 12, 9)),
    ],
)
def test_days_in_article_addresses(url: str, expected: date) -> None:
    assert day_in_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/News/2020/01/20140138/1065595/base.vpf",  # a month, then an id
        "https://example.com/article/3321326/india-downed-six",  # an id
        "https://example.com/2999/01/01/typo",  # not yet
        "https://example.com/2019/feb/30/no-such-day",
        "https://example.com/1970/01/01/placeholder",
        "https://example.com/a?day=2020-01-01",  # a query says nothing of the page's day
        "http://[::1",  # does not parse
        "",
        None,
    ],
)
def test_addresses_without_a_day(url: str | None) -> None:
    assert day_in_url(url, now=datetime(2026, 12, 1, tzinfo=UTC)) is None
