"""The lexicon file, its validation and the matcher's word boundaries in several scripts."""

from pathlib import Path

import pytest

from pipelines.lexicon import Lexicon, LexiconError

TAXONOMY_TAGS = {
    "S-400": "system", "S-500": "system", "BrahMos": "system", "Su-30MKI": "system",
    "Su-57": "system", "MiG-29": "system", "MiG-21": "system", "T-90": "system",
    "T-72": "system", "AK-203": "system", "Igla-S": "system", "Pantsir": "system",
    "Ka-226T": "system", "Mi-17": "system", "Il-76": "system", "Il-78": "system",
    "Talwar-class": "system", "INS Vikramaditya": "system", "Akula-class": "system",
    "Kilo-class": "system", "AL-31FP": "system", "Kalibr": "system",
    "Rosoboronexport": "org", "Rostec": "org", "FSMTC": "org", "Almaz-Antey": "org",
    "UAC": "org", "USC": "org", "HAL": "org", "DRDO": "org", "BrahMos Aerospace": "org",
    "Indo-Russian Rifles": "org", "SIPRI": "org",
    "Narendra Modi": "person", "Vladimir Putin": "person", "Rajnath Singh": "person",
    "Andrei Belousov": "person", "Sergei Shoigu": "person", "S. Jaishankar": "person",
    "Sergey Lavrov": "person", "Ajit Doval": "person", "Denis Manturov": "person",
    "Dmitry Shugaev": "person", "Alexander Mikheev": "person",
    "arms-deal": "theme", "delivery": "theme", "co-development": "theme",
    "technology-transfer": "theme", "self-reliance": "theme", "sustainment": "theme",
    "payments-sanctions": "theme", "defence-diplomacy": "theme", "joint-exercise": "theme",
    "combat-use": "theme", "arms-trade-data": "theme",
}  # fmt: skip


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return Lexicon.load()


def names(lexicon: Lexicon, text: str) -> list[str]:
    return [m.term.name for m in lexicon.find(text)]


def matched(lexicon: Lexicon, text: str, name: str) -> list[str]:
    return [m.text for m in lexicon.find(text) if m.term.name == name]


def test_every_taxonomy_tag_is_present_with_its_kind(lexicon):
    for tag, kind in TAXONOMY_TAGS.items():
        assert lexicon.tags.get(tag) == kind, tag


@pytest.mark.parametrize(
    ("text", "tag", "expected"),
    [
        ("The IAF flies the Su-30 MKI and Sukhoi-30 jets.", "Su-30MKI", ["Su-30 MKI", "Sukhoi-30"]),
        ("Two Su30MKI crashed.", "Su-30MKI", ["Su30MKI"]),
        ("India's S-400s were moved.", "S-400", ["S-400s"]),
        ("Зенитные комплексы С-400 «Триумф» прибыли.", "S-400", ["С-400", "Триумф"]),
        ("ЗРК С-400 „Триумф“ для Индии", "S-400", ["С-400", "Триумф"]),
        ("по данным Рособоронэкспорта", "Rosoboronexport", ["Рособоронэкспорта"]),
        ("рассказал глава Рособоронэкспорта Александр Михеев", "Alexander Mikheev", ["Михеев"]),
        ("भारत को एस-400 की आपूर्ति", "S-400", ["एस-400"]),
        ("भारत को एस-४०० की आपूर्ति", "S-400", ["एस-४००"]),
        ("ब्रह्मोस मिसाइल का परीक्षण", "BrahMos", ["ब्रह्मोस"]),
        ("تحویل سامانه اس ۴۰۰ به هند", "S-400", ["اس ۴۰۰"]),
        ("பிரம்மோஸ் ஏவுகணை", "BrahMos", ["பிரம்மோஸ்"]),
        ("బ్రహ్మోస్ క్షిపణి", "BrahMos", ["బ్రహ్మోస్"]),
        ("Su‑57 (non-breaking hyphen)", "Su-57", ["Su‑57"]),
        ("INS Tushil, a Project 11356 frigate", "Talwar-class", ["INS Tushil", "Project 11356"]),
        ("BrahMos Aerospace said", "BrahMos Aerospace", ["BrahMos Aerospace"]),
    ],
)
def test_aliases_in_several_scripts(lexicon, text, tag, expected):
    assert matched(lexicon, text, tag) == expected


