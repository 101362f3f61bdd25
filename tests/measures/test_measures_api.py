"""The measures API: the list, one measure with its points and analysis, adding a point."""

from __future__ import annotations

from datetime import date

from backend.measures.tables import DataPoint
from tests.measures.build import BASELINE, SHIFTED, add_values, make_measure


async def test_the_list_gives_each_measure_with_its_latest_point_and_signals(client, world):
    measure_id = await make_measure(world.initiative_id)
    await add_values(measure_id, BASELINE + SHIFTED)
    await make_measure(world.initiative_id, name="Another", kind="process")
    response = await client.get(f"/api/initiatives/{world.initiative_id}/measures")
    assert response.status_code == 200
    body = response.json()
    assert [m["name"] for m in body] == ["Another", "Kinship placements"]
    kinship = body[1]
    assert kinship["id"] == measure_id and kinship["point_count"] == 17
    assert kinship["latest"]["period_start"] == "2026-05-01"
    assert kinship["latest"]["value"] == 46.0 and kinship["latest"]["label"] == "May 2026"
    (shift,) = kinship["signals"]
    assert shift["rule"] == "shift" and shift["periods"][0] == "2025-11-01"
    assert shift["text"].startswith("Shift: 7 points in a row above the median")
    assert body[0]["latest"] is None and body[0]["signals"] == []


async def test_one_measure_with_its_points_and_analysis(client, world):
    measure_id = await make_measure(world.initiative_id, definition="Children placed with kin")
    await add_values(measure_id, BASELINE + SHIFTED)
    response = await client.get(f"/api/measures/{measure_id}")
    assert response.status_code == 200
    body = response.json()
    assert body["definition"] == "Children placed with kin" and body["baseline_points"] == 10
    assert [p["value"] for p in body["points"]] == [float(v) for v in BASELINE + SHIFTED]
    analysis = body["analysis"]
    assert analysis["median"] == 30.0 and analysis["baseline_frozen"] is True
    assert analysis["useful"] == 15 and analysis["runs_lower"] == 4
    assert analysis["limits"] == "15 useful observations: runs expected between 4 and 9"
    assert [s["rule"] for s in analysis["signals"]] == ["shift"]


async def test_adding_a_point(client, world):
    measure_id = await make_measure(world.initiative_id, is_rate=True)
    url = f"/api/measures/{measure_id}/points"
    response = await client.send_json(
        "POST", url, {"period": "2025-03-17", "numerator": 12, "denominator": 40}
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["period_start"] == "2025-03-01" and body["value"] == 30.0
    assert body["source"] == "entered" and body["version"] == 1
    row = (await DataPoint.select().where(DataPoint.id == body["id"]))[0]
    assert row["numerator"] == 12 and row["updated_by"] == world.lead


async def test_bad_points_get_422_and_a_taken_period_409(client, world):
    measure_id = await make_measure(world.initiative_id)
    url = f"/api/measures/{measure_id}/points"
    response = await client.send_json("POST", url, {"period": "2025-01-01"})
    assert response.status_code == 422
    assert response.json()["errors"] == {"value": "Enter value"}
    response = await client.send_json("POST", url, {"period": "March", "value": 3})
    assert response.status_code == 422 and "period" in response.json()["errors"]
    response = await client.send_json("POST", url, {"period": "2025-01-01", "value": "n/a"})
    assert response.status_code == 422 and "value" in response.json()["errors"]
    response = await client.send_json("POST", url, {"value": 3})
    assert response.status_code == 422 and "period" in response.json()["errors"]
    response = await client.send_json(
        "POST", url, {"period": "2025-01-01", "value": 3, "annotation": "Call 617-555-0134"}
    )
    assert response.status_code == 422
    assert "pii_confirmed" in response.json()["errors"]["annotation"]
    response = await client.send_json("POST", url, [1, 2])
    assert response.status_code == 400
    assert await DataPoint.count() == 0
    response = await client.send_json("POST", url, {"period": "2025-01-01", "value": 3})
    assert response.status_code == 201
    response = await client.send_json("POST", url, {"period": "2025-01-31", "value": 4})
    assert response.status_code == 409
    assert "2025-01 already has a value" in response.json()["detail"]
    assert await DataPoint.count() == 1


async def test_the_api_keeps_the_same_permissions_as_the_pages(client_as, world):
    measure_id = await make_measure(world.initiative_id)
    await add_values(measure_id, [1, 2])
    body = {"period": "2025-06-01", "value": 3}
    for role in ("viewer", "liaison"):
        person = await client_as(world.users[role])
        assert (await person.get(f"/api/measures/{measure_id}")).status_code == 200
        listed = await person.get(f"/api/initiatives/{world.initiative_id}/measures")
        assert listed.status_code == 200
        response = await person.send_json("POST", f"/api/measures/{measure_id}/points", body)
        assert response.status_code == 403
    outsider = await client_as(world.users["other_lead"])
    assert (await outsider.get(f"/api/measures/{measure_id}")).status_code == 404
    listed = await outsider.get(f"/api/initiatives/{world.initiative_id}/measures")
    assert listed.status_code == 404
    response = await outsider.send_json("POST", f"/api/measures/{measure_id}/points", body)
    assert response.status_code == 404
    member = await client_as(world.users["team_member"])
    response = await member.send_json("POST", f"/api/measures/{measure_id}/points", body)
    assert response.status_code == 201
    anonymous = await client_as()
    assert (await anonymous.get(f"/api/measures/{measure_id}")).status_code == 401
    assert await DataPoint.count() == 3
    assert await DataPoint.select().where(DataPoint.period_start == date(2025, 6, 1))
