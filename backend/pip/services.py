"""Every write to a program improvement plan: one transaction each.

Seeds and other areas call the `create_pip`, `add_goal`, `add_strategy`,
`add_activity` and `add_measurement` functions with plain values:

- create_pip(agency_id, {"title", "effective_date", "implementation_end"?,
  "non_overlapping_year_end"?}) -> pip id (the end dates default to two years
  after the effective date, then one more year);
- add_goal(pip_id, {"text", "cfsr_item"?: item number 1-36}) -> goal id;
- add_strategy(goal_id, {"text"}) -> strategy id;
- add_activity(strategy_id, {"title", "owner"?: user id, "target_date"?, "status"?,
  "evidence"?, "item"?: backlog item id}) -> activity id;
- add_measurement(pip_id, {"cfsr_item"?, "label"?, "baseline"?, "goal"?,
  "renegotiated_goal"?, "period"?, "measure"?: measure id}) -> line id.

References are checked against the plan's agency inside the transaction: an
owner must be an active member, a measure or a backlog item must belong to
one of the agency's initiatives. Edits and deletes carry the version they were
made from (DATA-01).
"""

from __future__ import annotations

from typing import Any

from backend import db
from backend.accounts.tables import Membership
from backend.cfsr import services as cfsr
from backend.errors import Conflict, Invalid, NotFound
from backend.initiatives.tables import Initiative
from backend.measures.tables import Measure
from backend.pip import forms, status
from backend.pip.tables import (
    ACTIVITY_STATUSES,
    Pip,
    PipActivity,
    PipGoal,
    PipMeasurement,
    PipStrategy,
)
from backend.scrum import services as scrum
from backend.scrum.tables import BacklogItem
from backend.versions import check_version, save_version
from backend.web.forms import Errors

# What a person may write: the same fields the forms read.
PIP_EDITABLE = forms.PIP_FIELDS
GOAL_EDITABLE = forms.GOAL_FIELDS
STRATEGY_EDITABLE = forms.STRATEGY_FIELDS
ACTIVITY_EDITABLE = forms.ACTIVITY_FIELDS
MEASUREMENT_EDITABLE = forms.MEASUREMENT_FIELDS
STALE_DELETE = "Someone else changed this since the page was loaded, so nothing was deleted."


