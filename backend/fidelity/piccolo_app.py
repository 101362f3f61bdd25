"""Piccolo app for fidelity."""

import os

from piccolo.conf.apps import AppConfig

from backend.fidelity.tables import TABLES

HERE = os.path.dirname(__file__)

APP_CONFIG = AppConfig(
    app_name="fidelity",
    migrations_folder_path=os.path.join(HERE, "piccolo_migrations"),
    table_classes=TABLES,
    migration_dependencies=["backend.sites.piccolo_app", "backend.practice.piccolo_app"],
    commands=[],
)
