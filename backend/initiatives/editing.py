"""Creating and editing initiatives, and each agency's list of C&I stages."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from backend.accounts.queries import agency_or_404
from backend.errors import Conflict, Invalid
from backend.exploration.queries import has_theory
from backend.initiatives import services
from backend.initiatives.forms import parse_initiative, parse_stage
from backend.initiatives.queries import initiative_or_404, stage_options
from backend.web import forms
from backend.web.forms import edit_version, form_data
from backend.web.pages import form_page


@get("/agencies/{agency_id:int}/initiatives/new", name="initiatives.new")
async def initiative_new(agency_id: FromPath[int]) -> Template:
    agency = await agency_or_404(agency_id)
    return form_page(
        "initiatives/form.html",
        title="New initiative",
        agency=agency,
        initiative=None,
        values={"swimlanes_by_stage": True},
        errors={},
        stages=await stage_options(agency_id),
    )


@post("/agencies/{agency_id:int}/initiatives/new", name="initiatives.create")
async def initiative_create(request: Request, agency_id: FromPath[int]) -> Template | Redirect:
    agency = await agency_or_404(agency_id)
    data = await form_data(request)
    values, errors = parse_initiative(data)
    if not errors:
        try:
            await services._check_stage(agency_id, values["current_stage"])
        except Invalid as exc:
            errors.update(exc.errors)
    if errors:
        return form_page(
            "initiatives/form.html",
            422,
            title="New initiative",
            agency=agency,
            initiative=None,
            values={**values, **{k: data.get(k, "") for k in ("start_date", "end_date")}},
            errors=errors,
            stages=await stage_options(agency_id),
        )
    initiative_id = await services.create_initiative(
        agency_id,
        values["title"],
        problem_area=values["problem_area"],
        product_goal=values["product_goal"],
        current_stage_id=values["current_stage"],
        start_date=values["start_date"],
        end_date=values["end_date"],
    )
    url = request.app.route_reverse("initiatives.detail", initiative_id=initiative_id)
    return Redirect(url, status_code=303)


@get("/initiatives/{initiative_id:int}/edit", name="initiatives.edit")
async def initiative_edit(initiative_id: FromPath[int]) -> Template:
    initiative = await initiative_or_404(initiative_id)
    return form_page(
        "initiatives/form.html",
        title=f"Edit {initiative['title']}",
        agency={"id": initiative["agency"], "name": initiative["agency_name"]},
        initiative=initiative,
        values=initiative,
        errors={},
        stages=await stage_options(initiative["agency"]),
        goal_from_theory=await has_theory(initiative_id),
    )


@post("/initiatives/{initiative_id:int}/edit", name="initiatives.update")
async def initiative_update(request: Request, initiative_id: FromPath[int]) -> Template | Redirect:
    initiative = await initiative_or_404(initiative_id)
    data = await form_data(request)
    version = edit_version(data, "initiative")
    values, errors = parse_initiative(data)
    if await has_theory(initiative_id):
        # The product goal is the theory's long-term outcome now and changes only
        # there; the charter form shows it read-only, and a goal posted anyway
        # (an old form, a script) is left out while the other fields save.
        values.pop("product_goal", None)
        errors.pop("product_goal", None)
    status = 422
    message = None
    if not errors:
        try:
            await services.update_initiative(initiative_id, version, values)
        except Invalid as exc:
            errors.update(exc.errors)
        except Conflict as exc:
            status, message = 409, exc.message
        else:
            url = request.app.route_reverse("initiatives.detail", initiative_id=initiative_id)
            return Redirect(url, status_code=303)
    current = await initiative_or_404(initiative_id)
    return form_page(
        "initiatives/form.html",
        status,
        title=f"Edit {initiative['title']}",
        agency={"id": initiative["agency"], "name": initiative["agency_name"]},
        initiative=current,
        values={**values, **{k: data.get(k, "") for k in ("start_date", "end_date")}},
        errors=errors,
        conflict=message,
        stages=await stage_options(initiative["agency"]),
        goal_from_theory=await has_theory(initiative_id),
    )


async def _stages_page(agency: dict, status: int = 200, errors=None, values=None) -> Template:
    return form_page(
        "initiatives/stages.html",
        status,
        title=f"C&I stages of {agency['name']}",
        agency=agency,
        stages=await services.stages_for_agency(agency["id"]),
        errors=errors or {},
        values=values or {},
    )


@get("/agencies/{agency_id:int}/stages", name="initiatives.stages")
async def stage_list(agency_id: FromPath[int]) -> Template:
    return await _stages_page(await agency_or_404(agency_id))


@post("/agencies/{agency_id:int}/stages", name="initiatives.stages_update")
async def stage_update(request: Request, agency_id: FromPath[int]) -> Template | Redirect:
    """One endpoint for the page's forms: rename, move up/down, add."""
    agency = await agency_or_404(agency_id)
    data = await form_data(request)
    action = data.get("action")
    errors = forms.Errors()
    stage_id = forms.ref_id(data.get("stage"), "stage", errors, label="Stage")
    if action in ("up", "down") and stage_id:
        await services.move_stage(agency_id, stage_id, action)
    elif action == "rename" and stage_id:
        values, errors = parse_stage(data)
        if errors:
            return await _stages_page(agency, 422, errors, {"stage": stage_id, **values})
        await services.rename_stage(agency_id, stage_id, values["name"], values["short_name"])
    elif action == "add":
        values, errors = parse_stage(data)
        if errors:
            return await _stages_page(agency, 422, errors, {"stage": "new", **values})
        await services.add_stage(agency_id, values["name"], values["short_name"])
    else:
        errors.add("stage", "Choose a stage and an action")
        return await _stages_page(agency, 422, errors)
    url = request.app.route_reverse("initiatives.stages", agency_id=agency_id)
    return Redirect(url, status_code=303)


route_handlers = [
    initiative_new,
    initiative_create,
    initiative_edit,
    initiative_update,
    stage_list,
    stage_update,
]
