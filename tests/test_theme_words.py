"""The word model's leans and how the theme model weighs them against the cues."""

from __future__ import annotations

import math

import pytest

from bench.fit_themes import SIGNS
from pipelines.theme_model import CUE_FEATURES, FEATURES, ThemeModel, default_model
from pipelines.theme_words import HEAD_CHARS, LEAN_FLOOR, ThemeWords, default_words, stems
from pipelines.topic import Classifier
from tests.conftest import assert_monotone, stump

THEMES = ["delivery", "arms-deal"]


@pytest.fixture
def words() -> ThemeWords:
    # stem -> [idf, weight for delivery, weight for arms-deal]
    return ThemeWords(
        {
            "themes": THEMES,
            "stems": {
                "delive": [2.0, 3.0, -1.0],
                "batter": [1.0, 1.0, 0.0],
                "contra": [1.5, -9.0, 2.0],
            },
        }
    )


def test_a_lean_is_the_tfidf_vector_dotted_with_the_theme_weights(words: ThemeWords) -> None:
    # Headline words count three times: "delivered" 3 + 1, "batteries" 1; "first" unknown.
    lean = words.leanings("Batteries delivered", "The first batteries were delivered.")
    delivered, batteries = (1 + math.log(4)) * 2.0, (1 + math.log(4)) * 1.0
    norm = math.hypot(delivered, batteries)
    assert lean["delivery"] == pytest.approx((delivered * 3.0 + batteries * 1.0) / norm)
    assert lean["arms-deal"] == pytest.approx(-delivered / norm)


def test_words_the_model_does_not_know_lean_nowhere(words: ThemeWords) -> None:
    assert words.leanings("Talks in Moscow", "Ministers met on Monday.") == dict.fromkeys(
        THEMES, 0.0
    )


def test_a_lean_against_a_theme_goes_only_so_far(words: ThemeWords) -> None:
    lean = words.leanings("Contract", "contract contract")
    assert lean["delivery"] == LEAN_FLOOR
    assert lean["arms-deal"] > 0


def test_stems_read_every_script_in_latin_letters() -> None:
    assert stems("Поставка С-400", "") == ["postav"] * 3
    assert stems("", "deliveries delivered 2025 of") == ["delive", "delive"]


def test_lexicon_terms_are_words_no_stem_can_be() -> None:
    assert stems("Поставка С-400", "", ["S-400", "delivery"]) == [
        *["postav"] * 3, "@S-400", "@delivery",
    ]  # fmt: skip


def test_reports_in_two_scripts_give_the_word_model_the_same_terms() -> None:
    classifier = Classifier()
    english = classifier.head_terms(
        "Rajnath Singh, Belousov sign deal on S-400 deliveries",
        "Defence Minister Rajnath Singh and Andrei Belousov signed a deal in Moscow.",
    )
    russian = classifier.head_terms(
        "Раджнатх Сингх и Белоусов подписали соглашение о поставках С-400",
        "Министр обороны Индии Раджнатх Сингх и Андрей Белоусов подписали соглашение в Москве.",
    )
    shared = {"Rajnath Singh", "Andrei Belousov", "S-400"}
    assert shared <= set(english) and shared <= set(russian)
    # Only the headline and the opening: what the word model reads of the words too.
    late = classifier.head_terms("Talks", "x " * HEAD_CHARS + "Rajnath Singh met Belousov.")
    assert "Rajnath Singh" not in late


def words_or_strong_cues(theme: str) -> ThemeModel:
    """A model of one theme whose trees follow the words' lean alone (found when it is
    positive) and whose cues alone read the strong cues: sigmoid(2 * strong - 2)."""
    cues = {"mean": [0.0] * len(CUE_FEATURES), "scale": [1.0] * len(CUE_FEATURES),
            "weights": [2.0 if f == "strong" else 0.0 for f in CUE_FEATURES],
            "intercepts": {theme: -2.0}}  # fmt: skip
    return ThemeModel(
        {
            "version": "t",
            "features": list(FEATURES),
            "themes": [theme],
            "with_words": {"base": 0.0, "trees": [stump(FEATURES.index("words"), 0.0, -3.0, 3.0)]},
            "cues": cues,
            "threshold": 0.5,
            "sure": 0.8,
            "words_digest": "",
        }
    )


