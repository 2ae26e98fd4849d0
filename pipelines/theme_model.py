"""The theme model: per theme, how likely an article reports that kind of event, from
the FEATURES pipelines/themes.py reads of its cue sentences and from how its words lean
(pipelines/theme_words.py). The fitted trees and weights are data (`theme_model.json`,
fitted by bench/fit_themes.py under cross-validation, with the digest of the word model it
was fitted with); their digest names them in the story index's rules version, read
without loading the theme reader."""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import NamedTuple

import numpy as np

from pipelines.forest import Forest

MODEL_PATH = Path(__file__).with_name("theme_model.json")

CUE_FEATURES = (
    "title_strong",
    "title_weak",
    "lead_strong",
    "lead_weak",
    "anchored_strong",  # log(1 + sentences naming an entity and holding a strong cue)
    "anchored_weak",
    "loose",  # log(1 + other sentences holding a cue)
    "tail_only",  # every cue sits in the article's tail
    "negated",  # share of the cue sentences where the cue is negated
    "hedged",  # ... or hedged
    "offered",  # ... hedged, of a theme whose intents count (OFFER_THEMES: "plans to buy")
    "history",  # ... or set in an earlier year (sourced figures excepted)
    "cues",  # log(1 + distinct cue phrases)
    "sentences",  # log(1 + sentences holding a cue)
    "share",  # this theme's cue sentences among all theme-cue sentences of the article
    "strong",  # log(1 + strong cue matches)
    "density",  # cue sentences among the article's sentences that hold any match
    "implied",  # the headline or lead names a system or body implying the theme (lexicon)
)
FEATURES = (
    *CUE_FEATURES,
    "words",  # how the headline's and opening's words lean to the theme (theme_words.py)
)
_OFFERED, _STRONG = FEATURES.index("offered"), FEATURES.index("strong")


def weights_digest(data: dict) -> str:
    """A short name for fitted weights (JSON data): any change of them changes it."""
    return hashlib.sha1(json.dumps(data, sort_keys=True).encode()).hexdigest()[:12]


class Logistic:
    """A logistic regression over standardised features, with a bias per theme."""

    def __init__(self, data: dict):
        self.mean: list[float] = data["mean"]
        self.scale: list[float] = data["scale"]
        self.weights: list[float] = data["weights"]
        self.intercepts: dict[str, float] = data["intercepts"]
        # The standardisation folded into the weights: one dot product per theme.
        self._slopes = [w / s for w, s in zip(self.weights, self.scale, strict=True)]
        self._offset = -sum(m * w for m, w in zip(self.mean, self._slopes, strict=True))

    def probability(self, theme: str, values: Sequence[float]) -> float:
        z = sum(v * w for v, w in zip(values, self._slopes, strict=True))
        z += self._offset + self.intercepts[theme]
        return 1.0 / (1.0 + math.exp(-z))

    def to_dict(self) -> dict:
        return {
            "mean": self.mean,
            "scale": self.scale,
            "weights": self.weights,
            "intercepts": self.intercepts,
        }


class Scores(NamedTuple):
    """What the two parts of the model say of each theme asked, and whether its text
    states an offer (see ThemeModel)."""

    trees: list[float]
    cues: list[float]
    offers: list[bool]


class ThemeModel:
    """Two models per theme: `with_words`, gradient-boosted trees over all FEATURES and
    which theme is asked (one flag per theme of `themes`), which decides; and `cues`, a
    logistic model over the CUE_FEATURES alone. A theme is found when the first reaches
    `threshold`, or when the cues alone reach `sure`: a sentence that plainly states a
    theme keeps it, even in an article whose words are about something else or in a
    language the word model hardly knows. The cues alone need only reach `threshold` for
    a theme whose text states an offer: a cue sentence hedged as an intent (`offered`,
    "interested in buying") and a strong cue ("more units"), as in "India is interested
    in buying more S-400 units". The taxonomy counts an offer as arms-deal, even in a
    ministers' meeting whose words lean elsewhere."""

    def __init__(self, data: dict):
        if list(data["features"]) != list(FEATURES):
            raise ValueError("theme model was fitted on other features: refit it")
        self.version = data["version"]
        self.digest = weights_digest(data)  # names these exact weights
        self.themes: list[str] = data["themes"]
        self.with_words = Forest.from_dict(data["with_words"])
        self.cues = Logistic(data["cues"])
        self.threshold = float(data["threshold"])
        self.sure = float(data["sure"])
        self.words_digest: str = data["words_digest"]  # the word model fitted with it

    def probabilities(self, asked: Sequence[tuple[str, Sequence[float]]]) -> list[float]:
        """How likely each theme asked is, from its FEATURES (the words' lean last): at
        least `threshold` exactly when the theme is found."""
        return self.decide(self.scores(asked), self.sure)

    def scores(self, asked: Sequence[tuple[str, Sequence[float]]]) -> Scores:
        """Both parts' probabilities of each theme asked; the trees read all the rows at
        once (an article's themes, or a fold's)."""
        if not asked:
            return Scores([], [], [])
        rows = np.array([[*values, *self.flags(theme)] for theme, values in asked])
        return Scores(
            self.with_words.probabilities(rows).tolist(),
            [self.cues.probability(theme, values[: len(CUE_FEATURES)]) for theme, values in asked],
            [values[_OFFERED] > 0 and values[_STRONG] > 0 for _, values in asked],
        )

    def decide(self, scores: Scores, sure: float) -> list[float]:
        """Each theme's probability, at least `threshold` exactly when it is found, with the
        cues alone sure at `sure` (the fit harness tries several on the same scores)."""
        return [
            max(tree, stated) if stated >= (self.threshold if offer else sure) else tree
            for tree, stated, offer in zip(*scores, strict=True)
        ]

    def flags(self, theme: str) -> list[float]:
        """Which theme is asked, as the trees read it: 1 for it, 0 for the others."""
        return [float(theme == other) for other in self.themes]

    def to_dict(self) -> dict:
        return {
            "version": self.version,
            "features": list(FEATURES),
            "themes": self.themes,
            "with_words": self.with_words.to_dict(),
            "cues": self.cues.to_dict(),
            "threshold": self.threshold,
            "sure": self.sure,
            "words_digest": self.words_digest,
        }


@cache
def default_model() -> ThemeModel:
    return ThemeModel(json.loads(MODEL_PATH.read_text(encoding="utf-8")))
