"""The versioned theory of change: population, long-term outcome (the product goal),
the pathway of "if ... then ..." causal links with the findings behind them, and
assumptions, drawn as a pathway diagram with a text equivalent.

Only the newest version can change; "new version" copies it, and the old one
stays readable as it was. Every action is a plain form that redirects back to
the page (303), or re-renders it with errors (422) or a conflict (409).
"""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from backend.errors import Invalid
from backend.exploration import diagram, queries, services
from backend.exploration.forms import (
    LINK_FIELDS,
    THEORY_FIELDS,
    parse_assumption,
    parse_change_note,
    parse_link,
    parse_move,
    parse_theory,
    ticked,
)
from backend.exploration.saving import attempt
from backend.exploration.services import OldVersion
from backend.exploration.tables import FINDING_KINDS
from backend.initiatives.queries import initiative_or_404
from backend.traceability.queries import stories_acting_on_link
from backend.web.forms import Errors, edit_version, form_data, row_id, typed
from backend.web.pages import form_page

NAV = "theory"


def _theory_url(request: Request, initiative_id: int, anchor: str = "") -> str:
    url = request.app.route_reverse("exploration.theory", initiative_id=initiative_id)
    return f"{url}#{anchor}" if anchor else url


async def _theory_page(
    initiative: dict[str, Any],
    versions: list[dict[str, Any]],
    theory: dict[str, Any],
    *,
    editable: bool,
    status: int = 200,
    errors: Errors | None = None,
    conflict: str | None = None,
    **typed_values: Any,
) -> Template:
    """One version with its pathway; the current one with its forms when `editable`."""
    content = await queries.theory_content(theory["id"])
    root_causes = queries.root_causes_of(content["links"])
    is_current = theory["number"] == versions[0]["number"]
    title = (
        f"Theory of change of {initiative['title']}"
        if editable
        else f"Theory of change version {theory['number']} of {initiative['title']}"
    )
    return form_page(
        "exploration/theory.html",
        status,
        title=title,
        initiative=initiative,
        nav=NAV,
        theory=theory,
        versions=versions,
        is_current=is_current,
        editable=editable,
        links=content["links"],
        assumptions=content["assumptions"],
        root_causes=root_causes,
        diagram=diagram.pathway(
            theory["population"], root_causes, content["links"], theory["long_term_outcome"]
        ),
        findings=await queries.finding_choices(initiative["id"]) if editable else [],
        outcome_values=typed_values.get("outcome_values") or {k: theory[k] for k in THEORY_FIELDS},
        link_values=typed_values.get("link_values") or {},
        link_ticked=typed_values.get("link_ticked") or [],
        assumption_value=typed_values.get("assumption_value") or "",
        note_value=typed_values.get("note_value") or "",
        version=typed_values.get("version") or theory["version"],
        kinds=FINDING_KINDS,
        errors=errors or Errors(),
        conflict=conflict,
    )


async def _current_page(initiative: dict[str, Any], **kw: Any) -> Template:
    versions = await queries.theory_versions(initiative["id"])
    return await _theory_page(initiative, versions, versions[0], editable=True, **kw)


