"""Every write to interventions and practice profiles: one transaction each.

A profile version can change only while it is a draft or being tested.
Each change to its contents first locks the profile row (on PostgreSQL; the
process-wide write lock serialises SQLite) and bumps its `version`, so an
approval made from a page loaded before the change is a conflict, and a
change racing an approval either lands first or is refused.

"New version" copies the latest version's levels, components, behaviours and
descriptors into new rows (components and behaviours keep their lineage), so
every earlier version stays as it was.
"""

from __future__ import annotations

import uuid
from typing import Any

from backend import db
from backend.errors import Conflict, Forbidden, Invalid, NotFound
from backend.practice.queries import (
    behaviour_fingerprint,
    component_fingerprint,
    descriptors_of,
    frozen_message,
    levels_fingerprint,
    levels_of,
)
from backend.practice.tables import (
    DEFAULT_LEVELS,
    EDITABLE_STATUSES,
    PROFILE_STATUSES,
    ContinuumLevel,
    CoreComponent,
    Descriptor,
    Intervention,
    PracticeBehaviour,
    PracticeProfile,
)
from backend.versions import check_version, save_version

INTERVENTION_EDITABLE = ("name", "approach", "purpose", "principles", "evidence_level")
# Where each status may go next. Approved and retired are decisions (GATE_DECIDE);
# a retired version may be approved again, which retires the one approved now.
TRANSITIONS = {
    "draft": ("testing", "approved"),
    "testing": ("draft", "approved"),
    "approved": ("retired",),
    "retired": ("approved",),
}
DECISIONS = ("approved", "retired")
INSERT_CHUNK = 200  # rows per INSERT when copying, well under SQLite's variable limit

STALE = "Someone else changed this while you were editing it; your changes were not saved."


def new_lineage() -> str:
    return uuid.uuid4().hex


# ---------------------------------------------------------------- interventions


async def create_intervention(initiative_id: int, values: dict[str, Any]) -> int:
    fields = {key: values[key] for key in INTERVENTION_EDITABLE if key in values}
    async with db.writing():
        rows = await Intervention.insert(
            Intervention(initiative=initiative_id, **fields)
        ).returning(Intervention.id)
    return rows[0]["id"]


async def _intervention(intervention_id: int) -> dict[str, Any]:
    rows = await Intervention.select().where(Intervention.id == intervention_id)
    if not rows:
        raise NotFound(f"Intervention {intervention_id} was not found")
    return rows[0]


async def update_intervention(
    intervention_id: int, expected_version: int, values: dict[str, Any]
) -> None:
    fields = {key: values[key] for key in INTERVENTION_EDITABLE if key in values}
    async with db.writing():
        current = await _intervention(intervention_id)
        check_version(current, expected_version, "intervention")
        await save_version(
            Intervention, intervention_id, expected_version, fields, reread=_intervention
        )


# ---------------------------------------------------------------- locking


async def _locked_profile(profile_id: int) -> dict[str, Any]:
    """The profile row, locked until the transaction ends (PostgreSQL: FOR UPDATE)."""
    query = PracticeProfile.select(
        PracticeProfile.id,
        PracticeProfile.intervention,
        PracticeProfile.initiative,
        PracticeProfile.number,
        PracticeProfile.status,
        PracticeProfile.version,
    ).where(PracticeProfile.id == profile_id)
    if not db.active().is_sqlite:
        query = query.lock_rows()
    rows = await query
    if not rows:
        raise NotFound(f"Practice profile {profile_id} was not found")
    return rows[0]


async def _editable_profile(profile_id: int) -> dict[str, Any]:
    """Lock a profile about to change and bump its version; refuse approved and retired ones."""
    profile = await _locked_profile(profile_id)
    if profile["status"] not in EDITABLE_STATUSES:
        raise Conflict(frozen_message(profile))
    await PracticeProfile.update({PracticeProfile.version: PracticeProfile.version + 1}).where(
        PracticeProfile.id == profile_id
    )
    return profile


# ---------------------------------------------------------------- profile versions


async def create_profile(intervention_id: int, user_id: int | None) -> int:
    """Version 1, a draft with the default continuum; refused if the intervention has one."""
    async with db.writing():
        intervention = await _intervention(intervention_id)
        existing = await PracticeProfile.select(PracticeProfile.number).where(
            PracticeProfile.intervention == intervention_id
        )
        if existing:
            raise Conflict(
                "This intervention already has a practice profile: "
                "open its latest version and make a new version from it."
            )
        rows = (
            await PracticeProfile.insert(
                PracticeProfile(
                    intervention=intervention_id,
                    initiative=intervention["initiative"],
                    number=1,
                    status="draft",
                    created_by=user_id,
                )
            )
            # Two requests at once: the unique (intervention, number) index
            # turns the second into no row, not an error.
            .on_conflict(action="DO NOTHING")
            .returning(PracticeProfile.id)
        )
        if not rows:
            raise Conflict("Someone else started this practice profile a moment ago.")
        profile_id = rows[0]["id"]
        await ContinuumLevel.insert(
            *[
                ContinuumLevel(profile=profile_id, position=n, label=label, meets_fidelity=meets)
                for n, (label, meets) in enumerate(DEFAULT_LEVELS, start=1)
            ]
        )
    return profile_id


