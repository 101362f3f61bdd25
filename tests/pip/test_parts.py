"""The parts of a plan: goals, strategies and the measurement plan (the agency lead's),
key activities (the team's), with 422s that keep what was typed and stale 409s."""

from __future__ import annotations

from datetime import date

from backend.cfsr.tables import CfsrItem
from backend.pip.tables import PipActivity, PipGoal, PipMeasurement, PipStrategy
from tests.cfsr.build import make_measure
from tests.pip.build import activity_row, make_plan, text_of


async def _goal(goal_id: int) -> dict:
    rows = await PipGoal.select(
        PipGoal.text, PipGoal.version, PipGoal.cfsr_item.number.as_alias("number")
    ).where(PipGoal.id == goal_id)
    return rows[0] if rows else {}


async def test_the_lead_adds_goals_and_strategies_numbered_in_order(client, world):
    plan = await make_plan(world, activities=1)
    response = await client.post_form(
        f"/pips/{plan.pip}/goals/new", {"text": "Relatives first", "cfsr_item": "10"}
    )
    assert response.status_code == 303
    second = (await PipGoal.select(PipGoal.id).order_by(PipGoal.id))[-1]["id"]
    assert response.headers["location"] == f"/pips/{plan.pip}#goal-{second}"
    assert (await _goal(second))["number"] == 10
    response = await client.post_form(
        f"/pip-goals/{second}/strategies/new", {"text": "Search for kin at removal"}
    )
    assert response.status_code == 303
    strategy = (await PipStrategy.select(PipStrategy.id).order_by(PipStrategy.id))[-1]["id"]
    response = await client.post_form(
        f"/pip-strategies/{strategy}/activities/new", {"title": "Train on kin search"}
    )
    assert response.status_code == 303
    text = text_of((await client.get(f"/pips/{plan.pip}")).text)
    assert "Goal 1: Keep siblings together" in text
    assert "Goal 2: Relatives first Works toward CFSR item 10: Relative Placement" in text
    assert "Strategy 2.1: Search for kin at removal" in text
    assert "2.1.1 Train on kin search" in text and "1.1.1 Key activity 1" in text


async def test_a_refused_goal_keeps_what_was_typed(client, world):
    plan = await make_plan(world)
    url = f"/pips/{plan.pip}/goals/new"
    response = await client.post_form(url, {"text": "", "cfsr_item": "40"})
    assert response.status_code == 422
    assert "Enter goal" in response.text and "Choose a CFSR item from the list" in response.text
    response = await client.post_form(url, {"text": "Typed goal", "cfsr_item": "abc"})
    assert response.status_code == 422 and "Typed goal" in response.text
    response = await client.post_form(
        url, {"text": "Born 3/4/2015, DOB 3/4/2015", "cfsr_item": "7"}
    )
    assert response.status_code == 422
    assert 'name="pii_confirmed"' in response.text
    assert '<option value="7" selected>' in response.text
    assert await PipGoal.count() == 1
    response = await client.post_form(
        url, {"text": "DOB 3/4/2015 is a test", "cfsr_item": "7", "pii_confirmed": "yes"}
    )
    assert response.status_code == 303
    assert await PipGoal.count() == 2


