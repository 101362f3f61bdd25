"""Writes: replace an item's links in one transaction, and switch an initiative's rule.

An item links only to rows of its own initiative; ids of anything else
(another initiative's, another agency's, or no row at all) are refused
together, per kind, and nothing is saved. CFSR items are reference data shared
by every agency: they are named by number and saved in the same transaction.
"""

from __future__ import annotations

from typing import Any

from backend import db
from backend.cfsr import services as cfsr
from backend.errors import Invalid, NotFound
from backend.exploration.tables import CausalLink, Finding
from backend.initiatives.tables import Initiative
from backend.practice.tables import CoreComponent
from backend.scrum.tables import BacklogItem
from backend.traceability.queries import CFSR_ITEMS, LINK_KINDS
from backend.traceability.tables import ItemCausalLink, ItemComponent, ItemFinding
from backend.web.forms import Errors, row_id

# A story rarely acts on more than a handful; the cap keeps a request small.
LINKS_MAX = 200

# kind -> (target table, link table, the link table's column naming the target)
_TARGETS: dict[str, tuple[Any, Any, Any]] = {
    "findings": (Finding, ItemFinding, ItemFinding.finding),
    "components": (CoreComponent, ItemComponent, ItemComponent.component),
    "causal_links": (CausalLink, ItemCausalLink, ItemCausalLink.link),
}
NOUNS = {
    "findings": ("finding", "findings"),
    "components": ("core component", "core components"),
    "causal_links": ("causal link", "causal links"),
}


def parse_ids(raw: Any, kind: str, errors: Errors) -> list[int]:
    """Checkbox values (a string, a list of them, or ints from JSON) -> ids."""
    if raw is None or raw == "":
        return []
    values = raw if isinstance(raw, list) else [raw]
    ids: list[int] = []
    for value in values:
        number = value if isinstance(value, int) and not isinstance(value, bool) else row_id(value)
        if number is None or not db.possible_id(number):
            errors.add(kind, f"Choose {NOUNS[kind][1]} from the list")
            return []
        ids.append(number)
    ids = list(dict.fromkeys(ids))
    if len(ids) > LINKS_MAX:
        errors.add(kind, f"Link at most {LINKS_MAX} {NOUNS[kind][1]} to one item")
        return []
    return ids


def _refused_message(kind: str, ids: list[int]) -> str:
    singular, plural = NOUNS[kind]
    listed = ", ".join(str(i) for i in ids)
    if len(ids) == 1:
        return f"{singular.capitalize()} {listed} is not one of this initiative's {plural}"
    return f"{plural.capitalize()} {listed} are not among this initiative's {plural}"


async def _lock_item(item_id: int) -> int:
    """The item's initiative, with the item's row locked on PostgreSQL so two
    saves of the same item's links run one after the other (SQLite writers are
    serialised by db.writing already)."""
    query = BacklogItem.select(BacklogItem.initiative).where(BacklogItem.id == item_id)
    if not db.active().is_sqlite:
        query = query.lock_rows("UPDATE")
    rows = await query
    if not rows:
        raise NotFound(f"Backlog item #{item_id} was not found")
    return rows[0]["initiative"]


async def replace_links(item_id: int, chosen: dict[str, list[int]]) -> dict[str, set[int]]:
    """Make the item link to exactly `chosen` (kind -> ids); returns what was saved.

    Kinds left out of `chosen` are emptied, except `cfsr_items` (item numbers):
    left out or None, the item's CFSR links stay as they are. Links that stay
    are left alone, so saving the same set twice changes nothing.
    """
    wanted = {kind: set(chosen.get(kind) or ()) for kind in LINK_KINDS}
    numbers = chosen.get(CFSR_ITEMS)
    async with db.writing():
        initiative_id = await _lock_item(item_id)
        errors = Errors()
        for kind, ids in wanted.items():
            if not ids:
                continue
            table = _TARGETS[kind][0]
            found = await table.select(table.id).where(
                table.id.is_in(sorted(ids)) & (table.initiative == initiative_id)
            )
            refused = sorted(ids - {r["id"] for r in found})
            if refused:
                errors.add(kind, _refused_message(kind, refused))
        cfsr_ids = await cfsr.ids_for(numbers, errors) if numbers is not None else None
        if errors:
            raise Invalid(errors)
        for kind, ids in wanted.items():
            _, link_table, target = _TARGETS[kind]
            rows = await link_table.select(target.as_alias("target")).where(
                link_table.item == item_id
            )
            have = {r["target"] for r in rows}
            gone = sorted(have - ids)
            if gone:
                await link_table.delete().where((link_table.item == item_id) & target.is_in(gone))
            new = sorted(ids - have)
            if new:
                await link_table.insert(
                    *(link_table(**{"item": item_id, target._meta.name: t}) for t in new)
                )
        if cfsr_ids is not None:
            await cfsr.write_links(item_id, cfsr_ids.values())
            wanted[CFSR_ITEMS] = set(cfsr_ids)
    return wanted


async def set_rule(initiative_id: int, on: bool) -> None:
    """Switch the rule that flags untraced stories. Setting it twice is harmless, so no
    version check: the charter form does not carry this flag."""
    async with db.writing():
        updated = (
            await Initiative.update({Initiative.trace_rule: on})
            .where(Initiative.id == initiative_id)
            .returning(Initiative.id)
        )
    if not updated:
        raise NotFound(f"Initiative {initiative_id} was not found")
