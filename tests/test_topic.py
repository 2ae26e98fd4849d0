"""Relevance, tags, reasons, the feed prefilter and the JSON Lines entry point."""

import io
import json
from pathlib import Path

import pytest

from pipelines.lexicon import Lexicon
from pipelines.sentences import sentence_starts
from pipelines.theme_model import CUE_FEATURES, FEATURES, ThemeModel
from pipelines.topic import BAND, THEMES, THRESHOLD, Classifier, classify_lines, status_for
from tests.conftest import stump


@pytest.fixture(scope="module")
def clf() -> Classifier:
    return Classifier()


S400_DELIVERY = (
    "Russia to complete S-400 deliveries to India by 2026",
    "Russia will deliver the remaining two S-400 Triumf squadrons to India by 2026, an official "
    "of Rosoboronexport said on Tuesday. The Indian Air Force has already deployed three "
    "squadrons of the air defence system.\n"
    "The delivery schedule slipped after the war in Ukraine and problems with rupee-rouble "
    "payments under Western sanctions. India signed the $5.4 billion contract with Russia in "
    "2018 despite the threat of US sanctions under CAATSA.",
)


def tag_names(verdict) -> set[str]:
    return {t.name for t in verdict.tags}


def test_india_russia_arms_story_is_relevant(clf):
    v = clf.classify(*S400_DELIVERY)
    assert v.relevant and v.status == "relevant" and v.score >= THRESHOLD + BAND
    assert {"S-400", "Rosoboronexport", "delivery", "payments-sanctions"} <= tag_names(v)


def test_russian_arms_for_another_country_is_not(clf):
    v = clf.classify(
        "Egypt receives first Su-35 fighters from Russia",
        "Russia has delivered the first batch of Su-35 fighter jets to Egypt, the Russian "
        "defence ministry said. Cairo ordered two dozen of the aircraft in 2018. Egyptian "
        "pilots trained in Russia for six months. The contract also covers missiles and "
        "spare parts.\n"
        "India, which flies the Su-30MKI, was among the earlier buyers of Sukhoi fighters.",
    )
    assert not v.relevant


def test_india_russia_oil_trade_is_not(clf):
    v = clf.classify(
        "India's Russian oil imports hit a record in May",
        "India imported a record 2.1 million barrels a day of Russian crude in May, making "
        "Russia its largest oil supplier. Indian refiners paid in dirhams and yuan as the "
        "rupee-rouble trade remained limited. New Delhi and Moscow aim for $100 billion in "
        "bilateral trade by 2030.",
    )
    assert not v.relevant and v.status == "irrelevant"


def test_indian_defence_with_a_russian_aside_is_not(clf):
    v = clf.classify(
        "IAF to receive first Tejas Mk1A jets with GE engines",
        "The Indian Air Force will receive its first Tejas Mk1A fighter jets from HAL next "
        "month after delays in GE F404 engine deliveries. The IAF plans 83 jets for six "
        "squadrons. Defence officials said the indigenous fighter will replace older jets.\n"
        "HAL is also building the Tejas Mk2 with the GE F414 engine. Flight tests are due in "
        "2026 at Bengaluru. The fleet will eventually replace the Russian-origin MiG-29.",
    )
    assert not v.relevant


def test_a_passing_mention_is_not(clf):
    v = clf.classify(
        "Monsoon to reach Kerala by June 1, says IMD",
        "The India Meteorological Department said the monsoon would reach Kerala by June 1. "
        "Farmers in the south welcomed the forecast. Rainfall is expected to be above normal.\n"
        "Separately, a delegation visited Moscow last week to discuss S-400 spares.",
    )
    assert not v.relevant and v.score < THRESHOLD


