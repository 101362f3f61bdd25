"""CSV import: pasted or uploaded rows, a message per bad row, nothing saved unless all are
right (DATA-02), replacing saved values only when asked."""

from __future__ import annotations

from datetime import date

from backend.measures import services
from backend.measures.csv_import import MAX_BYTES
from backend.measures.tables import DataPoint
from tests.measures.build import add_values, make_measure
from tests.practice.html import text_of


async def _values(measure_id: int) -> dict[date, float]:
    rows = await DataPoint.select(DataPoint.period_start, DataPoint.value).where(
        DataPoint.measure == measure_id
    )
    return {row["period_start"]: row["value"] for row in rows}


async def _paste(client, measure_id: int, text: str, **extra):
    return await client.post_form(f"/measures/{measure_id}/import", {"csv_text": text, **extra})


async def _upload(client, measure_id: int, content: bytes, name: str = "points.csv", **extra):
    token = await client.csrf_token()
    return await client.post(
        f"/measures/{measure_id}/import",
        data={"_csrf_token": token, "csv_text": "", **extra},
        files={"csv_file": (name, content, "text/csv")},
    )


async def test_the_import_page_explains_the_columns(client, world):
    measure_id = await make_measure(world.initiative_id, is_rate=True)
    page = await client.get(f"/measures/{measure_id}/import")
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.text
    text = text_of(page.text)
    assert "period, numerator, denominator, annotation" in text
    assert "2025-03-01 or 2025-03" in text
    for field in ("csv_text", "csv_file", "replace"):
        assert f'for="field-{field}"' in page.text


