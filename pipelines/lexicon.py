"""The India–Russia defence lexicon: loaded from TOML, validated, compiled into one matcher.

All aliases of all tags, cue sets and named entities go into a single Aho–Corasick automaton
built once per Lexicon, so matching an article is one pass over its text whatever the lexicon
size.

Named entities ([[entity]]: places, events, ships, units, people and organisations that pin
down an event) are read alongside tags and cues but are not tags: they carry no relevance
signal unless their entry says so, and an entity match never hides a tag or cue match (it
is hidden only by a longer entity or a stop phrase), so adding entities leaves every tag and
cue match, and hence relevance, as it was.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import ahocorasick

DEFAULT_PATH = Path(__file__).with_name("lexicon.toml")
KINDS = ("system", "org", "person", "theme")
ENTITY_KINDS = ("place", "event", "ship", "unit", "person", "org")
SIGNALS = ("india", "russia", "defence")
STEM = "*"
# A Tamil stem ending in a virama ("ஜெய்சங்கர்*") loses it before a case ending that starts
# with a vowel ("ஜெய்சங்கரை", "புடினுடன்"), so it also matches without it, when it is
# longer than TAMIL_SHORTEST characters (a shorter one, cut, would start common words).
TAMIL_VIRAMA = "\u0bcd"
TAMIL_SHORTEST = 3
STOP = "stop"  # the cue set whose phrases swallow the matches inside them
RECENT_TEXTS = 4  # texts whose matches Lexicon.find keeps: one article's headline, summary, body


class LexiconError(ValueError):
    """A lexicon file that cannot be used; the message names the file, entry and field."""


@dataclass(frozen=True)
class Term:
    """One alias as written in the lexicon, and what a match of it means."""

    alias: str  # without the stem marker
    name: str  # canonical tag, cue-set name such as "india-side", or entity name
    kind: str  # system | org | person | theme | cue, or for entities one of ENTITY_KINDS
    signals: frozenset[str]
    cased: bool = False
    stem: bool = False
    weight: float = 1.0  # how much one mention counts towards its signals
    entity: bool = False  # a named entity ([[entity]]): its kind may be "person" or "org" too
    with_year: bool = False  # counts only when a year follows ("Запад" in "Запад-2021")
    strong: bool = False  # a theme cue that on its own says the sentence is about the theme
    # Themes that an article about this system or body is of, by what it is: BrahMos is
    # built by an India-Russia joint venture, so a BrahMos story is co-development.
    implies: frozenset[str] = frozenset()

    @property
    def is_tag(self) -> bool:
        return not self.entity and self.kind != "cue"


@dataclass(frozen=True)
class Match:
    """A term found in a text: offsets index the original (unnormalised) text."""

    term: Term
    start: int
    end: int
    text: str


# Dashes and odd spaces fold to "-" and " "; every non-ASCII decimal digit (४, ۴, ௪) folds
# to its ASCII digit. Each replacement is one character, so offsets in the folded text are
# offsets in the original text.
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2212\u2043"
_SPACES = "\u00a0\u2007\u202f\u2009\u200a"
_FOLD = {**dict.fromkeys(_DASHES, "-"), **dict.fromkeys(_SPACES, " ")}
_FOLDABLE = re.compile(f"[^\\D0-9]|[{_DASHES}{_SPACES}]")
# A year right after a `with_year` alias, in folded text: "-2021", " 2021", "-21", " '21".
# Two digits need a dash or an apostrophe, so "Запад 20 лет" is no year.
_YEAR_AFTER = re.compile(r"(?:[ -]?(?:19|20)\d\d|-\d\d|[ -]?['’]\d\d)(?!\d)")


def fold(text: str) -> str:
    """Normalise text for matching without changing its length."""
    return _FOLDABLE.sub(_fold_char, text)


def _fold_char(match: re.Match[str]) -> str:
    ch = match.group()
    return _FOLD.get(ch) or str(unicodedata.decimal(ch))


def lower_same_length(text: str) -> str:
    """Lower-case text, keeping offsets aligned (a few letters such as 'İ' grow when lowered)."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


@lru_cache(maxsize=4096)
def is_word_char(ch: str) -> bool:
    """Letters, digits, combining marks (Indic vowel signs, viramas) and ZWJ/ZWNJ join words."""
    if ch.isalnum() or ch in "\u200c\u200d":
        return True
    return unicodedata.category(ch)[0] == "M"


