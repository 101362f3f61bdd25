"""Piccolo's configuration for its CLI: engine from DATABASE_URL, every app."""

from piccolo.conf.apps import AppRegistry

from backend.config import Settings
from backend.db import make_engine

DB = make_engine(Settings.from_env().database_url)

APP_REGISTRY = AppRegistry(
    apps=[
        "backend.accounts.piccolo_app",
        "backend.initiatives.piccolo_app",
        "backend.scrum.piccolo_app",
        "backend.exploration.piccolo_app",
        "backend.practice.piccolo_app",
        "backend.traceability.piccolo_app",
        "backend.sites.piccolo_app",
        "backend.cfsr.piccolo_app",
        "backend.measures.piccolo_app",
        "backend.pdsa.piccolo_app",
        "backend.fidelity.piccolo_app",
        "backend.pip.piccolo_app",
        "backend.reviews.piccolo_app",
        "backend.collaboratives.piccolo_app",
    ]
)
