"""The JSON API under /api/: initiatives, sprints and backlog items.

Every write goes through `backend.scrum.services` after the body passes the
same rules as the HTML forms (`backend.scrum.forms`). Errors are JSON:
400 unreadable body, 404 unknown id in the path, 409 stale version,
422 invalid field (with a message per field).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Router, get, patch, post
from litestar.exceptions import ValidationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from backend.api import schemas
from backend.api.errors import read_json_body, validation_error_handler
from backend.api.schemas import (
    MAX_ID,
    ConflictBody,
    ErrorBody,
    Item,
    ItemCreate,
    ItemKind,
    ItemMove,
    ItemPage,
    ItemPatch,
    ItemRank,
    ItemSprint,
    ValidationErrorBody,
    api_errors,
    sent_fields,
)
from backend.errors import Conflict, Invalid, NotFound
from backend.initiatives.tables import CIStage, Initiative
from backend.scrum import services
from backend.scrum.forms import parse_item
from backend.scrum.tables import BacklogItem, Sprint
from backend.web import pii
from backend.web.forms import parse_version

PAGE_DEFAULT = 50
PAGE_MAX = 200
INVALID_DETAIL = "Check the fields listed in errors"
# PII-01: the item's free text, scanned before it is saved (same as the story form).
PII_FIELDS = {
    "title": "Title",
    "narrative": "Narrative",
    "acceptance_criteria": "Acceptance criteria",
}


def _spec(body: type, description: str) -> ResponseSpec:
    return ResponseSpec(body, generate_examples=False, description=description)


# Every error body the API sends; these replace Litestar's generic 400 schema.
BAD_REQUEST = _spec(ErrorBody, "The request or its body could not be read as JSON")
NOT_FOUND = _spec(ErrorBody, "No such id in the path")
INVALID = _spec(ValidationErrorBody, "Invalid fields, one message each in `errors`")
STALE = _spec(ConflictBody, "Changed by someone else: `current` is the item as saved now")
READ_RESPONSES: dict[int, ResponseSpec] = {400: BAD_REQUEST, 404: NOT_FOUND}
FIELD_RESPONSES: dict[int, ResponseSpec] = {**READ_RESPONSES, 422: INVALID}

ITEM_FIELDS = (*services.ITEM_COLUMNS, BacklogItem.status.is_done.as_alias("is_done"))
INITIATIVE_FIELDS = (
    Initiative.id,
    Initiative.agency,
    Initiative.agency.name.as_alias("agency_name"),
    Initiative.title,
    Initiative.problem_area,
    Initiative.product_goal,
    Initiative.current_stage,
    Initiative.current_stage.name.as_alias("stage_name"),
    Initiative.start_date,
    Initiative.end_date,
    Initiative.version,
)


# ---------------------------------------------------------------- reads


def _check_id(value: int, what: str) -> None:
    """Ids no row can have are unknown, not a database error."""
    if not 1 <= value <= MAX_ID:
        raise NotFound(f"{what} {value} was not found")


async def _initiative_row(initiative_id: int) -> dict[str, Any]:
    _check_id(initiative_id, "Initiative")
    rows = await Initiative.select(*INITIATIVE_FIELDS).where(Initiative.id == initiative_id)
    if not rows:
        raise NotFound(f"Initiative {initiative_id} was not found")
    return rows[0]


async def _item(item_id: int) -> Item:
    _check_id(item_id, "Backlog item")
    rows = await BacklogItem.select(*ITEM_FIELDS).where(BacklogItem.id == item_id)
    if not rows:
        raise NotFound(f"Backlog item #{item_id} was not found")
    return schemas.item_from_row(rows[0])


async def _sprint(sprint_id: int) -> schemas.Sprint:
    _check_id(sprint_id, "Sprint")
    rows = await Sprint.select().where(Sprint.id == sprint_id)
    if not rows:
        raise NotFound(f"Sprint {sprint_id} was not found")
    return schemas.sprint_from_row(rows[0])


async def _check_filters(
    initiative: dict[str, Any], stage_id: int | None, sprint_id: int | None
) -> None:
    """Filter ids must name a stage of this agency and a sprint of this initiative."""
    errors: dict[str, str] = {}
    if stage_id is not None and not await CIStage.exists().where(
        (CIStage.id == stage_id) & (CIStage.agency == initiative["agency"])
    ):
        errors["stage_id"] = "Choose a C&I stage of this initiative's agency"
    if sprint_id is not None and not await Sprint.exists().where(
        (Sprint.id == sprint_id) & (Sprint.initiative == initiative["id"])
    ):
        errors["sprint_id"] = "Choose a sprint of this initiative"
    if errors:
        raise Invalid(errors, INVALID_DETAIL)


# ---------------------------------------------------------------- writes


async def _case_number_shapes(initiative_id: int) -> str:
    """The case-number shapes of the initiative's agency (PII-01)."""
    rows = await Initiative.select(Initiative.agency.case_number_patterns.as_alias("shapes")).where(
        Initiative.id == initiative_id
    )
    return rows[0]["shapes"] if rows else ""


