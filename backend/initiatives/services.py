"""Creating agencies and initiatives with their default stages and board columns."""

from __future__ import annotations

from datetime import date

from backend import db
from backend.accounts.services import lock_agency
from backend.accounts.tables import Agency
from backend.errors import Invalid, NotFound
from backend.initiatives.tables import DEFAULT_STAGES, CIStage, Initiative
from backend.scrum.tables import DEFAULT_COLUMNS, BoardColumn
from backend.versions import check_version, save_version


async def create_agency(name: str, slug: str, state: str = "", kind: str = "state") -> int:
    async with db.writing():
        row = (
            await Agency.insert(Agency(name=name, slug=slug, state=state, kind=kind)).returning(
                Agency.id
            )
        )[0]
        await CIStage.insert(
            *[
                CIStage(agency=row["id"], position=i, name=n, short_name=s, cross_cutting=c)
                for i, (n, s, c) in enumerate(DEFAULT_STAGES, start=1)
            ]
        )
    return row["id"]


async def create_initiative(
    agency_id: int,
    title: str,
    problem_area: str = "",
    product_goal: str = "",
    current_stage_id: int | None = None,
    start_date: date | None = None,
    end_date: date | None = None,
) -> int:
    async with db.writing():
        row = (
            await Initiative.insert(
                Initiative(
                    agency=agency_id,
                    title=title,
                    problem_area=problem_area,
                    product_goal=product_goal,
                    current_stage=current_stage_id,
                    start_date=start_date,
                    end_date=end_date,
                )
            ).returning(Initiative.id)
        )[0]
        await BoardColumn.insert(
            *[
                BoardColumn(initiative=row["id"], name=n, position=i, is_done=done)
                for i, (n, done) in enumerate(DEFAULT_COLUMNS, start=1)
            ]
        )
    return row["id"]


async def stages_for_agency(agency_id: int) -> list[dict]:
    return await (
        CIStage.select(CIStage.id, CIStage.position, CIStage.name, CIStage.short_name)
        .where(CIStage.agency == agency_id)
        .order_by(CIStage.position)
        .order_by(CIStage.id)
    )


INITIATIVE_EDITABLE = frozenset(
    {
        "title",
        "problem_area",
        "product_goal",
        "current_stage",
        "start_date",
        "end_date",
        "swimlanes_by_stage",
    }
)


async def update_initiative(initiative_id: int, expected_version: int, values: dict) -> None:
    fields = {k: v for k, v in values.items() if k in INITIATIVE_EDITABLE}
    async with db.writing():
        rows = await Initiative.select(Initiative.agency, Initiative.version).where(
            Initiative.id == initiative_id
        )
        if not rows:
            raise NotFound(f"Initiative {initiative_id} was not found")
        check_version(rows[0], expected_version, "initiative")
        await _check_stage(rows[0]["agency"], fields.get("current_stage"))
        await save_version(Initiative, initiative_id, expected_version, fields)


async def _check_stage(agency_id: int, stage_id: int | None) -> None:
    if stage_id is None:
        return
    ok = await CIStage.exists().where((CIStage.id == stage_id) & (CIStage.agency == agency_id))
    if not ok:
        raise Invalid({"current_stage": "Choose a C&I stage from the list"})


async def rename_stage(agency_id: int, stage_id: int, name: str, short_name: str) -> None:
    async with db.writing():
        updated = (
            await CIStage.update({CIStage.name: name, CIStage.short_name: short_name})
            .where((CIStage.id == stage_id) & (CIStage.agency == agency_id))
            .returning(CIStage.id)
        )
        if not updated:
            raise NotFound("That stage is not one of this agency's stages")


async def move_stage(agency_id: int, stage_id: int, direction: str) -> None:
    """Swap a stage with its neighbour; positions are renumbered 1..n in one transaction."""
    async with db.writing():
        await lock_agency(agency_id)
        stages = await stages_for_agency(agency_id)
        ids = [s["id"] for s in stages]
        if stage_id not in ids:
            raise NotFound("That stage is not one of this agency's stages")
        i = ids.index(stage_id)
        j = i - 1 if direction == "up" else i + 1
        if 0 <= j < len(ids):
            ids[i], ids[j] = ids[j], ids[i]
        for position, sid in enumerate(ids, start=1):
            await CIStage.update({CIStage.position: position}).where(CIStage.id == sid)


async def add_stage(agency_id: int, name: str, short_name: str = "") -> int:
    async with db.writing():
        await lock_agency(agency_id)
        stages = await stages_for_agency(agency_id)
        row = (
            await CIStage.insert(
                CIStage(
                    agency=agency_id,
                    position=len(stages) + 1,
                    name=name,
                    short_name=short_name,
                )
            ).returning(CIStage.id)
        )[0]
    return row["id"]
