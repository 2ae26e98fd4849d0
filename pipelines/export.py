"""Write exported article rows as CSV, a JSON array or JSON Lines, as they arrive.

Rows come straight off a database cursor and each is written before the next is read,
so an export of the whole archive needs no more memory than one row. The JSON array is
streamed too: brackets and commas are written around the rows, never a list in memory.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

FORMATS = ("csv", "json", "jsonl")


def write_rows(rows: Iterable[Sequence[Any]], columns: Sequence[str], fmt: str, out: TextIO) -> int:
    """Write `rows` (the `tags` column a JSON array string) to `out`; returns the count.
    CSV keeps tags as that JSON string; JSON and JSON Lines carry a real list."""
    if fmt == "csv":
        return _write_csv(rows, columns, out)
    tags = columns.index("tags")
    count = 0
    if fmt == "json":
        out.write("[")
    for count, row in enumerate(rows, start=1):
        record = dict(zip(columns, row, strict=True))
        record["tags"] = json.loads(row[tags])
        line = json.dumps(record, ensure_ascii=False)
        if fmt == "json":
            out.write(("\n" if count == 1 else ",\n") + line)
        else:
            out.write(line + "\n")
    if fmt == "json":
        out.write("\n]\n" if count else "]\n")
    return count


def _write_csv(rows: Iterable[Sequence[Any]], columns: Sequence[str], out: TextIO) -> int:
    writer = csv.writer(out)
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    return count
