"""The JSON API for PDSA cycles: the list, one cycle, and planning a new one (201),
with the plan form's rules and the personal-information guard."""

from __future__ import annotations

from backend.pdsa import services
from backend.pdsa.tables import PdsaCycle
from tests.factories import make_items
from tests.pdsa.build import decided, make_cycle, make_site


async def test_planning_a_cycle_through_the_api(client, world):
    site_id = await make_site(world.agency_id)
    url = f"/api/initiatives/{world.initiative_id}/pdsa-cycles"
    response = await client.send_json(
        "POST",
        url,
        {
            "change_idea": "Call fathers",
            "objective": "Learn",
            "prediction": "Half come",
            "site_id": site_id,
            "start_date": "2026-03-02",
            "end_date": "2026-03-13",
            "initiative_id": world.other_initiative_id,  # ignored
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["change_idea"] == "Call fathers" and body["initiative_id"] == world.initiative_id
    assert body["site_id"] == site_id and body["site_name"] == "North Area Office"
    assert body["phase"] == "do" and body["start_date"] == "2026-03-02"
    assert body["previous_cycle_id"] is None and body["next_cycle_ids"] == []
    assert body["version"] == 1 and body["act_decision"] == ""
    saved = (await PdsaCycle.select().where(PdsaCycle.id == body["id"]))[0]
    assert saved["created_by"] == world.lead


async def test_the_api_refuses_a_bad_plan_with_a_message_per_field(client, world):
    url = f"/api/initiatives/{world.initiative_id}/pdsa-cycles"
    theirs = await make_site(world.other_agency_id, "Their Office")
    response = await client.send_json("POST", url, {"change_idea": " "})
    assert response.status_code == 422
    assert response.json()["errors"] == {"change_idea": "Enter change idea"}
    response = await client.send_json(
        "POST", url, {"change_idea": "x", "start_date": "2026-03-13", "end_date": "2026-03-01"}
    )
    assert response.status_code == 422 and "end_date" in response.json()["errors"]
    response = await client.send_json("POST", url, {"change_idea": "x", "site_id": theirs})
    assert response.status_code == 422
    assert response.json()["errors"] == {"site_id": "Choose a site of this agency from the list"}
    response = await client.send_json("POST", url, {"change_idea": "x", "start_date": "soon"})
    assert response.status_code == 422 and "start_date" in response.json()["errors"]
    response = await client.send_json("POST", url, {})
    assert response.status_code == 422 and "change_idea" in response.json()["errors"]
    response = await client.send_json("POST", url, ["not", "an", "object"])
    assert response.status_code == 400
    response = await client.send_json(
        "POST", url, {"change_idea": "x", "observations": "ignored", "site_id": 2**40}
    )
    assert response.status_code == 422
    response = await client.send_json("POST", url, {"change_idea": "Email dad@example.com"})
    assert response.status_code == 422
    assert "pii_confirmed" in response.json()["errors"]["change_idea"]
    assert await PdsaCycle.count() == 0
    response = await client.send_json(
        "POST", url, {"change_idea": "Email dad@example.com", "pii_confirmed": True}
    )
    assert response.status_code == 201


async def test_the_api_lists_the_cycles_with_their_links_and_reads_one(client, world):
    first = await decided(world.initiative_id, "adapt")
    items = await make_items(world.initiative_id, 2)
    await services.link(first, items, [])
    second = await services.start_next(first)
    await make_cycle(world.other_initiative_id, "Their idea")
    response = await client.get(f"/api/initiatives/{world.initiative_id}/pdsa-cycles")
    assert response.status_code == 200
    body = {c["id"]: c for c in response.json()}
    assert set(body) == {first, second}
    assert body[first]["phase"] == "done" and body[first]["act_decision"] == "adapt"
    assert sorted(body[first]["backlog_item_ids"]) == sorted(items)
    assert body[second]["previous_cycle_id"] == first and body[second]["phase"] == "plan"
    one = (await client.get(f"/api/pdsa-cycles/{first}")).json()
    assert one["next_cycle_ids"] == [second] and one["study"] == "A third came"
    assert (await client.get("/api/pdsa-cycles/999999")).status_code == 404
    assert (await client.get("/api/initiatives/999999/pdsa-cycles")).status_code == 404
