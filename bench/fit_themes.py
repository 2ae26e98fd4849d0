"""Fit the theme model, and measure it under cross-validation.

Training data: the relevant rows of ../shared/data/relevance-dev.jsonl (their `tags`
name the themes the text supports) and every document of the two story dev sets, whose
themes were labelled by hand from their text and `event` field in the same convention
(bench/story_themes.json: document ids and theme names only). Documents of one story are
held out together. Per document and theme with at least one cue, the FEATURES of
pipelines/themes.py go into one logistic regression with a bias per theme.

Run: .venv/bin/python bench/fit_themes.py [--write]   (exits 0 when ../shared is absent)
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np
from scipy.optimize import minimize
from sklearn.model_selection import GroupKFold

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipelines.theme_model import FEATURES, MODEL_PATH, ThemeModel  # noqa: E402
from pipelines.topic import THEMES, Classifier  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
STORY_THEMES = Path(__file__).with_name("story_themes.json")
VERSION = "1"
FOLDS = 5
THRESHOLD = 0.45
REGULARISATION = 1.0  # as sklearn's C: the inverse strength of the L2 penalty
# The sign each feature's weight must keep (pipelines/theme_model.py FEATURES).
SIGNS = {
    "title_strong": 1, "title_weak": 1, "lead_strong": 1, "lead_weak": 1,
    "anchored_strong": 1, "anchored_weak": 1, "loose": 1, "tail_only": -1, "negated": -1,
    "hedged": 0, "history": -1, "cues": 1, "sentences": 1, "share": 1, "strong": 1,
    "density": 1, "implied": 1,
}  # fmt: skip


# The figures reported: the relevance set (its labels came with it), the story sets (labelled
# by us from their text and `event`), and all together.
SOURCES = (
    ("relevance-dev",),
    ("stories-dev.jsonl", "stories-dev2.jsonl"),
    ("relevance-dev", "stories-dev.jsonl", "stories-dev2.jsonl"),
)


_NEUTRAL = ThemeModel(
    {
        "version": VERSION, "features": list(FEATURES), "mean": [0.0] * len(FEATURES),
        "scale": [1.0] * len(FEATURES), "weights": [0.0] * len(FEATURES),
        "intercepts": dict.fromkeys(THEMES, 0.0), "threshold": THRESHOLD,
    }
)  # fmt: skip


def load() -> list[dict]:
    """Documents with `id`, `group`, `source` (which file), `title`, `text`, gold `themes`."""
    docs = []
    for line in (DATA / "relevance-dev.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["label"] == "relevant":
            themes = {t for t in row["tags"] if t in THEMES}
            docs.append({**row, "group": row["id"], "source": "relevance-dev", "themes": themes})
    labels = json.loads(STORY_THEMES.read_text(encoding="utf-8"))
    for name in ("stories-dev.jsonl", "stories-dev2.jsonl"):
        for line in (DATA / name).read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            themes = set(labels[row["id"]]["themes"])
            docs.append({**row, "group": row["story"], "source": name, "themes": themes})
    return docs


class Examples:
    """Per document, the feature vector of each theme it has cues for."""

    def __init__(self, docs: list[dict], classifier: Classifier):
        self.docs = docs
        self.features = [
            classifier.theme_features(d["title"], d["text"], summary=d.get("summary")) for d in docs
        ]

    def matrix(self, indices) -> tuple[np.ndarray, np.ndarray, list[tuple[int, str]]]:  # noqa: ANN001
        rows, labels, keys = [], [], []
        for i in indices:
            for theme, values in self.features[i].items():
                onehot = [float(theme == t) for t in THEMES]
                rows.append([*values, *onehot])
                labels.append(int(theme in self.docs[i]["themes"]))
                keys.append((i, theme))
        return np.array(rows), np.array(labels), keys


def fit(examples: Examples, indices) -> ThemeModel:  # noqa: ANN001
    X, y, _ = examples.matrix(indices)
    size = len(FEATURES)
    mean, scale = X[:, :size].mean(axis=0), X[:, :size].std(axis=0)
    scale[scale == 0] = 1.0
    X = np.hstack([(X[:, :size] - mean) / scale, X[:, size:]])
    weights = _bounded_logistic(X, y, [SIGNS[f] for f in FEATURES] + [0] * len(THEMES))
    intercepts = {t: float(weights[size + k]) for k, t in enumerate(THEMES)}
    return ThemeModel(
        {
            "version": VERSION,
            "features": list(FEATURES),
            "mean": mean.tolist(),
            "scale": scale.tolist(),
            "weights": weights[:size].tolist(),
            "intercepts": intercepts,
            "threshold": THRESHOLD,
        }
    )


def _bounded_logistic(X: np.ndarray, y: np.ndarray, signs: list[int]) -> np.ndarray:
    """L2-regularised logistic regression whose weights keep the sign their feature's
    meaning gives (+1: more of it is more evidence, -1: less, 0: free), so that the
    model stays sensible on articles unlike the training ones (short, one cue)."""
    sign = np.array(signs, dtype=float)
    penalty = sign != 0  # the theme biases (sign 0) are not shrunk

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        z = X @ w
        p = 1 / (1 + np.exp(-z))
        nll = np.logaddexp(0, z).sum() - y @ z
        grad = X.T @ (p - y) + w * penalty / REGULARISATION
        return nll + (w[penalty] ** 2).sum() / (2 * REGULARISATION), grad

    bounds = [(0, None) if s > 0 else (None, 0) if s < 0 else (None, None) for s in sign]
    return minimize(loss, np.zeros(X.shape[1]), jac=True, bounds=bounds, method="L-BFGS-B").x


def predictions(examples: Examples) -> dict[int, set[str]]:
    """Held-out themes of every document: each fold's model predicts its own documents."""
    groups = [d["group"] for d in examples.docs]
    predicted: dict[int, set[str]] = {i: set() for i in range(len(examples.docs))}
    for train, test in GroupKFold(FOLDS).split(examples.docs, groups=groups):
        model = fit(examples, train)
        for i in test:
            for theme, values in examples.features[i].items():
                if model.probability(theme, values) >= model.threshold:
                    predicted[i].add(theme)
    return predicted


