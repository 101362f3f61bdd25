"""The PIP status page: key dates, activities behind schedule, counts by status and the
measures against their goals (small cells suppressed for liaisons); and constant
query counts for the plan and status pages (PERF-01)."""

from __future__ import annotations

from datetime import date

from backend.pip import services as pip
from backend.pip.tables import PipMeasurement
from backend.scrum import services as scrum
from tests.cfsr.build import add_point, make_measure
from tests.pip.build import make_plan, set_today, text_of


def section(html: str, section_id: str) -> str:
    start = html.index(f'<section id="{section_id}"')
    return text_of(html[start : html.index("</section>", start)])


async def test_behind_activities_counts_and_key_dates(client, world):
    set_today(date(2026, 10, 5))
    plan = await make_plan(world, activities=4)
    a1, a2, a3, a4 = plan.activities
    # a1: a backlog item not done, its target date passed: behind (from the board).
    item = await pip.add_to_backlog(a1, 1, world.initiative_id)
    # a2: a backlog item done on the board: completed.
    done = await pip.add_to_backlog(a2, 1, world.initiative_id)
    await scrum.move_item(done, world.done)
    # a3: marked behind by a person, with a target date still ahead.
    await pip.update_activity(a3, 1, {"status": "behind", "target_date": date(2026, 12, 1)})
    # a4: renegotiated.
    await pip.update_activity(a4, 1, {"status": "renegotiated"})
    page = (await client.get(f"/pips/{plan.pip}/status")).text
    dates = section(page, "key-dates")
    assert "Effective date 1 Jan 2026 Implementation end 1 Jan 2028" in dates
    assert "Non-overlapping year end 1 Jan 2029" in dates
    assert "Implementation period: 453 days left until the implementation end." in dates
    behind = section(page, "behind")
    assert "2 key activities are behind schedule on 5 Oct 2026." in behind
    assert (
        "1.1.1 Key activity 1 Team Member 30 Sep 2026 5 days "
        f"From the board: the target date has passed and #{item} is not done"
    ) in behind
    assert "1.1.3 Key activity 3 Team Member 1 Dec 2026 Not past its date Set by a person" in (
        behind
    )
    assert "Key activity 2" not in behind and "Key activity 4" not in behind
    counts = section(page, "by-status")
    assert (
        "Not started 0 On schedule 0 Behind schedule 2 Completed 1 Renegotiated 1 "
        "All key activities 4"
    ) in counts


async def test_measures_against_goals_with_small_cells_suppressed_for_liaisons(
    client, client_as, world
):
    set_today(date(2026, 6, 15))
    plan = await make_plan(world)
    kinship = await make_measure(world.initiative_id, "Kinship placements", 10, threshold=20)
    reentry = await make_measure(
        world.initiative_id, "Re-entry within a year", 6, direction="down", threshold=20
    )
    for month, value in ((3, 55.0), (5, 71.5), (4, 60.0)):
        await add_point(kinship, date(2026, month, 1), value, denominator=40)
    await add_point(reentry, date(2026, 4, 1), 25.0, denominator=30)
    await add_point(reentry, date(2026, 5, 1), 21.0, denominator=12)  # a small cell
    await pip.add_measurement(
        plan.pip,
        {"cfsr_item": 10, "label": "Kin first", "baseline": 50, "goal": 70, "measure": kinship},
    )
    await pip.add_measurement(
        plan.pip,
        {
            "cfsr_item": 6,
            "baseline": 30,
            "goal": 20,
            "renegotiated_goal": 22,
            "period": "FFY 2028",
            "measure": reentry,
        },
    )
    page = (await client.get(f"/pips/{plan.pip}/status")).text
    measures = section(page, "measures")
    # The line without a measure, the met goal (latest month, not the last entered)...
    assert "Siblings placed together 60 70 Higher" not in measures  # no measure: no direction
    assert "No Tandem measure linked" in measures
    assert (
        "CFSR item 10: Relative Placement Kin first 50 70 Higher is better "
        "71.5 (May 2026, Kinship placements) Met"
    ) in measures
    # ...and the renegotiated goal, judged in the measure's direction (lower is better).
    assert (
        "FFY 2028 30 22 (renegotiated from 20) Lower is better "
        "21 (May 2026, Re-entry within a year) Met"
    ) in measures
    # A liaison does not see the small cell's value, nor whether it meets the goal.
    liaison = await client_as(world.users["liaison"])
    measures = section((await liaison.get(f"/pips/{plan.pip}/status")).text, "measures")
    assert "suppressed (fewer than 20) (May 2026, Re-entry within a year)" in measures
    assert "Not shown: small numbers" in measures and "21 (May" not in measures
    assert "71.5 (May 2026, Kinship placements) Met" in measures
    api = (await liaison.get(f"/api/pips/{plan.pip}")).json()["measurements"]
    assert api[2]["latest_value"] is None and api[2]["goal_met"] is None
    # Not yet met.
    await add_point(kinship, date(2026, 6, 1), 65.0, denominator=40)
    measures = section((await client.get(f"/pips/{plan.pip}/status")).text, "measures")
    assert "65 (Jun 2026, Kinship placements) Not yet met" in measures
    assert await PipMeasurement.count() == 3


