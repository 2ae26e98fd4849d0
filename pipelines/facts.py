"""Amounts, counts, percentages and dates a report states, in a form every language shares.

Two reports of one event, say a Hindi one and a Russian one, share few words, but they state
the same contract value, the same number of aircraft and the same day. The story matcher
compares those. This module reads them, normalised, from English, Russian, Ukrainian, Hindi,
Marathi, Tamil, Telugu, Bengali, Gujarati, French, German, Italian, Portuguese, Spanish,
Vietnamese and Turkish text, with digits of any script:

    found = facts("रक्षा मंत्रालय ने 5 दिसंबर 2025 को ₹39,000 करोड़ के 21 विमानों का सौदा किया")
    found.amounts  # {"money:inr:390000000000", "n:21"}
    found.dates    # (StatedDate(year=2025, month=12, day=5, start=18),)
    found.years    # {2025}
    found.spans    # frozenset(): spans of years, as "2021-25" gives (2021, 2025)

Amount keys:

* ``money:<currency>:<value>``: a number with a currency or a scale word, the value in
  units (crore 10^7, lakh 10^5, million 10^6, billion/milliard/अरब 10^9, kharab 10^11,
  "lakh crore" 10^12; not the Latin "arab": "5 Arab states"). Currency is usd, inr, eur,
  rub, gbp, cny, vnd or brl, and ``?`` when the text names none ("6,000 crore", "5 लाख",
  "2.5 миллиона"): a caller may match ``?`` against any currency. Ranges ("Rs 5,000-6,000
  crore") give both ends.
* ``pct:<value>``: percentages ("62 per cent", "8,2 %", "62 प्रतिशत").
* ``n:<value>``: other numbers from 2 to 100,000 ("21 MiG-29s", "75-member", "300 km",
  "2.5 tonnes", "5 हज़ार सैनिक" gives n:5000). Not counts: years and year-like numbers
  (1500-2099 written without a separator), numbers in dates and clock times, model and
  code numbers (S-400, Su-30MKI, "S 400", "Project 11356", "Sukhoi 30", "AK 203", 24x7),
  phone-like chains, ordinals (8th, 12वें). Number words ("two squadrons") are not read:
  "the two countries" is in nearly every India-Russia report, so they would prove nothing.

Stated dates: ISO (2025-12-05) and the " date 2025-12 " markers of our data; D.M.Y with
dots, slashes or hyphens (05.12.2025, 27/07/2020; M/D/Y only where the day shows it,
12/25/2025); a month name of any of the languages with a day before it ("5 декабря 2025 года",
"8 de outubro de 2019", "8. Oktober", "1er juillet", "5th of December", "10-21 दिसंबर"), a
day after it in English, Tamil and Telugu ("Dec. 5, 2025", "ஜனவரி 20"), or a year only
("October 2019", "अक्टूबर 2019": day None); Vietnamese "ngày 20 tháng 1 năm 2020". A bare
year is no date; impossible dates (31 Feb) are dropped. Weekdays ("on Wednesday", "बुधवार
को", "у середу"): `stated_weekdays`, in the same languages but Italian, Turkish and
Vietnamese.

Years (1990-2035) include the years of the stated dates: a report that names "5 December
2025" states the year 2025 as much as one that names "2025" alone. Spans are the ranges of
years among them ("2016–20", "2015-2019", "2021 से 2025", "2025-26"), first and last.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Generic, TypeVar

__all__ = [
    "Facts", "StatedDate", "amounts", "ascii_digits", "facts", "stated_dates", "stated_weekdays",
    "years",
]  # fmt: skip

V = TypeVar("V")

FIRST_YEAR, LAST_YEAR = 1990, 2035  # plausible years of a defence news report
MAX_COUNT = 100_000


@dataclass(frozen=True)
class StatedDate:
    """A calendar date as the text states it; what it leaves out is None ("5 December")."""

    year: int | None
    month: int | None
    day: int | None
    start: int  # character offset in the text: callers may prefer dates near the start


@dataclass(frozen=True)
class Facts:
    """Everything this module reads from one text, so that a caller scans it once."""

    amounts: frozenset[str]
    dates: tuple[StatedDate, ...]
    years: frozenset[int]
    spans: frozenset[tuple[int, int]] = frozenset()  # ranges of years: (2021, 2025)


# --- Digits of every script --------------------------------------------------------------

_OTHER_DIGIT = re.compile(r"(?![0-9])\d")  # \d is any Unicode decimal digit (category Nd)


def ascii_digits(text: str) -> str:
    """The text with digits of any script (०-९, ০-৯, ௦-௯, ٠-٩ ...) as ASCII digits.

    Every digit is one character either way, so offsets into the result are offsets into
    the text."""
    if text.isascii():
        return text
    found = set(_OTHER_DIGIT.findall(text))
    if not found:
        return text
    return text.translate({ord(c): str(unicodedata.decimal(c)) for c in found})


# --- Word lists --------------------------------------------------------------------------

# A letter, or a mark (vowel signs and viramas of Indic scripts are marks, not letters).
_LETTER = r"(?:[^\W\d_]|[\u0300-\u036f\u0900-\u0dff\u200c\u200d])"
_END = rf"(?!{_LETTER})"
_NOT_AFTER_LETTER = rf"(?<!{_LETTER})"
# Nukta letters exist precomposed (U+0958-095F, U+09DC-09DF) and as base + nukta; NFC
# gives the latter, so lookups normalise and patterns accept both.
_PRECOMPOSED = {unicodedata.normalize("NFC", c): c for c in "क़ख़ग़ज़ड़ढ़फ़य़ড়ঢ়য়"}


def _fold(word: str) -> str:
    """The key a word is looked up by: whatever its case and nukta spelling."""
    return unicodedata.normalize("NFC", word).casefold()


def _spellings(word: str) -> set[str]:
    """The ways a word is typed: with nukta letters decomposed and precomposed."""
    nfc = unicodedata.normalize("NFC", word)
    composed = nfc
    for decomposed, precomposed in _PRECOMPOSED.items():
        composed = composed.replace(decomposed, precomposed)
    return {nfc, composed}


class _Lexicon(Generic[V]):
    """Words of many languages with their meaning, and one regex for all of them.

    A form ending in "*" is a stem any letters may continue (Indic and Cyrillic words
    inflect: "सप्टेंबरमध्ये", "கோடியில்", "миллионов"); any other form is a whole word, which
    may end in an abbreviation's dot ("Dec.", "млрд.")."""

    def __init__(self, meanings: Iterable[tuple[str, V]]) -> None:
        self.words: dict[str, V] = {}
        self.stems: dict[str, V] = {}
        for form, meaning in meanings:
            table = self.stems if form.endswith("*") else self.words
            if table.setdefault(_fold(form.rstrip("*")), meaning) != meaning:
                raise ValueError(f"{form!r} means two things")

    def pattern(self) -> str:
        """A regex of every spelling, as tries: a few hundred words cost a branch per letter."""
        tries = [
            _trie({spelling for word in words for spelling in _spellings(word)}) + tail
            for words, tail in ((self.words, rf"\.?{_END}"), (self.stems, f"{_LETTER}*"))
            if words
        ]
        return "(?:" + "|".join(tries) + ")"

    def get(self, matched: str) -> V | None:
        """The meaning of a word the pattern matched."""
        word = _fold(matched).rstrip(".")
        if word in self.words:
            return self.words[word]
        for end in range(len(word), 0, -1):
            if word[:end] in self.stems:
                return self.stems[word[:end]]
        return None


