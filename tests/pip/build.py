"""A program improvement plan built through backend/pip/services (as seeds do), and
helpers to read pages."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from backend import clock
from backend.pip import services
from backend.pip.tables import PipActivity

TODAY = date(2026, 6, 15)


def text_of(html: str) -> str:
    """The words of a page; tags count as spaces."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def set_today(day: date = TODAY) -> None:
    clock.set_clock(lambda: datetime(day.year, day.month, day.day, 12, tzinfo=UTC))


@dataclass
class Plan:
    pip: int
    goal: int
    strategy: int
    activities: list[int] = field(default_factory=list)
    measurement: int = 0


async def make_plan(world, activities: int = 2, title: str = "Round 4 PIP") -> Plan:
    """A plan in force on TODAY: one goal (CFSR item 7), one strategy, `activities`
    key activities owned by the team member, and one measurement line."""
    pip = await services.create_pip(
        world.agency_id, {"title": title, "effective_date": date(2026, 1, 1)}
    )
    goal = await services.add_goal(pip, {"text": "Keep siblings together", "cfsr_item": 7})
    strategy = await services.add_strategy(goal, {"text": "Find placements for sibling groups"})
    plan = Plan(pip, goal, strategy)
    for n in range(activities):
        plan.activities.append(
            await services.add_activity(
                strategy,
                {
                    "title": f"Key activity {n + 1}",
                    "owner": world.users["team_member"],
                    "target_date": date(2026, 9, 30),
                },
            )
        )
    plan.measurement = await services.add_measurement(
        pip, {"cfsr_item": 7, "label": "Siblings placed together", "baseline": 60, "goal": 70}
    )
    return plan


async def activity_row(activity_id: int) -> dict:
    return (await PipActivity.select().where(PipActivity.id == activity_id))[0]
