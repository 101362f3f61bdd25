"""The demo world loads through the services, tells a consistent story, and loads once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from backend import clock
from backend.accounts.tables import Agency
from backend.db import all_tables
from backend.initiatives.tables import Initiative
from backend.scrum import metrics
from backend.scrum.tables import BacklogItem, ItemBlock, ItemHistory, Release, Sprint
from seeds import demo


@pytest.fixture
async def demo_world(app) -> int:
    summary = await demo.build()
    initiative = await Initiative.select(Initiative.id).first()
    assert f"/initiatives/{initiative['id']}" in summary
    return initiative["id"]


async def row_counts() -> dict[str, int]:
    return {t._meta.tablename: await t.count() for t in all_tables()}


async def test_the_demo_has_closed_active_and_planned_sprints(demo_world):
    sprints = await Sprint.select().where(Sprint.initiative == demo_world).order_by(Sprint.number)
    states = [s["state"] for s in sprints]
    assert len(sprints) >= 5
    assert states.count("active") == 1 and states.count("planned") >= 1
    assert states.count("closed") >= 3
    active = next(s for s in sprints if s["state"] == "active")
    assert 0 < (clock.today() - active["start_date"]).days < 14
    for sprint in sprints:
        if sprint["state"] == "closed":
            assert sprint["committed_points"] > 0 and sprint["completed_points"] > 0
            assert sprint["closed_at"] is not None and sprint["review_notes"]
    # The clock is real again afterwards.
    assert abs((clock.now() - datetime.now(UTC)).total_seconds()) < 60


async def test_the_backlog_spans_stages_kinds_and_has_blockers(demo_world):
    items = await BacklogItem.select(
        BacklogItem.kind, BacklogItem.stage, BacklogItem.acceptance_criteria
    ).where(BacklogItem.initiative == demo_world)
    assert len(items) >= 40
    assert len({i["stage"] for i in items}) >= 5
    assert {"story", "task", "spike", "pdsa_test", "pip_activity", "impediment"} <= {
        i["kind"] for i in items
    }
    assert all(i["acceptance_criteria"].startswith("- ") for i in items)
    assert await ItemBlock.count() >= 5
    releases = await Release.select(Release.name).where(Release.initiative == demo_world)
    assert {r["name"] for r in releases} == {
        "Problem exploration complete",
        "Practice profile v1 tested",
        "Pilot in four area offices",
    }


async def test_a_closed_sprint_burndown_has_a_row_per_day_and_shows_scope_change(demo_world):
    closed = await (
        Sprint.select()
        .where((Sprint.initiative == demo_world) & (Sprint.state == "closed"))
        .order_by(Sprint.number)
    )
    burndowns = [await metrics.sprint_burndown(s, clock.now()) for s in closed]
    for sprint, burndown in zip(closed, burndowns, strict=True):
        days = (sprint["end_date"] - sprint["start_date"]).days + 1
        assert len(burndown.days) == days
        assert all(d.remaining is not None for d in burndown.days)
        assert burndown.committed == sprint["committed_points"]
        assert burndown.days[0].remaining <= burndown.committed
        # Work was really done over the sprint, not all on one day.
        assert len({d.remaining for d in burndown.days}) >= 4
    assert any(b.scope_changed for b in burndowns)


@pytest.mark.parametrize("weekday", range(7))
async def test_the_demo_team_works_weekdays_whatever_day_it_is_loaded(app, weekday):
    loaded_on = datetime(2026, 11, 23 + weekday, 8, tzinfo=UTC)  # Monday 23 Nov + weekday
    clock.set_clock(lambda: loaded_on)  # build() puts the real clock back
    await demo.build()
    sprints = await Sprint.select(Sprint.start_date, Sprint.end_date, Sprint.state)
    assert {s["start_date"].weekday() for s in sprints} == {0}  # Mondays
    active = next(s for s in sprints if s["state"] == "active")
    # The sprint the demo is working in began before today and has not ended.
    assert active["start_date"] < loaded_on.date() <= active["end_date"]
    history = await ItemHistory.select(ItemHistory.at)
    assert all(h["at"].weekday() < 5 for h in history)
    assert all(h["at"] < loaded_on for h in history)


async def test_no_demo_item_is_finished_before_an_item_that_blocks_it(demo_world):
    blocks = await ItemBlock.select(
        ItemBlock.item.done_at.as_alias("item_done"),
        ItemBlock.blocker.done_at.as_alias("blocker_done"),
        ItemBlock.item.title.as_alias("title"),
    )
    assert blocks
    for block in blocks:
        if block["item_done"] is not None:
            assert block["blocker_done"] is not None, block["title"]
            assert block["blocker_done"] <= block["item_done"], block["title"]


async def test_velocity_has_a_point_per_closed_sprint(demo_world):
    points = await metrics.velocity(demo_world)
    closed = await Sprint.count().where(
        (Sprint.initiative == demo_world) & (Sprint.state == "closed")
    )
    assert len(points) == closed
    assert all(p.completed > 0 for p in points)


async def test_a_carried_over_item_history_names_two_sprints(demo_world):
    carried = await ItemHistory.select(ItemHistory.item).where(ItemHistory.change == "carried_over")
    assert carried
    sprints = await ItemHistory.select(ItemHistory.sprint).where(
        (ItemHistory.item == carried[0]["item"]) & ItemHistory.sprint.is_not_null()
    )
    assert len({r["sprint"] for r in sprints}) == 2


async def test_building_twice_changes_nothing(demo_world):
    before = await row_counts()
    summary = await demo.build()
    assert "already there" in summary and f"/initiatives/{demo_world}" in summary
    assert await row_counts() == before
    assert await Agency.count() == 1


async def test_the_main_pages_of_the_demo_render(app, client, demo_world):
    story = await BacklogItem.select(BacklogItem.id).where(BacklogItem.kind == "story").first()
    sprint = await Sprint.select(Sprint.id).where(Sprint.state == "closed").first()
    release = await Release.select(Release.id).first()
    pages = [
        ("initiatives.detail", {"initiative_id": demo_world}),
        ("scrum.backlog", {"initiative_id": demo_world}),
        ("scrum.board", {"initiative_id": demo_world}),
        ("scrum.sprints", {"initiative_id": demo_world}),
        ("scrum.releases", {"initiative_id": demo_world}),
        ("scrum.charts", {"initiative_id": demo_world}),
        ("scrum.item", {"item_id": story["id"]}),
        ("scrum.sprint", {"sprint_id": sprint["id"]}),
        ("scrum.release", {"release_id": release["id"]}),
    ]
    urls = [app.route_reverse(name, **params) for name, params in pages]
    for url in urls:
        response = await client.get(url)
        assert response.status_code == 200, url
    detail = await client.get(urls[0])
    assert "Parent engagement practice profile" in detail.text
    board_url = app.route_reverse("scrum.board", initiative_id=demo_world)
    board = await client.get(board_url)
    assert "Practice profile v1 revised and approved for the pilot" in board.text
