"""Pages for fidelity assessments: the roll-up, the rubric form, one assessment, edit,
delete, and the coaching agenda.

A new assessment is made in two steps on one address: choose the profile
version (GET .../fidelity/new), then the whole form for that version
(GET .../fidelity/new?profile_id=...): site, method, date, assessor and notes at
the top, then the rubric itself, one row of native radio buttons per practice
behaviour. Forms with errors come back with every choice (422); a stale edit or
delete is a 409 that keeps the choices and shows what is saved now (DATA-01).
"""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from backend.errors import Conflict, Invalid
from backend.fidelity import chart, forms, queries, rollup, services
from backend.fidelity.tables import METHODS
from backend.initiatives.queries import initiative_or_404
from backend.practice.queries import rubric
from backend.web import pii
from backend.web.forms import Errors, edit_version, form_data, row_id
from backend.web.pages import form_page, user_id_of

NAV = "fidelity"
METHOD_OPTIONS = list(METHODS.items())
STALE_DELETE = (
    "Someone else changed this assessment since the page was loaded, so nothing was "
    "deleted. Check it as saved now and confirm again."
)


# ---------------------------------------------------------------- the roll-up


@get("/initiatives/{initiative_id:int}/fidelity", name="fidelity.index")
async def index(request: Request, initiative_id: FromPath[int]) -> Template:
    initiative = await initiative_or_404(initiative_id)
    interventions = await queries.interventions_of(initiative_id)
    sites = await queries.site_options(initiative["agency"])
    filters = queries.Filters.parse(request.query_params, interventions, sites)
    period_kind = rollup.parse_kind(request.query_params.get("period"))
    assessments = await queries.assessments_of(initiative_id, filters)
    counts = await queries.rating_counts(initiative_id, filters)
    components = await queries.components_of_initiative(initiative_id)
    meeting = queries.fidelity_levels(await queries.levels_of_initiative(initiative_id))
    result = rollup.build(assessments, counts, components, meeting, period_kind)
    tallies = rollup.assessment_tallies(counts, meeting)
    for assessment in assessments:
        assessment["tally"] = tallies.get(assessment["id"], rollup.Tally())
    return Template(
        "fidelity/index.html",
        context={
            "title": f"Fidelity of {initiative['title']}",
            "initiative": initiative,
            "nav": NAV,
            "filters": filters,
            "interventions": [(i["id"], i["name"]) for i in interventions],
            "sites": sites,
            "methods": METHOD_OPTIONS,
            "period_kind": period_kind,
            "period_kinds": list(rollup.PERIOD_KINDS.items()),
            "rollup": result,
            "charts": chart.small_multiples(result),
            "takeaway": chart.overall_takeaway(result),
            "assessments": assessments,
        },
    )


# ---------------------------------------------------------------- the form


def _rows(profile_rubric: dict[str, Any]) -> None:
    """Give every rubric row its form field: behaviours, or a component without any."""
    for component in profile_rubric["components"]:
        component["field"] = forms.rating_field(("component", component["id"]))
        for behaviour in component["behaviours"]:
            behaviour["field"] = forms.rating_field(("behaviour", behaviour["id"]))


def _chosen_levels(ratings: dict[tuple[str, int], int]) -> dict[str, str]:
    return {forms.rating_field(key): str(level) for key, level in ratings.items()}


async def _choose_page(
    initiative: dict[str, Any], errors: Errors | None = None, status: int = 200
) -> Template:
    """Step 1: which version of which practice profile to rate against."""
    profiles = await queries.rateable_profiles(initiative["id"])
    return form_page(
        "fidelity/choose.html",
        status,
        title="New fidelity assessment: choose the practice profile",
        initiative=initiative,
        nav=NAV,
        profiles=[(p["id"], p["label"]) for p in profiles],
        errors=errors or Errors(),
    )


async def _form_page(
    initiative: dict[str, Any],
    profile: dict[str, Any],
    values: dict[str, Any],
    chosen: dict[str, str],
    errors: Errors,
    status: int = 200,
    assessment: dict[str, Any] | None = None,
    version: int | None = None,
    conflict: str | None = None,
    saved: dict[str, str] | None = None,
) -> Template:
    profile_rubric = await rubric(profile["id"])
    _rows(profile_rubric)
    if assessment:
        title = f"Edit the {assessment['title'][0].lower()}{assessment['title'][1:]}"
    else:
        title = "New fidelity assessment"
    return form_page(
        "fidelity/form.html",
        status,
        title=title,
        initiative=initiative,
        nav=NAV,
        profile=profile,
        rubric=profile_rubric,
        levels={level["id"]: level for level in profile_rubric["levels"]},
        sites=await queries.site_options(initiative["agency"]),
        methods=METHOD_OPTIONS,
        values=values,
        chosen=chosen,
        errors=errors,
        assessment=assessment,
        version=version,
        conflict=conflict,
        saved=saved,
    )


