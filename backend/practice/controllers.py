"""Pages for interventions and their versioned practice profiles.

The profile page is the rubric table (components down, continuum levels
across) with its editing controls while the version may change (a draft or
being tested, and the latest version: queries.why_frozen); the print view,
the diff between versions and the component page read the same rubric.
Writes go through `services`; forms come back with errors (422) or a
conflict (409) keeping what was typed. Deleting a component or a behaviour
first shows what goes with it (GET .../delete); the form there does it.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from backend.accounts.permissions import GATE_DECIDE
from backend.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from backend.initiatives.queries import initiative_or_404
from backend.practice import diff, forms, queries, services
from backend.practice.tables import APPROACHES, BEHAVIOUR_ROLES, PROFILE_STATUSES
from backend.reviews import threads
from backend.traceability.queries import stories_acting_on_component
from backend.web.forms import Errors, edit_version, form_data, row_id, typed
from backend.web.pages import form_page, user_id_of

NAV = "practice"


class BadComparison(DomainError):
    status_code = 400


def _may_decide(request: Request) -> bool:
    access = request.state.get("access")
    return bool(access and access.can(GATE_DECIDE))


def _refuse_frozen(profile: dict[str, Any]) -> None:
    if profile["frozen"]:
        raise Conflict(profile["frozen"])


def _saved(data: dict[str, Any]) -> str:
    """The fingerprint a form was loaded with (queries.fingerprint); blank if missing."""
    saved = data.get("saved")
    return saved if isinstance(saved, str) else ""


def _direction(data: dict[str, Any]) -> str:
    direction = forms.parse_move(data.get("direction"))
    if direction is None:
        raise Invalid({"direction": "Choose up or down"}, "Choose to move it up or down")
    return direction


# ---------------------------------------------------------------- interventions


@get("/initiatives/{initiative_id:int}/interventions", name="practice.interventions")
async def intervention_list(initiative_id: FromPath[int]) -> Template:
    initiative = await initiative_or_404(initiative_id)
    return Template(
        "practice/interventions.html",
        context={
            "title": f"Interventions of {initiative['title']}",
            "initiative": initiative,
            "nav": NAV,
            "interventions": await queries.interventions_of(initiative_id),
            "approaches": APPROACHES,
        },
    )


def _intervention_form(
    initiative: dict[str, Any],
    intervention: dict[str, Any] | None,
    values: dict[str, Any],
    errors: Errors,
    status: int = 200,
    conflict: str | None = None,
    version: int | None = None,
) -> Template:
    return form_page(
        "practice/intervention_form.html",
        status,
        title=f"Edit intervention {intervention['name']}" if intervention else "New intervention",
        initiative=initiative,
        nav=NAV,
        intervention=intervention,
        values=values,
        errors=errors,
        conflict=conflict,
        version=version if version is not None else (intervention or {}).get("version"),
        approaches=list(APPROACHES.items()),
        approach_labels=APPROACHES,
    )


@get("/initiatives/{initiative_id:int}/interventions/new", name="practice.intervention_new")
async def intervention_new(initiative_id: FromPath[int]) -> Template:
    initiative = await initiative_or_404(initiative_id)
    return _intervention_form(initiative, None, {"approach": "design"}, Errors())


@post("/initiatives/{initiative_id:int}/interventions/new", name="practice.intervention_create")
async def intervention_create(
    request: Request, initiative_id: FromPath[int]
) -> Template | Redirect:
    initiative = await initiative_or_404(initiative_id)
    data = await form_data(request)
    values, errors = forms.parse_intervention(data)
    if not errors:
        intervention_id = await services.create_intervention(initiative_id, values)
        url = request.app.route_reverse("practice.intervention", intervention_id=intervention_id)
        return Redirect(url, status_code=303)
    return _intervention_form(initiative, None, typed(data, forms.INTERVENTION_FIELDS), errors, 422)


@get("/interventions/{intervention_id:int}", name="practice.intervention")
async def intervention_detail(intervention_id: FromPath[int]) -> Template:
    intervention = await queries.intervention_or_404(intervention_id)
    initiative = await initiative_or_404(intervention["initiative"])
    return Template(
        "practice/intervention.html",
        context={
            "title": f"Intervention: {intervention['name']}",
            "initiative": initiative,
            "nav": NAV,
            "intervention": intervention,
            "approach_label": APPROACHES.get(intervention["approach"], intervention["approach"]),
            "versions": await queries.versions_of(intervention_id),
        },
    )


@get("/interventions/{intervention_id:int}/edit", name="practice.intervention_edit")
async def intervention_edit(intervention_id: FromPath[int]) -> Template:
    intervention = await queries.intervention_or_404(intervention_id)
    initiative = await initiative_or_404(intervention["initiative"])
    values = {key: intervention[key] for key in forms.INTERVENTION_FIELDS}
    return _intervention_form(initiative, intervention, values, Errors())


@post("/interventions/{intervention_id:int}/edit", name="practice.intervention_update")
async def intervention_update(
    request: Request, intervention_id: FromPath[int]
) -> Template | Redirect:
    intervention = await queries.intervention_or_404(intervention_id)
    initiative = await initiative_or_404(intervention["initiative"])
    data = await form_data(request)
    version = edit_version(data, "intervention")
    values, errors = forms.parse_intervention(data)
    status, conflict, current = 422, None, intervention
    if not errors:
        try:
            await services.update_intervention(intervention_id, version, values)
        except Conflict as exc:
            status, conflict = 409, exc.message
            current = await queries.intervention_or_404(intervention_id)
        else:
            url = request.app.route_reverse(
                "practice.intervention", intervention_id=intervention_id
            )
            return Redirect(url, status_code=303)
    return _intervention_form(
        initiative,
        current,
        typed(data, forms.INTERVENTION_FIELDS),
        errors,
        status,
        conflict,
        version=current["version"] if conflict else version,
    )


# ---------------------------------------------------------------- profile versions


@post("/interventions/{intervention_id:int}/profiles", name="practice.profile_create")
async def profile_create(request: Request, intervention_id: FromPath[int]) -> Redirect:
    await queries.intervention_or_404(intervention_id)
    profile_id = await services.create_profile(intervention_id, user_id_of(request))
    return Redirect(
        request.app.route_reverse("practice.profile", profile_id=profile_id), status_code=303
    )


async def _profile_page(
    request: Request,
    profile_id: int,
    status: int = 200,
    errors: Errors | None = None,
    values: dict[str, Any] | None = None,
    conflict: str | None = None,
) -> Template:
    profile = await queries.profile_or_404(profile_id)
    initiative = await initiative_or_404(profile["initiative"])
    versions = await queries.versions_of(profile["intervention"])
    earlier = [v for v in versions if v["number"] < profile["number"]]
    may_decide = _may_decide(request)
    return form_page(
        "practice/profile.html",
        status,
        title=profile["title"],
        initiative=initiative,
        nav=NAV,
        profile=profile,
        rubric=await queries.rubric(profile_id),
        versions=versions,
        latest=versions[-1],
        previous=earlier[-1] if earlier else None,
        status_options=[
            (s, PROFILE_STATUSES[s])
            for s in services.next_statuses(profile)
            if may_decide or s not in services.DECISIONS
        ],
        errors=errors or Errors(),
        values=values or {},
        conflict=conflict,
        # Comment threads on this version (one query).
        **await threads.context("profile", profile_id, initiative["agency"]),
    )


@get("/profiles/{profile_id:int}", name="practice.profile")
async def profile_detail(request: Request, profile_id: FromPath[int]) -> Template:
    return await _profile_page(request, profile_id)


@post("/profiles/{profile_id:int}/status", name="practice.profile_status")
async def profile_status(request: Request, profile_id: FromPath[int]) -> Template | Redirect:
    await queries.profile_or_404(profile_id)
    data = await form_data(request)
    version = edit_version(data, "practice profile")
    errors = Errors()
    target = forms.parse_status(data.get("status"), errors)
    if errors or target is None:
        raise Invalid(errors, "Choose a status from the list")
    if target in services.DECISIONS and not _may_decide(request):
        raise Forbidden("Only the agency lead approves or retires a version of a practice profile.")
    try:
        await services.set_status(profile_id, version, target, may_decide=_may_decide(request))
    except Conflict as exc:
        if not exc.current:
            raise
        # Stale: someone changed the version since this page was loaded.
        return await _profile_page(request, profile_id, 409, conflict=exc.message)
    url = request.app.route_reverse("practice.profile", profile_id=profile_id)
    return Redirect(url, status_code=303)


@post("/profiles/{profile_id:int}/new-version", name="practice.profile_new_version")
async def profile_new_version(request: Request, profile_id: FromPath[int]) -> Template | Redirect:
    await queries.profile_or_404(profile_id)
    data = await form_data(request)
    errors = Errors()
    note = forms.parse_change_note(data, errors)
    if errors:
        return await _profile_page(request, profile_id, 422, errors, typed(data, ("change_note",)))
    new_id = await services.new_version(profile_id, user_id_of(request), note)
    return Redirect(
        request.app.route_reverse("practice.profile", profile_id=new_id), status_code=303
    )


# ---------------------------------------------------------------- components


def _back(
    request: Request, data: dict[str, Any], profile_id: int, component_id: int, anchor: str
) -> str:
    """The page a move or delete returns to (the profile, or the component page it was
    pressed on), at the row that changed."""
    if data.get("return_to") == "component":
        url = request.app.route_reverse("practice.component", component_id=component_id)
    else:
        url = request.app.route_reverse("practice.profile", profile_id=profile_id)
    return f"{url}#{anchor}"


@post("/profiles/{profile_id:int}/components", name="practice.component_create")
async def component_create(request: Request, profile_id: FromPath[int]) -> Template | Redirect:
    profile = await queries.profile_or_404(profile_id)
    _refuse_frozen(profile)
    data = await form_data(request)
    values, errors = forms.parse_component(data)
    if errors:
        return await _profile_page(
            request, profile_id, 422, errors, typed(data, forms.COMPONENT_FIELDS)
        )
    component_id = await services.add_component(profile_id, values)
    url = _back(request, {}, profile_id, component_id, f"component-{component_id}")
    return Redirect(url, status_code=303)


async def _component_and_profile(component_id: int) -> tuple[dict, dict, dict]:
    component = await queries.component_or_404(component_id)
    profile = await queries.profile_or_404(component["profile"])
    initiative = await initiative_or_404(profile["initiative"])
    return component, profile, initiative


async def _component_rubric(component_id: int) -> tuple[dict, dict, dict, dict]:
    """The component with its behaviours and descriptors (rubric["components"][0]),
    its profile, initiative and the profile's rubric."""
    component, profile, initiative = await _component_and_profile(component_id)
    rubric = await queries.rubric(profile["id"], component_id)
    if not rubric["components"]:  # deleted since the first read
        raise NotFound(f"Core component {component_id} was not found")
    return {**component, **rubric["components"][0]}, profile, initiative, rubric


