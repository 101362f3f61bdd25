"""Piccolo app for reviews."""

import os

from piccolo.conf.apps import AppConfig

from backend.reviews.tables import TABLES

HERE = os.path.dirname(__file__)

APP_CONFIG = AppConfig(
    app_name="reviews",
    migrations_folder_path=os.path.join(HERE, "piccolo_migrations"),
    table_classes=TABLES,
    migration_dependencies=["backend.scrum.piccolo_app"],
    commands=[],
)
