"""Reads of sites, each a fixed number of queries whatever the number of sites (PERF-01)."""

from __future__ import annotations

from typing import Any

from piccolo.query.functions.aggregate import Count

from backend import db
from backend.errors import NotFound
from backend.fidelity.tables import FidelityAssessment
from backend.pdsa.tables import PdsaCycle
from backend.sites.tables import ROLLOUT_PHASES, SITE_KINDS, Site

SITE_COLUMNS = (
    Site.id,
    Site.agency,
    Site.name,
    Site.kind,
    Site.rollout_phase,
    Site.notes,
    Site.version,
)


def describe(row: dict[str, Any]) -> dict[str, Any]:
    """The row with its kind and rollout phase in words."""
    row["kind_label"] = SITE_KINDS.get(row["kind"], row["kind"])
    row["phase_label"] = ROLLOUT_PHASES.get(row["rollout_phase"], row["rollout_phase"])
    return row


async def site_or_404(site_id: int) -> dict[str, Any]:
    if not db.possible_id(site_id):
        raise NotFound(f"Site {site_id} was not found")
    rows = await Site.select(*SITE_COLUMNS).where(Site.id == site_id)
    if not rows:
        raise NotFound(f"Site {site_id} was not found")
    return describe(rows[0])


async def sites_of(agency_id: int) -> list[dict[str, Any]]:
    """An agency's sites by name, with their kind and rollout phase in words."""
    rows = await Site.select(*SITE_COLUMNS).where(Site.agency == agency_id).order_by(Site.name)
    return [describe(r) for r in rows]


async def site_options(agency_id: int) -> list[tuple[int, str]]:
    """(id, name) for a select of the agency's sites."""
    rows = await Site.select(Site.id, Site.name).where(Site.agency == agency_id).order_by(Site.name)
    return [(r["id"], r["name"]) for r in rows]


async def uses_of(agency_id: int) -> dict[int, dict[str, int]]:
    """site id -> {"cycles": PDSA cycles at it, "assessments": fidelity assessments of it};
    two grouped queries for all the agency's sites."""
    cycles = await (
        PdsaCycle.select(PdsaCycle.site, Count(PdsaCycle.id, alias="n"))
        .where(PdsaCycle.site.agency == agency_id)
        .group_by(PdsaCycle.site)
    )
    assessments = await (
        FidelityAssessment.select(FidelityAssessment.site, Count(FidelityAssessment.id, alias="n"))
        .where(FidelityAssessment.site.agency == agency_id)
        .group_by(FidelityAssessment.site)
    )
    uses: dict[int, dict[str, int]] = {}
    for row in cycles:
        uses.setdefault(row["site"], {"cycles": 0, "assessments": 0})["cycles"] = row["n"]
    for row in assessments:
        uses.setdefault(row["site"], {"cycles": 0, "assessments": 0})["assessments"] = row["n"]
    return uses


async def uses_of_site(site_id: int) -> dict[str, int]:
    cycles = await PdsaCycle.count().where(PdsaCycle.site == site_id)
    assessments = await FidelityAssessment.count().where(FidelityAssessment.site == site_id)
    return {"cycles": cycles, "assessments": assessments}
