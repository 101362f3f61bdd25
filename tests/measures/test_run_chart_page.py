"""The measure page's run chart: limits and signals in words for a series with a known
answer, sprints, releases and linked PDSA cycles on the time axis, the chart's text
alternatives with the stored numbers (A11Y-07), and constant query counts (PERF-01)."""

from __future__ import annotations

from datetime import date

from backend.measures.tables import DataPoint
from backend.pdsa.tables import PdsaCycle, PdsaMeasure
from backend.scrum import services as scrum
from tests.measures.build import BASELINE, SHIFTED, add_values, make_measure
from tests.practice.html import tables_of, text_of

# Seven low then seven high, none on the median of all 14 (16.5): 14 useful
# observations, 7 above and 7 below, so the exact runs distribution expects
# between 4 and 12 runs; there are only 2.
LOW_THEN_HIGH = [10, 12, 11, 13, 10, 12, 11, 20, 22, 21, 23, 20, 22, 21]


def _chart_table(html: str) -> dict:
    return next(t for t in tables_of(html) if t["caption"].endswith("by period"))


async def test_limits_and_signals_in_words_for_a_known_series(client, world):
    measure_id = await make_measure(world.initiative_id, baseline_points=None)
    await add_values(measure_id, LOW_THEN_HIGH)
    page = await client.get(f"/measures/{measure_id}")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "14 useful observations: runs expected between 4 and 12" in text
    assert "Too few runs: 2 runs where at least 4 are expected (14 useful observations)" in text
    assert "Shift: 7 points in a row below the median (Jan 2025 to Jul 2025)" in text
    assert "Shift: 7 points in a row above the median (Aug 2025 to Feb 2026)" in text
    assert "Median 16.5%, over all 14 points" in text
    # Drawn on the chart, by shape and by name, not by colour alone.
    assert page.text.count('data-rule="shift"') == 2
    assert 'data-rule="too_few_runs"' not in page.text  # about the whole chart: in words
    assert "run-chart__dot--square" in page.text


async def test_a_frozen_baseline_shows_the_shift_after_it(client, world):
    measure_id = await make_measure(world.initiative_id)
    await add_values(measure_id, BASELINE + SHIFTED)
    text = text_of((await client.get(f"/measures/{measure_id}")).text)
    assert "Median 30%, over the first 10 points" in text
    assert "Shift: 7 points in a row above the median (Nov 2025 to May 2026)" in text
    assert "a shift above the median (better) from Nov 2025" in text


async def test_the_anhoej_rules_when_the_measure_says_so(client, world):
    measure_id = await make_measure(world.initiative_id, baseline_points=None, rule_set="anhoej")
    await add_values(measure_id, LOW_THEN_HIGH)
    text = text_of((await client.get(f"/measures/{measure_id}")).text)
    # round(log2(14) + 3) = 7; the 5th percentile of Binomial(13, 0.5) is 4.
    assert "14 useful observations: longest run expected at most 7, crossings at least 4" in text
    assert "Few crossings: the points cross the median 1 time where at least 4" in text
    assert "Signals (Anhoej rules)" in text


async def test_fewer_than_ten_points_are_not_judged_for_runs(client, world):
    measure_id = await make_measure(world.initiative_id)
    await add_values(measure_id, [3, 5, 4])
    text = text_of((await client.get(f"/measures/{measure_id}")).text)
    assert "too few to judge runs (10 needed)" in text
    empty = await make_measure(world.initiative_id, name="Nothing yet")
    page = await client.get(f"/measures/{empty}")
    assert page.status_code == 200
    assert "No data points yet" in text_of(page.text)


