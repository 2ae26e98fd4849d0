"""What a report says about its event, in a form that does not depend on its language.

Two reports of one event, one in Russian and one in Hindi, share few words but name the
same people, places, systems and exercises (the lexicon maps their spellings in every
script to one canonical name), state the same amounts and dates (read in any script and
unit by pipelines/facts.py), and agree on whether the event is coming or done. That is
the evidence the story matcher compares; computing it is pure CPU work on one article.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from pipelines.acts import act_of
from pipelines.dates import day_in_url, read
from pipelines.facts import StatedDate, ascii_digits, facts, stated_weekdays
from pipelines.lexicon import Lexicon
from pipelines.shingles import band_keys, body_hash, latin, minhash, shingles, words
from pipelines.tense import announced, statement
from pipelines.topic import THEMES, Classifier

# Lexicon kinds that name a participant, place or occasion of an event.
ENTITY_KINDS = frozenset({"system", "org", "person", "place", "event", "ship", "unit"})
# Where a mention sits decides how much it says about the event: the headline names it.
TITLE_WEIGHT, LEAD_WEIGHT, BODY_WEIGHT = 3.0, 2.0, 1.0
LEAD_CHARS = 400
LEAD_TOKENS = 50  # the opening words a partial copy must repeat
# Dates and weekdays this close to the start are the report's own (dateline, "on Monday, 5 Dec");
# later ones are mostly background.
DATE_SCAN_CHARS = 600
# A named event's year written right after (or before) its name: "Zapad-2021", "INDRA
# NAVY-21", "Aero India 2025", "2018 AviaIndra".
_YEAR_AFTER = re.compile(r"^[\s\-–‑]*(?:'|’)?((?:19|20)\d\d|\d\d)(?!\d)")
_YEAR_BEFORE = re.compile(r"((?:19|20)\d\d)[\s\-–‑]*$")
_MARKER = re.compile(r"\bdate (\d{4}-\d\d(?:-\d\d)?)\b")
# "Updated: ", "Last updated on Thursday, ", "обновлено", right before a date.
_UPDATED = re.compile(r"(?:updated|modified|обновлено|अपडेट)[^\n\d]{0,16}$", re.I)
_MIN_TOKEN = 3
# A span of this many years is a period that figures cover ("2021–25": the arms-transfer
# data's five-year windows). The latest one a report states says which edition of a
# yearly statistic it reports: this year's figures and last year's are two stories.
PERIOD_SPANS = range(3, 10)
# Words that open or fill headlines in the languages we read, once transliterated.
_STOPWORDS = frozenset(
    """
    the and for with from that this after over amid into says said will new its
    india indian indias russia russian russias moscow delhi minister defence defense
    rossii rossiia indii indiia rossiiskii indiiskii dlia na po ot chto kak
    bharat bhart bharata rus rusa roos ke ki ka ko se mein par aur hai hain
    """.split()
)
# The lead: up to the first paragraph break within LEAD_PARAGRAPH characters, else
# LEAD_CHARS; names are capitalised words in Latin or Cyrillic script.
LEAD_PARAGRAPH = 700
_NAME = re.compile(r"(?<![\w.])([A-ZА-ЯЁІЇЄ][\w’'-]{2,})")
_SENTENCE_START = frozenset('.!?:;"“«(\n|-–—')
# Capitalised in nearly every report of ours: no name of an event.
_COMMON_NAMES = frozenset(
    """
    india indian indias russia russian russias moscow delhi navy army force forces
    ministry minister defence defense government president prime state states chief
    foreign affairs external council security national union federation federal
    republic kremlin people news agency press said says officials official monday
    tuesday wednesday thursday friday saturday sunday january february march april june
    july august september october november december sources source reuters tass
    rossiia rossii indiia indii moskva ministr prezident ministerstvo oborony
    """.split()
)
# Content words: this long at least once transliterated, cut to a stem of STEM letters
# (delivery, deliveries; ракета, ракеты), at most TOP_WORDS of them by frequency.
WORD_MIN, STEM, TOP_WORDS = 4, 5, 60
_FUNCTION_WORDS = frozenset(
    """
    that this with from have has had were been their there which about after also more
    than they will would said says into over under when what where while other such
    some very most only being those these them then just said year years time
    chto kotor takzh posle mezhd ochen tolko eshch sebya etogo kotorye budet byl byla
    bylo byli mozhe kogda takzhe etom etot dlya chtob bolee vsego
    kaha kiya kiye gaya gayi rahe raha rahi hota hote kara kari diya liye unho unhon
    dans pour avec sont plus mais nous vous leur elle ils comme cette entre depuis
    nicht sich eine einen einem einer oder auch nach wird werden wurde beim sind
    para como mais pelo pela seus suas esta este isso entre sobre quando tambem
    """.split()
)

# The opening words that decide a report's writing system; English when this share of
# them are its commonest function words (about a fifth of running English text).
WRITING_SAMPLE = 300
ENGLISH_SHARE = 0.08
_ENGLISH_MARKERS = frozenset("the of and to in is on for with was by".split())


@dataclass(frozen=True)
class Evidence:
    """One report's event signature."""

    entities: dict[str, float]  # canonical entity -> weight (title 3, lead 2, body 1)
    events: frozenset[str]  # named events with their year ("Zapad:2021"); the latest
    # period the figures cover, by its last year ("period:2025" for 2021-25)
    amounts: frozenset[str]  # normalised amounts, counts and percentages
    days: frozenset[str]  # month-day of dates stated near the start: "12-05"
    weekdays: frozenset[int]  # weekdays named near the start, 0 for Monday ("on Wednesday")
    years: frozenset[int]  # years stated anywhere
    day: date | None  # the event's day, best estimate (published, marker, stated)
    year: int | None  # the event's year, when the day is not known
    ahead: bool  # announces a coming event
    act: str | None  # what the report states happened (pipelines/acts.py)
    themes: frozenset[str]
    title_tokens: frozenset[str]  # headline words, transliterated to Latin and folded
    names: frozenset[str]  # capitalised words inside the lead's sentences, in Latin letters
    words: dict[str, int]  # content-word stems of headline and text, with their counts
    body_hash: str
    shingles: np.ndarray  # sorted unique uint32 hashes of word 3-grams
    bands: tuple[int, ...]  # MinHash LSH band keys of the shingles: near copies share one
    lead_shingles: np.ndarray  # the same, of the opening LEAD_TOKENS words
    writing: str  # "en", "latin" (another language in Latin letters), "cyrillic", "devanagari"…

    def lead_entities(self) -> list[str]:
        """The entities named in the headline or lead: those of the report's own event."""
        return [e for e, weight in self.entities.items() if weight >= LEAD_WEIGHT]