def test_cues_that_state_a_theme_plainly_keep_it_whatever_the_words_say() -> None:
    model = words_or_strong_cues("delivery")
    values = [0.0] * len(CUE_FEATURES)
    strong = CUE_FEATURES.index("strong")
    values[strong] = 2.0  # cues alone: sigmoid(2) = .88, sure
    (sure,) = model.probabilities([("delivery", [*values, -1.0])])
    assert sure == pytest.approx(0.881, abs=1e-3)
    values[strong] = 1.5  # cues alone: sigmoid(1) = .73, not sure: the words decide
    against, towards = model.probabilities(
        [("delivery", [*values, -1.0]), ("delivery", [*values, 1.0])]
    )
    assert against < 0.5
    assert towards > 0.5


def test_an_offer_needs_its_cues_only_to_reach_the_threshold() -> None:
    """ "Interested in buying more" (a cue sentence hedged as an intent, `offered`, and a
    strong cue) is an offer, which the taxonomy counts as arms-deal: the cues alone need
    not be sure."""
    model = words_or_strong_cues("arms-deal")
    values = [0.0] * len(FEATURES)
    values[FEATURES.index("strong")] = 1.5  # cues alone: sigmoid(1) = .73, not sure
    values[FEATURES.index("words")] = -1.0  # the words lean away
    offer = list(values)
    offer[FEATURES.index("offered")] = 0.5
    plain, offered = model.probabilities([("arms-deal", values), ("arms-deal", offer)])
    assert plain < 0.5
    assert offered == pytest.approx(0.731, abs=1e-3)
    # With the cues alone sure at .7, the plain purchase is kept as well, at the same .73.
    assert model.decide(model.scores([("arms-deal", values)]), sure=0.7) == [offered]


def test_the_shipped_theme_model_moves_each_feature_s_way_only() -> None:
    """More strong cues never count against a theme, negation never for it (see
    bench/fit_themes.SIGNS); which theme is asked is free."""
    model = default_model()
    assert_monotone(model.with_words, [SIGNS[f] for f in FEATURES] + [0] * len(model.themes))


def test_the_shipped_theme_model_names_the_shipped_word_model() -> None:
    assert default_model().words_digest == default_words().digest
    assert default_words().themes == default_model().themes


def test_the_theme_f1_interval_draws_whole_stories() -> None:
    from bench.fit_themes import f1_interval

    # Ten stories of two texts: half tagged right, half with their theme missed.
    docs = [{"source": "s", "group": f"g{i // 2}", "themes": {"delivery"}} for i in range(20)]
    right = {i: {"delivery"} if i < 10 else set() for i in range(20)}
    low, high = f1_interval(docs, [right], ("s",))
    assert 0.25 < low < 0.5 < 2 / 3 < 0.75 < high < 0.9  # micro F1 2/3 over all of them
    assert f1_interval(docs, [{i: {"delivery"} for i in range(20)}], ("s",)) == (1.0, 1.0)
    assert f1_interval(docs, [right], ("other",)) == (0.0, 0.0)  # no texts of that source
    assert f1_interval(docs, [right, right], ("s",)) == (low, high)  # runs pool, not count


def test_every_fold_assignment_holds_each_story_out_whole_and_once() -> None:
    from bench.fit_themes import FOLDS, folds

    groups = [f"story{i % 7}" for i in range(40)] + [f"text{i}" for i in range(30)]
    for repeat in range(3):
        splits = folds(groups, repeat)
        assert len(splits) == FOLDS
        held_out = sorted(i for _, test in splits for i in test)
        assert held_out == list(range(len(groups)))  # each document judged once
        for train, test in splits:
            assert not {groups[i] for i in train} & {groups[i] for i in test}
    assert folds(groups, 1) != folds(groups, 2)  # another assignment of the stories


def test_a_copy_of_an_article_in_another_set_is_held_out_with_it() -> None:
    from bench.fit_themes import _hold_copies_together

    text = " ".join(f"word{i}" for i in range(60))
    docs = [
        {"group": "r001", "title": "India takes S-400 delivery", "text": text},
        {"group": "st05", "title": "India takes delivery of S-400", "text": "PTI " + text},
        {"group": "st09", "title": "Another event", "text": text[::-1]},
    ]
    _hold_copies_together(docs)
    assert [d["group"] for d in docs] == ["r001", "r001", "st09"]


def test_the_story_labels_name_taxonomy_themes_each_with_its_reason():
    import json

    from bench.fit_themes import STORY_THEMES
    from pipelines.topic import THEMES as ALL_THEMES

    labels = json.loads(STORY_THEMES.read_text(encoding="utf-8"))
    assert len(labels) == 274
    for label in labels.values():
        assert set(label["themes"]) <= set(ALL_THEMES) and label["why"]
