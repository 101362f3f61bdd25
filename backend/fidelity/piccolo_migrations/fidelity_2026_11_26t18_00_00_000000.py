from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-26T18:00:00:000000"
APP = "fidelity"
VERSION = "1.38.0"
DESCRIPTION = "one rating per behaviour, or per component when rated whole"

# Partial indexes (both SQLite and PostgreSQL have them): a NULL behaviour means
# the component is rated as a whole, and NULLs never collide in a plain index.
INDEXES = (
    "CREATE UNIQUE INDEX fidelity_rating_behaviour ON fidelity_rating (assessment, behaviour)"
    " WHERE behaviour IS NOT NULL",
    "CREATE UNIQUE INDEX fidelity_rating_component ON fidelity_rating (assessment, component)"
    " WHERE behaviour IS NULL",
)


class Raw(Table):
    """Only a handle for raw SQL on the migration's engine."""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name=APP, description=DESCRIPTION)

    async def unique_ratings():
        for sql in INDEXES:
            await Raw.raw(sql)

    manager.add_raw(unique_ratings)
    return manager
