"""Limits on what a data point may hold, the same in the form, the CSV import and the API:
at most 6 decimal places, a rate's numerator no more than its denominator, counts within
their bounds, and at most forms.POINTS_MAX points per measure. Each gets a clear 422."""

from __future__ import annotations

from datetime import date, timedelta

from backend.measures import forms, services
from backend.measures.tables import DataPoint
from tests.measures.build import add_values, make_measure
from tests.practice.html import text_of

TINY = "0." + "0" * 323 + "5"  # 5e-324: a float, but its chart would divide by zero


def _body(response) -> str:
    return text_of(response.text).replace("&#39;", "'")


async def _paste(client, measure_id: int, text: str, **extra):
    return await client.post_form(f"/measures/{measure_id}/import", {"csv_text": text, **extra})


async def _full(initiative_id: int) -> int:
    """A weekly measure that already holds the most points a measure may hold."""
    measure_id = await make_measure(initiative_id, period_kind="week", name="Weekly visits")
    first = date(2000, 1, 3)  # a Monday
    rows = [
        {"period_start": first + timedelta(weeks=i), "value": float(i % 7)}
        for i in range(forms.POINTS_MAX)
    ]
    await services.add_points(measure_id, rows, None)
    return measure_id


# ---------------------------------------------------------------- decimal places


async def test_a_value_with_too_many_decimal_places_is_refused_in_the_form(client, world):
    measure_id = await make_measure(world.initiative_id)
    url = f"/measures/{measure_id}/points/new"
    for typed in (TINY, "12.1234567", "0.0000001"):
        response = await client.post_form(url, {"period": "2025-01-01", "value": typed})
        assert response.status_code == 422, typed
        assert "Value must have at most 6 decimal places" in _body(response)
    assert await DataPoint.count() == 0
    # Trailing zeros are no decimal places: 12.5000000 is 12.5.
    for typed in ("12.123456", "12.5000000"):
        response = await client.post_form(url, {"period": "2025-02-01", "value": typed})
        assert response.status_code == 303, typed
        await DataPoint.delete().where(DataPoint.measure == measure_id)


async def test_a_value_with_too_many_decimal_places_is_refused_in_an_import(client, world):
    measure_id = await make_measure(world.initiative_id)
    response = await _paste(client, measure_id, f"2025-01,{TINY}\n2025-02,3.1234567\n2025-03,4\n")
    assert response.status_code == 422
    body = _body(response)
    assert "Row 1: value '0.00000000000000000000000000000000000000…' must have at most" in body
    assert "Row 2: value '3.1234567' must have at most 6 decimal places" in body
    assert "Row 3" not in body
    assert await DataPoint.count() == 0


async def test_a_value_with_too_many_decimal_places_is_refused_by_the_api(client, world):
    measure_id = await make_measure(world.initiative_id)
    url = f"/api/measures/{measure_id}/points"
    for value in (5e-324, 1e-7, 2.1234567):
        response = await client.send_json("POST", url, {"period": "2025-01-01", "value": value})
        assert response.status_code == 422, value
        assert response.json()["errors"] == {"value": "Value must have at most 6 decimal places"}
    response = await client.send_json("POST", url, {"period": "2025-01-01", "value": 0.123456})
    assert response.status_code == 201


async def test_a_chart_of_values_a_few_1e_324_apart_still_draws(client, world):
    # Saved before the limit (or by a script): the chart page must not fail.
    measure_id = await make_measure(world.initiative_id)
    await add_values(measure_id, [0.0, 5e-324, 0.0])
    page = await client.get(f"/measures/{measure_id}")
    assert page.status_code == 200
    assert "run-chart__svg" in page.text


# ---------------------------------------------------------------- rates


async def test_a_numerator_over_its_denominator_is_refused(client, world):
    measure_id = await make_measure(world.initiative_id, is_rate=True)
    response = await client.post_form(
        f"/measures/{measure_id}/points/new",
        {"period": "2025-01-01", "numerator": "41", "denominator": "40"},
    )
    assert response.status_code == 422
    assert (
        "Numerator 41 is more than the denominator 40: a rate counts part of its denominator"
        in _body(response)
    )
    assert 'value="41"' in response.text  # what was typed comes back
    response = await _paste(client, measure_id, "2025-01,12,40\n2025-02,50,40\n2025-03,7,7\n")
    assert response.status_code == 422
    body = _body(response)
    assert "Row 2: numerator 50 is more than the denominator 40" in body
    assert "Row 1" not in body and "Row 3" not in body
    response = await client.send_json(
        "POST",
        f"/api/measures/{measure_id}/points",
        {"period": "2025-01-01", "numerator": 41, "denominator": 40},
    )
    assert response.status_code == 422
    assert response.json()["errors"]["numerator"].startswith("Numerator 41 is more than")
    assert await DataPoint.count() == 0
    # All of the denominator is a rate of 100%.
    response = await client.post_form(
        f"/measures/{measure_id}/points/new",
        {"period": "2025-01-01", "numerator": "40", "denominator": "40"},
    )
    assert response.status_code == 303


