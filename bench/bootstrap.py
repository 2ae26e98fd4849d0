"""The interval a figure measured on the dev stories could land in on other stories."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import TypeVar

Item = TypeVar("Item")

DRAWS = 1000


def interval(
    stories: Sequence[Sequence[Item]],
    figure: Callable[[list[Item]], float],
    draws: int = DRAWS,
) -> tuple[float, float]:
    """The 95% interval of `figure` (of the items of all stories together) when the stories
    are drawn again with replacement, `draws` times: how large a difference between two
    settings the number of dev stories can tell apart. Stories are drawn whole, as the
    figures hold them out whole."""
    rng = random.Random(0)
    found = sorted(
        figure([item for story in rng.choices(stories, k=len(stories)) for item in story])
        for _ in range(draws)
    )
    return found[int(0.025 * draws)], found[int(0.975 * draws) - 1]
