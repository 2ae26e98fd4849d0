"""Story matching figures: quality on the labelled dev stories, cost on a large archive.

Quality (needs ../shared): the cross-validated figures of bench/fit_stories.py (whole
stories held out, 5 random arrival orders), per dev set and subset, with the syndicated
copies joined and the documents of two same-topic stories put together.

Cost: an archive of generated articles (default 100,000) that read like real ones: about
3,000 characters each, of stories of one to six reports that share their event's people,
places, systems, day and figures, in publication order over ten years, in several
scripts. They are stored, then reclustered (`newswatch recluster`'s code, timed as a
whole, reading the evidence in another process as the command does). Then the articles
that come next are assigned one at a time, as the crawl's writer does, with nothing else
running: evidence reading (done by the crawl's worker processes) and assignment against
the index timed apart, with their p50/p95; then the crawl's end, refining them with
the small stories of its last days (at its bound: every stored article is recent).

Run: .venv/bin/python bench/stories.py [--quality] [--cost] [--articles N]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipelines.evidence import EvidenceReader  # noqa: E402
from pipelines.recluster import recent_small_stories, recluster  # noqa: E402
from pipelines.stages import RECENT_DAYS, REFINED_ARTICLES  # noqa: E402
from pipelines.store import Store  # noqa: E402
from pipelines.stories import REFINE_ROUNDS, StoryClusterer  # noqa: E402

PEOPLE = ["Rajnath Singh", "Andrei Belousov", "Narendra Modi", "Vladimir Putin",
          "S. Jaishankar", "Sergey Lavrov", "Ajit Doval", "Denis Manturov",
          "Раджнатх Сингх", "Андрей Белоусов", "राजनाथ सिंह", "व्लादिमीर पुतिन"]  # fmt: skip
SYSTEMS = ["S-400", "BrahMos", "Su-30MKI", "MiG-29", "T-90", "AK-203", "Ka-226T", "Kalibr",
           "INS Tushil", "INS Tamal", "С-400", "ब्रह्मोस"]  # fmt: skip
PLACES = ["Moscow", "New Delhi", "Kaliningrad", "Goa", "Amethi", "Sochi", "Visakhapatnam",
          "Lucknow", "Калининград", "मॉस्को"]  # fmt: skip
# The share of reports written in another script (their filler in Cyrillic letters).
FOREIGN = 0.25
CYRILLIC = str.maketrans("abcdefghijklmnopqrstuvwxyz", "абцдефгхийклмнопкрстуввкыз")
LATER = 1000  # articles assigned one at a time, timed, once the archive is stored
EVENTS = ["INDRA", "Zapad", "Aero India", "DefExpo", "AviaIndra"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]  # fmt: skip


class Generator:
    """Generated stories: each a few reports of one event, each report ~3,000 characters
    of invented filler around the event's facts, a quarter of them in Cyrillic letters."""

    def __init__(self, seed: int = 11):
        self.rng = random.Random(seed)
        syllables = ["ka", "ro", "mi", "ta", "ve", "lo", "sun", "dar", "pe", "an", "is", "or"]
        self.vocabulary = [
            "".join(self.rng.choice(syllables) for _ in range(self.rng.randint(2, 4)))
            for _ in range(20000)
        ]

    def sentence(self) -> str:
        words = self.rng.choices(self.vocabulary, k=self.rng.randint(8, 18))
        return " ".join(words).capitalize() + "."

    def stories(self, articles: int, start: datetime) -> list[tuple[str, str, str, str]]:
        """(url, published, title, body) in publication order."""
        rows: list[tuple[datetime, str, str, str]] = []
        story = 0
        span = timedelta(days=3650)
        while len(rows) < articles:
            story += 1
            day = start + span * self.rng.random()
            people = self.rng.sample(PEOPLE, 2)
            system, place = self.rng.choice(SYSTEMS), self.rng.choice(PLACES)
            event = f"{self.rng.choice(EVENTS)}-{day.year}" if self.rng.random() < 0.2 else ""
            amount = f"${self.rng.randint(2, 900)} million"
            stated = f"{day.day} {MONTHS[day.month - 1]} {day.year}"
            for report in range(self.rng.choice([1, 1, 2, 2, 3, 4, 6])):
                published = day + timedelta(hours=self.rng.randint(0, 40))
                title = f"{people[0]} and {people[1]} discuss {system} in {place} {event}".strip()
                lead = (
                    f"{place}, {stated}: {people[0]} met {people[1]} on the {system} "
                    f"programme, worth {amount}. {event}"
                )
                filler = " ".join(self.sentence() for _ in range(22))
                if self.rng.random() < FOREIGN:  # another script: what `regroup` compares
                    filler = filler.translate(CYRILLIC)
                body = f"{lead} {filler}"
                url = f"https://outlet-{report}.example/{story}/{report}"
                rows.append((published, url, title, body))
        rows.sort()
        return [(url, p.isoformat(timespec="seconds"), t, b) for p, url, t, b in rows[:articles]]


