"""Named entities ([[entity]]): one key per place, event, ship, unit, person or organisation
whatever the script, no match in a name's common-word sense, and no effect on relevance or
tags."""

import json
import re
import unicodedata
from collections import defaultdict
from pathlib import Path

import pytest

from pipelines.lexicon import ENTITY_KINDS, Lexicon, Match
from pipelines.topic import Classifier

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
DEV_FILES = ("relevance-dev.jsonl", "stories-dev.jsonl", "stories-dev2.jsonl")


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return Lexicon.load()


@pytest.fixture(scope="module")
def without_entities(lexicon) -> Lexicon:
    """The same lexicon with its [[entity]] entries left out."""
    terms = [t for t in lexicon.terms if not t.entity]
    return Lexicon(terms, lexicon.tags)


def entities(lexicon: Lexicon, text: str) -> list[tuple[str, str]]:
    return [(m.term.name, m.text) for m in lexicon.find(text) if m.term.entity]


def entity_names(lexicon: Lexicon, text: str) -> list[str]:
    return [name for name, _ in entities(lexicon, text)]


def dev_docs() -> list[dict]:
    docs = []
    for name in DEV_FILES:
        path = DATA / name
        if path.exists():
            docs += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return docs


# ---------------------------------------------------------------- the entity table


def test_every_kind_is_present_with_a_few_hundred_entities(lexicon):
    kinds = defaultdict(int)
    for kind in lexicon.entity_kinds.values():
        kinds[kind] += 1
    assert set(kinds) == set(ENTITY_KINDS)
    assert sum(kinds.values()) >= 300
    assert min(kinds.values()) >= 25


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Kaliningrad", "place"),
        ("Hyderabad House", "place"),
        ("Bay of Bengal", "place"),
        ("INDRA", "event"),
        ("Zapad", "event"),
        ("Aero India", "event"),
        ("Operation Sindoor", "event"),
        ("IRIGC-M&MTC", "event"),
        ("INS Tushil", "ship"),
        ("INS Sindhuvir", "ship"),
        ("Admiral Tributs", "ship"),
        ("No. 222 Squadron", "unit"),
        ("Baltic Fleet", "unit"),
        ("Nikolai Patrushev", "person"),
        ("R.K.S. Bhadauria", "person"),
        ("Goa Shipyard", "org"),
        ("Defence Acquisition Council", "org"),
    ],
)
def test_entity_kinds(lexicon, name, kind):
    assert lexicon.entity_kinds[name] == kind


def test_entities_are_not_tags_and_carry_no_signal(lexicon):
    assert not set(lexicon.entity_kinds) & set(lexicon.tags)
    entity_terms = [t for t in lexicon.terms if t.entity]
    assert entity_terms
    assert not any(t.is_tag for t in entity_terms)
    assert not any(t.signals for t in entity_terms)
    assert all(t.is_tag for t in lexicon.terms if not t.entity and t.kind != "cue")


def test_no_alias_names_two_entities(lexicon):
    owners: dict[tuple[str, bool], set[str]] = defaultdict(set)
    for term in lexicon.terms:
        if term.entity:
            key = term.alias if term.cased else term.alias.lower()
            owners[(key, term.with_year)].add(term.name)
    shared = {alias: names for alias, names in owners.items() if len(names) > 1}
    assert not shared


def scripts(aliases: list[str]) -> set[str]:
    found = set()
    for alias in aliases:
        for ch in alias:
            if ch.isalpha():
                found.add(unicodedata.name(ch).split()[0])
    return found


@pytest.mark.parametrize(
    "name",
    [
        "Kaliningrad", "Vladivostok", "Thanjavur", "Bay of Bengal", "Red Square", "Kazan",
        "Operation Sindoor", "BRICS summit", "SCO summit", "Aero India", "INS Tushil",
        "INS Tamal", "Nikolai Patrushev", "Dmitry Peskov", "Bipin Rawat", "Denis Alipov",
        "Goa Shipyard", "Rosatom",
    ],
)  # fmt: skip
def test_core_entities_are_written_in_many_scripts(lexicon, name):
    aliases = [t.alias for t in lexicon.terms if t.entity and t.name == name]
    found = scripts(aliases)
    assert {"LATIN", "CYRILLIC", "DEVANAGARI"} <= found, found
    assert len(found & {"TAMIL", "TELUGU", "BENGALI", "GUJARATI", "MALAYALAM", "KANNADA"}) >= 2


