"""Settings read from the environment, with safe defaults for local use."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SECRET = "tandem-local-development-secret-change-me"
DEFAULT_SQLITE_PATH = ROOT / "var" / "tandem.sqlite3"


def _flag(raw: str | None, *, default: bool) -> bool:
    """Yes: 1, true, yes, on (any case). No: 0, false, no, off. Unset: the default."""
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise RuntimeError(f"{raw!r} is not yes or no (try true or false)")


@dataclass(frozen=True)
class Settings:
    database_url: str = f"sqlite:///{DEFAULT_SQLITE_PATH}"
    secret_key: str = DEFAULT_SECRET
    env: str = "development"
    host: str = "127.0.0.1"
    port: int = 8000
    debug: bool = False
    # Sessions and sign-in throttling live in the database unless Redis is set.
    redis_url: str = ""
    # Every key Tandem writes in Redis starts with this (one Redis, several apps).
    redis_prefix: str = "tandem"
    session_idle_seconds: int = 30 * 60
    session_absolute_hours: int = 12
    # How long before the idle timeout the page offers to stay signed in.
    session_warning_seconds: int = 120
    # Email digest (backend/reviews/digest.py). No SMTP host means no email is sent:
    # notifications stay in the in-app inbox and `send-digests` says so.
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: str = field(default="", repr=False)
    smtp_starttls: bool = True
    smtp_timeout_seconds: float = 30.0
    mail_from: str = "tandem@localhost"
    # Emails need absolute links; this is the address people open Tandem at.
    base_url: str = "http://127.0.0.1:8000"
    templates_dir: Path = field(default=ROOT / "templates")
    static_dir: Path = field(default=ROOT / "static")

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def is_local(self) -> bool:
        """Local development: plain-http cookies allowed and the demo password shown."""
        return self.env == "development"

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
            redis_url=env.get("REDIS_URL") or "",
            redis_prefix=env.get("TANDEM_REDIS_PREFIX") or "tandem",
            session_idle_seconds=int(env.get("TANDEM_SESSION_IDLE_SECONDS") or 30 * 60),
            session_absolute_hours=int(env.get("TANDEM_SESSION_ABSOLUTE_HOURS") or 12),
            session_warning_seconds=int(env.get("TANDEM_SESSION_WARNING_SECONDS") or 120),
            smtp_host=env.get("SMTP_HOST") or "",
            smtp_port=int(env.get("SMTP_PORT") or 587),
            smtp_user=env.get("SMTP_USER") or "",
            smtp_password=env.get("SMTP_PASSWORD") or "",
            smtp_starttls=_flag(env.get("SMTP_STARTTLS"), default=True),
            mail_from=env.get("MAIL_FROM") or "tandem@localhost",
            base_url=(env.get("TANDEM_BASE_URL") or "http://127.0.0.1:8000").rstrip("/"),
        )
        settings.check()
        return settings

    def check(self) -> None:
        """Refuse to run production with the well-known development secret."""
        if self.is_production and self.secret_key == DEFAULT_SECRET:
            raise RuntimeError("SECRET_KEY must be set when TANDEM_ENV=production")
        if len(self.secret_key) < 16:
            raise RuntimeError("SECRET_KEY must be at least 16 characters")