async def _component_page(
    component_id: int,
    status: int = 200,
    errors: Errors | None = None,
    values: dict[str, Any] | None = None,
) -> Template:
    component, profile, initiative, rubric = await _component_rubric(component_id)
    return form_page(
        "practice/component.html",
        status,
        title=f"Core component: {component['name']}",
        initiative=initiative,
        nav=NAV,
        profile=profile,
        component=component,
        levels=rubric["levels"],
        roles=[(role, role) for role in BEHAVIOUR_ROLES],
        acting_stories=await stories_acting_on_component(component_id),
        errors=errors or Errors(),
        values=values or {"role": "Worker"},
    )


@get("/components/{component_id:int}", name="practice.component")
async def component_detail(component_id: FromPath[int]) -> Template:
    return await _component_page(component_id)


def _component_form(
    component: dict[str, Any],
    profile: dict[str, Any],
    initiative: dict[str, Any],
    values: dict[str, Any],
    errors: Errors,
    saved: str,
    status: int = 200,
    conflict: str | None = None,
) -> Template:
    return form_page(
        "practice/component_form.html",
        status,
        title=f"Edit core component {component['name']}",
        initiative=initiative,
        nav=NAV,
        profile=profile,
        component=component,
        values=values,
        errors=errors,
        saved=saved,
        conflict=conflict,
    )


