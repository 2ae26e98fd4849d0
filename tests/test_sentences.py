"""Where sentences end: one rule for the theme reader and the report's leads."""

from __future__ import annotations

import pytest

from pipelines.sentences import sentence_bounds, sentence_starts


def sentences(text: str) -> list[str]:
    starts = sentence_starts(text)
    return [text[a:b].strip() for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Lt. Gen. S. Kumar met U.S. envoys. They spoke.", 2),  # abbreviations, initials
        ("HAL Ltd. под лицензией. Далее.", 2),  # the next word in lower case
        ("Поставки в 2025 г. продолжились. Второе.", 2),
        ("1. Point one. Point two.", 2),  # a list number
        ("India bought MiG-29s. The IAF flew them in the 1960s. Then more.", 3),
        ("It is natural… The rupee-rouble trade goes on.", 2),  # an ellipsis ends one too
        ("भारत को एस-400 मिला। दूसरा वाक्य।", 2),  # danda
        ("under construction at Goa Shipyard Ltd.\n- The commissioning", 2),  # a line break
        ("“Will it come?” he asked. It came.", 2),  # a question inside a sentence
    ],
)
def test_sentences_end_where_the_text_says_so(text: str, expected: int) -> None:
    assert len(sentences(text)) == expected, sentences(text)


def test_a_sentence_ends_after_its_punctuation_and_quotes_and_the_next_starts_after_the_space():
    text = "He said “done.”  Next."
    ((end, start),) = sentence_bounds(text)
    assert text[:end] == "He said “done.”" and text[start:] == "Next."
