"""Progress of long operator commands (recluster, retag, backfill): a bar with an ETA on a
terminal, a plain line every few seconds in a log (cron, a pipe).

It lives with the pipelines so that the crawler's backfill can show it too (crawlers may
import pipelines, never the other way)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

from tqdm import tqdm

LOG_EVERY = 10.0  # seconds between plain progress lines

Advance = Callable[..., None]  # advance(n, total=None): n more done; the total may grow


@contextmanager
def progress(
    total: int, label: str, out: TextIO | None = None, unit: str = "article"
) -> Iterator[Advance]:
    """Yields `advance(n, total=None)`, to call as work gets done (and found)."""
    out = out or sys.stderr
    if out.isatty():
        with tqdm(total=total, desc=label, unit=unit, file=out) as bar:

            def update(n: int, total: int | None = None) -> None:
                if total is not None and total != bar.total:
                    bar.total = total
                    bar.refresh()
                bar.update(n)

            yield update
        return
    done, last, expected, printed = 0, time.monotonic(), total, ""

    def advance(n: int, total: int | None = None) -> None:
        nonlocal done, last, expected, printed
        done += n
        expected = total if total is not None else expected
        line = f"{label}: {done}/{expected}"
        if line != printed and (time.monotonic() - last >= LOG_EVERY or done == expected):
            print(line, file=out, flush=True)
            last, printed = time.monotonic(), line

    yield advance
