"""`newswatch export`: csv, json and jsonl read back to the same rows, with filters."""

from __future__ import annotations

import csv
import io
import json

import pytest

from cli.output import write_records
from newswatch import main
from pipelines.store import EXPORT_COLUMNS, ArticleFilter, Store
from tests.analyst_data import build


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return build(tmp_path_factory.mktemp("export") / "news.db")


def expected(db, **where) -> list[dict]:
    """The rows as the store holds them."""
    with Store(db) as store:
        return list(store.iter_export(ArticleFilter(**where)))


def read_back(text: str, fmt: str) -> list[dict]:
    if fmt == "json":
        return json.loads(text)
    if fmt == "jsonl":
        return [json.loads(line) for line in text.splitlines()]
    rows = list(csv.DictReader(io.StringIO(text)))
    for row in rows:  # CSV has only text: restore the types the other formats carry
        for column in ("id", "story"):
            row[column] = int(row[column])
        row["relevance"] = float(row["relevance"])
        row["tags"] = json.loads(row["tags"])
        for column, value in row.items():
            if value == "":
                row[column] = None
    return rows


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl"])
def test_round_trip(db, tmp_path, fmt, capsys):
    out = tmp_path / f"articles.{fmt}"
    assert main(["export", "--db", str(db), "--format", fmt, "--out", str(out)]) == 0
    rows = read_back(out.read_text(encoding="utf-8"), fmt)
    assert rows == expected(db)
    assert len(rows) == 5  # the irrelevant article is left out
    assert {"url", "title", "source", "published", "status", "relevance", "tags", "story"} <= set(
        rows[0]
    )
    assert "5 articles written" in capsys.readouterr().err


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl"])
def test_filters_and_stdout(db, fmt, capsys):
    args = ["--tag", "S-400", "--since", "2025-11-01", "--until", "2025-11-02"]
    assert main(["export", "--db", str(db), "--format", fmt, *args]) == 0
    rows = read_back(capsys.readouterr().out, fmt)
    assert [r["url"] for r in rows] == [
        "https://daily.example/s400-punjab",
        "https://wire.example/s400-punjab-copy",
    ]
    assert rows == expected(db, tag="S-400", since="2025-11-01", until="2025-11-02")


def test_an_empty_export_is_valid(db, capsys):
    assert main(["export", "--db", str(db), "--format", "json", "--since", "2100-01-01"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_rows_are_written_as_they_are_read():
    """The writer consumes one row at a time: a generator is never turned into a list."""
    seen = []

    def rows():
        for i in range(3):
            seen.append(i)
            yield dict.fromkeys(EXPORT_COLUMNS) | {"id": i, "url": f"u{i}", "tags": []}

    out = io.StringIO()
    written = []

    class Probe(io.StringIO):
        def write(self, text):
            written.append(len(seen))
            return out.write(text)

    assert write_records(rows(), EXPORT_COLUMNS, "json", Probe()) == 3
    assert written[1:4] == [1, 2, 3]  # row i is written before row i+1 is read
    assert len(json.loads(out.getvalue())) == 3
