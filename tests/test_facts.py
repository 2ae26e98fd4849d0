"""pipelines.facts: amounts, counts, percentages, dates and years in every language we read."""

from __future__ import annotations

import pytest

from pipelines.facts import (
    Facts,
    StatedDate,
    amounts,
    ascii_digits,
    facts,
    stated_dates,
    stated_weekdays,
    years,
)


def days(text: str) -> list[tuple[int | None, int | None, int | None]]:
    return [(d.year, d.month, d.day) for d in stated_dates(text)]


# --- Digits ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "२०२५ में ३७५",  # Devanagari (Hindi, Marathi)
        "২০২৫ সালে ৩৭৫",  # Bengali
        "૨૦૨૫ માં ૩૭૫",  # Gujarati
        "௨௦௨௫ இல் ௩௭௫",  # Tamil
        "౨౦౨౫ లో ౩౭౫",  # Telugu
        "٢٠٢٥ في ٣٧٥",  # Arabic-Indic
    ],
)
def test_digits_of_every_script_read_as_ascii(text: str) -> None:
    converted = ascii_digits(text)
    assert "2025" in converted and "375" in converted
    assert len(converted) == len(text)  # offsets stay valid


def test_ascii_text_is_returned_as_is() -> None:
    text = "Rs 39,000 crore on 5 December"
    assert ascii_digits(text) is text


# --- Money -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("a deal worth $375 million", "money:usd:375000000"),
        ("USD 375 mn contract", "money:usd:375000000"),
        ("US$ 375 million", "money:usd:375000000"),
        ("контракт на 375 млн долларов", "money:usd:375000000"),
        ("угода на 375 мільйонів доларів", "money:usd:375000000"),
        ("375 मिलियन डॉलर का सौदा", "money:usd:375000000"),
        ("375 மில்லியன் டாலர் ஒப்பந்தம்", "money:usd:375000000"),
        ("a Rs 39,000 crore deal", "money:inr:390000000000"),
        ("Rs.39,000 crore", "money:inr:390000000000"),
        ("Rs39,000-crore", "money:inr:390000000000"),
        ("₹39,000 करोड़ का सौदा", "money:inr:390000000000"),
        ("₹39,000 करोड़ का सौदा", "money:inr:390000000000"),  # nukta as a second code point
        ("39,000 करोड़ रुपये", "money:inr:390000000000"),
        ("ரூ.39,000 கோடி மதிப்பில்", "money:inr:390000000000"),
        ("రూ.39,000 కోట్ల ఒప్పందం", "money:inr:390000000000"),
        ("39,000 கோடி", "money:?:390000000000"),
        ("39,000 కోట్ల", "money:?:390000000000"),
        ("₹7,418 करोड़", "money:inr:74180000000"),
        ("३९,००० कोटी रुपयांचा करार", "money:inr:390000000000"),
        ("(Rs 3,571 cr)", "money:inr:35710000000"),
        ("3,571 cr", "money:?:35710000000"),
        ("an outlay of $2.2bn", "money:usd:2200000000"),
        ("a $100-billion upgrade", "money:usd:100000000000"),
        ("100 billion U.S. dollars", "money:usd:100000000000"),
        ("сделка на 2,2 млрд долларов", "money:usd:2200000000"),
        ("4,48 млрд долл.", "money:usd:4480000000"),
        ("на $500 млн.", "money:usd:500000000"),
        ("500 millions de dollars", "money:usd:500000000"),
        ("8 milliards d'euros", "money:eur:8000000000"),
        ("US$500m", "money:usd:500000000"),
        ("€1.5 billion", "money:eur:1500000000"),
        ("1,5 Milliarden Euro", "money:eur:1500000000"),
        ("181,48 bilhões de rúpias", "money:inr:181480000000"),
        ("2 mil millones de dólares", "money:usd:2000000000"),
        ("Rs 6.81 lakh crore", "money:inr:6810000000000"),
        ("5 लाख", "money:?:500000"),
        ("5 अरब डॉलर", "money:usd:5000000000"),
        ("2 kharab", "money:?:200000000000"),
        ("2,5 миллиона человек", "money:?:2500000"),
        ("Rs 500", "money:inr:500"),
        ("£3m", "money:gbp:3000000"),
        ("10 bilhões de reais por R$ 5", "money:brl:5"),
    ],
)
def test_money(text: str, key: str) -> None:
    assert key in amounts(text)


