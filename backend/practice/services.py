"""Every write to interventions and practice profiles: one transaction each.

Which version may change (`queries.why_frozen`, the one rule pages and writes share):
- its contents (components, behaviours, descriptors, levels, order) only while it is
  a draft or being tested AND it is the latest version of its intervention; an older
  version is history even if it never left draft, so a change there is a 409 that
  names the version to change instead;
- its status (`next_statuses`): draft <-> testing and approving a draft or testing
  version, again only on the latest version (an older draft can never be approved);
  approved -> retired and retired -> approved on any version, so a version approved
  once can be retired and approved again (say, going back to it after a newer one
  failed), which retires the version approved until then.

New versions are made only from the latest version, with its row locked, so a
version's place as the latest cannot change while a write to it holds that lock.

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
    assessment_count,
    behaviour_fingerprint,
    behaviour_or_404,
    component_fingerprint,
    component_or_404,
    contents_fingerprint,
    descriptors_of,
    intervention_or_404,
    latest_number,
    levels_fingerprint,
    levels_of,
    rubric,
    why_frozen,
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
# Where each status may go next (on the latest version; see next_statuses). Approved
# and retired are decisions (GATE_DECIDE); a retired version may be approved again,
# which retires the one approved now.
TRANSITIONS = {
    "draft": ("testing", "approved"),
    "testing": ("draft", "approved"),
    "approved": ("retired",),
    "retired": ("approved",),
}
DECISIONS = ("approved", "retired")
INSERT_CHUNK = 200  # rows per INSERT when copying, well under SQLite's variable limit

STALE = "Someone else changed this while you were editing it; your changes were not saved."
STALE_DELETE = (
    "Someone else changed this since the page was loaded, so nothing was deleted. "
    "Check what would go now and confirm again."
)


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


async def update_intervention(
    intervention_id: int, expected_version: int, values: dict[str, Any]
) -> None:
    fields = {key: values[key] for key in INTERVENTION_EDITABLE if key in values}
    async with db.writing():
        current = await intervention_or_404(intervention_id)
        check_version(current, expected_version, "intervention")
        await save_version(
            Intervention, intervention_id, expected_version, fields, reread=intervention_or_404
        )


# ---------------------------------------------------------------- locking


async def _locked_profile(profile_id: int) -> dict[str, Any]:
    """The profile row, locked until the transaction ends (PostgreSQL: FOR UPDATE),
    with the number of its intervention's latest version as `latest_number`."""
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
    profile = rows[0]
    profile["latest_number"] = await latest_number(profile["intervention"])
    profile["assessed"] = await assessment_count(profile_id)
    return profile


async def _editable_profile(profile_id: int) -> dict[str, Any]:
    """Lock a profile about to change and bump its version; refuse a version that is
    approved, retired or not the latest (queries.why_frozen)."""
    profile = await _locked_profile(profile_id)
    reason = why_frozen(profile)
    if reason:
        raise Conflict(reason)
    await PracticeProfile.update({PracticeProfile.version: PracticeProfile.version + 1}).where(
        PracticeProfile.id == profile_id
    )
    return profile


# ---------------------------------------------------------------- profile versions


