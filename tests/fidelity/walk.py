"""Rows the route walk (tests/test_route_walk.py) fills path ids with."""

from datetime import date

from tests.fidelity.build import assess, make_sites, rateable_profile


async def walk_ids(world) -> dict[str, object]:
    """An approved profile version, a site and one assessment rated against it."""
    version = await rateable_profile(world.initiative_id, components=1, behaviours=2)
    (site,) = await make_sites(world.agency_id, "Fidelity walk office")
    fidelity_id = await assess(
        world.initiative_id,
        version,
        site,
        date(2025, 3, 4),
        {version.b(0, 0): version.optimal, version.b(0, 1): version.developmental},
    )
    return {"fidelity_id": fidelity_id}