class EvidenceReader:
    """Reads evidence with one lexicon and classifier (both built once per process)."""

    def __init__(self, classifier: Classifier | None = None):
        self.classifier = classifier or Classifier()
        self.lexicon: Lexicon = self.classifier.lexicon

    def read_stored(self, row: dict[str, Any]) -> Evidence:
        """A stored article's evidence (a row of Store.articles_for_clustering), read with
        its stored themes."""
        return self.read(
            row["title"] or "",
            row["body"] or "",
            row["published"],
            url=row["url"],
            themes=row["themes"],
        )

    def read(
        self,
        title: str,
        text: str,
        published: str | None = None,
        *,
        url: str | None = None,
        themes: Iterable[str] | None = None,
    ) -> Evidence:
        """`url`: the article's address, which often states its day when `published` is
        missing. `themes`: the article's theme tags when the caller has them (the crawl
        tagged it a moment ago; the archive stores them), so it is not classified a
        second time."""
        entities, events = self._entities(title, text)
        whole = f"{title}\n{text}"
        found = facts(whole)
        head = [d for d in found.dates if d.start < DATE_SCAN_CHARS + len(title)]
        # A page's "Updated" stamp can be years after its story (archives re-stamped in
        # bulk): the other dates near the start come first.
        head.sort(key=lambda d: bool(_UPDATED.search(whole, max(0, d.start - 24), d.start)))
        day, year = _event_day(published, url, text, head)
        if themes is None:
            themes = (t.name for t in self.classifier.classify(title, text).tags)
        tokens = words(text)
        found_shingles = shingles(tokens)
        said = statement(title, text)  # what the tense and the act are read from
        ahead = announced(said)
        if period := _latest_period(found.spans):
            events.add(period)
        return Evidence(
            entities=entities,
            events=frozenset(events),
            amounts=frozenset(found.amounts),
            days=frozenset(f"{d.month:02d}-{d.day:02d}" for d in head if d.month and d.day),
            weekdays=stated_weekdays(whole[: len(title) + 1 + DATE_SCAN_CHARS]),
            years=frozenset(found.years),
            day=day,
            year=day.year if day else year,
            ahead=ahead,
            act=act_of(said, ahead=ahead),
            themes=frozenset(t for t in themes if t in THEMES),
            title_tokens=title_tokens(title),
            names=lead_names(text),
            words=content_words(title, tokens),
            body_hash=body_hash(text, tokens),
            shingles=found_shingles,
            bands=tuple(band_keys(minhash(found_shingles))),
            lead_shingles=shingles(tokens[:LEAD_TOKENS]),
            writing=writing(title, tokens),
        )

    def _entities(self, title: str, text: str) -> tuple[dict[str, float], set[str]]:
        entities: dict[str, float] = {}
        events: set[str] = set()
        for field, weight_of in ((title, lambda _: TITLE_WEIGHT), (text, _text_weight)):
            for match in self.lexicon.find(field):
                term = match.term
                if term.kind not in ENTITY_KINDS:
                    continue
                weight = weight_of(match.start)
                entities[term.name] = max(entities.get(term.name, 0.0), weight)
                if term.kind == "event":
                    year = _event_year(field, match.start, match.end)
                    if year:
                        events.add(f"{term.name}:{year}")
        return entities, events