@get("/components/{component_id:int}/edit", name="practice.component_edit")
async def component_edit(component_id: FromPath[int]) -> Template:
    component, profile, initiative = await _component_and_profile(component_id)
    _refuse_frozen(profile)
    values = {key: component[key] for key in forms.COMPONENT_FIELDS}
    return _component_form(
        component, profile, initiative, values, Errors(), queries.component_fingerprint(component)
    )


@post("/components/{component_id:int}/edit", name="practice.component_update")
async def component_update(request: Request, component_id: FromPath[int]) -> Template | Redirect:
    component, profile, initiative = await _component_and_profile(component_id)
    _refuse_frozen(profile)
    data = await form_data(request)
    saved = _saved(data)
    values, errors = forms.parse_component(data)
    status, conflict = 422, None
    if not errors:
        try:
            await services.update_component(component_id, saved, values)
        except Conflict as exc:
            if not exc.current:
                raise
            status, conflict = 409, exc.message
            component = await queries.component_or_404(component_id)
            saved = queries.component_fingerprint(component)
        else:
            url = _back(request, {}, profile["id"], component_id, f"component-{component_id}")
            return Redirect(url, status_code=303)
    return _component_form(
        component,
        profile,
        initiative,
        typed(data, forms.COMPONENT_FIELDS),
        errors,
        saved,
        status,
        conflict,
    )


