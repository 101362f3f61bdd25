"""The JSON API for traceability: an item's links (read and replace) and an
initiative's gaps. Same rules and permissions as the pages; errors as in
backend/api/controllers.py (404 unknown path id, 422 ids outside the initiative).
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Router, get, put
from litestar.exceptions import ValidationException
from litestar.params import FromPath, JSONBody
from msgspec import UNSET, Meta, Struct, UnsetType

from backend.api.controllers import FIELD_RESPONSES, INVALID_DETAIL, READ_RESPONSES
from backend.api.errors import read_json_body, validation_error_handler
from backend.api.schemas import Id
from backend.cfsr import services as cfsr
from backend.db import MAX_ID, possible_id
from backend.errors import Invalid, NotFound
from backend.initiatives.tables import Initiative
from backend.scrum.tables import BacklogItem
from backend.traceability import queries, services, story

IdList = Annotated[
    list[Id],
    Meta(max_length=services.LINKS_MAX, description="Ids of rows of the item's initiative"),
]
# Numbers past 36 reach the service, which names them in its message.
CfsrNumber = Annotated[int, Meta(ge=1, le=MAX_ID, description="A CFSR item number, 1 to 36")]
CfsrNumbers = Annotated[
    list[CfsrNumber],
    Meta(max_length=cfsr.NUMBERS_MAX, description="CFSR item numbers (1 to 36)"),
]

# ---------------------------------------------------------------- bodies


class ItemLinksUpdate(Struct, kw_only=True):
    """The whole set of links: anything not listed is unlinked. `cfsr_items` may be
    left out, and then the item's CFSR links stay as they are."""

    findings: IdList
    components: IdList
    causal_links: IdList
    cfsr_items: CfsrNumbers | UnsetType = UNSET


class LinkedFinding(Struct):
    id: int
    kind: str
    label: str


class LinkedComponent(Struct):
    id: int
    name: str
    label: str
    profile_id: int
    profile_number: int
    intervention_id: int
    lineage: str
    latest: bool


class LinkedCausalLink(Struct):
    id: int
    label: str
    theory_id: int
    theory_number: int
    lineage: str
    current: bool


class ItemLinks(Struct):
    item_id: int
    findings: list[LinkedFinding]
    components: list[LinkedComponent]
    causal_links: list[LinkedCausalLink]
    cfsr_items: Annotated[list[int], Meta(description="The CFSR item numbers it works toward")]
    flagged: Annotated[
        bool, Meta(description="A story at stage 4 or later with no finding and no component")
    ]


class StoryRef(Struct):
    id: int
    kind: str
    title: str
    status: str
    is_done: bool


class ComponentStories(Struct):
    component_id: int
    name: str
    profile_id: int
    profile_number: int
    intervention_id: int
    lineage: str
    stories: list[StoryRef]


class FindingRef(Struct):
    id: int
    kind: str
    label: str
    segment: str


class UnlinkedStory(Struct):
    id: int
    title: str
    stage_position: int
    status: str
    is_done: bool


class TraceabilitySummary(Struct):
    components: int
    components_with_stories: int
    unused_findings: int
    unlinked_stories: Annotated[int | None, Meta(description="null while the rule is off")]


class Traceability(Struct):
    initiative_id: int
    rule_on: bool
    summary: TraceabilitySummary
    components: list[ComponentStories]
    unused_findings: list[FindingRef]
    unlinked_stories: list[UnlinkedStory]


# ---------------------------------------------------------------- reads


async def _item(item_id: int) -> dict[str, Any]:
    if not possible_id(item_id):
        raise NotFound(f"Backlog item #{item_id} was not found")
    rows = await BacklogItem.select(
        BacklogItem.id,
        BacklogItem.initiative,
        BacklogItem.kind,
        BacklogItem.stage.position.as_alias("stage_position"),
        BacklogItem.initiative.trace_rule.as_alias("trace_rule"),
    ).where(BacklogItem.id == item_id)
    if not rows:
        raise NotFound(f"Backlog item #{item_id} was not found")
    return rows[0]


