"""Writes to an initiative's board columns: rename, WIP limit, order, done column.

Each function runs in one write transaction and checks that the column
belongs to the initiative, so a column id from another initiative is NotFound.
"""

from __future__ import annotations

from typing import Any

from piccolo.query.functions.aggregate import Count

from backend import clock, db
from backend.errors import Invalid, NotFound
from backend.scrum import services
from backend.scrum.tables import BacklogItem, BoardColumn, Sprint


async def _columns(initiative_id: int) -> list[dict[str, Any]]:
    return await services.columns_for(initiative_id)


def _find(columns: list[dict[str, Any]], column_id: int) -> dict[str, Any]:
    for column in columns:
        if column["id"] == column_id:
            return column
    raise NotFound("That column is not one of this board's columns")


async def _renumber(ids: list[int]) -> None:
    for position, column_id in enumerate(ids, start=1):
        await BoardColumn.update({BoardColumn.position: position}).where(
            BoardColumn.id == column_id
        )


def _check_name_free(columns: list[dict], name: str, own_id: int | None) -> None:
    """Column names are unique on a board, ignoring case (checked under the lock)."""
    for column in columns:
        if column["id"] != own_id and column["name"].casefold() == name.casefold():
            raise Invalid({"name": f"There is already a column called “{column['name']}”"})


async def update_column(
    initiative_id: int, column_id: int, name: str, wip_limit: int | None
) -> None:
    async with db.writing():
        await services._lock_initiative(initiative_id)
        columns = await _columns(initiative_id)
        _find(columns, column_id)
        _check_name_free(columns, name, column_id)
        await BoardColumn.update({BoardColumn.name: name, BoardColumn.wip_limit: wip_limit}).where(
            BoardColumn.id == column_id
        )


async def move_column(initiative_id: int, column_id: int, direction: str) -> None:
    """Swap a column with its neighbour and renumber positions 1..n."""
    async with db.writing():
        await services._lock_initiative(initiative_id)
        ids = [c["id"] for c in await _columns(initiative_id)]
        if column_id not in ids:
            raise NotFound("That column is not one of this board's columns")
        i = ids.index(column_id)
        j = i - 1 if direction == "up" else i + 1
        if 0 <= j < len(ids):
            ids[i], ids[j] = ids[j], ids[i]
        await _renumber(ids)


async def add_column(initiative_id: int, name: str, wip_limit: int | None) -> int:
    """A new column at the right-hand end of the board."""
    async with db.writing():
        await services._lock_initiative(initiative_id)
        columns = await _columns(initiative_id)
        _check_name_free(columns, name, None)
        last = max((c["position"] for c in columns), default=0)
        row = (
            await BoardColumn.insert(
                BoardColumn(
                    initiative=initiative_id,
                    name=name,
                    position=last + 1,
                    wip_limit=wip_limit,
                    is_done=False,
                )
            ).returning(BoardColumn.id)
        )[0]
    return row["id"]


async def set_done_column(initiative_id: int, column_id: int) -> None:
    """Make `column_id` the one done column.

    Items now in the old or the new done column change their done state: their
    done time is set or cleared, and items of open sprints (and the backlog)
    get a history row so the active sprint's burndown follows. Closed sprints
    keep their history untouched.
    """
    now = clock.now()
    async with db.writing():
        await services._lock_initiative(initiative_id)
        columns = await _columns(initiative_id)
        column = _find(columns, column_id)
        if column["is_done"] and sum(1 for c in columns if c["is_done"]) == 1:
            return
        changed = [c["id"] for c in columns if c["is_done"] != (c["id"] == column_id)]
        await BoardColumn.update({BoardColumn.is_done: False}).where(
            (BoardColumn.initiative == initiative_id) & (BoardColumn.id != column_id)
        )
        await BoardColumn.update({BoardColumn.is_done: True}).where(BoardColumn.id == column_id)
        in_changed = BacklogItem.status.is_in(changed)
        await BacklogItem.update({BacklogItem.done_at: None}).where(
            in_changed & (BacklogItem.status != column_id)
        )
        await BacklogItem.update({BacklogItem.done_at: now}).where(BacklogItem.status == column_id)
        closed = Sprint.select(Sprint.id).where(Sprint.state == "closed")
        rows = await BacklogItem.select(BacklogItem.id).where(
            in_changed & (BacklogItem.sprint.is_null() | BacklogItem.sprint.not_in(closed))
        )
        await services._record([r["id"] for r in rows], "done_column_changed", now)


async def delete_column(initiative_id: int, column_id: int) -> str:
    """Delete an empty column that is not the done column; returns its name."""
    async with db.writing():
        await services._lock_initiative(initiative_id)
        columns = await _columns(initiative_id)
        column = _find(columns, column_id)
        if column["is_done"]:
            raise Invalid(
                {
                    "column": f"“{column['name']}” is the done column: choose another done column "
                    "before deleting it"
                }
            )
        if len(columns) == 1:
            raise Invalid({"column": "A board needs at least one column"})
        held = (
            await BacklogItem.select(Count(BacklogItem.id, alias="n")).where(
                BacklogItem.status == column_id
            )
        )[0]["n"]
        if held:
            noun, them = ("item", "it") if held == 1 else ("items", "them")
            raise Invalid(
                {
                    "column": f"“{column['name']}” still holds {held} {noun}: move {them} to "
                    "another column before deleting it"
                }
            )
        await BoardColumn.delete().where(BoardColumn.id == column_id)
        await _renumber([c["id"] for c in columns if c["id"] != column_id])
    return column["name"]
