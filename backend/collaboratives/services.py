"""Every write to a collaborative: one transaction each.

Handlers check who may do it (collaboratives/access.py, and the team's own
power for adopting); these functions check that referenced rows belong to the
collaborative and write atomically. The seeds call them too.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from backend import clock, db
from backend.accounts.tables import User
from backend.collaboratives.tables import (
    Adoption,
    ChangeIdea,
    Collaborative,
    CollaborativeSession,
    CollaborativeTeam,
    Faculty,
)
from backend.errors import Conflict, Invalid, NotFound
from backend.initiatives.tables import Initiative
from backend.scrum import services as scrum
from backend.versions import check_version, save_version

COLLABORATIVE_EDITABLE = ("name", "topic", "start_date", "end_date", "share_cycles")
SESSION_EDITABLE = ("kind", "title", "start_date", "end_date", "notes")
IDEA_EDITABLE = ("title", "description")


def _only(values: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if k in keys}


# ---------------------------------------------------------------- reads used by writes


async def get_collaborative(collaborative_id: int) -> dict[str, Any]:
    if not db.possible_id(collaborative_id):
        raise NotFound(f"Collaborative {collaborative_id} was not found")
    rows = await Collaborative.select().where(Collaborative.id == collaborative_id)
    if not rows:
        raise NotFound(f"Collaborative {collaborative_id} was not found")
    return rows[0]


async def get_session(collaborative_id: int, session_id: int) -> dict[str, Any]:
    """A calendar entry of this collaborative (the path's id is not trusted on its own)."""
    rows = []
    if db.possible_id(session_id):
        rows = await CollaborativeSession.select().where(
            (CollaborativeSession.id == session_id)
            & (CollaborativeSession.collaborative == collaborative_id)
        )
    if not rows:
        raise NotFound(f"Calendar entry {session_id} was not found")
    return rows[0]


async def get_idea(collaborative_id: int, idea_id: int) -> dict[str, Any]:
    """A change idea of this collaborative."""
    rows = []
    if db.possible_id(idea_id):
        rows = await ChangeIdea.select().where(
            (ChangeIdea.id == idea_id) & (ChangeIdea.collaborative == collaborative_id)
        )
    if not rows:
        raise NotFound(f"Change idea {idea_id} was not found")
    return rows[0]


# ---------------------------------------------------------------- the collaborative


async def create_collaborative(values: dict[str, Any]) -> int:
    async with db.writing():
        rows = await Collaborative.insert(
            Collaborative(**_only(values, COLLABORATIVE_EDITABLE))
        ).returning(Collaborative.id)
    return rows[0]["id"]


async def update_collaborative(
    collaborative_id: int, expected_version: int, values: dict[str, Any]
) -> None:
    """An edit made from `expected_version`; a stale one raises Conflict (DATA-01)."""
    async with db.writing():
        current = await get_collaborative(collaborative_id)
        check_version(current, expected_version, "collaborative")
        await save_version(
            Collaborative,
            collaborative_id,
            expected_version,
            _only(values, COLLABORATIVE_EDITABLE),
            reread=get_collaborative,
        )


# ---------------------------------------------------------------- member teams and faculty


async def add_team(collaborative_id: int, initiative_id: int, joined_on: date | None = None) -> int:
    """Make an initiative a member team; Invalid if it is already one or does not exist."""
    async with db.writing():
        await get_collaborative(collaborative_id)
        if not db.possible_id(initiative_id) or not await Initiative.exists().where(
            Initiative.id == initiative_id
        ):
            raise Invalid({"initiative": "Choose an initiative from the list"})
        rows = (
            await CollaborativeTeam.insert(
                CollaborativeTeam(
                    collaborative=collaborative_id,
                    initiative=initiative_id,
                    joined_on=joined_on or clock.today(),
                )
            )
            .on_conflict(action="DO NOTHING")
            .returning(CollaborativeTeam.id)
        )
        if not rows:
            raise Invalid({"initiative": "That initiative is already a member team"})
    return rows[0]["id"]


async def remove_team(collaborative_id: int, initiative_id: int) -> None:
    """The team leaves; its adopted backlog items stay in its own backlog."""
    async with db.writing():
        await CollaborativeTeam.delete().where(
            (CollaborativeTeam.collaborative == collaborative_id)
            & (CollaborativeTeam.initiative == initiative_id)
        )


async def add_faculty(collaborative_id: int, user_id: int) -> int:
    async with db.writing():
        await get_collaborative(collaborative_id)
        if not db.possible_id(user_id) or not await User.exists().where(
            (User.id == user_id) & (User.active == True)  # noqa: E712 - piccolo column
        ):
            raise Invalid({"user": "Choose a person from the list"})
        # The unique pair decides, so two submits at once cannot both add them.
        rows = (
            await Faculty.insert(Faculty(collaborative=collaborative_id, user=user_id))
            .on_conflict(action="DO NOTHING")
            .returning(Faculty.id)
        )
        if not rows:
            raise Invalid({"user": "That person is already on the faculty"})
    return rows[0]["id"]


async def remove_faculty(collaborative_id: int, user_id: int) -> None:
    async with db.writing():
        await Faculty.delete().where(
            (Faculty.collaborative == collaborative_id) & (Faculty.user == user_id)
        )


# ---------------------------------------------------------------- the calendar


async def add_session(collaborative_id: int, values: dict[str, Any]) -> int:
    """A learning session or action period (kind in tables.SESSION_KINDS)."""
    async with db.writing():
        await get_collaborative(collaborative_id)
        rows = await CollaborativeSession.insert(
            CollaborativeSession(collaborative=collaborative_id, **_only(values, SESSION_EDITABLE))
        ).returning(CollaborativeSession.id)
    return rows[0]["id"]


async def update_session(
    collaborative_id: int, session_id: int, expected_version: int, values: dict[str, Any]
) -> None:
    async with db.writing():
        current = await get_session(collaborative_id, session_id)
        check_version(current, expected_version, "calendar entry")

        async def reread(row_id: int) -> dict[str, Any]:
            return await get_session(collaborative_id, row_id)

        await save_version(
            CollaborativeSession,
            session_id,
            expected_version,
            _only(values, SESSION_EDITABLE),
            reread=reread,
        )


async def delete_session(collaborative_id: int, session_id: int) -> None:
    async with db.writing():
        await get_session(collaborative_id, session_id)
        await CollaborativeSession.delete().where(CollaborativeSession.id == session_id)


# ---------------------------------------------------------------- the change package


async def add_idea(collaborative_id: int, values: dict[str, Any]) -> int:
    """A change idea at the end of the package."""
    async with db.writing():
        await get_collaborative(collaborative_id)
        last = (
            await ChangeIdea.select(ChangeIdea.position)
            .where(ChangeIdea.collaborative == collaborative_id)
            .order_by(ChangeIdea.position, ascending=False)
            .limit(1)
        )
        position = last[0]["position"] + 1 if last else 1
        rows = await ChangeIdea.insert(
            ChangeIdea(
                collaborative=collaborative_id,
                position=position,
                **_only(values, IDEA_EDITABLE),
            )
        ).returning(ChangeIdea.id)
    return rows[0]["id"]


async def update_idea(
    collaborative_id: int, idea_id: int, expected_version: int, values: dict[str, Any]
) -> None:
    async with db.writing():
        current = await get_idea(collaborative_id, idea_id)
        check_version(current, expected_version, "change idea")

        async def reread(row_id: int) -> dict[str, Any]:
            return await get_idea(collaborative_id, row_id)

        await save_version(
            ChangeIdea, idea_id, expected_version, _only(values, IDEA_EDITABLE), reread=reread
        )


# ---------------------------------------------------------------- adopting an idea


def adopted_title(idea_title: str) -> str:
    # Backlog titles hold 200 characters; the prefix must not push a long idea over.
    return f"Change idea: {idea_title}"[:200]


async def adopt(collaborative_id: int, idea_id: int, initiative_id: int) -> int:
    """A member team takes up a change idea: a story at the bottom of its backlog and
    the Adoption row, together or not at all. Returns the new backlog item's id.

    The caller has checked the person may write backlog items in the team's agency.
    """
    async with db.writing():
        collaborative = await get_collaborative(collaborative_id)
        if not await CollaborativeTeam.exists().where(
            (CollaborativeTeam.collaborative == collaborative_id)
            & (CollaborativeTeam.initiative == initiative_id)
        ):
            raise Invalid(
                {"initiative": "That initiative is not a member team of this collaborative"}
            )
        try:
            idea = await get_idea(collaborative_id, idea_id)
        except NotFound:
            raise Invalid({"idea": "Choose a change idea of this collaborative"}) from None
        if await Adoption.exists().where(
            (Adoption.idea == idea_id) & (Adoption.initiative == initiative_id)
        ):
            raise Conflict(f"This team has already adopted “{idea['title']}” into its backlog.")
        narrative = "\n\n".join(
            part
            for part in (
                idea["description"].strip(),
                f"From the change package of {collaborative['name']}.",
            )
            if part
        )
        item_id = await scrum.create_item(
            initiative_id,
            {"kind": "story", "title": adopted_title(idea["title"]), "narrative": narrative},
        )
        # Two presses at once: the unique pair lets one through; the other's
        # story is rolled back with it.
        rows = (
            await Adoption.insert(
                Adoption(
                    idea=idea_id, initiative=initiative_id, item=item_id, adopted_at=clock.now()
                )
            )
            .on_conflict(action="DO NOTHING")
            .returning(Adoption.id)
        )
        if not rows:
            raise Conflict(f"This team has already adopted “{idea['title']}” into its backlog.")
    return item_id
