"""The JSON API for findings and the theory of change (same permissions as the pages).

Bodies pass the same rules as the HTML forms (`backend.exploration.forms`) and
the personal-information guard (PII-01; send "pii_confirmed": true to save
text it flags). Errors are JSON: 400 unreadable body, 404 unknown id, 409
stale version, 422 invalid field (with a message per field).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal, get_args

import msgspec
from litestar import MediaType, Request, Response, Router, get, patch, post
from litestar.exceptions import ValidationException
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_201_CREATED, HTTP_400_BAD_REQUEST
from msgspec import UNSET, Meta, Struct, UnsetType

from backend.api.controllers import BAD_REQUEST, NOT_FOUND, READ_RESPONSES, _spec
from backend.api.errors import read_json_body
from backend.api.schemas import MAX_ID, ValidationErrorBody
from backend.errors import Conflict, Invalid, NotFound
from backend.exploration import queries, services
from backend.exploration.forms import (
    FINDING_PII,
    MARKDOWN_MAX,
    SEGMENT_MAX,
    FindingFilters,
    parse_finding,
)
from backend.exploration.tables import (
    CONFIDENCE_LEVELS,
    EVIDENCE_TYPES,
    FINDING_KINDS,
    FINDING_SOURCES,
)
from backend.initiatives.queries import initiative_or_404
from backend.web import pii
from backend.web.forms import parse_version

INVALID_DETAIL = "Check the fields listed in errors"

FindingKind = Literal["observation", "root_cause", "contributing_factor"]
EvidenceType = Literal["quantitative", "qualitative", "mixed"]
FindingSource = Literal[
    "case_review", "cfsr_data", "interviews", "focus_groups", "survey", "administrative_data"
]
Confidence = Literal["low", "medium", "high"]
assert set(get_args(FindingKind)) == set(FINDING_KINDS)
assert set(get_args(EvidenceType)) == set(EVIDENCE_TYPES)
assert set(get_args(FindingSource)) == set(FINDING_SOURCES)
assert set(get_args(Confidence)) == set(CONFIDENCE_LEVELS)

Statement = Annotated[
    str, Meta(max_length=MARKDOWN_MAX, description="Markdown; required, not blank")
]
Segment = Annotated[str, Meta(max_length=SEGMENT_MAX, description="Population segment")]
Version = Annotated[
    int, Meta(ge=1, le=MAX_ID, description="The `version` of the finding as you last read it")
]
PiiConfirmed = Annotated[
    bool,
    Meta(description="True to save text the personal-information guard flags, as it is"),
]


# ---------------------------------------------------------------- bodies


class FindingCreate(Struct, kw_only=True):
    statement: Statement
    kind: FindingKind = "observation"
    evidence_type: EvidenceType = "qualitative"
    source: FindingSource = "case_review"
    segment: Segment = ""
    confidence: Confidence = "medium"
    found_on: date | None = None
    pii_confirmed: PiiConfirmed = False


class FindingPatch(Struct, kw_only=True):
    """Only the keys sent change; `found_on: null` clears the date."""

    version: Version
    statement: Statement | UnsetType = UNSET
    kind: FindingKind | UnsetType = UNSET
    evidence_type: EvidenceType | UnsetType = UNSET
    source: FindingSource | UnsetType = UNSET
    segment: Segment | UnsetType = UNSET
    confidence: Confidence | UnsetType = UNSET
    found_on: date | None | UnsetType = UNSET
    pii_confirmed: PiiConfirmed | UnsetType = UNSET


class Finding(Struct):
    id: int
    initiative_id: int
    statement: str
    kind: FindingKind
    evidence_type: EvidenceType
    source: FindingSource
    segment: str
    confidence: Confidence
    found_on: date | None
    version: int
    created_at: datetime
    updated_at: datetime


class FindingConflictBody(Struct):
    detail: str
    current: Finding


class CausalLink(Struct):
    id: int
    position: int
    condition: Annotated[str, Meta(description='The "if ..." part')]
    result: Annotated[str, Meta(description='The "then ..." part')]
    lineage: Annotated[str, Meta(description="The same across versions of the theory")]
    version: int
    finding_ids: list[int]


class Assumption(Struct):
    position: int
    text: str


class TheoryOfChange(Struct):
    id: int
    initiative_id: int
    number: Annotated[int, Meta(description="Version number; the highest is current")]
    population: str
    long_term_outcome: Annotated[str, Meta(description="Also the initiative's product goal")]
    change_note: str
    created_at: datetime
    version: int
    links: list[CausalLink]
    assumptions: list[Assumption]
    version_numbers: list[int]


def finding_from_row(row: dict[str, Any]) -> Finding:
    return Finding(
        id=row["id"],
        initiative_id=row["initiative"],
        statement=row["statement"],
        kind=row["kind"],
        evidence_type=row["evidence_type"],
        source=row["source"],
        segment=row["segment"],
        confidence=row["confidence"],
        found_on=row["found_on"],
        version=row["version"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


# ---------------------------------------------------------------- errors

INVALID = _spec(ValidationErrorBody, "Invalid fields, one message each in `errors`")
STALE = _spec(FindingConflictBody, "Changed by someone else: `current` is the finding as saved now")
FIELD_RESPONSES = {400: BAD_REQUEST, 404: NOT_FOUND, 422: INVALID}
FIELD_MESSAGES = {
    "statement": f"Statement must be text of {MARKDOWN_MAX:,} characters or fewer",
    "kind": "Choose kind from the list: " + ", ".join(FINDING_KINDS),
    "evidence_type": "Choose evidence type from the list: " + ", ".join(EVIDENCE_TYPES),
    "source": "Choose source from the list: " + ", ".join(FINDING_SOURCES),
    "segment": f"Population segment must be text of {SEGMENT_MAX} characters or fewer",
    "confidence": "Choose confidence from the list: " + ", ".join(CONFIDENCE_LEVELS),
    "found_on": "Date must be a real date like 2026-03-31, or null",
    "version": "Version must be the whole number you last read",
    "pii_confirmed": "pii_confirmed must be true or false",
}
MISSING_MESSAGES = {
    "statement": "Enter statement",
    "version": "Enter version: the version of the finding you last read",
}
_MISSING = re.compile(r"missing required field `(\w+)`")


def _validation_error(request: Request, exc: ValidationException) -> Response:
    """A field Litestar could not decode is a 422 naming it; an unreadable body a 400."""
    errors: dict[str, str] = {}
    for entry in exc.extra if isinstance(exc.extra, list) else []:
        if not isinstance(entry, dict):
            continue
        key, message = str(entry.get("key") or ""), str(entry.get("message") or "")
        missing = _MISSING.search(message)
        if missing:
            name = missing.group(1)
            errors.setdefault(name, MISSING_MESSAGES.get(name, f"Enter {name}"))
        elif key and key != "data":
            errors.setdefault(key, FIELD_MESSAGES.get(key, f"{key}: {message}"))
    if errors:
        return Response(
            {"detail": INVALID_DETAIL, "errors": errors},
            status_code=422,
            media_type=MediaType.JSON,
        )
    return Response(
        {"detail": "The request body must be a JSON object"},
        status_code=HTTP_400_BAD_REQUEST,
        media_type=MediaType.JSON,
    )


def _refuse(errors: dict[str, str]) -> None:
    if errors:
        raise Invalid(dict(errors), INVALID_DETAIL)


def _fields(body: Struct) -> dict[str, Any]:
    """The keys sent, as the form parsers read them (dates as ISO text, no NULs)."""
    out: dict[str, Any] = {}
    for name in body.__struct_fields__:
        value = getattr(body, name)
        if value is UNSET:
            continue
        if isinstance(value, str):
            value = value.replace("\x00", "")
        elif isinstance(value, date):
            value = value.isoformat()
        out[name] = value
    return out


async def _finding(finding_id: int) -> Finding:
    return finding_from_row(await queries.finding_or_404(finding_id))


# ---------------------------------------------------------------- handlers


@get(
    "/initiatives/{initiative_id:int}/findings",
    name="api.findings",
    summary="An initiative's findings, newest first",
    tags=["Findings"],
    responses={**READ_RESPONSES, 422: INVALID},
)
async def list_findings(
    initiative_id: FromPath[int],
    kind: Annotated[FindingKind | None, QueryParameter()] = None,
    source: Annotated[FindingSource | None, QueryParameter()] = None,
    segment: Annotated[str | None, QueryParameter(max_length=SEGMENT_MAX)] = None,
) -> list[Finding]:
    await initiative_or_404(initiative_id)
    filters = FindingFilters(kind=kind or "", source=source or "", segment=segment or "")
    return [finding_from_row(r) for r in await queries.findings_of(initiative_id, filters)]


@post(
    "/initiatives/{initiative_id:int}/findings",
    name="api.finding_create",
    summary="Record a finding",
    tags=["Findings"],
    status_code=HTTP_201_CREATED,
    responses=FIELD_RESPONSES,
)
async def create_finding(initiative_id: FromPath[int], data: JSONBody[FindingCreate]) -> Finding:
    initiative = await initiative_or_404(initiative_id)
    fields = _fields(data)
    values, errors = parse_finding(fields)
    await pii.check(fields, FINDING_PII, initiative["agency"], errors, api=True)
    _refuse(errors)
    finding_id = await services.create_finding(initiative_id, values)
    return await _finding(finding_id)


@get(
    "/findings/{finding_id:int}",
    name="api.finding",
    summary="One finding",
    tags=["Findings"],
    responses=READ_RESPONSES,
)
async def get_finding(finding_id: FromPath[int]) -> Finding:
    return await _finding(finding_id)


@patch(
    "/findings/{finding_id:int}",
    name="api.finding_update",
    summary="Change some fields of a finding made from `version`",
    description="Only the keys sent change. A stale `version` changes nothing and "
    "answers 409 with the finding as it is now.",
    tags=["Findings"],
    responses={**FIELD_RESPONSES, 409: STALE},
)
async def update_finding(finding_id: FromPath[int], data: JSONBody[FindingPatch]) -> Finding:
    current = await queries.finding_or_404(finding_id)
    initiative = await initiative_or_404(current["initiative"])
    fields = _fields(data)
    version, version_errors = parse_version(fields.pop("version"))
    values, errors = parse_finding(fields, partial=True)
    await pii.check(fields, FINDING_PII, initiative["agency"], errors, api=True)
    _refuse({**version_errors, **errors})
    assert version is not None
    try:
        if not values and version != current["version"]:
            raise Conflict("Someone else saved this finding since that version.")
        if values:
            await services.update_finding(finding_id, version, values)
    except Conflict as exc:
        now = msgspec.to_builtins(await _finding(finding_id))
        raise Conflict(exc.message, current=now) from exc
    except Invalid as exc:
        raise Invalid(exc.errors, INVALID_DETAIL) from exc
    return await _finding(finding_id)


@get(
    "/initiatives/{initiative_id:int}/theory-of-change",
    name="api.theory",
    summary="The current version of an initiative's theory of change",
    description="404 when the initiative has no theory of change yet.",
    tags=["Theory of change"],
    responses=READ_RESPONSES,
)
async def get_theory(initiative_id: FromPath[int]) -> TheoryOfChange:
    await initiative_or_404(initiative_id)
    versions = await queries.theory_versions(initiative_id)
    if not versions:
        raise NotFound(f"Initiative {initiative_id} has no theory of change yet")
    theory = versions[0]
    content = await queries.theory_content(theory["id"])
    return TheoryOfChange(
        id=theory["id"],
        initiative_id=theory["initiative"],
        number=theory["number"],
        population=theory["population"],
        long_term_outcome=theory["long_term_outcome"],
        change_note=theory["change_note"],
        created_at=theory["created_at"],
        version=theory["version"],
        links=[
            CausalLink(
                id=link["id"],
                position=link["position"],
                condition=link["condition"],
                result=link["result"],
                lineage=link["lineage"],
                version=link["version"],
                finding_ids=[f["id"] for f in link["findings"]],
            )
            for link in content["links"]
        ],
        assumptions=[
            Assumption(position=position, text=a["text"])
            for position, a in enumerate(content["assumptions"], start=1)
        ],
        version_numbers=sorted(v["number"] for v in versions),
    )


route_handlers: list = [
    Router(
        path="/api",
        route_handlers=[list_findings, create_finding, get_finding, update_finding, get_theory],
        before_request=read_json_body,
        # CSRF for the API is checked by accounts.access.authorize (browser sessions
        # send the header; bearer-token scripts have no ambient credential).
        opt={"exclude_from_csrf": True},
        exception_handlers={ValidationException: _validation_error},
    )
]
