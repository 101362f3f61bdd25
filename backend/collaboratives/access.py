"""Who may see and run a collaborative. A collaborative spans agencies, so its path id
is not resolved to one agency by the app's guard: its routes need a signed-in person
(permissions.SIGNED_IN) and call these checks first.

- See it: a site admin, its faculty, and anyone who can read a member team's agency
  (its members and its liaisons). Anyone else gets 404, as for another agency's rows.
- Run it (details, calendar, change package, member teams, shared measures): a site
  admin or its faculty.
- A team's own actions (adopting a change idea into its backlog, linking its measure
  or PDSA cycle) need that power in the team's own agency, checked where they happen.
"""

from __future__ import annotations

from typing import Any

from backend.accounts.access import Access
from backend.collaboratives.tables import Collaborative, CollaborativeTeam, Faculty
from backend.db import possible_id
from backend.errors import Forbidden, NotFound


async def collaborative_or_404(collaborative_id: int, access: Access) -> dict[str, Any]:
    """The collaborative if this person may see it; NotFound otherwise (the same words
    whether it is missing or not theirs)."""
    missing = NotFound(f"Collaborative {collaborative_id} was not found")
    if not possible_id(collaborative_id):
        raise missing
    rows = await Collaborative.select().where(Collaborative.id == collaborative_id)
    if not rows or not await can_see(rows[0]["id"], access):
        raise missing
    row = rows[0]
    row["is_faculty"] = await is_faculty(row["id"], access.user_id)
    row["can_run"] = access.is_site_admin or row["is_faculty"]
    return row


async def is_faculty(collaborative_id: int, user_id: int) -> bool:
    return await Faculty.exists().where(
        (Faculty.collaborative == collaborative_id) & (Faculty.user == user_id)
    )


async def can_see(collaborative_id: int, access: Access) -> bool:
    if access.is_site_admin or await is_faculty(collaborative_id, access.user_id):
        return True
    if not access.agency_ids:
        return False
    return await CollaborativeTeam.exists().where(
        (CollaborativeTeam.collaborative == collaborative_id)
        & CollaborativeTeam.initiative.agency.is_in(access.agency_ids)
    )


def require_run(collaborative: dict[str, Any]) -> None:
    """Refuse changes to the collaborative itself to anyone but faculty and site admins."""
    if not collaborative["can_run"]:
        raise Forbidden("Only the collaborative's faculty or a site admin can change this")


async def visible_ids(access: Access) -> list[int]:
    """Every collaborative this person may see (for the list page), one query each way."""
    if access.is_site_admin:
        return [r["id"] for r in await Collaborative.select(Collaborative.id)]
    ids = {
        r["collaborative"]
        for r in await Faculty.select(Faculty.collaborative).where(Faculty.user == access.user_id)
    }
    if access.agency_ids:
        ids |= {
            r["collaborative"]
            for r in await CollaborativeTeam.select(CollaborativeTeam.collaborative).where(
                CollaborativeTeam.initiative.agency.is_in(access.agency_ids)
            )
        }
    return sorted(ids)