async def test_editing_a_goal_and_stale_edits_and_deletes_get_409(client, world):
    plan = await make_plan(world)
    page = await client.get(f"/pip-goals/{plan.goal}/edit")
    assert '<option value="7" selected>' in page.text
    assert "Its 1 strategy and 2 key activities go with it" in text_of(page.text)
    form = {"text": "Keep sibling groups together", "cfsr_item": "", "version": 1}
    response = await client.post_form(f"/pip-goals/{plan.goal}/edit", form)
    assert response.status_code == 303
    assert await _goal(plan.goal) == {
        "text": "Keep sibling groups together",
        "version": 2,
        "number": None,
    }
    response = await client.post_form(f"/pip-goals/{plan.goal}/edit", {**form, "text": "Mine"})
    assert response.status_code == 409
    assert "Someone else changed this goal" in response.text and "Mine" in response.text
    assert 'name="version" value="2"' in response.text
    response = await client.post_form(f"/pip-goals/{plan.goal}/delete", {"version": 1})
    assert response.status_code == 409
    assert "nothing was deleted" in response.text
    assert (await _goal(plan.goal))["version"] == 2
    response = await client.post_form(f"/pip-goals/{plan.goal}/delete", {"version": 2})
    assert response.status_code == 303 and response.headers["location"] == f"/pips/{plan.pip}"
    # Its strategy and key activities went with it.
    assert await PipGoal.count() == 0 and await PipStrategy.count() == 0
    assert await PipActivity.count() == 0


async def test_strategies_edit_and_delete(client, world):
    plan = await make_plan(world)
    url = f"/pip-strategies/{plan.strategy}/edit"
    assert "Its 2 key activities go with it" in text_of((await client.get(url)).text)
    response = await client.post_form(url, {"text": "", "version": 1})
    assert response.status_code == 422 and "Enter strategy" in response.text
    response = await client.post_form(url, {"text": "Recruit homes for siblings", "version": 1})
    assert response.status_code == 303
    assert response.headers["location"] == f"/pips/{plan.pip}#strategy-{plan.strategy}"
    response = await client.post_form(url, {"text": "Stale", "version": 1})
    assert response.status_code == 409
    response = await client.post_form(f"/pip-strategies/{plan.strategy}/delete", {"version": 2})
    assert response.status_code == 303
    assert await PipStrategy.count() == 0 and await PipActivity.count() == 0


async def test_the_measurement_plan(client, world):
    plan = await make_plan(world)
    measure = await make_measure(world.initiative_id, "Siblings together (monthly)", 7)
    theirs = await make_measure(world.other_initiative_id, "Their measure")
    url = f"/pips/{plan.pip}/measurements/new"
    page = await client.get(url)
    assert "Siblings together (monthly)" in page.text and "Their measure" not in page.text
    form = {
        "cfsr_item": "",
        "label": "",
        "baseline": "30 percent",
        "goal": "20",
        "renegotiated_goal": "",
        "period": "FFY 2028",
        "measure": str(theirs),
    }
    response = await client.post_form(url, form)
    assert response.status_code == 422
    assert "Baseline must be a number like 12.5" in response.text
    assert "Choose a CFSR item or say what is measured" in response.text
    assert 'value="30 percent"' in response.text and 'value="FFY 2028"' in response.text
    response = await client.post_form(url, {**form, "baseline": "30", "label": "Re-entry"})
    assert response.status_code == 422
    assert "Choose a measure of this agency" in response.text
    response = await client.post_form(
        url, {**form, "baseline": "30.5", "label": "Re-entry", "measure": str(measure)}
    )
    assert response.status_code == 303
    line = (await PipMeasurement.select().order_by(PipMeasurement.id))[-1]
    assert line["baseline"] == 30.5 and line["goal"] == 20 and line["renegotiated_goal"] is None
    assert line["measure"] == measure and line["cfsr_item"] is None
    edit = f"/pip-measurements/{line['id']}/edit"
    page = await client.get(edit)
    assert 'value="30.5"' in page.text and f'<option value="{measure}" selected>' in page.text
    plan_page = await client.get(f"/pips/{plan.pip}")
    assert f'href="/measures/{measure}">Siblings together (monthly)</a>' in plan_page.text
    response = await client.post_form(
        edit,
        {
            **form,
            "baseline": "30",
            "label": "Re-entry",
            "renegotiated_goal": "22",
            "measure": "",
            "version": 1,
        },
    )
    assert response.status_code == 303
    line = (await PipMeasurement.select().where(PipMeasurement.id == line["id"]))[0]
    assert line["renegotiated_goal"] == 22 and line["measure"] is None
    text = text_of((await client.get(f"/pips/{plan.pip}")).text)
    assert "Re-entry 30 20 22 FFY 2028" in text
    response = await client.post_form(f"/pip-measurements/{line['id']}/delete", {"version": 2})
    assert response.status_code == 303
    assert await PipMeasurement.count() == 1


