"""The JSON API for interventions and practice profiles."""

from __future__ import annotations

from backend.practice.tables import PracticeProfile
from tests.practice.build import make_intervention, make_profile, set_status


async def test_listing_interventions_with_their_versions(client, world):
    made = await make_profile(world.initiative_id, components=1, behaviours=1)
    await set_status(made["profile_id"], "approved")
    await make_intervention(world.initiative_id, "Kinship first")
    await make_intervention(world.other_initiative_id, "Not ours")
    response = await client.get(f"/api/initiatives/{world.initiative_id}/interventions")
    assert response.status_code == 200
    body = response.json()
    assert [i["name"] for i in body] == ["Fathers as partners", "Kinship first"]
    assert body[0]["approach"] == "design" and body[0]["evidence_level"] == "Promising"
    assert body[0]["profiles"] == [{"id": made["profile_id"], "number": 1, "status": "approved"}]
    assert body[1]["profiles"] == []
    assert (await client.get("/api/initiatives/999999/interventions")).status_code == 404


async def test_a_profile_comes_back_whole(client, world):
    made = await make_profile(world.initiative_id, components=2, behaviours=2)
    response = await client.get(f"/api/profiles/{made['profile_id']}")
    assert response.status_code == 200
    body = response.json()
    assert body["number"] == 1 and body["status"] == "draft"
    assert body["intervention_name"] == "Fathers as partners"
    assert body["initiative_id"] == world.initiative_id
    assert [(lv["label"], lv["meets_fidelity"]) for lv in body["levels"]] == [
        ("Optimal", True),
        ("Developmental", False),
        ("Unacceptable", False),
    ]
    assert [c["name"] for c in body["components"]] == ["Component 1", "Component 2"]
    behaviour = body["components"][1]["behaviours"][0]
    assert behaviour["text"] == "Behaviour 2.1" and behaviour["role"] == "Worker"
    assert len(behaviour["lineage"]) == 32
    assert [d["text"] for d in behaviour["descriptors"]] == [
        "Optimal for 2.1",
        "Developmental for 2.1",
        "Unacceptable for 2.1",
    ]
    assert [d["level_id"] for d in behaviour["descriptors"]] == made["level_ids"]
    for url in ("/api/profiles/999999", "/api/profiles/99999999999"):
        assert (await client.get(url)).status_code == 404


async def test_a_new_version_through_the_api(client, world):
    made = await make_profile(world.initiative_id, components=2, behaviours=1)
    v1 = made["profile_id"]
    url = f"/api/profiles/{v1}/new-version"
    response = await client.send_json("POST", url, {"change_note": "From a script"})
    assert response.status_code == 201
    body = response.json()
    assert body["number"] == 2 and body["status"] == "draft"
    assert body["change_note"] == "From a script"
    old = (await client.get(f"/api/profiles/{v1}")).json()
    assert [c["lineage"] for c in body["components"]] == [c["lineage"] for c in old["components"]]
    assert [c["id"] for c in body["components"]] != [c["id"] for c in old["components"]]
    # From an older version: 409 with the reason.
    response = await client.send_json("POST", url, {"change_note": "Again"})
    assert response.status_code == 409
    assert "not the latest" in response.json()["detail"]
    v2 = body["id"]
    url = f"/api/profiles/{v2}/new-version"
    response = await client.send_json("POST", url, {"change_note": "  "})
    assert response.status_code == 422
    assert response.json()["errors"] == {"change_note": "Enter what changes in this version"}
    assert (await client.send_json("POST", url, {})).status_code == 422
    assert (await client.send_json("POST", url, {"change_note": 5})).status_code == 422
    assert (await client.send_json("POST", url, ["x"])).status_code == 400
    response = await client.post(
        url, content=b"{not json", headers={"x-csrftoken": await client.csrf_token()}
    )
    assert response.status_code == 400
    assert await PracticeProfile.count() == 2


async def test_the_api_obeys_the_roles(client_as, world):
    made = await make_profile(world.initiative_id, components=1, behaviours=1)
    v1 = made["profile_id"]
    for role in ("viewer", "liaison"):
        person = await client_as(world.users[role])
        assert (await person.get(f"/api/profiles/{v1}")).status_code == 200
        response = await person.send_json(
            "POST", f"/api/profiles/{v1}/new-version", {"change_note": "No"}
        )
        assert response.status_code == 403
    outsider = await client_as(world.users["other_lead"])
    assert (await outsider.get(f"/api/profiles/{v1}")).status_code == 404
    response = await outsider.get(f"/api/initiatives/{world.initiative_id}/interventions")
    assert response.status_code == 404
    response = await outsider.send_json(
        "POST", f"/api/profiles/{v1}/new-version", {"change_note": "No"}
    )
    assert response.status_code == 404
    member = await client_as(world.users["team_member"])
    # A browser session must send the CSRF header to write through the API.
    response = await member.post(f"/api/profiles/{v1}/new-version", json={"change_note": "x"})
    assert response.status_code == 403
    response = await member.send_json(
        "POST", f"/api/profiles/{v1}/new-version", {"change_note": "Member's"}
    )
    assert response.status_code == 201
    assert await PracticeProfile.count() == 2