def _trie(words: Iterable[str]) -> str:
    """One regex for many words that branches letter by letter, longest words first."""
    root: dict = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}  # a word ends here

    def branch(node: dict) -> str:
        options = [re.escape(char) + branch(child) for char, child in node.items() if char]
        if not options:
            return ""
        body = options[0] if len(options) == 1 else "(?:" + "|".join(options) + ")"
        return f"(?:{body})?" if "" in node else body

    return branch(root)


def _table(spec: str, meanings: Iterable[V]) -> Iterable[tuple[str, V]]:
    """Pairs from "forms of the first | forms of the second | ..." and their meanings."""
    for forms, meaning in zip(spec.split("|"), meanings, strict=True):
        for form in forms.split():
            yield form, meaning


_MONTH_NAMES = {
    "en": "january jan|february feb|march mar|april apr|may|june jun|july jul|august aug"
    "|september sept sep|october oct|november nov|december dec",
    "fr": "janvier janv|février fevrier févr fevr|mars|avril avr|mai|juin|juillet juil"
    "|août aout|septembre|octobre|novembre|décembre decembre déc",
    "de": "januar jänner|februar|märz maerz|april|mai|juni|juli|august|september"
    "|oktober okt|november|dezember dez",
    "it": "gennaio|febbraio|marzo|aprile|maggio|giugno|luglio|agosto|settembre|ottobre"
    "|novembre|dicembre",
    "es": "enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre setiembre|octubre"
    "|noviembre|diciembre",
    "pt": "janeiro|fevereiro|março marco|abril|maio|junho|julho|agosto|setembro|outubro"
    "|novembro|dezembro",
    "tr": "ocak|şubat|mart|nisan|mayıs|haziran|temmuz|ağustos|eylül|ekim|kasım|aralık",
    "ru": "январь января январе янв|февраль февраля феврале фев февр|март марта марте мар"
    "|апрель апреля апреле апр|май мая мае|июнь июня июне июн|июль июля июле июл"
    "|август августа августе авг|сентябрь сентября сентябре сен сент"
    "|октябрь октября октябре окт|ноябрь ноября ноябре ноя нояб|декабрь декабря декабре дек",
    "uk": "січень січня січні|лютий лютого лютому|березень березня березні|квітень квітня квітні"
    "|травень травня травні|червень червня червні|липень липня липні|серпень серпня серпні"
    "|вересень вересня вересні|жовтень жовтня жовтні|листопад листопада листопаді"
    "|грудень грудня грудні",
    "hi": "जनवरी*|फरवरी* फ़रवरी*|मार्च*|अप्रैल* अप्रेल*|मई|जून|जुलाई*|अगस्त*|सितंबर* सितम्बर*"
    "|अक्टूबर* अक्तूबर* अक्टुबर*|नवंबर* नवम्बर*|दिसंबर* दिसम्बर*",
    "mr": "जानेवारी*|फेब्रुवारी*|मार्च*|एप्रिल*|मे|जून|जुलै*|ऑगस्ट*|सप्टेंबर*|ऑक्टोबर*|नोव्हेंबर*|डिसेंबर*",
    "ta": "ஜனவரி*|பிப்ரவரி*|மார்ச*|ஏப்ரல*|மே|ஜூன*|ஜூலை*|ஆகஸ்ட*|செப்டம்பர*|அக்டோபர*|நவம்பர*|டிசம்பர*",
    "te": "జనవరి*|ఫిబ్రవరి*|మార్చి*|ఏప్రిల*|మే|జూన*|జూలై* జులై*|ఆగస్ట* ఆగష్ట*|సెప్టెంబర*|అక్టోబర*|నవంబర*|డిసెంబర*",
    "bn": "জানুয়ারি* জানুয়ারী*|ফেব্রুয়ারি* ফেব্রুয়ারী*|মার্চ*|এপ্রিল*|মে|জুন*|জুলাই*"
    "|আগস্ট* অগাস্ট*|সেপ্টেম্বর*|অক্টোবর*|নভেম্বর*|ডিসেম্বর*",
    "gu": "જાન્યુઆરી*|ફેબ્રુઆરી*|માર્ચ*|એપ્રિલ*|મે|જૂન*|જુલાઈ*|ઓગસ્ટ* ઑગસ્ટ*|સપ્ટેમ્બર*"
    "|ઓક્ટોબર* ઑક્ટોબર*|નવેમ્બર*|ડિસેમ્બર*",
}
# Weekdays, Monday first. Only forms that mean nothing else: not the Russian "среда" in
# any form (also "environment"), the Ukrainian "серед" ("among"), nor Turkish and Vietnamese.
_WEEKDAY_NAMES = {
    "en": "monday|tuesday|wednesday|thursday|friday|saturday|sunday",
    "fr": "lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche",
    "de": "montag|dienstag|mittwoch|donnerstag|freitag|samstag sonnabend|sonntag",
    "es": "lunes|martes|miércoles miercoles|jueves|viernes|sábado sabado|domingo",
    "pt": "segunda-feira|terça-feira terca-feira|quarta-feira|quinta-feira|sexta-feira"
    "|sábado sabado|domingo",
    "ru": "понедельник*|вторник*||четверг*|пятниц*|суббот*|воскресень*",  # no Wednesday
    "uk": "понеділ*|вівтор*|середу|четвер четверга четвергу|п'ятниц* п’ятниц*|субот*|неділ*",
    "hi": "सोमवार*|मंगलवार*|बुधवार*|गुरुवार* बृहस्पतिवार*|शुक्रवार*|शनिवार*|रविवार*",
    "mr": "सोमवार*|मंगळवार*|बुधवार*|गुरुवार*|शुक्रवार*|शनिवार*|रविवार*",
    "ta": "திங்கட்கிழமை* திங்கள்கிழமை*|செவ்வாய்க்கிழமை*|புதன்கிழமை*|வியாழக்கிழமை*"
    "|வெள்ளிக்கிழமை*|சனிக்கிழமை*|ஞாயிற்றுக்கிழமை*",
    "te": "సోమవారం*|మంగళవారం*|బుధవారం*|గురువారం*|శుక్రవారం*|శనివారం*|ఆదివారం*",
    "bn": "সোমবার*|মঙ্গলবার*|বুধবার*|বৃহস্পতিবার*|শুক্রবার*|শনিবার*|রবিবার*",
    "gu": "સોમવાર*|મંગળવાર*|બુધવાર*|ગુરુવાર*|શુક્રવાર*|શનિવાર*|રવિવાર*",
}
# Languages that also put the day after the month ("December 5", "ஜனவரி 20").
_MONTH_DAY_LANGUAGES = ("en", "ta", "te")
# English month names that are common words too: only capitalised are they months.
_ALSO_WORDS = {"may", "march", "mar"}

