"""Reads of an agency's program improvement plans: the list, one plan with its goals,
strategies, key activities (status from the board) and measurement plan, and
the status page's summary.

A plan is read in a fixed number of queries whatever its size (PERF-01).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date
from typing import Any

from backend.accounts.tables import Membership
from backend.errors import NotFound
from backend.initiatives.tables import Initiative
from backend.measures import periods
from backend.measures.chart import format_number
from backend.measures.queries import is_small, suppressed_text
from backend.measures.tables import DIRECTIONS, DataPoint, Measure
from backend.pip import status
from backend.pip.tables import (
    ACTIVITY_STATUSES,
    Pip,
    PipActivity,
    PipGoal,
    PipMeasurement,
    PipStrategy,
)
from backend.scrum.tables import BoardColumn

PIP_COLUMNS = (
    Pip.id,
    Pip.agency,
    Pip.agency.name.as_alias("agency_name"),
    Pip.title,
    Pip.effective_date,
    Pip.implementation_end,
    Pip.non_overlapping_year_end,
    Pip.version,
)
GOAL_COLUMNS = (
    PipGoal.id,
    PipGoal.pip,
    PipGoal.position,
    PipGoal.text,
    PipGoal.cfsr_item,
    PipGoal.cfsr_item.number.as_alias("cfsr_number"),
    PipGoal.cfsr_item.name.as_alias("cfsr_name"),
    PipGoal.version,
)
STRATEGY_COLUMNS = (
    PipStrategy.id,
    PipStrategy.goal,
    PipStrategy.position,
    PipStrategy.text,
    PipStrategy.version,
    PipStrategy.goal.pip.as_alias("pip"),
    PipStrategy.goal.position.as_alias("goal_position"),
    PipStrategy.goal.text.as_alias("goal_text"),
)
_item = PipActivity.item
ACTIVITY_COLUMNS = (
    PipActivity.id,
    PipActivity.strategy,
    PipActivity.position,
    PipActivity.title,
    PipActivity.owner,
    PipActivity.owner.name.as_alias("owner_name"),
    PipActivity.target_date,
    PipActivity.status,
    PipActivity.evidence,
    PipActivity.item,
    PipActivity.version,
    PipActivity.strategy.text.as_alias("strategy_text"),
    PipActivity.strategy.goal.as_alias("goal"),
    PipActivity.strategy.goal.pip.as_alias("pip"),
    PipActivity.strategy.goal.cfsr_item.number.as_alias("goal_cfsr_number"),
    _item.title.as_alias("item_title"),
    _item.kind.as_alias("item_kind"),
    _item.initiative.as_alias("item_initiative"),
    _item.status.name.as_alias("item_column"),
    _item.status.is_done.as_alias("item_is_done"),
    _item.status.position.as_alias("item_column_position"),
    _item.sprint.as_alias("item_sprint"),
    _item.sprint.state.as_alias("item_sprint_state"),
    _item.sprint.number.as_alias("item_sprint_number"),
)
MEASUREMENT_COLUMNS = (
    PipMeasurement.id,
    PipMeasurement.pip,
    PipMeasurement.cfsr_item,
    PipMeasurement.cfsr_item.number.as_alias("cfsr_number"),
    PipMeasurement.cfsr_item.name.as_alias("cfsr_name"),
    PipMeasurement.label,
    PipMeasurement.baseline,
    PipMeasurement.goal,
    PipMeasurement.renegotiated_goal,
    PipMeasurement.period,
    PipMeasurement.measure,
    PipMeasurement.measure.name.as_alias("measure_name"),
    PipMeasurement.measure.unit.as_alias("measure_unit"),
    PipMeasurement.measure.direction.as_alias("measure_direction"),
    PipMeasurement.measure.period_kind.as_alias("measure_period_kind"),
    PipMeasurement.measure.small_cell_threshold.as_alias("measure_threshold"),
    PipMeasurement.measure.initiative.title.as_alias("measure_initiative"),
    PipMeasurement.version,
)


# ---------------------------------------------------------------- plans


async def pip_or_404(pip_id: int) -> dict[str, Any]:
    rows = await Pip.select(*PIP_COLUMNS).where(Pip.id == pip_id)
    if not rows:
        raise NotFound(f"Program improvement plan {pip_id} was not found")
    return rows[0]


async def pips_of(agency_id: int) -> list[dict[str, Any]]:
    """The agency's plans, the latest effective date first."""
    return await (
        Pip.select(*PIP_COLUMNS)
        .where(Pip.agency == agency_id)
        .order_by(Pip.effective_date, ascending=False)
        .order_by(Pip.id, ascending=False)
    )


