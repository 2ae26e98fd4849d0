"""Relevance scoring and tagging of India–Russia defence news, on top of the lexicon matcher.

An article is relevant when India-side, Russia-side and defence signals are all strong. Each
signal's strength grows with how often and where it occurs (title > lead > tail) and
saturates, so one passing clause in the body cannot carry an article; the score is driven by
the weakest of the three, so Russian arms for another country (weak India), Indian defence
with a Russian aside (weak Russia) or India–Russia oil trade (no defence) stay out.
"""

from __future__ import annotations

import json
import math
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import TextIO

from pipelines.lexicon import Lexicon, Match
from pipelines.sentences import sentence_starts
from pipelines.theme_model import ThemeModel
from pipelines.theme_words import HEAD_CHARS, ThemeWords
from pipelines.themes import Sentence, ThemeReader

# Score at or above THRESHOLD + BAND: 'relevant'; within BAND of THRESHOLD: 'borderline'
# (kept for analyst review, counted as not relevant); below: 'irrelevant'.
THRESHOLD = 0.5
BAND = 0.08

# Where a mention sits decides its weight: the title and lead say what the piece is about.
WEIGHTS = {"title": 3.0, "summary": 1.5, "lead": 1.5, "body": 1.0, "tail": 0.5}
LEAD_SENTENCES = 3  # the first sentences of the text (often the headline repeated) ...
LEAD_CHARS = 400  # ... within its first characters count as the lead
TAIL_CHARS = 1500  # mentions after this offset are the tail
# Signal weight at which a signal reaches ~63% strength. India is often implicit in Indian
# outlets ("the Army", "the IAF"), so fewer explicit India mentions are needed.
SATURATION = {"india": 2.0, "russia": 4.0, "defence": 4.0}
# A signal absent from the title, summary and lead is an aside: cap it below the threshold.
UPFRONT = ("title", "summary", "lead")
NOT_UPFRONT_CAP = 0.35
# The weakest signal drives the score; the mean lets strong other signals lift it a little.
MIN_EXPONENT = 0.5

MAX_EVIDENCE = 3  # snippets kept per tag
MAX_REASONS = 40
SNIPPET_CHARS = 60
SIGNAL_LABELS = {"india": "india-side", "russia": "russia-side", "defence": "defence"}
PARTY_KINDS = ("system", "org", "person")
PARTY_CUES = ("india-side", "russia-side")
# The themes of ../shared/spec/taxonomy.md, in its order.
THEMES = (
    "arms-deal", "delivery", "co-development", "technology-transfer", "self-reliance",
    "sustainment", "payments-sanctions", "defence-diplomacy", "joint-exercise", "combat-use",
    "arms-trade-data",
)  # fmt: skip


@dataclass
class TagHit:
    """A canonical tag with the text that supports it."""

    name: str
    kind: str
    evidence: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"name": self.name, "kind": self.kind, "evidence": self.evidence}


@dataclass
class Verdict:
    """What the classifier decided about one article, and why."""

    relevant: bool
    score: float
    status: str
    tags: list[TagHit]
    reasons: list[dict]

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class _Hit:
    """A match placed in the article: which field, zone and sentence it came from."""

    match: Match
    field: str  # title | summary | text
    where: str  # title | summary | lead | body | tail
    sentence: tuple[str, int]  # (field, sentence number): one clause counts once
    source: str  # the field's full text, for snippets
    span: tuple[int, int]  # where that sentence is in the field


def _zone(offset: int, sentence: int) -> str:
    """Lead = the first LEAD_SENTENCES sentences within LEAD_CHARS; tail = after TAIL_CHARS."""
    if sentence <= LEAD_SENTENCES and offset < LEAD_CHARS:
        return "lead"
    return "body" if offset < TAIL_CHARS else "tail"


def _snippet(text: str, start: int, end: int) -> str:
    """About SNIPPET_CHARS of context either side of a match, cut at spaces, on one line."""
    left = max(0, start - SNIPPET_CHARS)
    space = text.find(" ", left, start)
    if left > 0 and space != -1:
        left = space + 1
    right = min(len(text), end + SNIPPET_CHARS)
    space = text.rfind(" ", end, right)
    if right < len(text) and space != -1:
        right = space
    core = " ".join(text[left:right].split())
    return ("…" if left > 0 else "") + core + ("…" if right < len(text) else "")


def status_for(score: float) -> str:
    """Map a score to 'relevant', 'borderline' or 'irrelevant' using THRESHOLD and BAND."""
    if score >= THRESHOLD + BAND:
        return "relevant"
    if score >= THRESHOLD - BAND:
        return "borderline"
    return "irrelevant"


