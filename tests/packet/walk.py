"""Rows the route walk (tests/test_route_walk.py) fills path ids with."""


async def walk_ids(world) -> dict[str, object]:
    return {}