async def test_team_members_add_and_edit_key_activities(client_as, world):
    plan = await make_plan(world)
    member = await client_as(world.users["team_member"])
    url = f"/pip-strategies/{plan.strategy}/activities/new"
    page = await member.get(url)
    assert page.status_code == 200 and "Team Member" in page.text
    response = await member.post_form(
        url,
        {
            "title": "Sibling placement review",
            "owner": str(world.users["other_lead"]),
            "target_date": "2026-13-01",
            "status": "sideways",
            "evidence": "Kept",
        },
    )
    assert response.status_code == 422
    assert "Target date must be a real date" in response.text
    assert "Choose status from the list" in response.text
    assert "Kept</textarea>" in response.text
    response = await member.post_form(
        url,
        {
            "title": "Sibling placement review",
            "owner": str(world.users["other_lead"]),
            "target_date": "2026-10-01",
            "status": "on_schedule",
        },
    )
    assert response.status_code == 422
    assert "Choose an owner from the agency" in response.text
    response = await member.post_form(
        url,
        {
            "title": "Sibling placement review",
            "owner": str(world.users["scrum_master"]),
            "target_date": "2026-10-01",
            "status": "on_schedule",
            "evidence": "Review **template** drafted",
        },
    )
    assert response.status_code == 303
    activity = (await PipActivity.select(PipActivity.id).order_by(PipActivity.id))[-1]["id"]
    row = await activity_row(activity)
    assert row["owner"] == world.users["scrum_master"] and row["status"] == "on_schedule"
    assert row["target_date"] == date(2026, 10, 1)
    page = await member.get(f"/pips/{plan.pip}")
    assert "<strong>template</strong>" in page.text
    assert "1.1.3 Sibling placement review" in text_of(page.text)

    edit = f"/pip-activities/{activity}/edit"
    form = {
        "title": "Sibling placement review",
        "owner": "",
        "target_date": "",
        "status": "completed",
        "evidence": "Call 617-555-0134 for the file",
        "version": 1,
    }
    response = await member.post_form(edit, form)
    assert response.status_code == 422 and "looks like personal information" in response.text
    assert "Call 617-555-0134 for the file</textarea>" in response.text
    response = await member.post_form(edit, {**form, "evidence": "Reviews done in May"})
    assert response.status_code == 303
    assert response.headers["location"] == f"/pips/{plan.pip}#activity-{activity}"
    row = await activity_row(activity)
    assert row["status"] == "completed" and row["owner"] is None and row["version"] == 2
    response = await member.post_form(edit, {**form, "evidence": "Stale"})
    assert response.status_code == 409
    assert "Someone else changed this key activity" in response.text
    assert (await activity_row(activity))["evidence"] == "Reviews done in May"

    # A team member does not delete key activities, nor change the plan around them.
    assert "Delete the key activity" not in (await member.get(edit)).text
    response = await member.post_form(f"/pip-activities/{activity}/delete", {"version": 2})
    assert response.status_code == 403
    for url, form in (
        (f"/pips/{plan.pip}/goals/new", {"text": "No"}),
        (f"/pip-goals/{plan.goal}/edit", {"text": "No", "version": 1}),
        (f"/pip-goals/{plan.goal}/delete", {"version": 1}),
        (f"/pip-goals/{plan.goal}/strategies/new", {"text": "No"}),
        (f"/pip-strategies/{plan.strategy}/edit", {"text": "No", "version": 1}),
        (f"/pip-strategies/{plan.strategy}/delete", {"version": 1}),
        (f"/pips/{plan.pip}/measurements/new", {"label": "No"}),
        (f"/pip-measurements/{plan.measurement}/edit", {"label": "No", "version": 1}),
        (f"/pip-measurements/{plan.measurement}/delete", {"version": 1}),
    ):
        assert (await member.post_form(url, form)).status_code == 403, url
        if not url.endswith("/delete"):
            assert (await member.get(url)).status_code == 403, url
    lead = await client_as(world.lead)
    response = await lead.post_form(f"/pip-activities/{activity}/delete", {"version": 2})
    assert response.status_code == 303
    assert await PipActivity.count() == 2