class Classifier:
    """Scores and tags articles with one compiled lexicon."""

    def __init__(
        self,
        lexicon: Lexicon | None = None,
        themes: ThemeModel | None = None,
        words: ThemeWords | None = None,
    ):
        """`themes`, `words`: the theme model and the word model it reads (default: the
        ones shipped, pipelines/theme_model.json and theme_words.json)."""
        self.lexicon = lexicon if lexicon is not None else Lexicon.load()
        self.themes = ThemeReader(THEMES, themes, words)

    def classify(
        self,
        title: str,
        text: str,
        *,
        summary: str | None = None,
        lang: str | None = None,
        url: str | None = None,
    ) -> Verdict:
        """Score and tag one article. `lang` and `url` are accepted for callers' convenience;
        the lexicon is multilingual, so neither changes the result."""
        hits = self._hits(title, summary, text)
        score = self._score(hits)
        status = status_for(score)
        return Verdict(
            relevant=status == "relevant",
            score=round(score, 4),
            status=status,
            # An irrelevant article is never stored: what kind of event it reports does
            # not matter.
            tags=self._entity_tags(hits)
            + (self._theme_tags(hits, title, text) if status != "irrelevant" else []),
            reasons=self._reasons(hits),
        )

    def is_candidate(self, title: str, summary: str | None = None) -> bool:
        """Cheap, recall-oriented feed filter: a Russia-side term with a defence or India cue."""
        signals: set[str] = set()
        for text in (title, summary or ""):
            for match in self.lexicon.find(text):
                signals |= match.term.signals
        return "russia" in signals and bool(signals & {"defence", "india"})

    def _hits(self, title: str, summary: str | None, text: str) -> list[_Hit]:
        whole = (0, len(title))
        hits = [
            _Hit(m, "title", "title", ("title", 0), title, whole) for m in self.lexicon.find(title)
        ]
        for name, body in (("summary", summary or ""), ("text", text)):
            matches = self.lexicon.find(body)
            if not matches:
                continue
            starts = sentence_starts(body)
            for m in matches:
                number = bisect_right(starts, m.start)
                where = "summary" if name == "summary" else _zone(m.start, number)
                end = starts[number] if number < len(starts) else len(body)
                span = (starts[number - 1], end)
                hits.append(_Hit(m, name, where, (name, number), body, span))
        return hits

    @staticmethod
    def _score(hits: list[_Hit]) -> float:
        """Combine India-side, Russia-side and defence strengths, driven by the weakest.

        Each signal counts once per sentence, weighted by where the sentence is; a signal
        that never appears in the title, summary or lead is capped below the threshold.
        """
        per_sentence: dict[tuple[str, tuple[str, int]], float] = {}
        upfront: set[str] = set()
        for hit in hits:
            term = hit.match.term
            weight = WEIGHTS[hit.where] * term.weight
            for signal in term.signals:
                key = (signal, hit.sentence)
                per_sentence[key] = max(per_sentence.get(key, 0.0), weight)
                if hit.where in UPFRONT:
                    upfront.add(signal)
        totals = dict.fromkeys(SIGNAL_LABELS, 0.0)
        for (signal, _), weight in per_sentence.items():
            totals[signal] += weight
        strength = [1.0 - math.exp(-totals[s] / SATURATION[s]) for s in SIGNAL_LABELS]
        score = min(strength) ** MIN_EXPONENT * (sum(strength) / 3) ** (1 - MIN_EXPONENT)
        if upfront.issuperset(SIGNAL_LABELS):
            return score
        return min(score, NOT_UPFRONT_CAP)

    @staticmethod
    def _entity_tags(hits: list[_Hit]) -> list[TagHit]:
        """Entity tags from any alias match, each with the sentences that named it."""
        found: dict[str, TagHit] = {}
        for hit in hits:
            term = hit.match.term
            if not term.is_tag or term.kind == "theme":
                continue
            tag = found.setdefault(term.name, TagHit(term.name, term.kind))
            if len(tag.evidence) < MAX_EVIDENCE:
                tag.evidence.append(_evidence(hit))
        return sorted(found.values(), key=lambda t: t.name)

    def _theme_tags(self, hits: list[_Hit], title: str, text: str) -> list[TagHit]:
        """Themes from the theme model (pipelines/themes.py), each with the sentence and
        cue that carried it, for an article with an India or Russia party."""
        if not any(_party(hit.match) for hit in hits):
            return []
        findings = self.themes.findings(_sentences(hits), title, text, _head_terms(hits))
        return sorted(
            (TagHit(f.name, "theme", [f.evidence]) for f in findings), key=lambda t: t.name
        )

    def theme_features(
        self, title: str, text: str, *, summary: str | None = None
    ) -> dict[str, list[float]]:
        """The theme model's features of an article, per theme it has cues for (fitting)."""
        return self.themes.features(_sentences(self._hits(title, summary, text)))

    def head_terms(self, title: str, text: str) -> list[str]:
        """The lexicon terms the word model reads with an article's words (fitting)."""
        return _head_terms(self._hits(title, None, text))

    @staticmethod
    def _reasons(hits: list[_Hit]) -> list[dict]:
        reasons: list[dict] = []
        seen: set[tuple[str, str]] = set()
        for hit in hits:
            term = hit.match.term
            if not term.signals:
                continue
            key = (term.name, hit.where)
            if key in seen:
                continue
            seen.add(key)
            reason = _evidence(hit)
            reason["term"] = reason.pop("text")
            reason["tag"] = term.name if term.is_tag else None
            reason["signal"] = "+".join(
                SIGNAL_LABELS[s] for s in SIGNAL_LABELS if s in term.signals
            )
            reasons.append(reason)
            if len(reasons) == MAX_REASONS:
                break
        return reasons