async def new_version(profile_id: int, user_id: int | None, change_note: str) -> int:
    """A draft copy of the latest version, numbered one more; returns its id."""
    if not change_note.strip():
        raise Invalid({"change_note": "Enter what changes in this version"})
    async with db.writing():
        source = await _locked_profile(profile_id)
        numbers = await PracticeProfile.select(PracticeProfile.number).where(
            PracticeProfile.intervention == source["intervention"]
        )
        latest = max(row["number"] for row in numbers)
        if source["number"] != latest:
            raise Conflict(
                f"Version {source['number']} is not the latest: "
                f"make a new version from version {latest}."
            )
        new_id = await _insert_version(source, source["number"] + 1, change_note, user_id)
        await _copy_contents(profile_id, new_id, source["initiative"])
    return new_id


async def _insert_version(
    source: dict[str, Any], number: int, change_note: str, user_id: int | None
) -> int:
    """Insert version `number` of the source's intervention as an empty draft.

    Two requests that both passed the "latest" check meet the unique
    (intervention, number) index: the second inserts nothing and is told so
    (409), instead of failing with an integrity error (500).
    """
    rows = (
        await PracticeProfile.insert(
            PracticeProfile(
                intervention=source["intervention"],
                initiative=source["initiative"],
                number=number,
                status="draft",
                change_note=change_note.strip(),
                created_by=user_id,
            )
        )
        .on_conflict(action="DO NOTHING")
        .returning(PracticeProfile.id)
    )
    if not rows:
        raise Conflict(f"Someone else made version {number} a moment ago: open it to go on.")
    return rows[0]["id"]


async def _insert_all(table, rows: list, *returning) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for start in range(0, len(rows), INSERT_CHUNK):
        chunk = rows[start : start + INSERT_CHUNK]
        query = table.insert(*chunk)
        if returning:
            out.extend(await query.returning(*returning))
        else:
            await query
    return out


async def _copy_contents(source_id: int, target_id: int, initiative_id: int) -> None:
    """Copy levels, components, behaviours and descriptors; a fixed number of statements."""
    levels = await levels_of(source_id)
    level_ids: dict[int, int] = {}
    for level in levels:  # at most a handful: one at a time keeps the id mapping certain
        rows = await ContinuumLevel.insert(
            ContinuumLevel(
                profile=target_id,
                position=level["position"],
                label=level["label"],
                meets_fidelity=level["meets_fidelity"],
            )
        ).returning(ContinuumLevel.id)
        level_ids[level["id"]] = rows[0]["id"]
    components = await CoreComponent.select(
        CoreComponent.id,
        CoreComponent.position,
        CoreComponent.name,
        CoreComponent.description,
        CoreComponent.lineage,
    ).where(CoreComponent.profile == source_id)
    if not components:
        return
    # Lineage is unique within a version, so it maps old rows to their copies
    # whatever order the database returns inserted ids in.
    inserted = await _insert_all(
        CoreComponent,
        [
            CoreComponent(
                profile=target_id,
                initiative=initiative_id,
                position=c["position"],
                name=c["name"],
                description=c["description"],
                lineage=c["lineage"],
            )
            for c in components
        ],
        CoreComponent.id,
        CoreComponent.lineage,
    )
    new_component = {row["lineage"]: row["id"] for row in inserted}
    component_ids = {c["id"]: new_component[c["lineage"]] for c in components}
    behaviours = await PracticeBehaviour.select(
        PracticeBehaviour.id,
        PracticeBehaviour.component,
        PracticeBehaviour.position,
        PracticeBehaviour.text,
        PracticeBehaviour.role,
        PracticeBehaviour.lineage,
    ).where(PracticeBehaviour.component.profile == source_id)
    if not behaviours:
        return
    inserted = await _insert_all(
        PracticeBehaviour,
        [
            PracticeBehaviour(
                component=component_ids[b["component"]],
                position=b["position"],
                text=b["text"],
                role=b["role"],
                lineage=b["lineage"],
            )
            for b in behaviours
        ],
        PracticeBehaviour.id,
        PracticeBehaviour.lineage,
    )
    new_behaviour = {row["lineage"]: row["id"] for row in inserted}
    behaviour_ids = {b["id"]: new_behaviour[b["lineage"]] for b in behaviours}
    descriptors = await Descriptor.select(
        Descriptor.behaviour, Descriptor.level, Descriptor.text
    ).where(Descriptor.behaviour.component.profile == source_id)
    await _insert_all(
        Descriptor,
        [
            Descriptor(
                behaviour=behaviour_ids[d["behaviour"]],
                level=level_ids[d["level"]],
                text=d["text"],
            )
            for d in descriptors
        ],
    )