# ---------------------------------------------------------------- one entity in every script


@pytest.mark.parametrize(
    ("name", "texts"),
    [
        (
            "Kaliningrad",
            [
                "commissioned at Kaliningrad on Monday",
                "на верфи в Калининграде", "из Калининграда", "у Калінінграді",
                "कालिनिनग्राद में कमीशन", "કાલિનિનગ્રાદમાં", "কালিনিনগ্রাদে", "கலினின்கிராட்டில்",
                "కలినిన్‌గ్రాడ్‌లో", "കലിനിൻഗ്രാഡിൽ", "ಕಲಿನಿನ್‌ಗ್ರಾಡ್‌ನಲ್ಲಿ", "في كالينينغراد",
            ],
        ),
        (
            "Nikolai Patrushev",
            [
                "NSA Doval met Nikolai Patrushev", "встреча с Патрушевым", "सचिव निकोलाई पात्रुशेव",
                "பட்ருஷேவ் சந்திப்பு", "పత్రుషేవ్‌తో భేటీ", "পাত্রুশেভের সঙ্গে",
            ],
        ),
        ("Thanjavur", ["Air Force Station Thanjavur", "தஞ்சையில் புதிய", "तंजावुर वायुसेना"]),
        (
            "Operation Sindoor",
            [
                "during Operation Sindoor", "ऑपरेशन सिंदूर के दौरान", "в ходе операции «Синдур»",
                "ఆపరేషన్ సిందూర్ సమయంలో", "অপারেশন সিঁদুরের", "ஆபரேஷன் சிந்தூர்",
            ],
        ),
        (
            "Bay of Bengal",
            [
                "fired into the Bay of Bengal", "बंगाल की खाड़ी में", "বঙ্গোপসাগরে",
                "బంగాళాఖాతంలోని లక్ష్యం", "в Бенгальском заливе", "dans le golfe du Bengale",
            ],
        ),
        ("Red Square", ["parade on Red Square", "на Красной площади", "sur la place Rouge",
                        "auf dem Roten Platz", "रेड स्क्वायर पर"]),
        ("INS Tushil", ["frigate INS Tushil", "фрегат «Тушил»", "आईएनएस तुशील", "तुशील युद्धपोत"]),
        ("Victory Day Parade", ["the Victory Day parade", "в параде Победы", "विजय दिवस परेड"]),
        ("Goa Shipyard", ["Goa Shipyard Ltd", "गोवा शिपयार्ड में", "верфи Goa Shipyard"]),
        ("AviaIndra", ["Exercise AviaIndra", "एवियाइंद्र अभ्यास", "учения «Авиаиндра»"]),
        ("Baltic Fleet", ["Russia's Baltic Fleet", "корабли Балтийского флота", "बाल्टिक फ्लीट"]),
    ],
)  # fmt: skip
def test_aliases_in_several_scripts_resolve_to_one_entity(lexicon, name, texts):
    for text in texts:
        assert name in entity_names(lexicon, text), text


# ---------------------------------------------------------------- named events and their year


@pytest.mark.parametrize(
    ("text", "name", "matched"),
    [
        ("India joins Zapad-2021 at Mulino", "Zapad", "Zapad"),
        ("учения «Запад-2021» завершились", "Zapad", "учения «Запад"),
        ("contingent for Запад-2021", "Zapad", "Запад-"),
        ("Exercise INDRA-2021 in Volgograd", "INDRA", "Exercise INDRA"),
        ("the Indra 2013 drills", "INDRA", "Indra"),
        ("इंद्र-२०२१ अभ्यास", "INDRA", "इंद्र"),
        ("Vostok-2018 was the largest", "Vostok", "Vostok"),
        ("at the Army-2022 forum", "Army Forum", "Army-"),
        ("Zapad '21 concluded", "Zapad", "Zapad"),
        ("INDRA NAVY-21 in the Baltic", "INDRA NAVY", "INDRA NAVY"),
        ("at Aero India 2025", "Aero India", "Aero India"),
    ],
)
def test_a_recurring_event_match_stops_before_its_year(lexicon, text, name, matched):
    found = [m for m in lexicon.find(text) if m.term.entity and m.term.name == name]
    assert [m.text for m in found] == [matched]
    rest = text[found[0].end :]
    assert re.match(r"[\s\-'’]*\d\d", rest), rest


