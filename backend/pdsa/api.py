"""The JSON API for PDSA cycles: an initiative's cycles, one cycle, and a new cycle's plan.

Bodies pass the same rules as the plan form (`backend.pdsa.forms.parse_plan`) and
the personal-information guard (PII-01; send "pii_confirmed": true to save text
it flags). Errors are JSON: 400 unreadable body, 404 unknown id, 422 invalid field.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from litestar import Request, Router, get, post
from litestar.exceptions import ValidationException
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED
from msgspec import Meta, Struct

from backend.api.controllers import FIELD_RESPONSES, READ_RESPONSES
from backend.api.errors import read_json_body, validation_error_handler
from backend.api.schemas import MAX_ID
from backend.errors import Invalid
from backend.initiatives.queries import initiative_or_404
from backend.pdsa import forms, queries, services
from backend.web import pii

INVALID_DETAIL = "Check the fields listed in errors"

LongText = Annotated[str, Meta(max_length=forms.LONG_TEXT_MAX, description="Markdown text")]
ShortText = Annotated[str, Meta(max_length=forms.SHORT_TEXT_MAX)]


class PdsaCycleCreate(Struct, kw_only=True):
    """The Plan of a new cycle; Do, Study and Act are recorded on its page."""

    change_idea: Annotated[
        str, Meta(max_length=forms.CHANGE_IDEA_MAX, description="Required; not blank")
    ]
    objective: LongText = ""
    questions: LongText = ""
    prediction: LongText = ""
    plan_who: ShortText = ""
    plan_what: LongText = ""
    plan_when: ShortText = ""
    plan_where: ShortText = ""
    data_plan: LongText = ""
    site_id: (
        Annotated[int, Meta(ge=1, le=MAX_ID, description="One of the agency's sites")] | None
    ) = None
    start_date: date | None = None
    end_date: Annotated[date | None, Meta(description="On or after the start date")] = None
    pii_confirmed: Annotated[
        bool, Meta(description="True to save text the personal-information guard flags")
    ] = False


class PdsaCycleBody(Struct):
    id: int
    initiative_id: int
    change_idea: str
    phase: Annotated[str, Meta(description="plan, do, study, act or done, from what is written")]
    site_id: int | None
    site_name: str | None
    previous_cycle_id: Annotated[int | None, Meta(description="The cycle this one follows")]
    objective: str
    questions: str
    prediction: str
    plan_who: str
    plan_what: str
    plan_when: str
    plan_where: str
    data_plan: str
    start_date: date | None
    end_date: date | None
    ran_as_planned: Annotated[str, Meta(description="yes, partly, no, or empty")]
    observations: str
    study: Annotated[str, Meta(description="Results against the prediction")]
    act_decision: Annotated[str, Meta(description="adopt, adapt, abandon, or empty")]
    act_notes: str
    backlog_item_ids: list[int]
    measure_ids: list[int]
    version: int


class PdsaCycleDetail(PdsaCycleBody):
    created_at: datetime
    next_cycle_ids: list[int]


def _body(row: dict[str, Any], links: dict[str, list[int]]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "initiative_id": row["initiative"],
        "change_idea": row["change_idea"],
        "phase": row["phase"],
        "site_id": row["site"],
        "site_name": row["site_name"],
        "previous_cycle_id": row["parent"],
        **{key: row[key] for key in _TEXTS},
        "start_date": row["start_date"],
        "end_date": row["end_date"],
        "backlog_item_ids": links["items"],
        "measure_ids": links["measures"],
        "version": row["version"],
    }


_TEXTS = (
    "objective",
    "questions",
    "prediction",
    "plan_who",
    "plan_what",
    "plan_when",
    "plan_where",
    "data_plan",
    "ran_as_planned",
    "observations",
    "study",
    "act_decision",
    "act_notes",
)


async def _detail(cycle_id: int) -> PdsaCycleDetail:
    row = await queries.cycle_or_404(cycle_id)
    items, measures = await queries.link_ids(cycle_id)
    chain = await queries.neighbours(cycle_id, row["parent"])
    return PdsaCycleDetail(
        **_body(row, {"items": items, "measures": measures}),
        created_at=row["created_at"],
        next_cycle_ids=[n["id"] for n in chain["next"]],
    )


@get(
    "/initiatives/{initiative_id:int}/pdsa-cycles",
    name="api.pdsa_cycles",
    summary="An initiative's PDSA cycles, latest start first",
    tags=["PDSA cycles"],
    responses=READ_RESPONSES,
)
async def list_cycles(initiative_id: FromPath[int]) -> list[PdsaCycleBody]:
    await initiative_or_404(initiative_id)
    rows = await queries.cycles_of(initiative_id, full=True)
    links = await queries.links_of(initiative_id)
    empty = {"items": [], "measures": []}
    return [PdsaCycleBody(**_body(r, links.get(r["id"], empty))) for r in rows]


@post(
    "/initiatives/{initiative_id:int}/pdsa-cycles",
    name="api.pdsa_cycle_create",
    summary="Plan a new PDSA cycle",
    description="The cycle starts in its Plan; `site_id` must be one of the agency's sites.",
    tags=["PDSA cycles"],
    status_code=HTTP_201_CREATED,
    responses=FIELD_RESPONSES,
)
async def create_cycle(
    request: Request, initiative_id: FromPath[int], data: JSONBody[PdsaCycleCreate]
) -> PdsaCycleDetail:
    initiative = await initiative_or_404(initiative_id)
    fields: dict[str, Any] = {}
    for name in data.__struct_fields__:
        value = getattr(data, name)
        if isinstance(value, date):
            value = value.isoformat()
        elif value is None:
            value = ""
        fields["site" if name == "site_id" else name] = value
    if data.site_id is not None:
        fields["site"] = str(data.site_id)
    values, errors = forms.parse_plan(fields)
    await pii.check(fields, forms.PLAN_PII, initiative["agency"], errors, api=True)
    if "site" in errors:
        errors["site_id"] = errors.pop("site")
    if errors:
        raise Invalid(dict(errors), INVALID_DETAIL)
    try:
        cycle_id = await services.create_cycle(initiative_id, values, request.state.access.user_id)
    except Invalid as exc:
        renamed = {("site_id" if k == "site" else k): v for k, v in exc.errors.items()}
        raise Invalid(renamed, INVALID_DETAIL) from exc
    return await _detail(cycle_id)


@get(
    "/pdsa-cycles/{cycle_id:int}",
    name="api.pdsa_cycle",
    summary="One PDSA cycle: its four parts, its chain and its links",
    tags=["PDSA cycles"],
    responses=READ_RESPONSES,
)
async def get_cycle(cycle_id: FromPath[int]) -> PdsaCycleDetail:
    return await _detail(cycle_id)


route_handlers: list = [
    Router(
        path="/api",
        route_handlers=[list_cycles, create_cycle, get_cycle],
        before_request=read_json_body,
        # CSRF for the API is checked by accounts.access.authorize, as for the rest of /api.
        opt={"exclude_from_csrf": True},
        exception_handlers={ValidationException: validation_error_handler},
    )
]