@pytest.mark.parametrize(
    "texts",
    [
        ["$375 million", "375 млн долларов", "375 मिलियन डॉलर", "USD 375 mn", "US$375m"],
        ["Rs 39,000 crore", "₹39,000 करोड़", "ரூ.39,000 கோடி", "రూ.39,000 కోట్ల", "₹ ३९,००० करोड़"],
        ["$2.2 billion", "2,2 млрд долларов", "US$ 2,2 bilhões", "2.2 अरब डॉलर", "$2.2bn"],
        ["62%", "62 per cent", "62 प्रतिशत", "62 процента", "62 %", "62 சதவீதம்", "%62"],
    ],
)
def test_the_same_amount_in_every_language(texts: list[str]) -> None:
    found = [amounts(text) for text in texts]
    assert all(keys == found[0] for keys in found), dict(zip(texts, found, strict=True))
    assert len(found[0]) == 1


def test_a_range_gives_both_ends() -> None:
    assert amounts("worth Rs 5,000-6,000 crore") == {
        "money:inr:50000000000",
        "money:inr:60000000000",
    }
    assert amounts("$5 to 6 billion") == {"money:usd:5000000000", "money:usd:6000000000"}
    assert amounts("between 10 and 15 per cent") >= {"pct:15"}
    assert amounts("10-15%") == {"pct:10", "pct:15"}


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("1,00,000 jawans", "n:100000"),  # Indian grouping
        ("12.000 soldados", "n:12000"),  # dots group thousands without a scale word
        ("€1.375 billion", "money:eur:1375000000"),  # and are decimals with one
        ("1.500.000 euros", "money:eur:1500000"),
        ("6 000 крор", "money:?:60000000000"),  # a space groups thousands
        ("5 हज़ार सैनिक", "n:5000"),  # thousands without currency are a count
        ("2,5 тыс. военных", "n:2500"),
    ],
)
def test_number_spellings(text: str, key: str) -> None:
    assert key in amounts(text)


def test_single_letter_scales_need_a_currency_and_no_space() -> None:
    assert amounts("a 300m runway") == {"n:300"}
    assert amounts("$35k") == {"money:usd:35000"}
    assert amounts("$ 35 k") == {"money:usd:35"}


# --- Percentages -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("rose 62%", "pct:62"),
        ("62 percent", "pct:62"),
        ("62 per cent", "pct:62"),
        ("62 %", "pct:62"),
        ("8,2 %", "pct:8.2"),
        ("8.2%", "pct:8.2"),
        ("на 5,5%", "pct:5.5"),
        ("62 процента", "pct:62"),
        ("62 відсотки", "pct:62"),
        ("62 प्रतिशत", "pct:62"),
        ("62 फीसदी", "pct:62"),
        ("62 टक्के", "pct:62"),
        ("62 శాతం", "pct:62"),
        ("62 শতাংশ", "pct:62"),
        ("62 ટકા", "pct:62"),
        ("62 pour cent", "pct:62"),
        ("62 por cento", "pct:62"),
        ("62 Prozent", "pct:62"),
        ("62 phần trăm", "pct:62"),
        ("yüzde %62", "pct:62"),
    ],
)
def test_percentages(text: str, key: str) -> None:
    assert amounts(text) == {key}