@post("/components/{component_id:int}/move", name="practice.component_move")
async def component_move(request: Request, component_id: FromPath[int]) -> Redirect:
    component = await queries.component_or_404(component_id)
    data = await form_data(request)
    await services.move_component(component_id, _direction(data))
    url = _back(request, data, component["profile"], component_id, f"component-{component_id}")
    return Redirect(url, status_code=303)


async def _component_delete_page(
    request: Request, component_id: int, status: int = 200, conflict: str | None = None
) -> Template:
    """What deleting a component takes with it: its behaviours with their descriptors,
    and the links of stories to it (links to its copies in other versions stay)."""
    component, profile, initiative, rubric = await _component_rubric(component_id)
    _refuse_frozen(profile)
    acting = await stories_acting_on_component(component_id)
    linked = await queries.items_linked_to(component_id)
    heading = f"Delete core component {component['name']}?"
    return form_page(
        "practice/delete.html",
        status,
        title=heading,
        heading=heading,
        initiative=initiative,
        nav=NAV,
        profile=profile,
        component=component,
        behaviour=None,
        levels=rubric["levels"],
        behaviours=component["behaviours"],
        stories_losing=[story for story in acting if story["id"] in linked],
        stories_keeping=[story for story in acting if story["id"] not in linked],
        action=request.app.route_reverse("practice.component_delete", component_id=component_id),
        saved=queries.contents_fingerprint(component),
        return_to=None,
        back=_back(request, {}, profile["id"], component_id, f"component-{component_id}"),
        conflict=conflict,
    )


@get("/components/{component_id:int}/delete", name="practice.component_delete_confirm")
async def component_delete_confirm(request: Request, component_id: FromPath[int]) -> Template:
    return await _component_delete_page(request, component_id)


@post("/components/{component_id:int}/delete", name="practice.component_delete")
async def component_delete(request: Request, component_id: FromPath[int]) -> Template | Redirect:
    component = await queries.component_or_404(component_id)
    data = await form_data(request)
    try:
        await services.delete_component(component_id, _saved(data))
    except Conflict as exc:
        if not exc.current:
            raise
        # Changed since the confirmation was shown (or no confirmation at all):
        # show what would go now and ask again.
        return await _component_delete_page(request, component_id, 409, exc.message)
    url = request.app.route_reverse("practice.profile", profile_id=component["profile"])
    return Redirect(url, status_code=303)


# ---------------------------------------------------------------- behaviours


@post("/components/{component_id:int}/behaviours", name="practice.behaviour_create")
async def behaviour_create(request: Request, component_id: FromPath[int]) -> Template | Redirect:
    component, profile, _ = await _component_and_profile(component_id)
    _refuse_frozen(profile)
    levels = await queries.levels_of(profile["id"])
    data = await form_data(request)
    values, descriptors, errors = forms.parse_behaviour(data, levels)
    if errors:
        return await _component_page(component_id, 422, errors, forms.behaviour_typed(data, levels))
    behaviour_id = await services.add_behaviour(component_id, values, descriptors)
    url = request.app.route_reverse("practice.component", component_id=component_id)
    return Redirect(f"{url}#behaviour-{behaviour_id}", status_code=303)


