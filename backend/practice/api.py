"""The JSON API for interventions and practice profiles (same rules as the pages).

A profile comes back whole: its continuum levels best first, its core
components in order, each with its practice behaviours and their
descriptors per level. "New version" copies the latest version into a draft.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Request, Router, get, post
from litestar.exceptions import ValidationException
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED
from msgspec import Meta, Struct

from backend.api.controllers import FIELD_RESPONSES, READ_RESPONSES, _spec
from backend.api.errors import read_json_body, validation_error_handler
from backend.api.schemas import ErrorBody
from backend.errors import Invalid
from backend.initiatives.queries import initiative_or_404
from backend.practice import forms, queries, services
from backend.web.forms import Errors

ProfileStatus = Annotated[str, Meta(description="draft, testing, approved or retired")]


class ProfileVersionBody(Struct):
    id: int
    number: int
    status: ProfileStatus


class InterventionBody(Struct):
    id: int
    name: str
    approach: Annotated[str, Meta(description="replicate, adapt or design")]
    purpose: str
    evidence_level: str
    version: int
    profiles: list[ProfileVersionBody]


class ContinuumLevelBody(Struct):
    id: int
    position: Annotated[int, Meta(description="1 is the best level")]
    label: str
    meets_fidelity: bool


class DescriptorBody(Struct):
    level_id: int
    text: str


class PracticeBehaviourBody(Struct):
    id: int
    position: int
    text: str
    role: str
    lineage: Annotated[str, Meta(description="The same behaviour in every version has it")]
    descriptors: list[DescriptorBody]


class CoreComponentBody(Struct):
    id: int
    position: int
    name: str
    description: str
    lineage: Annotated[str, Meta(description="The same component in every version has it")]
    behaviours: list[PracticeBehaviourBody]


class PracticeProfileBody(Struct):
    id: int
    intervention_id: int
    intervention_name: str
    initiative_id: int
    number: int
    status: ProfileStatus
    change_note: str
    created_at: datetime
    version: int
    levels: list[ContinuumLevelBody]
    components: list[CoreComponentBody]


class NewVersionBody(Struct, kw_only=True):
    change_note: Annotated[
        str,
        Meta(max_length=forms.CHANGE_NOTE_MAX, description="What changes in this version"),
    ]


STALE = _spec(ErrorBody, "Not the latest version, or someone made the next version first")


async def profile_body(profile_id: int) -> PracticeProfileBody:
    profile = await queries.profile_or_404(profile_id)
    rubric = await queries.rubric(profile_id)
    level_ids = [level["id"] for level in rubric["levels"]]
    return PracticeProfileBody(
        id=profile["id"],
        intervention_id=profile["intervention"],
        intervention_name=profile["intervention_name"],
        initiative_id=profile["initiative"],
        number=profile["number"],
        status=profile["status"],
        change_note=profile["change_note"],
        created_at=profile["created_at"],
        version=profile["version"],
        levels=[ContinuumLevelBody(**level) for level in rubric["levels"]],
        components=[
            CoreComponentBody(
                id=c["id"],
                position=c["position"],
                name=c["name"],
                description=c["description"],
                lineage=c["lineage"],
                behaviours=[
                    PracticeBehaviourBody(
                        id=b["id"],
                        position=b["position"],
                        text=b["text"],
                        role=b["role"],
                        lineage=b["lineage"],
                        descriptors=[
                            DescriptorBody(level_id=level_id, text=b["descriptors"][level_id])
                            for level_id in level_ids
                            if level_id in b["descriptors"]
                        ],
                    )
                    for b in c["behaviours"]
                ],
            )
            for c in rubric["components"]
        ],
    )


def _intervention_body(row: dict[str, Any]) -> InterventionBody:
    return InterventionBody(
        id=row["id"],
        name=row["name"],
        approach=row["approach"],
        purpose=row["purpose"],
        evidence_level=row["evidence_level"],
        version=row["version"],
        profiles=[
            ProfileVersionBody(id=p["id"], number=p["number"], status=p["status"])
            for p in row["profiles"]
        ],
    )


class PracticeController(Controller):
    tags = ["Practice profiles"]

    @get(
        "/initiatives/{initiative_id:int}/interventions",
        name="api.interventions",
        summary="An initiative's interventions with their profile versions",
        responses=READ_RESPONSES,
    )
    async def list_interventions(self, initiative_id: FromPath[int]) -> list[InterventionBody]:
        await initiative_or_404(initiative_id)
        return [_intervention_body(r) for r in await queries.interventions_of(initiative_id)]

    @get(
        "/profiles/{profile_id:int}",
        name="api.profile",
        summary="One version of a practice profile: levels, components, behaviours, descriptors",
        responses=READ_RESPONSES,
    )
    async def get_profile(self, profile_id: FromPath[int]) -> PracticeProfileBody:
        return await profile_body(profile_id)

    @post(
        "/profiles/{profile_id:int}/new-version",
        name="api.profile_new_version",
        summary="Copy the latest version into a new draft version",
        description="Only the latest version can be copied; the copy keeps the lineage of "
        "its components and behaviours, and the version copied stays as it was.",
        status_code=HTTP_201_CREATED,
        responses={**FIELD_RESPONSES, 409: STALE},
    )
    async def new_version(
        self, request: Request, profile_id: FromPath[int], data: JSONBody[NewVersionBody]
    ) -> PracticeProfileBody:
        await queries.profile_or_404(profile_id)
        errors = Errors()
        note = forms.parse_change_note({"change_note": data.change_note}, errors)
        if errors:
            raise Invalid(dict(errors), "Check the fields listed in errors")
        new_id = await services.new_version(profile_id, request.state.access.user_id, note)
        return await profile_body(new_id)


route_handlers: list = [
    Router(
        path="/api",
        route_handlers=[PracticeController],
        before_request=read_json_body,
        # CSRF for the API is checked by accounts.access.authorize, as for the rest of /api.
        opt={"exclude_from_csrf": True},
        exception_handlers={ValidationException: validation_error_handler},
    )
]
