from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-26T18:53:09:658996"
VERSION = "1.38.0"
DESCRIPTION = "gate sign-off outcome"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="initiatives", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="GateSignOff",
        tablename="gate_sign_off",
        column_name="outcome",
        db_column_name="outcome",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 20,
            "default": "signed_off",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
