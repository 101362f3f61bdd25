"""Piccolo app for initiatives and C&I stages."""

import os

from piccolo.conf.apps import AppConfig

from backend.initiatives.tables import TABLES

HERE = os.path.dirname(__file__)

APP_CONFIG = AppConfig(
    app_name="initiatives",
    migrations_folder_path=os.path.join(HERE, "piccolo_migrations"),
    table_classes=TABLES,
    migration_dependencies=["backend.accounts.piccolo_app"],
    commands=[],
)