def report(examples: Examples, predicted: dict[int, set[str]], sources: tuple[str, ...]) -> float:
    counts: Counter[tuple[str, str]] = Counter()
    for i, doc in enumerate(examples.docs):
        if doc["source"] not in sources:
            continue
        for theme in THEMES:
            gold, guess = theme in doc["themes"], theme in predicted[i]
            counts[
                theme, "tp" if gold and guess else "fp" if guess else "fn" if gold else "tn"
            ] += 1
    tp, fp, fn = (sum(counts[t, k] for t in THEMES) for k in ("tp", "fp", "fn"))
    p, r = tp / (tp + fp) if tp + fp else 1.0, tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    print(f"  {' + '.join(sources)}: theme micro P={p:.3f} R={r:.3f} F1={f:.3f} "
          f"(tp={tp} fp={fp} fn={fn})")  # fmt: skip
    for theme in THEMES:
        tp, fp, fn = (counts[theme, k] for k in ("tp", "fp", "fn"))
        tp_p = tp / (tp + fp) if tp + fp else 1.0
        tp_r = tp / (tp + fn) if tp + fn else 1.0
        print(f"    {theme:<20} P={tp_p:.2f} R={tp_r:.2f} (tp={tp} fp={fp} fn={fn})")
    return f


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="write pipelines/theme_model.json")
    args = parser.parse_args()
    if not (DATA / "relevance-dev.jsonl").exists():
        print(f"skipped: labelled texts not found in {DATA}")
        return 0
    docs = load()
    examples = Examples(docs, Classifier(themes=_NEUTRAL))  # features only: any model will do
    predicted = predictions(examples)
    print(f"cross-validated, {FOLDS} folds (a story's documents held out together):")
    for sources in SOURCES:
        report(examples, predicted, sources)
    model = fit(examples, range(len(docs)))
    print("weights:", {f: round(w, 3) for f, w in zip(FEATURES, model.weights, strict=True)})
    if args.write:
        data = {
            "version": VERSION,
            "features": list(FEATURES),
            "mean": model.mean,
            "scale": model.scale,
            "weights": model.weights,
            "intercepts": model.intercepts,
            "threshold": model.threshold,
        }
        MODEL_PATH.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        print(f"written: {MODEL_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
