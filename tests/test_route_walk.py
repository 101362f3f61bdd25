"""Walk every GET route of the app: none fails, none changes the database (SEC-09),
and ids that do not exist give 404, never 500."""

from __future__ import annotations

import re

from litestar.routes import HTTPRoute

from backend.db import all_tables
from backend.scrum import services as scrum
from tests.factories import make_items

PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")
SKIP_PREFIXES = ("/static", "/api/schema")


async def _row_counts() -> dict[str, int]:
    return {t._meta.tablename: await t.count() for t in all_tables()}


def _get_paths(app) -> list[str]:
    paths = []
    for route in app.routes:
        if isinstance(route, HTTPRoute) and "GET" in route.methods:
            if not route.path.startswith(SKIP_PREFIXES):
                paths.append(route.path)
    return sorted(set(paths))


async def _ids(world) -> dict[str, int]:
    items = await make_items(world.initiative_id, 3)
    sprint = await scrum.create_sprint(world.initiative_id, {"goal": "Walk"})
    await scrum.assign_sprint(world.initiative_id, items[:2], sprint)
    await scrum.start_sprint(sprint)
    release = await scrum.create_release(world.initiative_id, {"name": "R1"})
    return {
        "initiative_id": world.initiative_id,
        "agency_id": world.agency_id,
        "item_id": items[0],
        "sprint_id": sprint,
        "release_id": release,
    }


def _fill(path: str, ids: dict[str, int], missing: bool = False) -> str | None:
    names = PARAM.findall(path)
    if any(n not in ids for n in names):
        return None
    return PARAM.sub(lambda m: str(999_999 if missing else ids[m.group(1)]), path)


async def test_every_get_route_renders_and_changes_nothing(app, client, world):
    ids = await _ids(world)
    before = await _row_counts()
    walked = 0
    for path in _get_paths(app):
        url = _fill(path, ids)
        assert url is not None, f"no id to fill {path}: add it to the walk"
        response = await client.get(url)
        assert response.status_code < 400, f"GET {url} -> {response.status_code}"
        walked += 1
    assert walked >= 3
    assert await _row_counts() == before


async def test_unknown_ids_give_404_on_every_get_route(app, client, world):
    ids = await _ids(world)
    for path in _get_paths(app):
        if "{" not in path:
            continue
        url = _fill(path, ids, missing=True)
        response = await client.get(url)
        assert response.status_code == 404, f"GET {url} -> {response.status_code}"
