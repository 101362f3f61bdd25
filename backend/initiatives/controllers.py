"""Initiative list (grouped by agency) and the initiative overview."""

from __future__ import annotations

from litestar import Request, get
from litestar.params import FromPath
from litestar.response import Redirect, Template
from piccolo.query.functions.aggregate import Count

from backend import clock
from backend.accounts.permissions import LIAISON
from backend.accounts.tables import Agency
from backend.initiatives.progress_queries import stage_map
from backend.initiatives.queries import initiative_or_404
from backend.initiatives.tables import Initiative
from backend.scrum import metrics
from backend.scrum.sprint_queries import release_progress
from backend.scrum.tables import BacklogItem, Release, Sprint


@get("/", name="home", include_in_schema=False)
async def home(request: Request) -> Redirect:
    """One agency: its page. Several (or none): the list of everything one may see;
    a site admin of no agency: site administration."""
    access = request.state.access
    agency_ids = access.agency_ids
    if agency_ids and all(role == LIAISON for role in access.roles.values()):
        # A liaison with no membership: their home is the portfolio of their agencies.
        url = request.app.route_reverse("portfolio.index")
    elif len(agency_ids) == 1:
        url = request.app.route_reverse("agencies.detail", agency_id=agency_ids[0])
    elif not agency_ids and access.is_site_admin:
        url = request.app.route_reverse("admin.home")
    else:
        url = request.app.route_reverse("initiatives.list")
    return Redirect(url, status_code=303)


@get("/initiatives", name="initiatives.list")
async def initiative_list(request: Request) -> Template:
    """The initiatives of every agency the person belongs to or supports as a liaison."""
    # -1 stands in for "none": an empty IN () is not valid SQL everywhere.
    agency_ids = request.state.access.agency_ids or [-1]
    agencies = await (
        Agency.select(Agency.id, Agency.name, Agency.state, Agency.kind)
        .where(Agency.id.is_in(agency_ids))
        .order_by(Agency.name)
    )
    initiatives = (
        await Initiative.select(
            Initiative.id,
            Initiative.agency,
            Initiative.title,
            Initiative.problem_area,
            Initiative.current_stage.name.as_alias("stage_name"),
            Initiative.current_stage.position.as_alias("stage_position"),
        )
        .where(Initiative.agency.is_in(agency_ids))
        .order_by(Initiative.title)
    )
    active = await Sprint.select(Sprint.initiative, Sprint.number, Sprint.end_date).where(
        (Sprint.state == "active") & Sprint.initiative.agency.is_in(agency_ids)
    )
    active_by_initiative = {r["initiative"]: r for r in active}
    by_agency: dict[int, list[dict]] = {}
    for row in initiatives:
        row["active_sprint"] = active_by_initiative.get(row["id"])
        by_agency.setdefault(row["agency"], []).append(row)
    return Template(
        "initiatives/list.html",
        context={"title": "Initiatives", "agencies": agencies, "by_agency": by_agency},
    )


@get("/initiatives/{initiative_id:int}", name="initiatives.detail")
async def initiative_detail(request: Request, initiative_id: FromPath[int]) -> Template:
    initiative = await initiative_or_404(initiative_id)
    stages = await stage_map(initiative)
    sprint_rows = await (
        Sprint.select(
            Sprint.id,
            Sprint.number,
            Sprint.state,
            Sprint.goal,
            Sprint.start_date,
            Sprint.end_date,
            Sprint.capacity,
            Sprint.committed_points,
            Sprint.completed_points,
            Sprint.started_at,
            Sprint.closed_at,
            Sprint.release,
        )
        .where(Sprint.initiative == initiative_id)
        .order_by(Sprint.number)
    )
    active = next((s for s in sprint_rows if s["state"] == "active"), None)
    burndown = await metrics.sprint_burndown(active, clock.now()) if active else None
    releases = await Release.select(
        Release.id, Release.name, Release.target_date, Release.milestone
    ).where(Release.initiative == initiative_id)
    # Undated releases last; sorted here because SQLite and PostgreSQL put NULLs
    # at opposite ends.
    releases.sort(key=lambda r: (r["target_date"] is None, r["target_date"], r["id"]))
    progress = await release_progress([r["id"] for r in releases])
    counts = (
        await BacklogItem.select(
            BacklogItem.status.is_done.as_alias("is_done"), Count(BacklogItem.id, alias="n")
        )
        .where(BacklogItem.initiative == initiative_id)
        .group_by(BacklogItem.status.is_done)
    )
    open_items = sum(r["n"] for r in counts if not r["is_done"])
    velocity = await metrics.velocity(initiative_id)
    return Template(
        "initiatives/detail.html",
        context={
            "title": initiative["title"],
            "initiative": initiative,
            "nav": "overview",
            "stages": stages,
            "sprints": sprint_rows,
            "active": active,
            "burndown": burndown,
            "releases": releases,
            "progress": progress,
            "open_items": open_items,
            "average_velocity": metrics.average_velocity(velocity),
        },
    )


route_handlers = [home, initiative_list, initiative_detail]
