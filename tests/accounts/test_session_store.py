"""Sessions and sign-in throttling live in a shared store (the database, or Redis):
two app instances, like two worker processes or a restart, see the same sessions."""

from __future__ import annotations

import os
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from backend.accounts.access import SESSION_COOKIE
from backend.accounts.store import RedisStore, SessionRecord
from backend.app import create_app
from tests.conftest import Client
from tests.factories import TEST_PASSWORD

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/9")
REDIS_REQUIRED = os.environ.get("TANDEM_REQUIRE_REDIS") == "1"


async def _redis_or_skip() -> str:
    import redis.asyncio as redis

    client = redis.from_url(TEST_REDIS_URL)
    try:
        await client.ping()
    except Exception as exc:  # any failure to reach it
        if REDIS_REQUIRED:
            pytest.fail(f"Redis at {TEST_REDIS_URL} is required: {exc}")
        pytest.skip(f"Redis at {TEST_REDIS_URL} is not reachable")
    finally:
        await client.aclose()
    return TEST_REDIS_URL


async def _redis_settings(settings):
    """Redis outlives a test (and is shared with any other run): each test gets
    keys of its own."""
    url = await _redis_or_skip()
    return replace(settings, redis_url=url, redis_prefix=f"test-{uuid.uuid4().hex[:12]}")


class Instance:
    """One more app process on the same database (and store)."""

    def __init__(self, settings):
        self.app = create_app(settings)

    async def __aenter__(self) -> Client:
        for hook in self.app.on_startup:
            await hook(self.app)
        self.client = Client(
            transport=httpx.ASGITransport(app=self.app), base_url="http://testserver"
        )
        self.client.app = self.app
        return self.client

    async def __aexit__(self, *exc) -> None:
        await self.client.aclose()
        for hook in self.app.on_shutdown:
            await hook(self.app)


async def _signed_in_elsewhere(settings, world) -> str:
    async with Instance(settings) as first:
        response = await first.post_form(
            "/sign-in", {"email": "agency_lead@test.example", "password": TEST_PASSWORD}
        )
        assert response.status_code == 303
        return first.cookies[SESSION_COOKIE]


async def _works_on_another_instance(settings, world, cookie: str) -> None:
    async with Instance(settings) as second:
        second.cookies.set(SESSION_COOKIE, cookie)
        page = await second.get(f"/initiatives/{world.initiative_id}")
        assert page.status_code == 200
        assert "Agency Lead" in page.text
        # Signing out on this instance ends it everywhere.
        assert (await second.post_form("/sign-out", {})).status_code == 303
    async with Instance(settings) as third:
        third.cookies.set(SESSION_COOKIE, cookie)
        assert (await third.get(f"/initiatives/{world.initiative_id}")).status_code == 303


async def test_two_app_instances_share_a_session_in_the_database(settings, world):
    cookie = await _signed_in_elsewhere(settings, world)
    await _works_on_another_instance(settings, world, cookie)


async def test_two_app_instances_share_a_session_in_redis(settings, world):
    redis_settings = await _redis_settings(settings)
    cookie = await _signed_in_elsewhere(redis_settings, world)
    await _works_on_another_instance(redis_settings, world, cookie)
    # Nothing of the session went to the database.
    from backend.accounts.tables import AuthSession

    assert await AuthSession.count() == 1  # only the `world` fixture's own session


async def test_throttling_in_redis_is_shared_between_instances(settings, world):
    redis_settings = await _redis_settings(settings)
    email = f"{uuid.uuid4().hex[:8]}@test.example"  # fresh key: Redis outlives tests
    for _ in range(5):
        async with Instance(redis_settings) as c:
            await c.post_form("/sign-in", {"email": email, "password": "wrong wrong wrong"})
    async with Instance(redis_settings) as c:
        response = await c.post_form("/sign-in", {"email": email, "password": "x" * 12})
        assert response.status_code == 429


async def test_redis_store_round_trips_and_expires_sessions():
    store = RedisStore(await _redis_or_skip(), prefix=f"test-{uuid.uuid4().hex[:8]}")
    try:
        now = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
        record = SessionRecord(7, 3, "active", now, now)
        await store.save_session("abc", record, lifetime=60)
        assert await store.load_session("abc") == record
        later = now + timedelta(minutes=5)
        await store.touch_session("abc", later)
        assert (await store.load_session("abc")).last_seen_at == later
        assert 0 < await store.redis.ttl(store._session_key("abc")) <= 60
        await store.delete_session("abc")
        assert await store.load_session("abc") is None
        await store.add_failure("email:a", now, 900)
        await store.add_failure("email:a", now, 900)
        assert len(await store.failures_since("email:a", now - timedelta(seconds=1))) == 2
        await store.clear_failures("email:a")
        assert await store.failures_since("email:a", now - timedelta(seconds=1)) == []
    finally:
        await store.close()
