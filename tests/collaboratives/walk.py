"""Rows the route walk (tests/test_route_walk.py) fills path ids with."""

from datetime import date

from backend.collaboratives import cross_team, services
from backend.measures import services as measure_services


async def walk_ids(world) -> dict[str, object]:
    # world.initiative_id is a member team, and the walk's lead (its agency lead) is on
    # the faculty, so the lead may GET every page, the faculty's forms included.
    collaborative_id = await services.create_collaborative(
        {"name": "Walk collaborative", "topic": "Walk *topic*", "share_cycles": True}
    )
    await services.add_team(collaborative_id, world.initiative_id)
    await services.add_faculty(collaborative_id, world.lead)
    session_id = await services.add_session(
        collaborative_id,
        {
            "kind": "learning_session",
            "title": "Learning session 1",
            "start_date": date(2026, 1, 5),
            "end_date": date(2026, 1, 6),
        },
    )
    idea_id = await services.add_idea(collaborative_id, {"title": "Walk idea"})
    await services.adopt(collaborative_id, idea_id, world.initiative_id)
    # A shared measure with the team's measure linked, so the cross-team view draws a chart.
    shared_id = await cross_team.add_shared_measure(collaborative_id, "Walk shared", "", "%")
    walk_measure = await measure_services.create_measure(
        world.initiative_id, {"name": "Walk shared measure", "unit": "%"}, None
    )
    await measure_services.add_points(
        walk_measure, [{"period_start": date(2026, 1, 1), "value": 40.0}], None
    )
    await cross_team.link_measure(shared_id, walk_measure)
    return {
        "shared_id": shared_id,
        "collaborative_id": collaborative_id,
        "session_id": session_id,
        "idea_id": idea_id,
    }
