"""Typed request and response bodies of the JSON API (they shape the OpenAPI document).

Request structs check JSON types and limits as Litestar decodes the body;
the rules shared with HTML forms (required, trimmed text, ranges, references)
are then applied by `backend.scrum.forms`, so both interfaces refuse the same
input. Unknown keys in a body (`initiative_id`, `rank`...) are ignored.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal, get_args

import msgspec
from msgspec import UNSET, Meta, Struct, UnsetType

from backend.db import MAX_ID
from backend.scrum.forms import ESTIMATE_MAX, MARKDOWN_MAX, TITLE_MAX
from backend.scrum.services import RANK_ACTIONS
from backend.scrum.tables import ITEM_KINDS, SPRINT_STATES

# Row ids are 32-bit serials on PostgreSQL: a larger number cannot name a row,
# and sending one to the database would fail instead of saying "not found".
ASSIGNEE_MAX = 120

ItemKind = Literal["story", "task", "spike", "pdsa_test", "pip_activity", "impediment"]
SprintState = Literal["planned", "active", "closed"]
RankAction = Literal["top", "up", "down", "bottom", "above"]
assert set(get_args(ItemKind)) == set(ITEM_KINDS), "ItemKind must list ITEM_KINDS"
assert get_args(SprintState) == SPRINT_STATES, "SprintState must list SPRINT_STATES"
assert get_args(RankAction) == RANK_ACTIONS, "RankAction must list RANK_ACTIONS"

Id = Annotated[int, Meta(ge=1, le=MAX_ID, description="Id of an existing row")]
Title = Annotated[str, Meta(max_length=TITLE_MAX, description="Required; not blank")]
Markdown = Annotated[str, Meta(max_length=MARKDOWN_MAX, description="Markdown text")]
Estimate = Annotated[
    int, Meta(ge=0, le=ESTIMATE_MAX, description=f"Story points, 0 to {ESTIMATE_MAX}")
]
Assignee = Annotated[str, Meta(max_length=ASSIGNEE_MAX)]
Version = Annotated[
    int, Meta(ge=1, le=MAX_ID, description="The `version` of the item as you last read it")
]
# PII-01: text that looks like personal information is refused (422) unless confirmed.
PiiConfirmed = Annotated[
    bool,
    Meta(
        description="Send true to save text that looks like personal information "
        "(a phone number, an email address...) after checking that it is not"
    ),
]

# ---------------------------------------------------------------- requests


class ItemCreate(Struct, kw_only=True):
    title: Title
    kind: ItemKind = "story"
    narrative: Markdown = ""
    acceptance_criteria: Markdown = ""
    estimate: Estimate | None = None
    stage_id: Id | None = None
    sprint_id: Annotated[
        Id | None, Meta(description="A planned or active sprint of this initiative")
    ] = None
    column_id: Annotated[
        Id | None, Meta(description="Board column; the first column when left out")
    ] = None
    assignee_name: Assignee = ""
    at_top: Annotated[bool, Meta(description="Rank it first instead of last")] = False
    pii_confirmed: PiiConfirmed = False


class ItemPatch(Struct, kw_only=True):
    """Only the keys sent are changed; `null` clears estimate, stage or sprint."""

    version: Version
    title: Title | UnsetType = UNSET
    kind: ItemKind | UnsetType = UNSET
    narrative: Markdown | UnsetType = UNSET
    acceptance_criteria: Markdown | UnsetType = UNSET
    estimate: Estimate | None | UnsetType = UNSET
    stage_id: Id | None | UnsetType = UNSET
    sprint_id: Id | None | UnsetType = UNSET
    column_id: Id | UnsetType = UNSET
    assignee_name: Assignee | UnsetType = UNSET
    pii_confirmed: PiiConfirmed = False


class ItemMove(Struct, kw_only=True):
    column_id: Id
    version: Version | None = None


class ItemRank(Struct, kw_only=True):
    action: RankAction
    target_id: Annotated[Id | None, Meta(description="Required with `above`")] = None


class ItemSprint(Struct, kw_only=True):
    sprint_id: Annotated[
        Id | None, Meta(description="A planned or active sprint; null takes it out")
    ]


# Body fields named after the service's columns where the API says `<name>_id`.
API_TO_SERVICE = {"stage_id": "stage", "sprint_id": "sprint", "column_id": "status"}
SERVICE_TO_API = {
    **{service: api for api, service in API_TO_SERVICE.items()},
    "target": "target_id",
}


def sent_fields(body: Struct) -> dict[str, Any]:
    """The fields present in a body, keyed by the services' names.

    NUL characters are dropped from text: PostgreSQL refuses them in text
    columns, which would turn a harmless character into a server error.
    """
    fields = {}
    for name in body.__struct_fields__:
        value = getattr(body, name)
        if value is UNSET:
            continue
        if isinstance(value, str):
            value = value.replace("\x00", "")
        fields[API_TO_SERVICE.get(name, name)] = value
    return fields


def api_errors(errors: dict[str, str]) -> dict[str, str]:
    """Field errors keyed by the API's names."""
    return {SERVICE_TO_API.get(k, k): v for k, v in errors.items()}


