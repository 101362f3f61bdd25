import csv
from pathlib import Path

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-26T18:00:00:000000"
APP = "cfsr"
VERSION = "1.38.0"
DESCRIPTION = "CFSR outcomes, systemic factors and items 1-36; one link per pair"

# Read at migration time from the copy kept beside the tables (round 3 names,
# which round 4 keeps). The migration must not change if the copy later does,
# so later corrections go in a new migration.
REFERENCE = Path(__file__).resolve().parent.parent / "cfsr.csv"


class Raw(Table):
    """Only a handle for raw SQL on the migration's engine."""


def reference_rows() -> tuple[list[tuple], list[tuple]]:
    groups: dict[str, tuple] = {}
    items: list[tuple] = []
    with REFERENCE.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            code = row["group_code"]
            if code not in groups:
                groups[code] = (code, row["group_name"], row["group_kind"], len(groups) + 1)
            items.append((int(row["number"]), row["name"], code))
    return list(groups.values()), items


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name=APP, description=DESCRIPTION)

    async def load():
        await Raw.raw("CREATE UNIQUE INDEX item_cfsr_item_pair ON item_cfsr_item (item, cfsr_item)")
        groups, items = reference_rows()
        for code, name, kind, position in groups:
            await Raw.raw(
                "INSERT INTO cfsr_group (code, name, kind, position) VALUES ({}, {}, {}, {})",
                code,
                name,
                kind,
                position,
            )
        for number, name, code in items:
            await Raw.raw(
                "INSERT INTO cfsr_item (number, name, \"group\")"
                " SELECT {}, {}, id FROM cfsr_group WHERE code = {}",
                number,
                name,
                code,
            )

    manager.add_raw(load)
    return manager
