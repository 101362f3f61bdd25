"""Reads of fidelity assessments, each a fixed number of queries whatever the number of
assessments and ratings (PERF-01).

Ratings are counted in SQL (grouped by assessment, component and level, or by
site, behaviour and level), so a page reads a few rows per assessment, never one
row per rating. Which levels count as "at or above the fidelity level" is decided
once per profile version by `fidelity_levels`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from piccolo.query.functions.aggregate import Count, Max

from backend import db
from backend.errors import NotFound
from backend.fidelity.tables import METHODS, FidelityAssessment, FidelityRating
from backend.practice.tables import (
    PROFILE_STATUSES,
    ContinuumLevel,
    CoreComponent,
    Intervention,
    PracticeBehaviour,
    PracticeProfile,
)
from backend.sites.tables import Site
from backend.web.forms import row_id

# New assessments are rated against a version in use: being tested or approved.
RATEABLE_STATUSES = ("testing", "approved")

A = FidelityAssessment
R = FidelityRating

ASSESSMENT_COLUMNS = (
    A.id,
    A.initiative,
    A.profile,
    A.site,
    A.method,
    A.assessed_on,
    A.assessor,
    A.notes,
    A.version,
    A.created_at,
    A.profile.number.as_alias("profile_number"),
    A.profile.status.as_alias("profile_status"),
    A.profile.intervention.as_alias("intervention"),
    A.profile.intervention.name.as_alias("intervention_name"),
    A.site.name.as_alias("site_name"),
    A.created_by.name.as_alias("created_by_name"),
)


def method_label(method: str) -> str:
    return METHODS.get(method, method)


def describe(row: dict[str, Any]) -> dict[str, Any]:
    """Add the words pages show for an assessment row."""
    row["method_label"] = method_label(row["method"])
    row["profile_label"] = (
        f"{row['intervention_name']}, version {row['profile_number']}"
        f" ({PROFILE_STATUSES.get(row['profile_status'], row['profile_status']).lower()})"
    )
    row["title"] = f"Fidelity assessment of {row['site_name']} on {row['assessed_on']:%-d %b %Y}"
    return row


async def assessment_or_404(fidelity_id: int) -> dict[str, Any]:
    if not db.possible_id(fidelity_id):
        raise NotFound(f"Fidelity assessment {fidelity_id} was not found")
    rows = await A.select(*ASSESSMENT_COLUMNS).where(A.id == fidelity_id)
    if not rows:
        raise NotFound(f"Fidelity assessment {fidelity_id} was not found")
    return describe(rows[0])


# ---------------------------------------------------------------- filters


@dataclass
class Filters:
    """The roll-up's filters; a value not offered is read as no filter (SEC-13)."""

    intervention: int | None = None
    site: int | None = None
    method: str = ""

    @classmethod
    def parse(cls, params: Any, interventions: list[dict], sites: list[tuple[int, str]]):
        def pick(raw: Any, allowed: set[int]) -> int | None:
            value = row_id(raw if isinstance(raw, str) else None)
            return value if value in allowed else None

        method = params.get("method") or ""
        return cls(
            intervention=pick(params.get("intervention"), {i["id"] for i in interventions}),
            site=pick(params.get("site"), {s for s, _ in sites}),
            method=method if method in METHODS else "",
        )

    @property
    def active(self) -> bool:
        return bool(self.intervention or self.site or self.method)

    def where(self, initiative_id: int, table=A):
        """The condition on assessments (`table` is FidelityAssessment or a join to it)."""
        where = table.initiative == initiative_id
        if self.intervention:
            where &= table.profile.intervention == self.intervention
        if self.site:
            where &= table.site == self.site
        if self.method:
            where &= table.method == self.method
        return where


# ---------------------------------------------------------------- lists


async def assessments_of(initiative_id: int, filters: Filters | None = None) -> list[dict]:
    """An initiative's assessments, newest first."""
    where = (filters or Filters()).where(initiative_id)
    rows = await (
        A.select(*ASSESSMENT_COLUMNS)
        .where(where)
        .order_by(A.assessed_on, ascending=False)
        .order_by(A.id, ascending=False)
    )
    return [describe(r) for r in rows]


async def rating_counts(initiative_id: int, filters: Filters | None = None) -> list[dict]:
    """(assessment, component, level, n): how many ratings of each assessment were at
    each level, per component. One grouped query."""
    where = (filters or Filters()).where(initiative_id, R.assessment)
    return await (
        R.select(R.assessment, R.component, R.level, Count(R.id, alias="n"))
        .where(where)
        .group_by(R.assessment, R.component, R.level)
    )


async def levels_of_initiative(initiative_id: int) -> list[dict]:
    """Every continuum level of every profile version of the initiative."""
    return await ContinuumLevel.select(
        ContinuumLevel.id,
        ContinuumLevel.profile,
        ContinuumLevel.position,
        ContinuumLevel.label,
        ContinuumLevel.meets_fidelity,
    ).where(ContinuumLevel.profile.initiative == initiative_id)


def fidelity_levels(levels: list[dict]) -> set[int]:
    """The ids of levels at or above the fidelity level of their profile version.

    The fidelity level is the lowest level (highest position) that meets fidelity;
    every level above it counts too, so a rating is never "below" a level that is
    itself worse. A version with no level meeting fidelity has none.
    """
    threshold: dict[int, int] = {}
    for level in levels:
        if level["meets_fidelity"]:
            profile = level["profile"]
            threshold[profile] = max(threshold.get(profile, 0), level["position"])
    return {lv["id"] for lv in levels if lv["position"] <= threshold.get(lv["profile"], 0)}


