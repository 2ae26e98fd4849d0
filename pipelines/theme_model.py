"""The theme model: per theme, how likely an article reports that kind of event, from
the FEATURES pipelines/themes.py reads of its cue sentences. The weights are data
(`theme_model.json`, fitted by bench/fit_themes.py under cross-validation); their digest
names them in the story index's rules version, read without loading the theme reader."""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from functools import cache
from pathlib import Path

MODEL_PATH = Path(__file__).with_name("theme_model.json")

FEATURES = (
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
    "history",  # ... or set in an earlier year (sourced figures excepted)
    "cues",  # log(1 + distinct cue phrases)
    "sentences",  # log(1 + sentences holding a cue)
    "share",  # this theme's cue sentences among all theme-cue sentences of the article
    "strong",  # log(1 + strong cue matches)
    "density",  # cue sentences among the article's sentences that hold any match
    "implied",  # the headline or lead names a system or body implying the theme (lexicon)
)


class ThemeModel:
    """Per theme, the probability that an article reports that kind of event."""

    def __init__(self, data: dict):
        if list(data["features"]) != list(FEATURES):
            raise ValueError("theme model was fitted on other features: refit it")
        self.version = data["version"]
        canonical = json.dumps(data, sort_keys=True).encode()
        self.digest = hashlib.sha1(canonical).hexdigest()[:12]  # names these exact weights
        self.mean: list[float] = data["mean"]
        self.scale: list[float] = data["scale"]
        self.weights: list[float] = data["weights"]
        self.intercepts: dict[str, float] = data["intercepts"]
        self.threshold = float(data["threshold"])
        # The standardisation folded into the weights: one dot product per theme.
        self._slopes = [w / s for w, s in zip(self.weights, self.scale, strict=True)]
        self._offset = -sum(m * w for m, w in zip(self.mean, self._slopes, strict=True))

    def probability(self, theme: str, values: Sequence[float]) -> float:
        z = sum(v * w for v, w in zip(values, self._slopes, strict=True))
        z += self._offset + self.intercepts[theme]
        return 1.0 / (1.0 + math.exp(-z))


@cache
def default_model() -> ThemeModel:
    return ThemeModel(json.loads(MODEL_PATH.read_text(encoding="utf-8")))