async def _editable_theory(theory_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The theory and its initiative; an old version is history and refuses writes (409).
    The services check again under the initiative's lock."""
    found = await queries.theory_or_404(theory_id)
    initiative = await initiative_or_404(found["initiative"])
    versions = await queries.theory_versions(initiative["id"])
    if found["number"] != versions[0]["number"]:
        raise OldVersion(found["number"], versions[0]["number"])
    return found, initiative


async def _empty_page(
    initiative: dict[str, Any], values: dict[str, Any], errors: Errors, status: int = 200
) -> Template:
    return form_page(
        "exploration/theory_start.html",
        status,
        title=f"Theory of change of {initiative['title']}",
        initiative=initiative,
        nav=NAV,
        values=values,
        errors=errors,
    )


@get("/initiatives/{initiative_id:int}/theory-of-change", name="exploration.theory")
async def theory(initiative_id: FromPath[int]) -> Template:
    initiative = await initiative_or_404(initiative_id)
    versions = await queries.theory_versions(initiative_id)
    if not versions:
        # The outcome IS the product goal: start from the one the charter has.
        values = {"population": "", "long_term_outcome": initiative["product_goal"]}
        return await _empty_page(initiative, values, Errors())
    return await _theory_page(initiative, versions, versions[0], editable=True)


@post("/initiatives/{initiative_id:int}/theory-of-change", name="exploration.theory_start")
async def theory_start(request: Request, initiative_id: FromPath[int]) -> Template | Redirect:
    initiative = await initiative_or_404(initiative_id)
    data = await form_data(request)
    values, errors = parse_theory(data)
    if errors:
        return await _empty_page(initiative, typed(data, THEORY_FIELDS), errors, 422)
    await services.start_theory(initiative_id, values, request.state.access.user_id)
    return Redirect(_theory_url(request, initiative_id), status_code=303)


@get("/theories/{theory_id:int}", name="exploration.theory_version")
async def theory_version(theory_id: FromPath[int]) -> Template:
    found = await queries.theory_or_404(theory_id)
    initiative = await initiative_or_404(found["initiative"])
    versions = await queries.theory_versions(initiative["id"])
    return await _theory_page(initiative, versions, found, editable=False)


@post("/theories/{theory_id:int}", name="exploration.theory_update")
async def theory_update(request: Request, theory_id: FromPath[int]) -> Template | Redirect:
    found, initiative = await _editable_theory(theory_id)
    data = await form_data(request)
    version = edit_version(data, "theory of change")
    values, errors = parse_theory(data)
    saved = await attempt(
        errors,
        lambda: services.update_theory(theory_id, version, values),
        row=found,
        version=version,
        reread=queries.theory_or_404,
    )
    if saved.ok:
        return Redirect(_theory_url(request, initiative["id"]), status_code=303)
    return await _current_page(
        initiative,
        status=saved.status,
        errors=errors,
        conflict=saved.conflict,
        outcome_values=typed(data, THEORY_FIELDS),
        version=saved.version,
    )


@post("/theories/{theory_id:int}/new-version", name="exploration.theory_new_version")
async def theory_new_version(request: Request, theory_id: FromPath[int]) -> Template | Redirect:
    _, initiative = await _editable_theory(theory_id)
    data = await form_data(request)
    note, errors = parse_change_note(data)
    author = request.state.access.user_id
    saved = await attempt(errors, lambda: services.new_theory_version(theory_id, note, author))
    if saved.ok:
        return Redirect(_theory_url(request, initiative["id"]), status_code=303)
    return await _current_page(
        initiative,
        status=saved.status,
        errors=errors,
        note_value=typed(data, ("change_note",))["change_note"],
    )


# ---------------------------------------------------------------- causal links


@post("/theories/{theory_id:int}/links", name="exploration.link_create")
async def link_create(request: Request, theory_id: FromPath[int]) -> Template | Redirect:
    _, initiative = await _editable_theory(theory_id)
    data = await form_data(request)
    values, errors = parse_link(data)
    saved = await attempt(errors, lambda: services.add_link(theory_id, values))
    if saved.ok:
        url = _theory_url(request, initiative["id"], f"link-{saved.value}")
        return Redirect(url, status_code=303)
    return await _current_page(
        initiative,
        status=saved.status,
        errors=errors,
        link_values=typed(data, LINK_FIELDS),
        link_ticked=ticked(data, "findings"),
    )


@get("/causal-links/{link_id:int}", name="exploration.link")
async def link_detail(link_id: FromPath[int]) -> Template:
    link = await queries.link_or_404(link_id)
    initiative = await initiative_or_404(link["initiative"])
    versions = await queries.theory_versions(initiative["id"])
    link["findings"] = (await queries.link_findings([link_id]))[link_id]
    return Template(
        "exploration/link.html",
        context={
            "title": f"Causal link: if {queries.plain(link['condition'])[:80]}",
            "initiative": initiative,
            "nav": NAV,
            "link": link,
            "is_current": link["theory_number"] == versions[0]["number"],
            "current_number": versions[0]["number"],
            "acting_stories": await stories_acting_on_link(link_id),
            "kinds": FINDING_KINDS,
        },
    )


async def _link_form(
    initiative: dict[str, Any],
    link: dict[str, Any],
    values: dict[str, Any],
    link_ticked: list[str],
    errors: Errors,
    status: int = 200,
    conflict: str | None = None,
    version: int | None = None,
) -> Template:
    return form_page(
        "exploration/link_form.html",
        status,
        title=f"Edit step {link['position']} of the pathway",
        initiative=initiative,
        nav=NAV,
        link=link,
        values=values,
        link_ticked=link_ticked,
        findings=await queries.finding_choices(initiative["id"]),
        errors=errors,
        conflict=conflict,
        version=version if version is not None else link["version"],
        kinds=FINDING_KINDS,
    )


async def _editable_link(link_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The link and its initiative; a link of an old theory version is history (409)."""
    link = await queries.link_or_404(link_id)
    initiative = await initiative_or_404(link["initiative"])
    versions = await queries.theory_versions(initiative["id"])
    if link["theory_number"] != versions[0]["number"]:
        raise OldVersion(link["theory_number"], versions[0]["number"])
    return link, initiative


@get("/causal-links/{link_id:int}/edit", name="exploration.link_edit")
async def link_edit(link_id: FromPath[int]) -> Template:
    link, initiative = await _editable_link(link_id)
    cited = (await queries.link_findings([link_id]))[link_id]
    values = {k: link[k] for k in LINK_FIELDS}
    return await _link_form(initiative, link, values, [str(f["id"]) for f in cited], Errors())


@post("/causal-links/{link_id:int}/edit", name="exploration.link_update")
async def link_update(request: Request, link_id: FromPath[int]) -> Template | Redirect:
    link, initiative = await _editable_link(link_id)
    data = await form_data(request)
    version = edit_version(data, "causal link")
    values, errors = parse_link(data)
    saved = await attempt(
        errors,
        lambda: services.update_link(link_id, version, values),
        row=link,
        version=version,
        reread=queries.link_or_404,
    )
    if saved.ok:
        url = _theory_url(request, initiative["id"], f"link-{link_id}")
        return Redirect(url, status_code=303)
    if saved.conflict:
        saved.row["findings"] = (await queries.link_findings([link_id]))[link_id]
    return await _link_form(
        initiative,
        saved.row,
        typed(data, LINK_FIELDS),
        ticked(data, "findings"),
        errors,
        saved.status,
        saved.conflict,
        version=saved.version,
    )


@post("/causal-links/{link_id:int}/move", name="exploration.link_move")
async def link_move(request: Request, link_id: FromPath[int]) -> Redirect:
    link = await queries.link_or_404(link_id)
    direction = parse_move(await form_data(request))
    if direction is None:
        raise Invalid({"direction": "Choose up or down"}, "Choose to move the step up or down")
    await services.move_link(link_id, direction)
    url = _theory_url(request, link["initiative"], f"link-{link_id}")
    return Redirect(url, status_code=303)


@post("/causal-links/{link_id:int}/delete", name="exploration.link_delete")
async def link_delete(request: Request, link_id: FromPath[int]) -> Redirect:
    link = await queries.link_or_404(link_id)
    await services.delete_link(link_id)
    return Redirect(_theory_url(request, link["initiative"], "pathway-h"), status_code=303)


# ---------------------------------------------------------------- assumptions


@post("/theories/{theory_id:int}/assumptions", name="exploration.assumption_create")
async def assumption_create(request: Request, theory_id: FromPath[int]) -> Template | Redirect:
    _, initiative = await _editable_theory(theory_id)
    data = await form_data(request)
    text, errors = parse_assumption(data)
    if not errors:
        await services.add_assumption(theory_id, text)
        return Redirect(_theory_url(request, initiative["id"], "assumptions-h"), status_code=303)
    return await _current_page(
        initiative,
        status=422,
        errors=errors,
        assumption_value=typed(data, ("assumption",))["assumption"],
    )


@post(
    "/theories/{theory_id:int}/assumptions/{position:int}/delete",
    name="exploration.assumption_delete",
)
async def assumption_delete(
    request: Request, theory_id: FromPath[int], position: FromPath[int]
) -> Redirect:
    found = await queries.theory_or_404(theory_id)
    data = await form_data(request)
    await services.delete_assumption(theory_id, position, row_id(data.get("assumption")))
    return Redirect(_theory_url(request, found["initiative"], "assumptions-h"), status_code=303)


route_handlers = [
    theory,
    theory_start,
    theory_version,
    theory_update,
    theory_new_version,
    link_create,
    link_detail,
    link_edit,
    link_update,
    link_move,
    link_delete,
    assumption_create,
    assumption_delete,
]