class Lexicon:
    """Tags, cue sets, named entities and the compiled automaton built from one lexicon file.

    `tags` maps each canonical tag to its kind; `entity_kinds` maps each named entity to its
    kind (place | event | ship | unit | person | org).
    """

    def __init__(
        self,
        terms: list[Term],
        tags: dict[str, str],
        source: str = "<memory>",
        file_digest: str | None = None,
    ):
        self.terms = terms
        self.tags = tags
        self.file_digest = file_digest
        self.source = source
        self.entity_kinds: dict[str, str] = {}
        for term in terms:
            if term.entity:
                self.entity_kinds.setdefault(term.name, term.kind)
        self._automaton = self._compile(terms)

    @cached_property
    def digest(self) -> str:
        """Changes whenever a term does: evidence read with another lexicon is stale. A
        lexicon read from a file is named by the file's bytes (`file_digest`), so a crawl
        can tell whether its story index is current without parsing the lexicon."""
        if self.file_digest:
            return self.file_digest
        lines = sorted(
            f"{t.name}|{t.kind}|{t.alias}|{t.cased}|{t.stem}|{sorted(t.signals)}|{t.weight}"
            + ("|strong" if t.strong else "")
            + "".join(f"|implies:{theme}" for theme in sorted(t.implies))
            for t in self.terms
        )
        return hashlib.sha1("\n".join(lines).encode()).hexdigest()[:12]

    @classmethod
    def load(cls, path: str | Path | None = None) -> Lexicon:
        """The lexicon of a file; loaded and compiled once per process while the file is
        unchanged (a crawl's spider and pipelines all use the same one)."""
        path = Path(path) if path is not None else DEFAULT_PATH
        try:
            stat = path.stat()
        except OSError as exc:
            raise LexiconError(f"{path}: cannot read lexicon: {exc}") from exc
        return _load(str(path.resolve()), stat.st_mtime_ns, stat.st_size)

    @staticmethod
    def _compile(terms: list[Term]) -> ahocorasick.Automaton:
        automaton = ahocorasick.Automaton()
        for term in terms:
            key = lower_same_length(fold(term.alias))
            if key in automaton:
                automaton.get(key).append(term)
            else:
                automaton.add_word(key, [term])
        automaton.make_automaton()
        return automaton

    def find(self, text: str) -> tuple[Match, ...]:
        """All term matches in text (tags, cues and entities), sorted by offset.

        A match inside a longer one is dropped (see _covers); entity matches are nested only
        against other entities and stop phrases. The matches of the last few texts are kept:
        the classifier and the story evidence reader read one article's headline and body
        one after the other.
        """
        return _recent_matches(self, text)

    def _find(self, text: str) -> list[Match]:
        if not text:
            return []
        folded = fold(text)
        lowered = lower_same_length(folded)
        found: list[Match] = []
        for last, terms in self._automaton.iter(lowered):
            for term in terms:
                match = _accept(term, folded, text, last)
                if match is not None:
                    found.append(match)
        return _drop_nested(found)


@lru_cache(maxsize=RECENT_TEXTS)  # thread-safe, unlike a dict of our own
def _recent_matches(lexicon: Lexicon, text: str) -> tuple[Match, ...]:
    return tuple(lexicon._find(text))


def file_digest(path: str | Path | None = None) -> str:
    """The digest of the lexicon in a file (Lexicon.digest), from its bytes alone."""
    return _digest(_read(Path(path) if path is not None else DEFAULT_PATH))


@lru_cache(maxsize=8)
def _load(path: str, mtime_ns: int, size: int) -> Lexicon:
    raw = _read(Path(path))
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise LexiconError(f"{path}: cannot read lexicon: {exc}") from exc
    terms, tags = _parse(data, path)
    return Lexicon(terms, tags, path, file_digest=_digest(raw))


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise LexiconError(f"{path}: cannot read lexicon: {exc}") from exc


def _digest(raw: bytes) -> str:
    return hashlib.sha1(raw).hexdigest()[:12]


def _accept(term: Term, folded: str, original: str, last: int) -> Match | None:
    """Check case and word boundaries for one candidate hit ending at index `last`."""
    start = last - len(term.alias) + 1
    end = last + 1
    if term.cased and folded[start:end] != fold(term.alias):
        return None
    if start > 0 and is_word_char(folded[start - 1]) and is_word_char(folded[start]):
        return None
    n = len(folded)
    if term.stem:
        while end < n and is_word_char(folded[end]):
            end += 1
    elif end < n and is_word_char(folded[end]) and is_word_char(folded[end - 1]):
        # allow a Latin plural ("S-400s", "Su-30MKIs") but nothing longer
        if not (folded[end] == "s" and (end + 1 == n or not is_word_char(folded[end + 1]))):
            return None
        if not folded[end - 1].isascii():
            return None
        end += 1
    if term.with_year and not _YEAR_AFTER.match(folded, end):
        return None
    return Match(term, start, end, original[start:end])


