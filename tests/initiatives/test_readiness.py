"""Readiness assessments: the form, the trend chart with its takeaway and table
(A11Y-07), who may add one, the JSON API and constant query counts."""

from __future__ import annotations

import re
from datetime import date, timedelta

from backend import clock
from backend.accounts.tables import Agency
from backend.initiatives import progress_services as progress
from backend.initiatives.readiness_chart import readiness_chart, readiness_takeaway
from backend.initiatives.tables import ReadinessAssessment


def url(world) -> str:
    return f"/initiatives/{world.initiative_id}/readiness"


def scores(day: str, m: int, g: int, s: int, **notes) -> dict[str, str]:
    return {
        "assessed_on": day,
        "motivation": str(m),
        "general_capacity": str(g),
        "specific_capacity": str(s),
        **notes,
    }


async def add(world, day: date, m: int, g: int, s: int) -> int:
    return await progress.add_assessment(
        world.initiative_id,
        {
            "assessed_on": day,
            "motivation": m,
            "motivation_notes": "",
            "general_capacity": g,
            "general_capacity_notes": "",
            "specific_capacity": s,
            "specific_capacity_notes": "",
        },
        world.lead,
    )


def table_rows(html: str) -> list[tuple[str, int, int, int]]:
    """(date, motivation, general, specific) from the chart's table, as shown."""
    body = html[html.index('id="readiness-table"') :]
    body = body[: body.index("</table>")]
    rows = []
    for row in re.findall(r"<tr data-assessment=\"\d+\">(.*?)</tr>", body, re.S):
        day = re.search(r"<th scope=\"row\">(.*?)</th>", row).group(1)
        cells = re.findall(r'<td class="num" data-series="(\w+)">(\d)</td>', row)
        values = dict(cells)
        rows.append(
            (
                day,
                int(values["motivation"]),
                int(values["general_capacity"]),
                int(values["specific_capacity"]),
            )
        )
    return rows


def chart_points(html: str) -> dict[str, list[tuple[str, int]]]:
    """Each series' markers as drawn: (day, score)."""
    svg = html[html.index('<svg class="chart chart--readiness"') :]
    svg = svg[: svg.index("</svg>")]
    out = {}
    for key, group in re.findall(r'data-series="(\w+)">(.*?)</g>', svg, re.S):
        out[key] = [
            (day, int(score))
            for day, score in re.findall(r'data-day="([\d-]+)" data-score="(\d)"', group)
        ]
    return out


async def test_no_assessment_yet_says_so(client, world):
    response = await client.get(url(world))
    assert response.status_code == 200
    assert "No readiness assessment has been recorded yet." in response.text
    assert "<svg" not in response.text.split("<main", 1)[1]
    assert "Add an assessment" in response.text


async def test_a_team_member_adds_assessments_and_sees_the_trend(client_as, world):
    member = await client_as(world.users["team_member"])
    first = await member.post_form(
        url(world), scores("2026-01-12", 3, 4, 2, motivation_notes="Leaders *keen*")
    )
    assert first.status_code == 303 and "#assessment-" in first.headers["location"]
    await member.post_form(url(world), scores("2026-04-06", 3, 3, 4))
    rows = await ReadinessAssessment.select().order_by(ReadinessAssessment.assessed_on)
    assert [(r["motivation"], r["general_capacity"], r["specific_capacity"]) for r in rows] == [
        (3, 4, 2),
        (3, 3, 4),
    ]
    assert rows[0]["assessed_by"] == world.users["team_member"]
    assert rows[0]["motivation_notes"] == "Leaders *keen*"

    page = (await member.get(url(world))).text
    takeaway = (
        "Intervention-specific capacity rose from 2 to 4 since 12 Jan 2026; "
        "general capacity fell from 4 to 3 and motivation stayed at 3."
    )
    assert f'<p class="takeaway" id="readiness-takeaway">{takeaway}</p>' in page
    assert (
        'role="img"' in page and 'aria-labelledby="readiness-svg-title readiness-svg-desc"' in page
    )
    assert "<em>keen</em>" in page
    # The table holds the numbers the database holds, and so does the chart.
    assert table_rows(page) == [
        ("12 Jan 2026", 3, 4, 2),
        ("6 Apr 2026", 3, 3, 4),
    ]
    drawn = chart_points(page)
    for key in ("motivation", "general_capacity", "specific_capacity"):
        assert drawn[key] == [(r["assessed_on"].isoformat(), r[key]) for r in rows]
    # Direct labels name each series with its latest score.
    for label in ("Motivation: 3", "General capacity: 3", "Intervention-specific: 4"):
        assert label in page


async def test_a_bad_assessment_comes_back_with_errors_and_what_was_typed(client, world):
    tomorrow = (clock.today() + timedelta(days=1)).isoformat()
    response = await client.post_form(
        url(world),
        {
            "assessed_on": tomorrow,
            "motivation": "6",
            "general_capacity": "",
            "specific_capacity": "two",
            "general_capacity_notes": "Kept notes",
        },
    )
    assert response.status_code == 422
    text = response.text
    assert "<title>Error: Readiness of Parent engagement" in text
    assert "Date assessed must be today or in the past" in text
    assert "Motivation must be 5 or less" in text
    assert "Choose a score from 1 to 5 for general capacity" in text
    assert "Intervention-specific capacity must be a whole number" in text
    for field in ("assessed_on", "motivation", "general_capacity", "specific_capacity"):
        assert f'href="#field-{field}"' in text
    assert f'value="{tomorrow}"' in text and "Kept notes" in text
    assert await ReadinessAssessment.count() == 0

    missing = await client.post_form(url(world), {"motivation": "3"})
    assert missing.status_code == 422 and "Enter date assessed" in missing.text
    assert await ReadinessAssessment.count() == 0