def test_hindi_article_is_relevant(clf):
    v = clf.classify(
        "रूस से एस-400 की चौथी स्क्वाड्रन भारत पहुंची",
        "रूस ने भारत को एस-400 वायु रक्षा प्रणाली की चौथी स्क्वाड्रन सौंप दी है। भारतीय वायुसेना "
        "इसे पश्चिमी सीमा पर तैनात करेगी। रक्षा मंत्रालय के अधिकारियों ने बताया कि बाकी आपूर्ति "
        "अगले साल तक पूरी होगी।",
    )
    assert v.relevant and "S-400" in tag_names(v)


def test_russian_article_is_relevant(clf):
    v = clf.classify(
        "Рособоронэкспорт завершит поставки С-400 Индии в 2026 году",
        "Россия завершит поставки зенитных ракетных комплексов С-400 «Триумф» Индии в 2026 "
        "году, сообщил генеральный директор Рособоронэкспорта Александр Михеев. Индийские ВВС "
        "уже развернули три полка.",
    )
    assert v.relevant
    assert {"S-400", "Rosoboronexport", "Alexander Mikheev", "delivery"} <= tag_names(v)


def test_brahmos_export_counts_as_india_russia(clf):
    v = clf.classify(
        "India ships second BrahMos battery to the Philippines",
        "India has shipped the second battery of BrahMos supersonic cruise missiles to the "
        "Philippines under the $375 million deal. BrahMos Aerospace, the Indo-Russian joint "
        "venture, said a third battery would follow. The missile is co-developed by DRDO and "
        "Russia's NPO Mashinostroyeniya.",
    )
    assert v.relevant
    assert {"BrahMos", "BrahMos Aerospace", "DRDO", "co-development"} <= tag_names(v)


BACKGROUND = " ".join(["Filler sentence about the weather in the capital."] * 12)


def test_one_background_mention_is_not_a_theme(clf):
    title = "Rajnath Singh meets Andrei Belousov in Moscow"
    lead = "Rajnath Singh and Andrei Belousov discussed S-400 deliveries in Moscow on Tuesday."
    v = clf.classify(title, f"{lead} {BACKGROUND} The ministry also mentioned indigenous parts.")
    assert "self-reliance" not in tag_names(v)
    v = clf.classify(
        "Rajnath Singh pushes Make in India for S-400 spares",
        f"{lead} Rajnath Singh said the spares must be made in India under Atmanirbhar Bharat.",
    )
    assert "self-reliance" in tag_names(v)


def test_a_sourced_figure_in_a_history_paragraph_still_tags_arms_trade_data(clf):
    v = clf.classify(
        "Rajnath Singh meets Andrei Belousov in Moscow in 2025",
        "Rajnath Singh and Andrei Belousov discussed S-400 deliveries in Moscow. "
        f"{BACKGROUND} Between 2009 and 2013 India imported 76 per cent of its arms from "
        "Russia, according to SIPRI.",
    )
    assert "arms-trade-data" in tag_names(v)


def test_a_denied_event_is_not_a_theme(clf):
    signed = clf.classify(
        "India signs contract for two more S-400 squadrons",
        "Rajnath Singh and Andrei Belousov signed a contract for two more S-400 squadrons.",
    )
    denied = clf.classify(
        "No contract for more S-400 squadrons signed in Moscow",
        "No contract for more S-400 squadrons was signed, Rajnath Singh said after meeting "
        "Andrei Belousov.",
    )
    assert "arms-deal" in tag_names(signed)
    assert "arms-deal" not in tag_names(denied)


def test_theme_evidence_is_the_sentence_and_the_cue(clf):
    title = "Russia delivers fourth S-400 squadron to India"
    text = "Rosoboronexport delivered the fourth S-400 squadron to India, officials said."
    v = clf.classify(title, text)
    (delivery,) = [t for t in v.tags if t.name == "delivery"]
    (evidence,) = delivery.evidence
    assert evidence["sentence"] == title and evidence["where"] == "title"
    assert title[evidence["start"] : evidence["end"]] == evidence["text"]
    v = clf.classify(
        "Russia to deliver two more S-400 squadrons to India",
        "The two pending S-400 squadrons will be delivered to India in 2026-27.",
    )
    (delivery,) = [t for t in v.tags if t.name == "delivery"]
    assert delivery.evidence[0]["tense"] == "future"