def test_overlapping_readings_of_one_entity_are_one_mention(lexicon):
    assert entities(lexicon, "Exercise Zapad-2021 began") == [("Zapad", "Exercise Zapad")]


# ---------------------------------------------------------------- common-word senses


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("отношения России и Запада; на Западе; Запад 20 лет назад", "Zapad"),
        ("диалог Запад-Россия", "Zapad"),
        ("Vostok 1 carried Gagarin; Lake Vostok; на Дальнем Востоке; «Восток-1»", "Vostok"),
        ("Indra, king of the gods; Spain's Indra Sistemas; इंद्र देवता की पूजा", "INDRA"),
        ("in the city centre; в центре Москвы; Центр 2019 года", "Tsentr"),
        ("the Caucasus in 2020; на Кавказе", "Kavkaz"),
        ("He drew his talwar; the teg and the tabar are weapons", "INS Talwar"),
        ("He drew his talwar; the teg and the tabar are weapons", "INS Teg"),
        ("He drew his talwar; the teg and the tabar are weapons", "INS Tabar"),
        ("economist Tamal Bandyopadhyay; तमाल का पेड़", "INS Tamal"),
        ("the Sudarshan Chakra; चक्र घूमता है", "INS Chakra"),
        ("Naga peace talks in Nagaland", "Naga Regiment"),
        ("Lok Sabha Speaker Sumitra Mahajan said", "Mahajan Field Firing Range"),
        ("US Pacific Fleet commander visits Delhi", "Pacific Fleet"),
        ("India's fleet of Russian helicopters", "Russian Helicopters"),
        ("Indian Army 2022 recruitment rally", "Army Forum"),
        ("MILAN anti-tank missiles; AC Milan won", "MILAN"),
        ("the Malabar coast of Kerala", "Malabar"),
        ("Deputy PM Dmitry Patrushev", "Nikolai Patrushev"),
        ("секретарей совбезов стран региона", "Russian Security Council"),
        ("чей-то Зеленый Дол; город Одинцово", "Zelyony Dol"),
        ("звездочка на погонах", "Zvezdochka"),
        ("उसने सोची थी", "Sochi"),
        ("चीन के विदेश मंत्रालय ने कहा", "Ministry of External Affairs"),
        ("the amber (янтарь) trade", "Yantar Shipyard"),
    ],
)
def test_common_word_senses_do_not_match(lexicon, text, name):
    assert name not in entity_names(lexicon, text)


# ---------------------------------------------------------------- nesting and offsets


def test_the_longest_entity_wins(lexicon):
    assert entity_names(lexicon, "Goa Shipyard Limited") == ["Goa Shipyard"]
    assert entity_names(lexicon, "talks at Hyderabad House") == ["Hyderabad House"]
    assert entity_names(lexicon, "the BRICS summit in Kazan") == ["BRICS summit", "Kazan"]


def test_entities_and_tags_or_cues_share_a_span(lexicon):
    found = {(m.term.name, m.term.kind) for m in lexicon.find("INS Tushil at Kaliningrad")}
    assert {("Talwar-class", "system"), ("INS Tushil", "ship")} <= found
    assert {("russia-side", "cue"), ("Kaliningrad", "place")} <= found


def test_entity_offsets_index_the_original_text(lexicon):
    text = "Фрегат «Тушил» прибыл в Калининград; INS Tushil — Kaliningrad"
    found = [m for m in lexicon.find(text) if m.term.entity]
    assert len(found) == 4
    for m in found:
        assert text[m.start : m.end] == m.text


# ---------------------------------------------------------------- no effect on topic.py

