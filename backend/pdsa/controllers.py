"""Pages for PDSA cycles: the list, the ramp view, a new cycle's plan, one cycle with its
four parts, the form of each part, its links, "Add as a backlog item", "Start the next
cycle" and delete after a confirmation.

Reads for everyone who can see the initiative; writes for the team (CHANGE_WRITE).
A form with errors comes back with what was typed (422); an edit made from an older
version comes back with what was typed and the values saved now (409, DATA-01).
"""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.exceptions import NoRouteMatchFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from backend.errors import Conflict, Invalid
from backend.initiatives.queries import initiative_or_404
from backend.pdsa import forms, queries, ramps, services
from backend.pdsa.tables import ACT_DECISIONS, PHASES, RAN_AS_PLANNED
from backend.sites.queries import site_options
from backend.web import pii
from backend.web.forms import Errors, edit_version, form_data, row_id, typed
from backend.web.pages import form_page, user_id_of

NAV = "pdsa"
PART_TITLES = {"plan": "Plan", "do": "Do", "study": "Study", "act": "Act"}
PART_TEMPLATES = {
    "plan": "pdsa/plan_form.html",
    "do": "pdsa/do_form.html",
    "study": "pdsa/study_form.html",
    "act": "pdsa/act_form.html",
}
# The measures area names its page for one measure; the first of these that exists is linked.
MEASURE_ROUTES = ("measures.detail", "measures.measure", "measures.chart")


def _measure_url(request: Request, measure_id: int) -> str | None:
    for name in MEASURE_ROUTES:
        try:
            return request.app.route_reverse(name, measure_id=measure_id)
        except NoRouteMatchFoundException:
            continue
    return None


def _values_of(cycle: dict[str, Any], part: str) -> dict[str, Any]:
    """A saved part as its form shows it (the site's id as text, dates as ISO text)."""
    values = {}
    for key in forms.PART_FIELDS[part]:
        value = cycle.get(key)
        values[key] = "" if value is None else value
    return values


# ---------------------------------------------------------------- list and ramps


@get("/initiatives/{initiative_id:int}/pdsa", name="pdsa.index")
async def cycle_list(request: Request, initiative_id: FromPath[int]) -> Template:
    initiative = await initiative_or_404(initiative_id)
    sites = await site_options(initiative["agency"])
    cycles = await queries.cycles_of(initiative_id)
    change_ideas = sorted({c["change_idea"] for c in cycles}, key=str.casefold)
    filters = forms.CycleFilters.parse(request.query_params, [s for s, _ in sites], change_ideas)
    return Template(
        "pdsa/index.html",
        context={
            "title": f"PDSA cycles of {initiative['title']}",
            "initiative": initiative,
            "nav": NAV,
            "cycles": [c for c in cycles if filters.keeps(c)],
            "total": len(cycles),
            "filters": filters,
            "sites": sites,
            "change_ideas": change_ideas,
            "phases": PHASES,
        },
    )


@get("/initiatives/{initiative_id:int}/pdsa/ramps", name="pdsa.ramps")
async def ramp_view(initiative_id: FromPath[int]) -> Template:
    initiative = await initiative_or_404(initiative_id)
    cycles = await queries.cycles_of(initiative_id)
    return Template(
        "pdsa/ramps.html",
        context={
            "title": f"PDSA ramps of {initiative['title']}",
            "initiative": initiative,
            "nav": NAV,
            "ramps": ramps.build(cycles),
            "total": len(cycles),
        },
    )


# ---------------------------------------------------------------- the four parts


async def _part_page(
    part: str,
    initiative: dict[str, Any],
    cycle: dict[str, Any] | None,
    values: dict[str, Any],
    errors: Errors,
    status: int = 200,
    conflict: str | None = None,
    version: int | None = None,
) -> Template:
    if cycle is None:
        title = "New PDSA cycle"
    else:
        title = f"{PART_TITLES[part]}: {cycle['change_idea']}"
    context: dict[str, Any] = {
        "title": title,
        "initiative": initiative,
        "nav": NAV,
        "part": part,
        "cycle": cycle,
        "values": values,
        "errors": errors,
        "conflict": conflict,
        "version": version if version is not None else (cycle or {}).get("version"),
        "ran_options": list(RAN_AS_PLANNED.items()),
        "decisions": ACT_DECISIONS,
    }
    if part == "plan":
        context["sites"] = await site_options(initiative["agency"])
    return form_page(PART_TEMPLATES[part], status, **context)


@get("/initiatives/{initiative_id:int}/pdsa/new", name="pdsa.new")
async def cycle_new(initiative_id: FromPath[int]) -> Template:
    initiative = await initiative_or_404(initiative_id)
    values = {key: "" for key in forms.PLAN_FIELDS}
    return await _part_page("plan", initiative, None, values, Errors())


