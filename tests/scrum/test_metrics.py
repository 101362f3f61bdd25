"""Burndown and velocity replayed from item history, with the clock moved by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from backend import clock
from backend.scrum import metrics
from backend.scrum import services as scrum
from backend.scrum.tables import Sprint
from tests.factories import make_items

START = date(2026, 3, 2)  # a Monday; the sprint runs to 16 March


def at(day: int, hour: int = 12) -> datetime:
    """`day` days after the sprint's start, at `hour` UTC."""
    return datetime(2026, 3, 2, hour, tzinfo=UTC) + timedelta(days=day)


def set_time(day: int, hour: int = 12) -> None:
    clock.set_clock(lambda: at(day, hour))


async def started_sprint(world, estimates: list[int], start: date = START):
    """A sprint started at 9:00 on its first day with one item per estimate."""
    clock.set_clock(lambda: datetime.combine(start, datetime.min.time(), UTC) + timedelta(hours=8))
    sprint = await scrum.create_sprint(world.initiative_id, {"start_date": start})
    ids = []
    for n, estimate in enumerate(estimates):
        ids += await make_items(world.initiative_id, 1, estimate=estimate, title=f"Item {n}")
    await scrum.assign_sprint(world.initiative_id, ids, sprint)
    clock.set_clock(lambda: datetime.combine(start, datetime.min.time(), UTC) + timedelta(hours=9))
    await scrum.start_sprint(sprint)
    return sprint, ids


async def burndown(sprint_id: int, now: datetime):
    return await metrics.sprint_burndown(await scrum.get_sprint(sprint_id), now)


async def test_burndown_starts_at_the_commitment_and_follows_done_work(world):
    sprint, (a, b, c) = await started_sprint(world, [3, 5, 8])
    set_time(2)
    await scrum.move_item(a, world.done)
    set_time(4)
    await scrum.move_item(b, world.done)
    result = await burndown(sprint, at(5, 18))
    assert result.committed == 16
    assert [d.day for d in result.days][:2] == [START, START + timedelta(days=1)]
    assert len(result.days) == 15
    remaining = [d.remaining for d in result.days]
    assert remaining[:6] == [16, 16, 13, 13, 8, 8]
    assert remaining[6:] == [None] * 9  # days that have not happened yet
    # The ideal line falls evenly from the commitment to zero on the last day.
    assert result.days[0].ideal == 16 and result.days[-1].ideal == 0
    assert result.days[7].ideal == 8
    assert not result.scope_changed


async def test_scope_added_mid_sprint_and_removed_is_marked_on_its_day(world):
    sprint, (a, b) = await started_sprint(world, [5, 5])
    (extra,) = await make_items(world.initiative_id, 1, estimate=3)
    set_time(3)
    await scrum.assign_sprint(world.initiative_id, [extra], sprint)
    set_time(5)
    await scrum.assign_sprint(world.initiative_id, [b], None)
    result = await burndown(sprint, at(6))
    days = result.days
    assert [d.remaining for d in days[:7]] == [10, 10, 10, 13, 13, 8, 8]
    assert [d.scope for d in days[:7]] == [10, 10, 10, 13, 13, 8, 8]
    assert (days[3].added, days[3].removed) == (3, 0)
    assert (days[5].added, days[5].removed) == (0, 5)
    assert sum(d.added for d in days) == 3 and sum(d.removed for d in days) == 5
    assert result.committed == 10  # the commitment stays what it was at the start
    assert result.scope_changed


async def test_an_estimate_change_counts_as_scope_change(world):
    sprint, (a, b) = await started_sprint(world, [5, 3])
    set_time(1)
    await scrum.set_estimate(a, 8)
    set_time(2)
    await scrum.set_estimate(b, 1)
    result = await burndown(sprint, at(3))
    assert [d.remaining for d in result.days[:4]] == [8, 11, 9, 9]
    assert (result.days[1].added, result.days[1].removed) == (3, 0)
    assert (result.days[2].added, result.days[2].removed) == (0, 2)


async def test_an_item_done_then_reopened_goes_back_into_the_remaining_work(world):
    sprint, (a, b) = await started_sprint(world, [5, 3])
    set_time(1)
    await scrum.move_item(a, world.done)
    set_time(3)
    await scrum.move_item(a, world.in_progress)
    result = await burndown(sprint, at(4))
    assert [d.remaining for d in result.days[:5]] == [8, 3, 3, 8, 8]
    # Reopening is not a change of scope.
    assert not result.scope_changed


async def test_work_done_and_added_on_the_same_day_both_count(world):
    sprint, (a,) = await started_sprint(world, [5])
    (extra,) = await make_items(world.initiative_id, 1, estimate=2)
    set_time(2, 10)
    await scrum.move_item(a, world.done)
    set_time(2, 15)
    await scrum.assign_sprint(world.initiative_id, [extra], sprint)
    result = await burndown(sprint, at(2, 18))
    assert [d.remaining for d in result.days[:3]] == [5, 5, 2]
    assert result.days[2].added == 2 and result.days[2].scope == 7