async def test_sprints_releases_and_linked_pdsa_cycles_mark_the_time_axis(client, world):
    measure_id = await make_measure(world.initiative_id)
    await add_values(measure_id, BASELINE + SHIFTED)
    await scrum.create_sprint(
        world.initiative_id, {"start_date": date(2025, 10, 6), "end_date": date(2025, 10, 19)}
    )
    await scrum.create_release(
        world.initiative_id, {"name": "Kin-first intake", "target_date": date(2025, 11, 3)}
    )
    linked = await PdsaCycle.insert(
        PdsaCycle(
            initiative=world.initiative_id,
            change_idea="Call kin before placement",
            start_date=date(2025, 10, 1),
            end_date=date(2025, 10, 31),
        )
    ).returning(PdsaCycle.id)
    await PdsaMeasure.insert(PdsaMeasure(cycle=linked[0]["id"], measure=measure_id))
    await PdsaCycle.insert(
        PdsaCycle(
            initiative=world.initiative_id,
            change_idea="Unrelated cycle",
            start_date=date(2025, 10, 1),
        )
    )
    page = await client.get(f"/measures/{measure_id}")
    text = text_of(page.text)
    assert "Sprint 1 (6 Oct 2025 to 19 Oct 2025)" in text
    assert "Release: Kin-first intake (3 Nov 2025)" in text
    assert "PDSA cycle: Call kin before placement (1 Oct 2025 to 31 Oct 2025)" in text
    assert "Unrelated cycle" not in text
    assert 'data-kind="sprint"' in page.text and 'data-kind="pdsa"' in page.text
    assert 'data-kind="release"' in page.text
    # The table says which change happened in which period, before the shift.
    october = next(
        row
        for row in _chart_table(page.text)["bodies"][0]["rows"]
        if row[0][2].startswith("Oct 2025")
    )
    assert "Sprint 1" in october[4][2] and "Call kin before placement" in october[4][2]


async def test_the_chart_has_a_name_a_takeaway_and_a_table_of_the_stored_values(client, world):
    measure_id = await make_measure(world.initiative_id, unit="children", name="Kin placements")
    await add_values(measure_id, [12, 14.5, 9, 1250])
    page = await client.get(f"/measures/{measure_id}")
    assert 'role="img"' in page.text and "<title id=" in page.text
    assert "Run chart of Kin placements (higher is better)" in page.text
    assert 'class="takeaway"' in page.text
    stored = await (
        DataPoint.select(DataPoint.period_start, DataPoint.value)
        .where(DataPoint.measure == measure_id)
        .order_by(DataPoint.period_start)
    )
    rows = _chart_table(page.text)["bodies"][0]["rows"]
    shown = [float(row[1][2].split()[0].replace(",", "")) for row in rows]
    assert shown == [row["value"] for row in stored]
    assert [row[0][2].split(" (")[0] for row in rows] == [
        "Jan 2025",
        "Feb 2025",
        "Mar 2025",
        "Apr 2025",
    ]
    # The data points table below says the same.
    points = next(t for t in tables_of(page.text) if "Data points of" in t["caption"])
    values = [row[1][2] for row in points["bodies"][0]["rows"]]
    assert values == ["12 children", "14.5 children", "9 children", "1,250 children"]


async def test_the_measure_page_runs_the_same_queries_for_5_or_50_points(
    client, world, count_queries
):
    measure_id = await make_measure(world.initiative_id)
    await scrum.create_sprint(world.initiative_id, {"start_date": date(2025, 1, 6)})
    cycle = await PdsaCycle.insert(
        PdsaCycle(initiative=world.initiative_id, change_idea="Test", start_date=date(2025, 2, 1))
    ).returning(PdsaCycle.id)
    await PdsaMeasure.insert(PdsaMeasure(cycle=cycle[0]["id"], measure=measure_id))

    async def page_queries() -> int:
        with count_queries() as counted:
            page = await client.get(f"/measures/{measure_id}")
        assert page.status_code == 200
        return counted.count

    await add_values(measure_id, [1, 2, 3, 4, 5])
    few = await page_queries()
    await add_values(measure_id, list(range(45)), first=date(2025, 6, 1))
    for n in range(2, 6):
        await scrum.create_sprint(world.initiative_id, {"start_date": date(2025, n * 2, 1)})
    assert await DataPoint.count() == 50
    assert await page_queries() == few
