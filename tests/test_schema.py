"""What the migrations leave in the database, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from backend.scrum.tables import BacklogItem
from tests.conftest import ON_POSTGRES


async def index_columns(table: str) -> dict[str, list[str]]:
    """index name -> its columns in order."""
    if ON_POSTGRES:
        rows = await BacklogItem.raw(
            "SELECT i.relname AS name, a.attname AS col"
            " FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid"
            " JOIN pg_class t ON t.oid = x.indrelid"
            " JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY(x.indkey)"
            " WHERE t.relname = {} ORDER BY i.relname, array_position(x.indkey, a.attnum)",
            table,
        )
    else:
        rows = await BacklogItem.raw(
            "SELECT m.name AS name, c.name AS col FROM sqlite_master m,"
            " pragma_index_info(m.name) c WHERE m.type = 'index' AND m.tbl_name = {}"
            " ORDER BY m.name, c.seqno",
            table,
        )
    found: dict[str, list[str]] = {}
    for row in rows:
        found.setdefault(row["name"], []).append(row["col"])
    return found


async def test_backlog_items_are_indexed_by_initiative_then_rank(app):
    # The backlog page reads one initiative's items in rank order, 50 at a time.
    indexes = await index_columns("backlog_item")
    assert indexes.get("backlog_item_initiative_rank") == ["initiative", "rank"]
