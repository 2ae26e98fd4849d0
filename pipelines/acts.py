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

ANNOUNCE = "announce"

# Per act, its verbs and nouns in the languages we read, most telling acts first: a
# headline that names two ("BrahMos test-fired from Su-30 after contract signed") is read
# as the first kind of this list it names. Latin and Cyrillic forms are matched at word
# starts (a trailing \w* takes any ending); Indic forms at the start of a word or inside a
# compound, since their endings and vowel signs are not word letters.
ACTS: dict[str, dict[str, str]] = {
    "data": {
        "en": r"sipri|arms import|arms export|largest (?:arms )?importer|top (?:arms )?importer"
        r"|importer of (?:major )?arms",
        "ru": r"сипри|импорт\w* оружия|экспорт\w* оружия|крупнейш\w+ импорт\w*"
        r"|поставок вооружений|поставки вооружений|поставок оружия",
        "hi": r"सिपरी|हथियार आयात|हथियारों का आयात",
    },
    "sanction": {
        "en": r"sanction\w*|caatsa",
        "ru/uk": r"санкци\w*|санкці\w*",
        "hi/mr": r"प्रतिबंध|निर्बंध",
        "other": r"sanktion\w*|sanç\w*|yaptırım\w*|নিষেধাজ্ঞা|ఆంక్షల|પ્રતિબંધ",
    },
    "commission": {
        "en": r"commission(?:s|ed|ing)\b|induct\w*"
        r"|join(?:s|ed) (?:the )?(?:indian )?(?:navy|fleet)",
        "ru": r"введ\w* в (?:строй|состав)|вв[её]л\w* в (?:строй|состав)"
        r"|вступил\w* в (?:строй|состав)|принят\w* в состав|подня\w* флаг|подъ[её]м\w* флаг",
        "hi": r"कमीशन|नौसेना में शामिल|बेड़े में शामिल|वायुसेना में शामिल",
        "other": r"hizmete gir\w*|কমিশন|சேர்ப்பு|இணைப்பு",
    },
    "test": {
        "en": r"test(?:s|ed|ing)?\b|test-fir\w*|successfully (?:fired|launched)"
        r"|maiden (?:firing|launch)",
        "ru/uk": r"испыта\w*|испыт\w*|випробув\w*",
        "hi/mr": r"परीक्षण|टेस्ट|चाचणी",
        "other": r"testa\w*|teste\w*|thử|deneme\w*|atış\w*|পরীক্ষা|উৎক্ষেপণ|சோதனை|పరీక్ష|ప్రయోగ"
        r"|પરીક્ષણ",
    },
    "launch": {
        "en": r"launch(?:es|ed)? (?:the )?(?:first |second )?(?:of )?(?:two )?(?:\w+ )?"
        r"(?:frigate|ship|warship|vessel|submarine)s?|launches|launched",
        "ru": r"спуст\w* на воду|спущен\w* на воду|спуск\w* на воду",
        "hi": r"जलावतरण|लॉन्च",
        "other": r"denize indir\w*",
    },
    "exercise": {
        "en": r"exercises?\b|drills?\b|war ?games?|parade|(?-i:march)(?:es|ed|ing)?\b|contingent",
        "ru/uk": r"учени\w*|маневр\w*|манёвр\w*|парад\w*|навчан\w*",
        "hi/mr": r"युद्धाभ्यास|सैन्य अभ्यास|अभ्यास|परेड|सराव",
        "other": r"exercício\w*|ejercicio\w*|übung\w*|manöver\w*|exercice\w*|tập trận"
        r"|tatbikat\w*|মহড়া|பயிற்சி|విన్యాస|કવાયત",
    },
    "deliver": {
        "en": r"deliver\w*|hand(?:s|ed)? over|handover|supplies|shipment|consignment"
        r"|first batch|second batch"
        # a president received at the airport is welcomed, not delivered, and a contract
        # or an order received is signed
        r"|receive[sd]?\b(?! (?:him|her|them|(?:the |his |her )?(?:russian |indian )?"
        r"(?:president|prime minister|pm|minister|counterpart|leader|putin|modi))"
        r"| (?:\S+ ){0,3}(?:contract|order|deal))",
        "ru/uk": r"постав\w*|передал\w*|переда\w*|получ\w*+(?! (?:\S+ ){0,3}(?:контракт|заказ))"
        r"|постачан\w*",
        "hi": r"सौंप|आपूर्ति|डिलीवरी",
        "other": r"entreg\w*|livr\w*|geliefert|lieferung\w*|bàn giao|tiếp nhận|teslim\w*"
        r"|হস্তান্তর|সরবরাহ|ஒப்படை|விநியோக|అప్పగి|సరఫరా|સોંપ",
    },
    "approve": {
        "en": r"approv\w*|clear(?:s|ed|ance)\b|ratif\w*|pass(?:es|ed)\b|nod\b|decide[sd]?\b"
        r"|select(?:s|ed)\b|picks?\b",
        "ru": r"одобр\w*|ратифиц\w*|утверд\w*|разреш\w*|выбрал\w*",
        "hi": r"मंजूरी|मंज़ूरी|अनुमोदन",
        "other": r"aprov\w*|approuv\w*|genehmig\w*|onayla\w*",
    },
    "sign": {
        "en": r"sign(?:s|ed|ing)?\b|ink(?:s|ed)?\b|seal(?:s|ed)?\b|contract\w*|pacts?\b"
        r"|agreements?\b",
        "ru/uk": r"подпис\w*|заключ\w*|контракт\w*|соглашени\w*|договор\w*|угод\w*|підпис\w*",
        "hi/mr": r"हस्ताक्षर|करार|समझौत|स्वाक्षरी",
        "other": r"assin\w*|firm(?:a|an|ó|aron|ado)\b|sign(?:e|é|ent)\w*|unterzeichn\w*"
        r"|signier\w*|scellent|ký kết|imza\w*|চুক্তি|স্বাক্ষর|ஒப்பந்த|கையெழுத்|ఒప్పంద"
        r"|సంతక|કરાર|હસ્તાક્ષર",
    },
    "arrive": {
        "en": r"arriv\w*|lands\b|landed|reach(?:es|ed)?\b(?! out)|visit\w*"
        r"|depart(?:s|ed|ing|ure)\b|leaves for"
        r"|en route",
        "ru/uk": r"прибыл\w*|прибыт\w*|прилетел\w*|прил[её]т\w*|визит\w*|посет\w*"
        r"|пребыва\w*|прибув\w*|візит\w*",
        "hi/mr": r"पहुंच|पहुँच|दौर[ाे]|यात्रा|रवाना|स्वागत",
        "other": r"chega\w*|llega\w*|arrivé\w*|visita\w*|ziyaret\w*|সফর|பயணம்|పర్యటన",
    },
    "meet": {
        "en": r"meet(?:s|ing)?\b|met\b|talks\b|co-chair\w*|summit|telephon\w*|phone\w*"
        r"|dials?\b|calls? (?!for)|spoke\b|speaks?\b|discuss\w*|consultations?|dialogue"
        r"|session|hug\w*",
        "ru/uk": r"встреч\w*|встрет\w*|переговор\w*|обсуд\w*|обсужд\w*|саммит\w*"
        r"|позвонил\w*|созвонил\w*|телефон\w*|зателефонув\w*|зустріч\w*|перемови\w*"
        r"|заседани\w*|сопредседател\w*",
        "hi/mr": r"मुलाकात|मिले|बातचीत|वार्ता|बैठक|फोन|शिखर|भेट|सह-अध्यक्षता|सत्र|सम्मेलन",
        "other": r"reun\w*|rencontr\w*|treffen|gespräch\w*|hội đàm|görüş\w*|বৈঠক|சந்திப்பு"
        r"|சந்தித்த|భేటీ|సమావేశ|મુલાકાત|બેઠક",
    },
    "state": {
        "en": r"says?\b|said\b|claims?\b|confirm\w*|prais\w*|laud\w*|assure\w*|slams?\b"
        r"|warns?\b|tells?\b|told\b|urges?\b|express\w*|offers?\b|proposes?\b|proposal"
        r"|mulls?\b|evaluat\w*",
        "ru": r"заявил\w*|сообщил\w*|назвал\w*|призвал\w*|отметил\w*|восхитил\w*|предлож\w*",
        "hi": r"कहा|बोले|दावा|प्रस्ताव",
        "other": r"afirm\w*|diz\b|dice\b|déclar\w*|sagt\w*|açıkla\w*",
    },
}

# Acts that reports of one event often name in turn: a visit's arrival and its talks, a
# decision's approval and its signing, a handover and the commissioning it ends with, a
# test and a launch. A report and a story that state two of one family disagree less than
# two of different families.
FAMILIES = {
    "arrive": "visit", "meet": "visit", "approve": "decision", "sign": "decision",
    "deliver": "handover", "commission": "handover", "test": "firing", "launch": "firing",
}  # fmt: skip

_PATTERNS = tuple(
    (name, re.compile(rf"(?<![\w-])(?:{'|'.join(forms.values())})", re.IGNORECASE))
    for name, forms in ACTS.items()
)


def act_of(said: str, *, ahead: bool) -> str | None:
    """The act a report's statement (pipelines/tense.py `statement`) states: ANNOUNCE when
    it announces a coming event (`ahead`), else the most telling kind of ACTS it names, or
    None when it names none."""
    if ahead:
        return ANNOUNCE
    for name, pattern in _PATTERNS:
        if pattern.search(said):
            return name
    return None


def related(act: str, other: str) -> bool:
    """Whether two different acts are of one family (FAMILIES)."""
    return act != other and FAMILIES.get(act, act) == FAMILIES.get(other, other)
