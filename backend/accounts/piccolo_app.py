"""Piccolo app for agencies and (later) people."""

import os

from piccolo.conf.apps import AppConfig

from backend.accounts.tables import TABLES

HERE = os.path.dirname(__file__)

APP_CONFIG = AppConfig(
    app_name="accounts",
    migrations_folder_path=os.path.join(HERE, "piccolo_migrations"),
    table_classes=TABLES,
    migration_dependencies=[],
    commands=[],
)
