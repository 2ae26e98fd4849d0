"""How an article's words lean towards each theme: a bag-of-stems model per theme.

The cue sentences of pipelines/themes.py say why a theme is there; the words of the
headline and opening also say what kind of article it is where no cue phrase is as clear
("squadrons", "batteries", "спецоперации"). Per theme, a logistic regression over the
tf-idf weights of word stems, transliterated to Latin so that one model reads every
script, gives a lean (its decision value), which is one feature of the theme model. The
lexicon's terms found there count as words too, by their canonical names ("@SIPRI",
"@arms-deal"): a Hindi and an English report of one kind share those, if few stems. The
weights are data (`theme_words.json`, fitted by bench/fit_themes.py); the theme model
records the digest of the word model it was fitted with.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from pipelines.shingles import latin, words
from pipelines.theme_model import weights_digest

WORDS_PATH = Path(__file__).with_name("theme_words.json")
HEAD_CHARS = 1500  # the text read: the headline and the opening, where the event is
TITLE_REPEATS = 3  # the headline's words count this many times
MIN_LETTERS = 4
STEM = 6  # a word cut to its first letters: "deliveries", "delivered" -> "delive"
# A lean below this counts as this: words may lower a theme a sentence states only so far
# (a ministers' meeting that also reports a purchase is still an arms-deal).
LEAN_FLOOR = -1.0


def stems(title: str, text: str, terms: Iterable[str] = ()) -> list[str]:
    """The stems the model reads, in Latin letters, headline words repeated, then the
    canonical names of the lexicon `terms` found in the headline and opening (HEAD_CHARS),
    marked so that no stem can be one ("@S-400")."""
    found = []
    for token in words(title) * TITLE_REPEATS + words(text[:HEAD_CHARS]):
        stem = latin(token)
        if len(stem) >= MIN_LETTERS and not stem.isdigit():
            found.append(stem[:STEM])
    return found + [f"@{name}" for name in terms]


class ThemeWords:
    """Per theme, how far an article's stems lean towards it: the part of a logistic
    decision value that its words make (above 0 for the theme, below against; 0 for an
    article none of whose words the model knows). The theme model's bias per theme
    stands for the intercepts."""

    def __init__(self, data: dict):
        self.data = data  # as read from, and written to, theme_words.json
        self.themes: list[str] = data["themes"]
        # stem -> [its idf, then its weight for each theme]
        self.stems: dict[str, list[float]] = data["stems"]
        self.digest = weights_digest(data)

    def leanings(self, title: str, text: str, terms: Iterable[str] = ()) -> dict[str, float]:
        """Each theme's lean for an article (`terms`: as `stems` takes them)."""
        return self.leanings_of_stems(stems(title, text, terms))

    def leanings_of_stems(self, found: list[str]) -> dict[str, float]:
        """Each theme's lean: the tf-idf vector of the known stems (log-scaled counts,
        unit length) dotted with the theme's weights, and no lower than LEAN_FLOOR."""
        counts = Counter(s for s in found if s in self.stems)
        weighted = {s: (1 + math.log(n)) * self.stems[s][0] for s, n in counts.items()}
        norm = math.sqrt(sum(v * v for v in weighted.values())) or 1.0
        scores = [0.0] * len(self.themes)
        for stem, value in weighted.items():
            row = self.stems[stem]
            for k in range(len(scores)):
                scores[k] += value / norm * row[k + 1]
        return {t: max(LEAN_FLOOR, v) for t, v in zip(self.themes, scores, strict=True)}


@cache
def default_words() -> ThemeWords:
    return ThemeWords(json.loads(WORDS_PATH.read_text(encoding="utf-8")))