_MONTHS: _Lexicon[int] = _Lexicon(
    pair for spec in _MONTH_NAMES.values() for pair in _table(spec, range(1, 13))
)
_MONTH_FIRST: _Lexicon[int] = _Lexicon(
    pair for lang in _MONTH_DAY_LANGUAGES for pair in _table(_MONTH_NAMES[lang], range(1, 13))
)
_WEEKDAYS: _Lexicon[int] = _Lexicon(
    pair for spec in _WEEKDAY_NAMES.values() for pair in _table(spec, range(7))
)

_SCALES: _Lexicon[Decimal] = _Lexicon(
    (form, Decimal(value))
    for value, forms in {
        10**3: "thousand k tausend mille mil bin nghìn ngàn тыс тысяч* тысяча тис тисяч* हजार*"
        " हज़ार* ஆயிரம்* వేల* వేలు* হাজার* હજાર*",
        10**5: "lakh lakhs lac lacs лакх* लाख* லட்சம்* இலட்சம்* లక్ష* লক্ষ* লাখ* લાખ*",
        10**6: "million millions mn mln m mio millionen millón millones milhão milhões milione"
        " milioni milyon triệu млн миллион* мільйон* मिलियन* மில்லியன்* మిలియన్* মিলিয়ন*"
        " મિલિયન*",
        10**7: "crore crores cr crs крор* करोड़* करोड* कोटी* கோடி* కోటి* కోట్ల* কোটি* કરોડ*",
        10**9: "billion billions bn b milliard milliards milliarde milliarden mrd bilhão"
        " bilhões miliardo miliardi milyar tỷ tỉ млрд миллиард* мільярд* अरब* बिलियन* अब्ज*"
        " பில்லியன்* బిలియన్* বিলিয়ন* અબજ* બિલિયન*",
        10**11: "kharab खरब*",
        10**12: "trillion tn billón billones billionen trilhão trilhões трлн триллион* трильйон*"
        " ट्रिलियन*",
    }.items()
    for form in forms.split()
)
_GLUED_ONLY = {"k", "m", "b"}  # "$35k", "US$500m", "$5b": never "300 m" (metres)

