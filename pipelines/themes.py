"""Which kind of event an article reports: its themes, found sentence by sentence.

A theme needs evidence in the article's own event: its cue in the headline or the lead,
or in sentences that name the article's people, systems or organisations, weighs more
than one in a background paragraph; a cue that is negated ("no deal was signed") or
hedged ("may consider buying") weighs less; history ("between 2009 and 2013 India
bought…") counts for sourced figures (arms-trade-data) only; strong cues ("signed a
contract", "took delivery") say more than weak ones ("deal", "supply"); a system or body
that the lexicon says implies a theme (BrahMos: co-development) counts when the headline
or lead names it; the headline's and opening's words lean towards some themes
(pipelines/theme_words.py). The weight of each kind of evidence is fitted on the labelled
dev texts under cross-validation (bench/fit_themes.py); its features are in
pipelines/theme_model.py, its trees and coefficients in theme_model.json. A theme needs a
cue: the words' lean alone names none.
Each theme keeps the sentence and the cue that carried it, and whether that sentence
announces a coming event or reports a done one (the story matcher tells them apart).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from pipelines.facts import ascii_digits
from pipelines.lexicon import Match
from pipelines.tense import announces
from pipelines.theme_model import ThemeModel, default_model
from pipelines.theme_words import ThemeWords, default_words

ANCHOR_KINDS = frozenset({"system", "org", "person", "place", "event", "ship", "unit"})
# A cue this many characters after a negation or hedge word in its sentence is qualified...
QUALIFIER_REACH = 60
# ... and one this close after a negation word ("no deal", "not sign any") denies the theme
# in that sentence.
DENIAL_REACH = 12
# Themes whose hedged cues still report the theme: an intent to buy ("interested in buying",
# "plans to acquire") is the offer or proposal the taxonomy counts as arms-deal, while a
# delivery that "may" come is only a forecast.
OFFER_THEMES = frozenset({"arms-deal"})
SENTENCE_CHARS = 300  # evidence sentences are kept to this length
TENSE_REACH = 80  # characters either side of a cue that its tense is read from
_DIGIT = re.compile(r"\d")
_YEAR = re.compile(r"(?<!\d)(19[89]\d|20[0-4]\d)(?!\d)")
_FIGURE = re.compile(r"\d\s?(?:%|per ?cent|प्रतिशत|процент|pour ?cent|por ?ciento)", re.I)


@dataclass(frozen=True)
class Sentence:
    """One sentence of an article with the lexicon matches in it."""

    field: str  # title | summary | text
    zone: str  # title | lead | body | tail (the summary counts as lead)
    text: str
    start: int  # offset of the sentence in its field: matches are offsets in the field
    matches: tuple[Match, ...]


@dataclass(frozen=True)
class ThemeFinding:
    """A theme, how sure the model is, and the sentence that carries it best."""

    name: str
    probability: float
    evidence: dict


class ThemeReader:
    """Theme features and findings of an article's sentences (and of its words)."""

    def __init__(
        self,
        themes: Iterable[str],
        model: ThemeModel | None = None,
        words: ThemeWords | None = None,
    ):
        self.themes = tuple(themes)
        self.model = model or default_model()
        self.words = words or default_words()

    def features(self, sentences: list[Sentence]) -> dict[str, list[float]]:
        """FEATURES read from the cues (all but the words' lean) per theme that has a cue
        in the article and is not denied in every sentence that names it ("No contract
        was signed" is no arms-deal)."""
        return {theme: values for theme, values, _ in self._themes(sentences)}

    def findings(
        self, sentences: list[Sentence], title: str, text: str, terms: Iterable[str] = ()
    ) -> list[ThemeFinding]:
        """The themes the model finds, each with its best sentence as evidence; `title`,
        `text` and the lexicon `terms` of the headline and opening are what the word model
        reads (only when some theme has a cue)."""
        cued = self._themes(sentences)
        leanings = self.words.leanings(title, text, terms) if cued else {}
        asked = [(theme, [*values, leanings[theme]]) for theme, values, _ in cued]
        probabilities = self.model.probabilities(asked)
        return [
            ThemeFinding(theme, round(probability, 4), _evidence(cues))
            for (theme, _, cues), probability in zip(cued, probabilities, strict=True)
            if probability >= self.model.threshold
        ]

    def _themes(self, sentences: list[Sentence]) -> list[tuple[str, list[float], list[_Cue]]]:
        """Each theme with cues: its FEATURES and the cues they were read from."""
        found = self._cues(sentences)
        cue_sentences = sum(
            len({c.number for c in cues if not c.implied}) for cues in found.values()
        )
        return [
            (theme, _values(theme, cues, cue_sentences, len(sentences)), cues)
            for theme, cues in found.items()
        ]

    @staticmethod
    def _cues(sentences: list[Sentence]) -> dict[str, list[_Cue]]:
        """The cues of each theme that is affirmed somewhere and more than a passing word."""
        years = _Years(sentences)
        found: dict[str, list[_Cue]] = {}
        affirmed: set[str] = set()
        for number, sentence in enumerate(sentences):
            cues = [m for m in sentence.matches if m.term.kind == "theme"]
            if not cues:
                continue
            qualifiers = [m for m in sentence.matches if m.term.name in ("negation", "hedge")]
            anchored = any(m.term.kind in ANCHOR_KINDS for m in sentence.matches)
            history = years.history(number)
            figure = history and bool(_FIGURE.search(sentence.text))
            for match in cues:
                theme = match.term.name
                found.setdefault(theme, []).append(
                    _Cue(
                        number,
                        sentence,
                        match,
                        anchored,
                        _qualified(match, qualifiers, "negation", QUALIFIER_REACH),
                        _qualified(match, qualifiers, "hedge", QUALIFIER_REACH),
                        history and not (theme == "arms-trade-data" and figure),
                    )
                )
            denied = {
                m.term.name for m in cues if _qualified(m, qualifiers, "negation", DENIAL_REACH)
            }
            affirmed.update(m.term.name for m in cues if m.term.name not in denied)
        for theme, implied in _implied(sentences).items():
            found.setdefault(theme, []).extend(implied)
            affirmed.add(theme)
        return {
            theme: cues for theme, cues in found.items() if theme in affirmed and not _passing(cues)
        }


