"""The JSON API for findings and the theory of change."""

from __future__ import annotations

from backend.exploration import services
from backend.exploration.tables import Finding
from tests.exploration.helpers import finding, saved_finding, theory_with_steps

BODY = {
    "statement": "Fathers are rarely invited",
    "kind": "root_cause",
    "evidence_type": "quantitative",
    "source": "cfsr_data",
    "segment": "Fathers",
    "confidence": "high",
    "found_on": "2026-02-10",
}


async def test_listing_findings_with_the_same_filters_as_the_page(client, world):
    a = await finding(world.initiative_id, "A", kind="root_cause", source="survey", segment="S")
    b = await finding(world.initiative_id, "B", kind="observation", segment="S")
    await finding(world.other_initiative_id, "Theirs")
    url = f"/api/initiatives/{world.initiative_id}/findings"
    response = await client.get(url)
    assert response.status_code == 200
    assert [f["id"] for f in response.json()] == [b, a]
    first = response.json()[1]
    assert first["initiative_id"] == world.initiative_id and first["kind"] == "root_cause"
    assert first["version"] == 1 and first["found_on"] is None
    assert [f["id"] for f in (await client.get(url, params={"kind": "root_cause"})).json()] == [a]
    assert [f["id"] for f in (await client.get(url, params={"source": "survey"})).json()] == [a]
    assert len((await client.get(url, params={"segment": "S"})).json()) == 2
    assert (await client.get(url, params={"segment": "Nobody"})).json() == []
    for bad in ({"kind": "gossip"}, {"source": "x"}, {"segment": "s" * 201}):
        response = await client.get(url, params=bad)
        assert response.status_code in (400, 422), bad
    assert (await client.get("/api/initiatives/999999/findings")).status_code == 404
    other = await client.get(f"/api/initiatives/{world.other_initiative_id}/findings")
    assert other.status_code == 404


async def test_creating_a_finding(client, world):
    url = f"/api/initiatives/{world.initiative_id}/findings"
    response = await client.send_json(
        "POST", url, {**BODY, "initiative_id": world.other_initiative_id, "version": 7}
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["kind"] == "root_cause" and body["found_on"] == "2026-02-10"
    row = await saved_finding(body["id"])
    assert row["initiative"] == world.initiative_id and row["version"] == 1
    assert row["source"] == "cfsr_data" and row["segment"] == "Fathers"
    fetched = await client.get(f"/api/findings/{body['id']}")
    assert fetched.status_code == 200 and fetched.json() == body


async def test_bad_finding_bodies_are_422_or_400_never_500(client, world):
    url = f"/api/initiatives/{world.initiative_id}/findings"
    for bad, field in (
        ({"statement": ""}, "statement"),
        ({"statement": "   "}, "statement"),
        ({}, "statement"),
        ({**BODY, "kind": "gossip"}, "kind"),
        ({**BODY, "found_on": "2026-02-30"}, "found_on"),
        ({**BODY, "found_on": "0500-01-01"}, "found_on"),
        ({**BODY, "statement": "x" * 20_001}, "statement"),
        ({**BODY, "segment": 5}, "segment"),
    ):
        response = await client.send_json("POST", url, bad)
        assert response.status_code == 422, (bad, response.text)
        assert field in response.json()["errors"], (bad, response.json())
    for raw in (b"[1, 2]", b"not json", b"\xff\xfe"):
        token = await client.csrf_token()
        response = await client.post(
            url, content=raw, headers={"x-csrftoken": token, "content-type": "application/json"}
        )
        assert response.status_code == 400, raw
    assert await Finding.count() == 0


async def test_patching_a_finding_needs_the_version_and_a_stale_one_is_409(client, world):
    finding_id = await finding(world.initiative_id, "Original")
    url = f"/api/findings/{finding_id}"
    response = await client.send_json("PATCH", url, {"version": 1, "kind": "root_cause"})
    assert response.status_code == 200 and response.json()["version"] == 2
    row = await saved_finding(finding_id)
    assert row["kind"] == "root_cause" and row["statement"] == "Original"
    response = await client.send_json("PATCH", url, {"version": 1, "statement": "Stale"})
    assert response.status_code == 409
    assert response.json()["current"]["version"] == 2
    assert (await saved_finding(finding_id))["statement"] == "Original"
    response = await client.send_json("PATCH", url, {"statement": "No version"})
    assert response.status_code == 422 and "version" in response.json()["errors"]
    response = await client.send_json("PATCH", url, {"version": 1})
    assert response.status_code == 409
    response = await client.send_json("PATCH", url, {"version": 2, "found_on": None})
    assert response.status_code == 200
    response = await client.send_json("PATCH", url, {"version": 2, "statement": ""})
    assert response.status_code == 422
    assert (
        await client.send_json("PATCH", "/api/findings/999999", {"version": 1})
    ).status_code == 404


async def test_personal_information_in_a_finding_needs_confirming(client, world):
    url = f"/api/initiatives/{world.initiative_id}/findings"
    body = {**BODY, "statement": "Call the father at 617-555-0123"}
    response = await client.send_json("POST", url, body)
    assert response.status_code == 422
    assert "phone number" in response.json()["errors"]["statement"]
    assert await Finding.count() == 0
    response = await client.send_json("POST", url, {**body, "pii_confirmed": True})
    assert response.status_code == 201


async def test_reading_the_current_theory_of_change(client, world):
    url = f"/api/initiatives/{world.initiative_id}/theory-of-change"
    response = await client.get(url)
    assert response.status_code == 404 and "no theory of change yet" in response.json()["detail"]
    a = await finding(world.initiative_id, "A")
    theory, links = await theory_with_steps(world.initiative_id, steps=2, cite=[a])
    await services.new_theory_version(theory, "Second", None)
    body = (await client.get(url)).json()
    assert body["number"] == 2 and body["version_numbers"] == [1, 2]
    assert body["long_term_outcome"] == "Fathers are partners"
    assert [link["condition"] for link in body["links"]] == ["step 1 happens", "step 2 happens"]
    assert body["links"][0]["finding_ids"] == [a] and body["links"][0]["id"] not in links
    assert [x["text"] for x in body["assumptions"]] == [
        "Supervisors have time to coach",
        "Fathers can be reached",
    ]
    assert (
        await client.get(f"/api/initiatives/{world.other_initiative_id}/theory-of-change")
    ).status_code == 404


async def test_api_writes_are_refused_to_viewers_liaisons_and_other_agencies(client_as, world):
    finding_id = await finding(world.initiative_id, "Ours")
    for role, status in (("viewer", 403), ("liaison", 403), ("other_lead", 404)):
        person = await client_as(world.users[role])
        response = await person.send_json(
            "POST", f"/api/initiatives/{world.initiative_id}/findings", BODY
        )
        assert response.status_code == status, role
        response = await person.send_json(
            "PATCH", f"/api/findings/{finding_id}", {"version": 1, "statement": "x"}
        )
        assert response.status_code == status, role
        read = await person.get(f"/api/findings/{finding_id}")
        assert read.status_code == (404 if role == "other_lead" else 200), role
    member = await client_as(world.users["team_member"])
    response = await member.send_json(
        "PATCH", f"/api/findings/{finding_id}", {"version": 1, "statement": "By a member"}
    )
    assert response.status_code == 200
    assert (await saved_finding(finding_id))["statement"] == "By a member"
