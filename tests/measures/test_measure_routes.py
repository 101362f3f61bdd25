"""Every measures route by role (the route walk of this area), and well-formed pages
(A11Y-02) with and without form errors."""

from __future__ import annotations

import re

from litestar.routes import HTTPRoute

from backend.accounts import permissions
from backend.measures.tables import DataPoint, Measure
from tests.html_checks import assert_well_formed
from tests.measures.walk import walk_ids

NAMES = {"api.measures", "api.measure", "api.point_create"}
PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")


def _fill(path: str, ids: dict[str, object], missing: bool = False) -> str:
    return PARAM.sub(lambda m: str(999_999 if missing else ids[m.group(1)]), path)


async def _send(client, method: str, url: str):
    """What the route walk sends (tests/test_route_walk.py), without importing every area."""
    if method == "GET":
        return await client.get(url)
    if url.startswith("/api/"):
        return await client.send_json(method, url, {"title": "walk", "version": 1})
    return await client.post_form(url, {"title": "walk", "version": "1"})


def _measure_routes(app) -> list[tuple[str, str, str]]:
    found = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            name = handler.name or ""
            if name.startswith("measures.") or name in NAMES:
                for method in handler.http_methods - {"HEAD", "OPTIONS"}:
                    found.append((method, route.path, name))
    return sorted(set(found))


async def _counts() -> tuple[int, int, list]:
    rows = await Measure.select().order_by(Measure.id)
    return await Measure.count(), await DataPoint.count(), rows


async def test_every_measures_route_by_role(app, client, client_as, world):
    ids = {**await walk_ids(world), "initiative_id": world.initiative_id}
    routes = _measure_routes(app)
    assert len(routes) == 19
    viewer = await client_as(world.users["viewer"])
    liaison = await client_as(world.users["liaison"])
    outsider = await client_as(world.users["other_lead"])
    anonymous = await client_as()
    before = await _counts()
    for method, path, name in routes:
        power = permissions.ROUTE_POWERS[name]
        assert power in (permissions.READ, permissions.CHANGE_WRITE), name
        url = _fill(path, ids)
        if method == "GET":
            response = await client.get(url)
            assert response.status_code == 200, f"GET {url} -> {response.status_code}"
            if response.headers["content-type"].startswith("text/html"):
                assert_well_formed(response.text, url)
            for person in (viewer, liaison):
                status = (await person.get(url)).status_code
                assert status == (200 if power == permissions.READ else 403), (url, status)
            assert (await outsider.get(url)).status_code == 404, url
            assert (await client.get(_fill(path, ids, missing=True))).status_code == 404, url
        else:
            for person in (viewer, liaison):
                status = (await _send(person, method, url)).status_code
                assert status == 403, f"{method} {url} -> {status}"
            assert (await _send(outsider, method, url)).status_code == 404, url
        status = (await _send(anonymous, method, url)).status_code
        assert status == (401 if url.startswith("/api/") else 303), (method, url, status)
    assert await _counts() == before


async def test_pages_with_errors_and_conflicts_are_well_formed(client, world):
    ids = await walk_ids(world)
    measure_id, point_id = ids["measure_id"], ids["point_id"]
    pages = [
        (f"/initiatives/{world.initiative_id}/measures/new", {"name": "", "kind": "x"}, 422),
        (
            f"/measures/{measure_id}/edit",
            {
                "name": "Stale",
                "version": 9,
                "is_rate": "yes",
                "small_cell_threshold": "10",
                "kind": "outcome",
                "direction": "up",
                "period_kind": "month",
                "rule_set": "ihi",
            },
            409,
        ),
        (f"/measures/{measure_id}/points/new", {"period": "x", "numerator": "y"}, 422),
        (f"/points/{point_id}/edit", {"period": "", "astronomical": "yes", "version": 1}, 422),
        (f"/measures/{measure_id}/import", {"csv_text": "March,1,2\n2025-01,x,3"}, 422),
        (f"/measures/{measure_id}/import", {"csv_text": "2025-05,1,20,DOB 1/2/2003"}, 422),
        (f"/measures/{measure_id}/delete", {"version": 9}, 409),
    ]
    for url, form, status in pages:
        response = await client.post_form(url, form)
        assert response.status_code == status, (url, response.status_code)
        assert_well_formed(response.text, url)