@pytest.mark.parametrize(
    ("text", "cue"),
    [
        ("রাশিয়ার প্রেসিডেন্ট", "russia-side"),
        ("ரஷ்யாவுக்கு தேவையான", "russia-side"),
        ("రష్యా నుంచి", "russia-side"),
        ("ભારતને રશિયા તરફથી", "russia-side"),
        ("ഇന്ത്യയുടെ പ്രതിരോധ", "india-side"),
        ("ಭಾರತದ ರಕ್ಷಣಾ ಸಚಿವ", "india-side"),
        ("министр обороны Индии", "india-side"),
    ],
)
def test_cue_words_in_indian_languages_and_russian(lexicon, text, cue):
    assert cue in names(lexicon, text)


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("ব্রহ্মস ক্ষেপণাস্ত্র", "BrahMos"),
        ("ભારતીય વાયુસેનાની S-400 સિસ્ટમ", "S-400"),
        ("எஸ்-400 வான் பாதுகாப்பு", "S-400"),
        ("ఎస్-400 రక్షణ వ్యవస్థ", "S-400"),
        ("റഷ്യയുടെ ബ്രഹ്മോസ്", "BrahMos"),
    ],
)
def test_systems_in_indian_scripts(lexicon, text, tag):
    assert tag in names(lexicon, text)


@pytest.mark.parametrize(
    ("text", "cue"),
    [
        ("Russian warships in the Indian Ocean", "india-side"),
        ("the Times of India reported", "india-side"),
        ("an Air India flight to Moscow", "india-side"),
    ],
)
def test_stop_phrases_swallow_what_they_contain(lexicon, text, cue):
    assert cue not in names(lexicon, text)


def test_company_in_the_nested_name_wins_over_the_missile(lexicon):
    assert names(lexicon, "BrahMos Aerospace") == ["BrahMos Aerospace"]


def test_india_inside_a_theme_phrase_still_counts(lexicon):
    found = names(lexicon, "Make in India")
    assert "self-reliance" in found and "india-side" in found


@pytest.mark.parametrize("text", ["We must halt now.", "Hal said so.", "the hal of fame"])
def test_hal_is_case_sensitive_and_whole_word(lexicon, text):
    assert "HAL" not in names(lexicon, text)


def test_hal_the_company_matches(lexicon):
    assert matched(lexicon, "HAL's Nashik plant", "HAL") == ["HAL"]


@pytest.mark.parametrize("text", ["iglaS", "Julio Iglesias sang", "the igla test", "IGLAS"])
def test_igla_noise_does_not_match(lexicon, text):
    assert "Igla-S" not in names(lexicon, text)


def test_igla_proper_matches(lexicon):
    assert matched(lexicon, "Igla and Igla-S launchers", "Igla-S") == ["Igla", "Igla-S"]


def test_no_match_inside_devanagari_words(lexicon):
    # "रूस" (Russia) must not match inside a longer word; the combining mark joins the word.
    assert "russia-side" not in names(lexicon, "कारूसेल")


def test_stem_covers_the_whole_inflected_word(lexicon):
    assert matched(lexicon, "встреча с Шойгу и Белоусовым", "Andrei Belousov") == ["Белоусовым"]


def test_offsets_index_the_original_text(lexicon):
    text = "Ⅰ. İstanbul report: India’s S–400 deal"
    for m in lexicon.find(text):
        assert text[m.start : m.end] == m.text
    assert "S–400" in matched(lexicon, text, "S-400")


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "lex.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_custom_lexicon_file(tmp_path):
    lex = Lexicon.load(
        write(
            tmp_path, '[[tag]]\nname = "Zircon"\nkind = "system"\naliases = ["Zircon", "Циркон*"]\n'
        )
    )
    assert lex.tags == {"Zircon": "system"}
    assert [m.text for m in lex.find("ракеты «Циркона» и Zircon")] == ["Циркона", "Zircon"]


