"""Every write to PDSA cycles: one transaction each.

Pages, the JSON API and the seeds call these with values parsed by `forms`;
here the references are checked against the database: a cycle's site must be
one of its agency's sites, its previous cycle one of its initiative's cycles,
and linked backlog items and measures must belong to its initiative (422
otherwise). Each part (plan, do, study, act) is saved from the version the form
was loaded at (DATA-01).
"""

from __future__ import annotations

from typing import Any

from backend import db
from backend.errors import Conflict, Invalid, NotFound
from backend.initiatives.queries import initiative_or_404
from backend.measures.tables import Measure
from backend.pdsa.forms import CHANGE_IDEA_MAX, PART_FIELDS
from backend.pdsa.queries import can_continue, cycle_or_404
from backend.pdsa.tables import PdsaCycle, PdsaItem, PdsaMeasure
from backend.scrum import services as scrum
from backend.scrum.tables import BacklogItem
from backend.sites.tables import Site
from backend.versions import check_version, save_version

# Every column a person writes, part by part ("site" is the site's id).
EDITABLE = frozenset(f for fields in PART_FIELDS.values() for f in fields)
PART_NAMES = {"plan": "plan", "do": "Do part", "study": "Study part", "act": "Act decision"}
NO_NEXT = {
    "": "Record the Act decision first: a next cycle follows a decision to adopt or adapt.",
    "abandon": "This change idea was abandoned, so the chain ends here: start a new cycle "
    "for another change idea instead.",
}


def _fields(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if key in EDITABLE}


async def _check_site(agency_id: int, site_id: Any) -> None:
    if site_id is None:
        return
    rows = await Site.select(Site.id).where((Site.id == site_id) & (Site.agency == agency_id))
    if not rows:
        raise Invalid({"site": "Choose a site of this agency from the list"})


async def create_cycle(
    initiative_id: int,
    values: dict[str, Any],
    user_id: int | None = None,
    parent_id: int | None = None,
) -> int:
    """A new cycle (its plan; the seeds may also give its later parts), optionally
    chained from `parent_id`, a cycle of the same initiative."""
    fields = _fields(values)
    async with db.writing():
        initiative = await initiative_or_404(initiative_id)
        await _check_site(initiative["agency"], fields.get("site"))
        if parent_id is not None:
            rows = await PdsaCycle.select(PdsaCycle.id).where(
                (PdsaCycle.id == parent_id) & (PdsaCycle.initiative == initiative_id)
            )
            if not rows:
                raise Invalid({"parent": "The previous cycle must be a cycle of this initiative"})
        rows = await PdsaCycle.insert(
            PdsaCycle(initiative=initiative_id, parent=parent_id, created_by=user_id, **fields)
        ).returning(PdsaCycle.id)
    return rows[0]["id"]


async def update_part(
    cycle_id: int,
    part: str,
    values: dict[str, Any],
    expected_version: int,
    user_id: int | None = None,
) -> None:
    """Save one part (plan, do, study or act) of a cycle, made from `expected_version`.

    Only that part's fields are written; a stale version raises Conflict with the
    cycle as saved now. `user_id` is who saved it (kept for the audit to come).
    """
    allowed = PART_FIELDS[part]
    fields = {key: value for key, value in values.items() if key in allowed}
    async with db.writing():
        current = await cycle_or_404(cycle_id)
        check_version(current, expected_version, f"PDSA cycle's {PART_NAMES[part]}")
        if "site" in fields and fields["site"] != current["site"]:
            initiative = await initiative_or_404(current["initiative"])
            await _check_site(initiative["agency"], fields["site"])
        await save_version(PdsaCycle, cycle_id, expected_version, fields, reread=cycle_or_404)


async def record_do(cycle_id: int, values: dict[str, Any], version: int, user_id=None) -> None:
    await update_part(cycle_id, "do", values, version, user_id)


async def record_study(cycle_id: int, values: dict[str, Any], version: int, user_id=None) -> None:
    await update_part(cycle_id, "study", values, version, user_id)


async def record_act(cycle_id: int, values: dict[str, Any], version: int, user_id=None) -> None:
    await update_part(cycle_id, "act", values, version, user_id)


async def _check_links(initiative_id: int, item_ids: list[int], measure_ids: list[int]) -> None:
    errors: dict[str, str] = {}
    if item_ids:
        found = await BacklogItem.select(BacklogItem.id).where(
            BacklogItem.id.is_in(item_ids) & (BacklogItem.initiative == initiative_id)
        )
        if len(found) != len(set(item_ids)):
            errors["items"] = "Choose backlog items of this initiative from the list"
    if measure_ids:
        found = await Measure.select(Measure.id).where(
            Measure.id.is_in(measure_ids) & (Measure.initiative == initiative_id)
        )
        if len(found) != len(set(measure_ids)):
            errors["measures"] = "Choose measures of this initiative from the list"
    if errors:
        raise Invalid(errors)


