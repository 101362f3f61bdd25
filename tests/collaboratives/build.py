"""Builders of collaboratives for the tests, through the app's own services."""

from __future__ import annotations

from datetime import date

from backend.collaboratives import services
from backend.initiatives import services as initiatives


async def make_collaborative(
    name: str = "Safety and risk assessments", share_cycles: bool = True, **values
) -> int:
    return await services.create_collaborative(
        {
            "name": name,
            "topic": "Better **safety** decisions",
            "start_date": date(2026, 1, 1),
            "end_date": date(2027, 6, 30),
            "share_cycles": share_cycles,
            **values,
        }
    )


async def make_team(collaborative_id: int, agency_name: str, kind: str = "county") -> int:
    """A new agency with one initiative, made a member team; returns the initiative id."""
    slug = agency_name.lower().replace(" ", "-")
    agency = await initiatives.create_agency(agency_name, slug, "MA", kind)
    initiative = await initiatives.create_initiative(agency, f"{agency_name} safety work")
    await services.add_team(collaborative_id, initiative)
    return initiative


async def make_idea(collaborative_id: int, title: str = "Safety mapping at every visit") -> int:
    return await services.add_idea(
        collaborative_id, {"title": title, "description": "Map *dangers* and *safety*"}
    )


# ---- shared measures, the cross-team view and the feed (helper K2)


async def collaborative_of(
    initiative_ids: list[int], *, share_cycles: bool = True, faculty: list[int] = ()
) -> int:
    """A collaborative with these initiatives as member teams and these faculty."""
    from backend.collaboratives import services as collaboratives

    collaborative_id = await make_collaborative(share_cycles=share_cycles)
    for initiative_id in initiative_ids:
        await collaboratives.add_team(collaborative_id, initiative_id)
    for user_id in faculty:
        await collaboratives.add_faculty(collaborative_id, user_id)
    return collaborative_id


async def make_teams(agency_id: int, count: int) -> list[int]:
    """`count` more initiatives of an agency, to grow a collaborative."""
    from backend.initiatives import services as initiatives

    return [await initiatives.create_initiative(agency_id, f"Team {n + 1}") for n in range(count)]


async def shared_with_values(
    collaborative_id: int, series: dict[int, list[float]], **measure: object
) -> tuple[int, dict[int, int]]:
    """A shared measure and, per initiative, a measure with these values linked to it."""
    from backend.collaboratives import cross_team
    from tests.measures.build import add_values, make_measure

    shared_id = await cross_team.add_shared_measure(collaborative_id, "Timely assessments", "", "%")
    measures = {}
    for initiative_id, values in series.items():
        measure_id = await make_measure(initiative_id, name="Timely", **measure)
        await add_values(measure_id, values)
        await cross_team.link_measure(shared_id, measure_id)
        measures[initiative_id] = measure_id
    return shared_id, measures