def test_a_full_stop_after_an_abbreviation_or_an_initial_ends_no_sentence(clf):
    """The evidence sentence is the whole sentence: "Ltd." or "Mr." inside it is no end."""
    text = (
        "The ministry approved 12 Su-30MKI fighters, which Hindustan Aeronautics Ltd. builds "
        "under Russian licence. Mr. Belousov met Rajnath Singh. Gov. P. S. Pillai was there."
    )
    (codev,) = [
        t
        for t in clf.classify("India to buy 12 more Su-30MKI fighters", text).tags
        if t.name == "co-development"
    ]
    assert codev.evidence[0]["sentence"].startswith("The ministry approved 12 Su-30MKI")
    assert codev.evidence[0]["sentence"].endswith("under Russian licence.")
    starts = sentence_starts(text)
    sentences = [text[a:b].strip() for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]
    assert sentences[1:] == ["Mr. Belousov met Rajnath Singh.", "Gov. P. S. Pillai was there."]


def test_reasons_point_at_the_right_text(clf):
    title, text = S400_DELIVERY
    v = clf.classify(title, text)
    fields = {"title": title, "text": text}
    s400 = [r for r in v.reasons if r["tag"] == "S-400"]
    assert s400 and s400[0]["where"] == "title" and s400[0]["signal"] == "russia-side+defence"
    for reason in v.reasons:
        assert reason["term"] in reason["snippet"].replace("…", "")
        assert fields[reason["field"]][reason["start"] : reason["end"]] == reason["term"]
    for tag in v.tags:
        for ev in tag.evidence:
            assert fields[ev["field"]][ev["start"] : ev["end"]] == ev["text"]


def test_verdict_is_json_serialisable(clf):
    v = clf.classify(*S400_DELIVERY)
    data = json.loads(json.dumps(v.to_dict(), ensure_ascii=False))
    assert data["tags"][0].keys() >= {"name", "kind", "evidence"}
    assert data["status"] == "relevant"


def test_summary_counts_like_the_lead(clf):
    title = "Defence ministers meet"
    body = "The ministers met on Friday. They discussed many issues."
    plain = clf.classify(title, body)
    with_summary = clf.classify(
        title, body, summary="Rajnath Singh and Andrei Belousov discussed S-400 deliveries."
    )
    assert with_summary.score > plain.score


def test_status_band():
    assert status_for(THRESHOLD + BAND) == "relevant"
    assert status_for(THRESHOLD) == "borderline"
    assert status_for(THRESHOLD - BAND - 0.01) == "irrelevant"


@pytest.mark.parametrize(
    ("title", "summary", "expected"),
    [
        ("IAF's Su-30MKI fleet to get upgrade", None, True),
        ("Rajnath Singh to visit Moscow", "Talks with Russian counterpart on arms", True),
        ("रूस से एस-400 की डिलीवरी", None, True),
        ("Sensex closes higher on bank gains", "Markets rallied.", False),
        ("India wins Test series in Australia", None, False),
    ],
)
def test_is_candidate(clf, title, summary, expected):
    assert clf.is_candidate(title, summary) is expected


def test_classify_lines_reports_bad_lines_and_keeps_going(clf):
    good = {"id": "a1", "title": S400_DELIVERY[0], "text": S400_DELIVERY[1], "lang": "en"}
    lines = [
        json.dumps(good),
        "{not json",
        json.dumps({"id": "a2", "title": "x"}),
        json.dumps({"id": "a3", "title": 5, "text": "y"}),
        "",
        json.dumps({"id": 7, "title": "Markets", "text": "Stocks rose.", "summary": None}),
    ]
    out, err = io.StringIO(), io.StringIO()
    bad = classify_lines(lines, out, err, clf)
    assert bad == 3
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["id"] for r in rows] == ["a1", 7]
    assert rows[0]["relevant"] is True and "S-400" in rows[0]["tags"]
    assert set(rows[0]) >= {"id", "relevant", "score", "tags", "reasons"}
    messages = err.getvalue().splitlines()
    assert [m.split(":")[0] for m in messages] == ["line 2", "line 3", "line 4"]