async def create_profile(intervention_id: int, user_id: int | None) -> int:
    """Version 1, a draft with the default continuum; refused if the intervention has one."""
    async with db.writing():
        intervention = await intervention_or_404(intervention_id)
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
        if source["number"] != source["latest_number"]:
            raise Conflict(
                f"Version {source['number']} is not the latest: "
                f"make a new version from version {source['latest_number']}."
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


async def _copy_by_lineage(table, rows: list[dict[str, Any]], copy) -> dict[int, int]:
    """Insert `copy(row)` for every row; returns {old id: id of its copy}.

    Lineage is unique within a version, so it maps old rows to their copies
    whatever order the database returns inserted ids in.
    """
    inserted = await _insert_all(table, [copy(row) for row in rows], table.id, table.lineage)
    new_id = {row["lineage"]: row["id"] for row in inserted}
    return {row["id"]: new_id[row["lineage"]] for row in rows}


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
    component_ids = await _copy_by_lineage(
        CoreComponent,
        components,
        lambda c: CoreComponent(
            profile=target_id,
            initiative=initiative_id,
            position=c["position"],
            name=c["name"],
            description=c["description"],
            lineage=c["lineage"],
        ),
    )
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
    behaviour_ids = await _copy_by_lineage(
        PracticeBehaviour,
        behaviours,
        lambda b: PracticeBehaviour(
            component=component_ids[b["component"]],
            position=b["position"],
            text=b["text"],
            role=b["role"],
            lineage=b["lineage"],
        ),
    )
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


def next_statuses(profile: dict[str, Any]) -> tuple[str, ...]:
    """The statuses a version may move to now (`profile` has status, number and
    latest_number): none for a draft or testing version that is not the latest."""
    if profile["status"] in EDITABLE_STATUSES and why_frozen(profile, contents=False):
        return ()
    return TRANSITIONS.get(profile["status"], ())


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
        if status not in next_statuses(profile):
            reason = why_frozen(profile, contents=False)
            # Into or out of draft/testing on a frozen version: say why it is frozen.
            if reason and (current in EDITABLE_STATUSES or status in EDITABLE_STATUSES):
                raise Conflict(reason)
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


async def _next_position(table, scope) -> int:
    """The place after the last row in `scope` (1 for the first)."""
    rows = await table.select(table.position).where(scope)
    return max((row["position"] for row in rows), default=0) + 1


async def add_component(profile_id: int, values: dict[str, Any]) -> int:
    async with db.writing():
        profile = await _editable_profile(profile_id)
        position = await _next_position(CoreComponent, CoreComponent.profile == profile_id)
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
        component = await component_or_404(component_id)
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
        component = await component_or_404(component_id)
        await _editable_profile(component["profile"])
        await _reorder(
            CoreComponent, CoreComponent.profile == component["profile"], component_id, direction
        )


async def delete_component(component_id: int, saved: str) -> None:
    """Delete a component with its behaviours and descriptors (this version only) and the
    links of stories to it; `saved` is queries.contents_fingerprint of what the
    confirmation page showed, so nothing added since is deleted unseen."""
    async with db.writing():
        component = await component_or_404(component_id)
        profile = await _editable_profile(component["profile"])
        found = (await rubric(profile["id"], component_id))["components"]
        if not found:  # deleted by someone else before the lock was ours
            raise NotFound(f"Core component {component_id} was not found")
        if contents_fingerprint(found[0]) != saved:
            raise Conflict(STALE_DELETE, current=found[0])
        await CoreComponent.delete().where(CoreComponent.id == component_id)


# ---------------------------------------------------------------- behaviours


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
        component = await component_or_404(component_id)
        await _editable_profile(component["profile"])
        position = await _next_position(
            PracticeBehaviour, PracticeBehaviour.component == component_id
        )
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


async def _unchanged_behaviour(
    behaviour_id: int, saved: str, stale: str
) -> tuple[dict[str, Any], dict[int, str]]:
    """The behaviour and its descriptors, with its profile locked for a change; a
    Conflict saying `stale` if they are no longer what the form showed (`saved`)."""
    behaviour = await behaviour_or_404(behaviour_id)
    await _editable_profile(behaviour["profile"])
    existing = await descriptors_of(behaviour_id)
    if behaviour_fingerprint(behaviour, existing) != saved:
        raise Conflict(stale, current={**behaviour, "descriptors": existing})
    return behaviour, existing


async def update_behaviour(
    behaviour_id: int, saved: str, values: dict[str, Any], descriptors: dict[int, str]
) -> None:
    async with db.writing():
        behaviour, existing = await _unchanged_behaviour(behaviour_id, saved, STALE)
        await PracticeBehaviour.update(
            {PracticeBehaviour.text: values["text"], PracticeBehaviour.role: values["role"]}
        ).where(PracticeBehaviour.id == behaviour_id)
        await _write_descriptors(behaviour["profile"], behaviour_id, descriptors, existing)


async def move_behaviour(behaviour_id: int, direction: str) -> None:
    async with db.writing():
        behaviour = await behaviour_or_404(behaviour_id)
        await _editable_profile(behaviour["profile"])
        await _reorder(
            PracticeBehaviour,
            PracticeBehaviour.component == behaviour["component"],
            behaviour_id,
            direction,
        )


async def delete_behaviour(behaviour_id: int, saved: str) -> None:
    """Delete a behaviour with its descriptors; `saved` is queries.behaviour_fingerprint
    of what the confirmation page showed."""
    async with db.writing():
        await _unchanged_behaviour(behaviour_id, saved, STALE_DELETE)
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
