"""Sprint pages: the list, planning a new sprint, planning against capacity,
editing, starting, and completing with a single carry-over choice.

Every action is a plain form answered with a 303 to the sprint page (or the
page again with errors: 422 for bad input, 409 for a refused state change or
a stale edit). With htmx, adding and removing items swaps only the plan
region and announces the new commitment. Writes go through `services`, one
transaction each.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Response, Template

from backend import clock
from backend.errors import Conflict, Invalid, NotFound
from backend.initiatives.queries import initiative_or_404
from backend.reviews import threads
from backend.reviews.signoff_queries import sprint_review_context
from backend.scrum import services
from backend.scrum.forms import parse_sprint
from backend.scrum.sprint_queries import (
    ADD_PER_PAGE,
    addable_items,
    initiative_sprints,
    items_at_close,
    points_by_sprint,
    release_options,
    shown_points,
    sprint_items,
    sprint_or_404,
)
from backend.web import forms, pii
from backend.web.forms import Errors, as_list, digits, edit_version, form_data, typed
from backend.web.pages import form_page, htmx_triggers

NOTE_FIELDS = ("planning_notes", "review_notes", "retrospective_notes")
# PII-01: the sprint's free text, scanned before it is saved.
PII_GOAL = {"goal": "Sprint goal"}
PII_NOTES = {
    "planning_notes": "Planning notes",
    "review_notes": "Review notes",
    "retrospective_notes": "Retrospective notes",
}


def _sprint_url(request: Request, sprint_id: int, query: str = "") -> str:
    url = request.app.route_reverse("scrum.sprint", sprint_id=sprint_id)
    return f"{url}?{query}" if query else url


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def capacity_message(points: int, capacity: int | None, active: bool = False) -> tuple[str, bool]:
    """("23 points committed, 3 over capacity of 20", True) - said in words, not colour.

    An active sprint's commitment was frozen when it started (and is shown as
    such), so its line speaks of the points in it now.
    """
    amount = _plural(points, "point") + (" in the sprint now" if active else " committed")
    if capacity is None:
        return f"{amount}; no capacity set for this sprint", False
    if points > capacity:
        return f"{amount}, {points - capacity} over capacity of {capacity}", True
    return f"{amount} of a capacity of {capacity} ({capacity - points} to spare)", False


# ---------------------------------------------------------------- list and new


@get("/initiatives/{initiative_id:int}/sprints", name="scrum.sprints")
async def sprint_list(initiative_id: FromPath[int]) -> Template:
    initiative = await initiative_or_404(initiative_id)
    sprints = await initiative_sprints(initiative_id)
    return Template(
        "scrum/sprints.html",
        context={
            "title": f"Sprints of {initiative['title']}",
            "initiative": initiative,
            "nav": "sprints",
            "sprints": sprints,
            "has_active": any(s["state"] == "active" for s in sprints),
        },
    )


async def _new_page(
    initiative: dict[str, Any], values: dict[str, Any], errors: Errors, status: int = 200
) -> Template:
    return form_page(
        "scrum/sprint_form.html",
        status,
        title="Plan a new sprint",
        initiative=initiative,
        nav="sprints",
        sprint=None,
        values=values,
        errors=errors,
        release_options=await release_options(initiative["id"]),
    )


@get("/initiatives/{initiative_id:int}/sprints/new", name="scrum.sprint_new")
async def sprint_new(initiative_id: FromPath[int]) -> Template:
    initiative = await initiative_or_404(initiative_id)
    start = clock.today()
    values = {
        "start_date": start.isoformat(),
        "end_date": (start + timedelta(days=services.SPRINT_LENGTH_DAYS)).isoformat(),
    }
    return await _new_page(initiative, values, Errors())


@post("/initiatives/{initiative_id:int}/sprints/new", name="scrum.sprint_create")
async def sprint_create(request: Request, initiative_id: FromPath[int]) -> Template | Redirect:
    initiative = await initiative_or_404(initiative_id)
    data = await form_data(request)
    values, errors = parse_sprint(data)
    for key in NOTE_FIELDS:
        values.pop(key, None)
    await pii.check(data, PII_GOAL, initiative["agency"], errors)
    if not errors:
        try:
            sprint_id = await services.create_sprint(initiative_id, values)
        except Invalid as exc:
            errors.merge(exc.errors)
        else:
            return Redirect(_sprint_url(request, sprint_id), status_code=303)
    return await _new_page(initiative, typed(data, services.SPRINT_EDITABLE), errors, 422)


# ---------------------------------------------------------------- the sprint page


def _page_number(raw: Any) -> int:
    return digits(raw) or 1


async def _done_message(sprint: dict[str, Any], params: Any) -> str | None:
    """The message after an action, rebuilt from the redirect's query (ids only)."""
    done = params.get("done")
    # A hand-edited query must not announce what did not happen.
    state_after = {"started": "active", "closed": "closed"}.get(done)
    if state_after and sprint["state"] != state_after:
        return None
    if done == "started":
        return (
            f"Sprint {sprint['number']} started with "
            f"{_plural(sprint['committed_points'] or 0, 'point')} committed."
        )
    if done == "added":
        n = digits(params.get("n")) or 0
        return f"{_plural(n, 'item')} added to sprint {sprint['number']}."
    if done == "removed":
        return f"Item taken out of sprint {sprint['number']} and back into the backlog."
    if done == "saved":
        return f"Sprint {sprint['number']} saved."
    if done == "closed":
        carried = digits(params.get("carried")) or 0
        if carried == 0:
            return f"Sprint {sprint['number']} closed. Every item was done; nothing was carried."
        where = "back to the backlog"
        to = digits(params.get("to"))
        if to:
            rows = await initiative_sprint(sprint["initiative"], to)
            if rows:
                where = f"to sprint {rows['number']}"
        return (
            f"Sprint {sprint['number']} closed. "
            f"{_plural(carried, 'unfinished item')} moved {where}."
        )
    return None