async def set_status(
    profile_id: int, expected_version: int, status: str, *, may_decide: bool
) -> None:
    """Move a version to `status`; approving retires the version approved before it."""
    if status not in PROFILE_STATUSES:
        raise Invalid({"status": "Choose a status from the list"})
    if status in DECISIONS and not may_decide:
        raise Forbidden("Only the agency lead approves or retires a version of a practice profile")
    async with db.writing():
        profile = await _locked_profile(profile_id)
        check_version(profile, expected_version, "practice profile")
        current = profile["status"]
        if status == current:
            return
        if status not in TRANSITIONS[current]:
            if current not in EDITABLE_STATUSES and status in EDITABLE_STATUSES:
                raise Conflict(frozen_message(profile))
            raise Conflict(
                f"Version {profile['number']} is {PROFILE_STATUSES[current].lower()}: "
                f"it cannot become {PROFILE_STATUSES[status].lower()}."
            )
        if status == "approved":
            await PracticeProfile.update(
                {
                    PracticeProfile.status: "retired",
                    PracticeProfile.version: PracticeProfile.version + 1,
                }
            ).where(
                (PracticeProfile.intervention == profile["intervention"])
                & (PracticeProfile.status == "approved")
                & (PracticeProfile.id != profile_id)
            )
        await PracticeProfile.update(
            {PracticeProfile.status: status, PracticeProfile.version: expected_version + 1}
        ).where(PracticeProfile.id == profile_id)


# ---------------------------------------------------------------- components


async def _component(component_id: int) -> dict[str, Any]:
    rows = await CoreComponent.select().where(CoreComponent.id == component_id)
    if not rows:
        raise NotFound(f"Core component {component_id} was not found")
    return rows[0]


async def add_component(profile_id: int, values: dict[str, Any]) -> int:
    async with db.writing():
        profile = await _editable_profile(profile_id)
        last = await CoreComponent.select(CoreComponent.position).where(
            CoreComponent.profile == profile_id
        )
        position = max((row["position"] for row in last), default=0) + 1
        rows = await CoreComponent.insert(
            CoreComponent(
                profile=profile_id,
                initiative=profile["initiative"],
                position=position,
                name=values["name"],
                description=values.get("description", ""),
                lineage=new_lineage(),
            )
        ).returning(CoreComponent.id)
    return rows[0]["id"]


async def update_component(component_id: int, saved: str, values: dict[str, Any]) -> None:
    async with db.writing():
        component = await _component(component_id)
        await _editable_profile(component["profile"])
        if component_fingerprint(component) != saved:
            raise Conflict(STALE, current=component)
        await CoreComponent.update(
            {
                CoreComponent.name: values["name"],
                CoreComponent.description: values.get("description", ""),
            }
        ).where(CoreComponent.id == component_id)


async def _reorder(table, scope, row_id: int, direction: str) -> None:
    """Swap a row with its neighbour in `scope` and number the rows 1, 2, 3..."""
    if direction not in ("up", "down"):
        raise Invalid({"direction": "Choose up or down"})
    rows = (
        await table.select(table.id, table.position)
        .where(scope)
        .order_by(table.position)
        .order_by(table.id)
    )
    ids = [row["id"] for row in rows]
    index = ids.index(row_id)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(ids):
        return  # already first (or last): nothing to do
    ids[index], ids[other] = ids[other], ids[index]
    positions = {row["id"]: row["position"] for row in rows}
    for n, each in enumerate(ids, start=1):
        if positions[each] != n:
            await table.update({table.position: n}).where(table.id == each)


async def move_component(component_id: int, direction: str) -> None:
    async with db.writing():
        component = await _component(component_id)
        await _editable_profile(component["profile"])
        await _reorder(
            CoreComponent, CoreComponent.profile == component["profile"], component_id, direction
        )


async def delete_component(component_id: int) -> None:
    """Delete a component with its behaviours and descriptors (this version only)."""
    async with db.writing():
        component = await _component(component_id)
        await _editable_profile(component["profile"])
        await CoreComponent.delete().where(CoreComponent.id == component_id)


# ---------------------------------------------------------------- behaviours