async def _grow(world, plan, to: int) -> None:
    """More key activities, half of them backlog items; one more measured line."""
    for n in range(len(plan.activities), to):
        activity = await pip.add_activity(
            plan.strategy, {"title": f"More {n}", "owner": world.lead, "evidence": f"*{n}*"}
        )
        plan.activities.append(activity)
        if n % 2:
            await pip.add_to_backlog(activity, 1, world.initiative_id)


async def test_plan_and_status_pages_run_a_constant_number_of_queries(client, world, count_queries):
    """PERF-01: 2 and 12 key activities cost the same queries."""
    set_today(date(2026, 6, 15))
    plan = await make_plan(world, activities=2)
    measure = await make_measure(world.initiative_id, "Measured", 7)
    await add_point(measure, date(2026, 5, 1), 62.0)
    await pip.add_measurement(plan.pip, {"cfsr_item": 7, "goal": 70, "measure": measure})
    await pip.add_to_backlog(plan.activities[0], 1, world.initiative_id)
    urls = (
        f"/pips/{plan.pip}",
        f"/pips/{plan.pip}/status",
        f"/initiatives/{world.initiative_id}/pip",
        f"/api/pips/{plan.pip}",
    )
    small = {}
    for url in urls:
        await client.get(url)
        with count_queries() as counted:
            assert (await client.get(url)).status_code == 200
        small[url] = counted.count
    await _grow(world, plan, 12)
    goal = await pip.add_goal(plan.pip, {"text": "Second goal"})
    strategy = await pip.add_strategy(goal, {"text": "Second strategy"})
    await pip.add_activity(strategy, {"title": "In the second goal"})
    for n in range(3):
        await pip.add_measurement(plan.pip, {"label": f"Line {n}", "measure": measure})
    for url in urls:
        with count_queries() as counted:
            response = await client.get(url)
        assert response.status_code == 200
        assert counted.count == small[url], (url, small[url], counted.statements)
    page = (await client.get(f"/pips/{plan.pip}")).text
    assert "1.1.12 More 11" in text_of(page) and "2.1.1 In the second goal" in text_of(page)


def test_the_plan_in_force_wins_over_a_later_one_not_in_effect_yet():
    from datetime import date

    from backend.pip.queries import current_of

    def plan(pip_id: int, effective: date, end: date) -> dict:
        return {"id": pip_id, "effective_date": effective, "non_overlapping_year_end": end}

    in_force = plan(1, date(2026, 1, 1), date(2029, 1, 1))
    next_round = plan(2, date(2027, 3, 1), date(2030, 3, 1))
    later = plan(3, date(2028, 3, 1), date(2031, 3, 1))
    ended = plan(4, date(2020, 1, 1), date(2023, 1, 1))
    today = date(2026, 6, 15)
    assert current_of([later, next_round, in_force, ended], today) == in_force
    # None in effect: the next to take effect, not the furthest.
    assert current_of([later, next_round, ended], today) == next_round
    assert current_of([ended], today) is None
