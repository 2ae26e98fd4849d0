"""Read docs/schema.md, the one description of every table, view and column.

A test checks it against a fresh database and `newswatch serve` turns it into Datasette
metadata, so the prose analysts read and the labels they browse cannot disagree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

SCHEMA_DOC = Path(__file__).resolve().parents[1] / "docs" / "schema.md"
_NAME = re.compile(r"`([^`]+)`")
_ROW = re.compile(r"^\|\s*`([^`]+)`\s*\|\s*(.*?)\s*\|$")


@dataclass
class Entry:
    """One `## ` section: a table or view (with columns), or a group of internal tables."""

    names: list[str]
    description: str = ""
    columns: dict[str, str] = field(default_factory=dict)

    @property
    def is_group(self) -> bool:
        return len(self.names) > 1


def parse(text: str) -> list[Entry]:
    """The sections of the schema page, in order."""
    entries: list[Entry] = []
    prose: list[str] = []
    for line in text.splitlines():
        if line.startswith("## "):
            entries.append(Entry(names=_NAME.findall(line)))
            prose = []
        elif not entries:
            continue
        elif row := _ROW.match(line):
            entries[-1].columns[row.group(1)] = row.group(2)
        elif line and not line.startswith("|"):
            prose.append(line)
            entries[-1].description = " ".join(prose)
    return entries


def load(path: Path = SCHEMA_DOC) -> list[Entry]:
    return parse(path.read_text(encoding="utf-8"))
