"""The PIP API: a plan with its computed statuses, and changing a key activity
(DATA-01 409 with the activity as saved, PII-01, roles)."""

from __future__ import annotations

from datetime import date

from backend.pip import services as pip
from backend.scrum import services as scrum
from tests.pip.build import activity_row, make_plan, set_today


async def test_reading_a_plan_with_statuses_from_the_board(client, client_as, world):
    set_today(date(2026, 6, 15))
    plan = await make_plan(world)
    item = await pip.add_to_backlog(plan.activities[0], 1, world.initiative_id)
    await scrum.move_item(item, world.done)
    response = await client.get(f"/api/pips/{plan.pip}")
    assert response.status_code == 200
    body = response.json()
    assert body["title"] == "Round 4 PIP" and body["agency_id"] == world.agency_id
    assert body["effective_date"] == "2026-01-01"
    assert body["implementation_end"] == "2028-01-01"
    assert body["non_overlapping_year_end"] == "2029-01-01"
    (goal,) = body["goals"]
    assert goal["number"] == "1" and goal["cfsr_item"] == 7
    (strategy,) = goal["strategies"]
    first, second = strategy["activities"]
    assert first == {
        "id": plan.activities[0],
        "strategy_id": plan.strategy,
        "number": "1.1.1",
        "title": "Key activity 1",
        "owner_id": world.users["team_member"],
        "owner_name": "Team Member",
        "target_date": "2026-09-30",
        "status": "completed",
        "status_set": "not_started",
        "status_from_board": True,
        "status_reason": f"#{item} is in Done",
        "days_late": None,
        "evidence": "",
        "item_id": item,
        "version": 2,
    }
    assert second["status"] == "not_started" and second["status_from_board"] is False
    assert body["activity_counts"] == [
        {"status": "not_started", "count": 1},
        {"status": "on_schedule", "count": 0},
        {"status": "behind", "count": 0},
        {"status": "completed", "count": 1},
        {"status": "renegotiated", "count": 0},
    ]
    (line,) = body["measurements"]
    assert line["cfsr_item"] == 7 and line["baseline"] == 60 and line["goal"] == 70
    assert line["verdict"] == "No Tandem measure linked" and line["goal_met"] is None
    liaison = await client_as(world.users["liaison"])
    assert (await liaison.get(f"/api/pips/{plan.pip}")).status_code == 200
    outsider = await client_as(world.users["other_lead"])
    assert (await outsider.get(f"/api/pips/{plan.pip}")).status_code == 404
    assert (await client.get("/api/pips/999999")).status_code == 404


async def test_a_team_member_changes_a_key_activity(client_as, world):
    set_today(date(2026, 6, 15))
    plan = await make_plan(world)
    activity = plan.activities[1]
    url = f"/api/pip-activities/{activity}"
    member = await client_as(world.users["team_member"])
    response = await member.send_json(
        "PATCH",
        url,
        {"version": 1, "status": "on_schedule", "evidence": "Plan **drafted**"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "on_schedule" and body["evidence"] == "Plan **drafted**"
    assert body["number"] == "1.1.2" and body["version"] == 2
    assert body["target_date"] == "2026-09-30"  # not sent: unchanged
    response = await member.send_json("PATCH", url, {"version": 2, "target_date": None})
    assert response.json()["target_date"] is None
    row = await activity_row(activity)
    assert row["status"] == "on_schedule" and row["target_date"] is None and row["version"] == 3

    # Stale: 409 with the activity as it is now, nothing changed.
    response = await member.send_json("PATCH", url, {"version": 1, "status": "completed"})
    assert response.status_code == 409
    assert response.json()["current"]["version"] == 3
    assert response.json()["current"]["status"] == "on_schedule"
    response = await member.send_json("PATCH", url, {"version": 1})
    assert response.status_code == 409
    assert (await activity_row(activity))["status"] == "on_schedule"

    # PII-01 in the evidence, then confirmed.
    phone = {"version": 3, "evidence": "Called 617-555-0134"}
    response = await member.send_json("PATCH", url, phone)
    assert response.status_code == 422
    assert '"pii_confirmed": true' in response.json()["errors"]["evidence"]
    response = await member.send_json("PATCH", url, {**phone, "pii_confirmed": True})
    assert response.status_code == 200

    # Bad bodies.
    for bad in (
        {"version": 4, "status": "sideways"},
        {"version": 4, "target_date": "2026-13-01"},
        {"version": 4, "evidence": "x" * 20_001},
        {"status": "completed"},
        {"version": 0},
    ):
        response = await member.send_json("PATCH", url, bad)
        assert response.status_code == 422, (bad, response.text)
    assert (await member.send_json("PATCH", url, [1])).status_code == 400
    assert (await activity_row(activity))["version"] == 4


async def test_viewers_liaisons_and_other_agencies_cannot_change_activities(client_as, world):
    plan = await make_plan(world)
    url = f"/api/pip-activities/{plan.activities[0]}"
    for role, status in (("viewer", 403), ("liaison", 403), ("other_lead", 404)):
        person = await client_as(world.users[role])
        response = await person.send_json("PATCH", url, {"version": 1, "status": "completed"})
        assert response.status_code == status, role
    assert (await activity_row(plan.activities[0]))["status"] == "not_started"
