from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-26T19:30:00:000000"
APP = "collaboratives"
VERSION = "1.38.0"
DESCRIPTION = "one row per pair in the collaboratives tables"

# (index name, table, columns): piccolo has no composite unique constraint.
UNIQUE = (
    ("collaborative_team_pair", "collaborative_team", "collaborative, initiative"),
    ("faculty_pair", "faculty", 'collaborative, "user"'),  # user is a function on PostgreSQL
    ("adoption_pair", "adoption", "idea, initiative"),
    ("shared_measure_link_pair", "shared_measure_link", "shared, measure"),
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
