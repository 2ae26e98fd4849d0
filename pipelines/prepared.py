"""The pipelines' CPU work for one article, done where the article was extracted.

Judging relevance and reading the story evidence are pure functions of the article's
text. With extraction in worker processes (crawlers/workers.py), the worker does them
too, beside the extraction, so the crawl's main process only stores: TopicPipeline and
StorePipeline (pipelines/stages.py) use what they find on the item, and do the work
themselves when they find nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pipelines.evidence import Evidence, EvidenceReader
from pipelines.lexicon import Lexicon
from pipelines.topic import Classifier, Verdict


@dataclass(frozen=True)
class Prepared:
    """An article's verdict and, when it is relevant, its story evidence."""

    verdict: Verdict
    evidence: Evidence | None


@lru_cache(maxsize=4)
def reader_for(lexicon: str | None) -> EvidenceReader:
    """One classifier and evidence reader per process and lexicon file."""
    return EvidenceReader(Classifier(Lexicon.load(lexicon)))


def prepare(fields: dict[str, Any], lexicon: str | None) -> Prepared:
    """The verdict on extracted `fields`, and the evidence the story matcher reads from
    them unless the article is irrelevant (it joins no story)."""
    reader = reader_for(lexicon)
    verdict = reader.classifier.classify(
        fields.get("title") or "",
        fields.get("body") or "",
        summary=fields.get("summary"),
        lang=fields.get("language"),
        url=fields.get("url"),
    )
    evidence = None
    if verdict.status != "irrelevant":
        evidence = reader.read(
            fields.get("title") or "",
            fields.get("body") or "",
            fields.get("published"),
            themes=[tag.name for tag in verdict.tags if tag.kind == "theme"],
        )
    return Prepared(verdict, evidence)
