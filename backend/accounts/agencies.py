"""An agency's home page: its initiatives and, for its lead, where to manage it,
including the case-number shapes the personal-information guard looks for (PII-01)."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from backend import db
from backend.accounts.queries import agency_or_404
from backend.accounts.tables import Agency
from backend.initiatives.tables import Initiative
from backend.scrum.tables import Sprint
from backend.web import pii
from backend.web.forms import Errors, form_data
from backend.web.pages import form_page

SHAPES_FIELD = "case_number_shapes"
SHAPES_LABEL = "Case-number shapes"
MESSAGES = {"shapes": "Case-number shapes saved."}


async def _agency_page(
    request: Request,
    agency_id: int,
    *,
    status: int = 200,
    errors: Errors | None = None,
    shapes: str | None = None,
) -> Template:
    """The page; after refused shapes, with the errors and the shapes as typed."""
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
    saved_shapes = await pii.agency_shapes(agency_id)
    context: dict[str, Any] = {
        "title": agency["name"],
        "agency": agency,
        "initiatives": initiatives,
        "saved_shapes": pii.shape_lines(saved_shapes),
        "shapes_value": saved_shapes if shapes is None else shapes,
        "shapes_hint": pii.SHAPES_HINT,
        "errors": errors or {},
        "message": MESSAGES.get(request.query_params.get("done", "")) if not errors else None,
    }
    return form_page("accounts/agency.html", status, **context)


@get("/agencies/{agency_id:int}", name="agencies.detail")
async def agency_detail(request: Request, agency_id: FromPath[int]) -> Template:
    return await _agency_page(request, agency_id)


@post("/agencies/{agency_id:int}/case-number-shapes", name="agencies.case_number_shapes")
async def case_number_shapes(request: Request, agency_id: FromPath[int]) -> Template | Redirect:
    """Replace the agency's case-number shapes (one per line; empty clears them)."""
    await agency_or_404(agency_id)
    data = await form_data(request)
    errors = Errors()
    raw = data.get(SHAPES_FIELD)
    shapes = pii.parse_shapes(raw, SHAPES_FIELD, errors, label=SHAPES_LABEL)
    if errors:
        typed = raw if isinstance(raw, str) else ""
        return await _agency_page(request, agency_id, status=422, errors=errors, shapes=typed)
    async with db.writing():
        await Agency.update({Agency.case_number_patterns: shapes}).where(Agency.id == agency_id)
    url = request.app.route_reverse("agencies.detail", agency_id=agency_id)
    return Redirect(f"{url}?done=shapes#case-number-shapes", status_code=303)


route_handlers = [agency_detail, case_number_shapes]
