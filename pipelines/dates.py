"""Every date rule of the project: reading publishers' dates and writing them as ISO 8601.

Feeds, sitemaps and article pages spell dates many ways: RFC 822 (also hand-edited,
"Mon,31 Mar 2025", "30Mar 2025"), ISO 8601 / W3C datetimes, unix epochs, and feedparser's
UTC struct_time. All of them are read here into aware datetimes, so that every stored date
carries an offset. A value without one is placed in the source's time zone (UTC when the
source names none). Dates before 1990 or more than a day ahead are placeholders and typos
("0000-00-00", 2999): they are rejected, and counted, so run stats can show them.

    dates = DateReader("Asia/Kolkata")
    dates.first("9999-01-01", "2025-12-04 18:30")  # "2025-12-04T18:30:00+05:30"
    dates.rejected                                  # 1
"""

from __future__ import annotations

import re
import time
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from typing import NamedTuple
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

__all__ = [
    "EARLIEST", "DateReader", "Reading", "Zone", "day_in_url", "is_plausible", "read",
    "utc_iso", "zone",
]  # fmt: skip

Zone = str | tzinfo | None  # an IANA name ("Asia/Kolkata"), a tzinfo, or None for UTC

EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)  # older "news" dates are placeholders (1970)
FUTURE_SLACK = timedelta(days=1)  # clock skew and stories dated ahead; beyond it, typos

# ISO 8601 / W3C datetime anywhere in the value: meta tags and microdata wrap it in text.
_ISO = re.compile(
    r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?"
    r"\s*(Z|[+-]\d{2}(?::?\d{2})?)?",
    re.I,
)
# A day in an article's path: separated ("/2025/02/26/", "-2022-07-15"), People's Daily's
# "/2016/1016/", or eight digits alone or followed by a time or an id (six digits or more).
# htmldate's extract_url_date (which extract() already runs, through find_date) reads only
# the separated form, and the query string too: nine of the seventeen dev reports dated by
# their address this way spell it in one of the other forms (RIA, Sputnik, Rediff…).
_URL_DAYS = (
    re.compile(r"(?<!\d)(\d{4})[/-](\d{2})[/-](\d{2})(?!\d)"),
    re.compile(r"/(\d{4})/(\d{2})(\d{2})/"),
    re.compile(r"(?<!\d)(\d{4})(\d{2})(\d{2})(?=\D|$|\d{6})"),
)
# The Guardian's and the New Indian Express's "/2019/mar/02/".
_URL_NAMED_DAY = re.compile(
    r"/(\d{4})/(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*/(\d{1,2})/", re.I
)
_TIME = r"(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,]\d+)?)?"
_ZONE = r"(?P<offset>[+-]\d{2}(?::?\d{2})?)|(?P<zone>[a-z]{1,5})"
# RFC 822/1123/2822, tolerating the missing or doubled spaces of hand-edited feeds:
# "Mon,31 Mar 2025 10:00:00 +0530", "30Mar 2025", "31 Mar 202510:00 GMT".
_RFC = re.compile(
    r"(?:[a-z]{3,9}\.?\s*,?\s*)?"
    r"(?P<day>\d{1,2})\s*(?P<month>[a-z]{3,9})\.?\s*,?\s*(?P<year>\d{4}|\d{2})"
    rf"(?:\s*,?\s*{_TIME})?\s*(?:{_ZONE})?"
    r"\s*(?:\([^)]*\))?",  # an RFC 2822 comment: "+0530 (IST)"
    re.I,
)
# C's asctime and Java's Date.toString(), found in JSON-LD: "Fri Apr 28 19:20:36 CEST 2023".
_ASCTIME = re.compile(
    r"(?:[a-z]{3,9}\.?,?\s*)?(?P<month>[a-z]{3,9})\.?\s*(?P<day>\d{1,2}),?"
    rf"(?:\s+{_TIME})?(?:\s*(?:{_ZONE}))??\s+(?P<year>\d{{4}})",
    re.I,
)
_EPOCH = re.compile(r"[0-9]{10}|[0-9]{13}")  # seconds or milliseconds, 2001 to 2286
_MONTHS = (
    "january february march april may june july august september october november december"
).split()
# Zone names in hours: RFC 822's, and unambiguous ones seen in European and Russian
# markup. Others ("IST": India, Israel or Ireland? "BST") read as no zone, that is, as
# the source's own time zone.
_ZONE_NAMES = {
    "gmt": 0, "ut": 0, "utc": 0, "z": 0,
    "est": -5, "edt": -4, "cst": -6, "cdt": -5, "mst": -7, "mdt": -6, "pst": -8, "pdt": -7,
    "wet": 0, "west": 1, "cet": 1, "cest": 2, "eet": 2, "eest": 3, "msk": 3,
}  # fmt: skip


