"""The JSON API for fidelity: the roll-up, recording an assessment, reading one.

Same rules as the pages: reads for everyone who can see the agency, writes for
the team (CHANGE_WRITE). A new assessment's ratings name a row of the rubric
(`behaviour_id`, or `component_id` for a core component without behaviours)
and a continuum level of the same profile version; anything else is a 422 and
nothing is saved. Notes pass the personal-information guard (PII-01; send
"pii_confirmed": true to save text it flags).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal, get_args

from litestar import MediaType, Request, Response, Router, get, post
from litestar.exceptions import ValidationException
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_201_CREATED
from msgspec import Meta, Struct

from backend import clock
from backend.api.controllers import FIELD_RESPONSES, INVALID, READ_RESPONSES
from backend.api.errors import field_errors, read_json_body
from backend.api.schemas import MAX_ID, PiiConfirmed
from backend.errors import Invalid
from backend.fidelity import forms, queries, rollup, services
from backend.fidelity.tables import METHODS, FidelityRating
from backend.initiatives.queries import initiative_or_404
from backend.practice.queries import levels_of
from backend.web import pii
from backend.web.forms import Errors

INVALID_DETAIL = "Check the fields listed in errors"

Method = Literal["observation", "case_review", "interview", "self_report"]
PeriodKind = Literal["week", "month", "quarter"]
assert set(get_args(Method)) == set(METHODS)
Id = Annotated[int, Meta(ge=1, le=MAX_ID, description="Id of an existing row")]
PeriodCode = Annotated[str, Meta(description='A quarter, like "2026-Q1"')]

# ---------------------------------------------------------------- bodies


class RatingIn(Struct, kw_only=True):
    """One row of the rubric at one level: give `behaviour_id`, or `component_id` for a
    core component that has no practice behaviours (rated as a whole)."""

    behaviour_id: Id | None = None
    component_id: Id | None = None
    level_id: Annotated[int, Meta(ge=1, le=MAX_ID, description="A continuum level's id")]


class FidelityAssessmentCreate(Struct, kw_only=True):
    profile_id: Annotated[
        int,
        Meta(ge=1, le=MAX_ID, description="A profile version being tested or approved"),
    ]
    site_id: Annotated[int, Meta(ge=1, le=MAX_ID, description="One of the agency's sites")]
    method: Method
    assessed_on: Annotated[date, Meta(description="Today or earlier")]
    assessor: Annotated[str, Meta(max_length=forms.ASSESSOR_MAX)] = ""
    notes: Annotated[str, Meta(max_length=forms.NOTES_MAX, description="Markdown")] = ""
    ratings: Annotated[list[RatingIn], Meta(description="Rows left out are not rated")]
    pii_confirmed: PiiConfirmed = False


class RatingBody(Struct):
    component_id: int
    behaviour_id: Annotated[int | None, Meta(description="null: the component as a whole")]
    level_id: int
    level_label: str
    meets_fidelity: Annotated[bool, Meta(description="At or above the fidelity level")]


class FidelityAssessmentBody(Struct):
    id: int
    initiative_id: int
    profile_id: int
    profile_number: int
    intervention_id: int
    intervention_name: str
    site_id: int
    site_name: str
    method: Method
    assessed_on: date
    assessor: str
    notes: str
    version: int
    created_at: datetime
    met: Annotated[int, Meta(description="Ratings at or above the fidelity level")]
    rated: Annotated[int, Meta(description="Ratings made")]
    ratings: list[RatingBody]


class RollupCell(Struct):
    site_id: int
    site_name: str
    period: PeriodCode
    period_start: date
    met: int
    rated: int
    percent: int


class RollupTotal(Struct):
    period: PeriodCode
    period_start: date
    met: int
    rated: int
    percent: int


class RollupComponent(Struct):
    lineage: Annotated[str, Meta(description="The same core component in every version")]
    name: str
    intervention_id: int
    intervention_name: str
    profile_numbers: Annotated[list[int], Meta(description="Versions whose ratings count")]
    met: int
    rated: int
    cells: Annotated[list[RollupCell], Meta(description="Per site and quarter rated")]
    totals: Annotated[list[RollupTotal], Meta(description="All sites, per quarter rated")]


class FidelityRollupBody(Struct):
    periods: list[PeriodCode]
    met: int
    rated: int
    components: list[RollupComponent]


# ---------------------------------------------------------------- errors

FIELD_MESSAGES = {
    "profile_id": "Profile must be the id of a practice profile version",
    "site_id": "Site must be the id of one of the agency's sites",
    "method": "Choose method from the list: " + ", ".join(METHODS),
    "assessed_on": "Date assessed must be a real date like 2026-03-31",
    "assessor": f"Assessor must be text of {forms.ASSESSOR_MAX} characters or fewer",
    "notes": f"Notes must be text of {forms.NOTES_MAX:,} characters or fewer",
    "ratings": "Ratings must be a list of {behaviour_id or component_id, level_id}",
    "behaviour_id": "Each rating's behaviour_id must be a practice behaviour's id",
    "component_id": "Each rating's component_id must be a core component's id",
    "level_id": "Each rating needs the level_id of a continuum level",
    "pii_confirmed": "pii_confirmed must be true or false",
    "intervention_id": "Intervention must be the id of an intervention",
}


def _validation_error(request: Request, exc: ValidationException) -> Response:
    """A field Litestar could not decode is a 422 naming it; an unreadable body a 400."""
    errors, body_problem = field_errors(exc)
    if errors:
        named: dict[str, str] = {}
        for key, message in errors.items():
            # A rating's own field ("ratings[0].level_id") is reported under "ratings".
            field = key.rsplit(".", 1)[-1]
            named.setdefault(
                "ratings" if key.startswith("ratings[") else key,
                FIELD_MESSAGES.get(field, message),
            )
        return Response(
            {"detail": INVALID_DETAIL, "errors": named},
            status_code=422,
            media_type=MediaType.JSON,
        )
    return Response(
        {"detail": body_problem or "The request could not be read"},
        status_code=400,
        media_type=MediaType.JSON,
    )


def _api_errors(errors: dict[str, str]) -> dict[str, str]:
    """The service names a rating's error by its form row ("b-12"): the API says ratings."""
    out: dict[str, str] = {}
    for key, message in errors.items():
        out.setdefault("ratings" if forms.rating_key(key) else key, message)
    return out