async def _claim(cycle: dict[str, Any], expected_version: int) -> None:
    """Move the cycle to its next version, only from the version the page was loaded at
    (DATA-01): a second press of the same button, or another person's change since,
    is a Conflict instead of a second backlog item, next cycle or lost link."""
    check_version(cycle, expected_version, "PDSA cycle")
    await save_version(PdsaCycle, cycle["id"], expected_version, {}, reread=cycle_or_404)


async def link(
    cycle_id: int,
    item_ids: list[int],
    measure_ids: list[int],
    *,
    expected_version: int | None = None,
) -> None:
    """Replace the cycle's links: these backlog items and these measures, no others.
    The links form sends `expected_version`; the seeds and tests may leave it out."""
    item_ids, measure_ids = list(dict.fromkeys(item_ids)), list(dict.fromkeys(measure_ids))
    async with db.writing():
        cycle = await cycle_or_404(cycle_id)
        await _check_links(cycle["initiative"], item_ids, measure_ids)
        if expected_version is not None:
            await _claim(cycle, expected_version)
        await PdsaItem.delete().where(PdsaItem.cycle == cycle_id)
        await PdsaMeasure.delete().where(PdsaMeasure.cycle == cycle_id)
        if item_ids:
            await PdsaItem.insert(*[PdsaItem(cycle=cycle_id, item=i) for i in item_ids])
        if measure_ids:
            await PdsaMeasure.insert(*[PdsaMeasure(cycle=cycle_id, measure=m) for m in measure_ids])


async def start_next(
    cycle_id: int, user_id: int | None = None, *, expected_version: int | None = None
) -> int:
    """The next cycle of a chain: same change idea, site and links, an empty plan
    otherwise. Only after an Act decision to adopt or adapt (Conflict otherwise).

    With `expected_version` (the page's form sends it) the cycle must still be at
    that version, and starting a next cycle moves it on: pressing the button twice
    makes one next cycle, not two."""
    async with db.writing():
        cycle = await cycle_or_404(cycle_id)
        if not can_continue(cycle):
            raise Conflict(NO_NEXT.get(cycle["act_decision"], NO_NEXT[""]))
        if expected_version is not None:
            await _claim(cycle, expected_version)
        new_id = await create_cycle(
            cycle["initiative"],
            {"change_idea": cycle["change_idea"], "site": cycle["site"]},
            user_id,
            parent_id=cycle_id,
        )
        items = await PdsaItem.select(PdsaItem.item).where(PdsaItem.cycle == cycle_id)
        measures = await PdsaMeasure.select(PdsaMeasure.measure).where(
            PdsaMeasure.cycle == cycle_id
        )
        if items:
            await PdsaItem.insert(*[PdsaItem(cycle=new_id, item=r["item"]) for r in items])
        if measures:
            await PdsaMeasure.insert(
                *[PdsaMeasure(cycle=new_id, measure=r["measure"]) for r in measures]
            )
    return new_id


def backlog_title(change_idea: str) -> str:
    title = f"PDSA: {change_idea}"
    return title if len(title) <= CHANGE_IDEA_MAX else title[: CHANGE_IDEA_MAX - 1] + "…"


async def add_backlog_item(cycle_id: int, *, expected_version: int | None = None) -> int:
    """A backlog item of kind "PDSA test" for the cycle, at the bottom of the initiative's
    backlog, linked to the cycle. Returns the item's id."""
    async with db.writing():
        cycle = await cycle_or_404(cycle_id)
        if expected_version is not None:
            await _claim(cycle, expected_version)
        item_id = await scrum.create_item(
            cycle["initiative"],
            {
                "kind": "pdsa_test",
                "title": backlog_title(cycle["change_idea"]),
                "narrative": cycle["objective"],
            },
        )
        await PdsaItem.insert(PdsaItem(cycle=cycle_id, item=item_id))
    return item_id


async def delete_cycle(cycle_id: int, expected_version: int) -> None:
    """Delete a cycle from the version its confirmation page showed. Its links go with
    it (the backlog items and measures stay); the cycles that followed it start
    their own chain."""
    async with db.writing():
        rows = await PdsaCycle.select(PdsaCycle.id, PdsaCycle.version).where(
            PdsaCycle.id == cycle_id
        )
        if not rows:
            raise NotFound(f"PDSA cycle {cycle_id} was not found")
        if rows[0]["version"] != expected_version:
            raise Conflict(
                "Someone else changed this cycle since the page was loaded, so it was not "
                "deleted. Check it and confirm again.",
                current=rows[0],
            )
        await PdsaCycle.delete().where(
            (PdsaCycle.id == cycle_id) & (PdsaCycle.version == expected_version)
        )
