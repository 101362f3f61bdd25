"""The fidelity roll-up: shares by core component x site x quarter, versions 1 and 2
together by lineage, as a table, small multiples and JSON, each equal to numbers
worked out by hand; filters; constant queries (PERF-01)."""

from __future__ import annotations

import re
from datetime import date

from backend.fidelity import rollup
from backend.fidelity.queries import fidelity_levels
from tests.fidelity.build import assess, hand_built, make_sites, rateable_profile
from tests.fidelity.html import rollup_cells, text_of

# By hand, from tests/fidelity/build.py hand_built (O = meets fidelity):
# Parent voice (behaviours 1.1, 1.2), versions 1 and 2:
#   North Q1: A1 O D = 1 of 2; South Q1: A2 U D + A6 D = 0 of 3
#   North Q2: A3 O O + A4 D = 2 of 3; South Q2: A5 O = 1 of 1
# Component 2 (behaviours 2.1, 2.2):
#   North Q1: A1 O O = 2 of 2; South Q1: A2 O + A6 U = 1 of 2
#   North Q2: A3 D + A4 O O = 2 of 3; South Q2: nothing
EXPECTED = {
    ("c1", "north", "2025-Q1"): "1 of 2 (50%)",
    ("c1", "south", "2025-Q1"): "0 of 3 (0%)",
    ("c1", "north", "2025-Q2"): "2 of 3 (67%)",
    ("c1", "south", "2025-Q2"): "1 of 1 (100%)",
    ("c1", "all", "2025-Q1"): "1 of 5 (20%)",
    ("c1", "all", "2025-Q2"): "3 of 4 (75%)",
    ("c2", "north", "2025-Q1"): "2 of 2 (100%)",
    ("c2", "south", "2025-Q1"): "1 of 2 (50%)",
    ("c2", "north", "2025-Q2"): "2 of 3 (67%)",
    ("c2", "south", "2025-Q2"): "–",
    ("c2", "all", "2025-Q1"): "3 of 4 (75%)",
    ("c2", "all", "2025-Q2"): "2 of 3 (67%)",
}


def _keys(built):
    lineages = [c["lineage"] for c in built.v1.rubric["components"]]
    return (
        {"c1": lineages[0], "c2": lineages[1]},
        {"north": str(built.north), "south": str(built.south), "all": "all"},
    )


async def test_the_rollup_table_and_charts_show_the_shares_worked_out_by_hand(client, world):
    built = await hand_built(world)
    components, sites = _keys(built)
    response = await client.get(f"/initiatives/{world.initiative_id}/fidelity?period=quarter")
    assert response.status_code == 200
    table, markers = rollup_cells(response.text)
    for (c, s, period), text in EXPECTED.items():
        assert table[(components[c], sites[s], period)] == text, (c, s, period)
    # A11Y-07: every marker of the small multiples says the same as its table cell.
    assert markers, "no chart markers"
    for (lineage, site, period), (met, rated) in markers.items():
        assert table[(lineage, site, period)].startswith(f"{met} of {rated} ("), (site, period)
    drawn = {k for k, v in table.items() if v != "–" and k[1] != "all"}
    assert set(markers) == drawn
    words = text_of(response.text)
    # The newest version's name, and which versions were counted.
    assert "Parent voice (Fathers as partners; ratings of versions 1 and 2)" in words
    assert "Component 2 (Fathers as partners; ratings of versions 1 and 2)" in words
    assert "9 of 16 ratings (56%) were at or above the fidelity level" in words
    # Totals per component and site over every quarter.
    assert "4 of 9 (44%)" in words and "5 of 7 (71%)" in words


async def test_each_small_multiple_is_an_image_with_a_name_and_a_takeaway(client, world):
    built = await hand_built(world)
    components, _ = _keys(built)
    html = (await client.get(f"/initiatives/{world.initiative_id}/fidelity?period=quarter")).text
    assert html.count('role="img"') == 2
    key = f"fm-{components['c1']}"
    assert f'aria-labelledby="{key}-title {key}-desc"' in html
    assert (
        f'<title id="{key}-title">Fidelity of Parent voice: share of ratings at or above the '
        "fidelity level by site and quarter, 0 to 100%</title>"
    ) in html
    takeaway = (
        "Parent voice: all sites together went from 20% in Q1 2025 to 75% in Q2 2025; "
        "in Q2 2025 highest at South Area Office (100%), lowest at North Area Office (67%)."
    )
    assert f'<p class="takeaway" id="{key}-takeaway">{takeaway}</p>' in html
    assert f'<desc id="{key}-desc">{takeaway}</desc>' in html
    # Sites are told apart without colour: shapes and line patterns in words, and a
    # direct label at the end of each line.
    assert "Solid line with circles: North Area Office" in html
    assert "Dashed line with squares: South Area Office" in html
    assert ">North Area Office 67%</text>" in html
    assert ">South Area Office 100%</text>" in html


