"""The rules of a PIP read: default dates, a key activity's status from the board,
and whether a measurement goal is met. Plain functions, no database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from backend.pip.tables import ACTIVITY_STATUSES

IMPLEMENTATION_YEARS = 2
NON_OVERLAPPING_YEARS = 1


def add_years(day: date, years: int) -> date:
    """The same day `years` later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def default_implementation_end(effective: date) -> date:
    """Two years of implementation from the effective date."""
    return add_years(effective, IMPLEMENTATION_YEARS)


def default_non_overlapping_year_end(implementation_end: date) -> date:
    """Then one year in which the measurement goals must be met."""
    return add_years(implementation_end, NON_OVERLAPPING_YEARS)


# ---------------------------------------------------------------- key activities


@dataclass(frozen=True)
class ActivityStatus:
    code: str  # one of ACTIVITY_STATUSES
    from_board: bool  # worked out from the linked backlog item, not set by a person
    reason: str  # in words, for the page: why the board gives this status

    @property
    def label(self) -> str:
        return ACTIVITY_STATUSES.get(self.code, self.code)


def activity_status(
    activity: dict[str, Any], first_position: int | None, today: date
) -> ActivityStatus:
    """The status a key activity shows now.

    Without a backlog item, it is what a person set. With one, it follows the
    board: in a done column -> completed; otherwise a renegotiated activity stays
    renegotiated; otherwise a passed target date -> behind; otherwise in a sprint
    or past the board's first column -> on schedule; otherwise not started.

    `activity` carries `status`, `target_date`, `item` and the item's
    `item_is_done`, `item_column`, `item_column_position`, `item_sprint`,
    `item_sprint_state`, `item_sprint_number`; `first_position` is the position
    of the first column of the item's board.
    """
    stored = activity["status"] if activity["status"] in ACTIVITY_STATUSES else "not_started"
    item_id = activity.get("item")
    if item_id is None:
        return ActivityStatus(stored, False, "")
    card = f"#{item_id}"
    if activity.get("item_is_done"):
        return ActivityStatus("completed", True, f"{card} is in {activity['item_column']}")
    if stored == "renegotiated":
        return ActivityStatus("renegotiated", False, "")
    target = activity.get("target_date")
    if target is not None and target < today:
        return ActivityStatus("behind", True, f"the target date has passed and {card} is not done")
    in_sprint = activity.get("item_sprint") is not None and activity.get("item_sprint_state") in (
        "planned",
        "active",
    )
    if in_sprint:
        return ActivityStatus(
            "on_schedule", True, f"{card} is in sprint {activity['item_sprint_number']}"
        )
    position = activity.get("item_column_position")
    if first_position is not None and position is not None and position > first_position:
        return ActivityStatus("on_schedule", True, f"{card} is in {activity['item_column']}")
    return ActivityStatus("not_started", True, f"{card} has not been started on the board")


def days_late(target: date | None, today: date) -> int | None:
    if target is None or target >= today:
        return None
    return (today - target).days


# ---------------------------------------------------------------- measurement plan


def goal_of(line: dict[str, Any]) -> float | None:
    """The goal that counts: the renegotiated one when there is one."""
    if line.get("renegotiated_goal") is not None:
        return line["renegotiated_goal"]
    return line.get("goal")


def goal_met(value: float | None, goal: float | None, direction: str) -> bool | None:
    """Whether the latest value reaches the goal in the measure's desired direction;
    None when either is unknown."""
    if value is None or goal is None:
        return None
    return value <= goal if direction == "down" else value >= goal


def number_text(value: float | int | None) -> str:
    """30.0 -> "30", 12.50 -> "12.5", None -> ""."""
    if value is None:
        return ""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.4f}".rstrip("0").rstrip(".")
