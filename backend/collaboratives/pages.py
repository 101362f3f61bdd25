"""Pages for collaboratives: the list, one collaborative (teams, calendar, change
package with who adopted what and their PDSA decisions), the faculty's forms for
the collaborative, its calendar and its change package, the site admin's member
teams and faculty, and a member team adopting a change idea.

Every handler first calls access.collaborative_or_404 (404 for people who may not
see it); faculty and site-admin changes then access.require_run (403). A form with
errors comes back with what was typed (422); a stale edit with what was typed and
the values saved now (409, DATA-01).
"""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from backend import clock
from backend.accounts.permissions import ITEM_WRITE
from backend.collaboratives import access, forms, queries, services
from backend.collaboratives.tables import SESSION_KINDS
from backend.errors import Conflict, Forbidden, Invalid
from backend.web import pii
from backend.web.forms import Errors, edit_version, form_data, row_id, typed
from backend.web.pages import form_page

# What a site admin's new collaborative starts with.
NEW_VALUES = {"name": "", "topic": "", "start_date": "", "end_date": "", "share_cycles": "yes"}


def _redirect(request: Request, name: str, anchor: str = "", **params: Any) -> Redirect:
    url = request.app.route_reverse(name, **params)
    return Redirect(f"{url}#{anchor}" if anchor else url, status_code=303)


def _pii(data: dict[str, Any], fields: dict[str, str], errors: Errors) -> None:
    """PII-01. A collaborative spans agencies, so no one agency's case-number shapes apply."""
    pii.check_loaded(data, fields, "", errors)


# ---------------------------------------------------------------- the list


async def _index_page(
    request: Request, status: int = 200, errors: Errors | None = None, values=None
) -> Template:
    who = request.state.access
    return form_page(
        "collaboratives/index.html",
        status,
        title="Collaboratives",
        collaboratives=await queries.collaboratives_list(await access.visible_ids(who)),
        is_site_admin=who.is_site_admin,
        errors=errors or Errors(),
        values=values or NEW_VALUES,
    )


@get("/collaboratives", name="collaboratives.index")
async def index(request: Request) -> Template:
    return await _index_page(request)


@post("/collaboratives", name="collaboratives.create")
async def create(request: Request) -> Template | Redirect:
    if not request.state.access.is_site_admin:
        raise Forbidden("Only a site admin can start a collaborative")
    data = await form_data(request)
    values, errors = forms.parse_collaborative(data)
    _pii(data, {"topic": "Topic"}, errors)
    if errors:
        return await _index_page(request, 422, errors, typed(data, forms.COLLABORATIVE_FIELDS))
    collaborative_id = await services.create_collaborative(values)
    return _redirect(request, "collaboratives.detail", collaborative_id=collaborative_id)


# ---------------------------------------------------------------- one collaborative


async def _detail_page(
    request: Request,
    collaborative: dict[str, Any],
    status: int = 200,
    errors: Errors | None = None,
) -> Template:
    who = request.state.access
    teams = await queries.teams_of(collaborative["id"])
    faculty = await queries.faculty_of(collaborative["id"])
    today = clock.today()
    calendar = await queries.calendar_of(collaborative["id"], today)
    context: dict[str, Any] = {
        "title": collaborative["name"],
        "collaborative": collaborative,
        "teams": teams,
        "faculty": faculty,
        "calendar": calendar,
        "today": today,
        "now_entries": [s for s in calendar if s["state"] == "Now"],
        "ideas": await queries.change_package(collaborative, teams, who),
        "is_site_admin": who.is_site_admin,
        "errors": errors or Errors(),
    }
    if who.is_site_admin:
        context["initiative_options"] = await queries.initiative_options(
            {t["initiative_id"] for t in teams}
        )
        context["user_options"] = await queries.user_options({f["user_id"] for f in faculty})
    return form_page("collaboratives/detail.html", status, **context)


@get("/collaboratives/{collaborative_id:int}", name="collaboratives.detail")
async def detail(request: Request, collaborative_id: FromPath[int]) -> Template:
    collaborative = await access.collaborative_or_404(collaborative_id, request.state.access)
    return await _detail_page(request, collaborative)


def _edit_form(
    collaborative: dict[str, Any],
    values: dict[str, Any],
    errors: Errors,
    status: int = 200,
    conflict: str | None = None,
    version: int | None = None,
) -> Template:
    return form_page(
        "collaboratives/form.html",
        status,
        title=f"Edit collaborative {collaborative['name']}",
        collaborative=collaborative,
        values=values,
        errors=errors,
        conflict=conflict,
        version=version if version is not None else collaborative["version"],
    )


