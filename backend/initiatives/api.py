"""The JSON API of the C&I stage map: stages with status, key tasks and gate
decisions; readiness assessments; ticking a key task and keeping its evidence.

Same rules as the pages (backend/initiatives/progress_forms.py) and the same
conventions as backend/api/controllers.py: 404 unknown id, 409 stale version,
422 a message per field, CSRF header for browser sessions (checked by the
access guard).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal, get_args

import msgspec
from litestar import Controller, Request, Router, get, post
from litestar.exceptions import ValidationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK
from msgspec import UNSET, Meta, Struct, UnsetType

from backend.api.controllers import FIELD_RESPONSES, INVALID_DETAIL, READ_RESPONSES
from backend.api.errors import read_json_body, validation_error_handler
from backend.api.schemas import MAX_ID
from backend.errors import Conflict, Invalid
from backend.initiatives import progress_queries as queries
from backend.initiatives import progress_services as services
from backend.initiatives.progress_forms import EVIDENCE_URL_MAX, NOTE_MAX, parse_task_update
from backend.initiatives.queries import initiative_or_404
from backend.initiatives.tables import GATE_DECISIONS, STAGE_STATUSES
from backend.web import pii

StageStatus = Literal["not_started", "active", "done", "revisiting"]
Decision = Literal["advance", "hold", "revisit"]
assert set(get_args(StageStatus)) == set(STAGE_STATUSES), "StageStatus must list STAGE_STATUSES"
assert set(get_args(Decision)) == set(GATE_DECISIONS), "Decision must list GATE_DECISIONS"

# ---------------------------------------------------------------- bodies


class StageTaskPatch(Struct, kw_only=True):
    """Only the keys sent change."""

    version: (
        Annotated[
            int,
            Meta(
                ge=1,
                le=MAX_ID,
                description="The `version` of the task as you last read it: required "
                "with an evidence change, optional when only `done` is sent",
            ),
        ]
        | UnsetType
    ) = UNSET
    done: bool | UnsetType = UNSET
    evidence_url: (
        Annotated[
            str, Meta(max_length=EVIDENCE_URL_MAX, description="An http(s) address, or empty")
        ]
        | UnsetType
    ) = UNSET
    evidence_note: Annotated[str, Meta(max_length=NOTE_MAX, description="Markdown")] | (
        UnsetType
    ) = UNSET
    pii_confirmed: Annotated[
        bool,
        Meta(description="The note was flagged as personal information and is not: save it"),
    ] = False


class SignOff(Struct):
    id: int
    signed_by_id: int | None
    signed_by_name: str | None
    signed_at: datetime
    comment: str


class GateDecision(Struct):
    id: int
    decision: Decision
    label: str
    notes: str
    decided_by_id: int | None
    decided_by_name: str | None
    decided_at: datetime
    sign_offs: list[SignOff]


class StageTask(Struct):
    id: Annotated[int | None, Meta(description="None: a default task of a stage not started")]
    position: int
    title: str
    done: bool
    evidence_url: str
    evidence_note: str
    done_at: datetime | None
    version: int


class Stage(Struct):
    id: int
    position: int
    name: str
    short_name: str
    cross_cutting: bool
    is_current: bool
    status: StageStatus
    started_on: date | None
    done_on: date | None
    version: int
    tasks_done: int
    tasks_total: int
    tasks: list[StageTask]
    decisions: list[GateDecision]


class StageMap(Struct):
    initiative_id: int
    current_stage_id: int | None
    stages: list[Stage]


class Assessment(Struct):
    id: int
    assessed_on: date
    motivation: int
    motivation_notes: str
    general_capacity: int
    general_capacity_notes: str
    specific_capacity: int
    specific_capacity_notes: str
    assessed_by_id: int | None
    assessed_by_name: str | None


class Readiness(Struct):
    initiative_id: int
    assessments: list[Assessment]


class SavedTask(Struct):
    id: int
    initiative_id: int
    stage_id: int
    position: int
    title: str
    done: bool
    evidence_url: str
    evidence_note: str
    done_at: datetime | None
    version: int


class StageTaskConflictBody(Struct):
    detail: str
    current: SavedTask


STALE_TASK = ResponseSpec(
    StageTaskConflictBody,
    generate_examples=False,
    description="Changed by someone else: `current` is the task as saved now",
)


# ---------------------------------------------------------------- rows to bodies


def _task_values(row: dict[str, Any]) -> dict[str, Any]:
    """What the stage map and a saved task both say about a task."""
    return {
        "id": row["id"],
        "position": row["position"],
        "title": row["title"],
        "done": bool(row["done"]),
        "evidence_url": row["evidence_url"],
        "evidence_note": row["evidence_note"],
        "done_at": row["done_at"],
        "version": row["version"],
    }


def _task(row: dict[str, Any]) -> StageTask:
    return StageTask(**_task_values(row))


def _decision(row: dict[str, Any]) -> GateDecision:
    return GateDecision(
        id=row["id"],
        decision=row["decision"],
        label=row["label"],
        notes=row["notes"],
        decided_by_id=row["decided_by"],
        decided_by_name=row["decided_by_name"],
        decided_at=row["decided_at"],
        sign_offs=[
            SignOff(
                id=s["id"],
                signed_by_id=s["signed_by"],
                signed_by_name=s["signed_by_name"],
                signed_at=s["signed_at"],
                comment=s["comment"],
            )
            for s in row["sign_offs"]
        ],
    )


def _stage(row: dict[str, Any]) -> Stage:
    progress = row["progress"]
    return Stage(
        id=row["id"],
        position=row["position"],
        name=row["name"],
        short_name=row["short_name"],
        cross_cutting=bool(row["cross_cutting"]),
        is_current=row["is_current"],
        status=row["status"],
        started_on=progress["started_on"],
        done_on=progress["done_on"],
        version=progress["version"],
        tasks_done=row["tasks_done"],
        tasks_total=row["tasks_total"],
        tasks=[_task(t) for t in row["tasks"]],
        decisions=[_decision(d) for d in row["decisions"]],
    )


def _assessment(row: dict[str, Any]) -> Assessment:
    return Assessment(
        id=row["id"],
        assessed_on=row["assessed_on"],
        motivation=row["motivation"],
        motivation_notes=row["motivation_notes"],
        general_capacity=row["general_capacity"],
        general_capacity_notes=row["general_capacity_notes"],
        specific_capacity=row["specific_capacity"],
        specific_capacity_notes=row["specific_capacity_notes"],
        assessed_by_id=row["assessed_by"],
        assessed_by_name=row["assessed_by_name"],
    )


async def _saved_task(task_id: int) -> SavedTask:
    row = await queries.task_or_404(task_id)
    return SavedTask(initiative_id=row["initiative"], stage_id=row["stage"], **_task_values(row))


# ---------------------------------------------------------------- controllers


class StageMapController(Controller):
    path = "/initiatives"
    tags = ["C&I stages"]

    @get(
        "/{initiative_id:int}/stage-map",
        name="api.stage_map",
        summary="The initiative's C&I stages in order, with status, key tasks and gate decisions",
        description="A stage nobody has worked on yet reads as not started, with its "
        "default key tasks (id null) and version 1.",
        responses=READ_RESPONSES,
    )
    async def stage_map(self, initiative_id: FromPath[int]) -> StageMap:
        initiative = await initiative_or_404(initiative_id)
        stages = await queries.stage_map_in_full(initiative)
        return StageMap(
            initiative_id=initiative["id"],
            current_stage_id=initiative["current_stage"],
            stages=[_stage(s) for s in stages],
        )

    @get(
        "/{initiative_id:int}/readiness",
        name="api.readiness",
        summary="The initiative's readiness assessments, oldest first",
        tags=["Readiness"],
        responses=READ_RESPONSES,
    )
    async def readiness(self, initiative_id: FromPath[int]) -> Readiness:
        initiative = await initiative_or_404(initiative_id)
        rows = await queries.assessments(initiative["id"])
        return Readiness(initiative_id=initiative["id"], assessments=[_assessment(r) for r in rows])


class StageTaskController(Controller):
    path = "/stage-tasks"
    tags = ["C&I stages"]

    @post(
        "/{task_id:int}",
        name="api.stage_task_update",
        summary="Tick a key task done or not, and keep its evidence",
        description="Only the keys sent change. An evidence change needs the task's "
        "`version`; ticking `done` alone may send it too. A stale `version` changes "
        "nothing and answers 409 with the task as it is now. The evidence link must be "
        "an http(s) address; a note that looks like personal information is refused "
        "(422) unless `pii_confirmed` is true.",
        status_code=HTTP_200_OK,
        responses={**FIELD_RESPONSES, 409: STALE_TASK},
    )
    async def update_task(
        self, request: Request, task_id: FromPath[int], data: JSONBody[StageTaskPatch]
    ) -> SavedTask:
        task = await queries.task_or_404(task_id)
        fields: dict[str, Any] = {}
        for name in ("done", "evidence_url", "evidence_note"):
            value = getattr(data, name)
            if value is not UNSET:
                # PostgreSQL text columns cannot hold NUL characters.
                fields[name] = value.replace("\x00", "") if isinstance(value, str) else value
        values, errors = parse_task_update(fields, partial=True)
        evidence = fields.keys() & {"evidence_url", "evidence_note"}
        version = None if data.version is UNSET else data.version
        if evidence and version is None:
            # DATA-01: evidence saved over someone else's without knowing it is lost.
            errors.add("version", "Send the task's `version` with an evidence change")
        if "evidence_note" in fields:
            checked = {**fields, "pii_confirmed": data.pii_confirmed}
            initiative = await initiative_or_404(task["initiative"])
            await pii.check(
                checked, {"evidence_note": "Evidence note"}, initiative["agency"], errors, api=True
            )
        if errors:
            raise Invalid(dict(errors), INVALID_DETAIL)
        try:
            await services.update_task(task_id, version, values)
        except Conflict as exc:
            current = msgspec.to_builtins(await _saved_task(task_id))
            raise Conflict(exc.message, current=current) from exc
        return await _saved_task(task_id)


route_handlers: list = [
    Router(
        path="/api",
        route_handlers=[StageMapController, StageTaskController],
        before_request=read_json_body,
        # As in backend/api/controllers.py: the access guard checks CSRF for
        # browser sessions; bearer-token scripts carry no ambient credential.
        opt={"exclude_from_csrf": True},
        exception_handlers={ValidationException: validation_error_handler},
    )
]
