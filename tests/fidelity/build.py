"""Builders for fidelity tests: sites, a rateable profile (version 1 approved, version 2
being tested, matched by lineage) and assessments made through the app's service."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from backend.fidelity import services
from backend.practice import queries as practice
from backend.practice import services as practice_services
from backend.sites.tables import Site
from tests.practice.build import make_profile, set_status


async def make_sites(agency_id: int, *names: str) -> list[int]:
    ids = []
    for name in names or ("North Area Office", "South Area Office"):
        rows = await Site.insert(
            Site(agency=agency_id, name=name, rollout_phase="pilot")
        ).returning(Site.id)
        ids.append(rows[0]["id"])
    return ids


@dataclass
class Version:
    """One profile version: its id, number, levels best first, and its rows in order."""

    id: int
    number: int
    levels: list[int]  # Optimal, Developmental, Unacceptable
    components: list[int]
    behaviours: list[list[int]]  # per component
    rubric: dict[str, Any] = field(default_factory=dict)

    @property
    def optimal(self) -> int:
        return self.levels[0]

    @property
    def developmental(self) -> int:
        return self.levels[1]

    @property
    def unacceptable(self) -> int:
        return self.levels[2]

    def b(self, component: int, behaviour: int) -> tuple[str, int]:
        return ("behaviour", self.behaviours[component][behaviour])


async def version_of(profile_id: int) -> Version:
    profile = await practice.profile_or_404(profile_id)
    rubric = await practice.rubric(profile_id)
    return Version(
        id=profile_id,
        number=profile["number"],
        levels=[lv["id"] for lv in rubric["levels"]],
        components=[c["id"] for c in rubric["components"]],
        behaviours=[[b["id"] for b in c["behaviours"]] for c in rubric["components"]],
        rubric=rubric,
    )


async def rateable_profile(
    initiative_id: int, components: int = 2, behaviours: int = 2, user_id: int | None = None
) -> Version:
    """Version 1 of a new intervention's profile, approved."""
    made = await make_profile(initiative_id, components, behaviours, user_id)
    await set_status(made["profile_id"], "approved")
    return await version_of(made["profile_id"])


async def second_version(v1: Version, rename_first_to: str | None = None) -> Version:
    """Version 2 copied from version 1 (same lineages), being tested; optionally with its
    first component renamed."""
    v2_id = await practice_services.new_version(v1.id, None, "After the pilot")
    if rename_first_to:
        rubric = await practice.rubric(v2_id)
        first = rubric["components"][0]
        await practice_services.update_component(
            first["id"],
            practice.component_fingerprint(first),
            {"name": rename_first_to, "description": first["description"]},
        )
    await set_status(v2_id, "testing")
    return await version_of(v2_id)


async def assess(
    initiative_id: int,
    version: Version,
    site_id: int,
    day: date,
    ratings: dict[tuple[str, int], int],
    method: str = "observation",
    assessor: str = "Dana Reyes",
    user_id: int | None = None,
) -> int:
    return await services.create_assessment(
        initiative_id,
        {
            "profile_id": version.id,
            "site_id": site_id,
            "method": method,
            "assessed_on": day,
            "assessor": assessor,
            "notes": "",
        },
        ratings,
        user_id,
    )


def form_of(version: Version, site_id: int, day: str, ratings: dict[str, Any], /, **extra) -> dict:
    """The new-assessment form as a browser posts it."""
    return {
        "profile_id": str(version.id),
        "site_id": str(site_id),
        "method": "case_review",
        "assessed_on": day,
        "assessor": "Dana Reyes",
        "notes": "",
        **ratings,
        **extra,
    }


@dataclass
class HandBuilt:
    """Two sites, two quarters of 2025, versions 1 and 2 of one profile (version 2's
    first component renamed "Parent voice"); six assessments. Expected numbers are
    worked out by hand in the tests."""

    v1: Version
    v2: Version
    north: int
    south: int
    ids: dict[str, int]  # "A1".."A6" -> assessment id
    intervention_id: int


async def hand_built(world) -> HandBuilt:
    v1 = await rateable_profile(world.initiative_id, components=2, behaviours=2)
    v2 = await second_version(v1, rename_first_to="Parent voice")
    north, south = await make_sites(world.agency_id)
    o1, d1, u1 = v1.levels
    o2, d2, _ = v2.levels
    plan = {
        "A1": (v1, north, date(2025, 1, 15), "observation",
               {v1.b(0, 0): o1, v1.b(0, 1): d1, v1.b(1, 0): o1, v1.b(1, 1): o1}),
        "A2": (v1, south, date(2025, 2, 10), "case_review",
               {v1.b(0, 0): u1, v1.b(0, 1): d1, v1.b(1, 0): o1}),
        "A6": (v1, south, date(2025, 3, 1), "case_review", {v1.b(0, 1): d1, v1.b(1, 1): u1}),
        "A3": (v2, north, date(2025, 4, 20), "observation",
               {v2.b(0, 0): o2, v2.b(0, 1): o2, v2.b(1, 0): d2}),
        "A4": (v2, north, date(2025, 5, 5), "interview",
               {v2.b(0, 0): d2, v2.b(1, 0): o2, v2.b(1, 1): o2}),
        "A5": (v1, south, date(2025, 6, 1), "observation", {v1.b(0, 0): o1}),
    }  # fmt: skip
    ids = {}
    for name, (version, site, day, method, ratings) in plan.items():
        ids[name] = await assess(
            world.initiative_id, version, site, day, ratings, method=method, user_id=world.lead
        )
    profile = await practice.profile_or_404(v1.id)
    return HandBuilt(v1, v2, north, south, ids, profile["intervention"])
