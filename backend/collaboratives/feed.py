"""What others are testing: the PDSA cycles of a collaborative's member teams, newest first.

Who sees which cycles:
- faculty and site admins see every member team's cycles;
- anyone else sees the cycles of the teams in agencies they can read (their own
  team's, always), and the other teams' cycles only while the collaborative's
  share_cycles is on.
A cycle links to its page only for people who can read its agency; the others see
its summary here and no more. At most FEED_LIMIT cycles are listed, with the total
count. Four queries whatever the number of teams or cycles (PERF-01).
"""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.params import FromPath
from litestar.response import Template
from piccolo.query import OrderByRaw

from backend.accounts.access import Access
from backend.collaboratives import access as collab_access
from backend.collaboratives.cross_team import member_teams
from backend.pdsa.queries import describe
from backend.pdsa.tables import PdsaCycle

FEED_LIMIT = 100


def visible_teams(
    collaborative: dict[str, Any], teams: list[dict[str, Any]], access: Access
) -> list[dict[str, Any]]:
    """The member teams whose cycles this person sees (module docstring)."""
    if collaborative["can_run"] or collaborative["share_cycles"]:
        return teams
    return [t for t in teams if access.role_in(t["agency_id"]) is not None]


async def feed_of(initiative_ids: list[int], limit: int = FEED_LIMIT) -> tuple[list[dict], int]:
    """The newest `limit` cycles of these initiatives (by start date; undated last) and
    how many there are in all (two queries)."""
    if not initiative_ids:
        return [], 0
    where = PdsaCycle.initiative.is_in(initiative_ids)
    total = await PdsaCycle.count().where(where)
    rows = await (
        PdsaCycle.select(
            PdsaCycle.id,
            PdsaCycle.initiative,
            PdsaCycle.initiative.agency.as_alias("agency_id"),
            PdsaCycle.site.name.as_alias("site_name"),
            PdsaCycle.change_idea,
            PdsaCycle.objective,
            PdsaCycle.prediction,
            PdsaCycle.start_date,
            PdsaCycle.end_date,
            PdsaCycle.ran_as_planned,
            PdsaCycle.study,
            PdsaCycle.act_decision,
        )
        .where(where)
        # Undated cycles last on both databases (NULLs sort differently in each).
        .order_by(OrderByRaw('"pdsa_cycle"."start_date" IS NULL'))
        .order_by(PdsaCycle.start_date, ascending=False)
        .order_by(PdsaCycle.id, ascending=False)
        .limit(limit)
    )
    return [describe(r) for r in rows], total


@get("/collaboratives/{collaborative_id:int}/feed", name="collaboratives.feed")
async def feed_page(request: Request, collaborative_id: FromPath[int]) -> Template:
    access: Access = request.state.access
    collaborative = await collab_access.collaborative_or_404(collaborative_id, access)
    teams = await member_teams(collaborative_id)
    shown_teams = visible_teams(collaborative, teams, access)
    label_of = {t["initiative_id"]: f"{t['title']} ({t['agency_name']})" for t in teams}
    cycles, total = await feed_of([t["initiative_id"] for t in shown_teams])
    for cycle in cycles:
        cycle["team"] = label_of.get(cycle["initiative"], "")
        cycle["can_read"] = access.role_in(cycle["agency_id"]) is not None
    own_only = len(shown_teams) < len(teams)
    return Template(
        "collaboratives/feed.html",
        context={
            "title": f"What others are testing in {collaborative['name']}",
            "collaborative": collaborative,
            "cycles": cycles,
            "total": total,
            "limit": FEED_LIMIT,
            "own_only": own_only,
            "team_count": len(shown_teams),
        },
    )


route_handlers = [feed_page]