async def _behaviour(behaviour_id: int) -> dict[str, Any]:
    rows = await PracticeBehaviour.select(
        *PracticeBehaviour.all_columns(),
        PracticeBehaviour.component.profile.as_alias("profile"),
    ).where(PracticeBehaviour.id == behaviour_id)
    if not rows:
        raise NotFound(f"Practice behaviour {behaviour_id} was not found")
    return rows[0]


async def _write_descriptors(
    profile_id: int, behaviour_id: int, descriptors: dict[int, str], existing: dict[int, str]
) -> None:
    """Save one text per level; levels deleted meanwhile are skipped, not a database error."""
    level_ids = {row["id"] for row in await levels_of(profile_id)}
    new_rows = []
    for level_id, text in descriptors.items():
        if level_id not in level_ids:
            continue
        if level_id in existing:
            if existing[level_id] != text:
                await Descriptor.update({Descriptor.text: text}).where(
                    (Descriptor.behaviour == behaviour_id) & (Descriptor.level == level_id)
                )
        elif text:
            new_rows.append(Descriptor(behaviour=behaviour_id, level=level_id, text=text))
    if new_rows:
        await Descriptor.insert(*new_rows)


async def add_behaviour(
    component_id: int, values: dict[str, Any], descriptors: dict[int, str]
) -> int:
    async with db.writing():
        component = await _component(component_id)
        await _editable_profile(component["profile"])
        last = await PracticeBehaviour.select(PracticeBehaviour.position).where(
            PracticeBehaviour.component == component_id
        )
        position = max((row["position"] for row in last), default=0) + 1
        rows = await PracticeBehaviour.insert(
            PracticeBehaviour(
                component=component_id,
                position=position,
                text=values["text"],
                role=values.get("role") or "Worker",
                lineage=new_lineage(),
            )
        ).returning(PracticeBehaviour.id)
        behaviour_id = rows[0]["id"]
        await _write_descriptors(component["profile"], behaviour_id, descriptors, {})
    return behaviour_id


async def update_behaviour(
    behaviour_id: int, saved: str, values: dict[str, Any], descriptors: dict[int, str]
) -> None:
    async with db.writing():
        behaviour = await _behaviour(behaviour_id)
        await _editable_profile(behaviour["profile"])
        existing = await descriptors_of(behaviour_id)
        if behaviour_fingerprint(behaviour, existing) != saved:
            raise Conflict(STALE, current={**behaviour, "descriptors": existing})
        await PracticeBehaviour.update(
            {PracticeBehaviour.text: values["text"], PracticeBehaviour.role: values["role"]}
        ).where(PracticeBehaviour.id == behaviour_id)
        await _write_descriptors(behaviour["profile"], behaviour_id, descriptors, existing)


async def move_behaviour(behaviour_id: int, direction: str) -> None:
    async with db.writing():
        behaviour = await _behaviour(behaviour_id)
        await _editable_profile(behaviour["profile"])
        await _reorder(
            PracticeBehaviour,
            PracticeBehaviour.component == behaviour["component"],
            behaviour_id,
            direction,
        )


async def delete_behaviour(behaviour_id: int) -> None:
    async with db.writing():
        behaviour = await _behaviour(behaviour_id)
        await _editable_profile(behaviour["profile"])
        await PracticeBehaviour.delete().where(PracticeBehaviour.id == behaviour_id)


# ---------------------------------------------------------------- continuum levels


async def update_levels(
    profile_id: int, saved: str, kept: list[dict[str, Any]], deleted: list[int]
) -> None:
    """Rename, reorder, flag, add and delete levels in one go (kept: best first).

    The caller has checked the continuum's rules (forms.parse_levels); `saved`
    is the fingerprint of the levels the form was loaded with.
    """
    async with db.writing():
        await _editable_profile(profile_id)
        current = await levels_of(profile_id)
        if levels_fingerprint(current) != saved:
            raise Conflict(STALE, current={"levels": current})
        known = {level["id"] for level in current}
        if any(level["id"] is not None and level["id"] not in known for level in kept) or not (
            set(deleted) <= known
        ):
            raise Conflict(STALE, current={"levels": current})
        if deleted:
            await ContinuumLevel.delete().where(ContinuumLevel.id.is_in(deleted))
        for position, level in enumerate(kept, start=1):
            if level["id"] is None:
                await ContinuumLevel.insert(
                    ContinuumLevel(
                        profile=profile_id,
                        position=position,
                        label=level["label"],
                        meets_fidelity=level["meets_fidelity"],
                    )
                )
            else:
                await ContinuumLevel.update(
                    {
                        ContinuumLevel.position: position,
                        ContinuumLevel.label: level["label"],
                        ContinuumLevel.meets_fidelity: level["meets_fidelity"],
                    }
                ).where(ContinuumLevel.id == level["id"])
