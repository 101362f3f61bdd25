"""Reads of the CFSR reference (outcomes, systemic factors, items 1-36) and of what
links to one item, limited to the agencies the person can see (SEC-08).

Each read is one query whatever the number of rows (PERF-01).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from backend.cfsr.tables import GROUP_KINDS, CfsrItem, ItemCfsrItem
from backend.db import possible_id
from backend.errors import NotFound
from backend.measures.tables import MEASURE_KINDS, Measure
from backend.pip.tables import PipGoal, PipMeasurement

ITEM_COLUMNS = (
    CfsrItem.id,
    CfsrItem.number,
    CfsrItem.name,
    CfsrItem.group.code.as_alias("group_code"),
    CfsrItem.group.name.as_alias("group_name"),
    CfsrItem.group.kind.as_alias("group_kind"),
    CfsrItem.group.position.as_alias("group_position"),
)


def item_label(number: int, name: str) -> str:
    return f"Item {number}: {name}"


def _with_labels(row: dict[str, Any]) -> dict[str, Any]:
    row["label"] = item_label(row["number"], row["name"])
    row["kind_label"] = GROUP_KINDS.get(row["group_kind"], row["group_kind"])
    return row


async def all_items() -> list[dict[str, Any]]:
    """Items 1-36 in the order of their groups (outcomes, then systemic factors)."""
    rows = await (
        CfsrItem.select(*ITEM_COLUMNS).order_by(CfsrItem.group.position).order_by(CfsrItem.number)
    )
    return [_with_labels(row) for row in rows]


def grouped(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Consecutive items of one group as {"code", "name", "kind", "kind_label", "items"}."""
    groups: list[dict[str, Any]] = []
    for item in items:
        if not groups or groups[-1]["code"] != item["group_code"]:
            groups.append(
                {
                    "code": item["group_code"],
                    "name": item["group_name"],
                    "kind": item["group_kind"],
                    "kind_label": item["kind_label"],
                    "items": [],
                }
            )
        groups[-1]["items"].append(item)
    return groups


def by_kind(groups: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """[("Outcomes", [...groups]), ("Systemic factors", [...])] for the reference page."""
    out = []
    for kind, label in (("outcome", "Outcomes"), ("systemic_factor", "Systemic factors")):
        out.append((label, [g for g in groups if g["kind"] == kind]))
    return out


async def item_or_404(number: int) -> dict[str, Any]:
    if not possible_id(number):
        raise NotFound(f"CFSR item {number} was not found: items are numbered 1 to 36")
    rows = await CfsrItem.select(*ITEM_COLUMNS).where(CfsrItem.number == number)
    if not rows:
        raise NotFound(f"CFSR item {number} was not found: items are numbered 1 to 36")
    return _with_labels(rows[0])


# ---------------------------------------------------------------- what links to an item
# Every read below takes the agencies the person can see and never looks further.


async def linked_items(cfsr_item_id: int, agency_ids: Sequence[int]) -> list[dict[str, Any]]:
    """Backlog items of those agencies linked to the CFSR item."""
    if not agency_ids:
        return []
    item = ItemCfsrItem.item
    return await (
        ItemCfsrItem.select(
            item.id.as_alias("id"),
            item.kind.as_alias("kind"),
            item.title.as_alias("title"),
            item.status.name.as_alias("status_name"),
            item.status.is_done.as_alias("is_done"),
            item.initiative.as_alias("initiative_id"),
            item.initiative.title.as_alias("initiative_title"),
            item.initiative.agency.name.as_alias("agency_name"),
        )
        .where(
            (ItemCfsrItem.cfsr_item == cfsr_item_id)
            & item.initiative.agency.is_in(list(agency_ids))
        )
        .order_by(item.initiative.agency.name)
        .order_by(item.initiative.title)
        .order_by(item.rank)
    )


async def linked_measures(cfsr_item_id: int, agency_ids: Sequence[int]) -> list[dict[str, Any]]:
    """Measures of those agencies' initiatives that track the CFSR item."""
    if not agency_ids:
        return []
    rows = await (
        Measure.select(
            Measure.id,
            Measure.name,
            Measure.kind,
            Measure.unit,
            Measure.initiative.as_alias("initiative_id"),
            Measure.initiative.title.as_alias("initiative_title"),
            Measure.initiative.agency.name.as_alias("agency_name"),
        )
        .where(
            (Measure.cfsr_item == cfsr_item_id) & Measure.initiative.agency.is_in(list(agency_ids))
        )
        .order_by(Measure.initiative.agency.name)
        .order_by(Measure.initiative.title)
        .order_by(Measure.name)
    )
    for row in rows:
        row["kind_label"] = MEASURE_KINDS.get(row["kind"], row["kind"])
    return rows


async def linked_pip_goals(cfsr_item_id: int, agency_ids: Sequence[int]) -> list[dict[str, Any]]:
    """Goals of those agencies' program improvement plans tied to the CFSR item."""
    if not agency_ids:
        return []
    return await (
        PipGoal.select(
            PipGoal.id,
            PipGoal.position,
            PipGoal.text,
            PipGoal.pip.as_alias("pip_id"),
            PipGoal.pip.title.as_alias("pip_title"),
            PipGoal.pip.agency.name.as_alias("agency_name"),
        )
        .where((PipGoal.cfsr_item == cfsr_item_id) & PipGoal.pip.agency.is_in(list(agency_ids)))
        .order_by(PipGoal.pip.agency.name)
        .order_by(PipGoal.pip.effective_date, ascending=False)
        .order_by(PipGoal.position)
    )


async def linked_pip_measurements(
    cfsr_item_id: int, agency_ids: Sequence[int]
) -> list[dict[str, Any]]:
    """Measurement plan lines of those agencies' PIPs for the CFSR item."""
    if not agency_ids:
        return []
    return await (
        PipMeasurement.select(
            PipMeasurement.id,
            PipMeasurement.label,
            PipMeasurement.baseline,
            PipMeasurement.goal,
            PipMeasurement.renegotiated_goal,
            PipMeasurement.period,
            PipMeasurement.pip.as_alias("pip_id"),
            PipMeasurement.pip.title.as_alias("pip_title"),
            PipMeasurement.pip.agency.name.as_alias("agency_name"),
        )
        .where(
            (PipMeasurement.cfsr_item == cfsr_item_id)
            & PipMeasurement.pip.agency.is_in(list(agency_ids))
        )
        .order_by(PipMeasurement.pip.agency.name)
        .order_by(PipMeasurement.pip.effective_date, ascending=False)
        .order_by(PipMeasurement.id)
    )
