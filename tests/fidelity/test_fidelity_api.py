"""The fidelity JSON API: record an assessment (201), read it back, and the 422s for
ratings that do not belong to the profile version; same roles as the pages."""

from __future__ import annotations

from backend.fidelity.tables import FidelityAssessment
from backend.practice import services as practice_services
from tests.fidelity.build import make_sites, rateable_profile, second_version, version_of
from tests.practice.build import make_profile


def _body(version, site_id, ratings, **extra) -> dict:
    return {
        "profile_id": version.id,
        "site_id": site_id,
        "method": "interview",
        "assessed_on": "2025-04-02",
        "assessor": "Dana Reyes",
        "ratings": ratings,
        **extra,
    }


async def test_an_assessment_is_recorded_and_read_back(client, world):
    v1 = await rateable_profile(world.initiative_id)
    v2 = await second_version(v1)
    whole = await practice_services.add_component(v2.id, {"name": "Teaming", "description": ""})
    v2 = await version_of(v2.id)
    (north,) = await make_sites(world.agency_id, "North Area Office")
    ratings = [
        {"behaviour_id": v2.behaviours[0][0], "level_id": v2.optimal},
        {"behaviour_id": v2.behaviours[1][1], "level_id": v2.developmental},
        {"component_id": whole, "level_id": v2.optimal},
    ]
    url = f"/api/initiatives/{world.initiative_id}/fidelity-assessments"
    response = await client.send_json("POST", url, _body(v2, north, ratings, notes="Good"))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["profile_number"] == 2
    assert body["intervention_name"] == "Fathers as partners"
    assert body["site_name"] == "North Area Office"
    assert body["method"] == "interview"
    assert body["assessed_on"] == "2025-04-02"
    assert (body["met"], body["rated"]) == (2, 3)
    got = {
        (r["behaviour_id"], r["component_id"], r["level_label"], r["meets_fidelity"])
        for r in body["ratings"]
    }
    assert got == {
        (v2.behaviours[0][0], v2.components[0], "Optimal", True),
        (v2.behaviours[1][1], v2.components[1], "Developmental", False),
        (None, whole, "Optimal", True),
    }
    again = await client.get(f"/api/fidelity-assessments/{body['id']}")
    assert again.status_code == 200
    assert again.json() == body
    rollup = (
        await client.get(f"/api/initiatives/{world.initiative_id}/fidelity?period=quarter")
    ).json()
    assert (rollup["met"], rollup["rated"]) == (2, 3)
    assert rollup["periods"] == ["2025-Q2"]


async def test_ratings_that_do_not_belong_to_the_version_are_refused(client, world):
    version = await rateable_profile(world.initiative_id)
    other = await rateable_profile(world.initiative_id)
    (north,) = await make_sites(world.agency_id, "North Area Office")
    (theirs,) = await make_sites(world.other_agency_id, "Their office")
    draft = await make_profile(world.initiative_id, components=1, behaviours=1)
    mine = {"behaviour_id": version.behaviours[0][0], "level_id": version.optimal}
    url = f"/api/initiatives/{world.initiative_id}/fidelity-assessments"
    cases = {
        "a level of another profile": (
            _body(version, north, [{**mine, "level_id": other.optimal}]),
            "ratings",
            "Choose a level of version 1 for “Behaviour 1.1”",
        ),
        "a behaviour of another profile": (
            _body(
                version,
                north,
                [mine, {"behaviour_id": other.behaviours[0][0], "level_id": version.optimal}],
            ),
            "ratings",
            f"Practice behaviour {other.behaviours[0][0]} is not a row of version 1",
        ),
        "a component that has behaviours": (
            _body(
                version,
                north,
                [{"component_id": version.components[0], "level_id": version.optimal}],
            ),
            "ratings",
            "rated behaviour by behaviour",
        ),
        "both ids on one rating": (
            _body(version, north, [{**mine, "component_id": version.components[0]}]),
            "ratings",
            "Give each rating a behaviour_id or a component_id",
        ),
        "a row rated twice": (
            _body(version, north, [mine, mine]),
            "ratings",
            "rated more than once",
        ),
        "no ratings": (_body(version, north, []), "ratings", "Rate at least one"),
        "a future date": (
            _body(version, north, [mine], assessed_on="2999-01-01"),
            "assessed_on",
            "today or earlier",
        ),
        "another agency's site": (_body(version, theirs, [mine]), "site_id", "agency's sites"),
        "a draft version": (
            {**_body(version, north, [mine]), "profile_id": draft["profile_id"]},
            "profile_id",
            "being tested or approved",
        ),
        "an unknown method": (
            _body(version, north, [mine], method="guess"),
            "method",
            "Choose method",
        ),
        "an id too large for a row": (
            _body(version, north, [{**mine, "level_id": 2**40}]),
            "ratings",
            "Each rating needs the level_id of a continuum level",
        ),
        "personal information in the notes": (
            _body(version, north, [mine], notes="Call 617-555-0123"),
            "notes",
            "pii_confirmed",
        ),
    }
    for name, (body, field, words) in cases.items():
        response = await client.send_json("POST", url, body)
        assert response.status_code == 422, (name, response.status_code, response.text)
        errors = response.json()["errors"]
        assert field in errors, (name, errors)
        assert words in errors[field], (name, errors)
    assert await FidelityAssessment.count() == 0
    unreadable = await client.send_json("POST", url, ["not", "an", "object"])
    assert unreadable.status_code == 400
    confirmed = _body(version, north, [mine], notes="Call 617-555-0123", pii_confirmed=True)
    assert (await client.send_json("POST", url, confirmed)).status_code == 201


async def test_the_api_keeps_the_roles(client_as, world):
    version = await rateable_profile(world.initiative_id)
    (north,) = await make_sites(world.agency_id, "North Area Office")
    body = _body(
        version, north, [{"behaviour_id": version.behaviours[0][0], "level_id": version.optimal}]
    )
    url = f"/api/initiatives/{world.initiative_id}/fidelity-assessments"
    member = await client_as(world.users["team_member"])
    made = await member.send_json("POST", url, body)
    assert made.status_code == 201
    one = f"/api/fidelity-assessments/{made.json()['id']}"
    rollup = f"/api/initiatives/{world.initiative_id}/fidelity"
    for role in ("viewer", "liaison"):
        person = await client_as(world.users[role])
        assert (await person.send_json("POST", url, body)).status_code == 403, role
        assert (await person.get(one)).status_code == 200, role
        assert (await person.get(rollup)).status_code == 200, role
    outsider = await client_as(world.users["other_lead"])
    assert (await outsider.send_json("POST", url, body)).status_code == 404
    assert (await outsider.get(one)).status_code == 404
    assert (await outsider.get(rollup)).status_code == 404
    anonymous = await client_as()
    assert (await anonymous.get(one)).status_code == 401
    assert (await anonymous.get("/api/fidelity-assessments/999999")).status_code == 401
    assert (await member.get("/api/fidelity-assessments/999999")).status_code == 404
    assert await FidelityAssessment.count() == 1
