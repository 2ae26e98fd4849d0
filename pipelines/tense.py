"""Announcement or event: does a report say something will happen, or that it happened?

A curtain-raiser ("will visit", "to sign", "прибудет", "करेंगे") and the event it announces
are two stories, so the story matcher asks this of every report, in every language we
read. The test is made on the headline, or on the first sentence when the headline only
names a topic; markers are future-tense and intention forms, not topic words, and an
English headline that first states a done act reports it ("arrives … to attend").
"""

from __future__ import annotations

import re

# Headlines this short name a topic ("INS Tamal"), not an event.
TOPIC_TITLE_WORDS = 3
_FIRST_SENTENCE = re.compile(r"(?<=[\w)\u0900-\u0dff][.!?\u0964])\s")
_DATE_MARKER = re.compile(r"\bdate \d{4}-\d\d(?:-\d\d)?\b")

# Future and intention markers per language. Word-bounded for Latin and Cyrillic;
# Indic future forms are verb endings, matched at the end of a word.
_LATIN = (
    # English
    r"will|shall|to be (?:held|built|made|sent|given|\w+ed)|set to|poised to|slated to"
    r"|scheduled to|likely to|expected to"
    r"|due to (?:visit|arrive|sign|hold|begin|start|meet|receive|take)|curtain[- ]raiser"
    r"|preview|all set|gear(?:s|ing)? up|to (?:visit|hold|launch|commission|sign|begin|discuss"
    r"|deliver|get|receive|conduct|host|meet|attend|participate|take part|travel|arrive"
    r"|kick off|hand over|buy|procure|acquire|purchase|perform|join|march|send|induct|start"
    r"|open|hold talks|be central|hand|give|supply|sell|build|make|set up|inaugurate|unveil"
    r"|deploy|resume|finalise|finalize|seal|ink|talk|co-chair|witness)"
    # French
    r"|va|vont|sera|seront|se rendra|recevra|devrait|doit|devront"
    # German
    r"|wird|werden|soll|sollen"
    # Portuguese / Spanish
    r"|vai|vão|irá|irão|deverá|deverão|receberá|visitará|será|serão|va a|van a"
    # Vietnamese
    r"|sẽ|sắp"
    # Turkish: the future suffix (edecek, katılacaklar)
    r"|\w+(?:acak|ecek)(?:lar|ler|tır|tir)?"
)
_CYRILLIC = (
    # Russian: future perfective forms of the verbs of visits, talks and deals
    r"прибуд\w*|посетит|посетят|проведут|проведет|проведёт|примет участие|примут участие"
    r"|состоится|состоятся|планиру\w+|намерен\w*|собира\w+ся|ожида\w+ся|будет|будут"
    r"|подпишут|подпишет|обсудят|обсудит|встретится|встретятся|отправится|отправятся"
    r"|закупит|закупят|получит|получат|поставит|поставят|передаст|передадут|примет|откроет"
    r"|начнет|начнёт|начнут|построит|построят|направит|направят|приобретет|приобретёт"
    # Ukrainian
    r"|відвідає|відвідають|буде|будуть|проведуть|підпишуть|планує|планують|очікується"
    # Hindi and Marathi future auxiliaries written as words
    r"|होगा|होगी|होंगे|होईल|होतील"
)
_INDIC_ENDINGS = (
    # Hindi: करेंगे, होगा, जाएगी, पहुंचेंगे …
    r"ेंगे|ेंगी|ेगा|ेगी|एगा|एगी|एंगे|ाएंगे|ाएगा|ाएगी|ोगे|ूंगा|ूँगा|होगा|होगी|होंगे"
    # Marathi: करणार, होणार, जाणार
    r"|णार"
    # Bengali: করবেন, যাবেন, হবে
    r"|বেন|বে"
    # Gujarati: કરશે, જશે, થશે
    r"|શે"
    # Telugu: వెళ్లనున్నారు, చేయనున్నారు
    r"|నున్నారు|నుంది|నున్నాయి"
    # Tamil: செல்ல உள்ளார், வருகை தருகிறார் (present for near future), செல்வார்
    r"|வார்|உள்ளார்|உள்ளனர்"
)
# Each branch first checks the script of the letter it stands on, so that a sentence in one
# script is not tried against the markers of the others (three times faster).
_FUTURE = re.compile(
    rf"\b(?=[a-zà-ỹ])(?:{_LATIN})\b"
    rf"|(?<!\w)(?=[а-яёіїєґ\u0900-\u0dff])(?:{_CYRILLIC})(?!\w)"
    rf"|(?<=[\u0900-\u0dff])(?:{_INDIC_ENDINGS})(?![\w\u0900-\u0dff])",
    re.IGNORECASE,
)


# An English headline whose first verb reports a done act is an event report, whatever
# purpose or prospect follows ("arrives in Moscow to attend", "meets Putin, likely to sign",
# "India, Russia sign deal to build warships": the plural forms that are no nouns too).
_DONE = re.compile(
    r"\b(?:arrive[sd]?|reach(?:es|ed)|land(?:s|ed)|ratif(?:y|ies|ied)|clear(?:s|ed)"
    r"|approve[sd]?|deliver(?:s|ed)?|sign(?:s|ed)?|ink(?:s|ed)?|meets|met|holds|held"
    r"|commissione[sd]"
    r"|induct(?:s|ed)|begins|began|conclude[sd]|launche[sd]|test-fire[sd]|hand(?:s|ed) over"
    r"|receive[sd]|visit(?:s|ed)|wins|won|bag(?:s|ged)|secure[sd]|award(?:s|ed))\b",
    re.IGNORECASE,
)


def announces(title: str, text: str) -> bool:
    """Whether the report announces a coming event rather than reporting one."""
    return announced(statement(title, text))


def announced(said: str) -> bool:
    """Whether a report's statement (`statement`) announces a coming event."""
    future = _FUTURE.search(said)
    if future is None:
        return False
    done = _DONE.search(said, 0, future.start())
    return done is None


def statement(title: str, text: str) -> str:
    """The headline, or the first sentence when the headline only names a topic."""
    if len(title.split()) > TOPIC_TITLE_WORDS:
        return title
    opening = _DATE_MARKER.sub(" ", text).strip()
    return _FIRST_SENTENCE.split(opening, maxsplit=1)[0]
