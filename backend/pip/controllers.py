"""Program improvement plan pages: an agency's plans, a new plan, the plan itself,
its status page, and the plan's title and dates.

The parts of a plan (goals, strategies, key activities, the measurement plan)
have their forms in `backend/pip/parts.py`. Every page reads the plan through
`queries.plan`, which works out each key activity's status from the board.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from backend import clock
from backend.accounts.queries import agency_or_404
from backend.errors import Conflict
from backend.initiatives.queries import initiative_or_404
from backend.measures.queries import suppresses_small_cells
from backend.pip import forms, parts, queries, services
from backend.pip.pages import plan_page
from backend.web import pii
from backend.web.forms import Errors, edit_version, form_data, typed
from backend.web.pages import form_page

NAV = "pip"
NO_CURRENT = (
    "{agency} has no program improvement plan in force now. "
    "A plan is in force from its effective date to the end of its non-overlapping year."
)


async def _status_page(
    request: Request, pip: dict[str, Any], initiative: dict[str, Any] | None = None
) -> Template:
    today = clock.today()
    found = await queries.plan(pip, today, suppresses_small_cells(request))
    return Template(
        "pip/status.html",
        context={
            "title": f"Status of {pip['title']}",
            "pip": pip,
            "initiative": initiative,
            "nav": NAV,
            "today": today,
            "phase": queries.phase_of(pip, today),
            **found,
        },
    )


async def _index_page(agency: dict[str, Any], initiative: dict[str, Any] | None = None) -> Template:
    pips = await queries.pips_of(agency["id"])
    today = clock.today()
    for pip in pips:
        pip["phase"] = queries.phase_of(pip, today)
    return Template(
        "pip/index.html",
        context={
            "title": f"Program improvement plans of {agency['name']}",
            "agency": agency,
            "pips": pips,
            "initiative": initiative,
            "nav": NAV,
            "explanation": NO_CURRENT.format(agency=agency["name"]) if initiative else None,
        },
    )


@get("/agencies/{agency_id:int}/pip", name="pip.index")
async def pip_index(agency_id: FromPath[int]) -> Template:
    return await _index_page(await agency_or_404(agency_id))


@get("/initiatives/{initiative_id:int}/pip", name="pip.for_initiative")
async def pip_for_initiative(request: Request, initiative_id: FromPath[int]) -> Template:
    """The status page of the agency's plan in force, inside the initiative's pages;
    the agency's plans with an explanation when none is in force."""
    initiative = await initiative_or_404(initiative_id)
    pips = await queries.pips_of(initiative["agency"])
    current = queries.current_of(pips, clock.today())
    if current is None:
        agency = await agency_or_404(initiative["agency"])
        return await _index_page(agency, initiative)
    return await _status_page(request, current, initiative)


@get("/pips/{pip_id:int}", name="pip.detail")
async def pip_detail(request: Request, pip_id: FromPath[int]) -> Template:
    return await plan_page(request, pip_id)


@get("/pips/{pip_id:int}/status", name="pip.status")
async def pip_status(request: Request, pip_id: FromPath[int]) -> Template:
    return await _status_page(request, await queries.pip_or_404(pip_id))


# ---------------------------------------------------------------- the plan's title and dates


def _pip_form(
    agency: dict[str, Any],
    pip: dict[str, Any] | None,
    values: dict[str, Any],
    errors: Errors,
    status: int = 200,
    conflict: str | None = None,
    version: int | None = None,
) -> Template:
    return form_page(
        "pip/pip_form.html",
        status,
        title=f"Edit {pip['title']}" if pip else "New program improvement plan",
        agency=agency,
        pip=pip,
        values=values,
        errors=errors,
        conflict=conflict,
        version=version if version is not None else (pip or {}).get("version"),
    )


@get("/agencies/{agency_id:int}/pip/new", name="pip.new")
async def pip_new(agency_id: FromPath[int]) -> Template:
    return _pip_form(await agency_or_404(agency_id), None, {}, Errors())


@post("/agencies/{agency_id:int}/pip/new", name="pip.create")
async def pip_create(request: Request, agency_id: FromPath[int]) -> Template | Redirect:
    agency = await agency_or_404(agency_id)
    data = await form_data(request)
    values, errors = forms.parse_pip(data)
    await pii.check(data, forms.PIP_PII, agency_id, errors)
    if errors:
        return _pip_form(agency, None, typed(data, forms.PIP_FIELDS), errors, 422)
    pip_id = await services.create_pip(agency_id, values)
    return Redirect(request.app.route_reverse("pip.detail", pip_id=pip_id), status_code=303)


@get("/pips/{pip_id:int}/edit", name="pip.edit")
async def pip_edit(pip_id: FromPath[int]) -> Template:
    pip = await queries.pip_or_404(pip_id)
    agency = await agency_or_404(pip["agency"])
    return _pip_form(agency, pip, forms.pip_values(pip), Errors())


@post("/pips/{pip_id:int}/edit", name="pip.update")
async def pip_update(request: Request, pip_id: FromPath[int]) -> Template | Redirect:
    pip = await queries.pip_or_404(pip_id)
    agency = await agency_or_404(pip["agency"])
    data = await form_data(request)
    version = edit_version(data, "program improvement plan")
    values, errors = forms.parse_pip(data)
    await pii.check(data, forms.PIP_PII, pip["agency"], errors)
    status, conflict, current = 422, None, pip
    if not errors:
        try:
            await services.update_pip(pip_id, version, values)
        except Conflict as exc:
            status, conflict = 409, exc.message
            current = await queries.pip_or_404(pip_id)
        else:
            return Redirect(request.app.route_reverse("pip.detail", pip_id=pip_id), status_code=303)
    return _pip_form(
        agency,
        current,
        typed(data, forms.PIP_FIELDS),
        errors,
        status,
        conflict,
        version=current["version"] if conflict else version,
    )


route_handlers = [
    pip_index,
    pip_new,
    pip_create,
    pip_for_initiative,
    pip_detail,
    pip_status,
    pip_edit,
    pip_update,
    *parts.route_handlers,
]
