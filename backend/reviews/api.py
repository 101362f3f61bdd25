"""The JSON API for sign-offs of sprint reviews (same rules as the sprint page).

GET lists a sprint's decisions newest first; POST records a liaison's decision on
a closed sprint (a comment is needed when requesting changes; PII-01: send
"pii_confirmed": true to save text the guard flags). Errors are JSON: 400
unreadable body, 404 unknown id, 409 a sprint that is not closed, 422 invalid field.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from litestar import Request, Router, get, post
from litestar.exceptions import ValidationException
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED
from msgspec import Meta, Struct

from backend.api.controllers import FIELD_RESPONSES, READ_RESPONSES, _spec
from backend.api.errors import read_json_body, validation_error_handler
from backend.api.schemas import ErrorBody
from backend.errors import Invalid
from backend.initiatives.queries import initiative_or_404
from backend.reviews.signoff_queries import (
    COMMENT_MAX,
    check_comment,
    parse_decision,
    sign_off_sprint,
    sprint_sign_offs,
)
from backend.scrum.sprint_queries import sprint_or_404

Decision = Annotated[str, Meta(description="signed_off or changes_requested")]
NOT_CLOSED = _spec(ErrorBody, "The sprint is not closed: only a closed sprint can be signed off")


class SprintSignOffBody(Struct):
    id: int
    sprint_id: int
    decision: Decision
    decision_label: str
    comment: Annotated[str, Meta(description="Markdown text")]
    signed_by: int | None
    signed_by_name: str | None
    signed_at: datetime


class SprintSignOffCreate(Struct, kw_only=True):
    decision: Decision
    comment: Annotated[
        str,
        Meta(max_length=COMMENT_MAX, description="Markdown; required for changes_requested"),
    ] = ""
    pii_confirmed: Annotated[
        bool, Meta(description="True to save text the personal-information guard flags")
    ] = False


def _body(sprint_id: int, row: dict) -> SprintSignOffBody:
    return SprintSignOffBody(
        id=row["id"],
        sprint_id=sprint_id,
        decision=row["decision"],
        decision_label=row["decision_label"],
        comment=row["comment"],
        signed_by=row["signed_by"],
        signed_by_name=row["signed_by_name"],
        signed_at=row["signed_at"],
    )


@get(
    "/sprints/{sprint_id:int}/sign-offs",
    name="api.sprint_sign_offs",
    summary="A sprint review's sign-off decisions, newest first",
    tags=["Reviews"],
    responses=READ_RESPONSES,
)
async def list_sign_offs(sprint_id: FromPath[int]) -> list[SprintSignOffBody]:
    await sprint_or_404(sprint_id)
    return [_body(sprint_id, row) for row in await sprint_sign_offs(sprint_id)]


@post(
    "/sprints/{sprint_id:int}/sign-offs",
    name="api.sprint_sign_off",
    summary="Sign off a closed sprint's review, or request changes (liaisons)",
    tags=["Reviews"],
    status_code=HTTP_201_CREATED,
    responses={**FIELD_RESPONSES, 409: NOT_CLOSED},
)
async def create_sign_off(
    request: Request, sprint_id: FromPath[int], data: JSONBody[SprintSignOffCreate]
) -> SprintSignOffBody:
    sprint = await sprint_or_404(sprint_id)
    fields = {"decision": data.decision, "comment": data.comment}
    if data.pii_confirmed:
        fields["pii_confirmed"] = True
    values, errors = parse_decision(fields)
    agency_id = (await initiative_or_404(sprint["initiative"]))["agency"]
    await check_comment(fields, agency_id, errors, "comment", "api", api=True)
    if errors:
        raise Invalid(dict(errors), "Check the fields listed in errors")
    access = request.state.access
    new_id = await sign_off_sprint(
        sprint_id, values["decision"], values["comment"], access.user_id, access.name
    )
    rows = await sprint_sign_offs(sprint_id)
    return _body(sprint_id, next(r for r in rows if r["id"] == new_id))


route_handlers: list = [
    Router(
        path="/api",
        route_handlers=[list_sign_offs, create_sign_off],
        before_request=read_json_body,
        # CSRF for the API is checked by accounts.access.authorize, as for the rest of /api.
        opt={"exclude_from_csrf": True},
        exception_handlers={ValidationException: validation_error_handler},
    )
]
