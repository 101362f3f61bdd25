"""Burndown and velocity computed from item history, never from current state."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from backend.scrum.services import CLOSE_CHANGES
from backend.scrum.tables import ItemHistory, Sprint


@dataclass
class BurndownDay:
    day: date
    remaining: int | None  # None for days that have not happened yet
    scope: int | None
    ideal: float
    added: int = 0  # points that entered the sprint (or grew) that day
    removed: int = 0  # points that left the sprint (or shrank) that day


@dataclass
class Burndown:
    sprint_id: int
    committed: int
    days: list[BurndownDay] = field(default_factory=list)

    @property
    def scope_changed(self) -> bool:
        return any(d.added or d.removed for d in self.days)


def _end_of(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC) - timedelta(
        microseconds=1
    )


def compute_burndown(
    sprint: dict[str, Any], history: list[dict[str, Any]], now: datetime
) -> Burndown:
    """Remaining points at the end of each sprint day.

    `history` holds every history row of every item that was ever in the
    sprint, ordered by time. An item counts towards the sprint on a day if its
    latest state by the end of that day puts it in the sprint. A closed sprint
    only sees rows up to its close, and not the carry-over rows written at
    its close, so its burndown never changes afterwards. Carry-over rows from an
    earlier sprint's close do count: they bring work into this sprint.
    """
    sid = sprint["id"]
    start: date = sprint["start_date"]
    end: date = max(sprint["end_date"], start)
    closed_at: datetime | None = sprint["closed_at"]
    cutoff_all = closed_at or now
    rows = [
        r
        for r in history
        if r["at"] <= cutoff_all
        and not (closed_at and r["at"] >= closed_at and r["change"] in CLOSE_CHANGES)
    ]
    rows.sort(key=lambda r: (r["at"], r["id"]))

    state: dict[int, tuple[bool, int, bool]] = {}  # item -> (in sprint, estimate, done)

    def scope_by_item() -> dict[int, int]:
        return {i: est for i, (inside, est, _) in state.items() if inside}

    def apply_until(limit: datetime, cursor: int) -> int:
        while cursor < len(rows) and rows[cursor]["at"] <= limit:
            r = rows[cursor]
            state[r["item"]] = (r["sprint"] == sid, r["estimate"] or 0, bool(r["is_done"]))
            cursor += 1
        return cursor

    started_at: datetime | None = sprint["started_at"]
    baseline_at = started_at or _end_of(start - timedelta(days=1))
    cursor = apply_until(baseline_at, 0)
    committed = sprint["committed_points"]
    if committed is None:
        committed = sum(scope_by_item().values())
    previous = scope_by_item()

    total_days = (end - start).days
    result = Burndown(sprint_id=sid, committed=committed)
    for offset in range(total_days + 1):
        day = start + timedelta(days=offset)
        ideal = committed * (1 - offset / total_days) if total_days else 0.0
        limit = _end_of(day)
        if limit > cutoff_all and day > cutoff_all.date():
            result.days.append(BurndownDay(day, None, None, round(ideal, 2)))
            continue
        cursor = apply_until(min(limit, cutoff_all), cursor)
        current = scope_by_item()
        added = removed = 0
        for item in previous.keys() | current.keys():
            delta = current.get(item, 0) - previous.get(item, 0)
            if delta > 0:
                added += delta
            else:
                removed -= delta
        previous = current
        remaining = sum(est for i, (inside, est, done) in state.items() if inside and not done)
        result.days.append(
            BurndownDay(day, remaining, sum(current.values()), round(ideal, 2), added, removed)
        )
    return result


async def sprint_burndown(sprint: dict[str, Any], now: datetime) -> Burndown:
    """Load the history of every item ever in the sprint (two queries) and compute."""
    member_ids = ItemHistory.select(ItemHistory.item).where(ItemHistory.sprint == sprint["id"])
    history = await ItemHistory.select(
        ItemHistory.id,
        ItemHistory.item,
        ItemHistory.at,
        ItemHistory.change,
        ItemHistory.sprint,
        ItemHistory.estimate,
        ItemHistory.is_done,
    ).where(ItemHistory.item.is_in(member_ids))
    return compute_burndown(sprint, history, now)


@dataclass
class VelocityPoint:
    sprint_id: int
    number: int
    committed: int
    completed: int


async def velocity(initiative_id: int) -> list[VelocityPoint]:
    """Committed vs completed points of each closed sprint, frozen at start and close."""
    rows = await (
        Sprint.select(Sprint.id, Sprint.number, Sprint.committed_points, Sprint.completed_points)
        .where((Sprint.initiative == initiative_id) & (Sprint.state == "closed"))
        .order_by(Sprint.number)
    )
    return [
        VelocityPoint(r["id"], r["number"], r["committed_points"] or 0, r["completed_points"] or 0)
        for r in rows
    ]


def average_velocity(points: list[VelocityPoint], last: int = 3) -> float | None:
    recent = points[-last:]
    return sum(p.completed for p in recent) / len(recent) if recent else None