def _latest_period(spans: Iterable[tuple[int, int]]) -> str | None:
    """The latest period of years the text states, as an event key: "period:2025"."""
    ends = [last for first, last in spans if last - first in PERIOD_SPANS]
    return f"period:{max(ends)}" if ends else None


def _text_weight(offset: int) -> float:
    return LEAD_WEIGHT if offset < LEAD_CHARS else BODY_WEIGHT


def _event_year(text: str, start: int, end: int) -> int | None:
    after = _YEAR_AFTER.match(ascii_digits(text[end : end + 8]))
    if after:
        year = int(after[1])
        return year + 2000 if year < 100 else year
    before = _YEAR_BEFORE.search(ascii_digits(text[max(0, start - 8) : start]))
    return int(before[1]) if before else None


def _event_day(
    published: str | None, url: str | None, text: str, head: list[StatedDate]
) -> tuple[date | None, int | None]:
    """The day the report is about: when it was published, else the day its address
    states, else the ` date ` marker of an archived excerpt, else the first full date
    near its start. Else only a year: the one of a date stated near the start. Years
    stated elsewhere are mostly background ("the 2016 agreement"), so they do not date
    the report."""
    if published and (iso := read(published).iso):
        return date.fromisoformat(iso[:10]), None
    if day := day_in_url(url):
        return day, None
    if marker := _MARKER.search(text[:200]):
        stamp = marker[1]
        if len(stamp) == 10:
            return date.fromisoformat(stamp), None
        return None, int(stamp[:4])
    for stated in head:
        if stated.year and stated.month and stated.day:
            return date(stated.year, stated.month, stated.day), None
    stated_years = [d.year for d in head if d.year]
    return None, stated_years[0] if stated_years else None


def title_tokens(title: str) -> frozenset[str]:
    """The headline's words that can say which event it is, in Latin letters."""
    tokens = (latin(w) for w in words(title))
    return frozenset(t for t in tokens if len(t) >= _MIN_TOKEN and t not in _STOPWORDS)


def lead_names(text: str) -> frozenset[str]:
    """Names the lead uses inside its sentences (capitalised, not sentence-initial), known
    to the lexicon or not: "Jakarta", "Imphal", "Mulino". Two reports of one event name the
    same ones; a shared background paragraph under two leads does not make them alike."""
    cut = text.find("\n\n", 80, LEAD_PARAGRAPH)
    lead = _MARKER.sub(" ", text[: cut if cut > 0 else LEAD_CHARS])
    found = set()
    for match in _NAME.finditer(lead):
        before = lead[: match.start()].rstrip()
        if not before or before[-1] in _SENTENCE_START:
            continue
        name = latin(match[1])
        if len(name) >= WORD_MIN and name not in _COMMON_NAMES:
            found.add(name)
    return frozenset(found)


def writing(title: str, text_tokens: list[str]) -> str:
    """The report's writing system, English told apart from the other languages in Latin
    letters. Reports in two of them share no words, so for them a missing overlap of
    headline and content words says nothing against the same event."""
    letters: dict[str, int] = {}
    for token in [*words(title), *text_tokens[:WRITING_SAMPLE]]:
        if not token[0].isalpha():
            continue
        script = unicodedata.name(token[0], "LATIN").split(" ", 1)[0]
        letters[script] = letters.get(script, 0) + 1
    script = max(letters, key=letters.__getitem__, default="LATIN").lower()
    if script != "latin":
        return script
    sample = [t.lower() for t in text_tokens[:WRITING_SAMPLE]]
    english = sum(t in _ENGLISH_MARKERS for t in sample)
    return "en" if english >= ENGLISH_SHARE * len(sample) else "latin"


def content_words(title: str, text_tokens: list[str]) -> dict[str, int]:
    """The report's most frequent content-word stems (headline words count twice)."""
    counts: dict[str, int] = {}
    for token in [*words(title), *words(title), *text_tokens]:
        stem = latin(token)
        if len(stem) < WORD_MIN or stem in _FUNCTION_WORDS or stem.isdigit():
            continue
        stem = stem[:STEM]
        counts[stem] = counts.get(stem, 0) + 1
    top = sorted(counts.items(), key=lambda item: -item[1])[:TOP_WORDS]
    return dict(top)