@get("/collaboratives/{collaborative_id:int}/edit", name="collaboratives.edit")
async def edit(request: Request, collaborative_id: FromPath[int]) -> Template:
    collaborative = await access.collaborative_or_404(collaborative_id, request.state.access)
    access.require_run(collaborative)
    values = forms.as_typed(collaborative, forms.COLLABORATIVE_FIELDS)
    return _edit_form(collaborative, values, Errors())


@post("/collaboratives/{collaborative_id:int}/edit", name="collaboratives.update")
async def update(request: Request, collaborative_id: FromPath[int]) -> Template | Redirect:
    collaborative = await access.collaborative_or_404(collaborative_id, request.state.access)
    access.require_run(collaborative)
    data = await form_data(request)
    version = edit_version(data, "collaborative")
    values, errors = forms.parse_collaborative(data)
    _pii(data, {"topic": "Topic"}, errors)
    status, conflict, current = 422, None, collaborative
    if not errors:
        try:
            await services.update_collaborative(collaborative_id, version, values)
        except Conflict as exc:
            status, conflict = 409, exc.message
            current = await access.collaborative_or_404(collaborative_id, request.state.access)
        else:
            return _redirect(request, "collaboratives.detail", collaborative_id=collaborative_id)
    return _edit_form(
        current,
        typed(data, forms.COLLABORATIVE_FIELDS),
        errors,
        status,
        conflict,
        version=current["version"] if conflict else version,
    )


# ---------------------------------------------------------------- the calendar


def _session_form(
    collaborative: dict[str, Any],
    session: dict[str, Any] | None,
    values: dict[str, Any],
    errors: Errors,
    status: int = 200,
    conflict: str | None = None,
    version: int | None = None,
) -> Template:
    return form_page(
        "collaboratives/session_form.html",
        status,
        title=f"Edit {session['title']}" if session else "New calendar entry",
        collaborative=collaborative,
        session=session,
        kind_label=SESSION_KINDS.get(session["kind"], "") if session else "",
        kinds=list(SESSION_KINDS.items()),
        values=values,
        errors=errors,
        conflict=conflict,
        version=version if version is not None else (session or {}).get("version"),
    )


@get("/collaboratives/{collaborative_id:int}/sessions/new", name="collaboratives.session_new")
async def session_new(request: Request, collaborative_id: FromPath[int]) -> Template:
    collaborative = await access.collaborative_or_404(collaborative_id, request.state.access)
    access.require_run(collaborative)
    return _session_form(collaborative, None, {"kind": "learning_session"}, Errors())


@post("/collaboratives/{collaborative_id:int}/sessions/new", name="collaboratives.session_create")
async def session_create(request: Request, collaborative_id: FromPath[int]) -> Template | Redirect:
    collaborative = await access.collaborative_or_404(collaborative_id, request.state.access)
    access.require_run(collaborative)
    data = await form_data(request)
    values, errors = forms.parse_session(data)
    _pii(data, {"notes": "Notes"}, errors)
    if errors:
        return _session_form(collaborative, None, typed(data, forms.SESSION_FIELDS), errors, 422)
    await services.add_session(collaborative_id, values)
    return _redirect(
        request, "collaboratives.detail", "calendar", collaborative_id=collaborative_id
    )


@get(
    "/collaboratives/{collaborative_id:int}/sessions/{session_id:int}/edit",
    name="collaboratives.session_edit",
)
async def session_edit(
    request: Request, collaborative_id: FromPath[int], session_id: FromPath[int]
) -> Template:
    collaborative = await access.collaborative_or_404(collaborative_id, request.state.access)
    access.require_run(collaborative)
    session = await services.get_session(collaborative_id, session_id)
    values = forms.as_typed(session, forms.SESSION_FIELDS)
    return _session_form(collaborative, session, values, Errors())