_CURRENCIES: _Lexicon[str] = _Lexicon(
    (form, code)
    for code, forms in {
        "usd": "usd dollar dollars dollari dólar dólares dolar dolares đô-la долл дол доллар*"
        " долар* डॉलर* डालर* டாலர்* డాలర్* ডলার* ડોલર* ડૉલર*",
        "inr": "inr rupee rupees rupia rupias rúpia rúpias roupie roupies rupie rupien рупи*"
        " рупі* रुपय* रुपए* रुपया* रुपये* रुपयां* ரூபாய்* ரூபா* రూపాయ* টাকা* রুপি* રૂપિયા*",
        "eur": "eur euro euros евро євро यूरो* யூரோ* యూరో* ইউরো* યુરો*",
        "rub": "rub rouble roubles ruble rubles rublo rublos rubel руб рубл* रूबल* ரூபிள்*"
        " రూబుల్* রুবল*",
        "gbp": "gbp sterling",
        "cny": "cny yuan юан* युआन*",
        "vnd": "vnd đồng",
    }.items()
    for form in forms.split()
)
_PREFIX_CURRENCY = {
    "us$": "usd", "$": "usd", "usd": "usd", "rs": "inr", "inr": "inr", "₹": "inr",
    "रु": "inr", "रू": "inr", "ரூ": "inr", "రూ": "inr", "રૂ": "inr", "€": "eur", "eur": "eur",
    "£": "gbp", "gbp": "gbp", "₽": "rub", "rub": "rub", "r$": "brl", "cny": "cny",
}  # fmt: skip
_PREFIX = (
    r"(?:US\s?\$|R\$|\$|₹|€|£|₽|"
    + rf"{_NOT_AFTER_LETTER}(?:USD|INR|EUR|GBP|RUB|CNY|Rs|रु|रू|ரூ|రూ|રૂ)\.?)"
)
# "100 billion U.S. dollars", "375 млн американских долларов".
_AMERICAN = r"(?:U\.S\.|US|American|americanos|américains|американских|американських|अमेरिकी)"
_PERCENT: _Lexicon[str] = _Lexicon(
    (form, "%")
    for form in "% ％ percent pct pc prozent процент* відсот* प्रतिशत* फीसदी फ़ीसदी फीसद"
    " फ़ीसद टक्के टक्का சதவீத* శాతం* শতাংশ* ટકા*".split()
)
_PERCENT_PHRASE = r"(?:per\s?cent|pour\s?cent|por\s?cento|por\s?ciento|phần\s?trăm)" + _END

