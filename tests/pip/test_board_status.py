"""Key activities on the board: "Add to backlog" makes one a backlog item, and from then
on its status follows the board, worked out when the plan is read (never written)."""

from __future__ import annotations

from datetime import date

from backend.cfsr.tables import ItemCfsrItem
from backend.pip import services as pip
from backend.scrum import services as scrum
from backend.scrum.tables import BacklogItem
from tests.pip.build import activity_row, make_plan, set_today, text_of


def activity_text(html: str, activity_id: int) -> str:
    """The words of one key activity's row on the plan page."""
    start = html.index(f'<tr id="activity-{activity_id}">')
    return text_of(html[start : html.index("</tr>", start)])


async def test_a_team_member_adds_a_key_activity_to_the_backlog(client_as, world):
    plan = await make_plan(world)
    activity = plan.activities[0]
    member = await client_as(world.users["team_member"])
    page = await member.get(f"/pips/{plan.pip}")
    assert f'for="field-initiative-{activity}"' in page.text
    url = f"/pip-activities/{activity}/backlog-item"
    response = await member.post_form(url, {"initiative": world.initiative_id, "version": 1})
    assert response.status_code == 303
    assert response.headers["location"] == f"/pips/{plan.pip}#activity-{activity}"
    row = await activity_row(activity)
    assert row["item"] is not None and row["version"] == 2
    (item,) = await BacklogItem.select().where(BacklogItem.id == row["item"])
    assert item["kind"] == "pip_activity" and item["initiative"] == world.initiative_id
    assert item["title"] == "Key activity 1" and item["assignee_name"] == "Team Member"
    assert "Round 4 PIP" in item["narrative"]
    # The goal's CFSR item travels with it (traceability: item -> CFSR item).
    links = await ItemCfsrItem.select(ItemCfsrItem.cfsr_item.number.as_alias("n")).where(
        ItemCfsrItem.item == item["id"]
    )
    assert [r["n"] for r in links] == [7]
    page = await member.get(f"/pips/{plan.pip}")
    row_text = activity_text(page.text, activity)
    assert f"#{item['id']} Key activity 1" in row_text and "Add to backlog" not in row_text
    assert f'href="/items/{item["id"]}"' in page.text
    assert "PIP activity" in (await member.get(f"/items/{item['id']}")).text

    # Twice is a conflict; a stale version too; nothing more is created.
    again = await member.post_form(url, {"initiative": world.initiative_id, "version": 2})
    assert again.status_code == 409
    assert f"already backlog item #{item['id']}" in again.text
    stale = await member.post_form(
        f"/pip-activities/{plan.activities[1]}/backlog-item",
        {"initiative": world.initiative_id, "version": 7},
    )
    assert stale.status_code == 409 and "Someone else" in stale.text
    assert await BacklogItem.count() == 1


async def test_only_the_agencys_initiatives_take_key_activities(client, world):
    plan = await make_plan(world)
    activity = plan.activities[0]
    url = f"/pip-activities/{activity}/backlog-item"
    for initiative, message in (
        (world.other_initiative_id, "Choose one of this agency&#39;s initiatives"),
        (999_999, "Choose one of this agency&#39;s initiatives"),
        ("abc", "Initiative must be a whole number"),
        ("", "Choose the initiative whose backlog gets the key activity"),
    ):
        response = await client.post_form(url, {"initiative": initiative, "version": 1})
        assert response.status_code == 422, initiative
        assert message in response.text
        assert f'href="#field-initiative-{activity}"' in response.text
        assert 'aria-invalid="true"' in response.text
    assert await BacklogItem.count() == 0
    assert (await activity_row(activity))["item"] is None
    response = await client.post_form(url, {"initiative": world.initiative_id})
    assert response.status_code == 400


async def test_the_status_follows_the_board(client, world):
    set_today(date(2026, 6, 15))
    plan = await make_plan(world)
    activity = plan.activities[0]
    item = await pip.add_to_backlog(activity, 1, world.initiative_id)
    url = f"/pips/{plan.pip}"

    async def shown() -> str:
        return activity_text((await client.get(url)).text, activity)

    # On the backlog, in the first column and no sprint: not started.
    assert f"Not started from the board: #{item} has not been started on the board" in await shown()
    # Under way on the board: on schedule.
    await scrum.move_item(item, world.in_progress)
    assert f"On schedule from the board: #{item} is in In progress" in await shown()
    # Back to "To do" but in a sprint: on schedule.
    await scrum.move_item(item, world.todo)
    sprint = await scrum.create_sprint(world.initiative_id, {"goal": "PIP work"})
    await scrum.assign_sprint(world.initiative_id, [item], sprint)
    assert f"On schedule from the board: #{item} is in sprint 1" in await shown()
    # Done on the board: completed.
    await scrum.move_item(item, world.done)
    assert f"Completed from the board: #{item} is in Done" in await shown()
    # Not done and the target date passed: behind.
    await scrum.move_item(item, world.in_progress)
    set_today(date(2026, 10, 3))
    assert f"Behind schedule from the board: the target date has passed and #{item}" in (
        await shown()
    )
    # Nothing was written: the status column still holds what a person set.
    assert (await activity_row(activity))["status"] == "not_started"

    # Renegotiated, set by a person, stays while the item is not done...
    edit = f"/pip-activities/{activity}/edit"
    assert "its status follows the board" in (await client.get(edit)).text
    form = {"title": "Key activity 1", "status": "renegotiated", "target_date": "2026-09-30"}
    response = await client.post_form(edit, {**form, "version": 2})
    assert response.status_code == 303
    text = await shown()
    assert "Renegotiated" in text and "from the board" not in text
    # ...and gives way to completed once it is done.
    await scrum.move_item(item, world.done)
    assert "Completed from the board" in await shown()


async def test_without_a_backlog_item_the_status_is_as_set(client, world):
    set_today(date(2026, 10, 3))
    plan = await make_plan(world)
    first, second = plan.activities
    await pip.update_activity(second, 1, {"status": "completed"})
    page = (await client.get(f"/pips/{plan.pip}")).text
    # Open after its target date: shown as such, but the status stays as set.
    first_text = activity_text(page, first)
    assert "Not started" in first_text and "Target date passed" in first_text
    assert "from the board" not in first_text
    second_text = activity_text(page, second)
    assert "Completed" in second_text and "Target date passed" not in second_text