@post(
    "/collaboratives/{collaborative_id:int}/sessions/{session_id:int}/edit",
    name="collaboratives.session_update",
)
async def session_update(
    request: Request, collaborative_id: FromPath[int], session_id: FromPath[int]
) -> Template | Redirect:
    collaborative = await access.collaborative_or_404(collaborative_id, request.state.access)
    access.require_run(collaborative)
    session = await services.get_session(collaborative_id, session_id)
    data = await form_data(request)
    version = edit_version(data, "calendar entry")
    values, errors = forms.parse_session(data)
    _pii(data, {"notes": "Notes"}, errors)
    status, conflict = 422, None
    if not errors:
        try:
            await services.update_session(collaborative_id, session_id, version, values)
        except Conflict as exc:
            status, conflict = 409, exc.message
            session = await services.get_session(collaborative_id, session_id)
        else:
            return _redirect(
                request, "collaboratives.detail", "calendar", collaborative_id=collaborative_id
            )
    return _session_form(
        collaborative,
        session,
        typed(data, forms.SESSION_FIELDS),
        errors,
        status,
        conflict,
        version=session["version"] if conflict else version,
    )


@post(
    "/collaboratives/{collaborative_id:int}/sessions/{session_id:int}/delete",
    name="collaboratives.session_delete",
)
async def session_delete(
    request: Request, collaborative_id: FromPath[int], session_id: FromPath[int]
) -> Redirect:
    collaborative = await access.collaborative_or_404(collaborative_id, request.state.access)
    access.require_run(collaborative)
    await services.delete_session(collaborative_id, session_id)
    return _redirect(
        request, "collaboratives.detail", "calendar", collaborative_id=collaborative_id
    )


# ---------------------------------------------------------------- the change package


def _idea_form(
    collaborative: dict[str, Any],
    idea: dict[str, Any] | None,
    values: dict[str, Any],
    errors: Errors,
    status: int = 200,
    conflict: str | None = None,
    version: int | None = None,
) -> Template:
    return form_page(
        "collaboratives/idea_form.html",
        status,
        title=f"Edit change idea {idea['title']}" if idea else "New change idea",
        collaborative=collaborative,
        idea=idea,
        values=values,
        errors=errors,
        conflict=conflict,
        version=version if version is not None else (idea or {}).get("version"),
    )


IDEA_PII = {"title": "Title", "description": "Description"}


@get("/collaboratives/{collaborative_id:int}/ideas/new", name="collaboratives.idea_new")
async def idea_new(request: Request, collaborative_id: FromPath[int]) -> Template:
    collaborative = await access.collaborative_or_404(collaborative_id, request.state.access)
    access.require_run(collaborative)
    return _idea_form(collaborative, None, {}, Errors())


@post("/collaboratives/{collaborative_id:int}/ideas/new", name="collaboratives.idea_create")
async def idea_create(request: Request, collaborative_id: FromPath[int]) -> Template | Redirect:
    collaborative = await access.collaborative_or_404(collaborative_id, request.state.access)
    access.require_run(collaborative)
    data = await form_data(request)
    values, errors = forms.parse_idea(data)
    _pii(data, IDEA_PII, errors)
    if errors:
        return _idea_form(collaborative, None, typed(data, forms.IDEA_FIELDS), errors, 422)
    idea_id = await services.add_idea(collaborative_id, values)
    return _redirect(
        request, "collaboratives.detail", f"idea-{idea_id}", collaborative_id=collaborative_id
    )


@get(
    "/collaboratives/{collaborative_id:int}/ideas/{idea_id:int}/edit",
    name="collaboratives.idea_edit",
)
async def idea_edit(
    request: Request, collaborative_id: FromPath[int], idea_id: FromPath[int]
) -> Template:
    collaborative = await access.collaborative_or_404(collaborative_id, request.state.access)
    access.require_run(collaborative)
    idea = await services.get_idea(collaborative_id, idea_id)
    return _idea_form(collaborative, idea, forms.as_typed(idea, forms.IDEA_FIELDS), Errors())


@post(
    "/collaboratives/{collaborative_id:int}/ideas/{idea_id:int}/edit",
    name="collaboratives.idea_update",
)
async def idea_update(
    request: Request, collaborative_id: FromPath[int], idea_id: FromPath[int]
) -> Template | Redirect:
    collaborative = await access.collaborative_or_404(collaborative_id, request.state.access)
    access.require_run(collaborative)
    idea = await services.get_idea(collaborative_id, idea_id)
    data = await form_data(request)
    version = edit_version(data, "change idea")
    values, errors = forms.parse_idea(data)
    _pii(data, IDEA_PII, errors)
    status, conflict = 422, None
    if not errors:
        try:
            await services.update_idea(collaborative_id, idea_id, version, values)
        except Conflict as exc:
            status, conflict = 409, exc.message
            idea = await services.get_idea(collaborative_id, idea_id)
        else:
            return _redirect(
                request,
                "collaboratives.detail",
                f"idea-{idea_id}",
                collaborative_id=collaborative_id,
            )
    return _idea_form(
        collaborative,
        idea,
        typed(data, forms.IDEA_FIELDS),
        errors,
        status,
        conflict,
        version=idea["version"] if conflict else version,
    )


