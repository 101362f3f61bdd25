"""Every write to sites: one transaction each.

A site's name is unique in its agency (compared without regard to case or
surrounding spaces). The agency's row is locked while a name is checked and
saved (PostgreSQL; SQLite writers are serialised anyway), so two people adding
"North Area Office" at once cannot both succeed.

Deleting a site is refused while fidelity assessments of it exist: the
database would delete them with the site (on_delete cascade), and they are
evidence. PDSA cycles at the site stay and lose their site (on_delete set null).
"""

from __future__ import annotations

from typing import Any

from backend import db
from backend.accounts.tables import Agency
from backend.errors import Conflict, Invalid, NotFound
from backend.fidelity.tables import FidelityAssessment
from backend.sites.queries import site_or_404
from backend.sites.tables import Site
from backend.versions import check_version, save_version

EDITABLE = ("name", "kind", "rollout_phase", "notes")


def _fields(values: dict[str, Any]) -> dict[str, Any]:
    return {key: values[key] for key in EDITABLE if key in values}


async def _lock_agency(agency_id: int) -> None:
    if not db.active().is_sqlite:
        await Agency.select(Agency.id).where(Agency.id == agency_id).lock_rows()


async def _refuse_duplicate(agency_id: int, name: str, except_id: int | None = None) -> None:
    wanted = " ".join(name.split()).casefold()
    rows = await Site.select(Site.id, Site.name).where(Site.agency == agency_id)
    for row in rows:
        if row["id"] != except_id and " ".join(row["name"].split()).casefold() == wanted:
            taken = row["name"]
            message = f"This agency already has a site called “{taken}”: choose another name"
            raise Invalid({"name": message})


async def create_site(agency_id: int, values: dict[str, Any]) -> int:
    """Add a site to an agency; Invalid (422) when the agency already has one of that name."""
    fields = _fields(values)
    async with db.writing():
        await _lock_agency(agency_id)
        await _refuse_duplicate(agency_id, fields["name"])
        rows = await Site.insert(Site(agency=agency_id, **fields)).returning(Site.id)
    return rows[0]["id"]


async def update_site(site_id: int, expected_version: int, values: dict[str, Any]) -> None:
    fields = _fields(values)
    async with db.writing():
        current = await site_or_404(site_id)
        check_version(current, expected_version, "site")
        await _lock_agency(current["agency"])
        if "name" in fields:
            await _refuse_duplicate(current["agency"], fields["name"], except_id=site_id)
        await save_version(Site, site_id, expected_version, fields, reread=site_or_404)


def refusal(assessments: int) -> str:
    """Why a site with fidelity assessments cannot be deleted, and what to do instead."""
    noun = "fidelity assessment" if assessments == 1 else "fidelity assessments"
    return (
        f"This site cannot be deleted: {assessments} {noun} of it would be deleted with it. "
        "Keep the site (set its rollout phase instead), or delete the assessments first."
    )


async def delete_site(site_id: int, expected_version: int) -> None:
    """Delete a site from the version its confirmation page showed.

    Refused (Conflict) while fidelity assessments of it exist. The row is locked
    first on PostgreSQL, so an assessment cannot be added between the check and
    the delete (its insert waits for the lock, then finds no site).
    """
    async with db.writing():
        query = Site.select(Site.id, Site.version).where(Site.id == site_id)
        if not db.active().is_sqlite:
            query = query.lock_rows()
        rows = await query
        if not rows:
            raise NotFound(f"Site {site_id} was not found")
        current = rows[0]
        if current["version"] != expected_version:
            raise Conflict(
                "Someone else changed this site since the page was loaded, so it was not "
                "deleted. Check it and confirm again.",
                current=current,
            )
        assessments = await FidelityAssessment.count().where(FidelityAssessment.site == site_id)
        if assessments:
            raise Conflict(refusal(assessments), current=current)
        await Site.delete().where(Site.id == site_id)