async def test_pasted_rows_are_imported_with_or_without_a_header(client, world):
    measure_id = await make_measure(world.initiative_id)
    response = await _paste(
        client,
        measure_id,
        "2025-01,30\n2025-02-14,31.5,Half-day closure\n\n2025-03-01,29\n",
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/measures/{measure_id}?imported=3#points"
    page = await client.get(response.headers["location"])
    assert "3 data points imported." in page.text
    assert await _values(measure_id) == {
        date(2025, 1, 1): 30.0,
        date(2025, 2, 1): 31.5,
        date(2025, 3, 1): 29.0,
    }
    row = (await DataPoint.select().where(DataPoint.period_start == date(2025, 2, 1)))[0]
    assert row["annotation"] == "Half-day closure" and row["source"] == "imported"
    # A header may give the columns in another order.
    response = await _paste(
        client, measure_id, 'Annotation,Value,Period\n"Storm, offices shut",12,2025-04\n'
    )
    assert response.status_code == 303
    row = (await DataPoint.select().where(DataPoint.period_start == date(2025, 4, 1)))[0]
    assert row["value"] == 12.0 and row["annotation"] == "Storm, offices shut"


async def test_rates_and_quarters(client, world):
    measure_id = await make_measure(
        world.initiative_id, is_rate=True, period_kind="quarter", name="Re-entry"
    )
    response = await _paste(client, measure_id, "2025-Q1,30,100\n2025-04,20,100\n2025-07-15,1,4")
    assert response.status_code == 303
    rows = await DataPoint.select().where(DataPoint.measure == measure_id)
    got = {r["period_start"]: (r["numerator"], r["denominator"], r["value"]) for r in rows}
    assert got == {
        date(2025, 1, 1): (30, 100, 30.0),
        date(2025, 4, 1): (20, 100, 20.0),
        date(2025, 7, 1): (1, 4, 25.0),
    }


async def test_every_bad_row_is_reported_and_nothing_is_saved(client, world):
    measure_id = await make_measure(world.initiative_id)
    await add_values(measure_id, [30, 31])  # Jan and Feb 2025
    before = await DataPoint.count()
    text = "\n".join(
        [
            "period,value,annotation",  # row 1
            "2025-03,29",  # 2: fine
            "2025-04,28",  # 3: fine
            "March,27",  # 4: not a date
            "2025-02,33",  # 5: saved already
            "2025-13,30",  # 6: no such month
            "2025-05,n/a",  # 7: not a number
            "2025-06,",  # 8: missing value
            "2025-04-20,26",  # 9: April again
        ]
    )
    response = await _paste(client, measure_id, text)
    assert response.status_code == 422
    assert "<title>Error:" in response.text
    body = text_of(response.text)
    assert "nothing was imported" in body
    for message in (
        "Row 4: 'March' is not a date (use 2025-03-01 or 2025-03)",
        "Row 5: 2025-02 already has a value (tick 'Replace existing values' to overwrite)",
        "Row 6: '2025-13' is not a date",
        "Row 7: value 'n/a' is not a number",
        "Row 8: the value is missing",
        "Row 9: 2025-04 appears twice (rows 3 and 9)",
    ):
        assert message in body.replace("&#39;", "'"), message
    assert "Row 2" not in body
    assert await DataPoint.count() == before
    assert "2025-05,n/a" in response.text  # the rows come back to be fixed
    assert 'href="#field-csv_text"' in response.text


async def test_replace_existing_values_when_ticked(client, world):
    measure_id = await make_measure(world.initiative_id)
    await add_values(measure_id, [30, 31], annotation="Kept")
    point = (await DataPoint.select().where(DataPoint.period_start == date(2025, 1, 1)))[0]
    await DataPoint.update(
        {DataPoint.astronomical: True, DataPoint.astronomical_reason: "Storm"}
    ).where(DataPoint.id == point["id"])
    response = await _paste(client, measure_id, "2025-01,40\n2025-03,32", replace="yes")
    assert response.status_code == 303
    assert await _values(measure_id) == {
        date(2025, 1, 1): 40.0,
        date(2025, 2, 1): 31.0,
        date(2025, 3, 1): 32.0,
    }
    replaced = (await DataPoint.select().where(DataPoint.id == point["id"]))[0]
    assert replaced["annotation"] == "Kept" and replaced["astronomical"] is True
    assert replaced["version"] == 2 and replaced["source"] == "imported"


async def test_fidelity_points_are_never_replaced_by_an_import(client, world):
    measure_id = await make_measure(world.initiative_id, kind="fidelity")
    await services.add_points(
        measure_id, [{"period_start": date(2025, 1, 1), "value": 75.0}], None, "fidelity"
    )
    response = await _paste(client, measure_id, "2025-01,10", replace="yes")
    assert response.status_code == 422
    assert "Row 1: 2025-01 comes from fidelity assessments and cannot be replaced here" in (
        text_of(response.text)
    )
    assert await _values(measure_id) == {date(2025, 1, 1): 75.0}


async def test_a_rate_row_needs_whole_numbers(client, world):
    measure_id = await make_measure(world.initiative_id, is_rate=True)
    response = await _paste(client, measure_id, "2025-01,3.5,10\n2025-02,3,0\n2025-03,3\n")
    assert response.status_code == 422
    body = text_of(response.text).replace("&#39;", "'")
    assert "Row 1: numerator '3.5' is not a whole number" in body
    assert "Row 2: denominator '0' must be between 1 and 1,000,000,000" in body
    assert "Row 3: the denominator is missing" in body
    assert await DataPoint.count() == 0


async def test_a_wrong_header_or_too_many_columns_is_named(client, world):
    measure_id = await make_measure(world.initiative_id)
    response = await _paste(client, measure_id, "period,amount\n2025-01,3")
    assert response.status_code == 422
    body = text_of(response.text).replace("&#39;", "'")
    assert "Row 1: column 2 'amount' is not one of period, value, annotation" in body
    response = await _paste(client, measure_id, "2025-01,3,a note, with a comma")
    assert response.status_code == 422
    assert "Row 1: 4 columns, but at most 3" in text_of(response.text)
    response = await _paste(client, measure_id, "   \n\n")
    assert response.status_code == 422
    assert "There are no rows to import" in response.text
    assert await DataPoint.count() == 0


async def test_an_uploaded_file_is_imported(client, world):
    measure_id = await make_measure(world.initiative_id)
    content = "\ufeffperiod,value\r\n2025-01,30\r\n2025-02,31\r\n".encode()  # Excel's BOM
    response = await _upload(client, measure_id, content)
    assert response.status_code == 303, response.text
    assert await _values(measure_id) == {date(2025, 1, 1): 30.0, date(2025, 2, 1): 31.0}


async def test_a_bad_file_is_reported_per_row_and_nothing_is_saved(client, world):
    measure_id = await make_measure(world.initiative_id)
    response = await _upload(client, measure_id, b"2025-01,30\n2025-01,31\nsoon,32\n")
    assert response.status_code == 422
    body = text_of(response.text).replace("&#39;", "'")
    assert "Row 2: 2025-01 appears twice (rows 1 and 2)" in body
    assert "Row 3: 'soon' is not a date" in body
    assert "Fix the file and choose it again" in body
    assert 'href="#field-csv_file"' in response.text
    assert await DataPoint.count() == 0
    response = await _upload(client, measure_id, b"\xff\xfe2\x00")
    assert response.status_code == 422 and "is not text in UTF-8" in response.text


async def test_a_file_over_1_mb_is_refused_with_413(client, world):
    measure_id = await make_measure(world.initiative_id)
    content = b"2025-01,30\n" + b"x" * MAX_BYTES
    response = await _upload(client, measure_id, content)
    assert response.status_code == 413
    assert "The file is larger than 1 MB: import the data in parts" in response.text
    response = await _paste(client, measure_id, "x" * (MAX_BYTES + 1))
    assert response.status_code == 413
    assert await DataPoint.count() == 0


async def test_pasting_and_choosing_a_file_at_once_is_refused(client, world):
    measure_id = await make_measure(world.initiative_id)
    token = await client.csrf_token()
    response = await client.post(
        f"/measures/{measure_id}/import",
        data={"_csrf_token": token, "csv_text": "2025-01,3"},
        files={"csv_file": ("a.csv", b"2025-02,4", "text/csv")},
    )
    assert response.status_code == 422
    assert "Paste rows or choose a file, not both" in response.text
    assert await DataPoint.count() == 0


async def test_annotations_in_a_file_pass_the_personal_information_guard(client, world):
    measure_id = await make_measure(world.initiative_id)
    text = "2025-01,30,Call 617-555-0134\n2025-02,31,Fine"
    response = await _paste(client, measure_id, text)
    assert response.status_code == 422
    assert "Row 1: the annotation looks like it contains a phone number" in response.text
    assert await DataPoint.count() == 0
    response = await _paste(client, measure_id, text, pii_confirmed="yes")
    assert response.status_code == 303 and await DataPoint.count() == 2


async def test_only_the_team_imports(client_as, world):
    measure_id = await make_measure(world.initiative_id)
    for role in ("viewer", "liaison"):
        person = await client_as(world.users[role])
        assert (await person.get(f"/measures/{measure_id}/import")).status_code == 403
        assert (await _paste(person, measure_id, "2025-01,3")).status_code == 403
    outsider = await client_as(world.users["other_lead"])
    assert (await _paste(outsider, measure_id, "2025-01,3")).status_code == 404
    member = await client_as(world.users["team_member"])
    assert (await _paste(member, measure_id, "2025-01,3")).status_code == 303
    assert await DataPoint.count() == 1


async def test_a_failure_mid_import_leaves_nothing_half_done(client, world, monkeypatch):
    """DATA-02: the replaced value is written first; when the insert after it fails,
    the replacement is rolled back with it."""
    measure_id = await make_measure(world.initiative_id)
    await add_values(measure_id, [30])

    def broken_insert(*rows, **kw):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(DataPoint, "insert", broken_insert)
    rows = [
        {"period_start": date(2025, 1, 1), "value": 99.0},
        {"period_start": date(2025, 2, 1), "value": 98.0},
    ]
    try:
        await services.add_points(measure_id, rows, None, "imported", replace=True)
    except RuntimeError:
        pass
    else:
        raise AssertionError("the import should have failed")
    monkeypatch.undo()
    assert await _values(measure_id) == {date(2025, 1, 1): 30.0}
    row = (await DataPoint.select().where(DataPoint.measure == measure_id))[0]
    assert row["version"] == 1 and row["source"] == "entered"
