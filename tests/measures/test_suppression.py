"""Small-cell suppression: liaisons see small cells suppressed on every page and in the API,
exports always suppress them (with SEC-17 cells), the team sees the values with a note."""

from __future__ import annotations

import csv
import io
from datetime import date

from backend.measures.tables import DataPoint
from tests.measures.build import add_rates, make_measure
from tests.practice.html import tables_of, text_of

# Jan: 12/40 = 30%, Feb: 3/8 = 37.5% (a small cell under 10), Mar: 9/30 = 30%
PAIRS = [(12, 40), (3, 8), (9, 30)]


async def _rate_measure(world) -> int:
    measure_id = await make_measure(world.initiative_id, is_rate=True, name="Re-entry")
    await add_rates(measure_id, PAIRS)
    return measure_id


def _point_rows(html: str) -> list[list[str]]:
    table = next(t for t in tables_of(html) if "Data points of" in t["caption"])
    return [[cell[2] for cell in row] for row in table["bodies"][0]["rows"]]


async def test_a_liaison_sees_small_cells_suppressed_on_the_measure_page(client_as, world):
    measure_id = await _rate_measure(world)
    liaison = await client_as(world.users["liaison"])
    page = await liaison.get(f"/measures/{measure_id}")
    assert page.status_code == 200
    rows = _point_rows(page.text)
    assert rows[1][:4] == ["Feb 2025", "suppressed (fewer than 10)", "", ""]
    assert rows[0][:4] == ["Jan 2025", "30%", "12", "40"]
    text = text_of(page.text)
    assert "37.5" not in page.text and "3 of 8" not in text
    assert "1 period is suppressed because its denominator is under 10" in text
    # The chart draws a gap there, and its analysis leaves the point out.
    assert (
        "suppressed"
        in next(t for t in tables_of(page.text) if "by period" in t["caption"])["bodies"][0][
            "rows"
        ][1][1][2]
    )
    assert "Median 30%, over all 2 points" in text


async def test_the_team_sees_small_cells_with_a_note(client, world):
    measure_id = await _rate_measure(world)
    page = await client.get(f"/measures/{measure_id}")
    rows = _point_rows(page.text)
    assert rows[1][:4] == ["Feb 2025", "37.5% small cell", "3", "8"]
    text = text_of(page.text)
    assert "1 period has a denominator under 10 (small cells)" in text
    assert "liaisons and exports see it suppressed" in text
    assert "Median 30%, over all 3 points" in text


async def test_the_list_suppresses_a_small_latest_value_for_liaisons(client, client_as, world):
    measure_id = await make_measure(world.initiative_id, is_rate=True, name="Re-entry")
    await add_rates(measure_id, [(12, 40), (3, 8)])
    liaison = await client_as(world.users["liaison"])
    page = await liaison.get(f"/initiatives/{world.initiative_id}/measures")
    assert "Feb 2025: suppressed (fewer than 10)" in text_of(page.text)
    assert "37.5" not in page.text
    page = await client.get(f"/initiatives/{world.initiative_id}/measures")
    assert "Feb 2025: 37.5% small cell" in text_of(page.text)


async def test_the_api_suppresses_small_cells_for_liaisons_only(client, client_as, world):
    measure_id = await _rate_measure(world)
    liaison = await client_as(world.users["liaison"])
    body = (await liaison.get(f"/api/measures/{measure_id}")).json()
    feb = body["points"][1]
    assert feb["suppressed"] is True and feb["small_cell"] is True
    assert feb["value"] is None and feb["numerator"] is None and feb["denominator"] is None
    assert body["analysis"]["median"] == 30.0 and body["analysis"]["useful"] == 0
    listed = (await liaison.get(f"/api/initiatives/{world.initiative_id}/measures")).json()
    assert listed[0]["latest"]["value"] == 30.0  # March is not small
    team = (await client.get(f"/api/measures/{measure_id}")).json()
    feb = team["points"][1]
    assert feb["suppressed"] is False and feb["small_cell"] is True
    assert (feb["value"], feb["numerator"], feb["denominator"]) == (37.5, 3, 8)


async def test_the_export_always_suppresses_small_cells(client, client_as, world):
    measure_id = await _rate_measure(world)
    for person in (client, await client_as(world.users["liaison"])):
        response = await person.get(f"/measures/{measure_id}/export.csv")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        assert "attachment" in response.headers["content-disposition"]
        rows = list(csv.reader(io.StringIO(response.text)))
        assert rows[0][:5] == ["period", "period_start", "value", "numerator", "denominator"]
        assert rows[1][:5] == ["2025-01", "2025-01-01", "30", "12", "40"]
        assert rows[2][:5] == ["2025-02", "2025-02-01", "suppressed (fewer than 10)", "", ""]
        assert "37.5" not in response.text


