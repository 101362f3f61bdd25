"""Test world: a fresh database per test, the app driven over httpx's ASGI transport.

SQLite (default): the schema is migrated once per run into a template file,
and each test gets its own copy. PostgreSQL (TEST_DATABASE_URL=postgres://...):
a fresh database is created and migrated once per run, and every table is
truncated before each test.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

from backend import clock, db
from backend.app import create_app
from backend.cli import migrate_elsewhere
from backend.config import Settings

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
ON_POSTGRES = TEST_DATABASE_URL.startswith("postgres")


def pytest_collection_modifyitems(items):
    """Mark the browser tests and run them last, after every asyncio test."""
    for item in items:
        if "tests/e2e" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
    items.sort(key=lambda item: "tests/e2e" in str(item.fspath))


async def _pg_admin(url: str, sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def pg_admin(url: str, sql: str) -> None:
    """Run one admin statement from sync code, even while another loop runs here.

    A fresh thread has no running event loop, so asyncio.run works there even
    when sync Playwright has marked this thread's loop as running.
    """
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, _pg_admin(url, sql)).result()


@pytest.fixture(scope="session")
def database_template(tmp_path_factory) -> AsyncIterator[str]:
    if ON_POSTGRES:
        name = f"tandem_test_{uuid.uuid4().hex[:10]}"
        parts = urlsplit(TEST_DATABASE_URL)
        url = urlunsplit(parts._replace(path=f"/{name}"))
        pg_admin(TEST_DATABASE_URL, f'CREATE DATABASE "{name}"')
        migrate_elsewhere(url)
        yield url
        pg_admin(TEST_DATABASE_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        path = tmp_path_factory.mktemp("template") / "template.sqlite3"
        migrate_elsewhere(f"sqlite:///{path}")
        yield str(path)


async def _truncate_all(url: str) -> None:
    from backend.db import REFERENCE_TABLES, all_tables

    names = ", ".join(
        f'"{t._meta.tablename}"' for t in all_tables() if t._meta.tablename not in REFERENCE_TABLES
    )
    await _pg_admin(url, f"TRUNCATE {names} RESTART IDENTITY CASCADE")


@pytest.fixture
def database_url(database_template: str, tmp_path: Path) -> str:
    if ON_POSTGRES:
        asyncio.run(_truncate_all(database_template))
        return database_template
    path = tmp_path / "tandem.sqlite3"
    shutil.copyfile(database_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def settings(database_url: str) -> Settings:
    return replace(Settings(), database_url=database_url)


# Building the app costs about half a second (every route and its signature is
# parsed), so it is built once per distinct configuration and started on each
# test's own database: its startup reads app.state.settings.
_BUILT_APPS: dict[Settings, object] = {}


def built_app(settings: Settings):
    key = replace(settings, database_url="", redis_url="", redis_prefix="")
    if key not in _BUILT_APPS:
        _BUILT_APPS[key] = create_app(settings)
    application = _BUILT_APPS[key]
    application.state.settings = settings
    return application


@pytest.fixture
async def app(settings: Settings):
    """The app with its startup hooks run (not app.lifespan(): see ENGINEERING.md)."""
    application = built_app(settings)
    for hook in application.on_startup:
        await hook(application)
    yield application
    for hook in application.on_shutdown:
        await hook(application)
    clock.set_clock(None)


class Client(httpx.AsyncClient):
    """An httpx client that behaves like a browser with a CSRF cookie."""

    app = None  # set by the fixtures, for sign_in_as

    async def sign_in_as(self, user_id: int) -> None:
        """A session for `user_id` straight in the store: the sign-in form is tested
        on its own (tests/accounts), and argon2 per test would cost seconds."""
        from backend.accounts.access import SESSION_COOKIE, save_new_session
        from backend.accounts.tables import User

        rows = await User.select(User.session_generation).where(User.id == user_id)
        raw = await save_new_session(self.app.state.store, user_id, rows[0]["session_generation"])
        # The domain httpx files the server's own Set-Cookie under, so a rotated
        # session replaces this cookie instead of sitting beside it.
        self.cookies.set(SESSION_COOKIE, raw, domain="testserver.local")

    async def csrf_token(self) -> str:
        token = self.cookies.get("csrftoken")
        if not token:
            await self.get("/healthz")
            token = self.cookies.get("csrftoken")
        assert token, "the app did not set a CSRF cookie"
        return token

    async def post_form(self, url: str, data: dict | list | None = None, **kw) -> httpx.Response:
        """POST a form the way a browser does, with the CSRF token in the body."""
        token = await self.csrf_token()
        fields = list(data.items()) if isinstance(data, dict) else list(data or [])
        expanded: list[tuple[str, str]] = []
        for key, value in fields:
            if isinstance(value, (list, tuple)):
                expanded.extend((key, str(v)) for v in value)
            else:
                expanded.append((key, "" if value is None else str(value)))
        expanded.append(("_csrf_token", token))
        return await self.post(url, data=dict_or_pairs(expanded), **kw)

    async def send_json(self, method: str, url: str, body=None, **kw) -> httpx.Response:
        token = await self.csrf_token()
        headers = {"x-csrftoken": token, **kw.pop("headers", {})}
        return await self.request(method, url, json=body, headers=headers, **kw)


def dict_or_pairs(pairs: list[tuple[str, str]]):
    """httpx takes repeated form keys as a dict of lists."""
    out: dict[str, list[str]] = {}
    for key, value in pairs:
        out.setdefault(key, []).append(value)
    return {k: v[0] if len(v) == 1 else v for k, v in out.items()}


@pytest.fixture
async def client(app) -> AsyncIterator[Client]:
    """Anonymous at first; the `world` fixture signs it in as the agency lead."""
    transport = httpx.ASGITransport(app=app)
    async with Client(transport=transport, base_url="http://testserver") as c:
        c.app = app
        yield c


@pytest.fixture
async def client_as(app):
    """`await client_as(user_id)` -> another browser, signed in as that user."""
    clients: list[Client] = []

    async def make(user_id: int | None = None) -> Client:
        c = Client(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
        c.app = app
        clients.append(c)
        if user_id is not None:
            await c.sign_in_as(user_id)
        return c

    yield make
    for c in clients:
        await c.aclose()


@pytest.fixture
async def world(app, client):
    """Two agencies: the demo-like one with an initiative, and another whose data
    must never show up in the first one's pages. One person per role; `client`
    is signed in as the first agency's lead."""
    from tests.factories import build_world

    built = await build_world()
    await client.sign_in_as(built.lead)
    return built


@pytest.fixture
def count_queries():
    """`with count_queries() as counted: ...; counted.count` -> statements sent."""
    return db.count_statements