async def test_readiness_notes_that_look_like_personal_information_are_flagged(client, world):
    data = scores("2026-01-12", 3, 3, 3, specific_capacity_notes="Case CW-123456 shows it")
    await Agency.update({Agency.case_number_patterns: "CW-######"}).where(
        Agency.id == world.agency_id
    )
    response = await client.post_form(url(world), data)
    assert response.status_code == 422
    assert "Notes on intervention-specific capacity looks like it contains a case number" in (
        response.text
    )
    assert 'id="field-pii_confirmed"' in response.text
    assert await ReadinessAssessment.count() == 0
    response = await client.post_form(url(world), {**data, "pii_confirmed": "yes"})
    assert response.status_code == 303 and await ReadinessAssessment.count() == 1


async def test_who_may_see_and_add_readiness(client_as, world):
    await add(world, date(2026, 1, 5), 2, 2, 2)
    for who in ("viewer", "liaison"):
        person = await client_as(world.users[who])
        page = await person.get(url(world))
        assert page.status_code == 200 and "Add an assessment" not in page.text
        refused = await person.post_form(url(world), scores("2026-01-12", 3, 3, 3))
        assert refused.status_code == 403
    outsider = await client_as(world.users["other_lead"])
    assert (await outsider.get(url(world))).status_code == 404
    assert (await outsider.post_form(url(world), scores("2026-01-12", 3, 3, 3))).status_code == 404
    assert (
        await outsider.get(f"/api/initiatives/{world.initiative_id}/readiness")
    ).status_code == 404
    assert await ReadinessAssessment.count() == 1


async def test_readiness_page_and_api_query_counts_do_not_grow(client, world, count_queries):
    await add(world, date(2025, 1, 6), 2, 2, 1)
    await add(world, date(2025, 2, 6), 3, 2, 2)
    for page_url in (url(world), f"/api/initiatives/{world.initiative_id}/readiness"):
        await client.get(page_url)
    counts = []
    for total in (2, 40):
        existing = await ReadinessAssessment.count()
        for n in range(total - existing):
            await add(
                world, date(2025, 3, 1) + timedelta(days=7 * n), 1 + n % 5, 3, 1 + (n * 2) % 5
            )
        with count_queries() as page:
            response = await client.get(url(world))
        assert response.status_code == 200
        assert len(table_rows(response.text)) == total
        with count_queries() as api:
            assert (
                await client.get(f"/api/initiatives/{world.initiative_id}/readiness")
            ).status_code == 200
        counts.append((page.count, api.count))
    assert counts[0] == counts[1]


async def test_api_readiness_lists_assessments_oldest_first(client_as, world):
    await add(world, date(2026, 3, 2), 4, 3, 3)
    await add(world, date(2026, 1, 5), 2, 2, 1)
    viewer = await client_as(world.users["viewer"])
    response = await viewer.get(f"/api/initiatives/{world.initiative_id}/readiness")
    assert response.status_code == 200
    body = response.json()
    assert body["initiative_id"] == world.initiative_id
    assert [a["assessed_on"] for a in body["assessments"]] == ["2026-01-05", "2026-03-02"]
    assert body["assessments"][1]["motivation"] == 4
    assert body["assessments"][0]["assessed_by_name"] == "Agency Lead"


# ---------------------------------------------------------------- the chart on its own


def _row(day: date, m: int, g: int, s: int) -> dict:
    return {"assessed_on": day, "motivation": m, "general_capacity": g, "specific_capacity": s}


def test_the_takeaway_leads_with_the_biggest_change():
    rows = [_row(date(2026, 1, 5), 4, 2, 3), _row(date(2026, 5, 5), 2, 3, 3)]
    assert readiness_takeaway(rows) == (
        "Motivation fell from 4 to 2 since 5 Jan 2026; "
        "general capacity rose from 2 to 3 and intervention-specific capacity stayed at 3."
    )
    assert readiness_takeaway(rows[:1]) == (
        "One assessment so far, on 5 Jan 2026: motivation 4, general capacity 2 and "
        "intervention-specific capacity 3 (each out of 5)."
    )


def test_direct_labels_never_overlap_even_when_scores_are_equal():
    rows = [_row(date(2026, 1, 5), 3, 3, 3), _row(date(2026, 2, 5), 5, 5, 5)]
    chart = readiness_chart(rows)
    ys = sorted(s.label_y for s in chart.series)
    assert all(b - a >= 16 for a, b in zip(ys, ys[1:], strict=False))
    assert all(chart.frame.y1 <= y <= chart.frame.y0 for y in ys)
    # Markers differ by shape: circle (arcs), square (h/v), triangle (L).
    shapes = [s.markers[0].path for s in chart.series]
    assert " a" in shapes[0] and " h" in shapes[1] and " L" in shapes[2]
    # Higher scores are drawn higher.
    motivation = chart.series[0].markers
    assert motivation[1].y < motivation[0].y


def test_one_assessment_is_drawn_in_the_middle():
    chart = readiness_chart([_row(date(2026, 1, 5), 1, 5, 3)])
    assert [len(s.markers) for s in chart.series] == [1, 1, 1]
    assert [t.label for t in chart.x_ticks] == ["5 Jan"]