async def _behaviour_form(
    behaviour: dict[str, Any],
    values: dict[str, Any],
    errors: Errors,
    saved: str,
    status: int = 200,
    conflict: str | None = None,
    current: dict[str, Any] | None = None,
) -> Template:
    profile = await queries.profile_or_404(behaviour["profile"])
    initiative = await initiative_or_404(profile["initiative"])
    return form_page(
        "practice/behaviour_form.html",
        status,
        title="Edit practice behaviour",
        initiative=initiative,
        nav=NAV,
        profile=profile,
        behaviour=behaviour,
        levels=await queries.levels_of(profile["id"]),
        roles=[(role, role) for role in BEHAVIOUR_ROLES],
        values=values,
        errors=errors,
        saved=saved,
        conflict=conflict,
        current=current,
    )


async def _editable_behaviour(behaviour_id: int) -> tuple[dict, dict]:
    """The behaviour and its profile; 409 if the profile version may not change."""
    behaviour = await queries.behaviour_or_404(behaviour_id)
    profile = await queries.profile_or_404(behaviour["profile"])
    _refuse_frozen(profile)
    return behaviour, profile


@get("/behaviours/{behaviour_id:int}/edit", name="practice.behaviour_edit")
async def behaviour_edit(behaviour_id: FromPath[int]) -> Template:
    behaviour, _ = await _editable_behaviour(behaviour_id)
    descriptors = await queries.descriptors_of(behaviour_id)
    values = {"text": behaviour["text"], "role": behaviour["role"]}
    for level_id, text in descriptors.items():
        values[forms.descriptor_field(level_id)] = text
    return await _behaviour_form(
        behaviour, values, Errors(), queries.behaviour_fingerprint(behaviour, descriptors)
    )


@post("/behaviours/{behaviour_id:int}/edit", name="practice.behaviour_update")
async def behaviour_update(request: Request, behaviour_id: FromPath[int]) -> Template | Redirect:
    behaviour, profile = await _editable_behaviour(behaviour_id)
    levels = await queries.levels_of(profile["id"])
    data = await form_data(request)
    saved = _saved(data)
    values, descriptors, errors = forms.parse_behaviour(data, levels)
    status, conflict, current = 422, None, None
    if not errors:
        try:
            await services.update_behaviour(behaviour_id, saved, values, descriptors)
        except Conflict as exc:
            if not exc.current:
                raise
            status, conflict = 409, exc.message
            behaviour = await queries.behaviour_or_404(behaviour_id)
            saved_descriptors = await queries.descriptors_of(behaviour_id)
            saved = queries.behaviour_fingerprint(behaviour, saved_descriptors)
            current = {**behaviour, "descriptors": saved_descriptors}
        else:
            url = request.app.route_reverse("practice.profile", profile_id=profile["id"])
            return Redirect(f"{url}#behaviour-{behaviour_id}", status_code=303)
    return await _behaviour_form(
        behaviour,
        forms.behaviour_typed(data, levels),
        errors,
        saved,
        status,
        conflict,
        current,
    )


@post("/behaviours/{behaviour_id:int}/move", name="practice.behaviour_move")
async def behaviour_move(request: Request, behaviour_id: FromPath[int]) -> Redirect:
    behaviour = await queries.behaviour_or_404(behaviour_id)
    data = await form_data(request)
    await services.move_behaviour(behaviour_id, _direction(data))
    url = _back(
        request, data, behaviour["profile"], behaviour["component"], f"behaviour-{behaviour_id}"
    )
    return Redirect(url, status_code=303)


def _return_to(raw: Any) -> str:
    """The page a behaviour's controls were pressed on: the component page or the profile."""
    return "component" if raw == "component" else "profile"