# --- Counts ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("to buy 21 MiG-29s and 12 Su-30MKI jets", {"n:21", "n:12"}),
        ("33 fighters in all", {"n:33"}),
        ("a 75-member contingent", {"n:75"}),
        ("upgrading 59 MiG-29", {"n:59"}),
        ("закупит 21 МиГ-29 и 12 Су-30МКИ", {"n:21", "n:12"}),
        ("21 मिग-29 और 12 सुखोई", {"n:21", "n:12"}),
        ("২১টি", set()),  # glued classifier: not read as a bare number
        ("a range of 400 km", {"n:400"}),
        ("a 300km range", {"n:300"}),
        ("weighs 2.5 tonnes", {"n:2.5"}),
        ("pesa 2,5 toneladas", {"n:2.5"}),
        ("over 10-15 years", {"n:10", "n:15"}),
        ("the 4,000-tonne frigates", {"n:4000"}),
    ],
)
def test_counts(text: str, expected: set[str]) -> None:
    assert amounts(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "the S-400 system",
        "the S 400 system",
        "С-400 и МиГ-29",
        "एस-400 प्रणाली",
        "Su-30MKI and Su-30 MKI",
        "Sukhoi 30 MK-I",
        "சுகோய் 30 ரக விமானங்கள்",
        "сухой 30",
        "Kamov 226T and Ka-226T",
        "Project 11356 frigates",
        "фрегаты проекта 11356",
        "Fregatten des Projekts 11356",
        "Project 1135.6 class",
        "AK 203 rifles",
        "Mirage 2000 jets",
        "No. 222 Squadron",
        "Section 231 of the Act",
        "INDRA NAVY-21",
        "24x7 and 24/7",
        "the 8th summit and the 12th edition",
        "12वें संस्करण",
        "at 09:21 IST",
        "at 9.40 am",
        "at 6 pm",
        "at 1000 hours",
        "call +91 11 2301 2345",
        "or 011-23012345",
        "in 2019 and 2020",
        "in 1971",
        "в 1779 году",
        "the 2010s",
        "for 1 year",
    ],
)
def test_not_counts(text: str) -> None:
    assert not {key for key in amounts(text) if key.startswith("n:")}


def test_numbers_of_dates_are_not_counts() -> None:
    assert amounts("on 5 December 2025, 12 jets") == {"n:12"}
    assert amounts("15.04.2015 and 2025-12-05") == set()
    assert amounts("from 3 to 16 September") == set()
    assert amounts("on 31 February") == set()  # no date, but no count either


# --- Dates -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("2025-12-05", (2025, 12, 5)),
        ("Published 2025-12-05T10:00:00", (2025, 12, 5)),
        (" date 2025-12-05 The ministry said", (2025, 12, 5)),
        (" date 2025-12 The ministry said", (2025, 12, None)),
        ("05.12.2025", (2025, 12, 5)),
        ("5/12/2025", (2025, 12, 5)),  # D/M/Y, as in India, Russia and Europe
        ("05-12-2025", (2025, 12, 5)),
        ("25/12/19", (2019, 12, 25)),  # two-digit year: only with an unambiguous day
        ("12/25/2025", (2025, 12, 25)),  # M/D/Y where the day shows it
        ("December 5, 2025", (2025, 12, 5)),
        ("Dec. 5", (None, 12, 5)),
        ("Dec 5 2025", (2025, 12, 5)),
        ("Sept 5, 2025", (2025, 9, 5)),
        ("5th December", (None, 12, 5)),
        ("5th of December 2025", (2025, 12, 5)),
        ("5 December 2025", (2025, 12, 5)),
        ("05 Dec 25.", (2025, 12, 5)),
        ("MOSCOW, DECEMBER 5", (None, 12, 5)),
        ("5 декабря 2025 года", (2025, 12, 5)),
        ("5 дек — ТАСС", (None, 12, 5)),
        ("26 жовтня", (None, 10, 26)),
        ("5 दिसंबर", (None, 12, 5)),
        ("५ दिसम्बर २०२५", (2025, 12, 5)),
        ("१ सप्टेंबर", (None, 9, 1)),
        ("१ सप्टेंबरमध्ये", (None, 9, 1)),
        ("5 டிசம்பர்", (None, 12, 5)),
        ("ஜனவரி 20", (None, 1, 20)),
        ("மார்ச் 22ஆம் தேதி", (None, 3, 22)),
        ("జనవరి 20", (None, 1, 20)),
        ("20 జనవరి 2020", (2020, 1, 20)),
        ("৮ ডিসেম্বর", (None, 12, 8)),
        ("৮ ডিসেম্বর ২০২১", (2021, 12, 8)),
        ("૮ ડિસેમ્બર", (None, 12, 8)),
        ("8 octobre 2019", (2019, 10, 8)),
        ("1er juillet", (None, 7, 1)),
        ("8. Oktober 2019", (2019, 10, 8)),
        ("8 de outubro de 2019", (2019, 10, 8)),
        ("8 de octubre de 2019", (2019, 10, 8)),
        ("ngày 20 tháng 1 năm 2020", (2020, 1, 20)),
        ("20 tháng 1", (None, 1, 20)),
        ("20/1/2020", (2020, 1, 20)),
        ("12 Temmuz 2019", (2019, 7, 12)),
        ("5 मे 2021", (2021, 5, 5)),  # Marathi May
        ("5 dicembre 2025", (2025, 12, 5)),
    ],
)
def test_dates(text: str, date: tuple[int | None, int | None, int | None]) -> None:
    assert days(text) == [date]


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("October 2019", (2019, 10, None)),
        ("in Oct. 2019", (2019, 10, None)),
        ("в октябре 2019 года", (2019, 10, None)),
        ("октябрь 2019", (2019, 10, None)),
        ("अक्टूबर 2019", (2019, 10, None)),
        ("en octobre 2019", (2019, 10, None)),
        ("em outubro de 2019", (2019, 10, None)),
        ("২০২০ সালের অক্টোবরে", (2020, 10, None)),
        ("tháng 10 năm 2019", (2019, 10, None)),
    ],
)
def test_month_and_year_without_a_day(
    text: str, date: tuple[int | None, int | None, int | None]
) -> None:
    assert days(text) == [date]