async def initiative_sprint(initiative_id: int, sprint_id: int) -> dict[str, Any] | None:
    """One sprint of this initiative, or None (an id from elsewhere shows nothing)."""
    try:
        sprint = await sprint_or_404(sprint_id)
    except NotFound:
        return None
    return sprint if sprint["initiative"] == initiative_id else None


async def render_sprint(
    request: Request,
    sprint: dict[str, Any],
    *,
    status: int = 200,
    errors: Errors | dict[str, str] | None = None,
    conflict: str | None = None,
    selected: frozenset[int] = frozenset(),
    plan_only: bool = False,
    announce: str = "",
    focus: str | None = None,
) -> Template:
    """The sprint page, or (`plan_only`, for htmx) only its plan region, with
    `announce` said in the live region and focus moved to the element `focus`."""
    initiative = await initiative_or_404(sprint["initiative"])
    now_points = (await points_by_sprint([sprint["id"]]))[sprint["id"]]
    committed, completed = shown_points(sprint, now_points)
    context: dict[str, Any] = {
        "title": f"Sprint {sprint['number']}",
        "initiative": initiative,
        "nav": "sprints",
        "sprint": sprint,
        "committed": committed,
        "completed": completed,
        "now_points": now_points,
        "errors": errors or {},
        "conflict": conflict,
        "message": await _done_message(sprint, request.query_params),
        "selected": selected,
        "per_page": ADD_PER_PAGE,
        # The "Review sign-off" section: a liaison's decisions on the review (one query).
        **await sprint_review_context(sprint),
        # Comment threads on the review and the retrospective (one query).
        **await threads.context("sprint", sprint["id"], initiative["agency"]),
    }
    if sprint["state"] == "closed":
        context["items"] = await items_at_close(sprint)
    else:
        items = await sprint_items(sprint["id"])
        context["items"] = items
        context["unestimated"] = sum(1 for i in items if i["estimate"] is None)
        context["capacity_text"], context["over_capacity"] = capacity_message(
            now_points["points"], sprint["capacity"], active=sprint["state"] == "active"
        )
        context["addable"] = await addable_items(
            initiative["id"], _page_number(request.query_params.get("page"))
        )
        if sprint["state"] == "planned":
            context["active"] = await services.active_sprint(initiative["id"])
    if plan_only:
        if focus == "capacity":  # the line that changed: say what it says now
            announce = f"{announce} {context['capacity_text']}."
        headers = htmx_triggers(announce=announce, focus=focus)
        return Template(
            "scrum/_sprint_plan.html", context=context, status_code=status, headers=headers
        )
    return form_page("scrum/sprint.html", status, **context)