def _drop_nested(matches: list[Match]) -> list[Match]:
    """Keep the longest reading: "BrahMos Aerospace" is the company, not also the missile.

    A match inside a longer one is dropped when the longer one already carries its signals
    and is of the same family (system/org/person tag or cue vs theme), so "India" inside the
    theme phrase "Make in India" still counts as an India-side mention, or when the longer one
    is a stop phrase (the cue set named "stop", such as "Indian Ocean"). Other cue sets with no
    signals ("negation", "hedge") are markers: they nest only among themselves ("could not"
    hides "could"), and neither hide nor are hidden by any other match. Named entities are a
    family of their own: the longest entity wins ("Goa Shipyard", not also "Goa"), an entity
    neither hides nor is hidden by a tag or non-stop cue ("Kaliningrad" is both a Russia-side
    cue and a place), and of two overlapping readings of one entity the first is kept. Of two
    readings of one theme with the same span (weak stem "spare" + plural, strong "spares"),
    the strong one is kept.
    """
    matches.sort(key=lambda m: (m.start, -m.end, not m.term.strong))
    kept: list[Match] = []
    active: list[Match] = []
    seen: set[tuple[int, int, str, bool]] = set()
    for m in matches:
        key = (m.start, m.end, m.term.name, m.term.entity)
        if key in seen:
            continue
        active = [a for a in active if a.end > m.start]
        if any(_covers(a, m) for a in active):
            continue
        if m.term.entity and any(_same_entity(a, m) for a in active):
            continue
        seen.add(key)
        active.append(m)
        kept.append(m)
    return kept


def _same_entity(earlier: Match, later: Match) -> bool:
    """Overlapping readings of one entity ("Exercise Zapad", "Zapad-2021") are one mention."""
    return earlier.term.entity and later.term.entity and earlier.term.name == later.term.name


def _covers(outer: Match, inner: Match) -> bool:
    if outer.start > inner.start or outer.end < inner.end:
        return False
    if (outer.start, outer.end) == (inner.start, inner.end):
        return False
    if outer.term.kind == "cue" and outer.term.name == STOP:
        return True  # a stop phrase: "Indian Ocean" is no India-side mention
    if _is_marker(outer.term) or _is_marker(inner.term):
        return _is_marker(outer.term) and _is_marker(inner.term)
    if outer.term.entity or inner.term.entity:
        return outer.term.entity and inner.term.entity
    same_family = (outer.term.kind == "theme") == (inner.term.kind == "theme")
    return same_family and inner.term.signals <= outer.term.signals


def _is_marker(term: Term) -> bool:
    """A word of a signal-less cue set other than "stop" ("negation", "hedge"): read by the
    theme detector next to theme cues, it neither hides nor is hidden by other matches."""
    return term.kind == "cue" and not term.signals and term.name != STOP


SECTIONS = ("cue", "tag", "entity")


def _parse(data: dict, source: str) -> tuple[list[Term], dict[str, str]]:
    """Validate the TOML document and turn it into terms and the tag -> kind map."""
    unknown = set(data) - set(SECTIONS)
    if unknown:
        raise LexiconError(f"{source}: unknown top-level table(s) {sorted(unknown)}")
    terms: list[Term] = []
    tags: dict[str, str] = {}
    entities: set[str] = set()
    for section in SECTIONS:
        entries = data.get(section, [])
        if not isinstance(entries, list):
            raise LexiconError(f"{source}: [[{section}]] must be an array of tables")
        for index, entry in enumerate(entries):
            where = f"{source}: [[{section}]] #{index + 1}"
            if not isinstance(entry, dict):
                raise LexiconError(f"{where}: must be a table")
            name = entry.get("name")
            if not isinstance(name, str) or not name.strip():
                raise LexiconError(f"{where}: field 'name' must be a non-empty string")
            where = f"{source}: [[{section}]] {name!r}"
            kind = "cue" if section == "cue" else entry.get("kind")
            if section == "cue" and "kind" in entry:
                raise LexiconError(f"{where}: field 'kind' is only for [[tag]] entries")
            if section == "entity":
                _check_entity(entry, name, kind, where, tags, entities)
                entities.add(name)
            if section == "tag":
                if kind not in KINDS:
                    raise LexiconError(f"{where}: field 'kind' must be one of {KINDS}")
                if name in tags:
                    raise LexiconError(f"{where}: field 'name' duplicates an earlier tag")
                tags[name] = kind
            terms.extend(_entry_terms(entry, name, kind, where, entity=section == "entity"))
    themes = {name for name, kind in tags.items() if kind == "theme"}
    for term in terms:
        if not term.implies <= themes:
            raise LexiconError(
                f"{source}: {term.name!r}: field 'implies' names no theme tag: "
                f"{sorted(term.implies - themes)}"
            )
    return terms, tags