# ---------------------------------------------------------------- reading


async def assessment_body(fidelity_id: int) -> FidelityAssessmentBody:
    a = await queries.assessment_or_404(fidelity_id)
    levels = await levels_of(a["profile"])
    meeting = queries.fidelity_levels([{**lv, "profile": a["profile"]} for lv in levels])
    labels = {lv["id"]: lv["label"] for lv in levels}
    rows = await (
        FidelityRating.select(
            FidelityRating.component, FidelityRating.behaviour, FidelityRating.level
        )
        .where(FidelityRating.assessment == fidelity_id)
        .order_by(FidelityRating.id)
    )
    ratings = [
        RatingBody(
            component_id=r["component"],
            behaviour_id=r["behaviour"],
            level_id=r["level"],
            level_label=labels.get(r["level"], ""),
            meets_fidelity=r["level"] in meeting,
        )
        for r in rows
    ]
    return FidelityAssessmentBody(
        id=a["id"],
        initiative_id=a["initiative"],
        profile_id=a["profile"],
        profile_number=a["profile_number"],
        intervention_id=a["intervention"],
        intervention_name=a["intervention_name"],
        site_id=a["site"],
        site_name=a["site_name"],
        method=a["method"],
        assessed_on=a["assessed_on"],
        assessor=a["assessor"],
        notes=a["notes"],
        version=a["version"],
        created_at=a["created_at"],
        met=sum(1 for r in ratings if r.meets_fidelity),
        rated=len(ratings),
        ratings=ratings,
    )


def _rollup_body(result: rollup.Rollup) -> FidelityRollupBody:
    names = {s["id"]: s["name"] for s in result.sites}
    components = []
    for c in result.components:
        cells = [
            RollupCell(
                site_id=site,
                site_name=names[site],
                period=p.code,
                period_start=p.start,
                met=t.met,
                rated=t.rated,
                percent=t.percent or 0,
            )
            for site in c.site_ids
            for p in result.periods
            if (t := c.cell(site, p)).rated
        ]
        totals = [
            RollupTotal(p.code, p.start, t.met, t.rated, t.percent or 0)
            for p in result.periods
            if (t := c.period_total(p)).rated
        ]
        components.append(
            RollupComponent(
                lineage=c.lineage,
                name=c.name,
                intervention_id=c.intervention_id,
                intervention_name=c.intervention_name,
                profile_numbers=sorted(c.versions),
                met=c.total.met,
                rated=c.total.rated,
                cells=cells,
                totals=totals,
            )
        )
    return FidelityRollupBody(
        periods=[p.code for p in result.periods],
        met=result.total.met,
        rated=result.total.rated,
        components=components,
    )