@post("/initiatives/{initiative_id:int}/pdsa/new", name="pdsa.create")
async def cycle_create(request: Request, initiative_id: FromPath[int]) -> Template | Redirect:
    initiative = await initiative_or_404(initiative_id)
    data = await form_data(request)
    values, errors = forms.parse_plan(data)
    await pii.check(data, forms.PLAN_PII, initiative["agency"], errors)
    if not errors:
        try:
            cycle_id = await services.create_cycle(initiative_id, values, user_id_of(request))
        except Invalid as exc:
            errors.merge(exc.errors)
        else:
            url = request.app.route_reverse("pdsa.detail", cycle_id=cycle_id)
            return Redirect(url, status_code=303)
    typed_values = typed(data, forms.PLAN_FIELDS)
    return await _part_page("plan", initiative, None, typed_values, errors, 422)


async def _edit_part(part: str, cycle_id: int) -> Template:
    cycle = await queries.cycle_or_404(cycle_id)
    initiative = await initiative_or_404(cycle["initiative"])
    return await _part_page(part, initiative, cycle, _values_of(cycle, part), Errors())


async def _save_part(request: Request, part: str, cycle_id: int) -> Template | Redirect:
    cycle = await queries.cycle_or_404(cycle_id)
    initiative = await initiative_or_404(cycle["initiative"])
    data = await form_data(request)
    version = edit_version(data, "PDSA cycle")
    values, errors = forms.PARSERS[part](data)
    await pii.check(data, forms.PART_PII[part], initiative["agency"], errors)
    conflict = None
    if not errors:
        try:
            await services.update_part(cycle_id, part, values, version, user_id_of(request))
        except Invalid as exc:
            errors.merge(exc.errors)
        except Conflict as exc:
            # What was typed stays in the form, beside the values saved now; the
            # form carries the version saved now, so saving again replaces them.
            conflict = exc.message
            cycle = await queries.cycle_or_404(cycle_id)
            version = cycle["version"]
        else:
            url = request.app.route_reverse("pdsa.detail", cycle_id=cycle_id)
            return Redirect(f"{url}#{part}", status_code=303)
    return await _part_page(
        part,
        initiative,
        cycle,
        typed(data, forms.PART_FIELDS[part]),
        errors,
        409 if conflict else 422,
        conflict,
        version,
    )


@get("/pdsa/{cycle_id:int}/plan", name="pdsa.plan")
async def plan_edit(cycle_id: FromPath[int]) -> Template:
    return await _edit_part("plan", cycle_id)


@post("/pdsa/{cycle_id:int}/plan", name="pdsa.plan_update")
async def plan_update(request: Request, cycle_id: FromPath[int]) -> Template | Redirect:
    return await _save_part(request, "plan", cycle_id)


@get("/pdsa/{cycle_id:int}/do", name="pdsa.do")
async def do_edit(cycle_id: FromPath[int]) -> Template:
    return await _edit_part("do", cycle_id)


@post("/pdsa/{cycle_id:int}/do", name="pdsa.do_update")
async def do_update(request: Request, cycle_id: FromPath[int]) -> Template | Redirect:
    return await _save_part(request, "do", cycle_id)


@get("/pdsa/{cycle_id:int}/study", name="pdsa.study")
async def study_edit(cycle_id: FromPath[int]) -> Template:
    return await _edit_part("study", cycle_id)


@post("/pdsa/{cycle_id:int}/study", name="pdsa.study_update")
async def study_update(request: Request, cycle_id: FromPath[int]) -> Template | Redirect:
    return await _save_part(request, "study", cycle_id)


@get("/pdsa/{cycle_id:int}/act", name="pdsa.act")
async def act_edit(cycle_id: FromPath[int]) -> Template:
    return await _edit_part("act", cycle_id)


@post("/pdsa/{cycle_id:int}/act", name="pdsa.act_update")
async def act_update(request: Request, cycle_id: FromPath[int]) -> Template | Redirect:
    return await _save_part(request, "act", cycle_id)


# ---------------------------------------------------------------- one cycle


async def _about(request: Request, cycle: dict[str, Any]) -> dict[str, Any]:
    """What the cycle page and its delete page show: the chain and the links."""
    measures = await queries.linked_measures(cycle["id"])
    for measure in measures:
        measure["url"] = _measure_url(request, measure["id"])
    return {
        "initiative": await initiative_or_404(cycle["initiative"]),
        "nav": NAV,
        "cycle": cycle,
        "chain": await queries.neighbours(cycle["id"], cycle["parent"]),
        "items": await queries.linked_items(cycle["id"]),
        "measures": measures,
    }


@get("/pdsa/{cycle_id:int}", name="pdsa.detail")
async def cycle_detail(request: Request, cycle_id: FromPath[int]) -> Template:
    cycle = await queries.cycle_or_404(cycle_id)
    return Template(
        "pdsa/detail.html",
        context={
            "title": f"PDSA cycle: {cycle['change_idea']}",
            **await _about(request, cycle),
            "can_continue": queries.can_continue(cycle),
        },
    )


