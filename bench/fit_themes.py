"""Fit the theme model, and measure it under cross-validation.

Training data: the relevant rows of ../shared/data/relevance-dev.jsonl (their `tags`
name the themes the text supports) and every document of the two story dev sets, whose
themes were labelled from their text in the same convention, twice and blind to the model,
the disagreements decided by a third reading (bench/story_themes.json: document ids, theme
names and a reason; the README says how). Documents of one story are
held out together, and so are copies of one article found in two sets; the figures are
pooled over REPEATS assignments of the stories to folds. Two models, stacked:
- the word model (pipelines/theme_words.py): per theme, a logistic regression over the
  tf-idf weights of the stems of each document's headline and opening;
- the theme model: per document and theme with at least one cue, the cue FEATURES of
  pipelines/themes.py, the words' lean and which theme it is go into gradient-boosted
  trees (bench/forest.py; they beat one logistic regression with a bias per theme, .827
  against .835, under one fold assignment), and the cue FEATURES alone into a logistic
  regression with a bias per theme (the cues that make a theme sure). The leans it is
  fitted on are out of fold (each from a word model that did not see that document's
  story), as they are for an article the shipped models never saw. The cue probability
  at which a theme is sure (`sure`) is chosen among SURES by a cross-validation inside
  each fold's training documents (choose_sure), and for the shipped model inside all.
Each micro F1 comes with its 95% interval over the dev stories (bench/bootstrap.py).

Run: .venv/bin/python bench/fit_themes.py [--write]   (exits 0 when ../shared is absent)
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from scipy.optimize import minimize
from scipy.sparse.csgraph import connected_components
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bootstrap import interval  # noqa: E402
from bench.forest import fit_forest  # noqa: E402
from pipelines.forest import Forest  # noqa: E402
from pipelines.shingles import containment, shingles, words  # noqa: E402
from pipelines.stories import PARTIAL_COPY  # noqa: E402
from pipelines.theme_model import CUE_FEATURES, FEATURES, MODEL_PATH, Logistic, Scores, ThemeModel  # noqa: E402
from pipelines.theme_words import WORDS_PATH, ThemeWords, stems  # noqa: E402
from pipelines.topic import THEMES, Classifier  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
STORY_THEMES = Path(__file__).with_name("story_themes.json")
VERSION = "4"
FOLDS = 5
REPEATS = 5  # fold assignments the figures are pooled over (folds)
THRESHOLD = 0.45
# The cue probabilities tried for `sure` (the cues alone keep a theme, whatever the words
# say). Which one is chosen by an inner cross-validation on the training documents of each
# fold (choose_sure), so the figures judge the choice as well.
NEVER_SURE = 1.0  # the cues alone never keep a theme: the trees decide
SURES = (0.55, 0.65, 0.75, 0.85, 0.95, NEVER_SURE)
INNER_FOLDS = 3
TREES = 100  # of the with-words part (bench/forest.py); 50 to 200 give .829 to .833
REGULARISATION = 1.0  # as sklearn's C: the inverse strength of the L2 penalty (cues alone)
WORDS_REGULARISATION = 4.0  # the word model's C
WORDS_MIN_DOCS = 2  # a stem in fewer training documents says nothing general
# The sign each feature's weight must keep (pipelines/theme_model.py FEATURES).
SIGNS = {
    "title_strong": 1, "title_weak": 1, "lead_strong": 1, "lead_weak": 1,
    "anchored_strong": 1, "anchored_weak": 1, "loose": 1, "tail_only": -1, "negated": -1,
    "hedged": 0, "offered": 1, "history": -1, "cues": 1, "sentences": 1, "share": 1, "strong": 1,
    "density": 1, "implied": 1, "words": 1,
}  # fmt: skip


# The figures reported: the relevance set (its labels came with it), the story sets (labelled
# by us from their text and `event`), and all together.
SOURCES = (
    ("relevance-dev",),
    ("stories-dev.jsonl", "stories-dev2.jsonl"),
    ("relevance-dev", "stories-dev.jsonl", "stories-dev2.jsonl"),
)


def _neutral(size: int) -> dict:
    return {"mean": [0.0] * size, "scale": [1.0] * size, "weights": [0.0] * size,
            "intercepts": dict.fromkeys(THEMES, 0.0)}  # fmt: skip


_NEUTRAL = ThemeModel(
    {
        "version": VERSION, "features": list(FEATURES), "themes": list(THEMES),
        "with_words": Forest.of(0.0, []).to_dict(), "cues": _neutral(len(CUE_FEATURES)),
        "threshold": THRESHOLD, "sure": NEVER_SURE, "words_digest": "",
    }
)  # fmt: skip
_NO_WORDS = ThemeWords({"themes": list(THEMES), "stems": {}})
Leanings = dict[int, dict[str, float]]  # document -> theme -> the words' lean
Predicted = dict[int, set[str]]  # document -> the themes found for it


def load(story_themes: Path = STORY_THEMES) -> list[dict]:
    """Documents with `id`, `group`, `source` (which file), `title`, `text`, gold `themes`
    (of the story sets: from `story_themes`), and the `stems` (words and lexicon terms) the
    word model reads."""
    docs = []
    for line in (DATA / "relevance-dev.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["label"] == "relevant":
            themes = {t for t in row["tags"] if t in THEMES}
            docs.append({**row, "group": row["id"], "source": "relevance-dev", "themes": themes})
    labels = json.loads(story_themes.read_text(encoding="utf-8"))
    for name in ("stories-dev.jsonl", "stories-dev2.jsonl"):
        for line in (DATA / name).read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            themes = set(labels[row["id"]]["themes"])
            docs.append({**row, "group": row["story"], "source": name, "themes": themes})
    classifier = Classifier(themes=_NEUTRAL, words=_NO_WORDS)
    for doc in docs:  # what the word model reads, read once for all the fits
        terms = classifier.head_terms(doc["title"], doc["text"])
        doc["stems"] = stems(doc["title"], doc["text"], terms)
    _hold_copies_together(docs)
    return docs


def _hold_copies_together(docs: list[dict]) -> None:
    """One article can be in both the relevance set and a story set: a copy (as the story
    matcher tells copies, PARTIAL_COPY) joins its original's group, so that no fold learns
    an article that it is then judged on."""
    found = [shingles(words(f"{d['title']} {d['text']}")) for d in docs]
    groups = sorted({d["group"] for d in docs})
    index = {group: k for k, group in enumerate(groups)}
    copied = np.zeros((len(groups), len(groups)), dtype=bool)
    for i, j in itertools.combinations(range(len(docs)), 2):
        a, b = index[docs[i]["group"]], index[docs[j]["group"]]
        if a != b and containment(found[i], found[j]) >= PARTIAL_COPY:
            copied[a, b] = True
    _, component = connected_components(copied, directed=False)
    first = {}  # each set of groups linked by copies goes by its first group's name
    for group in groups:
        first.setdefault(component[index[group]], group)
    for doc in docs:
        doc["group"] = first[component[index[doc["group"]]]]


class Examples:
    """Per document, the cue features of each theme it has cues for."""

    def __init__(self, docs: list[dict], classifier: Classifier):
        self.docs = docs
        self.features = [
            classifier.theme_features(d["title"], d["text"], summary=d.get("summary")) for d in docs
        ]

    def matrix(
        self, indices: Iterable[int], leanings: Leanings
    ) -> tuple[np.ndarray, np.ndarray, list[tuple[int, str]]]:
        rows, labels, keys = [], [], []
        for i in indices:
            for theme, values in self.features[i].items():
                onehot = [float(theme == t) for t in THEMES]
                rows.append([*values, leanings[i][theme], *onehot])
                labels.append(int(theme in self.docs[i]["themes"]))
                keys.append((i, theme))
        return np.array(rows), np.array(labels), keys


def fit_words(docs: list[dict], indices: Iterable[int]) -> ThemeWords:
    """The word model fitted on `indices`: per theme, a logistic regression over tf-idf."""
    vectorizer = TfidfVectorizer(analyzer=lambda found: found, sublinear_tf=True,
                                 min_df=WORDS_MIN_DOCS)  # fmt: skip
    X = vectorizer.fit_transform([docs[i]["stems"] for i in indices])
    vocabulary = vectorizer.get_feature_names_out()
    weights = np.zeros((len(THEMES), len(vocabulary)))
    for k, theme in enumerate(THEMES):
        y = [int(theme in docs[i]["themes"]) for i in indices]
        if len(set(y)) < 2:  # never (or always) seen: the words say nothing of it
            continue
        model = LogisticRegression(C=WORDS_REGULARISATION, class_weight="balanced",
                                   max_iter=5000).fit(X, y)  # fmt: skip
        weights[k] = model.coef_[0]  # the intercept: the theme model's bias stands for it
    return ThemeWords(
        {
            "themes": list(THEMES),
            "stems": {
                stem: [round(float(idf), 5), *(round(float(w), 5) for w in weights[:, j])]
                for j, (stem, idf) in enumerate(zip(vocabulary, vectorizer.idf_, strict=True))
            },
        }
    )


def leanings_of(docs: list[dict], indices: Iterable[int], words: ThemeWords) -> Leanings:
    return {i: words.leanings_of_stems(docs[i]["stems"]) for i in indices}


def out_of_fold_leanings(docs: list[dict], indices: Iterable[int]) -> Leanings:
    """Each document's lean from a word model fitted without its story."""
    indices = list(indices)
    groups = [docs[i]["group"] for i in indices]
    found: Leanings = {}
    for train, test in GroupKFold(FOLDS).split(indices, groups=groups):
        words = fit_words(docs, [indices[j] for j in train])
        found |= leanings_of(docs, [indices[j] for j in test], words)
    return found