class Reading(NamedTuple):
    """What one value said: a plausible date (iso), a rejected one, or nothing at all."""

    iso: str | None  # ISO 8601 in the publisher's own offset, to the second
    rejected: bool = False  # the value spelt a date, but an impossible or implausible one


class _Invalid(Exception):
    """A value shaped like a date whose fields name no moment (0000-00-00, 32 Apr)."""


def zone(tz: Zone) -> tzinfo:
    """The tzinfo for an IANA name, a tzinfo, or None (UTC).

    An unknown name raises ValueError: it is a configuration mistake, and guessing UTC
    would shift every date of the source by hours without anyone noticing.
    """
    if tz is None or tz == "":
        return UTC
    if isinstance(tz, tzinfo):
        return tz
    try:
        return ZoneInfo(tz)
    except (ValueError, KeyError) as exc:  # ZoneInfoNotFoundError is a KeyError
        raise ValueError(f"unknown time zone {tz!r}") from exc


def is_plausible(moment: datetime, now: datetime | None = None) -> bool:
    """Whether an aware datetime can be a news date: from 1990 to a day after now."""
    now = now or datetime.now(UTC)
    try:
        return EARLIEST <= moment <= now + FUTURE_SLACK
    except (OverflowError, TypeError):  # year 9999 with an offset; a naive moment
        return False


def read(value: object, tz: Zone = None, *, now: datetime | None = None) -> Reading:
    """Read any date spelling; never raises on the value, whatever its type.

    tz places zone-less values; epochs and struct_time (both UTC) are shown in it too.
    """
    where = zone(tz)
    try:
        moment = _parse(value, where)
    except (_Invalid, ValueError, OverflowError, OSError):
        return Reading(None, rejected=True)
    if moment is None:
        return Reading(None)
    if not is_plausible(moment, now):
        return Reading(None, rejected=True)
    return Reading(moment.isoformat(timespec="seconds"))


def day_in_url(url: str | None, *, now: datetime | None = None) -> date | None:
    """The day an article's address states, if any: many outlets put their publication
    day in the path ("/2025/02/26/", "-2022-07-15", "/20250813/", "/2016/1016/",
    "/2019/mar/02/", or the day run into a time or an id: "-20200121140910552.htm").
    None when no plausible day is there."""
    try:
        path = urlsplit(url or "").path
    except ValueError:  # "http://[::1" and other addresses that do not parse
        return None
    found = [m.groups() for pattern in _URL_DAYS for m in pattern.finditer(path)]
    for year, month, day in found + _URL_NAMED_DAY.findall(path):
        number = int(month) if month.isdigit() else _month_number(month)
        try:
            moment = datetime(int(year), number, int(day), tzinfo=UTC)
        except ValueError:  # "2014/01/38": an id, not a day
            continue
        if is_plausible(moment, now):
            return moment.date()
    return None


def _month_number(name: str) -> int | None:
    """1 for "Jan" or "January"; None for a word that names no month."""
    return next((n for n, full in enumerate(_MONTHS, 1) if full.startswith(name.lower())), None)


