"""Rows the route walk (tests/test_route_walk.py) fills path ids with."""

from backend.measures.tables import DataPoint
from tests.measures.build import add_rates, make_measure


async def walk_ids(world) -> dict[str, object]:
    """A rate measure with a small cell, so every page shows suppression for the liaison."""
    measure_id = await make_measure(world.initiative_id, is_rate=True, name="Walk rate")
    await add_rates(measure_id, [(5, 20), (3, 8), (9, 30)])
    points = await DataPoint.select(DataPoint.id).where(DataPoint.measure == measure_id)
    return {"measure_id": measure_id, "point_id": points[0]["id"]}
