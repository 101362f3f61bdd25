"""Piccolo app for exploration."""

import os

from piccolo.conf.apps import AppConfig

from backend.exploration.tables import TABLES

HERE = os.path.dirname(__file__)

APP_CONFIG = AppConfig(
    app_name="exploration",
    migrations_folder_path=os.path.join(HERE, "piccolo_migrations"),
    table_classes=TABLES,
    migration_dependencies=["backend.initiatives.piccolo_app"],
    commands=[],
)