async def _behaviour_delete_page(
    request: Request,
    behaviour_id: int,
    return_to: str,
    status: int = 200,
    conflict: str | None = None,
) -> Template:
    behaviour, profile = await _editable_behaviour(behaviour_id)
    behaviour["descriptors"] = await queries.descriptors_of(behaviour_id)
    heading = f"Delete a practice behaviour of {behaviour['component_name']}?"
    return form_page(
        "practice/delete.html",
        status,
        title=heading,
        heading=heading,
        initiative=await initiative_or_404(profile["initiative"]),
        nav=NAV,
        profile=profile,
        component=None,
        behaviour=behaviour,
        levels=await queries.levels_of(profile["id"]),
        behaviours=[behaviour],
        action=request.app.route_reverse("practice.behaviour_delete", behaviour_id=behaviour_id),
        saved=queries.behaviour_fingerprint(behaviour, behaviour["descriptors"]),
        return_to=return_to,
        back=_back(
            request,
            {"return_to": return_to},
            profile["id"],
            behaviour["component"],
            f"behaviour-{behaviour_id}",
        ),
        conflict=conflict,
    )


@get("/behaviours/{behaviour_id:int}/delete", name="practice.behaviour_delete_confirm")
async def behaviour_delete_confirm(
    request: Request, behaviour_id: FromPath[int], return_to: FromQuery[str | None] = None
) -> Template:
    return await _behaviour_delete_page(request, behaviour_id, _return_to(return_to))


@post("/behaviours/{behaviour_id:int}/delete", name="practice.behaviour_delete")
async def behaviour_delete(request: Request, behaviour_id: FromPath[int]) -> Template | Redirect:
    behaviour = await queries.behaviour_or_404(behaviour_id)
    data = await form_data(request)
    try:
        await services.delete_behaviour(behaviour_id, _saved(data))
    except Conflict as exc:
        if not exc.current:
            raise
        return_to = _return_to(data.get("return_to"))
        return await _behaviour_delete_page(request, behaviour_id, return_to, 409, exc.message)
    anchor = f"component-{behaviour['component']}"
    url = _back(request, data, behaviour["profile"], behaviour["component"], anchor)
    return Redirect(url, status_code=303)


# ---------------------------------------------------------------- continuum levels


async def _levels_form(
    profile: dict[str, Any],
    levels: list[dict[str, Any]],
    values: dict[str, Any],
    errors: Errors,
    status: int = 200,
    conflict: str | None = None,
) -> Template:
    return form_page(
        "practice/levels.html",
        status,
        title=f"Continuum levels of version {profile['number']}",
        initiative=await initiative_or_404(profile["initiative"]),
        nav=NAV,
        profile=profile,
        levels=levels,
        values=values,
        errors=errors,
        saved=queries.levels_fingerprint(levels),
        conflict=conflict,
        max_order=forms.MAX_LEVELS + 1,
    )


