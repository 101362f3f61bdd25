"""Piccolo app for collaboratives."""

import os

from piccolo.conf.apps import AppConfig

from backend.collaboratives.tables import TABLES

HERE = os.path.dirname(__file__)

APP_CONFIG = AppConfig(
    app_name="collaboratives",
    migrations_folder_path=os.path.join(HERE, "piccolo_migrations"),
    table_classes=TABLES,
    migration_dependencies=["backend.pdsa.piccolo_app", "backend.measures.piccolo_app"],
    commands=[],
)
