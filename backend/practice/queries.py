"""Reads of interventions and practice profiles, each a fixed number of queries.

`rubric(profile_id)` loads a whole profile version (levels, components,
behaviours, descriptors) in four queries whatever its size (PERF-01); pages,
the print view, the diff and the API all build on it.

`why_frozen(profile)` is the one rule for whether a version's contents may
change: only while it is a draft or being tested AND it is the latest version
of its intervention (the highest number). Pages hide their controls by it and
`services` refuses every write by it.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from backend import db
from backend.errors import NotFound
from backend.practice.tables import (
    EDITABLE_STATUSES,
    PROFILE_STATUSES,
    ContinuumLevel,
    CoreComponent,
    Descriptor,
    Intervention,
    PracticeBehaviour,
    PracticeProfile,
)
from backend.traceability.tables import ItemComponent

PROFILE_COLUMNS = (
    PracticeProfile.id,
    PracticeProfile.intervention,
    PracticeProfile.initiative,
    PracticeProfile.number,
    PracticeProfile.status,
    PracticeProfile.change_note,
    PracticeProfile.created_at,
    PracticeProfile.version,
    PracticeProfile.intervention.name.as_alias("intervention_name"),
    PracticeProfile.created_by.name.as_alias("created_by_name"),
)


def status_label(status: str) -> str:
    return PROFILE_STATUSES.get(status, status)


def why_frozen(profile: dict[str, Any], *, contents: bool = True) -> str | None:
    """Why a version's contents (and its draft/testing status) cannot change now, and
    what to do instead; None while they can. `profile` has number, status, latest_number
    and, when read for a change or a page, `assessed` (its fidelity assessments).
    Assessments freeze the contents only (`contents=False` asks about the status:
    a version being tested may still be approved once it has been assessed).

    An older version is history whatever its status: a change there would be lost
    to the versions copied from it, so it is made in the latest version.
    """
    if profile["number"] < profile["latest_number"]:
        return (
            f"Version {profile['number']} is not the latest version: "
            f"make changes in version {profile['latest_number']}"
        )
    if profile["status"] not in EDITABLE_STATUSES:
        status = status_label(profile["status"]).lower()
        return f"Version {profile['number']} is {status}: make a new version to change it"
    if contents and profile.get("assessed"):
        # Ratings point at its levels, components and behaviours: a change would
        # rewrite (or delete) what the assessors recorded.
        count = profile["assessed"]
        return (
            f"Version {profile['number']} has {count} fidelity assessment"
            f"{'s' if count != 1 else ''} rated against it: make a new version to change it"
        )
    return None


async def assessment_count(profile_id: int) -> int:
    """Fidelity assessments rated against this version (they freeze it: why_frozen)."""
    from backend.fidelity.tables import FidelityAssessment

    return await FidelityAssessment.count().where(FidelityAssessment.profile == profile_id)


async def latest_number(intervention_id: int) -> int:
    """The number of the intervention's latest profile version (0 when it has none)."""
    rows = await (
        PracticeProfile.select(PracticeProfile.number)
        .where(PracticeProfile.intervention == intervention_id)
        .order_by(PracticeProfile.number, ascending=False)
        .limit(1)
    )
    return rows[0]["number"] if rows else 0


def describe(profile: dict[str, Any], latest: int) -> dict[str, Any]:
    """Add the words pages show for a profile row, and whether it may change."""
    profile["status_label"] = status_label(profile["status"])
    profile["latest_number"] = latest
    profile["is_latest"] = profile["number"] >= latest
    profile["frozen"] = why_frozen(profile)
    profile["editable"] = profile["frozen"] is None
    profile["title"] = (
        f"Practice profile: {profile['intervention_name']}, "
        f"version {profile['number']} ({profile['status_label'].lower()})"
    )
    return profile


async def _row_or_404(table, row_id: int, what: str, *columns) -> dict[str, Any]:
    """One row by id (every column unless `columns` are given), or NotFound."""
    if not db.possible_id(row_id):
        raise NotFound(f"{what} {row_id} was not found")
    rows = await table.select(*(columns or table.all_columns())).where(table.id == row_id)
    if not rows:
        raise NotFound(f"{what} {row_id} was not found")
    return rows[0]


async def intervention_or_404(intervention_id: int) -> dict[str, Any]:
    return await _row_or_404(Intervention, intervention_id, "Intervention")


async def profile_or_404(profile_id: int) -> dict[str, Any]:
    profile = await _row_or_404(PracticeProfile, profile_id, "Practice profile", *PROFILE_COLUMNS)
    profile["assessed"] = await assessment_count(profile_id)
    return describe(profile, await latest_number(profile["intervention"]))


async def component_or_404(component_id: int) -> dict[str, Any]:
    return await _row_or_404(CoreComponent, component_id, "Core component")


async def behaviour_or_404(behaviour_id: int) -> dict[str, Any]:
    return await _row_or_404(
        PracticeBehaviour,
        behaviour_id,
        "Practice behaviour",
        *PracticeBehaviour.all_columns(),
        PracticeBehaviour.component.profile.as_alias("profile"),
        PracticeBehaviour.component.name.as_alias("component_name"),
    )


async def _versions(where) -> list[dict[str, Any]]:
    """Profile versions matching `where`, first version first, with their status labels."""
    rows = await (
        PracticeProfile.select(
            PracticeProfile.id,
            PracticeProfile.intervention,
            PracticeProfile.number,
            PracticeProfile.status,
            PracticeProfile.change_note,
            PracticeProfile.created_at,
        )
        .where(where)
        .order_by(PracticeProfile.number)
    )
    for row in rows:
        row["status_label"] = status_label(row["status"])
    return rows


