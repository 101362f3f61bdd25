"""Junk posted to every exploration form, and junk JSON to the API, never makes a 500."""

from __future__ import annotations

import re

from litestar.routes import HTTPRoute

from tests.exploration.walk import walk_ids

PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")
JUNK_FORMS = [
    {},
    {"version": "x"},
    {"version": "99999999999", "statement": "s", "question": "q"},
    {"version": "-1", "condition": "c", "result": "r"},
    {"statement": "\x00", "kind": ["root_cause", "x"], "found_on": "2026-99-99"},
    {"findings": ["-1", "abc", "99999999999", "0"], "condition": "c", "result": "r"},
    {"findings": "1", "text": ["a", "b"], "action": "draft"},
    {"direction": ["up", "down"], "assumption": ["a", "b"], "change_note": ["x", "y"]},
    {"population": "p" * 30_000, "long_term_outcome": "o" * 30_000, "version": "1"},
    {"due": "31/12/2026", "status": "x", "question": "q", "version": "1"},
    {"pii_confirmed": ["yes", "no"], "statement": "SSN 123-45-6789", "version": "1"},
    {"assumption": "a", "version": "1"},
]
JUNK_JSON = [
    {},
    [],
    "text",
    None,
    {"statement": None},
    {"statement": ["a"]},
    {"statement": "s", "found_on": 20260101},
    {"statement": "s", "found_on": "2026-02-30"},
    {"version": "1", "statement": "s"},
    {"version": 99999999999},
    {"version": 1, "kind": None},
    {"statement": "s", "pii_confirmed": "yes"},
]


def _routes(app, prefix: str) -> list[tuple[str, str]]:
    found = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            if (handler.name or "").startswith(prefix):
                for method in handler.http_methods - {"GET", "HEAD", "OPTIONS"}:
                    found.append((method, route.path))
    return sorted(set(found))


def _fill(path: str, ids: dict) -> str:
    return PARAM.sub(lambda m: str(ids.get(m.group(1), ids.get("initiative_id"))), path)


async def test_junk_forms_from_the_lead_never_cause_a_server_error(app, client, world):
    ids = {"initiative_id": world.initiative_id, **await walk_ids(world)}
    routes = _routes(app, "exploration.")
    assert len(routes) >= 15
    for _method, path in routes:
        for junk in JUNK_FORMS:
            url = _fill(path, ids)
            response = await client.post_form(url, junk)
            assert response.status_code < 500, (url, junk, response.status_code)


async def test_junk_json_never_causes_a_server_error(app, client, world):
    ids = {"initiative_id": world.initiative_id, **await walk_ids(world)}
    routes = _routes(app, "api.finding")
    assert routes
    for method, path in routes:
        for junk in JUNK_JSON:
            response = await client.send_json(method, _fill(path, ids), junk)
            assert response.status_code in (200, 201, 400, 404, 409, 422), (
                path,
                junk,
                response.status_code,
                response.text,
            )