async def test_velocity_is_committed_against_completed_per_closed_sprint(world):
    s1, (a, b) = await started_sprint(world, [5, 3])
    set_time(5)
    await scrum.move_item(a, world.done)
    (late,) = await make_items(world.initiative_id, 1, estimate=2)
    await scrum.assign_sprint(world.initiative_id, [late], s1)
    await scrum.move_item(late, world.done)
    set_time(14, 17)
    result = await scrum.complete_sprint(s1, "backlog")
    assert result["carried"] == 1
    s2, (c,) = await started_sprint(world, [8], start=START + timedelta(days=15))
    clock.set_clock(lambda: at(20))
    await scrum.move_item(c, world.done)
    clock.set_clock(lambda: at(29, 17))
    await scrum.complete_sprint(s2, "backlog")
    points = await metrics.velocity(world.initiative_id)
    assert [(p.number, p.committed, p.completed) for p in points] == [(1, 8, 7), (2, 8, 8)]
    assert metrics.average_velocity(points) == 7.5
    assert metrics.average_velocity([]) is None
    # Only closed sprints, and only this initiative's.
    s3, _ = await started_sprint(world, [1], start=START + timedelta(days=30))
    assert len(await metrics.velocity(world.initiative_id)) == 2
    assert await metrics.velocity(world.other_initiative_id) == []


async def test_carried_over_story_stays_unfinished_in_the_sprint_it_left(world):
    """Sprint 3's burndown and velocity never move after its story goes on in sprint 4."""
    # Sprints 1 and 2 come and go so the sprint under test is number 3.
    for n in range(2):
        s, _ = await started_sprint(world, [1], start=START - timedelta(days=30 - 15 * n))
        await scrum.complete_sprint(s, "backlog")
    s3, (a, b) = await started_sprint(world, [5, 8])
    assert (await scrum.get_sprint(s3))["number"] == 3
    set_time(3)
    await scrum.move_item(a, world.done)
    set_time(14, 17)
    closed = await scrum.complete_sprint(s3, "new")
    s4 = closed["target"]
    assert (await scrum.get_sprint(s4))["number"] == 4
    before = await burndown(s3, at(15))
    velocity_before = await metrics.velocity(world.initiative_id)
    three = next(p for p in velocity_before if p.number == 3)
    assert (three.committed, three.completed) == (13, 5)
    assert before.days[-1].remaining == 8  # b was not finished in sprint 3
    assert before.days[-1].scope == 13  # and still counts in its scope

    # Before it starts, sprint 4 already holds the carried story.
    assert (await burndown(s4, at(14, 18))).days[0].scope == 8

    # Sprint 4: the carried story is re-estimated, moved around and finished.
    set_time(14, 18)  # sprint 4 starts on 16 March, the day sprint 3 closed
    await scrum.start_sprint(s4)
    set_time(15)
    await scrum.set_estimate(b, 13)
    await scrum.move_item(b, world.in_progress)
    set_time(16)
    await scrum.move_item(b, world.done)
    (extra,) = await make_items(world.initiative_id, 1, estimate=2)
    await scrum.assign_sprint(world.initiative_id, [extra], s4)

    after = await burndown(s3, at(40))
    assert after == before
    assert await metrics.velocity(world.initiative_id) == velocity_before
    sprint3 = (await Sprint.select().where(Sprint.id == s3))[0]
    assert (sprint3["committed_points"], sprint3["completed_points"]) == (13, 5)

    # Sprint 4 sees the carried story from its start, with its new estimate.
    four = await burndown(s4, at(16, 20))
    assert four.days[0].day == date(2026, 3, 16)
    assert four.committed == 8
    assert [d.remaining for d in four.days[:4]] == [8, 13, 2, None]
    assert four.days[1].added == 5
    assert four.days[2].scope == 15 and four.days[2].added == 2


async def test_a_planned_sprint_has_no_burndown_points_yet(world):
    clock.set_clock(lambda: at(0))
    sprint = await scrum.create_sprint(world.initiative_id, {"start_date": START + timedelta(3)})
    ids = await make_items(world.initiative_id, 2, estimate=3)
    await scrum.assign_sprint(world.initiative_id, ids, sprint)
    result = await burndown(sprint, at(1))
    assert result.committed == 6
    assert all(d.remaining is None for d in result.days)


async def test_a_sprint_closed_early_shows_no_points_after_it_closed(world):
    sprint, (a, b) = await started_sprint(world, [2, 3])
    set_time(2)
    await scrum.move_item(a, world.done)
    set_time(4)
    await scrum.complete_sprint(sprint, "backlog")
    result = await burndown(sprint, at(10))
    assert [d.remaining for d in result.days[:5]] == [5, 5, 3, 3, 3]
    assert all(d.remaining is None for d in result.days[5:])