async def versions_of(intervention_id: int) -> list[dict[str, Any]]:
    """Every version of an intervention's profile, first version first."""
    return await _versions(PracticeProfile.intervention == intervention_id)


async def interventions_of(initiative_id: int) -> list[dict[str, Any]]:
    """An initiative's interventions, each with its profile versions (two queries)."""
    interventions = await (
        Intervention.select(
            Intervention.id,
            Intervention.name,
            Intervention.approach,
            Intervention.purpose,
            Intervention.evidence_level,
            Intervention.version,
        )
        .where(Intervention.initiative == initiative_id)
        .order_by(Intervention.name)
        .order_by(Intervention.id)
    )
    by_id = {row["id"]: row for row in interventions}
    for row in interventions:
        row["profiles"] = []
    if by_id:
        for profile in await _versions(PracticeProfile.intervention.is_in(list(by_id))):
            by_id[profile["intervention"]]["profiles"].append(profile)
    return interventions


async def levels_of(profile_id: int) -> list[dict[str, Any]]:
    return await (
        ContinuumLevel.select(
            ContinuumLevel.id,
            ContinuumLevel.position,
            ContinuumLevel.label,
            ContinuumLevel.meets_fidelity,
        )
        .where(ContinuumLevel.profile == profile_id)
        .order_by(ContinuumLevel.position)
        .order_by(ContinuumLevel.id)
    )


async def rubric(profile_id: int, component_id: int | None = None) -> dict[str, Any]:
    """Levels best first, and components in order, each with its behaviours in order and
    each behaviour's descriptors as {level id: text}. With `component_id`, only that one."""
    levels = await levels_of(profile_id)
    where_component = CoreComponent.profile == profile_id
    where_behaviour = PracticeBehaviour.component.profile == profile_id
    where_descriptor = Descriptor.behaviour.component.profile == profile_id
    if component_id is not None:
        where_component &= CoreComponent.id == component_id
        where_behaviour &= PracticeBehaviour.component == component_id
        where_descriptor &= Descriptor.behaviour.component == component_id
    components = await (
        CoreComponent.select(
            CoreComponent.id,
            CoreComponent.position,
            CoreComponent.name,
            CoreComponent.description,
            CoreComponent.lineage,
        )
        .where(where_component)
        .order_by(CoreComponent.position)
        .order_by(CoreComponent.id)
    )
    behaviours = await (
        PracticeBehaviour.select(
            PracticeBehaviour.id,
            PracticeBehaviour.component,
            PracticeBehaviour.position,
            PracticeBehaviour.text,
            PracticeBehaviour.role,
            PracticeBehaviour.lineage,
        )
        .where(where_behaviour)
        .order_by(PracticeBehaviour.position)
        .order_by(PracticeBehaviour.id)
    )
    descriptors = await Descriptor.select(
        Descriptor.behaviour, Descriptor.level, Descriptor.text
    ).where(where_descriptor)
    texts: dict[int, dict[int, str]] = {}
    for row in descriptors:
        texts.setdefault(row["behaviour"], {})[row["level"]] = row["text"]
    by_component: dict[int, list[dict[str, Any]]] = {c["id"]: [] for c in components}
    for behaviour in behaviours:
        behaviour["descriptors"] = texts.get(behaviour["id"], {})
        by_component[behaviour["component"]].append(behaviour)
    for component in components:
        component["behaviours"] = by_component[component["id"]]
    return {"levels": levels, "components": components}


def fingerprint(*parts: Any) -> str:
    """A short digest of rows as a form loaded them (DATA-01 for rows without a version).

    Components, behaviours and levels have no version column; an edit form
    carries this digest and the save is refused if the rows no longer match it.
    """
    raw = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def component_fingerprint(component: dict[str, Any]) -> str:
    # Not the position: moving a component while someone edits its words is no conflict.
    return fingerprint(component["name"], component["description"])


def behaviour_fingerprint(behaviour: dict[str, Any], descriptors: dict[int, str]) -> str:
    return fingerprint(
        behaviour["text"], behaviour["role"], sorted(descriptors.items(), key=lambda kv: kv[0])
    )


def contents_fingerprint(component: dict[str, Any]) -> str:
    """What deleting a component takes with it (a `rubric` component): its words and
    every behaviour with its descriptors, so a delete confirmed on a page that showed
    less is refused."""
    return fingerprint(
        component_fingerprint(component),
        [behaviour_fingerprint(b, b["descriptors"]) for b in component["behaviours"]],
    )


def levels_fingerprint(levels: list[dict[str, Any]]) -> str:
    return fingerprint(
        [(lv["id"], lv["position"], lv["label"], lv["meets_fidelity"]) for lv in levels]
    )


async def descriptors_of(behaviour_id: int) -> dict[int, str]:
    rows = await Descriptor.select(Descriptor.level, Descriptor.text).where(
        Descriptor.behaviour == behaviour_id
    )
    return {row["level"]: row["text"] for row in rows}


async def items_linked_to(component_id: int) -> set[int]:
    """The backlog items linked to this very component row (not to its copies in other
    versions): the links deleting it removes."""
    rows = await ItemComponent.select(ItemComponent.item).where(
        ItemComponent.component == component_id
    )
    return {row["item"] for row in rows}
