"""An agency's home page: its initiatives and, for its lead, where to manage it."""

from __future__ import annotations

from litestar import Request, get
from litestar.params import FromPath
from litestar.response import Template

from backend.accounts.queries import agency_or_404
from backend.initiatives.tables import Initiative
from backend.scrum.tables import Sprint


@get("/agencies/{agency_id:int}", name="agencies.detail")
async def agency_detail(request: Request, agency_id: FromPath[int]) -> Template:
    agency = await agency_or_404(agency_id)
    initiatives = await (
        Initiative.select(
            Initiative.id,
            Initiative.title,
            Initiative.problem_area,
            Initiative.current_stage.name.as_alias("stage_name"),
        )
        .where(Initiative.agency == agency_id)
        .order_by(Initiative.title)
    )
    active = await Sprint.select(Sprint.initiative, Sprint.number, Sprint.end_date).where(
        (Sprint.state == "active") & (Sprint.initiative.agency == agency_id)
    )
    active_by_initiative = {r["initiative"]: r for r in active}
    for row in initiatives:
        row["active_sprint"] = active_by_initiative.get(row["id"])
    return Template(
        "accounts/agency.html",
        context={"title": agency["name"], "agency": agency, "initiatives": initiatives},
    )


route_handlers = [agency_detail]
