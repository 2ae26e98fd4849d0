"""Progress of long operator commands (recluster, retag, backfill): a bar with an ETA on a
terminal, a plain line every few seconds in a log (cron, a pipe)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

from tqdm import tqdm

LOG_EVERY = 10.0  # seconds between plain progress lines


@contextmanager
def progress(total: int, label: str, out: TextIO | None = None) -> Iterator[Callable[[int], None]]:
    """Yields `advance(n)`, to call as work gets done."""
    out = out or sys.stderr
    if out.isatty():
        with tqdm(total=total, desc=label, unit="article", file=out) as bar:
            yield bar.update
        return
    done, last = 0, time.monotonic()

    def advance(n: int) -> None:
        nonlocal done, last
        done += n
        if time.monotonic() - last >= LOG_EVERY or done == total:
            print(f"{label}: {done}/{total}", file=out, flush=True)
            last = time.monotonic()

    yield advance