def fit(
    examples: Examples, indices: Iterable[int], leanings: Leanings, words_digest: str, sure: float
) -> ThemeModel:
    """Both parts of the theme model, fitted on `indices` with these leans."""
    X, y, _ = examples.matrix(indices, leanings)  # FEATURES, then a flag per theme
    themes = X[:, len(FEATURES) :]
    signs = [SIGNS[f] for f in FEATURES] + [0] * len(THEMES)
    return ThemeModel(
        {
            "version": VERSION,
            "features": list(FEATURES),
            "themes": list(THEMES),
            "with_words": fit_forest(X, y, signs, TREES, seed=0).to_dict(),
            "cues": _fit_logistic(X[:, : len(CUE_FEATURES)], themes, y, CUE_FEATURES).to_dict(),
            "threshold": THRESHOLD,
            "sure": sure,
            "words_digest": words_digest,
        }
    )


def _fit_logistic(
    X: np.ndarray, themes: np.ndarray, y: np.ndarray, features: tuple[str, ...]
) -> Logistic:
    """A logistic model over the standardised `features` (X) and a bias per theme (one-hot
    `themes`)."""
    mean, scale = X.mean(axis=0), X.std(axis=0)
    scale[scale == 0] = 1.0
    size = len(features)
    signs = [SIGNS[f] for f in features] + [0] * len(THEMES)
    weights = _bounded_logistic(np.hstack([(X - mean) / scale, themes]), y, signs)
    return Logistic(
        {
            "mean": mean.tolist(),
            "scale": scale.tolist(),
            "weights": weights[:size].tolist(),
            "intercepts": {t: float(weights[size + k]) for k, t in enumerate(THEMES)},
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


def folds(groups: list[str], repeat: int) -> list[tuple[list[int], list[int]]]:
    """FOLDS (train, test) splits of the documents, a group held out whole. Repeat 0 is
    GroupKFold's assignment; each other repeat deals the groups, in an order of its own, to
    the fold that holds the fewest documents so far: which stories share a fold changes the
    figure by a point or so, so it is reported over REPEATS assignments."""
    if repeat == 0:
        return [(list(a), list(b)) for a, b in GroupKFold(FOLDS).split(groups, groups=groups)]
    names = sorted(set(groups))
    size = Counter(groups)
    fold_of: dict[str, int] = {}
    filled = [0] * FOLDS
    for k in np.random.default_rng(repeat).permutation(len(names)):
        fold = filled.index(min(filled))
        fold_of[names[k]] = fold
        filled[fold] += size[names[k]]
    return [
        (
            [i for i, g in enumerate(groups) if fold_of[g] != fold],
            [i for i, g in enumerate(groups) if fold_of[g] == fold],
        )
        for fold in range(FOLDS)
    ]


def held_out(
    examples: Examples, train: list[int], test: list[int]
) -> tuple[ThemeModel, list[tuple[int, str]], Scores]:
    """Models fitted on `train` (the theme model on out-of-fold leans), and their scores of
    every theme with cues in the `test` documents."""
    docs = examples.docs
    words = fit_words(docs, train)
    # `sure` only decides, which `found` does with the value asked: the fit ignores it.
    model = fit(examples, train, out_of_fold_leanings(docs, train), words.digest, NEVER_SURE)
    leanings = leanings_of(docs, test, words)
    asked = [(i, theme, [*values, leanings[i][theme]])
             for i in test for theme, values in examples.features[i].items()]  # fmt: skip
    scores = model.scores([(theme, values) for _, theme, values in asked])
    return model, [(i, theme) for i, theme, _ in asked], scores


def found(model: ThemeModel, keys: list[tuple[int, str]], scores: Scores, sure: float) -> Predicted:
    """The themes found per document of `keys`, the cues alone sure at `sure`."""
    predicted: Predicted = {i: set() for i, _ in keys}
    for (i, theme), probability in zip(keys, model.decide(scores, sure), strict=True):
        if probability >= model.threshold:
            predicted[i].add(theme)
    return predicted


def choose_sure(examples: Examples, indices: list[int]) -> float:
    """The SURES value with the best theme micro F1 over `indices`, each judged by models
    fitted without its story (INNER_FOLDS folds): chosen on these documents only."""
    groups = [examples.docs[i]["group"] for i in indices]
    held = [
        held_out(examples, [indices[j] for j in train], [indices[j] for j in test])
        for train, test in GroupKFold(INNER_FOLDS).split(indices, groups=groups)
    ]

    def f1(sure: float) -> float:
        predicted: Predicted = {i: set() for i in indices}
        for model, keys, scores in held:
            predicted |= found(model, keys, scores, sure)
        return micro_f1(examples.docs, predicted)

    return max(SURES, key=f1)


def micro_f1(docs: list[dict], predicted: Predicted) -> float:
    """Theme micro F1 over the documents `predicted` holds."""
    tp = sum(len(docs[i]["themes"] & themes) for i, themes in predicted.items())
    guessed = sum(len(themes) for themes in predicted.values())
    gold = sum(len(docs[i]["themes"]) for i in predicted)
    return 2 * tp / (guessed + gold) if tp else 0.0


def predictions(examples: Examples, repeat: int = 0) -> tuple[Predicted, list[float]]:
    """Held-out themes of every document, and the `sure` each fold chose: each fold's
    models predict its own documents (the theme model fitted on out-of-fold leans of the
    fold's training documents, its `sure` chosen on them by choose_sure)."""
    predicted: Predicted = {}
    chosen = []
    for train, test in folds([d["group"] for d in examples.docs], repeat):
        chosen.append(choose_sure(examples, train))
        predicted |= found(*held_out(examples, train, test), chosen[-1])
    return {i: predicted.get(i, set()) for i in range(len(examples.docs))}, chosen


def all_runs(examples: Examples) -> list[Predicted]:
    """The held-out themes of every document under each of the REPEATS fold assignments."""
    runs, chosen = [], Counter()
    for repeat in range(REPEATS):
        predicted, sures = predictions(examples, repeat)
        runs.append(predicted)
        chosen.update(sures)
    print(f"sure chosen inside the training folds: {dict(sorted(chosen.items()))}")
    return runs


def f1_interval(
    docs: list[dict], runs: list[Predicted], sources: tuple[str, ...]
) -> tuple[float, float]:
    """The 95% interval of theme micro F1 over the documents of `sources`, their stories
    (a relevance-dev text is a story of its own) drawn again (bootstrap); a story drawn
    brings its documents as every run (fold assignment) predicted them."""
    per_story: dict[str, list[tuple[int, int, int]]] = {}
    for predicted in runs:
        for i, doc in enumerate(docs):
            if doc["source"] in sources:
                gold, guess = doc["themes"], predicted[i]
                counts = (len(gold & guess), len(guess - gold), len(gold - guess))
                per_story.setdefault(doc["group"], []).append(counts)

    def micro_f1(drawn: list[tuple[int, int, int]]) -> float:
        tp, fp, fn = (sum(c[k] for c in drawn) for k in range(3))
        return 2 * tp / (2 * tp + fp + fn) if tp else 0.0

    return interval(list(per_story.values()), micro_f1)


def report(examples: Examples, runs: list[Predicted], sources: tuple[str, ...]) -> float:
    """Print theme micro P/R/F1 over the documents of `sources` and every run (counts
    summed over runs), its interval, each run's F1, and P/R per theme; return the F1."""
    counts: Counter[tuple[str, str]] = Counter()
    each = []
    for predicted in runs:
        mine: Counter[str] = Counter()
        for i, doc in enumerate(examples.docs):
            if doc["source"] not in sources:
                continue
            for theme in THEMES:
                gold, guess = theme in doc["themes"], theme in predicted[i]
                kind = "tp" if gold and guess else "fp" if guess else "fn" if gold else "tn"
                counts[theme, kind] += 1
                mine[kind] += 1
        each.append(2 * mine["tp"] / max(1, 2 * mine["tp"] + mine["fp"] + mine["fn"]))
    tp, fp, fn = (sum(counts[t, k] for t in THEMES) for k in ("tp", "fp", "fn"))
    p, r = tp / (tp + fp) if tp + fp else 1.0, tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    low, high = f1_interval(examples.docs, runs, sources)
    print(f"  {' + '.join(sources)}: theme micro P={p:.3f} R={r:.3f} F1={f:.3f} "
          f"[{low:.3f}, {high:.3f}] (tp={tp} fp={fp} fn={fn}"
          f"{' over ' + str(len(runs)) + ' runs' if len(runs) > 1 else ''})")  # fmt: skip
    if len(runs) > 1:
        print(f"    F1 per fold assignment: {' '.join(f'{x:.3f}' for x in each)}")
    for theme in THEMES:
        tp, fp, fn = (counts[theme, k] for k in ("tp", "fp", "fn"))
        tp_p = tp / (tp + fp) if tp + fp else 1.0
        tp_r = tp / (tp + fn) if tp + fn else 1.0
        print(f"    {theme:<20} P={tp_p:.2f} R={tp_r:.2f} (tp={tp} fp={fp} fn={fn})")
    return f


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="write pipelines/theme_model.json")
    parser.add_argument(
        "--labels", type=Path, default=STORY_THEMES, metavar="JSON",
        help=f"the story sets' theme labels to judge on (default {STORY_THEMES.name}), to "
        "compare a review of them",
    )  # fmt: skip
    args = parser.parse_args()
    if args.write and args.labels != STORY_THEMES:
        parser.error(f"--write fits the shipped model on {STORY_THEMES.name} only")
    if not (DATA / "relevance-dev.jsonl").exists():
        print(f"skipped: labelled texts not found in {DATA}")
        return 0
    docs = load(args.labels)
    examples = Examples(docs, Classifier(themes=_NEUTRAL, words=_NO_WORDS))  # features only
    runs = all_runs(examples)
    print(f"cross-validated, {FOLDS} folds x {REPEATS} fold assignments (a story's "
          "documents, and copies of one article, held out together):")  # fmt: skip
    for sources in SOURCES:
        report(examples, runs, sources)
    everything = range(len(docs))
    words = fit_words(docs, everything)
    sure = choose_sure(examples, list(everything))
    model = fit(examples, everything, out_of_fold_leanings(docs, everything), words.digest, sure)
    names = [*FEATURES, *THEMES]
    splits = Counter(names[f] for f in model.with_words.split_features())
    print(f"with words: {len(model.with_words.roots)} trees; splits per feature and theme "
          f"flag: {dict(splits.most_common())}")  # fmt: skip
    weights = zip(CUE_FEATURES, model.cues.weights, strict=True)
    print("weights, cues alone:", {f: round(w, 3) for f, w in weights}, f"sure at {sure}")
    print(f"word model: {len(words.stems)} stems")
    if args.write:
        data = model.to_dict()
        MODEL_PATH.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        compact = json.dumps(words.data, separators=(",", ":"))
        WORDS_PATH.write_text(compact + "\n", encoding="utf-8")
        print(f"written: {MODEL_PATH}, {WORDS_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
