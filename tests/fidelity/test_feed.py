"""Fidelity feeds a measure: the fidelity-sourced data points of a fidelity measure are
recomputed on every create, edit and delete of an assessment; entered points stay."""

from __future__ import annotations

from datetime import date

from backend.fidelity import feed
from backend.measures.tables import DataPoint, Measure
from backend.practice.queries import profile_or_404
from tests.fidelity.build import assess, hand_built, make_sites, rateable_profile


async def _measure(initiative_id: int, intervention_id: int | None, **values) -> int:
    rows = await Measure.insert(
        Measure(
            initiative=initiative_id,
            name=values.pop("name", "Fidelity to the practice profile"),
            kind=values.pop("kind", "fidelity"),
            unit="%",
            is_rate=True,
            fidelity_intervention=intervention_id,
            **values,
        )
    ).returning(Measure.id)
    return rows[0]["id"]


async def _points(measure_id: int) -> dict[date, tuple]:
    rows = await DataPoint.select().where(DataPoint.measure == measure_id)
    return {
        r["period_start"]: (r["numerator"], r["denominator"], round(r["value"], 2), r["source"])
        for r in rows
    }


async def test_a_fidelity_measure_gets_a_point_per_period_from_the_ratings(world):
    # Measures exist first: every assessment saved feeds them.
    v1 = await rateable_profile(world.initiative_id)
    intervention = (await profile_or_404(v1.id))["intervention"]
    monthly = await _measure(world.initiative_id, intervention, period_kind="month")
    quarterly = await _measure(world.initiative_id, intervention, period_kind="quarter")
    weekly = await _measure(world.initiative_id, intervention, period_kind="week")
    outcome = await _measure(world.initiative_id, intervention, kind="outcome")
    unfed = await _measure(world.initiative_id, None)
    (north,) = await make_sites(world.agency_id, "North Area Office")
    await assess(
        world.initiative_id,
        v1,
        north,
        date(2025, 1, 15),
        {v1.b(0, 0): v1.optimal, v1.b(0, 1): v1.developmental, v1.b(1, 0): v1.optimal},
    )
    await assess(world.initiative_id, v1, north, date(2025, 1, 16), {v1.b(1, 1): v1.unacceptable})
    await assess(world.initiative_id, v1, north, date(2025, 3, 31), {v1.b(0, 0): v1.optimal})
    assert await _points(monthly) == {
        date(2025, 1, 1): (2, 4, 50.0, "fidelity"),
        date(2025, 3, 1): (1, 1, 100.0, "fidelity"),
    }
    assert await _points(quarterly) == {date(2025, 1, 1): (3, 5, 60.0, "fidelity")}
    assert await _points(weekly) == {
        date(2025, 1, 13): (2, 4, 50.0, "fidelity"),  # Wednesday and Thursday: one week
        date(2025, 3, 31): (1, 1, 100.0, "fidelity"),  # a Monday
    }
    assert await _points(outcome) == {}
    assert await _points(unfed) == {}


async def test_versions_one_and_two_feed_one_measure_and_other_profiles_do_not(client, world):
    built = await hand_built(world)
    other = await rateable_profile(world.initiative_id)  # another intervention
    await assess(
        world.initiative_id, other, built.north, date(2025, 1, 3), {other.b(0, 0): other.optimal}
    )
    measure = await _measure(world.initiative_id, built.intervention_id, period_kind="quarter")
    await feed.refresh_measures(world.initiative_id)
    # By hand (test_rollup.py): Q1 = 1 of 5 + 3 of 4; Q2 = 3 of 4 + 2 of 3.
    assert await _points(measure) == {
        date(2025, 1, 1): (4, 9, 44.44, "fidelity"),
        date(2025, 4, 1): (5, 7, 71.43, "fidelity"),
    }