SAMPLES = [
    (
        "Rajnath Singh attends commissioning of INS Tushil at Kaliningrad",
        "Defence Minister Rajnath Singh attended the commissioning of the Russian-built "
        "frigate INS Tushil at the Yantar Shipyard in Kaliningrad. Navy chief Dinesh K "
        "Tripathi and Ambassador Vinay Kumar were present. The ship joins the Western Fleet.",
    ),
    (
        "Patrushev meets Doval in New Delhi",
        "Russian Security Council Secretary Nikolai Patrushev held talks with NSA Ajit Doval "
        "at Hyderabad House on Afghanistan. The MEA said the sides discussed S-400 deliveries.",
    ),
    (
        "Indian contingent for Zapad-2021",
        "A Naga Regiment contingent will take part in Exercise Zapad-2021 at Mulino near "
        "Nizhny Novgorod, the Indian Army said. Russian T-90 tanks and Su-30 jets will join.",
    ),
    (
        "Учения «Индра-2021» прошли под Волгоградом",
        "Российские и индийские военные провели учения «Индра-2021» на полигоне Прудбой. "
        "Министр обороны Индии Раджнат Сингх поблагодарил Россию за поставки С-400.",
    ),
    (
        "ब्रह्मोस का सुखोई से परीक्षण",
        "भारतीय वायुसेना ने बंगाल की खाड़ी में सुखोई-30 से ब्रह्मोस मिसाइल दागी। "
        "एयर चीफ मार्शल आरकेएस भदौरिया और रूस के राजदूत निकोलाई कुदाशेव ने बधाई दी।",
    ),
    (
        "Goa Shipyard signs frigate deal with Rosoboronexport",
        "Goa Shipyard Limited signed a $500 million contract with Rosoboronexport for two "
        "Project 11356 frigates; the Defence Acquisition Council had cleared the deal.",
    ),
]


def assert_same_verdict(a, b, *, themes: bool = True) -> None:
    assert (a.relevant, a.score, a.status, a.reasons) == (b.relevant, b.score, b.status, b.reasons)
    if themes:
        assert [t.to_dict() for t in a.tags] == [t.to_dict() for t in b.tags]
    else:
        assert [t.to_dict() for t in a.tags if t.kind != "theme"] == [
            t.to_dict() for t in b.tags if t.kind != "theme"
        ]


@pytest.mark.parametrize(("title", "text"), SAMPLES)
def test_entities_change_no_relevance_or_entity_tag(lexicon, without_entities, title, text):
    assert any(m.term.entity for m in lexicon.find(f"{title}\n{text}"))
    with_them = Classifier(lexicon).classify(title, text)
    without = Classifier(without_entities).classify(title, text)
    # Relevance, score, reasons and entity tags are the same. Themes may differ, as on the
    # dev texts below: a sentence naming an entity weighs more, and the word model reads the
    # entity names of the headline and opening ("@Goa Shipyard" leans to co-development).
    assert_same_verdict(with_them, without, themes=False)
    assert not {t.name for t in with_them.tags} & set(lexicon.entity_kinds)


def test_place_event_ship_and_unit_entities_are_no_party_for_themes(lexicon, without_entities):
    # A theme cue ("commissioned", in the title so it would weigh enough) next to a ship, a
    # place, an exercise and a fleet, and no India/Russia word or tag: no party, no theme.
    title = "Admiral Tributs commissioned at Severomorsk after Zapad drills with the Baltic Fleet"
    found = {lexicon.entity_kinds[name] for name in entity_names(lexicon, title)}
    assert found == {"ship", "place", "event", "unit"}
    with_them = Classifier(lexicon).classify(title, "")
    assert_same_verdict(with_them, Classifier(without_entities).classify(title, ""))
    assert not with_them.tags


def test_tag_and_cue_matches_are_the_same_with_or_without_entities(lexicon, without_entities):
    texts = [f"{t}\n{x}" for t, x in SAMPLES]
    texts += [f"{d['title']}\n{d['text']}" for d in dev_docs()]

    def others(lex: Lexicon, text: str) -> list[Match]:
        return [m for m in lex.find(text) if not m.term.entity]

    for text in texts:
        assert others(lexicon, text) == others(without_entities, text)


def test_dev_set_relevance_and_entity_tags_unchanged(lexicon, without_entities):
    docs = dev_docs()
    if not docs:
        pytest.skip(f"{DATA} not found")
    with_them, without = Classifier(lexicon), Classifier(without_entities)
    for doc in docs:
        a = with_them.classify(doc["title"], doc["text"])
        b = without.classify(doc["title"], doc["text"])
        # Themes may change: the theme model weighs sentences that name entities more
        # (pipelines/themes.py); relevance, score and entity tags may not.
        assert_same_verdict(a, b, themes=False)
