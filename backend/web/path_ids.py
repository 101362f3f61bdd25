"""Refuse path ids that no row can have, before any handler queries with them."""

from __future__ import annotations

from litestar import Request

from backend.db import MAX_ID
from backend.errors import NotFound


async def refuse_impossible_ids(request: Request) -> None:
    """`/items/99999999999` is a 404, not a PostgreSQL int4 overflow (a 500)."""
    for name, value in request.path_params.items():
        if name.endswith("_id") and isinstance(value, int) and not 1 <= value <= MAX_ID:
            raise NotFound("That page does not exist")