async def test_the_export_neutralises_formulas(client, world):
    measure_id = await make_measure(world.initiative_id)
    await client.post_form(
        f"/measures/{measure_id}/points/new",
        {"period": "2025-01-01", "value": "3", "annotation": "=HYPERLINK(1)"},
    )
    response = await client.get(f"/measures/{measure_id}/export.csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[1][5] == "'=HYPERLINK(1)"


async def test_another_agency_cannot_export(client_as, world):
    measure_id = await _rate_measure(world)
    outsider = await client_as(world.users["other_lead"])
    response = await outsider.get(f"/measures/{measure_id}/export.csv")
    assert response.status_code == 404
    viewer = await client_as(world.users["viewer"])
    assert (await viewer.get(f"/measures/{measure_id}/export.csv")).status_code == 200


async def test_a_suppressed_point_shows_no_astronomical_flag(client, client_as, world):
    # A flag alone would say the hidden value was extreme.
    measure_id = await _rate_measure(world)
    await DataPoint.update({"astronomical": True, "astronomical_reason": "Office closed"}).where(
        (DataPoint.measure == measure_id) & (DataPoint.period_start == date(2025, 2, 1))
    )
    liaison = await client_as(world.users["liaison"])
    page = await liaison.get(f"/measures/{measure_id}")
    assert _point_rows(page.text)[1][5] == ""  # the Astronomical column
    assert "Office closed" not in page.text and "Astronomical point" not in page.text
    body = (await liaison.get(f"/api/measures/{measure_id}")).json()
    feb = body["points"][1]
    assert feb["astronomical"] is False and feb["astronomical_reason"] == ""
    for person in (client, liaison):
        response = await person.get(f"/measures/{measure_id}/export.csv")
        rows = list(csv.reader(io.StringIO(response.text)))
        assert rows[2][6:8] == ["", ""]
        assert "Office closed" not in response.text
    # The team sees the flag on its own page.
    page = await client.get(f"/measures/{measure_id}")
    assert _point_rows(page.text)[1][5] == "Yes: Office closed"


async def test_a_liaison_baseline_keeps_its_periods_when_some_are_suppressed(
    client, client_as, world
):
    # Ten baseline months, the first five small cells (60%, suppressed for a
    # liaison), the next five near 20%; then eight months near 23%.
    measure_id = await make_measure(world.initiative_id, is_rate=True, name="Re-entry")
    baseline = [(3, 5)] * 5 + [(19, 100), (20, 100), (21, 100), (20, 100), (22, 100)]
    after = [(23, 100), (24, 100), (23, 100), (22, 100), (23, 100), (24, 100), (23, 100), (25, 100)]
    await add_rates(measure_id, baseline + after)
    liaison = await client_as(world.users["liaison"])
    analysis = (await liaison.get(f"/api/measures/{measure_id}")).json()["analysis"]
    # The median of months 6 to 10 only, not of the first ten months shown (6 to 15).
    assert analysis["median"] == 20.0
    assert analysis["baseline_count"] == 5 and analysis["baseline_frozen"] is True
    page = await liaison.get(f"/measures/{measure_id}")
    text = text_of(page.text)
    assert (
        "Median 20%, over the 5 points shown of the first 10 periods "
        "(the baseline, to Oct 2025) and then held there" in text
    )
    assert "60%" not in text
    team = (await client.get(f"/api/measures/{measure_id}")).json()["analysis"]
    assert team["median"] == 41.0 and team["baseline_count"] == 10  # (22 + 60) / 2


async def test_a_liaison_sees_no_median_when_the_whole_baseline_is_suppressed(client_as, world):
    measure_id = await make_measure(world.initiative_id, is_rate=True, name="Re-entry")
    await add_rates(measure_id, [(3, 5)] * 10 + [(20, 100), (22, 100), (21, 100)])
    liaison = await client_as(world.users["liaison"])
    page = await liaison.get(f"/measures/{measure_id}")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Every point of the baseline (the first 10 periods) is suppressed" in text
    assert "no median (the baseline's points are suppressed)" in text.replace("&#39;", "'")
    body = (await liaison.get(f"/api/measures/{measure_id}")).json()
    assert body["analysis"]["median"] is None and body["analysis"]["signals"] == []
