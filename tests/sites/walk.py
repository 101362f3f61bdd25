"""Rows the route walk (tests/test_route_walk.py) fills path ids with."""

from backend.sites import services


async def walk_ids(world) -> dict[str, object]:
    """A site of the first agency, so its edit and delete pages render."""
    site_id = await services.create_site(
        world.agency_id, {"name": "Walk Area Office", "rollout_phase": "pilot"}
    )
    return {"site_id": site_id}
