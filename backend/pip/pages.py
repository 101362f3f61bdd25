"""The plan page, shared by the plan's own route and the part forms that come back
to it (a refused "Add to backlog")."""

from __future__ import annotations

from litestar import Request
from litestar.response import Template

from backend import clock
from backend.measures.queries import suppresses_small_cells
from backend.pip import queries
from backend.web.forms import Errors
from backend.web.pages import form_page


async def plan_page(
    request: Request,
    pip_id: int,
    status: int = 200,
    errors: Errors | None = None,
    conflict: str | None = None,
) -> Template:
    """Dates, goals > strategies > key activities, the measurement plan."""
    pip = await queries.pip_or_404(pip_id)
    today = clock.today()
    found = await queries.plan(pip, today, suppresses_small_cells(request))
    return form_page(
        "pip/detail.html",
        status,
        title=pip["title"],
        pip=pip,
        phase=queries.phase_of(pip, today),
        initiatives=await queries.initiative_choices(pip["agency"]),
        errors=errors or {},
        conflict=conflict,
        **found,
    )
