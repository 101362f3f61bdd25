"""Data point pages: add (periods normalised), rates, duplicates, edit with the astronomical
flag and its reason, stale edits (DATA-01), delete, and read-only fidelity points."""

from __future__ import annotations

from datetime import date

from backend.measures import services
from backend.measures.tables import DataPoint
from tests.measures.build import add_values, make_measure
from tests.practice.html import text_of


async def _points(measure_id: int) -> list[dict]:
    return await (
        DataPoint.select().where(DataPoint.measure == measure_id).order_by(DataPoint.period_start)
    )


async def test_a_point_is_saved_at_the_start_of_its_period(client, world):
    monthly = await make_measure(world.initiative_id)
    weekly = await make_measure(world.initiative_id, name="Weekly", period_kind="week")
    quarterly = await make_measure(world.initiative_id, name="Quarterly", period_kind="quarter")
    page = await client.get(f"/measures/{monthly}/points/new")
    assert page.status_code == 200
    assert 'for="field-period"' in page.text and 'for="field-value"' in page.text
    assert 'for="field-numerator"' not in page.text
    for measure_id, typed_day, saved in (
        (monthly, "2025-03-17", date(2025, 3, 1)),
        (weekly, "2025-03-06", date(2025, 3, 3)),  # a Thursday -> its Monday
        (quarterly, "2025-05-20", date(2025, 4, 1)),
    ):
        response = await client.post_form(
            f"/measures/{measure_id}/points/new",
            {"period": typed_day, "value": "12.5", "annotation": "New intake form"},
        )
        assert response.status_code == 303, response.text
        assert response.headers["location"].startswith(f"/measures/{measure_id}#point-")
        (row,) = await _points(measure_id)
        assert row["period_start"] == saved and row["value"] == 12.5
        assert row["annotation"] == "New intake form" and row["source"] == "entered"
        assert row["updated_by"] == world.lead


async def test_a_rate_point_takes_numerator_and_denominator(client, world):
    measure_id = await make_measure(world.initiative_id, is_rate=True)
    page = await client.get(f"/measures/{measure_id}/points/new")
    assert 'for="field-numerator"' in page.text and 'for="field-denominator"' in page.text
    assert 'for="field-value"' not in page.text
    response = await client.post_form(
        f"/measures/{measure_id}/points/new",
        {"period": "2025-01-01", "numerator": "12", "denominator": "40", "value": "99"},
    )
    assert response.status_code == 303
    (row,) = await _points(measure_id)
    assert (row["numerator"], row["denominator"], row["value"]) == (12, 40, 30.0)
    response = await client.post_form(
        f"/measures/{measure_id}/points/new",
        {"period": "2025-02-01", "numerator": "x", "denominator": "0"},
    )
    assert response.status_code == 422
    text = text_of(response.text)
    assert "Numerator must be a whole number" in text and "Denominator must be 1 or more" in text
    assert 'value="x"' in response.text


async def test_bad_point_input_is_refused_with_what_was_typed(client, world):
    measure_id = await make_measure(world.initiative_id)
    url = f"/measures/{measure_id}/points/new"
    response = await client.post_form(
        url, {"period": "March", "value": "n/a", "annotation": "Keep this note"}
    )
    assert response.status_code == 422
    assert "<title>Error:" in response.text
    text = text_of(response.text)
    assert "Period must be a real date like 2026-03-31" in text
    assert "Value must be a number like 42 or 12.5" in text
    assert 'value="March"' in response.text and 'value="n/a"' in response.text
    assert "Keep this note" in response.text
    for bad in ("nan", "inf", "1e400", "12,5"):
        response = await client.post_form(url, {"period": "2025-01-01", "value": bad})
        assert response.status_code == 422, bad
    response = await client.post_form(url, {"period": "", "value": ""})
    assert "Enter period" in response.text and "Enter value" in response.text
    assert await DataPoint.count() == 0


async def test_a_second_point_in_the_same_period_is_refused_naming_it(client, world):
    measure_id = await make_measure(world.initiative_id)
    await add_values(measure_id, [30])  # Jan 2025
    response = await client.post_form(
        f"/measures/{measure_id}/points/new", {"period": "2025-01-20", "value": "31"}
    )
    assert response.status_code == 422
    assert "2025-01 already has a value: edit that point instead" in response.text
    assert 'value="2025-01-20"' in response.text
    assert [p["value"] for p in await _points(measure_id)] == [30.0]


async def test_annotations_pass_the_personal_information_guard(client, world):
    measure_id = await make_measure(world.initiative_id)
    form = {"period": "2025-01-01", "value": "3", "annotation": "Mother born 3/4/1990, DOB"}
    response = await client.post_form(f"/measures/{measure_id}/points/new", form)
    assert response.status_code == 422
    assert "Annotation looks like it contains a date of birth" in response.text
    assert await DataPoint.count() == 0
    response = await client.post_form(
        f"/measures/{measure_id}/points/new", {**form, "pii_confirmed": "yes"}
    )
    assert response.status_code == 303


