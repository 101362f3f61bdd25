"""DATA-01: optimistic versions. An edit carries the version it was made from;
saving it from an older version is a Conflict, never a silent overwrite."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from piccolo.table import Table

from backend.errors import Conflict


def check_version(row: dict[str, Any], expected_version: int, what: str) -> None:
    """Refuse an edit made from an older version than the one saved."""
    if row["version"] != expected_version:
        raise Conflict(
            f"Someone else saved this {what} while you were editing it; "
            "your changes were not saved.",
            current=row,
        )


async def save_version(
    table: type[Table],
    row_id: int,
    expected_version: int,
    fields: dict[str, Any],
    reread: Callable[[int], Awaitable[dict[str, Any]]] | None = None,
) -> None:
    """Write `fields` and the next version, only if the row is still at `expected_version`.

    `check_version` has already passed; this catches the edit that lands between
    that read and this write (PostgreSQL runs writers concurrently). The
    Conflict carries the row as `reread` (get_item, get_sprint...) shows it.
    """
    updated = (
        await table.update({**fields, "version": expected_version + 1})
        .where((table.id == row_id) & (table.version == expected_version))
        .returning(table.id)
    )
    if not updated:
        current = await reread(row_id) if reread else None
        raise Conflict(
            "Someone else saved this first; your changes were not saved.", current=current
        )
