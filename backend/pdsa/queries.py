"""Reads of PDSA cycles, each a fixed number of queries whatever the number of cycles
(PERF-01), and the one rule for a cycle's phase.

A cycle's phase follows from what has been written, never from a stored status:
- Plan until its objective and its prediction are both written;
- Do until the Do part is recorded (whether it ran as planned);
- Study until its results against the prediction are written;
- Act until a decision (adopt, adapt, abandon) is made;
- Done after the decision.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from backend import db
from backend.errors import NotFound
from backend.measures.tables import MEASURE_KINDS, Measure
from backend.pdsa.tables import (
    ACT_DECISIONS,
    PHASES,
    RAN_AS_PLANNED,
    PdsaCycle,
    PdsaItem,
    PdsaMeasure,
)
from backend.scrum.tables import BacklogItem

_EPOCH = date(1900, 1, 1)
SHORT_MAX = 120  # characters of a prediction or a result in the ramp view

CYCLE_COLUMNS = (
    PdsaCycle.id,
    PdsaCycle.initiative,
    PdsaCycle.site,
    PdsaCycle.site.name.as_alias("site_name"),
    PdsaCycle.parent,
    PdsaCycle.change_idea,
    PdsaCycle.objective,
    PdsaCycle.questions,
    PdsaCycle.prediction,
    PdsaCycle.plan_who,
    PdsaCycle.plan_what,
    PdsaCycle.plan_when,
    PdsaCycle.plan_where,
    PdsaCycle.data_plan,
    PdsaCycle.start_date,
    PdsaCycle.end_date,
    PdsaCycle.ran_as_planned,
    PdsaCycle.observations,
    PdsaCycle.study,
    PdsaCycle.act_decision,
    PdsaCycle.act_notes,
    PdsaCycle.version,
    PdsaCycle.created_by.name.as_alias("created_by_name"),
    PdsaCycle.created_at,
)
# What the list and the ramp view need of every cycle (no long texts but the two they show).
SUMMARY_COLUMNS = (
    PdsaCycle.id,
    PdsaCycle.site,
    PdsaCycle.site.name.as_alias("site_name"),
    PdsaCycle.parent,
    PdsaCycle.change_idea,
    PdsaCycle.objective,
    PdsaCycle.prediction,
    PdsaCycle.start_date,
    PdsaCycle.end_date,
    PdsaCycle.ran_as_planned,
    PdsaCycle.observations,
    PdsaCycle.study,
    PdsaCycle.act_decision,
)


def phase_of(cycle: dict[str, Any]) -> str:
    """plan, do, study, act or done, from what the cycle has written (module doc)."""
    if cycle["act_decision"]:
        return "done"
    if cycle["study"].strip():
        return "act"
    if cycle["ran_as_planned"]:
        return "study"
    if cycle["objective"].strip() and cycle["prediction"].strip():
        return "do"
    return "plan"


def short(text: str, limit: int = SHORT_MAX) -> str:
    """The first non-blank line, cut to `limit` characters."""
    line = next((ln.strip() for ln in (text or "").splitlines() if ln.strip()), "")
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def describe(cycle: dict[str, Any]) -> dict[str, Any]:
    """The row with its phase, decision and Do answer in words."""
    cycle["phase"] = phase_of(cycle)
    cycle["phase_label"] = PHASES[cycle["phase"]]
    cycle["decision_label"] = ACT_DECISIONS.get(cycle["act_decision"], "")
    cycle["ran_label"] = RAN_AS_PLANNED.get(cycle["ran_as_planned"], "")
    return cycle


def can_continue(cycle: dict[str, Any]) -> bool:
    """A next cycle follows an Act decision to adopt or adapt; abandon ends the chain."""
    return cycle["act_decision"] in ("adopt", "adapt")


async def cycle_or_404(cycle_id: int) -> dict[str, Any]:
    if not db.possible_id(cycle_id):
        raise NotFound(f"PDSA cycle {cycle_id} was not found")
    rows = await PdsaCycle.select(*CYCLE_COLUMNS).where(PdsaCycle.id == cycle_id)
    if not rows:
        raise NotFound(f"PDSA cycle {cycle_id} was not found")
    return describe(rows[0])


async def cycles_of(initiative_id: int, full: bool = False) -> list[dict[str, Any]]:
    """Every cycle of the initiative, latest start first (undated last), in one query;
    `full` for every column (the API), else what the list and the ramp view show."""
    rows = await (
        PdsaCycle.select(*(CYCLE_COLUMNS if full else SUMMARY_COLUMNS))
        .where(PdsaCycle.initiative == initiative_id)
        .order_by(PdsaCycle.id, ascending=False)
    )
    rows = [describe(r) for r in rows]
    rows.sort(key=lambda r: (r["start_date"] is None, -(r["start_date"] or _EPOCH).toordinal()))
    return rows


async def neighbours(cycle_id: int, parent_id: int | None) -> dict[str, Any]:
    """The cycle it follows from and the cycles that follow from it."""
    columns = (
        PdsaCycle.id,
        PdsaCycle.change_idea,
        PdsaCycle.site.name.as_alias("site_name"),
        PdsaCycle.start_date,
        PdsaCycle.act_decision,
    )
    previous = None
    if parent_id is not None:
        rows = await PdsaCycle.select(*columns).where(PdsaCycle.id == parent_id)
        previous = rows[0] if rows else None
    following = await (
        PdsaCycle.select(*columns).where(PdsaCycle.parent == cycle_id).order_by(PdsaCycle.id)
    )
    for row in [previous, *following]:
        if row:
            row["decision_label"] = ACT_DECISIONS.get(row["act_decision"], "")
    return {"previous": previous, "next": following}


async def linked_items(cycle_id: int) -> list[dict[str, Any]]:
    return await (
        PdsaItem.select(
            PdsaItem.item.id.as_alias("id"),
            PdsaItem.item.title.as_alias("title"),
            PdsaItem.item.kind.as_alias("kind"),
            PdsaItem.item.status.name.as_alias("status_name"),
            PdsaItem.item.status.is_done.as_alias("is_done"),
        )
        .where(PdsaItem.cycle == cycle_id)
        .order_by(PdsaItem.item.rank)
    )


async def linked_measures(cycle_id: int) -> list[dict[str, Any]]:
    rows = await (
        PdsaMeasure.select(
            PdsaMeasure.measure.id.as_alias("id"),
            PdsaMeasure.measure.name.as_alias("name"),
            PdsaMeasure.measure.kind.as_alias("kind"),
        )
        .where(PdsaMeasure.cycle == cycle_id)
        .order_by(PdsaMeasure.measure.name)
    )
    for row in rows:
        row["kind_label"] = MEASURE_KINDS.get(row["kind"], row["kind"])
    return rows


async def link_ids(cycle_id: int) -> tuple[list[int], list[int]]:
    items = await PdsaItem.select(PdsaItem.item).where(PdsaItem.cycle == cycle_id)
    measures = await PdsaMeasure.select(PdsaMeasure.measure).where(PdsaMeasure.cycle == cycle_id)
    return [r["item"] for r in items], [r["measure"] for r in measures]


async def item_choices(initiative_id: int, linked: list[int]) -> list[dict[str, Any]]:
    """The backlog in rank order: items not done yet, and done ones already linked."""
    rows = await (
        BacklogItem.select(
            BacklogItem.id,
            BacklogItem.title,
            BacklogItem.kind,
            BacklogItem.status.name.as_alias("status_name"),
            BacklogItem.status.is_done.as_alias("is_done"),
        )
        .where(BacklogItem.initiative == initiative_id)
        .order_by(BacklogItem.rank)
    )
    keep = set(linked)
    return [r for r in rows if not r["is_done"] or r["id"] in keep]


async def measure_choices(initiative_id: int) -> list[dict[str, Any]]:
    rows = await (
        Measure.select(Measure.id, Measure.name, Measure.kind)
        .where(Measure.initiative == initiative_id)
        .order_by(Measure.name)
    )
    for row in rows:
        row["kind_label"] = MEASURE_KINDS.get(row["kind"], row["kind"])
    return rows


async def links_of(initiative_id: int) -> dict[int, dict[str, list[int]]]:
    """cycle id -> {"items": [...], "measures": [...]} for every cycle of the initiative
    that has links, in two queries (the API list)."""
    out: dict[int, dict[str, list[int]]] = {}
    items = await (
        PdsaItem.select(PdsaItem.cycle, PdsaItem.item)
        .where(PdsaItem.cycle.initiative == initiative_id)
        .order_by(PdsaItem.id)
    )
    measures = await (
        PdsaMeasure.select(PdsaMeasure.cycle, PdsaMeasure.measure)
        .where(PdsaMeasure.cycle.initiative == initiative_id)
        .order_by(PdsaMeasure.id)
    )
    for row in items:
        out.setdefault(row["cycle"], {"items": [], "measures": []})["items"].append(row["item"])
    for row in measures:
        entry = out.setdefault(row["cycle"], {"items": [], "measures": []})
        entry["measures"].append(row["measure"])
    return out


async def cycles_of_item(item_id: int) -> list[dict[str, Any]]:
    """The PDSA cycles a backlog item is linked to (the story page lists them)."""
    return await (
        PdsaItem.select(
            PdsaItem.cycle.id.as_alias("id"),
            PdsaItem.cycle.change_idea.as_alias("change_idea"),
            PdsaItem.cycle.site.name.as_alias("site_name"),
            PdsaItem.cycle.start_date.as_alias("start_date"),
            PdsaItem.cycle.act_decision.as_alias("act_decision"),
        )
        .where(PdsaItem.item == item_id)
        .order_by(PdsaItem.cycle.start_date)
        .order_by(PdsaItem.cycle.id)
    )