async def test_edits_and_deletes_recompute_points_and_entered_points_stay(client, world):
    built = await hand_built(world)
    measure = await _measure(world.initiative_id, built.intervention_id, period_kind="month")
    await DataPoint.insert(
        DataPoint(measure=measure, period_start=date(2025, 2, 1), value=12.0, source="entered")
    )
    await feed.refresh_measures(world.initiative_id)
    points = await _points(measure)
    assert points[date(2025, 1, 1)] == (3, 4, 75.0, "fidelity")  # A1
    assert points[date(2025, 2, 1)] == (None, None, 12.0, "entered")  # A2 feeds nothing here
    assert points[date(2025, 3, 1)] == (0, 2, 0.0, "fidelity")  # A6
    assert points[date(2025, 6, 1)] == (1, 1, 100.0, "fidelity")  # A5
    # A person annotates the June point; an edit of A5 keeps the row and its words.
    await DataPoint.update({DataPoint.annotation: "New coach started"}).where(
        (DataPoint.measure == measure) & (DataPoint.period_start == date(2025, 6, 1))
    )
    v1 = built.v1
    a5 = built.ids["A5"]
    form = {
        "site_id": str(built.south),
        "method": "observation",
        "assessed_on": "2025-06-01",
        "assessor": "",
        "notes": "",
        "version": "1",
        f"b-{v1.behaviours[0][0]}": str(v1.developmental),
        f"b-{v1.behaviours[0][1]}": str(v1.optimal),
    }
    assert (await client.post_form(f"/fidelity/{a5}/edit", form)).status_code == 303
    june = await DataPoint.select().where(
        (DataPoint.measure == measure) & (DataPoint.period_start == date(2025, 6, 1))
    )
    assert (june[0]["numerator"], june[0]["denominator"], june[0]["value"]) == (1, 2, 50.0)
    assert june[0]["annotation"] == "New coach started"
    assert june[0]["version"] == 2
    # Deleting the only assessment of a month takes its point away.
    response = await client.post_form(f"/fidelity/{a5}/delete", {"version": "2"})
    assert response.status_code == 303
    points = await _points(measure)
    assert date(2025, 6, 1) not in points
    assert points[date(2025, 2, 1)] == (None, None, 12.0, "entered")
    assert points[date(2025, 5, 1)] == (2, 3, 66.67, "fidelity")  # A4


async def test_a_new_assessment_through_the_api_feeds_the_measure_at_once(client, world):
    v1 = await rateable_profile(world.initiative_id)
    intervention = (await profile_or_404(v1.id))["intervention"]
    measure = await _measure(world.initiative_id, intervention, period_kind="quarter")
    (north,) = await make_sites(world.agency_id, "North Area Office")
    body = {
        "profile_id": v1.id,
        "site_id": north,
        "method": "self_report",
        "assessed_on": "2025-08-09",
        "ratings": [
            {"behaviour_id": v1.behaviours[0][0], "level_id": v1.optimal},
            {"behaviour_id": v1.behaviours[0][1], "level_id": v1.optimal},
            {"behaviour_id": v1.behaviours[1][0], "level_id": v1.developmental},
        ],
    }
    url = f"/api/initiatives/{world.initiative_id}/fidelity-assessments"
    assert (await client.send_json("POST", url, body)).status_code == 201
    assert await _points(measure) == {date(2025, 7, 1): (2, 3, 66.67, "fidelity")}


async def test_a_fidelity_measure_made_or_changed_on_its_page_is_fed_at_once(client, world):
    v1 = await rateable_profile(world.initiative_id)
    intervention = (await profile_or_404(v1.id))["intervention"]
    (north,) = await make_sites(world.agency_id, "North Area Office")
    await assess(world.initiative_id, v1, north, date(2025, 1, 15), {v1.b(0, 0): v1.optimal})
    form = {
        "name": "Rated at fidelity",
        "kind": "fidelity",
        "unit": "%",
        "is_rate": "on",
        "direction": "up",
        "period_kind": "month",
        "rule_set": "ihi",
        "baseline_points": "10",
        "small_cell_threshold": "10",
        "fidelity_intervention": str(intervention),
    }
    made = await client.post_form(f"/initiatives/{world.initiative_id}/measures/new", form)
    assert made.status_code == 303, made.text
    measure = int(made.headers["location"].rsplit("/", 1)[-1])
    assert await _points(measure) == {date(2025, 1, 1): (1, 1, 100.0, "fidelity")}
    # No longer fed: the fed points go (nobody could edit or delete them).
    changed = await client.post_form(
        f"/measures/{measure}/edit", {**form, "fidelity_intervention": "", "version": "1"}
    )
    assert changed.status_code == 303, changed.text
    assert await _points(measure) == {}
    again = await client.post_form(f"/measures/{measure}/edit", {**form, "version": "2"})
    assert again.status_code == 303, again.text
    assert await _points(measure) == {date(2025, 1, 1): (1, 1, 100.0, "fidelity")}