# Words before a number that make it a designation, not a count: "Project 11356", "Sukhoi
# 30", "AK 203", "No. 222". Hyphenated and glued ones (S-400, Su-30MKI) need no list.
_CODE_WORDS = frozenset(
    _fold(w)
    for w in """
    project projekt projekts projet projeto proyecto progetto проект проекта проекту проектом
    проєкт проєкту परियोजना प्रोजेक्ट section sec article clause no nos number nr номер संख्या
    sukhoi sukhoï su mig ka kamov mi ak mirage boeing airbus type typ typs mk mark block model
    version су миг ми ка сухой ак सुखोई सुखोय मिग சுகோய் சுகாய் மிக் సుఖోయ్ మిగ్ সুখোই মিগ
    સુખોઈ મિગ
    """.split()
)

# --- Numbers -----------------------------------------------------------------------------

# 39,000 and 1,00,000 (Indian grouping) | 5 000 (space groups) | 1.500.000,5 | 2.2, 2,2, 62
# After the first digit: a pattern that starts with a digit lets the engine skip to digits.
_NUM_REST = (
    r"(?:\d{0,2}(?:,\d\d)*(?:,\d{3})+(?!\d)(?:\.\d+)?"
    r"|\d{0,2}(?:[ \u00a0\u202f\u2009]\d{3})+(?!\d)(?:,\d{1,2}(?!\d))?"
    r"|\d{0,2}(?:\.\d{3}){2,}(?!\d)(?:,\d+)?"
    r"|\d*(?:\.\d+|,\d{1,2}(?!\d))?)"
)
_RANGE = r"(?:\s?[-–—]\s?|\s(?:to|до|से|bis|à|a|till|until)\s)"
_QUANTITY = re.compile(
    rf"(?P<a>\d(?<!\d\d)(?<!\d[.,]\d){_NUM_REST})"
    rf"(?:{_RANGE}(?:{_PREFIX}\s?)?(?P<b>\d{_NUM_REST}))?"
    rf"(?:(?P<gap>[\s-]?)(?P<s1>{_SCALES.pattern()})(?:\s(?P<s2>{_SCALES.pattern()}))?)?"
    rf"(?:\s?(?:(?:de|of)\s|d['’])?(?:{_AMERICAN}\s?)?(?P<cur>{_CURRENCIES.pattern()}))?"
    rf"(?:\s?(?P<pct>{_PERCENT.pattern()}|{_PERCENT_PHRASE}))?",
    re.IGNORECASE,
)
_PREFIX_BEFORE = re.compile(rf"(?P<p>{_PREFIX})\s?\Z", re.IGNORECASE)
_WORD_BEFORE = re.compile(rf"{_NOT_AFTER_LETTER}(?P<w>{_LETTER}+)\.?[\s\-–]*\Z")
_CLOCK_AFTER = re.compile(r"\s?(?:[ap]\.?m\b|ist\b|gmt\b|utc\b|msk\b|बजे)", re.IGNORECASE)
_HOURS_AFTER = re.compile(r"\s?(?:hrs|hours)\b", re.IGNORECASE)  # "at 1000 hours"
_DECADE = re.compile(rf"['’]?s{_END}")  # "the 2010s"
_UNIT_AFTER = re.compile(rf"(?:km|kms|kg|mm|cm|m|t|nm|mph|kmph|ft|hp|kt){_END}")
_CHAIN_AFTER = re.compile(r"[-.,:/]\d| \d")
_CHAIN_BEFORE = re.compile(r"\d[-.:/ ]\Z")
_LEADING_ZERO = re.compile(r"0\d")  # "011", "07": codes and phone numbers
_YEARLIKE = re.compile(r"(?:1[5-9]|20)\d\d")  # "в 1779 году" is no count either
_THOUSAND_DOTS = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?")


def _decimal(number: str, scaled: bool) -> Decimal:
    """The value of a written number: "39,000", "2,2", "1.500.000", "5 000", "2.43"."""
    if number.isdigit():
        return Decimal(number)
    digits = re.sub(r"\s", "", number)
    if _THOUSAND_DOTS.fullmatch(digits) and ("," in digits or digits.count(".") > 1 or not scaled):
        # "1.500.000", "12.000 soldados"; but "1.375 billion" is a decimal.
        return Decimal(digits.replace(".", "").replace(",", "."))
    if re.search(r",\d{1,2}\Z", digits):
        return Decimal(digits.replace(",", "."))  # decimal comma: "2,2 млрд", "8,2 %"
    return Decimal(digits.replace(",", ""))


def _text(value: Decimal) -> str:
    """A value as keys spell it: "390000000000", "8.2", never "3.9E+11"."""
    return format(value.normalize(), "f")


def _is_letter(char: str) -> bool:
    """Whether char belongs to a word (Indic vowel signs are marks, not letters)."""
    return char.isalpha() or unicodedata.category(char).startswith("M")