def test_lexicon_edit_changes_the_result(tmp_path):
    title = "Zircon hypersonic missiles offered to India by Russia"
    text = "Russia offered Zircon missiles to the Indian Navy. Indian officials are studying it."
    base = (
        '[[cue]]\nname = "india-side"\nsignals = ["india"]\naliases = ["India", "Indian"]\n'
        '[[cue]]\nname = "russia-side"\nsignals = ["russia"]\naliases = ["Russia"]\n'
        '[[cue]]\nname = "defence"\nsignals = ["defence"]\naliases = ["navy"]\n'
    )
    path = tmp_path / "lex.toml"
    path.write_text(base, encoding="utf-8")
    before = Classifier(Lexicon.load(path)).classify(title, text)
    path.write_text(
        base + '[[tag]]\nname = "Zircon"\nkind = "system"\nsignals = ["russia", "defence"]\n'
        'aliases = ["Zircon"]\n',
        encoding="utf-8",
    )
    after = Classifier(Lexicon.load(path)).classify(title, text)
    assert "Zircon" not in tag_names(before) and "Zircon" in tag_names(after)
    assert after.score > before.score and after.relevant and not before.relevant


SEED = Path(__file__).parent / "fixtures" / "articles" / "seed-irigc-2025.txt"


def test_the_seed_article_gets_every_entity_and_theme_it_reports(clf):
    # Our own text from the facts of the Business Standard report of 4 December 2025 that
    # started this project: the IRIGC-M&MTC meeting, pending S-400 batteries, more S-400
    # units wanted, their use against Pakistan in May, SIPRI's import share.
    title, text = SEED.read_text(encoding="utf-8").split("\n", 1)
    v = clf.classify(title, text)
    assert v.relevant
    assert {
        "Rajnath Singh", "Andrei Belousov", "Narendra Modi", "Vladimir Putin", "S-400", "SIPRI",
        "defence-diplomacy", "delivery", "arms-deal", "self-reliance", "co-development",
        "technology-transfer", "combat-use", "arms-trade-data",
    } <= tag_names(v)  # fmt: skip
    themes = {t.name: t.evidence[0] for t in v.tags if t.kind == "theme"}
    assert "SIPRI" in themes["arms-trade-data"]["sentence"]
    assert "Pakistan" in themes["combat-use"]["sentence"]
    assert themes["delivery"]["where"] == "title"


@pytest.mark.parametrize(
    ("title", "text", "theme"),
    [
        (
            "Россия передала Индии четвёртый полк С-400",
            "Рособоронэкспорт завершил поставку четвёртого полка зенитных ракетных комплексов "
            "С-400 «Триумф» Индии, сообщил Александр Михеев.",
            "delivery",
        ),
        (
            "भारत और रूस के बीच एस-400 की खरीद का नया समझौता",
            "रक्षा मंत्री राजनाथ सिंह और रूसी रक्षा मंत्री आंद्रेई बेलौसोव ने एस-400 की पांच और "
            "इकाइयों की खरीद के समझौते पर हस्ताक्षर किए।",
            "arms-deal",
        ),
        (
            "Индия и Россия начали учения «Индра-2025»",
            "Военнослужащие Индии и России начали совместные учения «Индра-2025» в Раджастане, "
            "сообщило Минобороны РФ.",
            "joint-exercise",
        ),
        (  # Marathi: "joint maritime exercise" between the navies
            "भारत आणि रशिया यांच्यात इंद्र नेव्ही सराव",
            "भारतीय नौदल आणि रशियन नौदल यांचा संयुक्त सागरी सराव बाल्टिक समुद्रात पार पडला; "
            "आयएनएस तबर या युद्धनौकेने भाग घेतला.",
            "joint-exercise",
        ),
        (  # Hindi, as often spelt: युद्धभ्यास, and the English word written in Devanagari
            "रूस में भारतीय सेना का युद्धभ्यास",
            "भारतीय सेना रूस में होने वाली मल्टीनेशन एक्सरसाइज ज़ापद में हिस्सा लेगी, रूसी "
            "सेना के साथ यह युद्धभ्यास दो हफ्ते चलेगा।",
            "joint-exercise",
        ),
        (
            "Putin und Modi unterzeichnen S-400-Abkommen",
            "Russland und Indien haben ein Abkommen über die Lieferung von S-400-Systemen an "
            "Indien unterzeichnet, teilte der Kreml mit.",
            "arms-deal",
        ),
    ],
)
def test_themes_in_other_languages(clf, title, text, theme):
    assert theme in tag_names(clf.classify(title, text))


