"""Piccolo app for measures."""

import os

from piccolo.conf.apps import AppConfig

from backend.measures.tables import TABLES

HERE = os.path.dirname(__file__)

APP_CONFIG = AppConfig(
    app_name="measures",
    migrations_folder_path=os.path.join(HERE, "piccolo_migrations"),
    table_classes=TABLES,
    migration_dependencies=["backend.cfsr.piccolo_app", "backend.practice.piccolo_app"],
    commands=[],
)