def current_of(pips: list[dict[str, Any]], today: date) -> dict[str, Any] | None:
    """The plan in force (`pips` come latest effective date first): of those in effect
    whose non-overlapping year has not ended, the latest; when none is in effect,
    the next one to take effect (a plan approved but not started yet)."""
    upcoming = None
    for pip in pips:
        if pip["effective_date"] > today:
            upcoming = pip  # the list runs latest first: the last seen is the soonest
        elif pip["non_overlapping_year_end"] >= today:
            return pip
    return upcoming


def phase_of(pip: dict[str, Any], today: date) -> str:
    """Where the plan stands today, in words."""
    if today < pip["effective_date"]:
        return f"Not yet in effect: it takes effect in {_days(pip['effective_date'] - today)}."
    if today <= pip["implementation_end"]:
        return (
            "Implementation period: "
            f"{_days(pip['implementation_end'] - today)} left until the implementation end."
        )
    if today <= pip["non_overlapping_year_end"]:
        return (
            "Non-overlapping year: the measurement goals must be met; "
            f"{_days(pip['non_overlapping_year_end'] - today)} left."
        )
    return "Closed: the non-overlapping year has ended."


def _days(delta) -> str:
    return "1 day" if delta.days == 1 else f"{delta.days} days"


# ---------------------------------------------------------------- parts


async def goal_or_404(goal_id: int) -> dict[str, Any]:
    rows = await PipGoal.select(*GOAL_COLUMNS).where(PipGoal.id == goal_id)
    if not rows:
        raise NotFound(f"PIP goal {goal_id} was not found")
    return rows[0]


async def strategy_or_404(strategy_id: int) -> dict[str, Any]:
    rows = await PipStrategy.select(*STRATEGY_COLUMNS).where(PipStrategy.id == strategy_id)
    if not rows:
        raise NotFound(f"PIP strategy {strategy_id} was not found")
    return rows[0]


async def activity_or_404(activity_id: int) -> dict[str, Any]:
    rows = await PipActivity.select(*ACTIVITY_COLUMNS).where(PipActivity.id == activity_id)
    if not rows:
        raise NotFound(f"PIP key activity {activity_id} was not found")
    return rows[0]


async def measurement_or_404(measurement_id: int) -> dict[str, Any]:
    rows = await PipMeasurement.select(*MEASUREMENT_COLUMNS).where(
        PipMeasurement.id == measurement_id
    )
    if not rows:
        raise NotFound(f"PIP measurement line {measurement_id} was not found")
    return rows[0]


async def goal_contents(goal_id: int) -> tuple[int, int]:
    """(strategies, key activities) that go when the goal is deleted."""
    strategies = await PipStrategy.count().where(PipStrategy.goal == goal_id)
    activities = await PipActivity.count().where(PipActivity.strategy.goal == goal_id)
    return strategies, activities


async def strategy_contents(strategy_id: int) -> int:
    return await PipActivity.count().where(PipActivity.strategy == strategy_id)


# ---------------------------------------------------------------- key activity status


