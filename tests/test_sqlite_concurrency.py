"""DATA-03: SQLite runs with WAL, a busy timeout and foreign keys, and concurrent
writers through the app all succeed (no "database is locked").

The pragma checks are SQLite-only; the concurrent-writer checks run on
PostgreSQL too, where the initiative row lock serialises rank changes.
"""

from __future__ import annotations

import asyncio
import random
import sqlite3

import pytest

from backend import db
from backend.scrum.tables import BacklogItem, ItemHistory
from tests.conftest import ON_POSTGRES
from tests.factories import make_items

WRITERS = 50


async def _pragma(name: str):
    """A pragma's value on a connection of the engine the app bound its tables to."""
    rows = await BacklogItem.raw(f"PRAGMA {name}")
    return next(iter(rows[0].values()))


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite pragmas")
async def test_the_apps_sqlite_connections_use_wal_busy_timeout_and_foreign_keys(app):
    database = app.state.database
    assert database.is_sqlite
    assert BacklogItem._meta.db is database.engine, "tables are not bound to the app's engine"
    assert (await _pragma("journal_mode")).lower() == "wal"
    assert await _pragma("busy_timeout") == db.SQLITE_BUSY_TIMEOUT_S * 1000
    assert await _pragma("foreign_keys") == 1
    # Writes run on the transaction's own connection: it must have the same settings.
    async with database.writing():
        assert (await _pragma("journal_mode")).lower() == "wal"
        assert await _pragma("busy_timeout") == db.SQLITE_BUSY_TIMEOUT_S * 1000
        assert await _pragma("foreign_keys") == 1


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite pragmas")
async def test_sqlite_refuses_a_row_that_points_at_nothing(app, world):
    with pytest.raises(sqlite3.IntegrityError):
        await BacklogItem.insert(
            BacklogItem(initiative=world.initiative_id, title="Orphan", rank=0, status=999_999)
        )
    assert await BacklogItem.count() == 0


async def test_fifty_concurrent_api_creates_all_succeed_with_distinct_ranks(app, client, world):
    await make_items(world.initiative_id, 3)
    before = await BacklogItem.count().where(BacklogItem.initiative == world.initiative_id)
    await client.csrf_token()  # one cookie for all the writers
    url = f"/api/initiatives/{world.initiative_id}/items"
    responses = await asyncio.gather(
        *[
            client.send_json("POST", url, {"title": f"Writer {n}", "estimate": n % 8})
            for n in range(WRITERS)
        ]
    )
    statuses = [r.status_code for r in responses]
    assert statuses == [201] * WRITERS, [r.text for r in responses if r.status_code != 201][:3]
    created = {r.json()["id"] for r in responses}
    assert len(created) == WRITERS
    rows = await BacklogItem.select(BacklogItem.id, BacklogItem.title, BacklogItem.rank).where(
        BacklogItem.initiative == world.initiative_id
    )
    assert len(rows) == before + WRITERS
    assert {r["id"] for r in rows} >= created
    assert sorted(r["title"] for r in rows if r["id"] in created) == sorted(
        f"Writer {n}" for n in range(WRITERS)
    )
    ranks = [r["rank"] for r in rows]
    assert len(set(ranks)) == len(ranks), "two items share a rank"
    history = await ItemHistory.count().where(ItemHistory.item.is_in(list(created)))
    assert history == WRITERS


async def test_fifty_concurrent_rank_moves_keep_one_total_order(app, client, world):
    ids = await make_items(world.initiative_id, 10)
    await client.csrf_token()
    rng = random.Random(3)  # fixed seed: the same mix of moves every run
    requests = []
    for _ in range(WRITERS):
        item_id = rng.choice(ids)
        action = rng.choice(["top", "up", "down", "bottom", "above"])
        body: dict = {"action": action}
        if action == "above":
            body["target_id"] = rng.choice([i for i in ids if i != item_id])
        requests.append(client.send_json("POST", f"/api/items/{item_id}/rank", body))
    # Board moves and new items interleave with the rank changes.
    url = f"/api/initiatives/{world.initiative_id}/items"
    requests += [client.send_json("POST", url, {"title": f"New {n}"}) for n in range(10)]
    requests += [
        client.send_json("POST", f"/api/items/{i}/move", {"column_id": world.in_progress})
        for i in ids[:5]
    ]
    responses = await asyncio.gather(*requests)
    failures = [(r.status_code, r.text) for r in responses if not 200 <= r.status_code < 300]
    assert failures == []
    rows = await BacklogItem.select(BacklogItem.id, BacklogItem.rank).where(
        BacklogItem.initiative == world.initiative_id
    )
    assert len(rows) == 20
    assert set(ids) <= {r["id"] for r in rows}
    ranks = [r["rank"] for r in rows]
    assert len(set(ranks)) == len(ranks), "two items share a rank"
