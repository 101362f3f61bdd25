"""The JSON API for program improvement plans: one plan with its goals, strategies,
key activities (with the status shown now, from the board when an activity is a
backlog item) and measurement plan; and changing a key activity.

Same permissions and rules as the pages: text passes the personal-information
guard (send "pii_confirmed": true to save text it flags); a stale `version`
answers 409 with the activity as it is now.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal, get_args

from litestar import MediaType, Request, Response, Router, get, patch
from litestar.exceptions import ValidationException
from litestar.params import FromPath, JSONBody
from msgspec import UNSET, Meta, Struct, UnsetType, to_builtins

from backend import clock
from backend.api.controllers import FIELD_RESPONSES, INVALID_DETAIL, READ_RESPONSES, _spec
from backend.api.errors import field_errors, read_json_body, validation_error_handler
from backend.api.schemas import MAX_ID, PiiConfirmed
from backend.errors import Conflict, Invalid
from backend.measures.queries import suppresses_small_cells
from backend.pip import forms, queries, services
from backend.pip.tables import ACTIVITY_STATUSES
from backend.web import pii

ActivityStatus = Literal["not_started", "on_schedule", "behind", "completed", "renegotiated"]
assert set(get_args(ActivityStatus)) == set(ACTIVITY_STATUSES), "ActivityStatus must list them"
Version = Annotated[
    int, Meta(ge=1, le=MAX_ID, description="The `version` of the activity as you last read it")
]
Evidence = Annotated[
    str, Meta(max_length=forms.EVIDENCE_MAX, description="Markdown: what shows it was done")
]
CfsrNumber = Annotated[int | None, Meta(description="CFSR item number (1 to 36), if any")]

FIELD_MESSAGES = {
    "version": "Version must be the whole number you last read",
    "status": "Choose status from the list: " + ", ".join(ACTIVITY_STATUSES),
    "evidence": f"Evidence must be text of {forms.EVIDENCE_MAX:,} characters or fewer",
    "target_date": "Target date must be a real date like 2026-03-31, or null",
    "pii_confirmed": "pii_confirmed must be true or false",
}


# ---------------------------------------------------------------- bodies


class PipActivityPatch(Struct, kw_only=True):
    """Only the keys sent change; `target_date: null` clears the date. While the
    activity is a backlog item its status follows the board; only "renegotiated"
    set here is kept."""

    version: Version
    status: ActivityStatus | UnsetType = UNSET
    evidence: Evidence | UnsetType = UNSET
    target_date: date | None | UnsetType = UNSET
    pii_confirmed: PiiConfirmed = False


class PipActivity(Struct):
    id: int
    strategy_id: int
    number: Annotated[str, Meta(description='Goal, strategy and activity: "1.2.3"')]
    title: str
    owner_id: int | None
    owner_name: str | None
    target_date: date | None
    status: Annotated[ActivityStatus, Meta(description="The status shown now")]
    status_set: Annotated[ActivityStatus, Meta(description="The status a person set")]
    status_from_board: Annotated[
        bool, Meta(description="True when `status` comes from the linked backlog item")
    ]
    status_reason: Annotated[str, Meta(description="Why the board gives this status")]
    days_late: Annotated[int | None, Meta(description="Days past the target date, if behind")]
    evidence: str
    item_id: Annotated[int | None, Meta(description="The backlog item it is, if any")]
    version: int


class PipActivityConflictBody(Struct):
    detail: str
    current: PipActivity


class PipStrategy(Struct):
    id: int
    number: str
    text: str
    version: int
    activities: list[PipActivity]


class PipGoal(Struct):
    id: int
    number: str
    text: str
    cfsr_item: CfsrNumber
    version: int
    strategies: list[PipStrategy]


class PipMeasurement(Struct):
    id: int
    cfsr_item: CfsrNumber
    label: str
    baseline: float | None
    goal: float | None
    renegotiated_goal: float | None
    period: str
    measure_id: Annotated[int | None, Meta(description="The Tandem measure that tracks it")]
    latest_value: Annotated[
        float | None, Meta(description="Its latest value; null if none or suppressed")
    ]
    latest_period: str
    goal_met: Annotated[bool | None, Meta(description="null when it cannot be judged")]
    verdict: str
    version: int


class ActivityCount(Struct):
    status: ActivityStatus
    count: int


class Pip(Struct):
    id: int
    agency_id: int
    title: str
    effective_date: date
    implementation_end: date
    non_overlapping_year_end: date
    phase: str
    version: int
    goals: list[PipGoal]
    measurements: list[PipMeasurement]
    activity_counts: list[ActivityCount]


STALE = _spec(
    PipActivityConflictBody, "Changed by someone else: `current` is the activity as saved now"
)


def activity_body(a: dict[str, Any]) -> PipActivity:
    return PipActivity(
        id=a["id"],
        strategy_id=a["strategy"],
        number=a["number"],
        title=a["title"],
        owner_id=a["owner"],
        owner_name=a["owner_name"],
        target_date=a["target_date"],
        status=a["shown_status"],
        status_set=a["status"] if a["status"] in ACTIVITY_STATUSES else "not_started",
        status_from_board=a["from_board"],
        status_reason=a["board_reason"],
        days_late=a["days_late"],
        evidence=a["evidence"],
        item_id=a["item"],
        version=a["version"],
    )


async def pip_body(request: Request, pip_id: int) -> Pip:
    pip = await queries.pip_or_404(pip_id)
    today = clock.today()
    found = await queries.plan(pip, today, suppresses_small_cells(request))
    return Pip(
        id=pip["id"],
        agency_id=pip["agency"],
        title=pip["title"],
        effective_date=pip["effective_date"],
        implementation_end=pip["implementation_end"],
        non_overlapping_year_end=pip["non_overlapping_year_end"],
        phase=queries.phase_of(pip, today),
        version=pip["version"],
        goals=[
            PipGoal(
                id=g["id"],
                number=g["number"],
                text=g["text"],
                cfsr_item=g["cfsr_number"],
                version=g["version"],
                strategies=[
                    PipStrategy(
                        id=s["id"],
                        number=s["number"],
                        text=s["text"],
                        version=s["version"],
                        activities=[activity_body(a) for a in s["activities"]],
                    )
                    for s in g["strategies"]
                ],
            )
            for g in found["goals"]
        ],
        measurements=[
            PipMeasurement(
                id=m["id"],
                cfsr_item=m["cfsr_number"],
                label=m["label"],
                baseline=m["baseline"],
                goal=m["goal"],
                renegotiated_goal=m["renegotiated_goal"],
                period=m["period"],
                measure_id=m["measure"],
                latest_value=m["latest"],
                latest_period=m["latest_period"],
                goal_met=m["met"],
                verdict=m["verdict"],
                version=m["version"],
            )
            for m in found["measurements"]
        ],
        activity_counts=[ActivityCount(code, n) for code, _, n in found["counts"]],
    )


async def _activity(activity_id: int) -> PipActivity:
    """The activity as GET /api/pips/{pip_id} shows it, with its number in the plan."""
    activity = await queries.activity_or_404(activity_id)
    pip = await queries.pip_or_404(activity["pip"])
    found = await queries.plan(pip, clock.today(), suppress_small=True)
    return activity_body(next(a for a in found["activities"] if a["id"] == activity_id))


def _validation_error(request: Request, exc: ValidationException) -> Response:
    """As backend/api/errors, in the words of the activity's fields."""
    errors, _ = field_errors(exc)
    if not errors:
        return validation_error_handler(request, exc)
    worded = {k: FIELD_MESSAGES.get(k, v) for k, v in errors.items()}
    return Response(
        {"detail": INVALID_DETAIL, "errors": worded}, status_code=422, media_type=MediaType.JSON
    )


