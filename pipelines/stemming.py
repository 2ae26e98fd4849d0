"""Snowball stems for the full-text index and its queries, word for word.

The index holds each article's text with every word replaced by its stem and nothing
else changed, so FTS5 reads the same tokens at the same positions as in the original:
phrases and NEAR still work, and snippet() highlights the original text. A word is
stemmed by its script: Cyrillic as Russian, Devanagari as Hindi, Tamil as Tamil (an
article's `language` is often missing or wrong, its script never is), Latin in the
article's language when Snowball has it (LATIN_LANGUAGES), else as English.

A query has no language, so a Latin word is asked for in every Latin language at once
(`stem_text` once per QUERY_LANGUAGES): the stems of a French article carry a French
mark, so its words match the French stem of a query word and nothing English. A word
typed as printed is thus always found, whatever the article's language.

What is stemmed is each run of letters of one script that Unicode 3.2 already had
(SQLite's tokenizer tables may be older than Python's, but not that old), so a run is
never more than one FTS5 token, and its stem, kept only when it is again such a run,
never less. A run inside a larger token (the `Su` of `Su30MKI`) is stemmed alike in
the index and in a query, so the token still matches.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata

import Stemmer

# ISO 639 codes of the Latin-script languages stemmed in their own right: the Snowball
# algorithm, and the private-use character (a letter to FTS5: category Co) that marks
# the language's stems in the index. English stems carry none. This table is part of
# the index: changing it needs a migration that rebuilds articles_fts.
LATIN_LANGUAGES = {
    "en": ("english", ""),
    "fr": ("french", "\ue001"),
    "de": ("german", "\ue002"),
    "es": ("spanish", "\ue003"),
    "pt": ("portuguese", "\ue004"),
    "it": ("italian", "\ue005"),
}
QUERY_LANGUAGES = tuple(LATIN_LANGUAGES)
# ISO 639-2 spellings of the same languages, as some pages declare them.
_LANGUAGE_ALIASES = {
    "eng": "en",
    "fra": "fr",
    "fre": "fr",
    "deu": "de",
    "ger": "de",
    "spa": "es",
    "por": "pt",
    "ita": "it",
}
_COMBINING = (0x300, 0x36F)
# Each script: the code points of its words, and its stemmer (None: Latin, whose
# stemmer the article's language chooses).
_SCRIPTS = {
    "latin": (((0x41, 0x5A), (0x61, 0x7A), (0xC0, 0x24F), _COMBINING, (0x1E00, 0x1EFF)), None),
    "cyrillic": (((0x400, 0x4FF), _COMBINING), "russian"),
    "devanagari": (((0x900, 0x97F),), "hindi"),
    "tamil": (((0xB80, 0xBFF),), "tamil"),
}


def _word_class(ranges: tuple[tuple[int, int], ...]) -> str:
    """A regex character class of the letters and marks in `ranges` that Unicode 3.2
    had already, so that every SQLite reads them as word characters."""
    codes = sorted(
        {
            code
            for first, last in ranges
            for code in range(first, last + 1)
            if unicodedata.ucd_3_2_0.category(chr(code))[0] in "LM"
            and unicodedata.category(chr(code))[0] in "LM"
        }
    )
    spans: list[list[int]] = []
    for code in codes:
        if spans and code == spans[-1][1] + 1:
            spans[-1][1] = code
        else:
            spans.append([code, code])
    return "".join(f"\\u{first:04x}-\\u{last:04x}" for first, last in spans)


_CLASSES = {script: _word_class(ranges) for script, (ranges, _) in _SCRIPTS.items()}
_RUN = re.compile(f"([{''.join(_CLASSES.values())}]+)")
_WHOLE = {script: re.compile(f"[{cls}]+") for script, cls in _CLASSES.items()}
_stemmers = threading.local()  # a Stemmer is not safe to share between threads


def _stemmer(algorithm: str) -> Stemmer.Stemmer:
    cache = _stemmers.__dict__
    if algorithm not in cache:
        cache[algorithm] = Stemmer.Stemmer(algorithm)
    return cache[algorithm]


def is_word_char(char: str) -> bool:
    """What FTS5 (tokenize categories 'L* N* Co M*') reads as part of a word."""
    category = unicodedata.category(char)
    return category[0] in "LNM" or category == "Co"


def latin_language(language: str | None) -> str:
    """The LATIN_LANGUAGES code that stems an article's Latin words: its own language
    when Snowball has it ('fr', 'fr-CA', 'fra'), English otherwise."""
    code = re.split(r"[-_]", (language or "").strip().lower())[0]
    code = _LANGUAGE_ALIASES.get(code, code)
    return code if code in LATIN_LANGUAGES else "en"


@functools.lru_cache(maxsize=100_000)
def _stem_run(run: str, language: str) -> str:
    """The stem of one run of letters, marked with its Latin language; the run itself
    when it mixes scripts or its stem is not a run of the same script."""
    for script, whole in _WHOLE.items():
        if whole.fullmatch(run):
            algorithm = _SCRIPTS[script][1]
            latin_algorithm, mark = LATIN_LANGUAGES[language]
            stem = _stemmer(algorithm or latin_algorithm).stemWord(run.lower())
            if not whole.fullmatch(stem):
                return run
            return stem if algorithm else mark + stem
    return run


def stem_text(text: str | None, language: str | None) -> str | None:
    """`text` with each word replaced by its stem (see the module docstring): what the
    index holds for an article in `language`, and what a query asks for in it."""
    if not text or not isinstance(text, str):  # SQLite may hand over a number or a blob
        return text
    latin = latin_language(language)
    parts = _RUN.split(text)
    parts[1::2] = [_stem_run(run, latin) for run in parts[1::2]]
    return "".join(parts)