async def test_viewers_liaisons_and_other_agencies_change_nothing(client_as, world):
    plan = await make_plan(world)
    tries = (
        (f"/pip-strategies/{plan.strategy}/activities/new", {"title": "No"}),
        (f"/pip-activities/{plan.activities[0]}/edit", {"title": "No", "version": 1}),
        (
            f"/pip-activities/{plan.activities[0]}/backlog-item",
            {"initiative": world.initiative_id, "version": 1},
        ),
        (f"/pip-goals/{plan.goal}/edit", {"text": "No", "version": 1}),
        (f"/pip-measurements/{plan.measurement}/delete", {"version": 1}),
    )
    for role, status in (("viewer", 403), ("liaison", 403), ("other_lead", 404)):
        person = await client_as(world.users[role])
        for url, form in tries:
            assert (await person.post_form(url, form)).status_code == status, (role, url)
        page = await person.get(f"/pips/{plan.pip}")
        if status == 403:
            assert page.status_code == 200
            assert "Add to backlog" not in page.text and "Add a key activity" not in page.text
        else:
            assert page.status_code == 404
    row = await activity_row(plan.activities[0])
    assert row["title"] == "Key activity 1" and row["version"] == 1 and row["item"] is None
    assert await CfsrItem.count() == 36


async def test_an_owner_who_left_stays_when_the_activity_is_edited(client, world):
    from backend.accounts.tables import Membership

    plan = await make_plan(world, activities=1)
    activity = plan.activities[0]
    await Membership.update({Membership.active: False}).where(
        (Membership.user == world.users["team_member"]) & (Membership.agency == world.agency_id)
    )
    page = await client.get(f"/pip-activities/{activity}/edit")
    assert "Team Member (no longer a member)" in page.text
    owner = str(world.users["team_member"])
    assert f'<option value="{owner}" selected' in page.text
    form = {
        "title": "Key activity 1",
        "owner": owner,
        "target_date": "2026-09-30",
        "status": "on_schedule",
        "evidence": "Minutes of the first review",
        "version": 1,
    }
    response = await client.post_form(f"/pip-activities/{activity}/edit", form)
    assert response.status_code == 303, response.text
    row = await activity_row(activity)
    assert row["owner"] == world.users["team_member"]
    assert row["evidence"] == "Minutes of the first review"
    # Someone who left cannot be made the owner of another activity.
    from backend.pip import services

    other = await services.add_activity(
        plan.strategy, {"title": "Key activity 2", "owner": world.users["scrum_master"]}
    )
    again = await client.post_form(f"/pip-activities/{other}/edit", form)
    assert again.status_code == 422 and "Choose an owner from the agency" in again.text


async def test_deleting_a_goal_renumbers_the_rest_everywhere(client, world):
    from backend.pip import services
    from backend.pip.tables import PipGoal

    plan = await make_plan(world, activities=0)
    second = await services.add_goal(plan.pip, {"text": "Place with kin", "cfsr_item": 10})
    assert (await client.post_form(f"/pip-goals/{plan.goal}/delete", {"version": 1})).status_code
    positions = await PipGoal.select(PipGoal.id, PipGoal.position).where(PipGoal.pip == plan.pip)
    assert positions == [{"id": second, "position": 1}]
    page = text_of((await client.get("/cfsr/10")).text)
    assert "Goal 1 of Round 4 PIP" in page
