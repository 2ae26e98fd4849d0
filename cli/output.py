"""Records out, in the format asked: one meaning of --format for every command.

Records are written as they arrive, so an export of the whole archive needs no more
memory than one row; the JSON array is streamed too (brackets and commas around the rows,
never a list in memory)."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from cli.options import UsageError


def write_records(
    records: Iterable[dict[str, Any]], columns: Sequence[str], fmt: str, out: TextIO
) -> int:
    """json: one array; jsonl: one object per line; csv: a header, then lists and objects
    as JSON text in their cells. Records are written as they come; returns the count."""
    count = 0
    if fmt == "csv":
        writer = csv.writer(out)
        writer.writerow(columns)
        for record in records:
            writer.writerow(_cell(record.get(c)) for c in columns)
            count += 1
        return count
    if fmt == "json":
        out.write("[")
    for count, record in enumerate(records, start=1):
        line = json.dumps({c: record.get(c) for c in columns}, ensure_ascii=False)
        if fmt == "json":
            out.write(("\n" if count == 1 else ",\n") + line)
        else:
            out.write(line + "\n")
    if fmt == "json":
        out.write("\n]\n" if count else "]\n")
    return count


def _cell(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, list | dict) else value


def print_table(rows: Sequence[Sequence[str]], header: Sequence[str]) -> None:
    """Columns padded to their widest cell; the last column is left ragged."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header) - 1)]
    for row in [header, *rows]:
        cells = [cell.ljust(w) for cell, w in zip(row[:-1], widths, strict=True)]
        print("  ".join([*cells, row[-1]]).rstrip())


@contextmanager
def output(path: str | None) -> Iterator[TextIO]:
    """The file of --out (its folder must exist), or stdout."""
    if not path:
        yield sys.stdout
        return
    folder = Path(path).parent
    if not folder.is_dir():
        raise UsageError(f"--out {path}: folder {folder} does not exist")
    try:
        out = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115
    except OSError as exc:
        raise UsageError(f"--out {path}: {exc.strerror or exc}") from None
    with out:
        yield out
