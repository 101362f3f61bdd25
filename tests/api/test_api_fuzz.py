"""SEC-14 for the API: odd values in every field of every body never cause a 5xx."""

from __future__ import annotations

import random

from backend.scrum import services as scrum
from tests.api.helpers import item_count
from tests.factories import make_items

ODD_VALUES = [
    None,
    True,
    0,
    -1,
    2**31,
    2**63,
    10**40,
    1.5,
    float("1e308"),
    "",
    " ",
    "0",
    "-7",
    "1e3",
    "null",
    "<script>alert(1)</script>",
    "\u0000",
    "é" * 250,
    "👍",
    [],
    [1, 2],
    {},
    {"id": 1},
]
FIELDS = {
    "create": [
        "title",
        "kind",
        "narrative",
        "acceptance_criteria",
        "estimate",
        "stage_id",
        "sprint_id",
        "column_id",
        "assignee_name",
        "at_top",
        "initiative_id",
    ],
    "patch": ["version", "title", "kind", "estimate", "stage_id", "sprint_id", "column_id"],
    "move": ["column_id", "version"],
    "rank": ["action", "target_id"],
    "sprint": ["sprint_id"],
}
ALLOWED = {200, 201, 400, 404, 409, 413, 422}


async def test_random_bodies_never_cause_a_server_error(client, world):
    [item_id] = await make_items(world.initiative_id, 1)
    sprint = await scrum.create_sprint(world.initiative_id, {})
    valid = {
        "create": {"title": "Fuzz", "estimate": 3},
        "patch": {"version": 1, "title": "Fuzz"},
        "move": {"column_id": world.in_progress},
        "rank": {"action": "top"},
        "sprint": {"sprint_id": sprint},
    }
    urls = {
        "create": ("POST", f"/api/initiatives/{world.initiative_id}/items"),
        "patch": ("PATCH", f"/api/items/{item_id}"),
        "move": ("POST", f"/api/items/{item_id}/move"),
        "rank": ("POST", f"/api/items/{item_id}/rank"),
        "sprint": ("POST", f"/api/items/{item_id}/sprint"),
    }
    rng = random.Random(20)
    created = 0
    for endpoint, fields in FIELDS.items():
        method, url = urls[endpoint]
        for _ in range(40):
            body = dict(valid[endpoint])
            for field in rng.sample(fields, rng.randint(1, min(3, len(fields)))):
                body[field] = rng.choice(ODD_VALUES)
            response = await client.send_json(method, url, body)
            assert response.status_code in ALLOWED, (method, url, body, response.text)
            assert response.headers["content-type"].startswith("application/json")
            created += endpoint == "create" and response.status_code == 201
    assert await item_count() == 1 + created
