"""Rows the route walk (tests/test_route_walk.py) fills path ids with."""

from backend.pdsa import services
from backend.sites import services as sites


async def walk_ids(world) -> dict[str, object]:
    """A cycle with all four parts written (adapt) and a next cycle chained from it, at a
    site, so every page of a cycle renders its chain, its decision and its links."""
    site_id = await sites.create_site(world.agency_id, {"name": "Walk PDSA Office"})
    cycle_id = await services.create_cycle(
        world.initiative_id,
        {
            "change_idea": "Call fathers before the first meeting",
            "objective": "Learn whether a call helps",
            "prediction": "Half of the fathers come",
            "site": site_id,
            "ran_as_planned": "partly",
            "study": "A third came",
            "act_decision": "adapt",
        },
        world.lead,
    )
    await services.start_next(cycle_id, world.lead)
    return {"cycle_id": cycle_id}
