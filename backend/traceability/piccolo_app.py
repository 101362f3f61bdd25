"""Piccolo app for traceability."""

import os

from piccolo.conf.apps import AppConfig

from backend.traceability.tables import TABLES

HERE = os.path.dirname(__file__)

APP_CONFIG = AppConfig(
    app_name="traceability",
    migrations_folder_path=os.path.join(HERE, "piccolo_migrations"),
    table_classes=TABLES,
    migration_dependencies=[
        "backend.scrum.piccolo_app",
        "backend.exploration.piccolo_app",
        "backend.practice.piccolo_app",
    ],
    commands=[],
)
