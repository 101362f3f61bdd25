"""Sprint and release services: completion is all or nothing (DATA-02), release
edits are optimistic (DATA-01), impossible ids are 404s."""

from __future__ import annotations

import asyncio

import pytest

from backend import db
from backend.errors import Conflict, Invalid, NotFound
from backend.initiatives.tables import CIStage
from backend.scrum import services as scrum
from backend.scrum.tables import BacklogItem, ItemHistory, Release, Sprint
from tests.factories import make_items


async def snapshot() -> dict:
    """Everything completion could touch."""
    return {
        "sprints": await Sprint.select().order_by(Sprint.id),
        "items": await BacklogItem.select(
            BacklogItem.id, BacklogItem.sprint, BacklogItem.version
        ).order_by(BacklogItem.id),
        "history": await ItemHistory.count(),
    }


async def active_sprint_with_work(world) -> tuple[int, list[int]]:
    sprint = await scrum.create_sprint(world.initiative_id, {"goal": "Atomic"})
    ids = await make_items(world.initiative_id, 3, estimate=5)
    await scrum.assign_sprint(world.initiative_id, ids, sprint)
    await scrum.start_sprint(sprint)
    await scrum.move_item(ids[0], world.done)
    return sprint, ids


@pytest.mark.parametrize("destination", ["backlog", "new", "planned"])
async def test_completion_is_all_or_nothing(world, monkeypatch, destination):
    sprint, ids = await active_sprint_with_work(world)
    if destination == "planned":
        destination = await scrum.create_sprint(world.initiative_id, {"goal": "Next"})
    before = await snapshot()
    seen_in_transaction = []

    async def failing_record(item_ids, change, at=None):
        # By now the sprint is closed and the items moved, inside the transaction.
        seen_in_transaction.append(db._in_write.get())
        raise RuntimeError("disk full")

    monkeypatch.setattr(scrum, "_record", failing_record)
    with pytest.raises(RuntimeError):
        await scrum.complete_sprint(sprint, destination)
    assert seen_in_transaction == [True]
    assert await snapshot() == before


async def test_a_failed_completion_over_http_changes_nothing(client, world, monkeypatch):
    sprint, ids = await active_sprint_with_work(world)
    before = await snapshot()

    async def failing_record(item_ids, change, at=None):
        raise RuntimeError("disk full")

    monkeypatch.setattr(scrum, "_record", failing_record)
    response = await client.post_form(f"/sprints/{sprint}/complete", {"destination": "new"})
    assert response.status_code == 500
    assert "Traceback" not in response.text
    assert await snapshot() == before


async def test_completion_writes_close_history_for_carried_items(world):
    sprint, ids = await active_sprint_with_work(world)
    result = await scrum.complete_sprint(sprint, "new")
    assert result["carried"] == 2
    rows = await ItemHistory.select(ItemHistory.item, ItemHistory.sprint).where(
        ItemHistory.change == "carried_over"
    )
    assert sorted(r["item"] for r in rows) == ids[1:]
    assert {r["sprint"] for r in rows} == {result["target"]}


async def test_completion_refuses_a_bad_destination(world):
    sprint, _ = await active_sprint_with_work(world)
    theirs = await scrum.create_sprint(world.other_initiative_id, {})
    for bad in (theirs, sprint, "abc", 2**40, None):
        with pytest.raises(Invalid):
            await scrum.complete_sprint(sprint, bad)
    assert (await scrum.get_sprint(sprint))["state"] == "active"


async def test_impossible_ids_are_not_found_before_any_query(world):
    for getter in (scrum.get_item, scrum.get_sprint, scrum.get_initiative, scrum.get_release):
        for bad in (0, -1, 2**31, 99999999999):
            with pytest.raises(NotFound):
                await getter(bad)


async def test_a_story_done_in_a_closed_sprint_stays_editable(world):
    sprint, ids = await active_sprint_with_work(world)
    await scrum.complete_sprint(sprint, "backlog")
    item = await scrum.get_item(ids[0])
    saved = await scrum.update_item(ids[0], item["version"], {"title": "Renamed", "sprint": sprint})
    assert saved["title"] == "Renamed" and saved["sprint"] == sprint
    # Choosing a closed sprint as a new sprint is still refused.
    other = await scrum.get_item(ids[1])
    with pytest.raises(Invalid):
        await scrum.update_item(ids[1], other["version"], {"sprint": sprint})


async def test_sprint_release_must_belong_to_the_initiative(world):
    theirs = await scrum.create_release(world.other_initiative_id, {"name": "Theirs"})
    with pytest.raises(Invalid):
        await scrum.create_sprint(world.initiative_id, {"release": theirs})
    sprint = await scrum.create_sprint(world.initiative_id, {})
    with pytest.raises(Invalid):
        await scrum.update_sprint(sprint, 1, {"release": theirs})
    assert (await scrum.get_sprint(sprint))["release"] is None


async def test_releases_are_created_and_edited_with_optimistic_locking(world):
    stage = world.stages[4]["id"]
    release = await scrum.create_release(
        world.initiative_id, {"name": "R1", "milestone": "Pilot", "stage": stage}
    )
    row = await scrum.get_release(release)
    assert (row["initiative"], row["name"], row["stage"], row["version"]) == (
        world.initiative_id,
        "R1",
        stage,
        1,
    )
    saved = await scrum.update_release(release, 1, {"name": "R1 pilot"})
    assert saved["version"] == 2
    with pytest.raises(Conflict) as stale:
        await scrum.update_release(release, 1, {"name": "Lost"})
    assert stale.value.current["name"] == "R1 pilot"
    foreign = (await CIStage.select(CIStage.id).where(CIStage.agency == world.other_agency_id))[0]
    with pytest.raises(Invalid):
        await scrum.update_release(release, 2, {"stage": foreign["id"]})
    with pytest.raises(Invalid):
        await scrum.create_release(world.initiative_id, {"name": "X", "stage": foreign["id"]})
    with pytest.raises(NotFound):
        await scrum.create_release(999999, {"name": "X"})
    with pytest.raises(Invalid):
        await scrum.create_release(world.initiative_id, {"name": ""})
    assert await Release.count() == 1


async def test_concurrent_starts_and_completions_leave_one_outcome(world):
    """Two people press Start on two sprints, then Complete twice, at the same moment."""
    first = await scrum.create_sprint(world.initiative_id, {})
    second = await scrum.create_sprint(world.initiative_id, {})
    ids = await make_items(world.initiative_id, 2, estimate=3)
    await scrum.assign_sprint(world.initiative_id, ids, first)
    results = await asyncio.gather(
        scrum.start_sprint(first), scrum.start_sprint(second), return_exceptions=True
    )
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "dict"]
    active = await Sprint.select(Sprint.id).where(Sprint.state == "active")
    assert len(active) == 1
    started = active[0]["id"]
    results = await asyncio.gather(
        scrum.complete_sprint(started, "new"),
        scrum.complete_sprint(started, "new"),
        return_exceptions=True,
    )
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "dict"]
    # Only one new sprint was made and each carried item was carried once.
    assert await Sprint.count() == 3
    carried = await ItemHistory.count().where(ItemHistory.change == "carried_over")
    assert carried == (2 if started == first else 0)
