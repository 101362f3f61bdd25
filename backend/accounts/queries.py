"""Reads shared by the agency pages."""

from __future__ import annotations

from typing import Any

from backend.accounts.tables import Agency
from backend.errors import NotFound


async def agency_or_404(agency_id: int) -> dict[str, Any]:
    rows = await Agency.select(Agency.id, Agency.name, Agency.state, Agency.kind).where(
        Agency.id == agency_id
    )
    if not rows:
        raise NotFound(f"Agency {agency_id} was not found")
    return rows[0]
