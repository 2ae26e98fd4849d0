"""docs/schema.md describes every table, view and column of a fresh database, in order."""

from __future__ import annotations

from pipelines import schema_doc
from pipelines.store import Store


def test_every_table_and_view_is_documented_with_exactly_its_columns():
    with Store(":memory:") as store:
        actual = store.columns()
    entries = schema_doc.load()
    documented = {name: entry for entry in entries for name in entry.names}
    assert sorted(documented) == sorted(actual)
    for name, columns in actual.items():
        entry = documented[name]
        assert entry.description, name
        if not entry.is_group:  # FTS5's shadow tables are described as one group
            assert list(entry.columns) == columns, name
            assert all(entry.columns.values()), f"{name}: a column without a description"


def test_the_analyst_views_exist():
    with Store(":memory:") as store:
        views = set(store.db.view_names())
    assert {"v_articles", "v_stories", "v_daily_tag_counts", "v_run_new_items"} <= views
