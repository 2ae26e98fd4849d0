"""Event evidence pulled from a report: rare names, codes, amounts, day-of-month dates.

Two newsrooms rewriting the same event share few sentences but keep its facts:
the ship's name, the number of engines, the contract value, the day. These keys
are what the looser same-event test compares, and what the entity index is keyed on.
"""

from __future__ import annotations

import re
from datetime import date

MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for m in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
DATE_PATTERNS = [
    re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<mnum>[01]\d)-(?P<day>[0-3]\d)\b"),
    re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b", re.IGNORECASE),
    re.compile(rf"\b{_DAY}\s+{_MONTH},?\s+{_YEAR}\b", re.IGNORECASE),
]
# Day and month without a year ("on December 9", "9 Dec"): the event day when the year is implied.
DAY_MONTH = [
    re.compile(rf"\b{_MONTH}\s+{_DAY}\b(?!\s*(?:,\s*)?\d)", re.IGNORECASE),
    re.compile(rf"\b{_DAY}\s+{_MONTH}\b", re.IGNORECASE),
]
# Where a dateline or "Updated:" stamp sits; later dates are usually history.
DATE_SCAN_CHARS = 600

# Words that start with a capital in nearly every India-Russia report: never evidence.
COMMON_NAMES = frozenset(
    """
    a an the in on at of for to and or but by with from as after before during amid
    this that these those it its he she they we his her their our there here
    india indian indians russia russian russians moscow delhi new kremlin
    prime minister president pm defence defense minister ministry government
    mr mrs ms dr shri smt union raksha mantri official officials news
    monday tuesday wednesday thursday friday saturday sunday
    january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec ist utc
    ani pti ians tass ria reuters updated published read also advertisement
    """.split()
)

TOKEN = re.compile(r"[^\W_][\w.&'’-]*[^\W_]|[^\W_]", re.UNICODE)
NUMBER = re.compile(
    r"(?P<cur>\$|rs\.?\s?|usd\s|inr\s|₹)?(?P<num>\d[\d,]*(?:\.\d+)?)\s?"
    r"(?P<unit>crore|cr|lakh|million|mn|billion|bn|k\b)?",
    re.IGNORECASE,
)
ORDINAL = re.compile(r"^(\d+)(?:st|nd|rd|th|वें|вая|ый|ой|ий)$", re.IGNORECASE)
# A capitalised word right after these starts a sentence or heading: capitals prove nothing.
SENTENCE_START = re.compile(r"(^|[.!?:;\"“|>\n]\s*|\n\s*)$")
AMOUNT = re.compile(r"^\d[\d,.]*(k|cr|crore|mn|bn|lakh)$", re.IGNORECASE)
NON_ALNUM = re.compile(r"[\W_]")
UNIT_NAMES = {"cr": "crore", "mn": "million", "bn": "billion"}


def text_date(text: str) -> date | None:
    """First full date near the start of a text (dateline, "Updated" stamp, ISO marker)."""
    head = text[:DATE_SCAN_CHARS]
    found: list[tuple[int, date]] = []
    for pattern in DATE_PATTERNS:
        for m in pattern.finditer(head):
            month = int(m["mnum"]) if "mnum" in m.groupdict() else MONTHS[m["month"].lower()]
            try:
                found.append((m.start(), date(int(m["year"]), month, int(m["day"]))))
            except ValueError:
                continue
    return min(found)[1] if found else None


def _day_keys(text: str) -> set[str]:
    keys = set()
    for pattern in DATE_PATTERNS[1:] + DAY_MONTH:
        for m in pattern.finditer(text):
            day = int(m["day"])
            if 1 <= day <= 31:
                keys.add(f"day:{MONTHS[m['month'].lower()]:02d}-{day:02d}")
    return keys


def _number_keys(text: str) -> set[str]:
    keys = set()
    for m in NUMBER.finditer(text):
        digits = m["num"].replace(",", "").rstrip(".")
        try:
            value = float(digits)
        except ValueError:
            continue
        unit = (m["unit"] or "").lower()
        unit = UNIT_NAMES.get(unit, unit)
        if unit == "k":
            value, unit = value * 1000, ""
        is_year = not unit and not m["cur"] and "." not in digits and 1900 <= value <= 2100
        if is_year or (value < 100 and not unit and not m["cur"]):
            continue
        keys.add(f"num:{format(value, 'f').rstrip('0').rstrip('.')}{unit}")
    return keys


def _name_keys(text: str) -> set[str]:
    """Capitalised words seen mid-sentence and never in lower case, plus codes and ordinals."""
    matches = list(TOKEN.finditer(text))
    lower_words = {m[0].casefold() for m in matches if m[0][0].islower()}
    mid_sentence = {
        m[0].casefold() for m in matches if not SENTENCE_START.search(text[: m.start()][-3:])
    }
    keys = set()
    for m in matches:
        token = m[0]
        folded = token.casefold().removesuffix("'s").removesuffix("’s").strip(".")
        if AMOUNT.match(token):
            continue  # "35K", "26cr": counted by _number_keys
        if any(c.isdigit() for c in token) and any(c.isalpha() for c in token):
            ordinal = ORDINAL.match(token)
            code = NON_ALNUM.sub("", folded)
            keys.add(f"ord:{ordinal[1]}" if ordinal else f"code:{code}")
        elif (
            token[0].isupper()
            and folded not in COMMON_NAMES
            and folded not in lower_words
            and token.casefold() in mid_sentence
        ):
            keys.add(f"name:{folded}")
    return keys


def entity_keys(title: str, text: str) -> set[str]:
    """Event-specific keys: names (capitalised words never used lower-case), codes
    such as AL-31FP or INDRA-2021, ordinals, amounts with units, and month-day dates."""
    body = f"{title}\n{text}"
    undated = DATE_PATTERNS[0].sub(" ", body)
    return _name_keys(undated) | _number_keys(undated) | _day_keys(body)