# ---------------------------------------------------------------- handlers

FilterId = Annotated[int | None, QueryParameter(ge=1, le=MAX_ID)]


@get(
    "/initiatives/{initiative_id:int}/fidelity",
    name="api.fidelity",
    summary="The fidelity roll-up: ratings at or above the fidelity level by core "
    "component, site and period",
    description="Core components are matched across profile versions by `lineage`. "
    "Only sites and periods with ratings are listed.",
    tags=["Fidelity"],
    responses={**READ_RESPONSES, 422: INVALID},
)
async def get_rollup(
    initiative_id: FromPath[int],
    intervention_id: FilterId = None,
    site_id: FilterId = None,
    method: Annotated[Method | None, QueryParameter()] = None,
    period: Annotated[
        PeriodKind,
        QueryParameter(description="Count by week, month (the default) or quarter"),
    ] = rollup.DEFAULT_KIND,
) -> FidelityRollupBody:
    await initiative_or_404(initiative_id)
    filters = queries.Filters(intervention=intervention_id, site=site_id, method=method or "")
    assessments = await queries.assessments_of(initiative_id, filters)
    counts = await queries.rating_counts(initiative_id, filters)
    components = await queries.components_of_initiative(initiative_id)
    meeting = queries.fidelity_levels(await queries.levels_of_initiative(initiative_id))
    return _rollup_body(rollup.build(assessments, counts, components, meeting, period))


@post(
    "/initiatives/{initiative_id:int}/fidelity-assessments",
    name="api.fidelity_assessment_create",
    summary="Record a fidelity assessment with its ratings",
    description="Ratings must be rows and levels of the chosen profile version: a "
    "behaviour, component or level of another version is a 422 and nothing is saved.",
    tags=["Fidelity"],
    status_code=HTTP_201_CREATED,
    responses=FIELD_RESPONSES,
)
async def create_assessment(
    request: Request, initiative_id: FromPath[int], data: JSONBody[FidelityAssessmentCreate]
) -> FidelityAssessmentBody:
    initiative = await initiative_or_404(initiative_id)
    errors: dict[str, str] = {}
    ratings: dict[forms.RatingKey, int] = {}
    for rating in data.ratings:
        if (rating.behaviour_id is None) == (rating.component_id is None):
            errors.setdefault("ratings", "Give each rating a behaviour_id or a component_id")
            continue
        key: forms.RatingKey = (
            ("behaviour", rating.behaviour_id)
            if rating.behaviour_id is not None
            else ("component", rating.component_id)  # type: ignore[assignment]
        )
        if key in ratings:
            errors.setdefault("ratings", f"The {key[0]} {key[1]} is rated more than once")
        ratings[key] = rating.level_id
    if data.assessed_on > clock.today():
        errors["assessed_on"] = "Date assessed must be today or earlier"
    fields = {"notes": data.notes.replace("\x00", ""), "pii_confirmed": data.pii_confirmed}
    found = Errors()
    await pii.check(fields, forms.PII_FIELDS, initiative["agency"], found, api=True)
    errors.update(found)
    if errors:
        raise Invalid(errors, INVALID_DETAIL)
    values = {
        "profile_id": data.profile_id,
        "site_id": data.site_id,
        "method": data.method,
        "assessed_on": data.assessed_on,
        "assessor": data.assessor.replace("\x00", "").strip(),
        "notes": fields["notes"].strip(),
    }
    try:
        fidelity_id = await services.create_assessment(
            initiative_id, values, ratings, request.state.access.user_id
        )
    except Invalid as exc:
        raise Invalid(_api_errors(exc.errors), INVALID_DETAIL) from exc
    return await assessment_body(fidelity_id)


@get(
    "/fidelity-assessments/{fidelity_id:int}",
    name="api.fidelity_assessment",
    summary="One fidelity assessment with its ratings",
    tags=["Fidelity"],
    responses=READ_RESPONSES,
)
async def get_assessment(fidelity_id: FromPath[int]) -> FidelityAssessmentBody:
    return await assessment_body(fidelity_id)


route_handlers: list = [
    Router(
        path="/api",
        route_handlers=[get_rollup, create_assessment, get_assessment],
        before_request=read_json_body,
        # CSRF for the API is checked by accounts.access.authorize, as for the rest of /api.
        opt={"exclude_from_csrf": True},
        exception_handlers={ValidationException: _validation_error},
    )
]
