"""The pipelines' CPU work for one article, done where the article was extracted.

Judging relevance and reading the story evidence are pure functions of the article's
text. With extraction in worker processes (crawlers/workers.py), the worker does them
too, beside the extraction, so the crawl's main process only stores; in one process
TopicPipeline (pipelines/stages.py) does it. StorePipeline uses what it finds on the item.
"""

from __future__ import annotations

import gc
from collections.abc import Mapping
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


def reader_for(lexicon: str | None) -> EvidenceReader:
    """The classifier and evidence reader of a lexicon file: one per process while the file
    is unchanged (the spider, both stages and each worker share it)."""
    return _reader(Lexicon.load(lexicon))


@lru_cache(maxsize=4)
def _reader(lexicon: Lexicon) -> EvidenceReader:
    reader = EvidenceReader(Classifier(lexicon))
    gc.freeze()  # it lives until the process ends: see crawlers.spiders.feeds.settle_heap
    return reader


def prepare(reader: EvidenceReader, fields: Mapping[str, Any]) -> Prepared:
    """The verdict on an article's `fields` (extract()'s, or an Article's), and the
    evidence the story matcher reads from them unless it is irrelevant (it joins no
    story)."""
    title, body = fields.get("title") or "", fields.get("body") or ""
    verdict = reader.classifier.classify(
        title,
        body,
        summary=fields.get("summary"),
        lang=fields.get("language"),
        url=fields.get("url"),
    )
    evidence = None
    if verdict.status != "irrelevant":
        themes = [tag.name for tag in verdict.tags if tag.kind == "theme"]
        evidence = reader.read(
            title, body, fields.get("published"), url=fields.get("url"), themes=themes
        )
    return Prepared(verdict, evidence)
