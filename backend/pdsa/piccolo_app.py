"""Piccolo app for pdsa."""

import os

from piccolo.conf.apps import AppConfig

from backend.pdsa.tables import TABLES

HERE = os.path.dirname(__file__)

APP_CONFIG = AppConfig(
    app_name="pdsa",
    migrations_folder_path=os.path.join(HERE, "piccolo_migrations"),
    table_classes=TABLES,
    migration_dependencies=["backend.measures.piccolo_app", "backend.sites.piccolo_app"],
    commands=[],
)
