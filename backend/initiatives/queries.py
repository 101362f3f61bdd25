"""Reads shared by initiative pages."""

from __future__ import annotations

from typing import Any

from backend.errors import NotFound
from backend.initiatives.tables import CIStage, Initiative


async def initiative_or_404(initiative_id: int) -> dict[str, Any]:
    rows = await Initiative.select(
        *Initiative.all_columns(),
        Initiative.agency.name.as_alias("agency_name"),
        Initiative.current_stage.name.as_alias("stage_name"),
        Initiative.current_stage.position.as_alias("stage_position"),
    ).where(Initiative.id == initiative_id)
    if not rows:
        raise NotFound(f"Initiative {initiative_id} was not found")
    return rows[0]


async def stage_options(agency_id: int) -> list[tuple[int, str]]:
    """(id, "2. Problem exploration") for selects, in the agency's order."""
    rows = await (
        CIStage.select(CIStage.id, CIStage.position, CIStage.name)
        .where(CIStage.agency == agency_id)
        .order_by(CIStage.position)
        .order_by(CIStage.id)
    )
    return [(r["id"], f"{r['position']}. {r['name']}") for r in rows]