async def first_positions(agency_id: int) -> dict[int, int]:
    """Initiative -> the position of its board's first column (one query)."""
    rows = await BoardColumn.select(BoardColumn.initiative, BoardColumn.position).where(
        BoardColumn.initiative.agency == agency_id
    )
    first: dict[int, int] = {}
    for row in rows:
        initiative = row["initiative"]
        first[initiative] = min(first.get(initiative, row["position"]), row["position"])
    return first


def with_status(activity: dict[str, Any], first: dict[int, int], today: date) -> dict[str, Any]:
    """Give an activity its status as shown now (status.activity_status) and days late."""
    found = status.activity_status(activity, first.get(activity["item_initiative"]), today)
    activity["shown_status"] = found.code
    activity["status_label"] = found.label
    activity["from_board"] = found.from_board
    activity["board_reason"] = found.reason
    activity["days_late"] = (
        status.days_late(activity["target_date"], today) if found.code == "behind" else None
    )
    # Set by a person and still open after its target date: worth a look.
    activity["overdue"] = (
        not found.from_board
        and found.code in ("not_started", "on_schedule")
        and status.days_late(activity["target_date"], today) is not None
    )
    return activity


async def activity_with_status(activity_id: int, agency_id: int, today: date) -> dict[str, Any]:
    activity = await activity_or_404(activity_id)
    return with_status(activity, await first_positions(agency_id), today)


# ---------------------------------------------------------------- the whole plan