class _Cue(NamedTuple):
    """One theme cue in an article, with what its sentence says about it."""

    number: int  # which of the article's sentences
    sentence: Sentence
    match: Match
    anchored: bool  # the sentence names an entity
    negated: bool
    hedged: bool
    history: bool  # set years before the article's own (sourced figures excepted)
    implied: bool = False  # no cue: a headline or lead names a system implying the theme


def _implied(sentences: list[Sentence]) -> dict[str, list[_Cue]]:
    """Per theme, the systems and bodies of the headline and lead that the lexicon says
    imply it (`implies`: BrahMos, co-development)."""
    found: dict[str, list[_Cue]] = {}
    for number, sentence in enumerate(sentences):
        if sentence.zone in ("body", "tail"):
            continue
        for match in sentence.matches:
            for theme in match.term.implies:
                cue = _Cue(
                    number, sentence, match,
                    anchored=True, negated=False, hedged=False, history=False, implied=True,
                )  # fmt: skip
                found.setdefault(theme, []).append(cue)
    return found


def _values(theme: str, found: list[_Cue], cue_sentences: int, sentences: int) -> list[float]:
    """FEATURES of one theme; `cue_sentences` counts every theme's, `sentences` all matched."""
    cues = [c for c in found if not c.implied]  # what the text says of the theme
    upfront = dict.fromkeys(("title_strong", "title_weak", "lead_strong", "lead_weak"), 0.0)
    by_sentence: dict[int, list[_Cue]] = {}
    for cue in cues:
        by_sentence.setdefault(cue.number, []).append(cue)
        if cue.sentence.zone not in ("body", "tail"):
            zone = "title" if cue.sentence.zone == "title" else "lead"  # the summary counts as lead
            upfront[f"{zone}_{'strong' if cue.match.term.strong else 'weak'}"] = 1.0
    strong = weak = loose = 0
    for group in by_sentence.values():
        if group[0].sentence.zone not in ("body", "tail"):
            continue
        if not group[0].anchored:
            loose += 1
        elif any(c.match.term.strong for c in group):
            strong += 1
        else:
            weak += 1
    groups = by_sentence.values()
    count = len(by_sentence)
    per_sentence = max(count, 1)  # a theme only implied has no cue sentence: its shares are 0
    hedged = sum(any(c.hedged for c in g) for g in groups) / per_sentence
    return [
        *upfront.values(),
        math.log1p(strong),
        math.log1p(weak),
        math.log1p(loose),
        float(bool(cues) and all(g[0].sentence.zone == "tail" for g in groups)),
        sum(any(c.negated for c in g) for g in groups) / per_sentence,
        hedged,
        hedged if theme in OFFER_THEMES else 0.0,
        sum(any(c.history for c in g) for g in groups) / per_sentence,
        math.log1p(len({c.match.term.alias.casefold() for c in cues})),
        math.log1p(count),
        count / max(cue_sentences, 1),
        math.log1p(sum(c.match.term.strong for c in cues)),
        count / sentences,
        float(any(c.implied for c in found)),
    ]


