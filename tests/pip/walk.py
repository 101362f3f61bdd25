"""Rows the route walk (tests/test_route_walk.py) fills path ids with: one plan with a
goal, a strategy, a key activity (a backlog item, so its status comes from the
board) and a measurement line."""

from datetime import date

from backend.pip import services
from tests.factories import make_items


async def walk_ids(world) -> dict[str, object]:
    pip = await services.create_pip(
        world.agency_id, {"title": "Walk PIP", "effective_date": date(2026, 1, 1)}
    )
    goal = await services.add_goal(pip, {"text": "Walk goal", "cfsr_item": 7})
    strategy = await services.add_strategy(goal, {"text": "Walk strategy"})
    (item,) = await make_items(
        world.initiative_id, 1, title="Walk key activity", kind="pip_activity"
    )
    activity = await services.add_activity(
        strategy,
        {"title": "Walk key activity", "owner": world.lead, "evidence": "Walked", "item": item},
    )
    await services.add_activity(strategy, {"title": "Not on a backlog"})
    measurement = await services.add_measurement(
        pip, {"cfsr_item": 7, "label": "Siblings together", "baseline": 60, "goal": 70}
    )
    return {
        "pip_id": pip,
        "goal_id": goal,
        "strategy_id": strategy,
        "activity_id": activity,
        "measurement_id": measurement,
    }
