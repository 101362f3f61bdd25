"""Reads of interventions and practice profiles, each a fixed number of queries.

`rubric(profile_id)` loads a whole profile version (levels, components,
behaviours, descriptors) in four queries whatever its size (PERF-01); pages,
the print view, the diff and the API all build on it.
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


def frozen_message(profile: dict[str, Any]) -> str:
    """Why an approved or retired version refuses changes, and what to do instead."""
    status = PROFILE_STATUSES.get(profile["status"], profile["status"]).lower()
    return f"Version {profile['number']} is {status}: make a new version to change it"


def describe(profile: dict[str, Any]) -> dict[str, Any]:
    """Add the words pages show for a profile row."""
    profile["status_label"] = PROFILE_STATUSES.get(profile["status"], profile["status"])
    profile["editable"] = profile["status"] in EDITABLE_STATUSES
    profile["title"] = (
        f"Practice profile: {profile['intervention_name']}, "
        f"version {profile['number']} ({profile['status_label'].lower()})"
    )
    return profile


async def intervention_or_404(intervention_id: int) -> dict[str, Any]:
    if not db.possible_id(intervention_id):
        raise NotFound(f"Intervention {intervention_id} was not found")
    rows = await Intervention.select(*Intervention.all_columns()).where(
        Intervention.id == intervention_id
    )
    if not rows:
        raise NotFound(f"Intervention {intervention_id} was not found")
    return rows[0]


async def profile_or_404(profile_id: int) -> dict[str, Any]:
    if not db.possible_id(profile_id):
        raise NotFound(f"Practice profile {profile_id} was not found")
    rows = await PracticeProfile.select(*PROFILE_COLUMNS).where(PracticeProfile.id == profile_id)
    if not rows:
        raise NotFound(f"Practice profile {profile_id} was not found")
    return describe(rows[0])


async def component_or_404(component_id: int) -> dict[str, Any]:
    if not db.possible_id(component_id):
        raise NotFound(f"Core component {component_id} was not found")
    rows = await CoreComponent.select(*CoreComponent.all_columns()).where(
        CoreComponent.id == component_id
    )
    if not rows:
        raise NotFound(f"Core component {component_id} was not found")
    return rows[0]


async def behaviour_or_404(behaviour_id: int) -> dict[str, Any]:
    if not db.possible_id(behaviour_id):
        raise NotFound(f"Practice behaviour {behaviour_id} was not found")
    rows = await PracticeBehaviour.select(
        *PracticeBehaviour.all_columns(),
        PracticeBehaviour.component.profile.as_alias("profile"),
        PracticeBehaviour.component.name.as_alias("component_name"),
    ).where(PracticeBehaviour.id == behaviour_id)
    if not rows:
        raise NotFound(f"Practice behaviour {behaviour_id} was not found")
    return rows[0]


async def versions_of(intervention_id: int) -> list[dict[str, Any]]:
    """Every version of an intervention's profile, first version first."""
    rows = await (
        PracticeProfile.select(
            PracticeProfile.id,
            PracticeProfile.number,
            PracticeProfile.status,
            PracticeProfile.change_note,
            PracticeProfile.created_at,
        )
        .where(PracticeProfile.intervention == intervention_id)
        .order_by(PracticeProfile.number)
    )
    for row in rows:
        row["status_label"] = PROFILE_STATUSES.get(row["status"], row["status"])
    return rows


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
        profiles = await (
            PracticeProfile.select(
                PracticeProfile.id,
                PracticeProfile.intervention,
                PracticeProfile.number,
                PracticeProfile.status,
            )
            .where(PracticeProfile.intervention.is_in(list(by_id)))
            .order_by(PracticeProfile.number)
        )
        for profile in profiles:
            profile["status_label"] = PROFILE_STATUSES.get(profile["status"], profile["status"])
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


def levels_fingerprint(levels: list[dict[str, Any]]) -> str:
    return fingerprint(
        [(lv["id"], lv["position"], lv["label"], lv["meets_fidelity"]) for lv in levels]
    )


async def descriptors_of(behaviour_id: int) -> dict[int, str]:
    rows = await Descriptor.select(Descriptor.level, Descriptor.text).where(
        Descriptor.behaviour == behaviour_id
    )
    return {row["level"]: row["text"] for row in rows}