def _refuse(errors: dict[str, str]) -> None:
    if errors:
        raise Invalid(api_errors(errors), INVALID_DETAIL)


@asynccontextmanager
async def _in_api_words(item_id: int | None = None) -> AsyncIterator[None]:
    """Re-raise the services' errors in the API's words.

    Field names become `<name>_id`, and a conflict carries the item as the
    API shows it (the services attach their internal row).
    """
    try:
        yield
    except Invalid as exc:
        raise Invalid(api_errors(exc.errors), INVALID_DETAIL) from exc
    except Conflict as exc:
        if item_id is None:
            raise
        current = await _item(item_id)
        raise Conflict(exc.message, current=msgspec.to_builtins(current)) from exc


# ---------------------------------------------------------------- controllers


class InitiativeController(Controller):
    path = "/initiatives"
    tags = ["Initiatives"]

    @get("/", name="api.initiatives", summary="List initiatives")
    async def list_initiatives(self, request: Request) -> list[schemas.Initiative]:
        """Only the initiatives of agencies the caller belongs to or supports."""
        agency_ids = request.state.access.agency_ids or [-1]  # IN () is not valid SQL
        rows = await (
            Initiative.select(*INITIATIVE_FIELDS)
            .where(Initiative.agency.is_in(agency_ids))
            .order_by(Initiative.title)
        )
        return [schemas.initiative_from_row(r) for r in rows]

    @get(
        "/{initiative_id:int}",
        name="api.initiative",
        summary="One initiative",
        responses=READ_RESPONSES,
    )
    async def get_initiative(self, initiative_id: FromPath[int]) -> schemas.Initiative:
        return schemas.initiative_from_row(await _initiative_row(initiative_id))

    @get(
        "/{initiative_id:int}/sprints",
        name="api.initiative_sprints",
        summary="An initiative's sprints, by number",
        tags=["Sprints"],
        responses=READ_RESPONSES,
    )
    async def list_sprints(self, initiative_id: FromPath[int]) -> list[schemas.Sprint]:
        await _initiative_row(initiative_id)
        rows = await (
            Sprint.select()
            .where(Sprint.initiative == initiative_id)
            .order_by(Sprint.number)
            .order_by(Sprint.id)
        )
        return [schemas.sprint_from_row(r) for r in rows]

    @get(
        "/{initiative_id:int}/items",
        name="api.items",
        summary="An initiative's backlog items in rank order, one page at a time",
        tags=["Items"],
        responses=FIELD_RESPONSES,
    )
    async def list_items(
        self,
        initiative_id: FromPath[int],
        limit: Annotated[int, QueryParameter(ge=1, le=PAGE_MAX)] = PAGE_DEFAULT,
        offset: Annotated[int, QueryParameter(ge=0, le=MAX_ID)] = 0,
        stage_id: Annotated[int | None, QueryParameter(ge=1, le=MAX_ID)] = None,
        sprint_id: Annotated[int | None, QueryParameter(ge=1, le=MAX_ID)] = None,
        kind: Annotated[ItemKind | None, QueryParameter()] = None,
    ) -> ItemPage:
        initiative = await _initiative_row(initiative_id)
        await _check_filters(initiative, stage_id, sprint_id)
        where = BacklogItem.initiative == initiative_id
        if stage_id is not None:
            where &= BacklogItem.stage == stage_id
        if sprint_id is not None:
            where &= BacklogItem.sprint == sprint_id
        if kind is not None:
            where &= BacklogItem.kind == kind
        total = await BacklogItem.count().where(where)
        rows = await (
            BacklogItem.select(*ITEM_FIELDS)
            .where(where)
            .order_by(BacklogItem.rank)
            .order_by(BacklogItem.id)
            .limit(limit)
            .offset(offset)
        )
        return ItemPage(
            items=[schemas.item_from_row(r) for r in rows],
            total=total,
            limit=limit,
            offset=offset,
        )

    @post(
        "/{initiative_id:int}/items",
        name="api.item_create",
        summary="Create a backlog item (last in rank, or first with at_top)",
        tags=["Items"],
        status_code=HTTP_201_CREATED,
        responses=FIELD_RESPONSES,
    )
    async def create_item(self, initiative_id: FromPath[int], data: JSONBody[ItemCreate]) -> Item:
        initiative = await _initiative_row(initiative_id)
        fields = sent_fields(data)
        at_top = fields.pop("at_top")
        confirmed = fields.pop("pii_confirmed")
        values, errors = parse_item(fields)
        await pii.check(
            {**values, "pii_confirmed": confirmed},
            PII_FIELDS,
            initiative["agency"],
            errors,
            api=True,
        )
        _refuse(errors)
        async with _in_api_words():
            item_id = await services.create_item(initiative_id, values, at_top=at_top)
        return await _item(item_id)


