from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-26T13:05:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "one membership and one liaison assignment per user and agency"


class Raw(Table):
    """Only a handle for raw SQL on the migration's engine."""


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="accounts", description=DESCRIPTION
    )

    # piccolo has no composite unique constraint: plain, portable SQL.
    async def unique_pairs():
        for table in ("membership", "liaison_assignment"):
            await Raw.raw(
                f'CREATE UNIQUE INDEX {table}_user_agency ON {table} ("user", agency)'
            )

    manager.add_raw(unique_pairs)
    return manager