async def _plan_changed(
    request: HTMXRequest, sprint_id: int, done: dict[str, str]
) -> Template | Redirect:
    """After an add or a remove: a 303 back to the page, or for htmx the new plan,
    its message announced and focus on the capacity line that changed."""
    if not request.htmx:
        return Redirect(_sprint_url(request, sprint_id, urlencode(done)), status_code=303)
    sprint = await sprint_or_404(sprint_id)
    message = await _done_message(sprint, done) or ""
    return await render_sprint(request, sprint, plan_only=True, announce=message, focus="capacity")


@get("/sprints/{sprint_id:int}", name="scrum.sprint")
async def sprint_detail(request: Request, sprint_id: FromPath[int]) -> Template:
    return await render_sprint(request, await sprint_or_404(sprint_id))


async def _closed_meanwhile(request: HTMXRequest, sprint: dict[str, Any], what: str) -> Response:
    """A plan change posted from a page opened before the sprint closed (409).

    htmx reloads the page, which now shows the closed sprint; a plain form
    gets that page with the reason at the top.
    """
    if request.htmx:
        return Response(content=b"", status_code=200, headers={"HX-Refresh": "true"})
    message = f"Sprint {sprint['number']} closed since this page was loaded: {what}."
    return await render_sprint(request, sprint, status=409, conflict=message)


@post("/sprints/{sprint_id:int}/items", name="scrum.sprint_add_items")
async def sprint_add_items(request: HTMXRequest, sprint_id: FromPath[int]) -> Response:
    sprint = await sprint_or_404(sprint_id)
    if sprint["state"] == "closed":
        return await _closed_meanwhile(request, sprint, "items cannot be added")
    data = await form_data(request)
    errors = Errors()
    ids: list[int] = []
    for raw in as_list(data.get("item")):
        value = forms.ref_id(raw, "items", errors, label="Item")
        if value is not None:
            ids.append(value)
    if not ids and not errors:
        errors.add("items", "Choose at least one backlog item to add to the sprint")
    status = 422
    if not errors:
        try:
            added = await services.assign_sprint(
                sprint["initiative"], ids, sprint_id, from_backlog_only=True
            )
        except Invalid as exc:
            errors.merge(exc.errors, rename={"sprint": "items"})
        except Conflict as exc:
            status = 409
            errors.add("items", exc.message)
        else:
            return await _plan_changed(request, sprint_id, {"done": "added", "n": str(added)})
    return await render_sprint(
        request,
        sprint,
        status=status,
        errors=errors,
        selected=frozenset(ids),
        plan_only=bool(request.htmx),
        announce=" ".join(errors.values()),
        focus="field-items",
    )


@post("/sprints/{sprint_id:int}/items/{item_id:int}/remove", name="scrum.sprint_remove_item")
async def sprint_remove_item(
    request: HTMXRequest, sprint_id: FromPath[int], item_id: FromPath[int]
) -> Response:
    sprint = await sprint_or_404(sprint_id)
    item = await services.get_item(item_id)
    if item["sprint"] != sprint_id:
        raise NotFound(f"Item #{item_id} is not in sprint {sprint['number']}")
    if sprint["state"] == "closed":
        return await _closed_meanwhile(request, sprint, "its items are history")
    await services.assign_sprint(sprint["initiative"], [item_id], None)
    return await _plan_changed(request, sprint_id, {"done": "removed"})


@post("/sprints/{sprint_id:int}/start", name="scrum.sprint_start")
async def sprint_start(request: Request, sprint_id: FromPath[int]) -> Template | Redirect:
    sprint = await sprint_or_404(sprint_id)
    try:
        await services.start_sprint(sprint_id)
    except Conflict as exc:
        return await render_sprint(
            request, await sprint_or_404(sprint_id), status=409, conflict=exc.message
        )
    return Redirect(_sprint_url(request, sprint["id"], "done=started"), status_code=303)


# ---------------------------------------------------------------- edit


async def _edit_page(
    sprint: dict[str, Any],
    values: dict[str, Any],
    errors: Errors,
    status: int = 200,
    conflict: str | None = None,
    version: int | None = None,
) -> Template:
    initiative = await initiative_or_404(sprint["initiative"])
    return form_page(
        "scrum/sprint_form.html",
        status,
        title=f"Edit sprint {sprint['number']}",
        initiative=initiative,
        nav="sprints",
        sprint=sprint,
        values=values,
        errors=errors,
        conflict=conflict,
        version=version if version is not None else sprint["version"],
        release_options=await release_options(initiative["id"]),
    )