# Messages when the decoder refuses a field (wrong JSON type, too long, out
# of range), in the same words the HTML forms use.
FIELD_MESSAGES = {
    "title": f"Title must be text of {TITLE_MAX} characters or fewer",
    "kind": "Choose kind from the list: " + ", ".join(ITEM_KINDS),
    "narrative": f"Narrative must be text of {MARKDOWN_MAX:,} characters or fewer",
    "acceptance_criteria": (
        f"Acceptance criteria must be text of {MARKDOWN_MAX:,} characters or fewer"
    ),
    "estimate": f"Estimate must be a whole number from 0 to {ESTIMATE_MAX}, or null",
    "stage_id": "C&I stage must be the id of a stage, or null",
    "sprint_id": "Sprint must be the id of a sprint, or null",
    "column_id": "Status must be the id of a board column",
    "assignee_name": f"Assignee must be text of {ASSIGNEE_MAX} characters or fewer",
    "at_top": "At top must be true or false",
    "pii_confirmed": "pii_confirmed must be true or false",
    "version": "Version must be the whole number you last read",
    "action": "Choose top, up, down, bottom or above",
    "target_id": "Target must be the id of another item",
    "limit": "Limit must be a whole number from 1 to 200",
    "offset": "Offset must be a whole number, 0 or more",
}
MISSING_MESSAGES = {
    "title": "Enter title",
    "version": "Enter version: the version of the item you last read",
    "column_id": "Choose a board column",
    "action": "Choose top, up, down, bottom or above",
    "sprint_id": "Give a sprint id, or null to take the item out of its sprint",
}


# ---------------------------------------------------------------- responses


class ErrorBody(Struct):
    detail: str


class ValidationErrorBody(Struct):
    detail: str
    errors: dict[str, str] = msgspec.field(default_factory=dict)


class Initiative(Struct):
    id: int
    agency_id: int
    agency_name: str
    title: str
    problem_area: str
    product_goal: str
    current_stage_id: int | None
    current_stage_name: str | None
    start_date: date | None
    end_date: date | None
    version: int


class Sprint(Struct):
    id: int
    initiative_id: int
    number: int
    state: SprintState
    goal: str
    start_date: date
    end_date: date
    capacity: int | None
    release_id: int | None
    started_at: datetime | None
    closed_at: datetime | None
    committed_points: int | None
    completed_points: int | None
    planning_notes: str
    review_notes: str
    retrospective_notes: str
    version: int


class Item(Struct):
    id: int
    initiative_id: int
    kind: ItemKind
    title: str
    narrative: str
    acceptance_criteria: str
    estimate: int | None
    rank: int
    column_id: int
    is_done: bool
    stage_id: int | None
    sprint_id: int | None
    assignee_name: str
    version: int
    created_at: datetime
    updated_at: datetime
    done_at: datetime | None


class ItemPage(Struct):
    """One page of an initiative's items in rank order."""

    items: list[Item]
    total: int
    limit: int
    offset: int


class ConflictBody(Struct):
    detail: str
    current: Item


def initiative_from_row(row: dict[str, Any]) -> Initiative:
    return Initiative(
        id=row["id"],
        agency_id=row["agency"],
        agency_name=row["agency_name"],
        title=row["title"],
        problem_area=row["problem_area"],
        product_goal=row["product_goal"],
        current_stage_id=row["current_stage"],
        current_stage_name=row["stage_name"],
        start_date=row["start_date"],
        end_date=row["end_date"],
        version=row["version"],
    )


def sprint_from_row(row: dict[str, Any]) -> Sprint:
    return Sprint(
        id=row["id"],
        initiative_id=row["initiative"],
        number=row["number"],
        state=row["state"],
        goal=row["goal"],
        start_date=row["start_date"],
        end_date=row["end_date"],
        capacity=row["capacity"],
        release_id=row["release"],
        started_at=row["started_at"],
        closed_at=row["closed_at"],
        committed_points=row["committed_points"],
        completed_points=row["completed_points"],
        planning_notes=row["planning_notes"],
        review_notes=row["review_notes"],
        retrospective_notes=row["retrospective_notes"],
        version=row["version"],
    )


def item_from_row(row: dict[str, Any]) -> Item:
    return Item(
        id=row["id"],
        initiative_id=row["initiative"],
        kind=row["kind"],
        title=row["title"],
        narrative=row["narrative"],
        acceptance_criteria=row["acceptance_criteria"],
        estimate=row["estimate"],
        rank=row["rank"],
        column_id=row["status"],
        is_done=bool(row["is_done"]),
        stage_id=row["stage"],
        sprint_id=row["sprint"],
        assignee_name=row["assignee_name"],
        version=row["version"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        done_at=row["done_at"],
    )
