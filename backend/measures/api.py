"""The JSON API for measures and their data points (same permissions as the pages).

A measure comes with its points in time order and its run chart analysis
(median, useful observations, runs, limits and signals in words). Liaisons
get small cells suppressed (`suppressed: true`, numbers null) and an analysis
of only what they may see, as on the pages. A new point passes the same rules
as the form: 422 with a message per field, 409 when its period already has one.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from litestar import MediaType, Request, Response, Router, get, post
from litestar.exceptions import ValidationException
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED, HTTP_400_BAD_REQUEST
from msgspec import Meta, Struct

from backend.api.controllers import BAD_REQUEST, NOT_FOUND, READ_RESPONSES, _spec
from backend.api.errors import read_json_body
from backend.api.schemas import ErrorBody, ValidationErrorBody
from backend.errors import Conflict, Invalid
from backend.initiatives.queries import initiative_or_404
from backend.measures import forms, queries, services
from backend.measures.runchart import RunChartAnalysis
from backend.web import pii

INVALID_DETAIL = "Check the fields listed in errors"
INVALID = _spec(ValidationErrorBody, "Invalid fields, one message each in `errors`")
DUPLICATE = _spec(ErrorBody, "The period already has a data point")
FIELD_MESSAGES = {
    "period": "Period must be a date like 2025-03-01 (any day of the period)",
    "value": "Value must be a number",
    "numerator": f"Numerator must be a whole number between 0 and {forms.COUNT_MAX:,}",
    "denominator": f"Denominator must be a whole number between 1 and {forms.COUNT_MAX:,}",
    "annotation": f"Annotation must be text of {forms.ANNOTATION_MAX:,} characters or fewer",
    "pii_confirmed": "pii_confirmed must be true or false",
}
_MISSING = re.compile(r"missing required field `(\w+)`")

Kind = Annotated[str, Meta(description="outcome, process, balancing or fidelity")]
Direction = Annotated[str, Meta(description="up (higher is better) or down (lower is better)")]


class SignalBody(Struct):
    rule: Annotated[
        str,
        Meta(
            description="shift, trend, too_few_runs, too_many_runs, astronomical (IHI); "
            "long_run, few_crossings (Anhoej)"
        ),
    ]
    periods: Annotated[list[date], Meta(description="Starts of the periods that make it")]
    text: str


class AnalysisBody(Struct):
    rule_set: Annotated[str, Meta(description="ihi or anhoej")]
    median: float | None
    baseline_count: Annotated[int, Meta(description="Points the median was taken over")]
    baseline_frozen: bool
    useful: Annotated[int, Meta(description="Useful observations: points not on the median")]
    runs: int
    crossings: int
    longest_run: int
    runs_lower: Annotated[int | None, Meta(description="IHI: fewest runs expected")]
    runs_upper: Annotated[int | None, Meta(description="IHI: most runs expected")]
    longest_run_limit: Annotated[int | None, Meta(description="Anhoej: longest run expected")]
    min_crossings: Annotated[int | None, Meta(description="Anhoej: fewest crossings expected")]
    limits: Annotated[str, Meta(description="The limits in words")]
    signals: list[SignalBody]


class PointBody(Struct):
    id: int
    period_start: date
    label: Annotated[str, Meta(description='The period in words, like "Mar 2025"')]
    value: Annotated[float | None, Meta(description="null when suppressed")]
    numerator: int | None
    denominator: int | None
    annotation: str
    astronomical: bool
    astronomical_reason: str
    source: Annotated[str, Meta(description="entered, imported or fidelity (read-only)")]
    small_cell: Annotated[bool, Meta(description="The denominator is under the threshold")]
    suppressed: Annotated[bool, Meta(description="Shown to you without its numbers")]
    version: int


class MeasureSummaryBody(Struct):
    id: int
    initiative_id: int
    name: str
    kind: Kind
    unit: str
    is_rate: bool
    direction: Direction
    period_kind: Annotated[str, Meta(description="month, quarter or week")]
    cfsr_item_number: int | None
    point_count: int
    latest: PointBody | None
    signals: list[SignalBody]
    version: int


class MeasureBody(Struct):
    id: int
    initiative_id: int
    name: str
    kind: Kind
    definition: Annotated[str, Meta(description="Operational definition, markdown")]
    unit: str
    is_rate: bool
    direction: Direction
    period_kind: str
    cfsr_item_number: int | None
    rule_set: str
    baseline_points: Annotated[int | None, Meta(description="null: the median of all points")]
    small_cell_threshold: int
    fidelity_intervention_id: int | None
    version: int
    points: list[PointBody]
    analysis: AnalysisBody


Numerator = Annotated[
    int,
    Meta(ge=0, le=forms.COUNT_MAX, description="Required for a rate; not over the denominator"),
]
Denominator = Annotated[int, Meta(ge=1, le=forms.COUNT_MAX, description="Required for a rate")]


class PointCreate(Struct, kw_only=True):
    period: Annotated[date, Meta(description="Any day of the period; saved as its first day")]
    value: Annotated[
        float | None,
        Meta(description="Required unless the measure is a rate; at most 6 decimal places"),
    ] = None
    numerator: Numerator | None = None
    denominator: Denominator | None = None
    annotation: Annotated[str, Meta(max_length=forms.ANNOTATION_MAX)] = ""
    pii_confirmed: Annotated[
        bool, Meta(description="True to save an annotation the personal-information guard flags")
    ] = False


# ---------------------------------------------------------------- bodies


def _point_body(point: dict[str, Any]) -> PointBody:
    return PointBody(
        id=point["id"],
        period_start=point["period_start"],
        label=point["label"],
        value=point["value"],
        numerator=point["numerator"],
        denominator=point["denominator"],
        annotation=point["annotation"],
        astronomical=point["astronomical"],
        astronomical_reason=point["astronomical_reason"],
        source=point["source"],
        small_cell=point["small"],
        suppressed=point["suppressed"],
        version=point["version"],
    )


def _signals(analysis: RunChartAnalysis, points: list[dict[str, Any]]) -> list[SignalBody]:
    return [
        SignalBody(rule=s.rule, periods=[points[i]["period_start"] for i in s.indices], text=s.text)
        for s in analysis.signals
    ]


def _analysis_body(analysis: RunChartAnalysis, points: list[dict[str, Any]]) -> AnalysisBody:
    return AnalysisBody(
        rule_set=analysis.rule_set,
        median=analysis.median,
        baseline_count=analysis.baseline_count,
        baseline_frozen=analysis.baseline_frozen,
        useful=analysis.useful,
        runs=analysis.runs,
        crossings=analysis.crossings,
        longest_run=analysis.longest_run,
        runs_lower=analysis.runs_lower,
        runs_upper=analysis.runs_upper,
        longest_run_limit=analysis.longest_run_limit,
        min_crossings=analysis.min_crossings,
        limits=analysis.limits_text,
        signals=_signals(analysis, points),
    )


async def _measure_body(request: Request, measure_id: int) -> MeasureBody:
    data = await queries.chart_data(
        measure_id, suppress_small=queries.suppresses_small_cells(request), with_markers=False
    )
    m = data.measure
    return MeasureBody(
        id=m["id"],
        initiative_id=m["initiative"],
        name=m["name"],
        kind=m["kind"],
        definition=m["definition"],
        unit=m["unit"],
        is_rate=m["is_rate"],
        direction=m["direction"],
        period_kind=m["period_kind"],
        cfsr_item_number=m["cfsr_number"],
        rule_set=m["rule_set"],
        baseline_points=m["baseline_points"],
        small_cell_threshold=m["small_cell_threshold"],
        fidelity_intervention_id=m["fidelity_intervention"],
        version=m["version"],
        points=[_point_body(p) for p in data.points],
        analysis=_analysis_body(data.analysis, data.points),
    )


def _validation_error(request: Request, exc: ValidationException) -> Response:
    """A field Litestar could not decode is a 422 naming it; an unreadable body a 400."""
    errors: dict[str, str] = {}
    for entry in exc.extra if isinstance(exc.extra, list) else []:
        if not isinstance(entry, dict):
            continue
        key, message = str(entry.get("key") or ""), str(entry.get("message") or "")
        missing = _MISSING.search(message)
        if missing:
            errors.setdefault(missing.group(1), f"Enter {missing.group(1)}")
        elif key and key != "data":
            errors.setdefault(key, FIELD_MESSAGES.get(key, f"{key}: {message}"))
    if errors:
        return Response(
            {"detail": INVALID_DETAIL, "errors": errors}, status_code=422, media_type=MediaType.JSON
        )
    return Response(
        {"detail": "The request body must be a JSON object"},
        status_code=HTTP_400_BAD_REQUEST,
        media_type=MediaType.JSON,
    )


# ---------------------------------------------------------------- handlers


@get(
    "/initiatives/{initiative_id:int}/measures",
    name="api.measures",
    summary="An initiative's measures with their latest point and current signals",
    tags=["Measures"],
    responses=READ_RESPONSES,
)
async def list_measures(request: Request, initiative_id: FromPath[int]) -> list[MeasureSummaryBody]:
    await initiative_or_404(initiative_id)
    measures = await queries.measures_of(
        initiative_id, suppress_small=queries.suppresses_small_cells(request)
    )
    out = []
    for m in measures:
        shown = m["points_shown"]
        out.append(
            MeasureSummaryBody(
                id=m["id"],
                initiative_id=m["initiative"],
                name=m["name"],
                kind=m["kind"],
                unit=m["unit"],
                is_rate=m["is_rate"],
                direction=m["direction"],
                period_kind=m["period_kind"],
                cfsr_item_number=m["cfsr_number"],
                point_count=m["point_count"],
                latest=_point_body(m["latest"]) if m["latest"] else None,
                signals=_signals(m["analysis"], shown),
                version=m["version"],
            )
        )
    return out


@get(
    "/measures/{measure_id:int}",
    name="api.measure",
    summary="One measure with its data points and run chart analysis",
    tags=["Measures"],
    responses=READ_RESPONSES,
)
async def get_measure(request: Request, measure_id: FromPath[int]) -> MeasureBody:
    return await _measure_body(request, measure_id)


@post(
    "/measures/{measure_id:int}/points",
    name="api.point_create",
    summary="Add one data point",
    description="For a rate send numerator and denominator (the value is worked out); "
    "otherwise send value. A period that already has a point answers 409; a measure "
    f"that already holds {forms.POINTS_MAX:,} points answers 422.",
    tags=["Measures"],
    status_code=HTTP_201_CREATED,
    responses={400: BAD_REQUEST, 404: NOT_FOUND, 409: DUPLICATE, 422: INVALID},
)
async def create_point(
    request: Request, measure_id: FromPath[int], data: JSONBody[PointCreate]
) -> PointBody:
    measure = await queries.measure_or_404(measure_id)
    fields = {
        "period": data.period.isoformat(),
        "value": data.value,
        "numerator": data.numerator,
        "denominator": data.denominator,
        "annotation": data.annotation.replace("\x00", ""),
        "pii_confirmed": data.pii_confirmed,
    }
    values, errors = forms.parse_point(fields, measure)
    await pii.check(fields, forms.POINT_PII, measure["agency"], errors, api=True)
    if errors:
        raise Invalid(dict(errors), INVALID_DETAIL)
    try:
        point_id = await services.add_point(measure_id, values, request.state.access.user_id)
    except services.DuplicatePeriod as exc:
        raise Conflict(exc.message) from exc
    point = await queries.point_or_404(point_id)
    shown = queries.present(point, measure, queries.suppresses_small_cells(request))
    return _point_body(shown)


route_handlers: list = [
    Router(
        path="/api",
        route_handlers=[list_measures, get_measure, create_point],
        before_request=read_json_body,
        # CSRF for the API is checked by accounts.access.authorize, as for the rest of /api.
        opt={"exclude_from_csrf": True},
        exception_handlers={ValidationException: _validation_error},
    )
]