# ---------------------------------------------------------------- handlers


@get(
    "/pips/{pip_id:int}",
    name="api.pip",
    summary="A program improvement plan: goals, strategies, key activities, measurement plan",
    description="Each key activity carries the status shown now: when it is a backlog "
    "item, the status follows the board. Measurement lines carry the latest value of "
    "their Tandem measure against the goal (suppressed small cells for liaisons).",
    tags=["Program improvement plans"],
    responses=READ_RESPONSES,
)
async def get_pip(request: Request, pip_id: FromPath[int]) -> Pip:
    return await pip_body(request, pip_id)


@patch(
    "/pip-activities/{activity_id:int}",
    name="api.pip_activity_update",
    summary="Change a key activity's status, evidence or target date, made from `version`",
    description="Only the keys sent change. A stale `version` changes nothing and answers "
    "409 with the activity as it is now.",
    tags=["Program improvement plans"],
    responses={**FIELD_RESPONSES, 409: STALE},
)
async def update_activity(
    activity_id: FromPath[int], data: JSONBody[PipActivityPatch]
) -> PipActivity:
    current = await queries.activity_or_404(activity_id)
    pip = await queries.pip_or_404(current["pip"])
    sent: dict[str, Any] = {}
    for name in ("status", "evidence", "target_date"):
        value = getattr(data, name)
        if value is UNSET:
            continue
        if isinstance(value, str):
            value = value.replace("\x00", "")
        elif isinstance(value, date):
            value = value.isoformat()
        sent[name] = value
    values, errors = forms.parse_activity(sent, partial=True)
    await pii.check(
        {**sent, "pii_confirmed": data.pii_confirmed},
        {"evidence": forms.ACTIVITY_PII["evidence"]},
        pip["agency"],
        errors,
        api=True,
    )
    if errors:
        raise Invalid(dict(errors), INVALID_DETAIL)
    try:
        if not values and data.version != current["version"]:
            raise Conflict("Someone else saved this key activity since that version.")
        if values:
            await services.update_activity(activity_id, data.version, values)
    except Conflict as exc:
        raise Conflict(exc.message, current=to_builtins(await _activity(activity_id))) from exc
    return await _activity(activity_id)


route_handlers: list = [
    Router(
        path="/api",
        route_handlers=[get_pip, update_activity],
        before_request=read_json_body,
        # CSRF for the API is checked by accounts.access.authorize, as for the rest of /api.
        opt={"exclude_from_csrf": True},
        exception_handlers={ValidationException: _validation_error},
    )
]