def fill(store: Store, articles: list[tuple[str, str, str, str]]) -> None:
    now = datetime.now(UTC).isoformat(timespec="seconds")
    columns = ("url", "source", "title", "body", "published", "published_utc", "first_seen")
    rows = [
        (url, url.split("/")[2], title, body, published, published, now)
        for url, published, title, body in articles
    ]
    store.bulk_load({"articles": (columns, rows)})


class TimedClusterer(StoryClusterer):
    """The story matcher, timing the refinement of each batch."""

    def __init__(self, *args, **kwargs):  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.refining = 0.0  # seconds

    def refine(self, batch, rounds=REFINE_ROUNDS):  # noqa: ANN001, ANN201
        start = time.perf_counter()
        moved = super().refine(batch, rounds)
        self.refining += time.perf_counter() - start
        return moved


def cost(articles: int) -> None:
    generated = Generator().stories(articles + LATER, datetime(2016, 1, 1, tzinfo=UTC))
    archive, later = generated[:articles], generated[articles:]
    reader = EvidenceReader()
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "bench.db") as store:
        fill(store, archive)
        made: list[TimedClusterer] = []

        def make(index):  # noqa: ANN001, ANN202
            made.append(TimedClusterer(index, reader=reader))
            return made[-1]

        start = time.perf_counter()
        result = recluster(store, make)
        elapsed = time.perf_counter() - start
        reading, assigning, run = [], [], []
        clusterer = StoryClusterer(store.story_store(), reader=reader)
        with store.transaction():
            for url, published, title, body in later:
                start = time.perf_counter()
                evidence = reader.read(title, body, published)
                read = time.perf_counter()
                clusterer.assign_evidence(url, evidence)
                reading.append((read - start) * 1e3)
                assigning.append((time.perf_counter() - read) * 1e3)
                run.append((url, evidence))
        # The crawl's end: every stored article was first seen now, so the refining
        # meets its bound of REFINED_ARTICLES earlier articles (the worst case).
        start = time.perf_counter()
        with store.transaction():
            skip = {url for url, _ in run}
            earlier = recent_small_stories(store, reader, RECENT_DAYS, skip, REFINED_ARTICLES)
            read = time.perf_counter()
            clusterer.refine([(url, evidence) for url, evidence, _ in earlier] + run)
        refined = (read - start, time.perf_counter() - read, len(earlier))
        store.db.execute("VACUUM")
        size = (Path(tmp) / "bench.db").stat().st_size
        index = sum(
            store.db.execute(f"SELECT sum(pgsize) FROM dbstat WHERE name LIKE '{t}%'").fetchone()[0]
            or 0
            for t in ("story_", "stories")
        )
    per_article = elapsed / articles * 1e3
    print(f"recluster of {articles:,} generated articles: {elapsed / 60:.1f} min "
          f"({per_article:.1f} ms an article), {result.stories:,} stories")  # fmt: skip
    print(f"  of which refining each batch: {made[0].refining / 60:.1f} min")
    print(f"then {LATER:,} more articles, one at a time, with {articles:,} stored:")
    for label, values in (("evidence reading", reading), ("assignment", assigning)):
        values = sorted(values)
        p50, p95 = statistics.median(values), values[int(0.95 * len(values))]
        print(f"  {label:<17} p50 {p50:.2f} ms  p95 {p95:.2f} ms")
    print(f"  the crawl's end: {refined[2]:,} earlier small-story articles read again in "
          f"{refined[0]:.1f} s, refined with the {LATER:,} in {refined[1]:.1f} s")  # fmt: skip
    print(f"  database {size / articles / 1024:.1f} KB per article, of which the story index "
          f"and stories {index / articles / 1024:.1f} KB")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quality", action="store_true", help="only the dev-set figures")
    parser.add_argument("--cost", action="store_true", help="only the archive figures")
    parser.add_argument("--articles", type=int, default=100_000)
    args = parser.parse_args()
    both = not (args.quality or args.cost)
    if args.quality or both:
        from bench import fit_stories

        if all((fit_stories.DATA / name).exists() for name in fit_stories.SETS):
            rows = fit_stories.load()
            fit_stories.cross_validate(fit_stories.Replay(rows), rows)
        else:
            print(f"quality skipped: labelled stories not found in {fit_stories.DATA}")
    if args.cost or both:
        cost(args.articles)
    return 0


if __name__ == "__main__":
    sys.exit(main())
