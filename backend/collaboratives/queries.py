"""Reads for the collaborative pages: a constant number of queries per page (PERF-01),
however many teams, ideas, adoptions and PDSA cycles there are."""

from __future__ import annotations

from datetime import date
from typing import Any

from piccolo.query.functions.aggregate import Count

from backend.accounts.access import Access
from backend.accounts.permissions import ITEM_WRITE, READ
from backend.accounts.tables import User
from backend.collaboratives.tables import (
    SESSION_KINDS,
    Adoption,
    ChangeIdea,
    Collaborative,
    CollaborativeSession,
    CollaborativeTeam,
    Faculty,
)
from backend.initiatives.tables import Initiative
from backend.pdsa.queries import phase_of
from backend.pdsa.tables import ACT_DECISIONS, PHASES, PdsaItem

AGENCY_KINDS = {"state": "State", "county": "County", "tribal": "Tribal"}


async def collaboratives_list(ids: list[int]) -> list[dict[str, Any]]:
    """The collaboratives with these ids, with their number of member teams (two queries)."""
    if not ids:
        return []
    rows = await (
        Collaborative.select(
            Collaborative.id,
            Collaborative.name,
            Collaborative.start_date,
            Collaborative.end_date,
        )
        .where(Collaborative.id.is_in(ids))
        .order_by(Collaborative.name)
    )
    counts = await (
        CollaborativeTeam.select(CollaborativeTeam.collaborative, Count(alias="teams"))
        .where(CollaborativeTeam.collaborative.is_in(ids))
        .group_by(CollaborativeTeam.collaborative)
    )
    by_id = {r["collaborative"]: r["teams"] for r in counts}
    for row in rows:
        row["team_count"] = by_id.get(row["id"], 0)
    return rows


async def teams_of(collaborative_id: int) -> list[dict[str, Any]]:
    """Member teams: the initiative with its agency's name and kind, by agency name."""
    rows = await (
        CollaborativeTeam.select(
            CollaborativeTeam.initiative.id.as_alias("initiative_id"),
            CollaborativeTeam.initiative.title.as_alias("initiative_title"),
            CollaborativeTeam.initiative.agency.id.as_alias("agency_id"),
            CollaborativeTeam.initiative.agency.name.as_alias("agency_name"),
            CollaborativeTeam.initiative.agency.kind.as_alias("agency_kind"),
            CollaborativeTeam.joined_on,
        )
        .where(CollaborativeTeam.collaborative == collaborative_id)
        .order_by(CollaborativeTeam.initiative.agency.name)
        .order_by(CollaborativeTeam.initiative.title)
    )
    for row in rows:
        row["kind_label"] = AGENCY_KINDS.get(row["agency_kind"], row["agency_kind"] or "")
    return rows


async def faculty_of(collaborative_id: int) -> list[dict[str, Any]]:
    return await (
        Faculty.select(Faculty.user.id.as_alias("user_id"), Faculty.user.name.as_alias("name"))
        .where(Faculty.collaborative == collaborative_id)
        .order_by(Faculty.user.name)
    )


def session_state(session: dict[str, Any], today: date) -> str:
    """Where today falls against one calendar entry, in words."""
    if session["end_date"] < today:
        return "Past"
    if session["start_date"] > today:
        return "Coming up"
    return "Now"


async def calendar_of(collaborative_id: int, today: date) -> list[dict[str, Any]]:
    """Learning sessions and action periods in date order, each marked past, now or coming up."""
    rows = await (
        CollaborativeSession.select()
        .where(CollaborativeSession.collaborative == collaborative_id)
        .order_by(CollaborativeSession.start_date)
        .order_by(CollaborativeSession.end_date)
        .order_by(CollaborativeSession.id)
    )
    for row in rows:
        row["kind_label"] = SESSION_KINDS.get(row["kind"], row["kind"])
        row["state"] = session_state(row, today)
    return rows


async def ideas_of(collaborative_id: int) -> list[dict[str, Any]]:
    return await (
        ChangeIdea.select()
        .where(ChangeIdea.collaborative == collaborative_id)
        .order_by(ChangeIdea.position)
        .order_by(ChangeIdea.id)
    )


async def _adoptions(collaborative_id: int) -> list[dict[str, Any]]:
    return await (
        Adoption.select(
            Adoption.id,
            Adoption.idea,
            Adoption.initiative,
            Adoption.item,
            Adoption.item.title.as_alias("item_title"),
            Adoption.adopted_at,
        )
        .where(Adoption.idea.collaborative == collaborative_id)
        .order_by(Adoption.adopted_at)
        .order_by(Adoption.id)
    )