async def _rateable(initiative_id: int, raw: Any) -> dict[str, Any] | None:
    profile_id = row_id(raw.strip()) if isinstance(raw, str) else None
    if profile_id is None:
        return None
    profile = await queries.profile_of_initiative(initiative_id, profile_id)
    if profile is None or profile["status"] not in queries.RATEABLE_STATUSES:
        return None
    return profile


CHOOSE_ERROR = {"profile_id": "Choose a version of a practice profile from the list"}


@get("/initiatives/{initiative_id:int}/fidelity/new", name="fidelity.new")
async def new(initiative_id: FromPath[int], profile_id: FromQuery[str | None] = None) -> Template:
    initiative = await initiative_or_404(initiative_id)
    if profile_id is None:
        return await _choose_page(initiative)
    profile = await _rateable(initiative_id, profile_id)
    if profile is None:
        return await _choose_page(initiative, Errors(CHOOSE_ERROR), 422)
    return await _form_page(initiative, profile, {}, {}, Errors())


def _parse(data: dict[str, Any]) -> tuple[dict[str, Any], dict, Errors]:
    values, errors = forms.parse_header(data)
    ratings, rating_errors = forms.parse_ratings(data)
    errors.merge(rating_errors)
    return values, ratings, errors


@post("/initiatives/{initiative_id:int}/fidelity/new", name="fidelity.create")
async def create(request: Request, initiative_id: FromPath[int]) -> Template | Redirect:
    initiative = await initiative_or_404(initiative_id)
    data = await form_data(request)
    profile = await _rateable(initiative_id, data.get("profile_id"))
    if profile is None:
        return await _choose_page(initiative, Errors(CHOOSE_ERROR), 422)
    values, ratings, errors = _parse(data)
    await pii.check(data, forms.PII_FIELDS, initiative["agency"], errors)
    if not errors:
        try:
            fidelity_id = await services.create_assessment(
                initiative_id,
                {**values, "profile_id": profile["id"]},
                ratings,
                user_id_of(request),
            )
        except Invalid as exc:
            errors.merge(exc.errors)
        else:
            url = request.app.route_reverse("fidelity.detail", fidelity_id=fidelity_id)
            return Redirect(url, status_code=303)
    return await _form_page(
        initiative,
        profile,
        forms.typed_header(data),
        forms.typed_ratings(data),
        errors,
        422,
    )


# ---------------------------------------------------------------- one assessment


async def _about(fidelity_id: int) -> dict[str, Any]:
    """The assessment, its initiative, its profile version's rubric with each row's
    rating, and the tallies (overall and per component)."""
    assessment = await queries.assessment_or_404(fidelity_id)
    initiative = await initiative_or_404(assessment["initiative"])
    profile_rubric = await rubric(assessment["profile"])
    _rows(profile_rubric)
    ratings = await queries.ratings_of(fidelity_id)
    meeting = queries.fidelity_levels(
        [{**level, "profile": assessment["profile"]} for level in profile_rubric["levels"]]
    )
    levels = {level["id"]: level for level in profile_rubric["levels"]}
    overall = rollup.Tally()
    for component in profile_rubric["components"]:
        component["tally"] = rollup.Tally()
        rows = component["behaviours"] or [component]
        for row in rows:
            kind = "behaviour" if component["behaviours"] else "component"
            level_id = ratings.get((kind, row["id"]))
            row["rating"] = levels.get(level_id) if level_id else None
            if row["rating"]:
                meets = level_id in meeting
                row["meets"] = meets
                component["tally"].add(1, meets)
                overall.add(1, meets)
    return {
        "assessment": assessment,
        "initiative": initiative,
        "nav": NAV,
        "rubric": profile_rubric,
        "ratings": ratings,
        "overall": overall,
    }


@get("/fidelity/{fidelity_id:int}", name="fidelity.detail")
async def detail(fidelity_id: FromPath[int]) -> Template:
    about = await _about(fidelity_id)
    return Template(
        "fidelity/detail.html", context={"title": about["assessment"]["title"], **about}
    )


def _profile_of(assessment: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": assessment["profile"],
        "number": assessment["profile_number"],
        "status": assessment["profile_status"],
        "intervention_name": assessment["intervention_name"],
        "label": assessment["profile_label"],
    }


def _values_of(assessment: dict[str, Any]) -> dict[str, Any]:
    return {
        "site_id": assessment["site"],
        "method": assessment["method"],
        "assessed_on": assessment["assessed_on"].isoformat(),
        "assessor": assessment["assessor"],
        "notes": assessment["notes"],
    }


