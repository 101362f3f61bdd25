"""Rows the route walk (tests/test_route_walk.py) fills path ids with.

The CFSR item page takes an item number, not an agency's id. The walk shares
one `number` with the problem statement's version pages (tests/exploration/walk.py
gives 1), so the walked item is linked to CFSR item 1 and the page lists it.
"""

from backend.cfsr.services import set_item_cfsr
from tests.factories import make_items

NUMBER = 1  # a CFSR item and, for exploration, the first problem statement version


async def walk_ids(world) -> dict[str, object]:
    (item,) = await make_items(world.initiative_id, 1, title="Walk CFSR story")
    await set_item_cfsr(item, [NUMBER, 10])
    return {"number": NUMBER}