async def _cycles_of_items(item_ids: list[int]) -> list[dict[str, Any]]:
    """Every PDSA cycle linked to these backlog items (backlog item -> pdsa_item -> cycle)."""
    if not item_ids:
        return []
    rows = await (
        PdsaItem.select(
            PdsaItem.item,
            PdsaItem.cycle.id.as_alias("id"),
            PdsaItem.cycle.change_idea.as_alias("change_idea"),
            PdsaItem.cycle.start_date.as_alias("start_date"),
            PdsaItem.cycle.end_date.as_alias("end_date"),
            PdsaItem.cycle.objective.as_alias("objective"),
            PdsaItem.cycle.prediction.as_alias("prediction"),
            PdsaItem.cycle.ran_as_planned.as_alias("ran_as_planned"),
            PdsaItem.cycle.study.as_alias("study"),
            PdsaItem.cycle.act_decision.as_alias("act_decision"),
            PdsaItem.cycle.act_notes.as_alias("act_notes"),
        )
        .where(PdsaItem.item.is_in(item_ids))
        .order_by(PdsaItem.cycle.id)
    )
    for row in rows:
        phase = phase_of(row)
        row["phase_label"] = PHASES[phase]
        row["decision_label"] = ACT_DECISIONS.get(row["act_decision"], "")
    return rows


def may_see_cycles(collaborative: dict[str, Any], access: Access, agency_id: int) -> bool:
    """Faculty and site admins see every team's cycles; a team sees its own, and the
    others' only when the collaborative shares cycles."""
    return collaborative["can_run"] or collaborative["share_cycles"] or access.can(READ, agency_id)


async def change_package(
    collaborative: dict[str, Any], teams: list[dict[str, Any]], access: Access
) -> list[dict[str, Any]]:
    """The ideas in order; per idea, the member teams that adopted it with their backlog
    item and its PDSA cycles (None where this person may not see them), and the teams
    this person could still adopt it into. Three queries."""
    ideas = await ideas_of(collaborative["id"])
    adoptions = await _adoptions(collaborative["id"])
    team_by_initiative = {t["initiative_id"]: t for t in teams}
    # A team that left keeps its backlog item; the package shows current members only.
    adoptions = [a for a in adoptions if a["initiative"] in team_by_initiative]
    cycles = await _cycles_of_items([a["item"] for a in adoptions if a["item"]])
    cycles_by_item: dict[int, list[dict[str, Any]]] = {}
    for cycle in cycles:
        cycles_by_item.setdefault(cycle["item"], []).append(cycle)
    by_idea: dict[int, list[dict[str, Any]]] = {}
    for adoption in adoptions:
        team = team_by_initiative[adoption["initiative"]]
        by_idea.setdefault(adoption["idea"], []).append(
            {
                **adoption,
                "team": team,
                "can_read": access.can(READ, team["agency_id"]),
                "cycles": cycles_by_item.get(adoption["item"], [])
                if may_see_cycles(collaborative, access, team["agency_id"])
                else None,
            }
        )
    writable = [t for t in teams if access.can(ITEM_WRITE, t["agency_id"])]
    for idea in ideas:
        idea["adoptions"] = by_idea.get(idea["id"], [])
        adopted = {a["initiative"] for a in idea["adoptions"]}
        idea["can_adopt_into"] = [t for t in writable if t["initiative_id"] not in adopted]
    return ideas


async def initiative_options(exclude: set[int]) -> list[tuple[int, str]]:
    """Every agency's initiatives but the member teams, for a site admin's select."""
    rows = (
        await Initiative.select(
            Initiative.id, Initiative.title, Initiative.agency.name.as_alias("agency_name")
        )
        .order_by(Initiative.agency.name)
        .order_by(Initiative.title)
    )
    return [(r["id"], f"{r['agency_name']}: {r['title']}") for r in rows if r["id"] not in exclude]


async def user_options(exclude: set[int]) -> list[tuple[int, str]]:
    """Every active person but the faculty, for a site admin's select."""
    rows = await (
        User.select(User.id, User.name, User.email)
        .where(User.active == True)  # noqa: E712 - piccolo column
        .order_by(User.name)
    )
    return [(r["id"], f"{r['name']} ({r['email']})") for r in rows if r["id"] not in exclude]
