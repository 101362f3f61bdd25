"""Release pages: the list with progress, one release with its sprints, new and edit.

A release groups sprints toward one milestone. Its planned points are the
estimates of every item in its sprints; done points are those of the items
in a done column. Both are summed in SQL, a fixed number of queries per page.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from backend.errors import Conflict, Invalid
from backend.initiatives.queries import initiative_or_404, stage_options
from backend.scrum import services
from backend.scrum.forms import MARKDOWN_MAX
from backend.scrum.sprint_queries import (
    initiative_sprints,
    release_or_404,
    release_progress,
)
from backend.scrum.tables import Release
from backend.web import forms
from backend.web.forms import Errors, edit_version, form_data, typed
from backend.web.pages import form_page

NAME_MAX = 200
PROGRESS_RULE = (
    "Planned points are the estimates of every item in the release's sprints; "
    "done points are those of the items in a done column of the board."
)


def parse_release(data: dict[str, Any]) -> tuple[dict[str, Any], Errors]:
    """Clean a release's fields; unknown keys (initiative, version...) are ignored."""
    errors = Errors()
    values = {
        "name": forms.text(
            data.get("name"), "name", errors, label="Name", max_length=NAME_MAX, required=True
        ),
        "milestone": forms.text(
            data.get("milestone"), "milestone", errors, label="Milestone", max_length=MARKDOWN_MAX
        ),
        "target_date": forms.day(
            data.get("target_date"), "target_date", errors, label="Target date"
        ),
        "stage": forms.ref_id(data.get("stage"), "stage", errors, label="C&I stage"),
    }
    return values, errors


@get("/initiatives/{initiative_id:int}/releases", name="scrum.releases")
async def release_list(initiative_id: FromPath[int]) -> Template:
    initiative = await initiative_or_404(initiative_id)
    releases = await (
        Release.select(Release.id, Release.name, Release.target_date, Release.version)
        .where(Release.initiative == initiative_id)
        .order_by(Release.id)
    )
    progress = await release_progress([r["id"] for r in releases])
    for release in releases:
        release["progress"] = progress[release["id"]]
    return Template(
        "scrum/releases.html",
        context={
            "title": f"Releases of {initiative['title']}",
            "initiative": initiative,
            "nav": "releases",
            "releases": releases,
            "rule": PROGRESS_RULE,
        },
    )


@get("/releases/{release_id:int}", name="scrum.release")
async def release_detail(release_id: FromPath[int]) -> Template:
    release = await release_or_404(release_id)
    initiative = await initiative_or_404(release["initiative"])
    sprints = [s for s in await initiative_sprints(initiative["id"]) if s["release"] == release_id]
    return Template(
        "scrum/release.html",
        context={
            "title": f"Release {release['name']}",
            "initiative": initiative,
            "nav": "releases",
            "release": release,
            "progress": (await release_progress([release_id]))[release_id],
            "sprints": sprints,
            "rule": PROGRESS_RULE,
        },
    )


async def _form(
    initiative: dict[str, Any],
    release: dict[str, Any] | None,
    values: dict[str, Any],
    errors: Errors,
    status: int = 200,
    conflict: str | None = None,
    version: int | None = None,
) -> Template:
    return form_page(
        "scrum/release_form.html",
        status,
        title=f"Edit release {release['name']}" if release else "New release",
        initiative=initiative,
        nav="releases",
        release=release,
        values=values,
        errors=errors,
        conflict=conflict,
        version=version if version is not None else (release or {}).get("version"),
        stages=await stage_options(initiative["agency"]),
    )


@get("/initiatives/{initiative_id:int}/releases/new", name="scrum.release_new")
async def release_new(initiative_id: FromPath[int]) -> Template:
    initiative = await initiative_or_404(initiative_id)
    return await _form(initiative, None, {}, Errors())


@post("/initiatives/{initiative_id:int}/releases/new", name="scrum.release_create")
async def release_create(request: Request, initiative_id: FromPath[int]) -> Template | Redirect:
    initiative = await initiative_or_404(initiative_id)
    data = await form_data(request)
    values, errors = parse_release(data)
    if not errors:
        try:
            release_id = await services.create_release(initiative_id, values)
        except Invalid as exc:
            errors.merge(exc.errors)
        else:
            url = request.app.route_reverse("scrum.release", release_id=release_id)
            return Redirect(url, status_code=303)
    return await _form(initiative, None, typed(data, services.RELEASE_EDITABLE), errors, 422)


@get("/releases/{release_id:int}/edit", name="scrum.release_edit")
async def release_edit(release_id: FromPath[int]) -> Template:
    release = await release_or_404(release_id)
    initiative = await initiative_or_404(release["initiative"])
    values = {key: release.get(key) for key in services.RELEASE_EDITABLE}
    return await _form(initiative, release, values, Errors())


@post("/releases/{release_id:int}/edit", name="scrum.release_update")
async def release_update(request: Request, release_id: FromPath[int]) -> Template | Redirect:
    release = await release_or_404(release_id)
    initiative = await initiative_or_404(release["initiative"])
    data = await form_data(request)
    version = edit_version(data, "release")
    values, errors = parse_release(data)
    status, conflict, current = 422, None, release
    if not errors:
        try:
            await services.update_release(release_id, version, values)
        except Conflict as exc:
            status, conflict = 409, exc.message
            current = await release_or_404(release_id)
        except Invalid as exc:
            errors.merge(exc.errors)
        else:
            url = request.app.route_reverse("scrum.release", release_id=release_id)
            return Redirect(url, status_code=303)
    return await _form(
        initiative,
        current,
        typed(data, services.RELEASE_EDITABLE),
        errors,
        status,
        conflict,
        version=current["version"] if conflict else version,
    )


route_handlers = [
    release_list,
    release_new,
    release_create,
    release_detail,
    release_edit,
    release_update,
]
