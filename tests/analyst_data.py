"""A small archive for the analysts' tests: English, Russian and Hindi articles, tags,
a story carried by two outlets, and one article a retag judged irrelevant."""

from __future__ import annotations

from pathlib import Path

from pipelines.article import Article
from pipelines.store import Store


def tag(name: str, kind: str = "system") -> dict:
    return {"name": name, "kind": kind, "evidence": {"text": name}}


ARTICLES = [
    Article(
        url="https://daily.example/s400-punjab",
        source="Daily",
        title="Second S-400 squadron arrives in Punjab",
        summary="The India-Russia air defence deal moves on.",
        body="The second S-400 Triumf squadron was deployed in Punjab, officials said.",
        published="2025-11-02T09:00:00+05:30",
        language="en",
        relevance=0.9,
        tags=[tag("S-400")],
    ),
    Article(
        url="https://wire.example/s400-punjab-copy",
        source="Wire",
        title="S-400 squadron reaches Punjab",
        body="A second S-400 squadron has reached Punjab, the ministry said.",
        published="2025-11-02T12:00:00+05:30",
        language="en",
        relevance=0.8,
        tags=[tag("S-400")],
        story_kind="same-event",
    ),
    Article(
        url="https://daily.example/su30-upgrade",
        source="Daily",
        title="Su-30MKI upgrade cleared",
        body="The Su-30MKI fleet upgrade with HAL was cleared; jets in Punjab come first.",
        published="2025-11-10T10:00:00+05:30",
        language="en",
        relevance=0.85,
        tags=[tag("Su-30MKI")],
    ),
    Article(
        url="https://tass.example/triumf",
        source="TASS",
        title="Россия завершит поставки С-400 «Триумф» Индии",
        body="Поставки зенитных ракетных систем «Триумф» Индии завершатся в 2026 году.",
        published="2025-11-05T08:00:00+03:00",
        language="ru",
        relevance=0.9,
        tags=[tag("S-400")],
    ),
    Article(
        url="https://hindi.example/brahmos",
        source="Hindi",
        title="ब्रह्मोस मिसाइल का नया परीक्षण",
        body="भारत ने ब्रह्मोस मिसाइल का सफल परीक्षण किया।",
        published="2025-11-07T11:00:00+05:30",
        language="hi",
        relevance=0.7,
        status="borderline",
        tags=[tag("BrahMos")],
    ),
    Article(
        url="https://daily.example/cricket",
        source="Daily",
        title="S-400 of runs: a cricket record",
        body="Not defence news at all.",
        published="2025-11-08T10:00:00+05:30",
        language="en",
        relevance=0.2,
        tags=[],
    ),
]


# Copies and the article whose story they join.
SAME_STORY = {"https://wire.example/s400-punjab-copy": "https://daily.example/s400-punjab"}


def build(path: Path) -> Path:
    """Store ARTICLES in a database at `path` (the last one retagged irrelevant)."""
    with Store(path) as store:
        run = store.start_run()
        ids = []
        for article in ARTICLES:
            if article.url in SAME_STORY:
                article.story_id = store.story_of(SAME_STORY[article.url])
            ids.append(store.save_article(article, run)[1])
        store.update_verdicts([(ids[-1], 0.2, "irrelevant", [], [])])
        store.finish_run(
            run,
            "partial",
            {"sources": {"Daily": {"status": "ok"}, "Gone": {"status": "failed", "error": "404"}}},
        )
    return path


# A story carried by four outlets in three languages: the lead, a syndicated copy, an
# exact duplicate and a rewrite. Each names BrahMos in Latin letters (the Hindi article
# of ARTICLES does not).
WIDE_STORY = [
    Article(
        url="https://daily.example/brahmos-sale",
        source="Daily",
        title="BrahMos export deal signed with a third country",
        body="India signed a BrahMos missile export deal; Russia's NPO Mashinostroyeniya agreed.",
        published="2025-11-12T09:00:00+05:30",
        language="en",
        relevance=0.9,
        tags=[tag("BrahMos")],
    ),
    Article(
        url="https://agency.example/brahmos-sale",
        source="Agency",
        title="BrahMos export deal signed",
        body="India signed a BrahMos missile export deal, the agency reported.",
        published="2025-11-12T10:00:00+05:30",
        language="en",
        relevance=0.85,
        tags=[tag("BrahMos")],
        story_kind="syndicated",
        matched="https://daily.example/brahmos-sale",
    ),
    Article(
        url="https://mirror.example/brahmos-sale",
        source="Mirror",
        title="BrahMos export deal signed with a third country",
        body="India signed a BrahMos missile export deal; Russia's NPO Mashinostroyeniya agreed.",
        published="2025-11-12T11:30:00+05:30",
        language="en",
        relevance=0.9,
        tags=[tag("BrahMos")],
        story_kind="duplicate",
        matched="https://daily.example/brahmos-sale",
    ),
    Article(
        url="https://ria.example/brahmos-eksport",
        source="RIA",
        title="Индия подписала контракт на экспорт BrahMos",
        body="Индия подписала контракт на экспорт ракет BrahMos, сообщили в Москве.",
        published="2025-11-13T08:00:00+03:00",
        language="ru",
        relevance=0.8,
        tags=[tag("BrahMos")],
        story_kind="same-event",
    ),
]


def add_wide_story(path: Path) -> list[int]:
    """Store WIDE_STORY in the database at `path` as one story; returns the article ids."""
    with Store(path) as store:
        run = store.start_run()
        ids = [store.save_article(WIDE_STORY[0], run)[1]]
        story = store.story_of(WIDE_STORY[0].url)
        for article in WIDE_STORY[1:]:
            article.story_id = story
            ids.append(store.save_article(article, run)[1])
        store.finish_run(run, "ok", {"sources": {}})
    return ids