# ---------------------------------------------------------------- member teams and faculty


async def _admin_change(request: Request, collaborative_id: int, field: str, change) -> Any:
    """Run a site admin's change to the members; a bad choice re-renders the page (422)."""
    collaborative = await access.collaborative_or_404(collaborative_id, request.state.access)
    if not request.state.access.is_site_admin:
        raise Forbidden("Only a site admin can change a collaborative's member teams and faculty")
    data = await form_data(request)
    errors = Errors()
    chosen = row_id(data.get(field))
    if chosen is None:
        errors.add(field, "Choose from the list")
    else:
        try:
            await change(chosen)
        except Invalid as exc:
            errors.merge(exc.errors)
    if errors:
        return await _detail_page(request, collaborative, 422, errors)
    return _redirect(request, "collaboratives.detail", "members", collaborative_id=collaborative_id)


@post("/collaboratives/{collaborative_id:int}/teams", name="collaboratives.team_add")
async def team_add(request: Request, collaborative_id: FromPath[int]) -> Template | Redirect:
    return await _admin_change(
        request,
        collaborative_id,
        "initiative",
        lambda chosen: services.add_team(collaborative_id, chosen),
    )


@post("/collaboratives/{collaborative_id:int}/teams/remove", name="collaboratives.team_remove")
async def team_remove(request: Request, collaborative_id: FromPath[int]) -> Template | Redirect:
    return await _admin_change(
        request,
        collaborative_id,
        "initiative",
        lambda chosen: services.remove_team(collaborative_id, chosen),
    )


@post("/collaboratives/{collaborative_id:int}/faculty", name="collaboratives.faculty_add")
async def faculty_add(request: Request, collaborative_id: FromPath[int]) -> Template | Redirect:
    return await _admin_change(
        request,
        collaborative_id,
        "user",
        lambda chosen: services.add_faculty(collaborative_id, chosen),
    )


@post(
    "/collaboratives/{collaborative_id:int}/faculty/remove",
    name="collaboratives.faculty_remove",
)
async def faculty_remove(request: Request, collaborative_id: FromPath[int]) -> Template | Redirect:
    return await _admin_change(
        request,
        collaborative_id,
        "user",
        lambda chosen: services.remove_faculty(collaborative_id, chosen),
    )


# ---------------------------------------------------------------- adopting a change idea


@post("/collaboratives/{collaborative_id:int}/adopt", name="collaboratives.adopt")
async def adopt(request: Request, collaborative_id: FromPath[int]) -> Redirect:
    """A member team takes a change idea into its own backlog (ITEM_WRITE in its agency)."""
    who = request.state.access
    await access.collaborative_or_404(collaborative_id, who)
    teams = await queries.teams_of(collaborative_id)
    if not any(who.can(ITEM_WRITE, t["agency_id"]) for t in teams):
        raise Forbidden("Only a member team's people who write its backlog can adopt an idea")
    data = await form_data(request)
    errors = Errors()
    idea_id = row_id(data.get("idea"))
    initiative_id = row_id(data.get("initiative"))
    if idea_id is None:
        errors.add("idea", "Choose a change idea of this collaborative")
    team = next((t for t in teams if t["initiative_id"] == initiative_id), None)
    if team is None:
        errors.add("initiative", "Choose a member team of this collaborative")
    if errors:
        raise Invalid(errors, next(iter(errors.values())))
    if not who.can(ITEM_WRITE, team["agency_id"]):
        raise Forbidden(f"You cannot write to the backlog of {team['initiative_title']}")
    try:
        await services.adopt(collaborative_id, idea_id, initiative_id)
    except Invalid as exc:
        raise Invalid(exc.errors, next(iter(exc.errors.values()))) from None
    return _redirect(
        request, "collaboratives.detail", f"idea-{idea_id}", collaborative_id=collaborative_id
    )


route_handlers = [
    index,
    create,
    detail,
    edit,
    update,
    session_new,
    session_create,
    session_edit,
    session_update,
    session_delete,
    idea_new,
    idea_create,
    idea_edit,
    idea_update,
    team_add,
    team_remove,
    faculty_add,
    faculty_remove,
    adopt,
]
