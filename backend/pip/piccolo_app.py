"""Piccolo app for pip."""

import os

from piccolo.conf.apps import AppConfig

from backend.pip.tables import TABLES

HERE = os.path.dirname(__file__)

APP_CONFIG = AppConfig(
    app_name="pip",
    migrations_folder_path=os.path.join(HERE, "piccolo_migrations"),
    table_classes=TABLES,
    migration_dependencies=["backend.measures.piccolo_app"],
    commands=[],
)