def _is_designation(t: str, start: int, end: int) -> bool:
    """Whether the digits at t[start:end] name a model, a code, an ordinal or a clock time,
    or belong to a chain of numbers (phone numbers, "1.2.3"), rather than count something."""
    before = t[start - 1] if start else " "
    after = t[end] if end < len(t) else " "
    if _is_letter(after) and not _UNIT_AFTER.match(t, end):
        return True  # 226T, 24x7, 8th, 12वें, 30MKI; not 300km
    if _is_letter(before) or before in "+#№/:@" or after in "/:%":
        return True  # A320, "+91", "#1", "09:21", "24/7"
    if before in "-‐" and start > 1 and _is_letter(t[start - 2]):
        return True  # S-400, МиГ-29, सुखोई-30, INDRA-2021
    if _CHAIN_AFTER.match(t, end) or _CHAIN_BEFORE.search(t, max(0, start - 2), start):
        return True  # a chain of numbers: "011-2301-2345", "+7 495 123", "2020 20"
    if _CLOCK_AFTER.match(t, end) or (end - start == 4 and _HOURS_AFTER.match(t, end)):
        return True  # "6 pm", "06.40 AM", "1000 hours"
    word = _word_before(t, start)
    return word is not None and (_fold(word) in _CODE_WORDS or (len(word) == 1 and word.isupper()))


def _word_before(t: str, start: int) -> str | None:
    """The word just before t[start], over spaces, hyphens and an abbreviation's dot."""
    found = _WORD_BEFORE.search(t, max(0, start - 24), start)
    return found["w"] if found else None


def _read_quantities(
    t: str, in_dates: bytearray
) -> tuple[set[str], set[int], set[tuple[int, int]]]:
    """Amount keys, years and spans of years from every number of t (ASCII digits),
    skipping dates."""
    keys: set[str] = set()
    years_found: set[int] = set()
    spans: set[tuple[int, int]] = set()
    for m in _QUANTITY.finditer(t):
        start, end = m.start(), m.end("b") if m["b"] else m.end("a")
        written = [m["a"], m["b"]] if m["b"] else [m["a"]]
        prefix = _PREFIX_BEFORE.search(t, max(0, start - 6), start)
        if prefix:
            currency = _PREFIX_CURRENCY[_fold(re.sub(r"[\s.]", "", prefix["p"]))]
        else:
            currency = _CURRENCIES.get(m["cur"]) if m["cur"] else None
        scale_word = m["s1"]
        if scale_word and _fold(scale_word) in _GLUED_ONLY and (m["gap"] or not currency):
            scale_word = None  # "300 m" is metres; "$500m" is money
        scale = Decimal(1)
        if scale_word:
            for word in (scale_word, m["s2"]):
                scale *= (_SCALES.get(word) or 1) if word else 1
        values = [_decimal(n, scale_word is not None) for n in written]
        if m["pct"] or (start and t[start - 1] in "%％"):
            keys.update(f"pct:{_text(v)}" for v in values)
        elif currency or scale != 1:
            amounts_ = [v * scale for v in values]
            if not currency and scale == 1000 and all(v <= MAX_COUNT for v in amounts_):
                keys.update(f"n:{_text(v)}" for v in amounts_)  # "5 हज़ार सैनिक"
            else:
                keys.update(f"money:{currency or '?'}:{_text(v)}" for v in amounts_)
        elif _YEARLIKE.fullmatch(written[0]):
            # A year or a span of years ("2021-22"), unless a decade or a model (Mirage 2000).
            word = _word_before(t, start)
            if not _DECADE.match(t, end) and not (word and _fold(word) in _CODE_WORDS):
                dashed = bool(m["b"]) and t[m.end("a") : m.start("b")].strip() in "-–—"
                stated = _years_of(written, dashed)
                years_found.update(stated)
                if len(stated) == 2 and all(FIRST_YEAR <= y <= LAST_YEAR for y in stated):
                    spans.add((stated[0], stated[1]))
        elif (
            # Both ends of a range count, or neither ("011-23012345" is a phone number).
            all(2 <= v <= MAX_COUNT for v in values)
            and not _LEADING_ZERO.match(written[0])
            and not in_dates[start]
            and not _is_designation(t, start, end)
        ):
            keys.update(f"n:{_text(v)}" for v in values)
    return keys, {y for y in years_found if FIRST_YEAR <= y <= LAST_YEAR}, spans


def _years_of(written: list[str], dashed: bool) -> list[int]:
    """The years of "2021", "2021-22", "2016–20", "2015-2019", "2021 से 2025"."""
    first = int(written[0])
    found = [first]
    if len(written) == 2 and written[1].isdigit():
        second = int(written[1])
        if len(written[1]) == 2 and dashed:
            second += first // 100 * 100
        if first < second <= first + 20:
            found.append(second)
    return found


# --- Dates -------------------------------------------------------------------------------

