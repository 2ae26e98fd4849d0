"""Worker processes for the crawl's CPU work: page extraction and feed parsing.

Scrapy runs callbacks in the reactor thread, where extraction (lxml + trafilatura) and
feedparser use one core and stall every download meanwhile. A WorkerPool of
NEWSWATCH_WORKERS processes does that work instead; only plain data crosses (page bytes,
URL, charset, the source's selectors as text), and the results come back to the spider,
whose items are stored in order by the main process as before.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypeVar

from pipelines.lifetime import end_with

if TYPE_CHECKING:
    from crawlers.sources import ExtractOverrides

T = TypeVar("T")
# Workers fork from a server that imported these once: a new or replaced worker is ready at
# once, and forking never copies the reactor's threads and sockets.
PRELOAD = ["crawlers.extract", "crawlers.kinds.feed", "pipelines.prepared"]
# A source's [source.extract] table as plain data: (field, selector text or texts) pairs.
OverridesTable = tuple[tuple[str, str | tuple[str, ...]], ...]


class WorkerCrashed(RuntimeError):
    """The process running a task died (killed, out of memory, a crash in C code)."""


class WorkerPool:
    """A process pool for one crawl. When a worker dies, every task in flight fails with
    it; each is then run again alone, so the one that killed the worker is the only one
    lost (WorkerCrashed), and the pool is replaced for the tasks that follow."""

    def __init__(self, workers: int):
        self.workers = workers
        self.context = multiprocessing.get_context("forkserver")
        self.context.set_forkserver_preload(PRELOAD)
        # Made with the first task: its queues start multiprocessing's resource tracker,
        # a process of its own.
        self.executor: ProcessPoolExecutor | None = None
        self.replaced = 0  # how many times a dead worker broke the pool
        self.starting: asyncio.Future[None] | None = None

    async def start(self) -> None:
        """Start the workers, once, in a thread: the first fork waits for the fork server
        to import the extraction code (half a second), which would stall the reactor.
        They start with the first task, so a crawl with nothing to parse (every feed
        unchanged) never starts them."""
        if self.starting is None:
            self.starting = asyncio.ensure_future(asyncio.to_thread(self._spawn))
        await self.starting

    def _spawn(self) -> None:
        self.executor = self._new_executor(self.workers)
        for future in [self.executor.submit(os.getpid) for _ in range(self.workers)]:
            future.result()

    def _new_executor(self, workers: int) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            workers, mp_context=self.context, initializer=end_with, initargs=(os.getpid(),)
        )

    async def run(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`function(*args, **kwargs)` in a worker; its exceptions are raised here."""
        await self.start()
        executor = self.executor
        try:
            return await _awaited(executor.submit(function, *args, **kwargs))
        except BrokenProcessPool:
            pass
        if self.executor is executor:
            self.executor = self._new_executor(self.workers)
            self.replaced += 1
            executor.shutdown(wait=False, cancel_futures=True)
        return await self._run_alone(function, args, kwargs)

    async def _run_alone(
        self, function: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> T:
        """Run a task that was in flight when a worker died in a process of its own: if
        that dies too, this task is what kills it."""
        executor = self._new_executor(1)
        try:
            return await _awaited(executor.submit(function, *args, **kwargs))
        except BrokenProcessPool:
            raise WorkerCrashed("the worker process died") from None
        finally:
            executor.shutdown(wait=False)

    def close(self) -> None:
        """Stop the workers; tasks not started are dropped (the crawl is over)."""
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)


async def _awaited(future: Future[T]) -> T:
    return await asyncio.wrap_future(future)


def overrides_table(overrides: ExtractOverrides | None) -> OverridesTable | None:
    """A source's extract overrides as the selector texts they were compiled from."""
    if overrides is None:
        return None
    table: list[tuple[str, str | tuple[str, ...]]] = [
        (name, selector.text)
        for name in ("title", "body", "date", "authors")
        if (selector := getattr(overrides, name)) is not None
    ]
    if overrides.drop:
        table.append(("drop", tuple(selector.text for selector in overrides.drop)))
    return tuple(table)


@lru_cache(maxsize=256)
def _compiled(table: OverridesTable) -> ExtractOverrides:
    """The overrides again, compiled once per worker and source."""
    from crawlers.sources import SourcesError, _parse_overrides

    def fail(key: str, problem: str) -> SourcesError:
        return SourcesError(f"extract overrides: {key}: {problem}")

    plain = {key: list(value) if key == "drop" else value for key, value in table}
    return _parse_overrides(plain, fail)


def extract_page(
    body: bytes,
    url: str,
    *,
    fallback: Mapping[str, Any],
    encoding: str | None,
    tz: str | None,
    overrides: OverridesTable | None,
    lexicon: str | None,
) -> dict[str, Any]:
    """extract() in a worker, the overrides given as plain data; an article found is
    judged and its story evidence read here too (`prepared`), with the `lexicon` file."""
    from crawlers.extract import extract  # preloaded by the workers; heavy for the rest
    from pipelines.prepared import prepare, reader_for

    compiled = _compiled(overrides) if overrides else None
    fields = extract(body, url, fallback=fallback, encoding=encoding, tz=tz, overrides=compiled)
    if fields.get("title") and fields.get("body"):
        fields["prepared"] = prepare(reader_for(lexicon), fields)
    return fields
