"""Rows the route walk (tests/test_route_walk.py) fills path ids with."""


async def walk_ids(world) -> dict[str, object]:
    # The packet's CSV route takes a table name (an allowlist), not an id.
    return {"table": "sprints.csv"}
