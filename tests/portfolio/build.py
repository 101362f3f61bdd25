"""Builders for portfolio tests: agencies with a liaison assigned, an initiative with a
closed and an active sprint, measures, fidelity ratings and a plan, all through the
areas' own services."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from backend import clock
from backend.accounts import services as accounts
from backend.initiatives import services as initiatives
from backend.initiatives.tables import CIStage
from backend.scrum import services as scrum
from backend.scrum.tables import BoardColumn
from tests.factories import make_items

START = date(2026, 3, 2)  # the first sprint's start (a Monday)


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def set_day(day: date, hour: int = 12) -> None:
    clock.set_clock(lambda: at(day, hour))


async def done_column(initiative_id: int) -> int:
    rows = await BoardColumn.select(BoardColumn.id).where(
        (BoardColumn.initiative == initiative_id) & (BoardColumn.is_done == True)  # noqa: E712
    )
    return rows[0]["id"]


async def started_sprint(initiative_id: int, estimates: list[int], start: date) -> tuple[int, list]:
    set_day(start, 8)
    sprint = await scrum.create_sprint(initiative_id, {"start_date": start})
    ids = []
    for n, estimate in enumerate(estimates):
        ids += await make_items(initiative_id, 1, estimate=estimate, title=f"Item {n}")
    await scrum.assign_sprint(initiative_id, ids, sprint)
    set_day(start, 9)
    await scrum.start_sprint(sprint)
    return sprint, ids


async def sprints(initiative_id: int) -> tuple[int, int]:
    """Sprint 1 closed on day 14 with 5 of 8 points done; sprint 2 active from START +
    15 days, 10 points, 3 done on its third day. The clock is left on sprint 2's day 7."""
    done = await done_column(initiative_id)
    s1, (a, _b) = await started_sprint(initiative_id, [5, 3], START)
    set_day(START + timedelta(days=3))
    await scrum.move_item(a, done)
    set_day(START + timedelta(days=14), 17)
    await scrum.complete_sprint(s1, "backlog")
    second = START + timedelta(days=15)
    s2, (c, _d) = await started_sprint(initiative_id, [3, 7], second)
    set_day(second + timedelta(days=2))
    await scrum.move_item(c, done)
    set_day(second + timedelta(days=7))
    return s1, s2


async def agency_with_initiative(n: int, liaison: int | None = None) -> tuple[int, int]:
    agency = await initiatives.create_agency(f"Agency {n:02d}", f"agency-{n:02d}", "MA", "state")
    stages = await CIStage.select().where(CIStage.agency == agency).order_by(CIStage.position)
    initiative = await initiatives.create_initiative(
        agency, f"Initiative {n:02d}", current_stage_id=stages[2]["id"]
    )
    if liaison is not None:
        await accounts.assign_liaison(liaison, agency)
    return agency, initiative


def row_order(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr data-initiative="(\d+)"', html)]


def cell(html: str, initiative_id: int, name: str) -> str:
    """The HTML of one cell of one initiative's row."""
    row = re.search(rf'<tr data-initiative="{initiative_id}">(.*?)</tr>', html, re.S).group(1)
    return re.search(rf'<td data-cell="{name}"[^>]*>.*?</td>', row, re.S).group(0)


def attr(html: str, name: str) -> str:
    return re.search(rf'{name}="([^"]*)"', html).group(1)