async def test_an_edit_cannot_put_the_numerator_over_the_denominator(client, world):
    measure_id = await make_measure(world.initiative_id, is_rate=True)
    await services.add_points(
        measure_id, [{"period_start": date(2025, 1, 1), "numerator": 3, "denominator": 40}], None
    )
    (point,) = await DataPoint.select(DataPoint.id, DataPoint.version)
    response = await client.post_form(
        f"/points/{point['id']}/edit",
        {"period": "2025-01-01", "numerator": "45", "denominator": "40", "version": "1"},
    )
    assert response.status_code == 422
    assert "Numerator 45 is more than the denominator 40" in _body(response)
    assert (await DataPoint.select(DataPoint.numerator))[0]["numerator"] == 3


async def test_counts_out_of_bounds_say_the_bounds(client, world):
    measure_id = await make_measure(world.initiative_id, is_rate=True)
    text = "2025-01,5,2000000000\n2025-02,-3,10\n2025-03,5," + "9" * 30 + "\n"
    response = await _paste(client, measure_id, text)
    assert response.status_code == 422
    body = _body(response)
    assert "Row 1: denominator '2000000000' must be between 1 and 1,000,000,000" in body
    assert "Row 2: numerator '-3' must be between 0 and 1,000,000,000" in body
    assert "Row 3: denominator '" + "9" * 30 + "' must be between 1 and" in body
    assert "must be 0 or more" not in body
    response = await client.send_json(
        "POST",
        f"/api/measures/{measure_id}/points",
        {"period": "2025-01-01", "numerator": 1, "denominator": 2_000_000_000},
    )
    assert response.status_code == 422
    assert response.json()["errors"]["denominator"] == (
        "Denominator must be a whole number between 1 and 1,000,000,000"
    )


# ---------------------------------------------------------------- CSV header


async def test_every_wrong_header_column_is_listed(client, world):
    measure_id = await make_measure(world.initiative_id)
    response = await _paste(client, measure_id, "period,amount,value,extra,value\n2025-01,3")
    assert response.status_code == 422
    body = _body(response)
    assert "Row 1: column 2 'amount' is not one of period, value, annotation" in body
    assert "Row 1: column 4 'extra' is not one of period, value, annotation" in body
    assert "Row 1: column 5 is a second value column" in body
    assert await DataPoint.count() == 0


# ---------------------------------------------------------------- points per measure


async def test_a_measure_holds_at_most_the_most_points(client, world):
    measure_id = await _full(world.initiative_id)
    limit = f"A measure holds at most {forms.POINTS_MAX:,} data points"
    response = await client.post_form(
        f"/measures/{measure_id}/points/new", {"period": "2030-01-07", "value": "3"}
    )
    assert response.status_code == 422
    assert f"{limit} and this one would have 1,001" in _body(response)
    response = await client.send_json(
        "POST", f"/api/measures/{measure_id}/points", {"period": "2030-01-07", "value": 3}
    )
    assert response.status_code == 422
    assert response.json()["errors"]["period"].startswith(limit)
    response = await _paste(client, measure_id, "2030-01-07,3\n2030-01-14,4\n")
    assert response.status_code == 422
    assert f"{limit} and this one would have 1,002" in _body(response)
    assert await DataPoint.count().where(DataPoint.measure == measure_id) == forms.POINTS_MAX
    # Replacing saved values adds no point: allowed.
    response = await _paste(client, measure_id, "2000-01-03,5\n", replace="yes")
    assert response.status_code == 303
    # The run chart of a full measure still draws.
    page = await client.get(f"/measures/{measure_id}")
    assert page.status_code == 200 and "run-chart__svg" in page.text


async def test_an_import_of_more_rows_than_a_measure_holds_is_refused(client, world):
    measure_id = await make_measure(world.initiative_id, period_kind="week")
    first = date(2000, 1, 3)
    rows = [f"{(first + timedelta(weeks=i)).isoformat()},1" for i in range(forms.POINTS_MAX + 1)]
    response = await _paste(client, measure_id, "period,value\n" + "\n".join(rows))
    assert response.status_code == 422
    assert "There are more than 1,000 rows: a measure holds at most 1,000 data points" in _body(
        response
    )
    # Exactly the most, under a header row, is fine.
    response = await _paste(client, measure_id, "period,value\n" + "\n".join(rows[:-1]))
    assert response.status_code == 303
    assert await DataPoint.count() == forms.POINTS_MAX