async def test_editing_a_point_and_flagging_it_astronomical_needs_a_reason(client, world):
    measure_id = await make_measure(world.initiative_id)
    await add_values(measure_id, [30, 31, 29, 80])
    point = (await _points(measure_id))[3]
    url = f"/points/{point['id']}/edit"
    page = await client.get(url)
    assert page.status_code == 200
    assert "Edit Apr 2025 of Kinship placements" in text_of(page.text)
    assert 'value="2025-04-01"' in page.text and 'value="80"' in page.text
    assert 'name="version" value="1"' in page.text
    form = {"period": "2025-04-01", "value": "80", "astronomical": "yes", "version": 1}
    response = await client.post_form(url, form)
    assert response.status_code == 422
    assert "Say why this point is astronomical" in response.text
    assert 'id="field-astronomical" name="astronomical" value="yes"' in response.text
    assert "checked" in response.text.split('id="field-astronomical"')[1].split(">")[0]
    response = await client.post_form(
        url, {**form, "astronomical_reason": "The offices closed for a storm"}
    )
    assert response.status_code == 303
    saved = (await _points(measure_id))[3]
    assert saved["astronomical"] is True and saved["version"] == 2
    assert saved["astronomical_reason"] == "The offices closed for a storm"
    page = await client.get(f"/measures/{measure_id}")
    text = text_of(page.text)
    assert "Astronomical point: Apr 2025 (The offices closed for a storm)" in text
    assert "Yes: The offices closed for a storm" in text


async def test_a_stale_point_edit_gets_409_and_keeps_what_was_typed(client, world):
    measure_id = await make_measure(world.initiative_id)
    await add_values(measure_id, [30, 31])
    point = (await _points(measure_id))[0]
    url = f"/points/{point['id']}/edit"
    form = {"period": "2025-01-01", "value": "33", "version": 1}
    assert (await client.post_form(url, form)).status_code == 303
    response = await client.post_form(url, {**form, "value": "34"})
    assert response.status_code == 409
    assert "Someone else" in response.text and 'value="34"' in response.text
    assert 'name="version" value="2"' in response.text
    assert (await _points(measure_id))[0]["value"] == 33.0
    # Moving a point onto a period that has one is refused, naming the period.
    response = await client.post_form(url, {**form, "period": "2025-02-10", "version": 2})
    assert response.status_code == 422
    assert "2025-02 already has a value in another point" in response.text


async def test_deleting_a_point(client, world):
    measure_id = await make_measure(world.initiative_id)
    await add_values(measure_id, [30, 31])
    point = (await _points(measure_id))[0]
    response = await client.post_form(f"/points/{point['id']}/delete", {"version": 7})
    assert response.status_code == 409 and await DataPoint.count() == 2
    response = await client.post_form(f"/points/{point['id']}/delete", {"version": 1})
    assert response.status_code == 303
    assert response.headers["location"] == f"/measures/{measure_id}#points"
    assert [p["value"] for p in await _points(measure_id)] == [31.0]
    response = await client.post_form(f"/points/{point['id']}/delete", {"version": 1})
    assert response.status_code == 404


async def test_fidelity_points_are_read_only_here(client, world):
    measure_id = await make_measure(world.initiative_id, kind="fidelity", name="Fidelity")
    await services.add_points(
        measure_id, [{"period_start": date(2025, 1, 1), "value": 75.0}], None, "fidelity"
    )
    point = (await _points(measure_id))[0]
    page = await client.get(f"/measures/{measure_id}")
    assert "Read-only: from fidelity assessments" in text_of(page.text)
    assert f"/points/{point['id']}/edit" not in page.text
    page = await client.get(f"/points/{point['id']}/edit")
    assert page.status_code == 200
    assert "read-only here" in page.text and 'name="value"' not in page.text
    for url, form in (
        (f"/points/{point['id']}/edit", {"period": "2025-01-01", "value": "1", "version": 1}),
        (f"/points/{point['id']}/delete", {"version": 1}),
    ):
        response = await client.post_form(url, form)
        assert response.status_code == 409, url
        assert "comes from fidelity assessments" in response.text
    assert (await _points(measure_id))[0]["value"] == 75.0
    # The CSV import and the form cannot take its period either.
    response = await client.post_form(
        f"/measures/{measure_id}/points/new", {"period": "2025-01-01", "value": "1"}
    )
    assert response.status_code == 422


async def test_only_the_team_writes_points(client_as, world):
    measure_id = await make_measure(world.initiative_id)
    await add_values(measure_id, [30])
    point = (await _points(measure_id))[0]
    member = await client_as(world.users["team_member"])
    response = await member.post_form(
        f"/measures/{measure_id}/points/new", {"period": "2025-02-01", "value": "3"}
    )
    assert response.status_code == 303
    for role in ("viewer", "liaison"):
        person = await client_as(world.users[role])
        assert (await person.get(f"/measures/{measure_id}/points/new")).status_code == 403
        assert (await person.get(f"/points/{point['id']}/edit")).status_code == 403
        response = await person.post_form(
            f"/measures/{measure_id}/points/new", {"period": "2025-03-01", "value": "3"}
        )
        assert response.status_code == 403
        response = await person.post_form(
            f"/points/{point['id']}/edit", {"period": "2025-01-01", "value": "9", "version": 1}
        )
        assert response.status_code == 403
        response = await person.post_form(f"/points/{point['id']}/delete", {"version": 1})
        assert response.status_code == 403
    outsider = await client_as(world.users["other_lead"])
    assert (await outsider.get(f"/points/{point['id']}/edit")).status_code == 404
    response = await outsider.post_form(f"/points/{point['id']}/delete", {"version": 1})
    assert response.status_code == 404
    assert await DataPoint.count() == 2