def _evidence(hit: _Hit) -> dict:
    m = hit.match
    return {
        "text": m.text,
        "where": hit.where,
        "field": hit.field,
        "start": m.start,
        "end": m.end,
        "snippet": _snippet(hit.source, m.start, m.end),
    }


def _party(match: Match) -> bool:
    """An India or Russia party or one of their systems, organisations or people: a theme
    of an article that names none of them is not one of ours (a ship, a place or an
    exercise alone is not enough)."""
    term = match.term
    return (term.is_tag and term.kind in PARTY_KINDS) or term.name in PARTY_CUES


def _head_terms(hits: list[_Hit]) -> list[str]:
    """Canonical names of the terms matched in the headline and the text's opening: the
    part of the article the word model reads."""
    return [
        hit.match.term.name
        for hit in hits
        if hit.field == "title" or (hit.field == "text" and hit.match.start < HEAD_CHARS)
    ]


def _sentences(hits: list[_Hit]) -> list[Sentence]:
    """The article's sentences that hold a match, each with its matches."""
    grouped: dict[tuple[str, int], list[_Hit]] = {}
    for hit in hits:
        grouped.setdefault(hit.sentence, []).append(hit)
    sentences = []
    for (part, _), group in grouped.items():
        first = group[0]
        start, end = first.span
        zone = first.where if part != "summary" else "summary"
        matches = tuple(h.match for h in group)
        sentences.append(Sentence(part, zone, first.source[start:end], start, matches))
    return sentences


def classify_lines(lines: Iterable[str], out: TextIO, err: TextIO, classifier: Classifier) -> int:
    """Classify JSON Lines documents; report malformed lines on `err` and return their count.

    Blank lines are skipped silently. Output lines carry id, relevant, score, status, tags
    (canonical names) and reasons.
    """
    bad = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        doc, problem = _parse_doc(line)
        if problem:
            bad += 1
            err.write(f"line {number}: {problem}\n")
            continue
        verdict = classifier.classify(
            doc["title"],
            doc["text"],
            summary=doc.get("summary"),
            lang=doc.get("lang"),
            url=doc.get("url"),
        )
        record = {
            "id": doc["id"],
            "relevant": verdict.relevant,
            "score": verdict.score,
            "status": verdict.status,
            "tags": [t.name for t in verdict.tags],
            "reasons": verdict.reasons,
        }
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return bad


def _parse_doc(line: str) -> tuple[dict, str | None]:
    """Return the document, or an explanation of what is wrong with the line."""
    try:
        doc = json.loads(line)
    except json.JSONDecodeError as exc:
        return {}, f"bad JSON: {exc.msg}"
    if not isinstance(doc, dict):
        return {}, "not a JSON object"
    if "id" not in doc or isinstance(doc["id"], bool) or not isinstance(doc["id"], str | int):
        return {}, "missing or invalid 'id' (string or integer)"
    for key in ("title", "text"):
        if not isinstance(doc.get(key), str):
            return {}, f"missing or non-string {key!r}"
    for key in ("summary", "url", "lang"):
        if doc.get(key) is not None and not isinstance(doc[key], str):
            return {}, f"{key!r} must be a string"
    return doc, None