@post("/pdsa/{cycle_id:int}/next", name="pdsa.next")
async def cycle_next(request: Request, cycle_id: FromPath[int]) -> Redirect:
    await queries.cycle_or_404(cycle_id)
    version = edit_version(await form_data(request), "PDSA cycle")
    new_id = await services.start_next(cycle_id, user_id_of(request), expected_version=version)
    return Redirect(request.app.route_reverse("pdsa.plan", cycle_id=new_id), status_code=303)


# ---------------------------------------------------------------- links


async def _links_page(
    cycle: dict[str, Any],
    ticked_items: list[str],
    ticked_measures: list[str],
    errors: Errors,
    status: int = 200,
    conflict: bool = False,
) -> Template:
    linked_items = [i for i in map(row_id, ticked_items) if i is not None]
    return form_page(
        "pdsa/links.html",
        status,
        title=f"Links of the PDSA cycle: {cycle['change_idea']}",
        initiative=await initiative_or_404(cycle["initiative"]),
        nav=NAV,
        cycle=cycle,
        item_choices=await queries.item_choices(cycle["initiative"], linked_items),
        measure_choices=await queries.measure_choices(cycle["initiative"]),
        ticked_items=ticked_items,
        ticked_measures=ticked_measures,
        errors=errors,
        conflict=conflict,
        # After a conflict the form carries the version saved now, so saving the
        # ticks again (once checked) is a deliberate overwrite.
        version=cycle["version"],
    )


@get("/pdsa/{cycle_id:int}/links", name="pdsa.links")
async def links_edit(cycle_id: FromPath[int]) -> Template:
    cycle = await queries.cycle_or_404(cycle_id)
    items, measures = await queries.link_ids(cycle_id)
    return await _links_page(cycle, [str(i) for i in items], [str(m) for m in measures], Errors())


def _ticked(raw: Any) -> list[str]:
    return [v for v in (raw if isinstance(raw, list) else [raw]) if isinstance(v, str) and v]


@post("/pdsa/{cycle_id:int}/links", name="pdsa.links_update")
async def links_update(request: Request, cycle_id: FromPath[int]) -> Template | Redirect:
    cycle = await queries.cycle_or_404(cycle_id)
    data = await form_data(request)
    version = edit_version(data, "PDSA cycle")
    item_ids, measure_ids, errors = forms.parse_links(data)
    ticked = _ticked(data.get("items")), _ticked(data.get("measures"))
    if not errors:
        try:
            await services.link(cycle_id, item_ids, measure_ids, expected_version=version)
        except Invalid as exc:
            errors.merge(exc.errors)
        except Conflict:
            current = await queries.cycle_or_404(cycle_id)
            return await _links_page(current, *ticked, errors, 409, conflict=True)
        else:
            url = request.app.route_reverse("pdsa.detail", cycle_id=cycle_id)
            return Redirect(f"{url}#links", status_code=303)
    cycle["version"] = version  # a form with errors is still the one loaded at `version`
    return await _links_page(cycle, *ticked, errors, 422)


@post("/pdsa/{cycle_id:int}/backlog-item", name="pdsa.backlog_item")
async def add_backlog_item(request: Request, cycle_id: FromPath[int]) -> Redirect:
    await queries.cycle_or_404(cycle_id)
    version = edit_version(await form_data(request), "PDSA cycle")
    item_id = await services.add_backlog_item(cycle_id, expected_version=version)
    url = request.app.route_reverse("pdsa.detail", cycle_id=cycle_id)
    return Redirect(f"{url}#item-{item_id}", status_code=303)


# ---------------------------------------------------------------- delete


async def _delete_page(
    request: Request, cycle: dict[str, Any], status: int = 200, conflict: str | None = None
) -> Template:
    return form_page(
        "pdsa/delete.html",
        status,
        title=f"Delete the PDSA cycle: {cycle['change_idea']}?",
        conflict=conflict,
        **await _about(request, cycle),
    )


@get("/pdsa/{cycle_id:int}/delete", name="pdsa.delete_confirm")
async def delete_confirm(request: Request, cycle_id: FromPath[int]) -> Template:
    return await _delete_page(request, await queries.cycle_or_404(cycle_id))


@post("/pdsa/{cycle_id:int}/delete", name="pdsa.delete")
async def delete(request: Request, cycle_id: FromPath[int]) -> Template | Redirect:
    cycle = await queries.cycle_or_404(cycle_id)
    version = edit_version(await form_data(request), "PDSA cycle")
    try:
        await services.delete_cycle(cycle_id, version)
    except Conflict as exc:
        return await _delete_page(request, await queries.cycle_or_404(cycle_id), 409, exc.message)
    url = request.app.route_reverse("pdsa.index", initiative_id=cycle["initiative"])
    return Redirect(url, status_code=303)


route_handlers = [
    cycle_list,
    ramp_view,
    cycle_new,
    cycle_create,
    cycle_detail,
    plan_edit,
    plan_update,
    do_edit,
    do_update,
    study_edit,
    study_update,
    act_edit,
    act_update,
    cycle_next,
    links_edit,
    links_update,
    add_backlog_item,
    delete_confirm,
    delete,
]
