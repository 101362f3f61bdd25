"""Rows the route walk (tests/test_route_walk.py) fills path ids with."""

from backend.practice import queries, services
from tests.practice.build import make_profile, set_status


async def walk_ids(world) -> dict[str, object]:
    """An intervention whose profile has an approved version 1 and a draft version 2
    (copied from it); the ids are version 2's, so every edit form renders and the
    diff page has a version to compare with."""
    made = await make_profile(world.initiative_id, components=1, behaviours=1, user_id=world.lead)
    await set_status(made["profile_id"], "approved")
    v2 = await services.new_version(made["profile_id"], world.lead, "Walk changes")
    rubric = await queries.rubric(v2)
    component = rubric["components"][0]
    return {
        "intervention_id": made["intervention_id"],
        "profile_id": v2,
        "component_id": component["id"],
        "behaviour_id": component["behaviours"][0]["id"],
    }