def test_custom_lexicon_with_entities(tmp_path):
    lex = Lexicon.load(
        write(
            tmp_path,
            '[[tag]]\nname = "Zircon"\nkind = "system"\nsignals = ["russia"]\n'
            'aliases = ["Zircon"]\n'
            '[[entity]]\nname = "Severomorsk"\nkind = "place"\naliases = ["Североморск*"]\n'
            '[[entity]]\nname = "Ocean"\nkind = "event"\nwith_year = ["Океан-"]\n'
            '[[entity]]\nname = "Ivanov"\nkind = "person"\naliases = ["Ivanov"]\n',
        )
    )
    assert lex.tags == {"Zircon": "system"}
    assert lex.entity_kinds == {"Severomorsk": "place", "Ocean": "event", "Ivanov": "person"}
    found = lex.find("Zircon в Североморске на учениях «Океан-2024», не Океан-Ivanov")
    assert [(m.text, m.term.name, m.term.kind, m.term.is_tag) for m in found] == [
        ("Zircon", "Zircon", "system", True),
        ("Североморске", "Severomorsk", "place", False),
        ("Океан-", "Ocean", "event", False),
        ("Ivanov", "Ivanov", "person", False),
    ]
    assert not any(m.term.signals for m in found if m.term.entity)


@pytest.mark.parametrize(
    ("body", "entry", "field"),
    [
        ('[[tag]]\nname = "X"\nkind = "weapon"\naliases = ["x"]\n', "'X'", "kind"),
        ('[[tag]]\nname = "X"\nkind = "system"\naliases = "x"\n', "'X'", "aliases"),
        ('[[tag]]\nname = "X"\nkind = "system"\naliases = [""]\n', "'X'", "aliases"),
        (
            '[[tag]]\nname = "X"\nkind = "system"\nsignals = ["china"]\naliases = ["x"]\n',
            "'X'",
            "signals",
        ),
        ('[[tag]]\nkind = "system"\naliases = ["x"]\n', "#1", "name"),
        ('[[tag]]\nname = "X"\nkind = "system"\naliases = ["a*b"]\n', "'X'", "aliases"),
        (
            '[[tag]]\nname = "X"\nkind = "system"\nmin_support = 2\naliases = ["x"]\n',
            "'X'",
            "min_support",
        ),
        ('[[cue]]\nname = "c"\nweight = -1\naliases = ["x"]\n', "'c'", "weight"),
        ('[[entity]]\nname = "X"\nkind = "system"\naliases = ["x"]\n', "'X'", "kind"),
        ('[[entity]]\nname = "X"\nkind = "place"\n', "'X'", "aliases"),
        (
            '[[tag]]\nname = "X"\nkind = "org"\naliases = ["x"]\n'
            '[[entity]]\nname = "X"\nkind = "org"\naliases = ["y"]\n',
            "[[entity]] 'X'",
            "name",
        ),
        (
            '[[entity]]\nname = "X"\nkind = "place"\naliases = ["x"]\n'
            '[[entity]]\nname = "X"\nkind = "place"\naliases = ["y"]\n',
            "'X'",
            "name",
        ),
        (
            '[[entity]]\nname = "X"\nkind = "ship"\nindian_service = ["x"]\n',
            "'X'",
            "indian_service",
        ),
        (
            '[[entity]]\nname = "X"\nkind = "event"\nmin_support = 2\naliases = ["x"]\n',
            "'X'",
            "min_support",
        ),
        ('[[entity]]\nname = "X"\nkind = "event"\nwith_year = ["x*"]\n', "'X'", "with_year"),
        ('[[entity]]\nname = "X"\nkind = "unit"\nplace = "y"\naliases = ["x"]\n', "'X'", "place"),
    ],
)
def test_bad_lexicon_names_file_entry_and_field(tmp_path, body, entry, field):
    path = write(tmp_path, body)
    with pytest.raises(LexiconError) as info:
        Lexicon.load(path)
    message = str(info.value)
    assert str(path) in message and entry in message and f"'{field}'" in message


def test_unreadable_lexicon_names_the_file(tmp_path):
    path = write(tmp_path, "[[tag]\nname=")
    with pytest.raises(LexiconError, match="lex.toml"):
        Lexicon.load(path)
