"""Where the sentences of a news text end, in any script.

A sentence ends at . ! ? … a danda or an Arabic full stop, with any closing quotes, before
white space, and always at a line break; but not where the next word starts in lower
case ("approx. 300 km", "Ltd. под лицензией"), nor at the full stop of an abbreviation,
an initial or a list number ("Lt. Gen. S. Kumar", "U.S. envoys", "2025 г.", "1. Point").
The theme reader reads a cue with the other words of its sentence; the report puts a
lead's first sentences under a headline.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_END = re.compile(r"(?:(?P<mark>[.!?…\u0964\u0965\u06d4][\"'”’»)\]]*)\s|\n)\s*")
ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof gen lt col maj capt cmde adm brig sgt cdr gov sen rep pres st jr sr "
    "ltd pvt co corp inc bros no nos rs re vs etc approx dept govt jan feb mar apr jun jul "
    "aug sep sept oct nov dec г гг им тыс млн млрд ул".split()
)
_WORD_BEFORE = re.compile(r"(?<!\w)([^\W_]+)$")  # the word before: "Ltd", "S", "1"
_LONGEST = max(map(len, ABBREVIATIONS)) + 1  # characters read back from a full stop


def sentence_bounds(text: str) -> Iterator[tuple[int, int]]:
    """For each sentence of `text` but the last: where it ends (after its punctuation
    and closing quotes) and where the next one starts (after the white space)."""
    for end in _END.finditer(text):
        if _ends_sentence(text, end):
            mark = end.end("mark")
            yield (mark if mark >= 0 else end.start()), end.end()


def sentence_starts(text: str) -> list[int]:
    """The offsets where the sentences of `text` begin, 0 first."""
    return [0] + [start for _, start in sentence_bounds(text)]


def _ends_sentence(text: str, end: re.Match) -> bool:
    if end["mark"] is None or "\n" in end[0]:
        return True  # a line break ends a sentence whatever stands before it
    if end.end() < len(text) and text[end.end()].islower():
        return False
    if not end["mark"].startswith("."):
        return True
    stop = end.start()
    before = _WORD_BEFORE.search(text, max(0, stop - _LONGEST), stop)
    return not before or (len(before[1]) > 1 and before[1].casefold() not in ABBREVIATIONS)