def _levels_values(levels: list[dict[str, Any]]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for level in levels:
        label_f, order_f, fidelity_f, _ = forms.level_fields(level["id"])
        values[label_f] = level["label"]
        values[order_f] = level["position"]
        values[fidelity_f] = level["meets_fidelity"]
    return values


def _levels_typed(data: dict[str, Any], levels: list[dict[str, Any]]) -> dict[str, Any]:
    """What was typed for each level the form had; saved values for levels it did not."""
    values: dict[str, Any] = _levels_values(levels)
    for key in [*(level["id"] for level in levels), "new"]:
        label_f, order_f, fidelity_f, delete_f = forms.level_fields(key)
        if label_f not in data and order_f not in data and key != "new":
            continue
        values.update(typed(data, (label_f, order_f)))
        values[fidelity_f] = data.get(fidelity_f) in ("on", "yes", "1", "true")
        values[delete_f] = data.get(delete_f) in ("on", "yes", "1", "true")
    return values


@get("/profiles/{profile_id:int}/levels", name="practice.levels")
async def levels_form(profile_id: FromPath[int]) -> Template:
    profile = await queries.profile_or_404(profile_id)
    _refuse_frozen(profile)
    levels = await queries.levels_of(profile_id)
    return await _levels_form(profile, levels, _levels_values(levels), Errors())


@post("/profiles/{profile_id:int}/levels", name="practice.levels_update")
async def levels_update(request: Request, profile_id: FromPath[int]) -> Template | Redirect:
    profile = await queries.profile_or_404(profile_id)
    _refuse_frozen(profile)
    levels = await queries.levels_of(profile_id)
    data = await form_data(request)
    saved = _saved(data)
    if saved != queries.levels_fingerprint(levels):
        # The form's fields name levels as they were: read against today's levels
        # they would mean something else, so say it is stale before anything else.
        return await _levels_form(
            profile, levels, _levels_typed(data, levels), Errors(), 409, services.STALE
        )
    kept, deleted, errors = forms.parse_levels(data, levels)
    status, conflict = 422, None
    if not errors:
        try:
            await services.update_levels(profile_id, saved, kept, deleted)
        except Conflict as exc:
            if not exc.current:
                raise
            status, conflict = 409, exc.message
            levels = await queries.levels_of(profile_id)
            # The rows changed: the typed values are shown beside the saved ones only
            # for levels that still exist.
        else:
            url = request.app.route_reverse("practice.profile", profile_id=profile_id)
            return Redirect(url, status_code=303)
    return await _levels_form(
        profile, levels, _levels_typed(data, levels), errors, status, conflict
    )


# ---------------------------------------------------------------- print and diff


@get("/profiles/{profile_id:int}/print", name="practice.profile_print")
async def profile_print(profile_id: FromPath[int]) -> Template:
    profile = await queries.profile_or_404(profile_id)
    initiative = await initiative_or_404(profile["initiative"])
    return Template(
        "practice/profile_print.html",
        context={
            "title": profile["title"],
            "initiative": initiative,
            "profile": profile,
            "rubric": await queries.rubric(profile_id),
        },
    )


def _against(raw: str | None, versions: list[dict[str, Any]], profile: dict[str, Any]):
    """The version to compare with: `against` if given, else the one before this."""
    if raw is None or raw == "":
        earlier = [v for v in versions if v["number"] < profile["number"]]
        return earlier[-1] if earlier else None
    other_id = row_id(raw.strip())
    if other_id is None:
        raise BadComparison("Choose a version to compare with from the list (a version's id).")
    for version in versions:
        if version["id"] == other_id:
            return version
    raise NotFound(
        f"Practice profile {other_id} is not a version of {profile['intervention_name']}"
    )


@get("/profiles/{profile_id:int}/diff", name="practice.profile_diff")
async def profile_diff(
    profile_id: FromPath[int], against: FromQuery[str | None] = None
) -> Template:
    profile = await queries.profile_or_404(profile_id)
    initiative = await initiative_or_404(profile["initiative"])
    versions = await queries.versions_of(profile["intervention"])
    other = _against(against, versions, profile)
    context: dict[str, Any] = {
        "initiative": initiative,
        "nav": NAV,
        "profile": profile,
        "versions": versions,
        "other": other,
        "changes": None,
    }
    if other is None:
        context["title"] = (
            f"Practice profile: {profile['intervention_name']}: changes in version "
            f"{profile['number']}"
        )
        return Template("practice/diff.html", context=context)
    # Always from the earlier version to the later one, whichever page asked.
    old_version, new_version = sorted([other, profile], key=lambda v: v["number"])
    old = await queries.rubric(old_version["id"])
    new = await queries.rubric(new_version["id"])
    context.update(
        title=(
            f"Practice profile: {profile['intervention_name']}: changes from version "
            f"{old_version['number']} to version {new_version['number']}"
        ),
        old_version=old_version,
        new_version=new_version,
        old_levels=old["levels"],
        new_levels=new["levels"],
        changes=diff.compare(old, new),
    )
    return Template("practice/diff.html", context=context)


route_handlers = [
    intervention_list,
    intervention_new,
    intervention_create,
    intervention_detail,
    intervention_edit,
    intervention_update,
    profile_create,
    profile_detail,
    profile_status,
    profile_new_version,
    component_create,
    component_detail,
    component_edit,
    component_update,
    component_move,
    component_delete_confirm,
    component_delete,
    behaviour_create,
    behaviour_edit,
    behaviour_update,
    behaviour_move,
    behaviour_delete_confirm,
    behaviour_delete,
    levels_form,
    levels_update,
    profile_print,
    profile_diff,
]
