"""Piccolo app for practice."""

import os

from piccolo.conf.apps import AppConfig

from backend.practice.tables import TABLES

HERE = os.path.dirname(__file__)

APP_CONFIG = AppConfig(
    app_name="practice",
    migrations_folder_path=os.path.join(HERE, "piccolo_migrations"),
    table_classes=TABLES,
    migration_dependencies=["backend.initiatives.piccolo_app"],
    commands=[],
)