@get("/fidelity/{fidelity_id:int}/edit", name="fidelity.edit")
async def edit(fidelity_id: FromPath[int]) -> Template:
    assessment = await queries.assessment_or_404(fidelity_id)
    initiative = await initiative_or_404(assessment["initiative"])
    chosen = _chosen_levels(await queries.ratings_of(fidelity_id))
    return await _form_page(
        initiative,
        _profile_of(assessment),
        _values_of(assessment),
        chosen,
        Errors(),
        assessment=assessment,
        version=assessment["version"],
    )


@post("/fidelity/{fidelity_id:int}/edit", name="fidelity.update")
async def update(request: Request, fidelity_id: FromPath[int]) -> Template | Redirect:
    assessment = await queries.assessment_or_404(fidelity_id)
    initiative = await initiative_or_404(assessment["initiative"])
    data = await form_data(request)
    version = edit_version(data, "fidelity assessment")
    values, ratings, errors = _parse(data)
    await pii.check(data, forms.PII_FIELDS, initiative["agency"], errors)
    status, conflict, saved = 422, None, None
    if not errors:
        try:
            await services.update_assessment(fidelity_id, version, values, ratings)
        except Invalid as exc:
            errors.merge(exc.errors)
        except Conflict as exc:
            # Someone saved first: show what is saved now beside the choices made,
            # and carry the saved version so saving again knowingly replaces it.
            status, conflict = 409, exc.message
            assessment = await queries.assessment_or_404(fidelity_id)
            saved = _chosen_levels(await queries.ratings_of(fidelity_id))
            version = assessment["version"]
        else:
            url = request.app.route_reverse("fidelity.detail", fidelity_id=fidelity_id)
            return Redirect(url, status_code=303)
    return await _form_page(
        initiative,
        _profile_of(assessment),
        forms.typed_header(data),
        forms.typed_ratings(data),
        errors,
        status,
        assessment=assessment,
        version=version,
        conflict=conflict,
        saved=saved,
    )


async def _delete_page(fidelity_id: int, status: int = 200, conflict: str | None = None):
    about = await _about(fidelity_id)
    assessment = about["assessment"]
    heading = f"Delete the {assessment['title'][0].lower()}{assessment['title'][1:]}?"
    return form_page(
        "fidelity/delete.html", status, title=heading, heading=heading, conflict=conflict, **about
    )


@get("/fidelity/{fidelity_id:int}/delete", name="fidelity.delete_confirm")
async def delete_confirm(fidelity_id: FromPath[int]) -> Template:
    return await _delete_page(fidelity_id)


@post("/fidelity/{fidelity_id:int}/delete", name="fidelity.delete")
async def delete(request: Request, fidelity_id: FromPath[int]) -> Template | Redirect:
    assessment = await queries.assessment_or_404(fidelity_id)
    version = edit_version(await form_data(request), "fidelity assessment")
    try:
        await services.delete_assessment(fidelity_id, version)
    except Conflict:
        return await _delete_page(fidelity_id, 409, STALE_DELETE)
    url = request.app.route_reverse("fidelity.index", initiative_id=assessment["initiative"])
    return Redirect(url, status_code=303)


# ---------------------------------------------------------------- coaching agenda


@get("/initiatives/{initiative_id:int}/fidelity/coaching", name="fidelity.coaching")
async def coaching(initiative_id: FromPath[int], period: FromQuery[str | None] = None) -> Template:
    initiative = await initiative_or_404(initiative_id)
    periods = rollup.periods_of(await queries.assessment_days(initiative_id))
    chosen = rollup.parse_period(period)
    if chosen not in periods:
        chosen = None  # a period with no assessments, or not a period: all periods
    counts = await queries.coaching_counts(
        initiative_id, chosen.start if chosen else None, chosen.end if chosen else None
    )
    levels = await queries.levels_of_initiative(initiative_id)
    sites = await queries.site_options(initiative["agency"])
    agenda = rollup.agenda(
        counts,
        await queries.behaviours_of_initiative(initiative_id),
        await queries.components_of_initiative(initiative_id),
        levels,
        queries.fidelity_levels(levels),
        dict(sites),
    )
    return Template(
        "fidelity/coaching.html",
        context={
            "title": f"Coaching agenda for {initiative['title']}"
            + (f", {chosen.label}" if chosen else ""),
            "initiative": initiative,
            "nav": NAV,
            "periods": [(p.code, p.label) for p in reversed(periods)],
            "period": chosen,
            "agenda": agenda,
        },
    )


route_handlers = [
    index,
    new,
    create,
    detail,
    edit,
    update,
    delete_confirm,
    delete,
    coaching,
]
