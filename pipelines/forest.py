"""Fitted decision trees as data: read from JSON and evaluated with numpy alone.

bench/forest.py fits them (scikit-learn's HistGradientBoostingClassifier) and writes them
in the form read here, so that the pipeline needs no scikit-learn and no pickles: the story
join model and the theme model are such forests. Trees weigh one kind of evidence by
another, which a linear score cannot (a foreign report's shared names count for more when
its words can say nothing), and each is fitted monotone in the direction its feature
should count.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

# A tree of at most this many splits is read through a table of its leaf for every
# outcome of its splits (2 ** splits entries): HistGradientBoostingClassifier's trees of 8
# leaves have 7 splits.
MAX_SPLITS = 12


@dataclass(frozen=True, eq=False)
class Forest:
    """Gradient-boosted decision trees: the log-odds of a row of features is `base` plus
    the value of the leaf each tree sends it to. The nodes of all trees are numbered in one
    sequence, tree after tree from its root (`roots`); a leaf leads to itself. A row is
    scored without walking the trees: every split of every tree is tested at once, each
    tree's outcomes make a number, and a table per tree (`_tables`) gives the value of
    the leaf those outcomes lead to."""

    base: float
    roots: np.ndarray  # the node each tree starts at
    feature: np.ndarray  # per node: the feature it splits on
    threshold: np.ndarray  # values up to it go to the left child
    left: np.ndarray
    right: np.ndarray
    value: np.ndarray  # a leaf's log-odds (0 at a split)

    @classmethod
    def of(cls, base: float, trees: list[dict[str, list]]) -> Forest:
        """A forest of `trees`, each a dict of node lists (TREE_ARRAYS) whose children are
        numbered within the tree."""
        sizes = [len(tree["feature"]) for tree in trees]
        roots = np.cumsum([0, *sizes], dtype=np.intp)[:-1]
        arrays = {}
        for name, kind in TREE_ARRAYS.items():
            parts = [np.asarray(tree[name], dtype=kind) for tree in trees]
            if name in ("left", "right"):  # children numbered in the whole forest
                parts = [part + root for part, root in zip(parts, roots, strict=True)]
            arrays[name] = np.concatenate(parts) if parts else np.zeros(0, kind)
        forest = cls(float(base), roots, **arrays)
        forest._tables  # noqa: B018 -- built now: a tree too deep for them is refused here
        return forest

    @cached_property
    def depth(self) -> int:
        """The most splits on a path from a root to a leaf."""
        deepest, nodes = 0, self.roots
        while (splits := nodes[self.left[nodes] != nodes]).size:
            nodes = np.concatenate([self.left[splits], self.right[splits]])
            deepest += 1
        return deepest

    def log_odds(self, rows: np.ndarray) -> np.ndarray:
        """The log-odds of each row of `rows` (one set of features each)."""
        features, thresholds, bits, leaves, first_leaf = self._tables
        goes_left = rows[:, features] <= thresholds  # (rows, trees, splits)
        outcomes = np.einsum("rts,s->rt", goes_left, bits)  # (rows, trees)
        return self.base + leaves[first_leaf + outcomes].sum(axis=1)

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        """The probability of each row of `rows`, from its log-odds."""
        return 1.0 / (1.0 + np.exp(-self.log_odds(rows)))

    @cached_property
    def is_split(self) -> np.ndarray:
        """Per node: whether it splits (a leaf leads to itself)."""
        return self.left != np.arange(len(self.left))

    @cached_property
    def _tables(self) -> tuple[np.ndarray, ...]:
        """What `log_odds` reads, per tree: the features of its splits, in node order,
        padded with feature 0; their thresholds, the padding's -inf (never reached); the
        weight of each split's outcome in the number of the tree's outcomes (bit i: whether
        its i-th split goes left); and, in one flat table, the value of the leaf each such
        number leads to (found by walking every one), the tree's first at `first_leaf`."""
        nodes = np.flatnonzero(self.is_split)
        tree = np.searchsorted(self.roots, nodes, side="right") - 1
        counts = np.bincount(tree, minlength=len(self.roots))
        if counts.max(initial=0) > MAX_SPLITS:
            raise ValueError(f"a tree of more than {MAX_SPLITS} splits: refit with fewer leaves")
        place = np.arange(len(nodes)) - np.repeat(np.cumsum(counts) - counts, counts)
        features = np.zeros((len(self.roots), counts.max(initial=0)), dtype=np.intp)
        thresholds = np.full(features.shape, -np.inf)
        features[tree, place], thresholds[tree, place] = self.feature[nodes], self.threshold[nodes]
        bit = np.zeros(len(self.feature), dtype=np.intp)  # each split's place in its tree
        bit[nodes] = place
        outcomes = np.arange(1 << features.shape[1])
        node = np.repeat(self.roots[:, None], len(outcomes), axis=1)
        for _ in range(self.depth):
            goes_left = (outcomes >> bit[node]) & 1 == 1
            node = np.where(goes_left, self.left[node], self.right[node])
        first_leaf = np.arange(len(self.roots)) * len(outcomes)
        bits = 1 << np.arange(features.shape[1])
        return features, thresholds, bits, self.value[node].ravel(), first_leaf

    def split_features(self) -> list[int]:
        """The feature of every split (every node that is no leaf), tree by tree."""
        return self.feature[self.is_split].tolist()

    def to_dict(self) -> dict[str, Any]:
        ends = np.append(self.roots, len(self.feature))[1:]
        trees = []
        for root, end in zip(self.roots, ends, strict=True):
            tree = {name: getattr(self, name)[root:end] for name in TREE_ARRAYS}
            tree["left"], tree["right"] = tree["left"] - root, tree["right"] - root
            trees.append({name: nodes.tolist() for name, nodes in tree.items()})
        return {"base": self.base, "trees": trees}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Forest:
        return cls.of(data["base"], data["trees"])


TREE_ARRAYS = {
    "feature": np.intp, "threshold": np.float64, "left": np.intp, "right": np.intp,
    "value": np.float64,
}  # fmt: skip