class SprintController(Controller):
    path = "/sprints"
    tags = ["Sprints"]

    @get("/{sprint_id:int}", name="api.sprint", summary="One sprint", responses=READ_RESPONSES)
    async def get_sprint(self, sprint_id: FromPath[int]) -> schemas.Sprint:
        return await _sprint(sprint_id)


class ItemController(Controller):
    path = "/items"
    tags = ["Items"]

    @get("/{item_id:int}", name="api.item", summary="One backlog item", responses=READ_RESPONSES)
    async def get_item(self, item_id: FromPath[int]) -> Item:
        return await _item(item_id)

    @patch(
        "/{item_id:int}",
        name="api.item_update",
        summary="Change some fields of an item made from `version`",
        description="Only the keys sent change. A stale `version` changes nothing and "
        "answers 409 with the item as it is now.",
        responses={**FIELD_RESPONSES, 409: STALE},
    )
    async def update_item(self, item_id: FromPath[int], data: JSONBody[ItemPatch]) -> Item:
        current = await _item(item_id)
        fields = sent_fields(data)
        version, version_errors = parse_version(fields.pop("version"))
        confirmed = fields.pop("pii_confirmed")
        values, errors = parse_item(fields, partial=True)
        pii.check_loaded(
            {**values, "pii_confirmed": confirmed},
            PII_FIELDS,
            await _case_number_shapes(current.initiative_id) if values.keys() & PII_FIELDS else "",
            errors,
            api=True,
        )
        _refuse({**version_errors, **errors})
        assert version is not None
        if not values:
            # Nothing to change: still tell a stale client that it is stale.
            if version != current.version:
                raise Conflict(
                    "Someone else saved this item since that version.",
                    current=msgspec.to_builtins(current),
                )
            return current
        async with _in_api_words(item_id):
            await services.update_item(item_id, version, values)
        return await _item(item_id)

    @post(
        "/{item_id:int}/move",
        name="api.item_move",
        summary="Move an item to a column of its initiative's board",
        status_code=HTTP_200_OK,
        responses={**FIELD_RESPONSES, 409: STALE},
    )
    async def move_item(self, item_id: FromPath[int], data: JSONBody[ItemMove]) -> Item:
        await _item(item_id)
        async with _in_api_words(item_id):
            await services.move_item(item_id, data.column_id, expected_version=data.version)
        return await _item(item_id)

    @post(
        "/{item_id:int}/rank",
        name="api.item_rank",
        summary="Move an item up, down, to the top or bottom, or above another item",
        status_code=HTTP_200_OK,
        responses=FIELD_RESPONSES,
    )
    async def rank_item(self, item_id: FromPath[int], data: JSONBody[ItemRank]) -> Item:
        await _item(item_id)
        if data.action == "above" and data.target_id is None:
            _refuse({"target_id": "Give the id of the item to rank above"})
        async with _in_api_words(item_id):
            await services.rank_item(item_id, data.action, data.target_id)
        return await _item(item_id)

    @post(
        "/{item_id:int}/sprint",
        name="api.item_sprint",
        summary="Put an item into a planned or active sprint, or take it out (null)",
        status_code=HTTP_200_OK,
        responses={**FIELD_RESPONSES, 409: STALE},
    )
    async def set_sprint(self, item_id: FromPath[int], data: JSONBody[ItemSprint]) -> Item:
        item = await _item(item_id)
        if item.sprint_id == data.sprint_id:
            return item
        async with _in_api_words(item_id):
            changed = await services.assign_sprint(item.initiative_id, [item_id], data.sprint_id)
        if not changed:
            # assign_sprint leaves items of a closed sprint where they are.
            raise Conflict(
                "This item belongs to a closed sprint, which is history; it stays there.",
                current=msgspec.to_builtins(item),
            )
        return await _item(item_id)


route_handlers: list = [
    Router(
        path="/api",
        route_handlers=[InitiativeController, SprintController, ItemController],
        before_request=read_json_body,
        # CSRF for the API is checked by accounts.access.authorize: browser sessions
        # must send the header, bearer-token scripts have no ambient credential.
        opt={"exclude_from_csrf": True},
        exception_handlers={ValidationException: validation_error_handler},
    )
]
