"""Piccolo app for sites."""

import os

from piccolo.conf.apps import AppConfig

from backend.sites.tables import TABLES

HERE = os.path.dirname(__file__)

APP_CONFIG = AppConfig(
    app_name="sites",
    migrations_folder_path=os.path.join(HERE, "piccolo_migrations"),
    table_classes=TABLES,
    migration_dependencies=["backend.accounts.piccolo_app"],
    commands=[],
)
