"""Ids in paths that no row can have are a 404 on every route, both databases."""

from __future__ import annotations

import re

from litestar.routes import HTTPRoute

PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")
# Valid for every JSON write (unknown keys are ignored), so only the id is wrong.
PLAUSIBLE_BODY = {"title": "x", "version": 1, "column_id": 1, "action": "top", "sprint_id": None}


def _paths_with_ids(app) -> list[tuple[str, set[str]]]:
    found = []
    for route in app.routes:
        if isinstance(route, HTTPRoute) and "{" in route.path:
            found.append((route.path, set(route.methods) - {"HEAD", "OPTIONS"}))
    return found


async def test_impossible_ids_give_404_on_every_route(app, client, client_as, world):
    admin = await client_as(world.users["admin"])
    paths = _paths_with_ids(app)
    assert paths
    for path, methods in paths:
        if "{file_path" in path:
            continue
        for impossible in (0, 99_999_999_999):
            url = PARAM.sub(str(impossible), path)
            # Site administration is tried by a site admin, everything else by a lead.
            who = admin if url.startswith("/admin") else client
            for method in methods:
                if method == "GET":
                    response = await who.get(url)
                else:
                    response = await who.send_json(method, url, PLAUSIBLE_BODY)
                assert response.status_code == 404, f"{method} {url} -> {response.status_code}"