def _check_entity(
    entry: dict, name: str, kind: object, where: str, tags: dict[str, str], entities: set[str]
) -> None:
    """An entity has its own kinds, a name no tag or earlier entity uses, and no tag fields."""
    if kind not in ENTITY_KINDS:
        raise LexiconError(f"{where}: field 'kind' must be one of {ENTITY_KINDS}")
    if name in tags:
        raise LexiconError(f"{where}: field 'name' is already a tag; entities are not tags")
    if name in entities:
        raise LexiconError(f"{where}: field 'name' duplicates an earlier entity")
    if "indian_service" in entry:
        raise LexiconError(f"{where}: field 'indian_service' is not for [[entity]] entries")


_ENTRY_FIELDS = {
    "name",
    "kind",
    "signals",
    "weight",
    "aliases",
    "cased",
    "indian_service",
    "with_year",
    "strong",
    "implies",
}


def _entry_terms(
    entry: dict, name: str, kind: str, where: str, *, entity: bool = False
) -> list[Term]:
    extra = set(entry) - _ENTRY_FIELDS
    if extra:
        raise LexiconError(f"{where}: unknown field(s) {sorted(extra)}")
    signals = entry.get("signals", [])
    if not isinstance(signals, list) or any(s not in SIGNALS for s in signals):
        raise LexiconError(f"{where}: field 'signals' must be a list drawn from {SIGNALS}")
    base = frozenset(signals)
    weight = entry.get("weight", 1.0)
    if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 < weight <= 5:
        raise LexiconError(f"{where}: field 'weight' must be a number in (0, 5]")
    if "strong" in entry and kind != "theme":
        raise LexiconError(f"{where}: field 'strong' is only for theme tags")
    implies = entry.get("implies", [])
    if not isinstance(implies, list) or not all(isinstance(t, str) for t in implies):
        raise LexiconError(f"{where}: field 'implies' must be a list of theme names")
    if "implies" in entry and kind in ("theme", "cue"):
        raise LexiconError(f"{where}: field 'implies' is only for systems, bodies and names")
    terms: list[Term] = []
    for field, cased, extra_signals in (
        ("aliases", False, frozenset()),
        ("strong", False, frozenset()),
        ("cased", True, frozenset()),
        ("indian_service", False, frozenset({"india"})),
        ("with_year", True, frozenset()),
    ):
        aliases = entry.get(field, [])
        if not isinstance(aliases, list):
            raise LexiconError(f"{where}: field {field!r} must be a list of strings")
        for alias in aliases:
            if not isinstance(alias, str) or not alias.strip(STEM).strip():
                raise LexiconError(f"{where}: field {field!r} has an empty or non-string alias")
            if STEM in alias.rstrip(STEM):
                raise LexiconError(
                    f"{where}: field {field!r} alias {alias!r} has '*' before its end"
                )
            stem = alias.endswith(STEM)
            if stem and field == "with_year":
                raise LexiconError(
                    f"{where}: field {field!r} alias {alias!r} cannot be a stem: the year ends it"
                )
            written = alias.rstrip(STEM)
            forms = [written]
            if stem and written.endswith(TAMIL_VIRAMA) and len(written) > TAMIL_SHORTEST:
                forms.append(written[:-1])
            terms.extend(
                Term(
                    form,
                    name,
                    kind,
                    base | extra_signals,
                    cased=cased,
                    stem=stem,
                    weight=float(weight),
                    entity=entity,
                    with_year=field == "with_year",
                    strong=field == "strong",
                    implies=frozenset(implies),
                )
                for form in forms
            )
    _check_strong_and_weak(terms, where)
    if not terms:
        raise LexiconError(f"{where}: field 'aliases' must list at least one alias")
    return terms


def _check_strong_and_weak(terms: list[Term], where: str) -> None:
    """An alias is either strong or weak for its theme, not both."""
    strong = {(lower_same_length(fold(t.alias)), t.stem) for t in terms if t.strong}
    for term in terms:
        if term.strong or term.cased:
            continue
        if (lower_same_length(fold(term.alias)), term.stem) in strong:
            raise LexiconError(f"{where}: field 'strong' alias {term.alias!r} is also a weak alias")
