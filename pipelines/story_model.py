"""How well a report fits a story: the story's profile, the features, the fitted model.

A story is compared as a whole: its profile sums its members' evidence (which entities
how many members name, the amounts, dates, weekdays and years they state, their themes,
headline words, tense and acts), so a report can join a story none of whose single members
it resembles closely. The features are turned into a probability by gradient-boosted
trees (`Forest`) that are data (`story_model.json`, fitted by bench/fit_stories.py under
cross-validation that holds out whole stories), evaluated here with numpy alone.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
from rapidfuzz import fuzz, process

from pipelines.acts import related
from pipelines.forest import Forest

if TYPE_CHECKING:  # the evidence code loads with the first article a process reads
    from pipelines.evidence import Evidence

MODEL_PATH = Path(__file__).with_name("story_model.json")
# The version of how evidence is read and indexed (shingles, band keys, index keys): part
# of the rules version with the model's and the lexicon's, bumped when this code changes.
INDEX_VERSION = "3"
# Headline words this alike (0-100, after transliteration) are the same word spelt twice.
FUZZY_WORD = 84
# Two reports of one event are rarely more than this many days apart.
EVENT_DAYS = 4
# A story keeps the content words its members use most, this many.
STORY_WORDS = 150
# Units of a currency per US dollar over the years our reports cover (2005–2026, with
# slack): a sum stated in two currencies is the same when its ranges of dollars meet.
# A sum with a scale word and no currency ("6,000 crore") is rupees or dollars.
DOLLAR_RATES: dict[str, tuple[tuple[float, float], ...]] = {
    "usd": ((1.0, 1.0),),
    "inr": ((39.0, 92.0),),
    "rub": ((23.0, 140.0),),
    "eur": ((0.62, 1.05),),
    "gbp": ((0.48, 0.95),),
    "cny": ((6.0, 8.3),),
    "?": ((1.0, 1.0), (39.0, 92.0)),
}
INDEXED_WORDS = 30

FEATURES = (
    "entity_cosine",  # idf-weighted cosine of the report's entities and the story's
    "entity_cover",  # share of the report's entity weight the story also names
    "story_cover",  # share of the story's core entities the report names
    "lead_cover",  # share of the entities of the report's headline and lead that the
    # story's headlines and leads name (a shared background paragraph names others)
    "event_match",  # a named event of the same year ("Zapad:2021") in both
    "event_conflict",  # the same named event, another year
    "amount_match",  # amounts, counts and percentages in common (up to 3)
    "amount_conflict",  # both state money or percentages, none the same (or the same
    # sum in two currencies: "Rs 18,148 crore" and "$2.43 billion")
    "day_match",  # a stated month-day in common
    "same_day",  # the report's day is a day of the story
    "next_day",  # one day apart: an arrival and the next day's talks are two stories
    "day_near",  # two to EVENT_DAYS days apart
    "day_far",  # further apart
    "weekday_match",  # a weekday one side names is the other side's day or the day before
    "weekday_conflict",  # one side names weekdays, the other has days, and none fits
    "year_conflict",  # the event years are known and differ
    "years_jaccard",  # overlap of the years the texts mention anywhere
    "theme_jaccard",
    "tense_agree",  # share of the story's members with the report's tense
    "tense_same_day",  # members of the other tense, on the report's day: a curtain-raiser
    # and the report of its event that day are one story (days apart, two)
    "act_match",  # share of the story's members stating an act that state the report's
    "act_conflict",  # the report and some members state acts, none the report's nor its kin
    "act_related",  # no member states the report's act, but one states an act of its family
    "title_overlap",  # share of headline words found in the story's headlines
    "names_known",  # both the report's lead and the story's leads name someone or somewhere
    "name_overlap",  # share of the report's lead names the story's leads carry
    "word_cosine",  # idf-weighted cosine of content-word stems
    "foreign",  # no member is written like the report: headline and word overlaps say nothing
    "copy",  # containment of word shingles in the closest member, as far as the opening's
    # are there too (pipelines/stories.py Copy.shared)
    "log_size",
)


@dataclass
class StoryProfile:
    """The sum of a story's members' evidence."""

    size: int = 0
    entities: Counter[str] = field(default_factory=Counter)  # members naming each
    lead_entities: Counter[str] = field(default_factory=Counter)  # ... in headline or lead
    events: Counter[str] = field(default_factory=Counter)
    amounts: Counter[str] = field(default_factory=Counter)
    days: Counter[str] = field(default_factory=Counter)
    weekdays: Counter[int] = field(default_factory=Counter)  # members naming each
    event_days: Counter[str] = field(default_factory=Counter)  # ISO days of members
    years: Counter[int] = field(default_factory=Counter)  # event years of members
    mentioned_years: Counter[int] = field(default_factory=Counter)  # any year stated
    themes: Counter[str] = field(default_factory=Counter)
    title_tokens: Counter[str] = field(default_factory=Counter)
    names: Counter[str] = field(default_factory=Counter)
    words: Counter[str] = field(default_factory=Counter)
    writings: Counter[str] = field(default_factory=Counter)  # members per writing system
    acts: Counter[str] = field(default_factory=Counter)  # members per act they state
    ahead: int = 0

    def add(self, evidence: Evidence) -> None:
        self.size += 1
        self.entities.update(evidence.entities.keys())
        self.lead_entities.update(evidence.lead_entities())
        self.events.update(evidence.events)
        self.amounts.update(evidence.amounts)
        self.days.update(evidence.days)
        self.weekdays.update(evidence.weekdays)
        if evidence.day:
            self.event_days[evidence.day.isoformat()] += 1
        if evidence.year:
            self.years[evidence.year] += 1
        self.mentioned_years.update(evidence.years)
        self.themes.update(evidence.themes)
        self.title_tokens.update(evidence.title_tokens)
        self.names.update(evidence.names)
        self._add_words(evidence.words)
        self.writings[evidence.writing] += 1
        if evidence.act:
            self.acts[evidence.act] += 1
        self.ahead += evidence.ahead
        self._forget_summaries()

    def _add_words(self, words: dict[str, int]) -> None:
        self.words.update(words)
        if len(self.words) > STORY_WORDS:
            self.words = Counter(dict(self.words.most_common(STORY_WORDS)))

    # What every comparison with the story needs, computed once per change of the story
    # (a story is a candidate of many reports between two of its own changes).

    def _forget_summaries(self) -> None:
        for name in _SUMMARIES:
            self.__dict__.pop(name, None)

    @cached_property
    def word_weights(self) -> dict[str, float]:
        """The story's side of the word cosine: log-scaled counts."""
        return {w: 1 + math.log(n) for w, n in self.words.items()}

    @cached_property
    def word_norm(self) -> float:
        return _norm(self.word_weights)

    @cached_property
    def entity_shares(self) -> dict[str, float]:
        """Share of the members that name each entity."""
        return {e: n / self.size for e, n in self.entities.items()}

    @cached_property
    def entity_squares(self) -> float:
        return sum(share * share for share in self.entity_shares.values())

    @cached_property
    def core(self) -> dict[str, float]:
        """The entities at least half the members name, with their shares."""
        return {e: share for e, share in self.entity_shares.items() if share >= 0.5}

    @cached_property
    def core_total(self) -> float:
        return sum(self.core.values())

    @cached_property
    def event_years(self) -> dict[str, set[int]]:
        """Each named event's years."""
        return _events_by_name(self.events)

    @cached_property
    def figures(self) -> set[str]:
        """The amounts that are money or percentages, not counts."""
        return {a for a in self.amounts if not a.startswith("n:")}

    @cached_property
    def day_numbers(self) -> list[int]:
        """The members' event days, as day numbers."""
        return [date.fromisoformat(d).toordinal() for d in self.event_days]

    @cached_property
    def near_weekdays(self) -> set[int]:
        """The weekdays of the members' days and of the days before them."""
        return {weekday for day in self.day_numbers for weekday in _near_weekdays(day)}

    def remove(self, evidence: Evidence) -> None:
        """Take a member out again (its article is assigned anew). Counts a member added
        before the word cap trimmed them come out approximately."""
        self.size -= 1
        for name, values in (
            ("entities", evidence.entities.keys()),
            ("lead_entities", evidence.lead_entities()),
            ("events", evidence.events),
            ("amounts", evidence.amounts),
            ("days", evidence.days),
            ("weekdays", evidence.weekdays),
            ("event_days", [evidence.day.isoformat()] if evidence.day else []),
            ("years", [evidence.year] if evidence.year else []),
            ("mentioned_years", evidence.years),
            ("themes", evidence.themes),
            ("title_tokens", evidence.title_tokens),
            ("names", evidence.names),
            ("words", evidence.words),
            ("writings", [evidence.writing]),
            ("acts", [evidence.act] if evidence.act else []),
        ):
            counter = getattr(self, name)
            counter.subtract(values if isinstance(values, dict) else Counter(values))
            setattr(self, name, +counter)  # drop counts that reached zero
        self.ahead -= evidence.ahead
        self._forget_summaries()

    def absorb(self, other: StoryProfile) -> None:
        """Add another story's members (the two stories merge)."""
        self.size += other.size
        for name in (
            "entities", "lead_entities", "events", "amounts", "days", "weekdays", "event_days",
            "years", "mentioned_years",
        ):  # fmt: skip
            getattr(self, name).update(getattr(other, name))
        self.themes.update(other.themes)
        self.title_tokens.update(other.title_tokens)
        self.names.update(other.names)
        self._add_words(other.words)
        self.writings.update(other.writings)
        self.acts.update(other.acts)
        self.ahead += other.ahead
        self._forget_summaries()

    def index_keys(self) -> set[str]:
        """What the story is found by: its entities, named events, amounts, days and most
        used words."""
        found = index_keys_of(self.entities, self.events, self.amounts, self.days)
        return found | {f"w:{w}" for w, _ in self.words.most_common(INDEXED_WORDS)}

    def to_json(self) -> str:
        return json.dumps(
            {
                "size": self.size,
                "ahead": self.ahead,
                **{
                    name: dict(getattr(self, name))
                    for name in (
                        "entities",
                        "lead_entities",
                        "events",
                        "amounts",
                        "days",
                        "event_days",
                        "themes",
                        "title_tokens",
                        "names",
                        "words",
                        "writings",
                        "acts",
                    )
                },
                "years": {str(k): v for k, v in self.years.items()},
                "mentioned_years": {str(k): v for k, v in self.mentioned_years.items()},
                "weekdays": {str(k): v for k, v in self.weekdays.items()},
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> StoryProfile:
        data = json.loads(text)
        profile = cls(size=data["size"], ahead=data["ahead"])
        for name in (
            "entities", "lead_entities", "events", "amounts", "days", "event_days", "themes",
        ):  # fmt: skip
            getattr(profile, name).update(data[name])
        profile.title_tokens.update(data["title_tokens"])
        profile.names.update(data["names"])
        profile.words.update(data["words"])
        profile.writings.update(data["writings"])
        profile.acts.update(data["acts"])
        profile.years.update({int(k): v for k, v in data["years"].items()})
        profile.mentioned_years.update({int(k): v for k, v in data["mentioned_years"].items()})
        profile.weekdays.update({int(k): v for k, v in data["weekdays"].items()})
        return profile


# StoryProfile's cached summaries, forgotten whenever its counts change.
_SUMMARIES = tuple(
    name for name, value in vars(StoryProfile).items() if isinstance(value, cached_property)
)


def index_keys_of(entities, events, amounts, days) -> set[str]:  # noqa: ANN001
    """Index keys for evidence or a profile (anything with these four collections)."""
    return (
        {f"e:{k}" for k in entities}
        | {f"v:{k}" for k in events}
        | {f"a:{k}" for k in amounts}
        | {f"d:{k}" for k in days}
    )


def evidence_keys(evidence: Evidence) -> set[str]:
    """What an article is found by, and its words (counted for their rarity)."""
    found = index_keys_of(evidence.entities, evidence.events, evidence.amounts, evidence.days)
    return found | {f"w:{w}" for w in evidence.words}


class Probe:
    """A report as it is compared with candidate stories: what depends on the report
    alone (its weighted entities and words) is computed once, not once per story."""

    def __init__(self, evidence: Evidence, idf: dict[str, float]):
        self.evidence = evidence
        self.entity_idf = {e: idf.get(f"e:{e}", 1.0) for e in evidence.entities}
        self.entities = {e: w * self.entity_idf[e] for e, w in evidence.entities.items()}
        self.entity_norm = _norm(self.entities)
        self.entity_total = sum(self.entities.values())
        self.words = {
            w: (1 + math.log(n)) * idf.get(f"w:{w}", 1.0) for w, n in evidence.words.items()
        }
        self.word_norm = _norm(self.words)
        self.events = [_split_event(v) for v in evidence.events]
        self.figures = {a for a in evidence.amounts if not a.startswith("n:")}
        self.lead = {e: self.entity_idf[e] for e in evidence.lead_entities()}
        self.lead_total = sum(self.lead.values())
        self.day = evidence.day.toordinal() if evidence.day else None
        self.near_weekdays = _near_weekdays(self.day) if self.day is not None else set()


# Features are rounded to this many decimals: sums over sets of strings run in an order
# that changes with each process's string hashing, and their last bits with it, which
# fitted trees would otherwise turn into a different model on each run.
ROUNDING = 9


class FactComparison(NamedTuple):
    """How the facts a report and a story state of their event's day, year and kind of
    act compare: part of the FEATURES, and what tells two reports of one topic apart
    before anything else (`conflicting`)."""

    gap: int | None  # days between the report's event day and the story's nearest one
    event_conflict: bool  # a named event of another year (INDRA-2021 and INDRA-2025)
    year_conflict: bool  # another event year
    kin: bool  # none of the story's reports is of the report's kind of act, some of a
    # related kind (an arrival and the talks)
    act_conflict: bool  # the story's reports are of other, unrelated kinds (a contract and a
    # delivery)

    @property
    def conflicting(self) -> bool:
        """Whether they state other facts: another kind of act, another event year, another
        year of one named event, or days more than EVENT_DAYS apart."""
        return (
            self.act_conflict
            or self.year_conflict
            or self.event_conflict
            or (self.gap is not None and self.gap > EVENT_DAYS)
        )


def compare_facts(probe: Probe, story: StoryProfile) -> FactComparison:
    """How the facts of a report compare with those of a story."""
    evidence = probe.evidence
    gap = None
    if probe.day is not None and story.day_numbers:
        gap = min(abs(probe.day - day) for day in story.day_numbers)
    act, stated = evidence.act, story.acts.total()
    same_act = bool(act and story.acts[act])
    kin = bool(act and not same_act and any(related(act, other) for other in story.acts))
    return FactComparison(
        gap=gap,
        event_conflict=any(
            name in story.event_years and year not in story.event_years[name]
            for name, year in probe.events
        ),
        year_conflict=(
            evidence.year is not None and bool(story.years) and evidence.year not in story.years
        ),
        kin=kin,
        act_conflict=bool(act and stated) and not same_act and not kin,
    )


def features(probe: Probe, story: StoryProfile, copy: float) -> np.ndarray:
    """The FEATURES of a report against a story, in order. `copy` is how much of the
    report the closest member of the story copies (0 when none is near)."""
    evidence = probe.evidence
    # The story weighs an entity by the share of its members naming it, times its rarity
    # as the report's index keys tell it (1 for an entity the report does not name).
    shares, idf = story.entity_shares, probe.entity_idf
    shared = probe.entities.keys() & shares.keys()
    dot = sum(probe.entities[e] * shares[e] * idf[e] for e in shared)
    story_norm = math.sqrt(
        story.entity_squares + sum(shares[e] ** 2 * (idf[e] ** 2 - 1) for e in shared)
    )
    norm = probe.entity_norm * story_norm
    core_shared = shared & story.core.keys()
    core_total = story.core_total + sum(shares[e] * (idf[e] - 1) for e in core_shared)

    facts = compare_facts(probe, story)
    gap = facts.gap
    weekdays_fit = _weekdays_fit(probe, story)
    mentioned = evidence.years | story.mentioned_years.keys()
    years_jaccard = (
        len(evidence.years & story.mentioned_years.keys()) / len(mentioned) if mentioned else 0.0
    )
    themes = set(story.themes)
    union = evidence.themes | themes
    tense = story.ahead / story.size if evidence.ahead else 1 - story.ahead / story.size
    act, stated = evidence.act, story.acts.total()
    return np.array(
        [
            dot / norm if norm else 0.0,
            sum(probe.entities[e] for e in shared) / probe.entity_total
            if probe.entity_total
            else 0.0,
            sum(shares[e] * idf[e] for e in core_shared) / core_total if core_total else 0.0,
            sum(w for e, w in probe.lead.items() if e in story.lead_entities) / probe.lead_total
            if probe.lead_total
            else 0.0,
            float(bool(evidence.events & story.events.keys())),
            float(facts.event_conflict),
            float(min(3, len(evidence.amounts & story.amounts.keys()))),
            float(
                bool(
                    probe.figures
                    and story.figures
                    and not share_a_figure(probe.figures, story.figures)
                )
            ),
            float(bool(evidence.days & story.days.keys())),
            float(gap == 0),
            float(gap == 1),
            float(gap is not None and 2 <= gap <= EVENT_DAYS),
            float(gap is not None and gap > EVENT_DAYS),
            float(weekdays_fit is True),
            float(weekdays_fit is False),
            float(facts.year_conflict),
            years_jaccard,
            len(evidence.themes & themes) / len(union) if union else 0.0,
            tense,
            float(gap == 0 and tense < 1),
            story.acts[act] / stated if act and stated else 0.0,
            float(facts.act_conflict),
            float(facts.kin),
            title_overlap(evidence.title_tokens, story.title_tokens),
            float(bool(evidence.names and story.names)),
            title_overlap(evidence.names, story.names),
            _word_cosine(probe, story),
            float(evidence.writing not in story.writings),
            copy,
            math.log(story.size),
        ]
    ).round(ROUNDING)


def _weekdays_fit(probe: Probe, story: StoryProfile) -> bool | None:
    """Whether a weekday one side names is the other side's day or the day before it (a
    report that appears on Thursday may call the talks Wednesday's): None when neither
    side names a weekday that the other's days could check."""
    checked = False
    if probe.evidence.weekdays and story.day_numbers:
        checked = True
        if probe.evidence.weekdays & story.near_weekdays:
            return True
    if probe.day is not None and story.weekdays:
        checked = True
        if probe.near_weekdays & story.weekdays.keys():
            return True
    return False if checked else None


def _near_weekdays(day_number: int) -> set[int]:
    """The weekday of a report's day and of the day before: those it may call its event's."""
    return {date.fromordinal(day_number).weekday(), date.fromordinal(day_number - 1).weekday()}


def share_a_figure(figures: set[str], others: set[str]) -> bool:
    """Whether two sets of figures share one, a sum in two currencies counting as one
    when some exchange rate of our years turns the one into the other."""
    if figures & others:
        return True
    sums = [_money(f) for f in figures]
    other_sums = [_money(f) for f in others]
    return any(_convertible(a, b) for a in sums if a for b in other_sums if b and a[0] != b[0])


def _money(key: str) -> tuple[str, float] | None:
    kind, _, rest = key.partition(":")
    if kind != "money":
        return None
    currency, _, value = rest.partition(":")
    return currency, float(value)


def _convertible(a: tuple[str, float], b: tuple[str, float]) -> bool:
    """Whether two sums meet in dollars at some rates of their currencies."""
    return any(
        low <= other_high and other_low <= high
        for low, high in _in_dollars(*a)
        for other_low, other_high in _in_dollars(*b)
    )


def _in_dollars(currency: str, value: float) -> list[tuple[float, float]]:
    return [(value / most, value / least) for least, most in DOLLAR_RATES.get(currency, ())]


def _word_cosine(probe: Probe, story: StoryProfile) -> float:
    """Cosine of the report's rarity-weighted words and the story's log-scaled word counts
    (the story's side unweighted, so its norm is computed once per profile)."""
    norm = probe.word_norm * story.word_norm
    if not norm:
        return 0.0
    theirs = story.word_weights
    return sum(probe.words[w] * theirs[w] for w in probe.words.keys() & theirs.keys()) / norm


def _norm(weights: dict[str, float]) -> float:
    return math.sqrt(sum(w * w for w in weights.values()))


def _split_event(key: str) -> tuple[str, int]:
    name, _, year = key.rpartition(":")
    return name, int(year)


def _events_by_name(events: Counter[str]) -> dict[str, set[int]]:
    found: dict[str, set[int]] = {}
    for key in events:
        name, year = _split_event(key)
        found.setdefault(name, set()).add(year)
    return found


def title_overlap(tokens: frozenset[str], story_tokens: Counter[str]) -> float:
    """Share of a headline's words that the story's headlines carry, a misspelling or a
    different transliteration counting as the same word."""
    if not tokens or not story_tokens:
        return 0.0
    found = 0
    choices = list(story_tokens)
    for token in tokens:
        if token in story_tokens or process.extractOne(
            token, choices, scorer=fuzz.ratio, score_cutoff=FUZZY_WORD
        ):
            found += 1
    return found / len(tokens)


@dataclass(frozen=True)
class JoinModel:
    """The fitted trees (`Forest`) that score a report against a story, and the
    thresholds their probability is used with."""

    version: str
    forest: Forest
    join: float  # probability at which a report joins its best story
    merge: float  # probability at which it also merges another story into that one
    copy: float  # containment that makes a near-verbatim copy, whatever the rest says
    # the mean fit of two batch stories' reports, pair by pair, at which they merge when a
    # batch is refined (above 1: never): stories in different scripts, and in one script
    regroup: float = 1.01
    regroup_one_script: float = 1.01

    @property
    def digest(self) -> str:
        text = json.dumps(self.to_dict(), sort_keys=True)
        return hashlib.sha1(text.encode()).hexdigest()[:12]

    def probability(self, values: np.ndarray) -> float:
        return float(self.probabilities(values[None, :])[0])

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        """The probability of each row of `rows` (one report against one story each)."""
        return self.forest.probabilities(rows)

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "features": list(FEATURES),
            "join": self.join,
            "merge": self.merge,
            "copy": self.copy,
            "regroup": self.regroup,
            "regroup_one_script": self.regroup_one_script,
            "forest": self.forest.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> JoinModel:
        if list(data["features"]) != list(FEATURES):
            raise ValueError("story model was fitted on other features: refit it")
        return cls(
            version=data["version"],
            forest=Forest.from_dict(data["forest"]),
            join=float(data["join"]),
            merge=float(data["merge"]),
            copy=float(data["copy"]),
            regroup=float(data["regroup"]),
            regroup_one_script=float(data["regroup_one_script"]),
        )


def rules_version(model: JoinModel, lexicon_digest: str, themes_digest: str) -> str:
    """The version of the rules a story index is built by: the index code's, the join
    model's, the lexicon's and the theme model's."""
    return f"{INDEX_VERSION}-{model.version}-{model.digest}-{lexicon_digest}-{themes_digest}"


@cache
def default_model() -> JoinModel:
    """The model shipped with the code."""
    return JoinModel.from_dict(json.loads(MODEL_PATH.read_text(encoding="utf-8")))
