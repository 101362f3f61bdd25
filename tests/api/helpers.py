"""Reads of the database that API tests assert against after each request."""

from __future__ import annotations

from typing import Any

from backend.initiatives.tables import CIStage
from backend.scrum.tables import BacklogItem, ItemHistory


async def saved_item(item_id: int) -> dict[str, Any]:
    rows = await BacklogItem.select().where(BacklogItem.id == item_id)
    assert rows, f"item {item_id} is not in the database"
    return rows[0]


async def item_count(initiative_id: int | None = None) -> int:
    if initiative_id is None:
        return await BacklogItem.count()
    return await BacklogItem.count().where(BacklogItem.initiative == initiative_id)


async def ranked_ids(initiative_id: int) -> list[int]:
    rows = await (
        BacklogItem.select(BacklogItem.id)
        .where(BacklogItem.initiative == initiative_id)
        .order_by(BacklogItem.rank)
    )
    return [r["id"] for r in rows]


async def history_changes(item_id: int) -> list[str]:
    rows = await (
        ItemHistory.select(ItemHistory.change)
        .where(ItemHistory.item == item_id)
        .order_by(ItemHistory.id)
    )
    return [r["change"] for r in rows]


async def stage_of_agency(agency_id: int) -> int:
    rows = await CIStage.select(CIStage.id).where(CIStage.agency == agency_id).limit(1)
    return rows[0]["id"]