async def _links(request: Request, item: dict[str, Any]) -> ItemLinks:
    links = await story.links_of(request.app, item)
    linked = story.linked(links)
    return ItemLinks(
        item_id=item["id"],
        findings=[LinkedFinding(r["id"], r["kind"], r["label"]) for r in linked["findings"]],
        components=[
            LinkedComponent(
                r["id"],
                r["name"],
                r["label"],
                r["profile"],
                r["profile_number"],
                r["intervention_id"],
                r["lineage"],
                r["latest"],
            )
            for r in linked["components"]
        ],
        causal_links=[
            LinkedCausalLink(
                r["id"], r["label"], r["theory"], r["theory_number"], r["lineage"], r["current"]
            )
            for r in linked["causal_links"]
        ],
        cfsr_items=sorted(links["saved"][queries.CFSR_ITEMS]),
        flagged=story.is_flagged(item, item["trace_rule"], links["saved"]),
    )


class ItemLinksController(Controller):
    path = "/items"
    tags = ["Traceability"]

    @get(
        "/{item_id:int}/links",
        name="api.item_links",
        summary="The findings, core components, causal links and CFSR items an item acts on",
        responses=READ_RESPONSES,
    )
    async def get_links(self, request: Request, item_id: FromPath[int]) -> ItemLinks:
        return await _links(request, await _item(item_id))

    @put(
        "/{item_id:int}/links",
        name="api.item_links_update",
        summary="Replace an item's links with exactly these ids",
        description="Ids must name rows of the item's own initiative and `cfsr_items` "
        "CFSR item numbers (1 to 36); anything else answers 422 and nothing changes. "
        "Leaving `cfsr_items` out keeps the item's CFSR links. Sending the same set "
        "twice changes nothing.",
        responses=FIELD_RESPONSES,
    )
    async def put_links(
        self, request: Request, item_id: FromPath[int], data: JSONBody[ItemLinksUpdate]
    ) -> ItemLinks:
        item = await _item(item_id)
        try:
            await services.replace_links(
                item_id,
                {
                    "findings": data.findings,
                    "components": data.components,
                    "causal_links": data.causal_links,
                    queries.CFSR_ITEMS: None if data.cfsr_items is UNSET else data.cfsr_items,
                },
            )
        except Invalid as exc:
            raise Invalid(exc.errors, INVALID_DETAIL) from exc
        return await _links(request, item)


class TraceabilityController(Controller):
    path = "/initiatives"
    tags = ["Traceability"]

    @get(
        "/{initiative_id:int}/traceability",
        name="api.traceability",
        summary="Components without stories, unused findings and untraced stories",
        responses=READ_RESPONSES,
    )
    async def get_traceability(self, initiative_id: FromPath[int]) -> Traceability:
        if not possible_id(initiative_id):
            raise NotFound(f"Initiative {initiative_id} was not found")
        rows = await Initiative.select(Initiative.id, Initiative.trace_rule).where(
            Initiative.id == initiative_id
        )
        if not rows:
            raise NotFound(f"Initiative {initiative_id} was not found")
        found = await queries.gaps(rows[0])
        summary = found["summary"]
        return Traceability(
            initiative_id=initiative_id,
            rule_on=found["rule_on"],
            summary=TraceabilitySummary(
                summary["components"],
                summary["components_with_stories"],
                summary["unused_findings"],
                summary["unlinked_stories"],
            ),
            components=[
                ComponentStories(
                    c["id"],
                    c["name"],
                    c["profile"],
                    c["profile_number"],
                    c["intervention_id"],
                    c["lineage"],
                    [
                        StoryRef(s["id"], s["kind"], s["title"], s["status_name"], s["is_done"])
                        for s in c["stories"]
                    ],
                )
                for c in found["components"]
            ],
            unused_findings=[
                FindingRef(f["id"], f["kind"], f["label"], f["segment"])
                for f in found["unused_findings"]
            ],
            unlinked_stories=[
                UnlinkedStory(
                    s["id"], s["title"], s["stage_position"], s["status_name"], s["is_done"]
                )
                for s in found["unlinked_stories"]
            ],
        )


route_handlers: list = [
    Router(
        path="/api",
        route_handlers=[ItemLinksController, TraceabilityController],
        before_request=read_json_body,
        # As in backend/api/controllers.py: accounts.access checks the CSRF
        # header for browser sessions; bearer tokens carry no ambient credential.
        opt={"exclude_from_csrf": True},
        exception_handlers={ValidationException: validation_error_handler},
    )
]
