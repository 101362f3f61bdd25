"""Builders of test data through the same services the app uses."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from backend.initiatives import services as initiatives
from backend.initiatives.tables import CIStage
from backend.scrum import services as scrum
from backend.scrum.tables import BoardColumn


@dataclass
class World:
    agency_id: int
    initiative_id: int
    stages: list[dict]
    columns: list[dict]
    other_agency_id: int
    other_initiative_id: int
    other_columns: list[dict] = field(default_factory=list)

    @property
    def todo(self) -> int:
        return self.columns[0]["id"]

    @property
    def in_progress(self) -> int:
        return self.columns[1]["id"]

    @property
    def done(self) -> int:
        return next(c["id"] for c in self.columns if c["is_done"])


async def build_world() -> World:
    agency = await initiatives.create_agency("Test Agency", "test-agency", "MA", "state")
    stages = await CIStage.select().where(CIStage.agency == agency).order_by(CIStage.position)
    initiative = await initiatives.create_initiative(
        agency,
        "Parent engagement",
        product_goal="Parents are partners",
        current_stage_id=stages[3]["id"],
        start_date=date(2026, 1, 5),
    )
    other = await initiatives.create_agency("Other Agency", "other-agency", "CA", "county")
    other_initiative = await initiatives.create_initiative(other, "Other initiative")
    columns = (
        await BoardColumn.select()
        .where(BoardColumn.initiative == initiative)
        .order_by(BoardColumn.position)
    )
    other_columns = (
        await BoardColumn.select()
        .where(BoardColumn.initiative == other_initiative)
        .order_by(BoardColumn.position)
    )
    return World(agency, initiative, stages, columns, other, other_initiative, other_columns)


async def make_items(initiative_id: int, count: int, **values) -> list[int]:
    ids = []
    for n in range(count):
        ids.append(
            await scrum.create_item(
                initiative_id,
                {"title": f"Story {n + 1}", "estimate": values.get("estimate", 3), **values},
            )
        )
    return ids
