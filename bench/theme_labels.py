"""Where our own theme labels disagree within a story: a worklist for the analyst who
reviews bench/story_themes.json against ../shared/spec/taxonomy.md.

Reports of one event may differ in what they say, so a theme on some reports of a story and
not on others is not wrong by itself; but where the reports say the same, one of the labels
is, and the theme model learns the disagreement. For each such theme this prints the
story's reports with the label each carries and whether its text has a cue for the theme.

Run: .venv/bin/python bench/theme_labels.py   (exits 0 when ../shared is absent)
"""

from __future__ import annotations

import itertools
import statistics
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.fit_themes import DATA, load  # noqa: E402
from pipelines.topic import THEMES, Classifier  # noqa: E402


def main() -> int:
    if not (DATA / "stories-dev.jsonl").exists():
        print(f"skipped: labelled texts not found in {DATA}")
        return 0
    classifier = Classifier()  # its theme_features: which themes have cues
    stories = defaultdict(list)
    for doc in load():
        if doc["source"] != "relevance-dev":
            stories[doc["group"]].append(doc)
    agreement = [
        len(a["themes"] & b["themes"]) / len(a["themes"] | b["themes"])
        for docs in stories.values()
        for a, b in itertools.combinations(docs, 2)
        if a["themes"] | b["themes"]
    ]
    print(f"theme labels of two reports of one story: mean Jaccard {statistics.mean(agreement):.2f}"
          f" over {len(agreement)} pairs")  # fmt: skip
    split = 0
    for story, docs in sorted(stories.items()):
        cued = [classifier.theme_features(d["title"], d["text"]) for d in docs]
        for theme in THEMES:
            labelled = [theme in d["themes"] for d in docs]
            if all(labelled) or not any(labelled):
                continue
            split += 1
            print(f"\n{story} {theme}: on {sum(labelled)} of {len(docs)} reports")
            for doc, label, cues in zip(docs, labelled, cued, strict=True):
                mark = "labelled" if label else "not     "
                cue = "cue" if theme in cues else "   "
                print(f"  {mark} {cue} {doc['id']:<6} {doc['title'][:80]}")
    print(f"\n{split} story themes labelled on some reports and not others")
    return 0


if __name__ == "__main__":
    sys.exit(main())