def _passing(cues: list[_Cue]) -> bool:
    """A theme's only cue is one weak word in a body sentence that names no entity: a
    passing mention ("indigenous" once), not the article's event."""
    if len(cues) != 1 or cues[0].implied:
        return False
    (cue,) = cues
    return cue.sentence.zone in ("body", "tail") and not cue.match.term.strong and not cue.anchored


def _qualified(match: Match, qualifiers: list[Match], name: str, reach: int) -> bool:
    """A negation or hedge word before the cue (or around it: "no contract"), in the same
    sentence, at most `reach` characters away."""
    return any(
        q.term.name == name and q.start <= match.start and match.start - q.end <= reach
        for q in qualifiers
    )


class _Years:
    """The years each sentence states, read once, and the article's own year: the latest
    one its headline and lead state, else any."""

    def __init__(self, sentences: list[Sentence]):
        self.stated = [
            [int(y) for y in _YEAR.findall(ascii_digits(s.text))] if _DIGIT.search(s.text) else []
            for s in sentences
        ]
        upfront = [y for s, ys in zip(sentences, self.stated, strict=True) for y in ys
                   if s.zone in ("title", "lead", "summary")]  # fmt: skip
        everywhere = [y for ys in self.stated for y in ys]
        self.reference = max(upfront or everywhere, default=None)

    def history(self, number: int) -> bool:
        """Sentence `number` is set in years well before the article's own."""
        stated = self.stated[number]
        return self.reference is not None and bool(stated) and max(stated) <= self.reference - 2


def _clause(sentence: Sentence, match: Match) -> str:
    """The words around a cue, whose verb says whether its event is done or coming."""
    at = match.start - sentence.start
    return sentence.text[max(0, at - TENSE_REACH) : at + len(match.text) + TENSE_REACH]


def _evidence(cues: list[_Cue]) -> dict:
    """The theme's best sentence: the earliest zone, a strong cue before a weak one, a cue
    before a system that implies the theme."""
    rank = {"title": 0, "summary": 1, "lead": 1, "body": 2, "tail": 3}
    best = min(
        cues,
        key=lambda c: (c.implied, rank[c.sentence.zone], not c.match.term.strong, c.number),
    )
    sentence, match = best.sentence, best.match
    text = " ".join(sentence.text.split())
    return {
        "text": match.text,
        "sentence": text[:SENTENCE_CHARS] + ("…" if len(text) > SENTENCE_CHARS else ""),
        "where": sentence.zone,
        "field": sentence.field,
        "start": match.start,
        "end": match.end,
        "tense": "future" if announces(_clause(sentence, match), "") else "past",
        **({"implied_by": match.term.name} if best.implied else {}),
    }