def utc_iso(value: object, tz: Zone = None) -> str | None:
    """The date as "YYYY-MM-DDTHH:MM:SS+00:00": for ordering and filtering, not display.

    Always 25 characters in UTC, so comparing two of them as text compares the moments.
    No plausibility check: the values compared were checked when they were read.
    """
    where = zone(tz)
    try:
        moment = _parse(value, where)
        return moment.astimezone(UTC).isoformat(timespec="seconds") if moment else None
    except (_Invalid, ValueError, OverflowError, OSError):
        return None


class DateReader:
    """Reads the dates of one document (a feed, a page) in its source's time zone,
    counting the rejected ones for the run's stats."""

    def __init__(self, tz: Zone = None, *, now: datetime | None = None) -> None:
        self.tz = zone(tz)  # checked once, up front: a bad name is not a bad date
        self.now = now
        self.rejected = 0

    def read(self, value: object) -> Reading:
        """One value's reading; a rejection is counted."""
        reading = read(value, self.tz, now=self.now)
        self.rejected += reading.rejected
        return reading

    def first(self, *values: object) -> str | None:
        """The first value that is a plausible date, as ISO 8601; later ones are not read."""
        for value in values:
            if iso := self.read(value).iso:
                return iso
        return None


# --- parsing ------------------------------------------------------------------------


def _parse(value: object, where: tzinfo) -> datetime | None:
    """An aware datetime; None when value is no date; _Invalid when its fields are wrong."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=where)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=where)
    if isinstance(value, time.struct_time):
        return _from_struct(value, where)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    if match := _ISO.search(text):
        year, month, day, hour, minute, second, offset = match.groups()
        return _moment(year, month, day, hour, minute, second, stated=_offset(offset) or where)
    if _EPOCH.fullmatch(text):
        seconds = int(text) / (1000 if len(text) == 13 else 1)
        return datetime.fromtimestamp(seconds, UTC).astimezone(where)
    if match := _RFC.fullmatch(text) or _ASCTIME.fullmatch(text):
        return _from_words(match, where)
    return None


def _from_words(match: re.Match[str], where: tzinfo) -> datetime | None:
    """A date with the month in English words (RFC 822, asctime)."""
    day, name, year, hour, minute, second, offset, zone_name = match.group(
        "day", "month", "year", "hour", "minute", "second", "offset", "zone"
    )
    month = _month_number(name)
    if month is None:
        return None  # "5 things 2025": not a date at all
    if len(year) == 2:  # RFC 2822: 00-49 are 2000-2049, 50-99 are 1950-1999
        year = str(int(year) + (2000 if int(year) < 50 else 1900))
    zone_name = (zone_name or "").lower()
    if zone_name in ("am", "pm") and hour:  # not RFC, but hand-written: "10:00 PM"
        hour = str(int(hour) % 12 + (12 if zone_name == "pm" else 0))
    hours = _ZONE_NAMES.get(zone_name)
    stated = timezone(timedelta(hours=hours)) if hours is not None else _offset(offset)
    return _moment(year, str(month), day, hour, minute, second, stated=stated or where)


def _offset(text: str | None) -> tzinfo | None:
    """A stated offset as a tzinfo: Z, +05:30, +0530 or +05 (-0000 is UTC, says RFC 2822)."""
    if not text:
        return None
    if text.upper() == "Z":
        return UTC
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours >= 24 or minutes >= 60:
        raise _Invalid(text)
    delta = timedelta(hours=hours, minutes=minutes)
    return timezone(-delta if text[0] == "-" else delta)


def _moment(*fields: str | None, stated: tzinfo) -> datetime:
    """A datetime from the matched digits: year, month, day, then optional h, m, s."""
    try:
        return datetime(*(int(f or 0) for f in fields), tzinfo=stated)
    except ValueError:
        raise _Invalid(fields) from None


def _from_struct(value: time.struct_time, where: tzinfo) -> datetime:
    """feedparser's *_parsed values are UTC; a struct with tm_gmtoff says its own offset."""
    stated = timezone(timedelta(seconds=value.tm_gmtoff or 0))
    fields = (*value[:5], min(value.tm_sec, 59))  # a leap second: datetime has no :60
    try:
        return datetime(*fields, tzinfo=stated).astimezone(where)
    except ValueError:
        raise _Invalid(value) from None
