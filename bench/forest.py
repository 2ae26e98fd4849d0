"""Fit gradient-boosted trees and turn them into pipelines/forest.Forest, the form the
pipeline reads from JSON (no scikit-learn, no pickles at run time).

Both fitted models use these settings: trees of at most 8 leaves of 20 examples each, each
tree's values shrunk by 0.05 and penalised by L2, every tree monotone in the direction
each feature's sign gives (+1: more of it is more evidence, -1: less, 0: free), so that
a model stays sensible on texts unlike the dev ones.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipelines.forest import Forest  # noqa: E402

LEAVES = 8
MIN_LEAF = 20
LEARNING_RATE = 0.05
L2 = 1.0


def fit_forest(X: np.ndarray, y: np.ndarray, signs: list[int], trees: int, seed: int) -> Forest:
    """`trees` trees fitted to the labels `y` of the rows of `X`, monotone by `signs`."""
    fitted = HistGradientBoostingClassifier(
        max_iter=trees, learning_rate=LEARNING_RATE, max_leaf_nodes=LEAVES,
        min_samples_leaf=MIN_LEAF, l2_regularization=L2, early_stopping=False,
        monotonic_cst=signs, random_state=seed,
    )  # fmt: skip
    return forest_of(fitted.fit(X, y))


def forest_of(fitted: HistGradientBoostingClassifier) -> Forest:
    """The fitted trees as a Forest: each node's split (feature, threshold, children) or,
    at a leaf, its value (sklearn's leaf values already carry the learning rate). Leaves
    lead to themselves, as Forest walks them."""
    found = []
    for (tree,) in fitted._predictors:
        nodes = tree.nodes
        leaf = nodes["is_leaf"].astype(bool)
        itself = np.arange(len(nodes))
        found.append({
            "feature": np.where(leaf, 0, nodes["feature_idx"]).tolist(),
            "threshold": np.where(leaf, 0.0, nodes["num_threshold"]).tolist(),
            "left": np.where(leaf, itself, nodes["left"]).tolist(),
            "right": np.where(leaf, itself, nodes["right"]).tolist(),
            "value": np.where(leaf, nodes["value"], 0.0).tolist(),
        })  # fmt: skip
    return Forest.of(float(np.ravel(fitted._baseline_prediction)[0]), found)