_DAY = r"(?:0?[1-9]|[12]\d|3[01])(?!\d)"
_YEAR = r"(?:19|20)\d\d(?!\d)"
_ORDINAL = r"(?:st|nd|rd|th|er|re|ème|e|º|ª|°|\.|-?го|-?ஆம்|ஆம்|వ)?"
_DAY_RANGE = r"(?:\s*[-–—&,]\s*|\s+(?:to|and|et|au|bis|und|y|e|a|al|до|по|и|та|से|ते|आणि|और|va)\s+)"
_DIGITS = re.compile(r"\d+")
_MONTH_WORD = re.compile(rf"{_NOT_AFTER_LETTER}{_MONTHS.pattern()}", re.IGNORECASE)
_WEEKDAY_WORD = re.compile(rf"{_NOT_AFTER_LETTER}{_WEEKDAYS.pattern()}", re.IGNORECASE)
# Before a month: "5", "5th of", "8.", "1er", "8 de", "28 and 29", "3-16", "10-21".
_DAYS_BEFORE = re.compile(
    rf"(?<![\d.,:/])(?P<d1>{_DAY}){_ORDINAL}(?:{_DAY_RANGE}(?P<d2>{_DAY}){_ORDINAL})?"
    r"\s*(?:(?:de|of)\s+)?\Z",
    re.IGNORECASE,
)
# Before a month in Bengali and Marathi: "২০২০ সালের অক্টোবরে" (in October of 2020).
_YEAR_BEFORE = re.compile(rf"(?<!\d)(?P<y>{_YEAR})\s*(?:সালের|সালে|साली|सालच्या)\s*\Z")
# After a month: its day in month-first languages ("Dec. 5", "September 3 to 16", "ஜனவரி 20").
_DAYS_AFTER = re.compile(
    rf"\s*(?P<d1>{_DAY})(?:st|nd|rd|th|-?ஆம்|ஆம்|వ)?"
    rf"(?:{_DAY_RANGE}(?P<d2>{_DAY})(?:st|nd|rd|th)?)?(?![:.]\d|,\d{{3}}(?!\d))",
    re.IGNORECASE,
)
_SHORT_YEAR_AFTER = re.compile(r" (?P<y>\d\d)(?=[.,;)\]]|\s*\n|\Z)")  # "22 Nov 17."
_YEAR_AFTER = re.compile(rf",?\s*(?:(?:de|del|of)\s+)?(?P<y>{_YEAR})", re.IGNORECASE)
# 2025-12-05, 2025/12/05, 05.12.2025, 5/12/2025, 27-07-2020, 15.04.15.
_NUMERIC_DATE = re.compile(  # digits first, parsed in code: the engine skips to digits
    r"(?P<a>\d(?<![\d.,/:-]\d)\d{0,3})(?P<sep>[-/.])(?P<b>\d\d?)(?P=sep)(?P<c>\d{2,4})"
    r"(?!\d|[-/.]\d)"
)
_YEAR_DIGITS = re.compile(r"(?:19|20)\d\d")
_MARKER = re.compile(r"date\s+(?P<y>(?:19|20)\d\d)-(?P<m>[01]\d)(?![\d-])")  # " date 2018-12 "
_VIETNAMESE = re.compile(
    rf"(?:(?:ngày\s+)?(?P<d>{_DAY})\s+)?tháng\s+(?P<m>0?[1-9]|1[0-2])(?!\d)"
    rf"(?:\s*,?\s*(?:năm\s+|/)(?P<y>{_YEAR}))?",
    re.IGNORECASE,
)


def _date(year: int | None, month: int, day: int | None, start: int) -> StatedDate | None:
    """The date, or None for impossible ones (31 February, 13th month)."""
    try:
        date(year or 2000, month, day or 1)  # without a year, 29 February may be
    except ValueError:
        return None
    return StatedDate(year, month, day, start)


def _days(m: re.Match[str], year: int | None, month: int, start: int) -> list[StatedDate | None]:
    """Dates of the day (or the two days of a range) that m matched; the first starts at start."""
    first = _date(year, month, int(m["d1"]), start)
    return [first, _date(year, month, int(m["d2"]), m.start("d2"))] if m["d2"] else [first]


def _near_digits(t: str, before: int, after: int) -> Iterable[tuple[int, int]]:
    """Spans of t that reach from `before` characters before digits to `after` after them."""
    start = end = -1
    for m in _DIGITS.finditer(t):
        if m.start() - before > end:
            if end >= 0:
                yield start, end
            start = max(0, m.start() - before)
        end = m.end() + after
    if end >= 0:
        yield start, end


