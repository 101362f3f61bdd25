from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-26T18:00:00:000000"
APP = "sites"
VERSION = "1.38.0"
DESCRIPTION = "one site name per agency"

# (index name, table, columns[ WHERE ...]): piccolo has no composite unique constraint.
UNIQUE = (
    ("site_name", "site", "agency, name"),
)


class Raw(Table):
    """Only a handle for raw SQL on the migration's engine."""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name=APP, description=DESCRIPTION)

    async def unique_pairs():
        for name, table, columns in UNIQUE:
            await Raw.raw(f"CREATE UNIQUE INDEX {name} ON {table} ({columns})")

    manager.add_raw(unique_pairs)
    return manager