@pytest.mark.parametrize(
    "texts",
    [
        ["5 декабря", "5 दिसंबर", "Dec 5", "5 டிசம்பர்", "5 December", "5 de dezembro", "5 déc."],
        ["5 декабря 2025 года", "December 5, 2025", "5.12.2025", "2025-12-05", "५ दिसंबर २०२५"],
    ],
)
def test_the_same_date_in_every_language(texts: list[str]) -> None:
    found = [days(text) for text in texts]
    assert all(d == found[0] for d in found), dict(zip(texts, found, strict=True))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("from 3 to 16 September 2021", [(2021, 9, 3), (2021, 9, 16)]),
        ("September 3 to 16", [(None, 9, 3), (None, 9, 16)]),
        ("on the 28 and 29 July", [(None, 7, 28), (None, 7, 29)]),
        ("les 8 et 9 octobre 2019", [(2019, 10, 8), (2019, 10, 9)]),
        ("3-16 सितंबर", [(None, 9, 3), (None, 9, 16)]),
        ("с 3 по 16 сентября", [(None, 9, 3), (None, 9, 16)]),
        ("10-21 दिसंबर, 2018", [(2018, 12, 10), (2018, 12, 21)]),
    ],
)
def test_day_ranges(text: str, expected: list[tuple[int | None, int | None, int | None]]) -> None:
    assert sorted(days(text), key=lambda d: d[2] or 0) == expected


@pytest.mark.parametrize(
    "text",
    [
        "in 2019",  # a bare year is no date
        "ZAPAD 2021 exercise",
        "31 Feb 2020",  # impossible
        "30 февраля",
        "2021-22 budget",  # a fiscal year, not December 2021
        "5/12/25",  # two-digit year and no telling day from month
        "the deal may 5 years",  # "may" in lower case is a verb
        "5 out of 10",
        "version 1.2.3",
        "at 09:21",
        "2021 में 5 दिन",  # Hindi "in", not Marathi "May"
        "in Dec 5,000 troops",
    ],
)
def test_not_dates(text: str) -> None:
    assert stated_dates(text) == []