def _month_dates(t: str) -> Iterable[tuple[list[StatedDate | None], int, int]]:
    """Dates with a month name, each with the span it covers."""
    # A date's month name is next to a number: looking only there saves most of the time.
    words = (m for lo, hi in _near_digits(t, 24, 56) for m in _MONTH_WORD.finditer(t, lo, hi))
    for m in words:
        word = m[0]
        month = _MONTHS.get(word)
        if month is None or (_fold(word).rstrip(".") in _ALSO_WORDS and word.islower()):
            continue
        year_after = _YEAR_AFTER.match(t, m.end())
        year = int(year_after["y"]) if year_after else None
        end = year_after.end() if year_after else m.end()
        window = max(0, m.start() - 32)
        if before := _DAYS_BEFORE.search(t, window, m.start()):
            if not year_after and (short := _SHORT_YEAR_AFTER.match(t, m.end())):
                year, end = int(short["y"]) + (2000 if short["y"] <= "35" else 1900), short.end()
            yield _days(before, year, month, before.start()), before.start(), end
        elif (after := _DAYS_AFTER.match(t, m.end())) and _MONTH_FIRST.get(word) == month:
            year_after = _YEAR_AFTER.match(t, after.end())
            year = int(year_after["y"]) if year_after else None
            end = year_after.end() if year_after else after.end()
            yield _days(after, year, month, m.start()), m.start(), end
        elif year_after:
            yield [_date(year, month, None, m.start())], m.start(), end
        elif year_before := _YEAR_BEFORE.search(t, window, m.start()):
            yield [_date(int(year_before["y"]), month, None, year_before.start())], m.start(), end


def _numeric_dates(t: str) -> Iterable[tuple[list[StatedDate | None], int, int]]:
    """ISO, D.M.Y, the " date YYYY-MM " marker and Vietnamese dates."""
    for m in _NUMERIC_DATE.finditer(t):
        a, b, c = m["a"], m["b"], m["c"]
        if len(a) == 4 and len(c) <= 2 and _YEAR_DIGITS.fullmatch(a):
            found = _date(int(a), int(b), int(c), m.start())  # 2025-12-05
        elif len(a) <= 2 and len(c) in (2, 4):
            day, month, year = int(a), int(b), int(c)
            if len(c) == 4 and not _YEAR_DIGITS.fullmatch(c):
                continue
            if len(c) == 2:  # two-digit years only where the day is plain: 25/12/19
                if m["sep"] == "-" or (day <= 12 and month <= 12):
                    continue
                year += 2000 if year <= LAST_YEAR % 100 else 1900
            if month > 12 >= day:
                day, month = month, day  # 12/25/2025: the American order, unambiguous
            found = _date(year, month, day, m.start())
        else:
            continue
        yield [found], m.start(), m.end()
    for m in _MARKER.finditer(t):
        if not m.start() or not _is_letter(t[m.start() - 1]):
            yield [_date(int(m["y"]), int(m["m"]), None, m.start("y"))], m.start(), m.end()
    if "háng" in t or "HÁNG" in t:
        for m in _VIETNAMESE.finditer(t):
            if m["d"] or m["y"]:
                day = int(m["d"]) if m["d"] else None
                year = int(m["y"]) if m["y"] else None
                yield [_date(year, int(m["m"]), day, m.start())], m.start(), m.end()


def _read_dates(t: str) -> tuple[list[StatedDate], bytearray]:
    """The stated dates of t (ASCII digits) in text order, and a mask of the text they cover."""
    covered = bytearray(len(t) + 1)
    found: set[StatedDate] = set()
    for dates, start, end in (*_numeric_dates(t), *_month_dates(t)):
        found.update(d for d in dates if d)
        covered[start:end] = b"\x01" * (end - start)  # 31 Feb is no date, nor a count
    return sorted(found, key=lambda d: (d.start, d.month or 0, d.day or 0)), covered


# --- Entry points ------------------------------------------------------------------------


def facts(text: str) -> Facts:
    """Amounts, stated dates and years of a text: one call, so the text is read once."""
    t = ascii_digits(text)
    dates, covered = _read_dates(t)
    keys, years_found, spans = _read_quantities(t, covered)
    years_found.update(
        d.year for d in dates if d.year is not None and FIRST_YEAR <= d.year <= LAST_YEAR
    )
    return Facts(frozenset(keys), tuple(dates), frozenset(years_found), frozenset(spans))


def amounts(text: str) -> set[str]:
    """Money, percentage and count keys: "money:usd:375000000", "pct:62", "n:21"."""
    return set(facts(text).amounts)


def stated_dates(text: str) -> list[StatedDate]:
    """Calendar dates the text states, in text order; a bare year is not one."""
    return list(facts(text).dates)


def years(text: str) -> set[int]:
    """Years 1990-2035 the text states, alone, in ranges ("2021-22") or in dates."""
    return set(facts(text).years)


def stated_weekdays(text: str) -> frozenset[int]:
    """The weekdays a text names (0 for Monday): "on Wednesday", "बुधवार को", "во вторник".
    A report that states no date often names its day, which a story's known days can
    confirm or contradict."""
    return frozenset(
        weekday
        for m in _WEEKDAY_WORD.finditer(text)
        if (weekday := _WEEKDAYS.get(m.group())) is not None
    )
