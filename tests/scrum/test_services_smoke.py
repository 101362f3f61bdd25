"""Service-level checks of ranking, sprint lifecycle and burndown from history."""

from datetime import UTC, date, datetime, timedelta

from backend import clock
from backend.scrum import metrics
from backend.scrum import services as scrum
from backend.scrum.tables import BacklogItem, Sprint
from tests.factories import make_items


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 3, 2, hour, tzinfo=UTC) + timedelta(days=day)


async def ordered_ids(initiative_id: int) -> list[int]:
    rows = (
        await BacklogItem.select(BacklogItem.id)
        .where(BacklogItem.initiative == initiative_id)
        .order_by(BacklogItem.rank)
    )
    return [r["id"] for r in rows]


async def test_rank_moves_keep_a_total_order(world):
    a, b, c, d = await make_items(world.initiative_id, 4)
    await scrum.rank_item(d, "top")
    assert await ordered_ids(world.initiative_id) == [d, a, b, c]
    await scrum.rank_item(a, "down")
    assert await ordered_ids(world.initiative_id) == [d, b, a, c]
    await scrum.rank_item(c, "above", target_id=b)
    assert await ordered_ids(world.initiative_id) == [d, c, b, a]
    await scrum.rank_item(d, "bottom")
    assert await ordered_ids(world.initiative_id) == [c, b, a, d]
    await scrum.rank_item(d, "up")
    assert await ordered_ids(world.initiative_id) == [c, b, d, a]


async def test_carry_over_never_rewrites_the_closed_sprint(world):
    clock.set_clock(lambda: at(0, 9))
    s3 = await scrum.create_sprint(world.initiative_id, {"start_date": date(2026, 3, 2)})
    a, b = await make_items(world.initiative_id, 2, estimate=5)
    await scrum.assign_sprint(world.initiative_id, [a, b], s3)
    await scrum.start_sprint(s3)
    clock.set_clock(lambda: at(3))
    await scrum.move_item(a, world.done)
    clock.set_clock(lambda: at(14, 17))
    result = await scrum.complete_sprint(s3, "new")
    s4 = result["target"]
    assert result["carried"] == 1
    sprint3 = await scrum.get_sprint(s3)
    assert (sprint3["committed_points"], sprint3["completed_points"]) == (10, 5)
    before = await metrics.sprint_burndown(sprint3, at(20))
    assert [d.remaining for d in before.days][:4] == [10, 10, 10, 5]
    assert before.days[-1].remaining == 5
    # Work on the carried story in sprint 4 must not touch sprint 3's numbers.
    clock.set_clock(lambda: at(16))
    await scrum.start_sprint(s4)
    await scrum.set_estimate(b, 8)
    await scrum.move_item(b, world.done)
    after = await metrics.sprint_burndown(await scrum.get_sprint(s3), at(30))
    assert [d.remaining for d in after.days] == [d.remaining for d in before.days]
    assert (await Sprint.select(Sprint.state).where(Sprint.id == s3))[0]["state"] == "closed"
    item_b = await scrum.get_item(b)
    assert item_b["sprint"] == s4
