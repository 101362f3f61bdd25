"""The traceability API: an item's links (read, replace) and an initiative's gaps."""

from __future__ import annotations

from tests.factories import make_items
from tests.traceability.factories import build_trace_world, make_finding, saved_links

EMPTY = {"findings": [], "components": [], "causal_links": []}


async def test_reading_an_items_links(client, client_as, world):
    t = await build_trace_world(world)
    response = await client.get(f"/api/items/{t.s_find}/links")
    assert response.status_code == 200
    body = response.json()
    assert body["item_id"] == t.s_find
    assert body["findings"] == [
        {"id": t.f_story, "kind": "root_cause", "label": "Fathers are rarely invited"}
    ]
    assert body["components"] == []
    assert [link["id"] for link in body["causal_links"]] == [t.links2[0]]
    assert body["causal_links"][0]["current"] is True
    assert body["flagged"] is False
    old = (await client.get(f"/api/items/{t.s_old}/links")).json()["components"][0]
    assert old["id"] == t.v1[2] and old["latest"] is False and old["profile_number"] == 1
    assert old["label"] == "Partnership (Family voice profile v1)"
    assert (await client.get(f"/api/items/{t.s_stage4}/links")).json()["flagged"] is True
    liaison = await client_as(world.users["liaison"])
    assert (await liaison.get(f"/api/items/{t.s_find}/links")).status_code == 200


async def test_replacing_an_items_links(client_as, world):
    t = await build_trace_world(world)
    member = await client_as(world.users["team_member"])
    body = {"findings": [t.f_unused], "components": [t.v2[0], t.v2[1]], "causal_links": []}
    response = await member.send_json("PUT", f"/api/items/{t.s_find}/links", body)
    assert response.status_code == 200, response.text
    got = response.json()
    assert [f["id"] for f in got["findings"]] == [t.f_unused]
    assert sorted(c["id"] for c in got["components"]) == [t.v2[0], t.v2[1]]
    assert got["causal_links"] == []
    assert await saved_links(t.s_find) == {
        "findings": {t.f_unused},
        "components": {t.v2[0], t.v2[1]},
        "causal_links": set(),
    }
    # Idempotent.
    again = await member.send_json("PUT", f"/api/items/{t.s_find}/links", body)
    assert again.status_code == 200 and again.json() == got


async def test_ids_outside_the_initiative_are_refused_and_nothing_changes(client, world):
    t = await build_trace_world(world)
    foreign = await make_finding(world.other_initiative_id, "Not ours")
    before = await saved_links(t.s_find)
    body = {**EMPTY, "findings": [t.f_unused, foreign], "causal_links": [999_999]}
    response = await client.send_json("PUT", f"/api/items/{t.s_find}/links", body)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors["findings"] == f"Finding {foreign} is not one of this initiative's findings"
    assert errors["causal_links"].startswith("Causal link 999999 is not one")
    assert await saved_links(t.s_find) == before


async def test_bad_bodies_are_refused(client, world):
    t = await build_trace_world(world)
    url = f"/api/items/{t.s_find}/links"
    for body in (
        {"findings": ["x"], "components": [], "causal_links": []},
        {"findings": [0], "components": [], "causal_links": []},
        {"findings": [], "components": []},
        {"findings": [1] * 201, "components": [], "causal_links": []},
    ):
        response = await client.send_json("PUT", url, body)
        assert response.status_code == 422, (body, response.text)
    assert (await client.send_json("PUT", url, [1, 2])).status_code == 400
    assert (await saved_links(t.s_find))["findings"] == {t.f_story}


async def test_roles_and_other_agencies(client, client_as, world):
    t = await build_trace_world(world)
    (theirs,) = await make_items(world.other_initiative_id, 1)
    for role in ("viewer", "liaison"):
        person = await client_as(world.users[role])
        response = await person.send_json("PUT", f"/api/items/{t.s_find}/links", EMPTY)
        assert response.status_code == 403, role
    assert (await client.get(f"/api/items/{theirs}/links")).status_code == 404
    assert (await client.send_json("PUT", f"/api/items/{theirs}/links", EMPTY)).status_code == 404
    assert (
        await client.get(f"/api/initiatives/{world.other_initiative_id}/traceability")
    ).status_code == 404
    assert (await client.get("/api/items/999999/links")).status_code == 404
    assert (await saved_links(t.s_find))["findings"] == {t.f_story}


async def test_the_gaps_as_json(client, world):
    t = await build_trace_world(world)
    response = await client.get(f"/api/initiatives/{world.initiative_id}/traceability")
    assert response.status_code == 200
    body = response.json()
    assert body["rule_on"] is True
    assert body["summary"] == {
        "components": 3,
        "components_with_stories": 2,
        "unused_findings": 1,
        "unlinked_stories": 1,
    }
    stories = {c["component_id"]: [s["id"] for s in c["stories"]] for c in body["components"]}
    assert stories == {t.v2[0]: [], t.v2[1]: [t.s_auth], t.v2[2]: [t.s_old]}
    assert [f["id"] for f in body["unused_findings"]] == [t.f_unused]
    assert [s["id"] for s in body["unlinked_stories"]] == [t.s_stage4]


async def test_the_api_is_described_in_the_openapi_document(client, world):
    doc = (await client.get("/api/schema/openapi.json")).json()
    links = doc["paths"]["/api/items/{item_id}/links"]
    assert set(links) == {"get", "put"}
    body = links["put"]["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/ItemLinksUpdate"}
    assert {"400", "404", "422"} <= set(links["put"]["responses"])
    assert "get" in doc["paths"]["/api/initiatives/{initiative_id}/traceability"]
