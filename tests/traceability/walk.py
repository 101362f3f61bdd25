"""Rows the route walk (tests/test_route_walk.py) fills path ids with.

Traceability routes take only item and initiative ids, which the walk has
already; this links the walked item to a finding, a core component and a
causal link so its story page, card and the traceability view render links.
"""

from tests.traceability.factories import (
    link_item,
    make_finding,
    make_intervention,
    make_profile,
    make_theory,
)


async def walk_ids(world, item_id: int) -> dict[str, object]:
    finding = await make_finding(world.initiative_id, "Walk finding")
    intervention = await make_intervention(world.initiative_id, "Walk intervention")
    _, components = await make_profile(world.initiative_id, intervention, ["Walk component"])
    _, links = await make_theory(world.initiative_id, [("walk", "walked")])
    await link_item(item_id, (finding,), (components[0],), (links[0],))
    return {}
