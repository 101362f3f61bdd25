"""Links from backlog items to CFSR items, by item number (1-36).

Forms, the API and seeds name CFSR items by their number; the link table holds
the reference row's id, so numbers are looked up first and unknown ones refused
together, before anything is written.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from backend import db
from backend.cfsr.tables import CfsrItem, ItemCfsrItem
from backend.errors import Invalid, NotFound
from backend.scrum.tables import BacklogItem
from backend.web.forms import Errors, digits

FIELD = "cfsr_items"
# There are 36 items; a request naming more is not a person ticking boxes.
NUMBERS_MAX = 100


def parse_numbers(raw: Any, errors: Errors, field: str = FIELD) -> list[int]:
    """Checkbox values (a string, a list of them, or ints from JSON) -> item numbers."""
    if raw is None or raw == "":
        return []
    values = raw if isinstance(raw, list) else [raw]
    if len(values) > NUMBERS_MAX:
        errors.add(field, "Choose CFSR items from the list")
        return []
    numbers: list[int] = []
    for value in values:
        number = value if isinstance(value, int) and not isinstance(value, bool) else digits(value)
        if number is None or not db.possible_id(number):
            errors.add(field, "Choose CFSR items from the list")
            return []
        numbers.append(number)
    return list(dict.fromkeys(numbers))


async def ids_for(numbers: Iterable[int], errors: Errors, field: str = FIELD) -> dict[int, int]:
    """{number: reference row id}; numbers that are no CFSR item go into `errors`."""
    wanted = sorted(set(numbers))
    if not wanted:
        return {}
    rows = await CfsrItem.select(CfsrItem.id, CfsrItem.number).where(CfsrItem.number.is_in(wanted))
    found = {r["number"]: r["id"] for r in rows}
    missing = [n for n in wanted if n not in found]
    if missing:
        listed = ", ".join(str(n) for n in missing)
        noun = "is no CFSR item" if len(missing) == 1 else "are no CFSR items"
        errors.add(field, f"{listed} {noun}: items are numbered 1 to 36")
    return found


async def write_links(item_id: int, cfsr_ids: Iterable[int]) -> None:
    """Make the item link to exactly these reference rows. Runs inside the caller's
    transaction; links that stay are left alone."""
    ids = set(cfsr_ids)
    rows = await ItemCfsrItem.select(ItemCfsrItem.cfsr_item).where(ItemCfsrItem.item == item_id)
    have = {r["cfsr_item"] for r in rows}
    gone = sorted(have - ids)
    if gone:
        await ItemCfsrItem.delete().where(
            (ItemCfsrItem.item == item_id) & ItemCfsrItem.cfsr_item.is_in(gone)
        )
    new = sorted(ids - have)
    if new:
        await ItemCfsrItem.insert(*(ItemCfsrItem(item=item_id, cfsr_item=c) for c in new))


async def set_item_cfsr(item_id: int, numbers: Iterable[int]) -> set[int]:
    """Link a backlog item to exactly these CFSR item numbers (seeds and other areas);
    returns the numbers saved. Unknown numbers are refused and nothing changes."""
    wanted = list(numbers)
    async with db.writing():
        if not await BacklogItem.exists().where(BacklogItem.id == item_id):
            raise NotFound(f"Backlog item #{item_id} was not found")
        errors = Errors()
        found = await ids_for(wanted, errors)
        if errors:
            raise Invalid(errors)
        await write_links(item_id, found.values())
    return set(found)


async def add_item_cfsr(item_id: int, number: int) -> None:
    """Add one link, keeping the item's others (inside the caller's transaction)."""
    errors = Errors()
    found = await ids_for([number], errors)
    if errors:
        raise Invalid(errors)
    await ItemCfsrItem.insert(ItemCfsrItem(item=item_id, cfsr_item=found[number])).on_conflict(
        action="DO NOTHING"
    )
