"""The JSON API for sites: an agency's area offices and regions, read-only."""

from __future__ import annotations

from typing import Annotated

from litestar import Router, get
from litestar.params import FromPath
from msgspec import Meta, Struct

from backend.accounts.queries import agency_or_404
from backend.api.controllers import READ_RESPONSES
from backend.sites import queries


class SiteBody(Struct):
    id: int
    agency_id: int
    name: str
    kind: Annotated[str, Meta(description="area_office, region, county, tribal or other")]
    rollout_phase: Annotated[str, Meta(description="none, pilot or spread")]
    rollout_phase_label: Annotated[str, Meta(description="The rollout phase in words")]
    notes: str
    version: int


@get(
    "/agencies/{agency_id:int}/sites",
    name="api.sites",
    summary="An agency's sites by name, with their rollout phase",
    tags=["Sites"],
    responses=READ_RESPONSES,
)
async def list_sites(agency_id: FromPath[int]) -> list[SiteBody]:
    await agency_or_404(agency_id)
    return [
        SiteBody(
            id=s["id"],
            agency_id=s["agency"],
            name=s["name"],
            kind=s["kind"],
            rollout_phase=s["rollout_phase"],
            rollout_phase_label=s["phase_label"],
            notes=s["notes"],
            version=s["version"],
        )
        for s in await queries.sites_of(agency_id)
    ]


route_handlers: list = [Router(path="/api", route_handlers=[list_sites])]