async def test_the_api_gives_the_same_numbers(client, world):
    built = await hand_built(world)
    components, _ = _keys(built)
    response = await client.get(f"/api/initiatives/{world.initiative_id}/fidelity?period=quarter")
    assert response.status_code == 200
    body = response.json()
    assert body["periods"] == ["2025-Q1", "2025-Q2"]
    assert (body["met"], body["rated"]) == (9, 16)
    by_lineage = {c["lineage"]: c for c in body["components"]}
    first = by_lineage[components["c1"]]
    assert first["name"] == "Parent voice"
    assert first["profile_numbers"] == [1, 2]
    assert (first["met"], first["rated"]) == (4, 9)
    cells = {
        (c["site_name"], c["period"]): (c["met"], c["rated"], c["percent"]) for c in first["cells"]
    }
    assert cells == {
        ("North Area Office", "2025-Q1"): (1, 2, 50),
        ("South Area Office", "2025-Q1"): (0, 3, 0),
        ("North Area Office", "2025-Q2"): (2, 3, 67),
        ("South Area Office", "2025-Q2"): (1, 1, 100),
    }
    totals = {t["period"]: (t["met"], t["rated"]) for t in first["totals"]}
    assert totals == {"2025-Q1": (1, 5), "2025-Q2": (3, 4)}
    second = by_lineage[components["c2"]]
    assert {(c["site_name"], c["period"]) for c in second["cells"]} == {
        ("North Area Office", "2025-Q1"),
        ("South Area Office", "2025-Q1"),
        ("North Area Office", "2025-Q2"),
    }


async def test_filters_narrow_the_rollup_and_the_list(client, world):
    built = await hand_built(world)
    components, sites = _keys(built)
    base = f"/initiatives/{world.initiative_id}/fidelity"
    html = (await client.get(f"{base}?method=interview&period=quarter")).text
    table, _ = rollup_cells(html)
    assert table[(components["c1"], sites["north"], "2025-Q2")] == "0 of 1 (0%)"
    assert table[(components["c2"], sites["north"], "2025-Q2")] == "2 of 2 (100%)"
    assert {k[2] for k in table} == {"2025-Q2"}
    assert html.count("data-assessment=") == 1
    assert '<option value="interview" selected>' in html
    html = (await client.get(f"{base}?site={built.south}&period=quarter")).text
    table, _ = rollup_cells(html)
    assert {k[1] for k in table} == {sites["south"], "all"}
    assert html.count("data-assessment=") == 3
    # Values not offered are no filter at all (SEC-13), never an error.
    html = (await client.get(f"{base}?site=abc&method=<x>&intervention=99999999999")).text
    assert html.count("data-assessment=") == 6
    api = await client.get(f"/api/initiatives/{world.initiative_id}/fidelity?method=interview")
    assert api.json()["rated"] == 3
    bad = await client.get(f"/api/initiatives/{world.initiative_id}/fidelity?method=guess")
    assert bad.status_code == 422
    assert "method" in bad.json()["errors"]


async def test_the_assessment_list_shows_each_share_newest_first(client, world):
    built = await hand_built(world)
    html = (await client.get(f"/initiatives/{world.initiative_id}/fidelity?period=quarter")).text
    rows = [html.index(f'data-assessment="{built.ids[name]}"') for name in built.ids]
    order = sorted(zip(rows, built.ids, strict=True))
    assert [name for _, name in order] == ["A5", "A4", "A3", "A6", "A2", "A1"]
    words = text_of(html)
    assert "15 Jan 2025 , North Area Office North Area Office Observation Dana Reyes" in words
    assert "Fathers as partners, version 1 3 of 4 (75%)" in words
    assert "5 May 2025 , North Area Office North Area Office Interview" in words
    assert "Fathers as partners, version 2 2 of 3 (67%)" in words