def test_an_irrelevant_article_gets_no_themes(clf):
    v = clf.classify(
        "Egypt signs contract for Su-35 fighters",
        "Egypt signed a contract with Russia for Su-35 fighters, officials in Cairo said.",
    )
    assert not v.relevant
    assert not [t for t in v.tags if t.kind == "theme"]


def test_a_system_the_lexicon_says_implies_a_theme_is_evidence_for_it() -> None:
    """BrahMos is made by an India-Russia joint venture: a BrahMos headline is evidence of
    co-development even where no sentence says so; the same name deep in the body is not."""
    classifier = Classifier()
    text = "The Indian Air Force flew the second batch of missiles to Manila on Friday."
    upfront = classifier.theme_features("India delivers BrahMos missiles to Manila", text)
    implied = FEATURES.index("implied")
    assert upfront["co-development"][implied] == 1.0
    assert upfront["delivery"][implied] == 0.0
    buried = "Officials said the deliveries went well. " * 4 + "BrahMos was mentioned."
    assert "co-development" not in classifier.theme_features("India delivers missiles", buried)

    # Its evidence names what implied it (under a model that trusts the implication).
    weights = [10.0 if f == "implied" else 0.0 for f in CUE_FEATURES]
    cues = {"mean": [0.0] * len(CUE_FEATURES), "scale": [1.0] * len(CUE_FEATURES),
            "weights": weights, "intercepts": dict.fromkeys(THEMES, -5.0)}  # fmt: skip
    trusting = {"base": 0.0, "trees": [stump(FEATURES.index("implied"), 0.5, -5.0, 5.0)]}
    model = ThemeModel(
        {"version": "t", "features": list(FEATURES), "themes": list(THEMES),
         "with_words": trusting, "cues": cues, "threshold": 0.5, "sure": 0.9,
         "words_digest": ""}
    )  # fmt: skip
    tags = Classifier(themes=model).classify("India delivers BrahMos missiles", text).tags
    (theme,) = [t for t in tags if t.name == "co-development"]
    assert theme.evidence[0]["implied_by"] == "BrahMos"
    assert theme.evidence[0]["where"] == "title"


def test_a_hedged_purchase_is_an_offer_a_hedged_delivery_only_a_forecast() -> None:
    """ "Interested in buying" is the offer or proposal the taxonomy counts as arms-deal, so
    its hedge is read apart (`offered`); a delivery that "may" come is only hedged."""
    classifier = Classifier()
    text = (
        "India is interested in buying more S-400 units from Russia, officials said. "
        "The remaining S-400 batteries may be delivered to India next year."
    )
    found = classifier.theme_features("Rajnath Singh meets Belousov in Moscow", text)
    hedged, offered = FEATURES.index("hedged"), FEATURES.index("offered")
    assert found["arms-deal"][hedged] == found["arms-deal"][offered] == 1.0
    assert found["delivery"][hedged] == 1.0 and found["delivery"][offered] == 0.0