async def latest_points(measure_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Measure -> its latest data point (one query for all measures)."""
    ids = sorted(set(measure_ids))
    if not ids:
        return {}
    rows = await (
        DataPoint.select(
            DataPoint.measure, DataPoint.period_start, DataPoint.value, DataPoint.denominator
        )
        .where(DataPoint.measure.is_in(ids))
        .order_by(DataPoint.measure)
        .order_by(DataPoint.period_start, ascending=False)
    )
    latest: dict[int, dict[str, Any]] = {}
    for row in rows:
        latest.setdefault(row["measure"], row)
    return latest


def judge(line: dict[str, Any], point: dict[str, Any] | None, suppress_small: bool) -> None:
    """Put the latest value of the line's measure beside its goal, in words."""
    goal = status.goal_of(line)
    line["goal_shown"] = goal
    line["goal_text"] = status.number_text(goal)
    line["latest"] = None
    line["latest_text"] = ""
    line["latest_period"] = ""
    line["met"] = None
    if line["measure"] is None:
        line["verdict"] = "No Tandem measure linked"
        return
    if point is None:
        line["verdict"] = "No data yet"
        return
    line["latest_period"] = periods.label(point["period_start"], line["measure_period_kind"])
    if suppress_small and is_small(point, line["measure_threshold"]):
        line["latest_text"] = suppressed_text(line["measure_threshold"])
        line["verdict"] = "Not shown: small numbers"
        return
    line["latest"] = point["value"]
    line["latest_text"] = format_number(point["value"])
    if goal is None:
        line["verdict"] = "No goal set"
        return
    line["met"] = status.goal_met(point["value"], goal, line["measure_direction"])
    line["verdict"] = "Met" if line["met"] else "Not yet met"


async def plan(pip: dict[str, Any], today: date, suppress_small: bool) -> dict[str, Any]:
    """Goals > strategies > key activities (numbered 1, 1.1, 1.1.1 in order, each
    activity with its status as shown now) and the measurement plan against its
    goals. Six queries whatever the plan's size."""
    pip_id = pip["id"]
    goals = await (
        PipGoal.select(*GOAL_COLUMNS)
        .where(PipGoal.pip == pip_id)
        .order_by(PipGoal.position)
        .order_by(PipGoal.id)
    )
    strategies = await (
        PipStrategy.select(*STRATEGY_COLUMNS)
        .where(PipStrategy.goal.pip == pip_id)
        .order_by(PipStrategy.position)
        .order_by(PipStrategy.id)
    )
    activities = await (
        PipActivity.select(*ACTIVITY_COLUMNS)
        .where(PipActivity.strategy.goal.pip == pip_id)
        .order_by(PipActivity.position)
        .order_by(PipActivity.id)
    )
    first = await first_positions(pip["agency"])
    lines = await (
        PipMeasurement.select(*MEASUREMENT_COLUMNS)
        .where(PipMeasurement.pip == pip_id)
        .order_by(PipMeasurement.id)
    )
    points = await latest_points(line["measure"] for line in lines if line["measure"])

    by_goal: dict[int, list[dict[str, Any]]] = {}
    for strategy in strategies:
        by_goal.setdefault(strategy["goal"], []).append(strategy)
    by_strategy: dict[int, list[dict[str, Any]]] = {}
    for activity in activities:
        by_strategy.setdefault(activity["strategy"], []).append(activity)
    ordered: list[dict[str, Any]] = []
    for g, goal in enumerate(goals, start=1):
        goal["number"] = str(g)
        goal["strategies"] = by_goal.get(goal["id"], [])
        for s, strategy in enumerate(goal["strategies"], start=1):
            strategy["number"] = f"{g}.{s}"
            strategy["activities"] = by_strategy.get(strategy["id"], [])
            for a, activity in enumerate(strategy["activities"], start=1):
                activity["number"] = f"{g}.{s}.{a}"
                with_status(activity, first, today)
                ordered.append(activity)
    for line in lines:
        line["direction_label"] = DIRECTIONS.get(line["measure_direction"] or "", "")
        line["baseline_text"] = status.number_text(line["baseline"])
        line["original_goal_text"] = status.number_text(line["goal"])
        line["renegotiated_text"] = status.number_text(line["renegotiated_goal"])
        judge(line, points.get(line["measure"]), suppress_small)
    counts = Counter(a["shown_status"] for a in ordered)
    return {
        "goals": goals,
        "activities": ordered,
        "measurements": lines,
        "counts": [(code, label, counts.get(code, 0)) for code, label in ACTIVITY_STATUSES.items()],
        "behind": [a for a in ordered if a["shown_status"] == "behind"],
        "overdue": [a for a in ordered if a["overdue"]],
    }


# ---------------------------------------------------------------- choices for forms


async def owner_choices(agency_id: int) -> list[tuple[int, str]]:
    """Active members of the agency, by name: the people who may own an activity."""
    rows = await (
        Membership.select(Membership.user.as_alias("id"), Membership.user.name.as_alias("name"))
        .where(
            (Membership.agency == agency_id)
            & (Membership.active == True)  # noqa: E712 - piccolo builds SQL from ==
            & (Membership.user.active == True)  # noqa: E712
        )
        .order_by(Membership.user.name)
    )
    return [(r["id"], r["name"]) for r in rows]


async def measure_choices(agency_id: int) -> list[tuple[int, str]]:
    """Measures of the agency's initiatives, as "Initiative: measure"."""
    rows = await (
        Measure.select(Measure.id, Measure.name, Measure.initiative.title.as_alias("initiative"))
        .where(Measure.initiative.agency == agency_id)
        .order_by(Measure.initiative.title)
        .order_by(Measure.name)
    )
    return [(r["id"], f"{r['initiative']}: {r['name']}") for r in rows]


async def initiative_choices(agency_id: int) -> list[tuple[int, str]]:
    rows = await (
        Initiative.select(Initiative.id, Initiative.title)
        .where(Initiative.agency == agency_id)
        .order_by(Initiative.title)
        .order_by(Initiative.id)
    )
    return [(r["id"], r["title"]) for r in rows]


async def activities_of_item(item_id: int) -> list[dict[str, Any]]:
    """The PIP key activities made into this backlog item (the story page names them)."""
    return await PipActivity.select(
        PipActivity.id,
        PipActivity.title,
        PipActivity.strategy.goal.pip.id.as_alias("pip_id"),
        PipActivity.strategy.goal.pip.title.as_alias("pip_title"),
    ).where(PipActivity.item == item_id)