async def components_of_initiative(initiative_id: int) -> list[dict]:
    """Every core component of every profile version, with its version and intervention."""
    return await CoreComponent.select(
        CoreComponent.id,
        CoreComponent.profile,
        CoreComponent.position,
        CoreComponent.name,
        CoreComponent.lineage,
        CoreComponent.profile.number.as_alias("profile_number"),
        CoreComponent.profile.intervention.as_alias("intervention"),
        CoreComponent.profile.intervention.name.as_alias("intervention_name"),
    ).where(CoreComponent.initiative == initiative_id)


async def behaviours_of_initiative(initiative_id: int) -> list[dict]:
    """Every practice behaviour of every profile version, with its version number."""
    return await PracticeBehaviour.select(
        PracticeBehaviour.id,
        PracticeBehaviour.component,
        PracticeBehaviour.position,
        PracticeBehaviour.text,
        PracticeBehaviour.role,
        PracticeBehaviour.lineage,
        PracticeBehaviour.component.profile.number.as_alias("profile_number"),
    ).where(PracticeBehaviour.component.initiative == initiative_id)


async def coaching_counts(
    initiative_id: int, start: date | None = None, end: date | None = None
) -> list[dict]:
    """(site, behaviour, component, level, n, latest): ratings per site, behaviour (or
    whole component) and level, with the latest date rated so, in [start, end)."""
    where = R.assessment.initiative == initiative_id
    if start is not None:
        where &= R.assessment.assessed_on >= start
    if end is not None:
        where &= R.assessment.assessed_on < end
    rows = await (
        R.select(
            R.assessment.site.as_alias("site"),
            R.behaviour,
            R.component,
            R.level,
            Count(R.id, alias="n"),
            Max(R.assessment.assessed_on, alias="latest"),
        )
        .where(where)
        .group_by(R.assessment.site, R.behaviour, R.component, R.level)
    )
    for row in rows:
        # An aggregate comes back untyped: SQLite gives the date as text.
        if isinstance(row["latest"], str):
            row["latest"] = date.fromisoformat(row["latest"][:10])
    return rows


async def assessment_days(initiative_id: int) -> list[date]:
    """The distinct days assessments were made on (for the period filter)."""
    rows = await A.select(A.assessed_on).where(A.initiative == initiative_id).distinct()
    return [r["assessed_on"] for r in rows]


# ---------------------------------------------------------------- one assessment


async def ratings_of(fidelity_id: int) -> dict[tuple[str, int], int]:
    """The assessment's ratings: {("behaviour", id) or ("component", id): level id}."""
    rows = await R.select(R.component, R.behaviour, R.level).where(R.assessment == fidelity_id)
    return {
        (("behaviour", r["behaviour"]) if r["behaviour"] else ("component", r["component"])): r[
            "level"
        ]
        for r in rows
    }


# ---------------------------------------------------------------- choices


async def rateable_profiles(initiative_id: int) -> list[dict]:
    """Versions a new assessment may use: being tested or approved, by intervention."""
    rows = await (
        PracticeProfile.select(
            PracticeProfile.id,
            PracticeProfile.number,
            PracticeProfile.status,
            PracticeProfile.intervention,
            PracticeProfile.intervention.name.as_alias("intervention_name"),
        )
        .where(
            (PracticeProfile.initiative == initiative_id)
            & PracticeProfile.status.is_in(list(RATEABLE_STATUSES))
        )
        .order_by(PracticeProfile.intervention.name)
        .order_by(PracticeProfile.number, ascending=False)
    )
    for row in rows:
        status = PROFILE_STATUSES.get(row["status"], row["status"]).lower()
        row["label"] = f"{row['intervention_name']}, version {row['number']} ({status})"
    return rows


async def profile_of_initiative(initiative_id: int, profile_id: int) -> dict[str, Any] | None:
    """The profile version if it belongs to the initiative (any status), else None."""
    if not db.possible_id(profile_id):
        return None
    rows = await PracticeProfile.select(
        PracticeProfile.id,
        PracticeProfile.number,
        PracticeProfile.status,
        PracticeProfile.intervention,
        PracticeProfile.intervention.name.as_alias("intervention_name"),
    ).where((PracticeProfile.id == profile_id) & (PracticeProfile.initiative == initiative_id))
    if not rows:
        return None
    row = rows[0]
    status = PROFILE_STATUSES.get(row["status"], row["status"]).lower()
    row["label"] = f"{row['intervention_name']}, version {row['number']} ({status})"
    return row


async def interventions_of(initiative_id: int) -> list[dict[str, Any]]:
    """The initiative's interventions (id, name) by name, for the filter."""
    return await (
        Intervention.select(Intervention.id, Intervention.name)
        .where(Intervention.initiative == initiative_id)
        .order_by(Intervention.name)
    )


async def site_of_agency(agency_id: int, site_id: int) -> dict[str, Any] | None:
    if not db.possible_id(site_id):
        return None
    rows = await Site.select(Site.id, Site.name).where(
        (Site.id == site_id) & (Site.agency == agency_id)
    )
    return rows[0] if rows else None


async def site_options(agency_id: int) -> list[tuple[int, str]]:
    rows = await Site.select(Site.id, Site.name).where(Site.agency == agency_id).order_by(Site.name)
    return [(r["id"], r["name"]) for r in rows]