def test_dates_come_in_text_order_with_their_offsets() -> None:
    text = " date 2025-12-05 NEW DELHI, December 5: talks on 3 December"
    found = stated_dates(text)
    assert found == [
        StatedDate(2025, 12, 5, 6),
        StatedDate(None, 12, 5, text.index("December 5")),
        StatedDate(None, 12, 3, text.index("3 December")),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "NSA Doval met Patrushev on Wednesday",
        "डोभाल ने बुधवार को पात्रुशेव से मुलाकात की",
        "डोभाल यांनी बुधवारी पात्रुशेव यांची भेट घेतली",
        "Довал и Патрушев встретились в Делі у середу",
        "దోభాల్ బుధవారం పాట్రుషెవ్‌ను కలిశారు",
        "டோவல் புதன்கிழமை பட்ருஷேவை சந்தித்தார்",
        "ডোভাল বুধবার পাত্রুশেভের সঙ্গে দেখা করেন",
        "ડોભાલ બુધવારે પાત્રુશેવને મળ્યા",
        "Doval a rencontré Patrouchev mercredi",
        "Doval traf Patruschew am Mittwoch",
        "Doval se reunió con Patrushev el miércoles",
        "Doval encontrou Patrushev na quarta-feira",
    ],
)
def test_the_same_weekday_in_every_language(text: str) -> None:
    assert stated_weekdays(text) == {2}


def test_weekdays_are_read_only_where_the_word_means_nothing_else() -> None:
    assert stated_weekdays("Putin arrived on Thursday; talks on Friday") == {3, 4}
    assert stated_weekdays("Шойгу позвонил во вторник") == {1}
    assert stated_weekdays("с учётом ситуации в среде") == frozenset()  # "environment"
    assert stated_weekdays("четвертый фрегат") == frozenset()  # "fourth", not Thursday
    assert stated_weekdays("серед інших країн") == frozenset()  # Ukrainian "among"


# --- Years -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("in 2019", {2019}),
        ("२०२१ में", {2021}),
        ("in the 2021-22 budget", {2021, 2022}),
        ("FY2026-27", {2026, 2027}),
        ("between 2016–20 and 2021–25", {2016, 2020, 2021, 2025}),
        ("в 2015-2019 годах", {2015, 2019}),
        ("2021 से 2025 के बीच", {2021, 2025}),
        ("ZAPAD 2021 and INDRA-2021", {2021}),
        ("on 5 December 2025", {2025}),  # the years of dates count too
        ("15.04.2015", {2015}),
        ("in 1945 and 2099", set()),  # outside 1990-2035
        ("a Rs 2,000 crore deal", set()),
        ("2000 crore rupees", set()),
        ("the 2010s", set()),
        ("Mirage 2000", set()),
        ("2018 से 28 सितंबर", {2018}),  # "से 28" starts a date, not "2018-28"
    ],
)
def test_years(text: str, expected: set[int]) -> None:
    assert years(text) == expected


# --- One pass ----------------------------------------------------------------------------


def test_facts_reads_everything_at_once() -> None:
    text = "रक्षा मंत्रालय ने 5 दिसंबर 2025 को ₹39,000 करोड़ के 21 विमानों का सौदा किया, 62% स्वदेशी"
    found = facts(text)
    assert found == Facts(
        amounts=frozenset({"money:inr:390000000000", "n:21", "pct:62"}),
        dates=(StatedDate(2025, 12, 5, text.index("5 दिसंबर")),),
        years=frozenset({2025}),
    )
    assert amounts(text) == set(found.amounts)
    assert stated_dates(text) == list(found.dates)
    assert years(text) == set(found.years)


def test_spans_of_years() -> None:
    assert facts("between 2016–20 and 2021-2025, and in FY2026-27").spans == {
        (2016, 2020), (2021, 2025), (2026, 2027),
    }  # fmt: skip
    assert facts("2021 से 2025 के बीच").spans == {(2021, 2025)}
    assert not facts("Rs 2000-3000 crore, Mirage 2000-5, on 2025-03-26").spans


def test_empty_and_numberless_texts() -> None:
    assert facts("") == Facts(frozenset(), (), frozenset())
    assert facts("India and Russia held talks.") == Facts(frozenset(), (), frozenset())
