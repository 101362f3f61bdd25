"""Database engine from a URL, table binding, and serialised write transactions."""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType
from piccolo.table import Table

SQLITE_BUSY_TIMEOUT_S = 30
MAX_ID = 2**31 - 1  # ids are int4 (serial) on PostgreSQL; no row has a larger one

_in_write = contextvars.ContextVar("tandem_in_write", default=False)
_active: Database | None = None


def sqlite_path(url: str) -> str:
    """`sqlite:///relative.db` or `sqlite:////absolute/path.db` -> a file path."""
    path = url.split("sqlite:///", 1)[1]
    if not path or path == ":memory:":
        # piccolo opens a new connection per query: an in-memory database
        # would lose its tables between queries.
        raise ValueError("SQLite needs a file path, not :memory:")
    return path


def possible_id(value: object) -> bool:
    """An id a row can have. PostgreSQL answers a larger one with an error, not no rows."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = sqlite_path(url)
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        return SQLiteEngine(path=path, timeout=SQLITE_BUSY_TIMEOUT_S)
    scheme = urlsplit(url).scheme
    if scheme in {"postgres", "postgresql"}:
        return PostgresEngine(config={"dsn": url})
    raise ValueError(f"Unsupported DATABASE_URL scheme: {scheme!r}")


# Loaded by migrations, the same in every database: emptying a database for a
# test keeps these rows.
REFERENCE_TABLES = ("cfsr_group", "cfsr_item")


def all_tables() -> list[type[Table]]:
    """Every table of every app, in dependency order (parents first)."""
    from piccolo.apps.migrations.auto.migration_manager import sort_table_classes

    from backend.accounts.tables import TABLES as accounts
    from backend.cfsr.tables import TABLES as cfsr
    from backend.collaboratives.tables import TABLES as collaboratives
    from backend.exploration.tables import TABLES as exploration
    from backend.fidelity.tables import TABLES as fidelity
    from backend.initiatives.tables import TABLES as initiatives
    from backend.measures.tables import TABLES as measures
    from backend.pdsa.tables import TABLES as pdsa
    from backend.pip.tables import TABLES as pip
    from backend.practice.tables import TABLES as practice
    from backend.reviews.tables import TABLES as reviews
    from backend.scrum.tables import TABLES as scrum
    from backend.sites.tables import TABLES as sites
    from backend.traceability.tables import TABLES as traceability

    return sort_table_classes(
        [
            *accounts,
            *initiatives,
            *scrum,
            *exploration,
            *practice,
            *traceability,
            *sites,
            *cfsr,
            *measures,
            *pdsa,
            *fidelity,
            *pip,
            *reviews,
            *collaboratives,
        ]
    )


class Database:
    """One engine plus the lock that serialises SQLite writers in this process."""

    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        self.is_sqlite = isinstance(self.engine, SQLiteEngine)
        self._write_lock: asyncio.Lock | None = None

    def bind(self) -> None:
        """Point every table at this engine (piccolo caches one engine per table)."""
        for table in all_tables():
            table._meta.db = self.engine

    async def startup(self) -> None:
        global _active
        # The lock belongs to the running event loop, so it is made here and
        # not at import time.
        self._write_lock = asyncio.Lock()
        self.bind()
        _active = self
        if self.is_sqlite:
            await self.engine.run_ddl("PRAGMA journal_mode=WAL")
        else:
            await self.engine.start_connection_pool(min_size=1, max_size=10)

    async def shutdown(self) -> None:
        if not self.is_sqlite:
            await self.engine.close_connection_pool()

    async def ping(self) -> bool:
        try:
            rows = await self.engine._run_in_new_connection("SELECT 1 AS ok")
        except Exception:  # any failure to reach the database means "down"
            return False
        return bool(rows) and rows[0]["ok"] == 1

    @asynccontextmanager
    async def writing(self) -> AsyncIterator[None]:
        """A write transaction; on SQLite, one writer at a time in this process.

        SQLite's deferred transactions fail with "database is locked" under
        concurrent writers, so writers queue on an asyncio lock and then take
        the write lock up front (BEGIN IMMEDIATE). Nested calls join the outer
        transaction.
        """
        if _in_write.get():
            yield
            return
        token = _in_write.set(True)
        try:
            if self.is_sqlite:
                assert self._write_lock is not None, "Database.startup() was not run"
                async with self._write_lock:
                    async with self.engine.transaction(transaction_type=TransactionType.immediate):
                        yield
            else:
                async with self.engine.transaction():
                    yield
        finally:
            _in_write.reset(token)


def active() -> Database:
    if _active is None:
        raise RuntimeError("No database is active: call Database.startup() first")
    return _active


def writing():
    """Shortcut for `active().writing()` used by the write services."""
    return active().writing()


# ---------------------------------------------------------------- counting statements


class StatementLog:
    """The SQL statements sent while `count_statements` was active."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@contextmanager
def count_statements() -> Iterator[StatementLog]:
    """Record every statement either engine sends (PERF-01 tests and the bench).

    Patches the engines' two entry points for the duration; not for use while
    serving real traffic.
    """
    log = StatementLog()
    patched = []
    for engine_class in (SQLiteEngine, PostgresEngine):
        for name in ("run_querystring", "run_ddl"):
            original = getattr(engine_class, name)

            def wrapper(self, query, *args, _original=original, **kwargs):
                log.statements.append(str(query))
                return _original(self, query, *args, **kwargs)

            setattr(engine_class, name, wrapper)
            patched.append((engine_class, name, original))
    try:
        yield log
    finally:
        for engine_class, name, original in patched:
            setattr(engine_class, name, original)
