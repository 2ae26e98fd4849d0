"""What happened: the act a report states, in every language we read.

Reports of one topic days apart are different events when they state different acts: a
frigate launched and the same frigate commissioned, a proposal to buy jets and the
council's approval, Putin's arrival and the next day's talks. The story matcher compares
the act of a report with the acts of a story's reports. The act is read from the same
statement as the tense (pipelines/tense.py: the headline, or the first sentence when the
headline only names a topic): the first act of the most telling kind it names, with an
announcement ("will visit", "to sign") its own kind, since a curtain-raiser and the event
it announces are two stories.
"""

from __future__ import annotations

import re

from pipelines.tense import statement

ANNOUNCE = "announce"

# Per act, its verbs and nouns in the languages we read, most telling acts first: a
# headline that names two ("BrahMos test-fired from Su-30 after contract signed") is read
# as the first kind of this list it names. Latin and Cyrillic forms are matched at word
# starts; Indic forms anywhere (their endings and vowel signs are not word letters).
ACTS: tuple[tuple[str, str], ...] = (
    (
        "data",
        r"sipri|сипри|सिपरी|arms import|arms export|largest (?:arms )?importer"
        r"|top (?:arms )?importer|importer of (?:major )?arms|импорт\w* оружия"
        r"|экспорт\w* оружия|крупнейш\w+ импорт\w*|поставок вооружений|поставки вооружений"
        r"|поставок оружия|हथियार आयात|हथियारों का आयात",
    ),
    (
        "sanction",
        r"sanction\w*|caatsa|санкци\w*|санкці\w*|प्रतिबंध|sanktion\w*|sanç\w*",
    ),
    (
        "commission",
        r"commission(?:s|ed|ing)\b|induct\w*|join(?:s|ed) (?:the )?(?:indian )?(?:navy|fleet)"
        r"|введ\w* в (?:строй|состав)|ввел\w* в (?:строй|состав)|вв[её]л\w* в (?:строй|состав)"
        r"|вступил\w* в (?:строй|состав)|принят\w* в состав|подня\w* флаг|подъ[её]м\w* флаг"
        r"|कमीशन|नौसेना में शामिल|बेड़े में शामिल|वायुसेना में शामिल",
    ),
    (
        "test",
        r"test(?:s|ed|ing)?\b|test-fir\w*|successfully (?:fired|launched)|maiden (?:firing|launch)"
        r"|испыта\w*|испыт\w*|परीक्षण|टेस्ट|टेस्टिंग|testa\w*|teste\w*|thử",
    ),
    (
        "launch",
        r"launch(?:es|ed)? (?:the )?(?:first |second )?(?:of )?(?:two )?(?:\w+ )?"
        r"(?:frigate|ship|warship|vessel|submarine)s?|launches|launched"
        r"|спуст\w* на воду|спущен\w* на воду|спуск\w* на воду|जलावतरण|लॉन्च",
    ),
    (
        "exercise",
        r"exercises?\b|drills?\b|war ?games?|parade|(?-i:march)(?:es|ed|ing)?\b|contingent"
        r"|учени\w*|маневр\w*|манёвр\w*|парад\w*|навчан\w*|युद्धाभ्यास|सैन्य अभ्यास|अभ्यास"
        r"|परेड|exercício\w*|ejercicio\w*|übung\w*|manöver\w*|exercice\w*|tập trận",
    ),
    (
        "deliver",
        r"deliver\w*|hand(?:s|ed)? over|handover|supplies"
        r"|receive[sd]?\b(?! (?:him|her|them|(?:the |his |her )?(?:russian |indian )?(?:president"
        r"|prime minister|pm|minister|counterpart|leader|putin|modi)))|shipment|consignment"
        r"|first batch|second batch|постав\w*|передал\w*|переда\w*|получил\w*|получ\w*"
        r"|सौंप|आपूर्ति|डिलीवरी|entreg\w*|livr\w*|geliefert|lieferung\w*"
        r"|bàn giao|tiếp nhận",
    ),
    (
        "approve",
        r"approv\w*|clear(?:s|ed|ance)\b|ratif\w*|pass(?:es|ed)\b|nod\b|decide[sd]?\b"
        r"|select(?:s|ed)\b|picks?\b|одобр\w*|ратифиц\w*|утверд\w*|разреш\w*|выбрал\w*"
        r"|मंजूरी|मंज़ूरी|अनुमोदन|aprov\w*|approuv\w*|genehmig\w*",
    ),
    (
        "sign",
        r"sign(?:s|ed|ing)?\b|ink(?:s|ed)?\b|seal(?:s|ed)?\b|contract\w*|pacts?\b"
        r"|agreements?\b|подпис\w*|заключ\w*|контракт\w*|соглашени\w*|договор\w*|угод\w*"
        r"|हस्ताक्षर|करार|समझौत|assin\w*|firm(?:a|an|ó|aron|ado)\b|sign(?:e|é|ent)\w*|unterzeichn\w*|signier\w*"
        r"|scellent|ký kết",
    ),
    (
        "arrive",
        r"arriv\w*|lands\b|landed|reach(?:es|ed)?\b|visit\w*|depart\w*|leaves for|en route"
        r"|прибыл\w*|прибыт\w*|прилетел\w*|прил[её]т\w*|визит\w*|посет\w*|пребыва\w*"
        r"|पहुंच|पहुँच|दौर[ाे]|यात्रा|chega\w*|llega\w*|arrivé\w*|visita\w*",
    ),
    (
        "meet",
        r"meet(?:s|ing)?\b|met\b|talks\b|co-chair\w*|summit|telephon\w*|phone\w*|dials?\b"
        r"|calls? (?!for)|spoke\b|speaks?\b|discuss\w*|consultations?|dialogue|session|hug\w*"
        r"|встреч\w*|встрет\w*|переговор\w*|обсуд\w*|обсужд\w*|саммит\w*|позвонил\w*"
        r"|созвонил\w*|телефон\w*|зателефонув\w*|मुलाकात|मिले|बातचीत|वार्ता|बैठक|फोन"
        r"|शिखर|reun\w*|rencontr\w*|treffen|gespräch\w*|hội đàm",
    ),
    (
        "state",
        r"says?\b|said\b|claims?\b|confirm\w*|prais\w*|laud\w*|assure\w*|slams?\b|warns?\b"
        r"|tells?\b|told\b|urges?\b|express\w*|offers?\b|proposes?\b|proposal|mulls?\b"
        r"|evaluat\w*|заявил\w*|сообщил\w*|назвал\w*|призвал\w*|отметил\w*|восхитил\w*"
        r"|предлож\w*|कहा|बोले|दावा|प्रस्ताव|afirm\w*|diz\b|dice\b|déclar\w*|sagt\w*",
    ),
)

_PATTERNS = tuple(
    (name, re.compile(rf"(?<![\w-])(?:{words})", re.IGNORECASE)) for name, words in ACTS
)


def act_of(title: str, text: str, *, ahead: bool) -> str | None:
    """The act the report states: ANNOUNCE when it announces a coming event (`ahead`,
    pipelines/tense.py), else the most telling kind of ACTS its statement names, or None
    when it names none."""
    if ahead:
        return ANNOUNCE
    said = statement(title, text)
    for name, pattern in _PATTERNS:
        if pattern.search(said):
            return name
    return None