@get("/sprints/{sprint_id:int}/edit", name="scrum.sprint_edit")
async def sprint_edit(sprint_id: FromPath[int]) -> Template:
    sprint = await sprint_or_404(sprint_id)
    values = {key: sprint.get(key) for key in services.SPRINT_EDITABLE}
    return await _edit_page(sprint, values, Errors())


@post("/sprints/{sprint_id:int}/edit", name="scrum.sprint_update")
async def sprint_update(request: Request, sprint_id: FromPath[int]) -> Template | Redirect:
    sprint = await sprint_or_404(sprint_id)
    data = await form_data(request)
    version = edit_version(data, "sprint")
    closed = sprint["state"] == "closed"
    if closed:
        # A closed sprint's plan is history: only its event notes are on the form.
        values, errors = parse_sprint({k: data.get(k) for k in NOTE_FIELDS}, partial=True)
    else:
        values, errors = parse_sprint(data)
        for key, label in (("start_date", "start date"), ("end_date", "end date")):
            if values.get(key) is None and key not in errors:
                errors.add(key, f"Enter the {label}")
    agency_id = (await initiative_or_404(sprint["initiative"]))["agency"]
    await pii.check(data, PII_NOTES if closed else {**PII_GOAL, **PII_NOTES}, agency_id, errors)
    status, conflict, current = 422, None, sprint
    if not errors:
        try:
            await services.update_sprint(sprint_id, version, values)
        except Conflict as exc:
            status, conflict = 409, exc.message
            current = await sprint_or_404(sprint_id)
        except Invalid as exc:
            errors.merge(exc.errors)
        else:
            return Redirect(_sprint_url(request, sprint_id, "done=saved"), status_code=303)
    return await _edit_page(
        current,
        typed(data, services.SPRINT_EDITABLE),
        errors,
        status,
        conflict,
        # After a conflict the form carries the saved version, so saving again
        # knowingly replaces it; after a plain error it keeps the one edited from.
        version=current["version"] if conflict else version,
    )


# ---------------------------------------------------------------- complete


async def _complete_page(
    sprint: dict[str, Any], status: int = 200, errors: Errors | None = None, chosen: str = ""
) -> Template:
    if sprint["state"] != "active":
        raise Conflict(
            f"Sprint {sprint['number']} is {sprint['state']}: only the active sprint can be "
            "completed."
        )
    initiative = await initiative_or_404(sprint["initiative"])
    items = await sprint_items(sprint["id"])
    sprints = await initiative_sprints(initiative["id"])
    return form_page(
        "scrum/sprint_complete.html",
        status,
        title=f"Complete sprint {sprint['number']}",
        initiative=initiative,
        nav="sprints",
        sprint=sprint,
        unfinished=[i for i in items if not i["is_done"]],
        finished=[i for i in items if i["is_done"]],
        planned=[s for s in sprints if s["state"] == "planned"],
        errors=errors or {},
        chosen=chosen,
    )


@get("/sprints/{sprint_id:int}/complete", name="scrum.sprint_complete_form")
async def sprint_complete_form(sprint_id: FromPath[int]) -> Template:
    return await _complete_page(await sprint_or_404(sprint_id))


@post("/sprints/{sprint_id:int}/complete", name="scrum.sprint_complete")
async def sprint_complete(request: Request, sprint_id: FromPath[int]) -> Template | Redirect:
    sprint = await sprint_or_404(sprint_id)
    data = await form_data(request)
    raw = data.get("destination")
    chosen = raw if isinstance(raw, str) else ""
    errors = Errors()
    destination: str | int | None = None
    if chosen in ("backlog", "new"):
        destination = chosen
    elif digits(chosen):
        destination = digits(chosen)
    else:
        errors.add("destination", "Choose where the unfinished items go")
    if not errors:
        try:
            result = await services.complete_sprint(sprint_id, destination)
        except Invalid as exc:
            errors.merge(exc.errors)
        except Conflict as exc:
            return await render_sprint(
                request, await sprint_or_404(sprint_id), status=409, conflict=exc.message
            )
        else:
            query = f"done=closed&carried={result['carried']}"
            if result["target"]:
                query += f"&to={result['target']}"
            return Redirect(_sprint_url(request, sprint_id, query), status_code=303)
    return await _complete_page(sprint, 422, errors, chosen)


route_handlers = [
    sprint_list,
    sprint_new,
    sprint_create,
    sprint_detail,
    sprint_add_items,
    sprint_remove_item,
    sprint_start,
    sprint_edit,
    sprint_update,
    sprint_complete_form,
    sprint_complete,
]