def _pick(values: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {key: values[key] for key in keys if key in values}


async def _row(table, columns, row_id: int, noun: str, lock: bool = False) -> dict[str, Any]:
    """One row (locked until the transaction ends on PostgreSQL when `lock`)."""
    query = table.select(*columns).where(table.id == row_id)
    if lock and not db.active().is_sqlite:
        query = query.lock_rows("UPDATE", of=(table,))
    rows = await query
    if not rows:
        raise NotFound(f"{noun} {row_id} was not found")
    return rows[0]


async def _next_position(table, parent_column, parent_id: int) -> int:
    rows = await (
        table.select(table.position)
        .where(parent_column == parent_id)
        .order_by(table.position, ascending=False)
        .limit(1)
    )
    return rows[0]["position"] + 1 if rows else 1


async def _cfsr_ref(values: dict[str, Any], errors: Errors) -> None:
    """Replace a CFSR item number in `values` by the reference row's id."""
    if "cfsr_item" not in values or values["cfsr_item"] is None:
        return
    found = await cfsr.ids_for([values["cfsr_item"]], errors, "cfsr_item")
    values["cfsr_item"] = found.get(values["cfsr_item"])


async def _check_owner(
    agency_id: int, values: dict[str, Any], errors: Errors, kept: int | None = None
) -> None:
    """The owner must be an active member, as the form's list offers them; `kept`, the
    owner saved already, may stay after leaving (saving the evidence must not drop it)."""
    owner = values.get("owner")
    if owner is None or owner == kept:
        return
    if not await Membership.exists().where(
        (Membership.user == owner)
        & (Membership.agency == agency_id)
        & (Membership.active == True)  # noqa: E712 - piccolo builds SQL from ==
        & (Membership.user.active == True)  # noqa: E712
    ):
        errors.add("owner", "Choose an owner from the agency's members")


async def _check_measure(agency_id: int, values: dict[str, Any], errors: Errors) -> None:
    measure = values.get("measure")
    if measure is None:
        return
    if not await Measure.exists().where(
        (Measure.id == measure) & (Measure.initiative.agency == agency_id)
    ):
        errors.add("measure", "Choose a measure of this agency's initiatives")


def _refuse(errors: Errors) -> None:
    if errors:
        raise Invalid(errors)


# ---------------------------------------------------------------- the plan


def _with_default_dates(values: dict[str, Any]) -> dict[str, Any]:
    fields = _pick(values, PIP_EDITABLE)
    effective = fields.get("effective_date")
    if effective is not None and fields.get("implementation_end") is None:
        fields["implementation_end"] = status.default_implementation_end(effective)
    implementation = fields.get("implementation_end")
    if implementation is not None and fields.get("non_overlapping_year_end") is None:
        fields["non_overlapping_year_end"] = status.default_non_overlapping_year_end(implementation)
    return fields


async def create_pip(agency_id: int, values: dict[str, Any]) -> int:
    fields = _with_default_dates(values)
    async with db.writing():
        rows = await Pip.insert(Pip(agency=agency_id, **fields)).returning(Pip.id)
    return rows[0]["id"]


async def _pip_row(pip_id: int) -> dict[str, Any]:
    return await _row(Pip, (Pip.id, Pip.agency, Pip.version), pip_id, "Program improvement plan")


async def update_pip(pip_id: int, expected_version: int, values: dict[str, Any]) -> None:
    fields = _with_default_dates(values)
    async with db.writing():
        current = await _pip_row(pip_id)
        check_version(current, expected_version, "program improvement plan")
        await save_version(Pip, pip_id, expected_version, fields)


# ---------------------------------------------------------------- goals


async def add_goal(pip_id: int, values: dict[str, Any]) -> int:
    fields = _pick(values, GOAL_EDITABLE)
    async with db.writing():
        await _pip_row(pip_id)
        errors = Errors()
        await _cfsr_ref(fields, errors)
        _refuse(errors)
        position = await _next_position(PipGoal, PipGoal.pip, pip_id)
        rows = await PipGoal.insert(PipGoal(pip=pip_id, position=position, **fields)).returning(
            PipGoal.id
        )
    return rows[0]["id"]


_GOAL_ROW = (PipGoal.id, PipGoal.version)


async def update_goal(goal_id: int, expected_version: int, values: dict[str, Any]) -> None:
    fields = _pick(values, GOAL_EDITABLE)
    async with db.writing():
        current = await _row(PipGoal, _GOAL_ROW, goal_id, "PIP goal")
        check_version(current, expected_version, "goal")
        errors = Errors()
        await _cfsr_ref(fields, errors)
        _refuse(errors)
        await save_version(PipGoal, goal_id, expected_version, fields)


async def _delete(table, row_id: int, expected_version: int, noun: str, parent_column=None) -> None:
    """Delete a row still at `expected_version` (its children go by cascade). With
    `parent_column` the rows after it under the same parent move up one place, so a
    goal's stored position stays its number in the plan (the CFSR pages show it)."""
    async with db.writing():
        columns = (table.id, table.version)
        if parent_column is not None:
            columns += (table.position, parent_column.as_alias("parent"))
        current = await _row(table, columns, row_id, noun)
        if current["version"] != expected_version:
            raise Conflict(STALE_DELETE, current=current)
        deleted = (
            await table.delete()
            .where((table.id == row_id) & (table.version == expected_version))
            .returning(table.id)
        )
        if not deleted:
            raise Conflict(STALE_DELETE)
        if parent_column is not None:
            await table.update({table.position: table.position - 1}).where(
                (parent_column == current["parent"]) & (table.position > current["position"])
            )


async def delete_goal(goal_id: int, expected_version: int) -> None:
    """The goal with its strategies and their key activities (linked backlog items stay)."""
    await _delete(PipGoal, goal_id, expected_version, "PIP goal", PipGoal.pip)


# ---------------------------------------------------------------- strategies


async def add_strategy(goal_id: int, values: dict[str, Any]) -> int:
    fields = _pick(values, STRATEGY_EDITABLE)
    async with db.writing():
        await _row(PipGoal, _GOAL_ROW, goal_id, "PIP goal")
        position = await _next_position(PipStrategy, PipStrategy.goal, goal_id)
        rows = await PipStrategy.insert(
            PipStrategy(goal=goal_id, position=position, **fields)
        ).returning(PipStrategy.id)
    return rows[0]["id"]


_STRATEGY_ROW = (
    PipStrategy.id,
    PipStrategy.version,
    PipStrategy.goal.pip.agency.as_alias("agency"),
)


async def update_strategy(strategy_id: int, expected_version: int, values: dict[str, Any]) -> None:
    fields = _pick(values, STRATEGY_EDITABLE)
    async with db.writing():
        current = await _row(PipStrategy, _STRATEGY_ROW, strategy_id, "PIP strategy")
        check_version(current, expected_version, "strategy")
        await save_version(PipStrategy, strategy_id, expected_version, fields)


async def delete_strategy(strategy_id: int, expected_version: int) -> None:
    await _delete(PipStrategy, strategy_id, expected_version, "PIP strategy", PipStrategy.goal)


# ---------------------------------------------------------------- key activities

_ACTIVITY_ROW = (
    PipActivity.id,
    PipActivity.version,
    PipActivity.item,
    PipActivity.title,
    PipActivity.owner,
    PipActivity.owner.name.as_alias("owner_name"),
    PipActivity.strategy.text.as_alias("strategy_text"),
    PipActivity.strategy.goal.cfsr_item.as_alias("goal_cfsr_item"),
    PipActivity.strategy.goal.pip.title.as_alias("pip_title"),
    PipActivity.strategy.goal.pip.agency.as_alias("agency"),
)


async def _check_item(agency_id: int, item_id: Any, errors: Errors) -> None:
    if item_id is None:
        return
    if not await BacklogItem.exists().where(
        (BacklogItem.id == item_id) & (BacklogItem.initiative.agency == agency_id)
    ):
        errors.add("item", "Choose a backlog item of this agency's initiatives")


async def add_activity(strategy_id: int, values: dict[str, Any]) -> int:
    fields = _pick(values, (*ACTIVITY_EDITABLE, "item"))
    if fields.get("status") not in ACTIVITY_STATUSES:
        fields["status"] = "not_started"
    async with db.writing():
        strategy = await _row(PipStrategy, _STRATEGY_ROW, strategy_id, "PIP strategy")
        errors = Errors()
        await _check_owner(strategy["agency"], fields, errors)
        await _check_item(strategy["agency"], fields.get("item"), errors)
        _refuse(errors)
        position = await _next_position(PipActivity, PipActivity.strategy, strategy_id)
        rows = await PipActivity.insert(
            PipActivity(strategy=strategy_id, position=position, **fields)
        ).returning(PipActivity.id)
    return rows[0]["id"]


async def update_activity(activity_id: int, expected_version: int, values: dict[str, Any]) -> None:
    fields = _pick(values, ACTIVITY_EDITABLE)
    async with db.writing():
        current = await _row(PipActivity, _ACTIVITY_ROW, activity_id, "PIP key activity")
        check_version(current, expected_version, "key activity")
        errors = Errors()
        await _check_owner(current["agency"], fields, errors, kept=current["owner"])
        _refuse(errors)
        await save_version(PipActivity, activity_id, expected_version, fields)


async def delete_activity(activity_id: int, expected_version: int) -> None:
    """The key activity only: a backlog item made from it stays on the board."""
    await _delete(
        PipActivity, activity_id, expected_version, "PIP key activity", PipActivity.strategy
    )


async def add_to_backlog(activity_id: int, expected_version: int, initiative_id: int) -> int:
    """Make the key activity a backlog item (kind "PIP activity") of one of the
    agency's initiatives, linked to the goal's CFSR item; returns the item's id.
    From then on the activity's status follows the board."""
    async with db.writing():
        activity = await _row(
            PipActivity, _ACTIVITY_ROW, activity_id, "PIP key activity", lock=True
        )
        check_version(activity, expected_version, "key activity")
        if activity["item"] is not None:
            raise Conflict(
                f"This key activity is already backlog item #{activity['item']}.",
                current=activity,
            )
        if not await Initiative.exists().where(
            (Initiative.id == initiative_id) & (Initiative.agency == activity["agency"])
        ):
            raise Invalid({"initiative": "Choose one of this agency's initiatives"})
        item_id = await scrum.create_item(
            initiative_id,
            {
                "title": activity["title"],
                "kind": "pip_activity",
                "narrative": (
                    f"Key activity of the program improvement plan “{activity['pip_title']}”.\n\n"
                    f"Strategy: {activity['strategy_text']}"
                ),
                "assignee_name": (activity["owner_name"] or "")[:120],
            },
        )
        if activity["goal_cfsr_item"] is not None:
            await cfsr.write_links(item_id, [activity["goal_cfsr_item"]])
        await save_version(PipActivity, activity_id, expected_version, {"item": item_id})
    return item_id


# ---------------------------------------------------------------- measurement plan

_LINE_ROW = (
    PipMeasurement.id,
    PipMeasurement.version,
    PipMeasurement.pip.agency.as_alias("agency"),
)


async def add_measurement(pip_id: int, values: dict[str, Any]) -> int:
    fields = _pick(values, MEASUREMENT_EDITABLE)
    async with db.writing():
        pip = await _pip_row(pip_id)
        errors = Errors()
        await _cfsr_ref(fields, errors)
        await _check_measure(pip["agency"], fields, errors)
        _refuse(errors)
        rows = await PipMeasurement.insert(PipMeasurement(pip=pip_id, **fields)).returning(
            PipMeasurement.id
        )
    return rows[0]["id"]


async def update_measurement(
    measurement_id: int, expected_version: int, values: dict[str, Any]
) -> None:
    fields = _pick(values, MEASUREMENT_EDITABLE)
    async with db.writing():
        current = await _row(PipMeasurement, _LINE_ROW, measurement_id, "PIP measurement line")
        check_version(current, expected_version, "measurement line")
        errors = Errors()
        await _cfsr_ref(fields, errors)
        await _check_measure(current["agency"], fields, errors)
        _refuse(errors)
        await save_version(PipMeasurement, measurement_id, expected_version, fields)


async def delete_measurement(measurement_id: int, expected_version: int) -> None:
    await _delete(PipMeasurement, measurement_id, expected_version, "PIP measurement line")