async def test_the_rollup_and_coaching_pages_run_the_same_queries_for_few_or_many(
    client, world, count_queries
):
    version = await rateable_profile(world.initiative_id, components=2, behaviours=3)
    north, south = await make_sites(world.agency_id)
    pages = [
        f"/initiatives/{world.initiative_id}/fidelity",
        f"/initiatives/{world.initiative_id}/fidelity/coaching",
        f"/initiatives/{world.initiative_id}/fidelity/coaching?period=2025-Q1",
    ]
    ratings = {version.b(c, b): version.levels[(c + b) % 3] for c in range(2) for b in range(3)}
    await assess(world.initiative_id, version, north, date(2025, 1, 5), ratings)
    few = []
    for url in pages:
        with count_queries() as counted:
            assert (await client.get(url)).status_code == 200
        few.append(counted.count)
    for n in range(12):
        site = north if n % 2 else south
        await assess(world.initiative_id, version, site, date(2024, 1 + n, 3), ratings)
    many = []
    for url in pages:
        with count_queries() as counted:
            response = await client.get(url)
        many.append(counted.count)
    assert response.status_code == 200
    assert many == few
    html = (await client.get(pages[0])).text
    assert html.count("data-assessment=") == 13


def test_the_fidelity_level_is_the_lowest_level_that_meets_it_and_every_level_above():
    levels = [
        {"id": 1, "profile": 1, "position": 1, "meets_fidelity": False},
        {"id": 2, "profile": 1, "position": 2, "meets_fidelity": True},
        {"id": 3, "profile": 1, "position": 3, "meets_fidelity": False},
        {"id": 4, "profile": 2, "position": 1, "meets_fidelity": False},
    ]
    assert fidelity_levels(levels) == {1, 2}


def test_shares_round_halves_up_and_say_their_counts():
    assert rollup.Tally(7, 9).text == "7 of 9 (78%)"
    assert rollup.Tally(1, 8).text == "1 of 8 (13%)"
    assert rollup.Tally(0, 0).text == "–"
    assert rollup.parse_period("2025-Q3").start == date(2025, 7, 1)
    assert rollup.parse_period("2025-Q5") is None
    assert rollup.parse_period("２０２５-Q1") is None
    assert rollup.next_period(date(2025, 10, 1)) == date(2026, 1, 1)
    assert rollup.next_period(date(2025, 12, 1), "month") == date(2026, 1, 1)
    assert rollup.parse_period("2025-03", "month").start == date(2025, 3, 1)
    assert rollup.parse_period("2025-3", "month") is None


def _counts(text: str) -> tuple[int, int]:
    """ "7 of 9 (78%)" -> (7, 9); a dash -> (0, 0)."""
    found = re.match(r"(\d+) of (\d+)", text)
    return (int(found.group(1)), int(found.group(2))) if found else (0, 0)


async def test_the_rollup_counts_by_month_by_default_and_by_week_on_request(client, world):
    await hand_built(world)
    base = f"/initiatives/{world.initiative_id}/fidelity"
    quarters, _ = rollup_cells((await client.get(f"{base}?period=quarter")).text)
    by_month = await client.get(base)
    assert "Roll-up by core component, site and month" in text_of(by_month.text)
    months, markers = rollup_cells(by_month.text)
    assert {key[2] for key in months} == {f"2025-0{m}" for m in range(1, 7)}
    weeks, _ = rollup_cells((await client.get(f"{base}?period=week")).text)
    assert {key[2] for key in weeks} == {
        "2025-01-13",  # the Monday of 15 January 2025
        "2025-02-10",
        "2025-02-24",  # 1 March 2025 was a Saturday
        "2025-04-14",
        "2025-05-05",
        "2025-05-26",  # 1 June 2025 was a Sunday
    }
    # Whatever the period, the same ratings are counted: months add up to quarters.
    for table in (months, weeks):
        summed: dict[tuple[str, str, str], list[int]] = {}
        for (lineage, site, period), text in table.items():
            quarter = f"{period[:4]}-Q{(int(period[5:7]) - 1) // 3 + 1}"
            met, rated = _counts(text)
            total = summed.setdefault((lineage, site, quarter), [0, 0])
            total[0] += met
            total[1] += rated
        for key, text in quarters.items():
            assert tuple(summed[key]) == _counts(text), key
    assert markers  # the small multiples draw the months too
    # An unknown period kind is read as the default (SEC-13), never an error.
    assert (await client.get(f"{base}?period=fortnight")).status_code == 200
