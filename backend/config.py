"""Settings read from the environment, with safe defaults for local use."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SECRET = "tandem-local-development-secret-change-me"
DEFAULT_SQLITE_PATH = ROOT / "var" / "tandem.sqlite3"


@dataclass(frozen=True)
class Settings:
    database_url: str = f"sqlite:///{DEFAULT_SQLITE_PATH}"
    secret_key: str = DEFAULT_SECRET
    env: str = "development"
    host: str = "127.0.0.1"
    port: int = 8000
    debug: bool = False
    templates_dir: Path = field(default=ROOT / "templates")
    static_dir: Path = field(default=ROOT / "static")

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        settings = cls(
            database_url=env.get("DATABASE_URL") or cls.database_url,
            secret_key=env.get("SECRET_KEY") or DEFAULT_SECRET,
            env=env.get("TANDEM_ENV") or "development",
            host=env.get("HOST") or "127.0.0.1",
            port=int(env.get("PORT") or 8000),
        )
        settings.check()
        return settings

    def check(self) -> None:
        """Refuse to run production with the well-known development secret."""
        if self.is_production and self.secret_key == DEFAULT_SECRET:
            raise RuntimeError("SECRET_KEY must be set when TANDEM_ENV=production")
        if len(self.secret_key) < 16:
            raise RuntimeError("SECRET_KEY must be at least 16 characters")
