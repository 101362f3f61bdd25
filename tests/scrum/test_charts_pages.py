"""Charts page: burndown and velocity as SVG, with a takeaway and the same numbers in a table."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from backend import clock
from backend.scrum import services as scrum
from tests.factories import make_items

START = date(2026, 3, 2)


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 3, 2, hour, tzinfo=UTC) + timedelta(days=day)


def set_time(day: int, hour: int = 12) -> None:
    clock.set_clock(lambda: at(day, hour))


async def sprint_with(world, estimates: list[int], start: date = START) -> tuple[int, list[int]]:
    clock.set_clock(lambda: datetime.combine(start, datetime.min.time(), UTC) + timedelta(hours=9))
    sprint = await scrum.create_sprint(world.initiative_id, {"start_date": start})
    ids = []
    for estimate in estimates:
        ids += await make_items(world.initiative_id, 1, estimate=estimate)
    await scrum.assign_sprint(world.initiative_id, ids, sprint)
    await scrum.start_sprint(sprint)
    return sprint, ids


def table_rows(html: str, table_id: str) -> list[list[str]]:
    table = html[html.index(f'id="{table_id}"') :]
    body = table[table.index("<tbody>") : table.index("</tbody>")]
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([re.sub(r"<[^>]+>", "", c).strip() for c in cells])
    return rows


def url(world) -> str:
    return f"/initiatives/{world.initiative_id}/charts"


async def test_burndown_of_the_active_sprint_with_takeaway_svg_and_table(client, world):
    sprint, (a, b, c) = await sprint_with(world, [10, 9, 8])
    set_time(4)
    await scrum.move_item(a, world.done)
    set_time(8)
    await scrum.move_item(c, world.done)
    (extra,) = await make_items(world.initiative_id, 1, estimate=3)
    set_time(10)
    await scrum.assign_sprint(world.initiative_id, [extra], sprint)
    response = await client.get(url(world))
    assert response.status_code == 200
    html = response.text
    assert 'aria-current="page"' in html and "Burndown of sprint 1" in html
    takeaway = "12 of 30 points remain with 4 days left; 3 points were added on 12 Mar."
    assert f'<p class="takeaway" id="burndown-takeaway">{takeaway}</p>' in html
    # An SVG image with an accessible name and description (A11Y-07).
    assert 'role="img"' in html
    assert 'aria-labelledby="burndown-svg-title burndown-svg-desc"' in html
    assert '<title id="burndown-svg-title">Burndown chart of sprint 1</title>' in html
    assert f'<desc id="burndown-svg-desc">{takeaway}</desc>' in html
    assert 'class="burndown__ideal"' in html
    # Scope added is a symbol with a label, explained in the legend.
    assert 'data-added="3"' in html and ">+3</text>" in html
    assert "Triangle pointing up (+n): points added to the sprint that day" in html
    # The table holds the same numbers as the chart's points.
    dots = re.findall(r'data-day="([\d-]+)" data-remaining="(\d+)"', html)
    rows = table_rows(html, "burndown-table")
    assert len(rows) == 15
    assert [r[2] for r in rows[: len(dots)]] == [v for _, v in dots]
    assert [r[2] for r in rows] == ["27"] * 4 + ["17"] * 4 + ["9"] * 2 + ["12"] + ["not yet"] * 4
    assert rows[10][4] == "+3" and rows[0][1] == "27" and rows[-1][1] == "0"


async def test_a_closed_sprint_can_be_chosen_and_keeps_its_numbers(client, world):
    s1, (a, b) = await sprint_with(world, [5, 3])
    set_time(3)
    await scrum.move_item(a, world.done)
    set_time(14, 17)
    await scrum.complete_sprint(s1, "new")
    s2 = (await scrum.next_sprint_number(world.initiative_id)) - 1
    assert s2 == 2
    # The default is the last closed sprint while none is active.
    html = (await client.get(url(world))).text
    assert "Burndown of sprint 1" in html
    assert "Sprint 1 closed with 3 of 8 points not done." in html
    # Velocity: committed against completed, with patterns and labels.
    assert (
        "Average velocity over the last 1 closed sprint is 5 points; "
        "sprint 1 completed 5 of 8 points committed." in html
    )
    assert 'fill="url(#velocity-hatch)" data-committed="8"' in html
    assert 'data-completed="5"' in html and 'data-average="5"' in html
    assert table_rows(html, "velocity-table") == [["Sprint 1", "8", "5", "62%"]]
    # A planned sprint can be asked for but has no burndown yet.
    sprints = await scrum.Sprint.select(scrum.Sprint.id, scrum.Sprint.number).where(
        scrum.Sprint.initiative == world.initiative_id
    )
    planned = next(s["id"] for s in sprints if s["number"] == 2)
    later = await client.get(url(world), params={"sprint_id": planned})
    assert later.status_code == 200
    assert "Sprint 2 has not started yet" in later.text
    chosen = await client.get(url(world), params={"sprint_id": s1})
    assert "Burndown of sprint 1" in chosen.text


async def test_velocity_averages_the_last_three_closed_sprints(client, world):
    start = START
    for committed, done in ((10, 4), (8, 8), (6, 3), (9, 9)):
        sprint, (a, b) = await sprint_with(world, [done, committed - done], start=start)
        await scrum.move_item(a, world.done)
        await scrum.complete_sprint(sprint, "backlog")
        start += timedelta(days=14)
    html = (await client.get(url(world))).text
    rows = table_rows(html, "velocity-table")
    assert [r[:3] for r in rows] == [
        ["Sprint 1", "10", "4"],
        ["Sprint 2", "8", "8"],
        ["Sprint 3", "6", "3"],
        ["Sprint 4", "9", "9"],
    ]
    assert "is 6.7 points; sprint 4 completed 9 of 9 points committed." in html
    assert "Average 6.7</text>" in html
    assert re.findall(r'data-completed="(\d+)"', html) == ["4", "8", "3", "9"]


async def test_charts_without_sprints_explain_what_is_missing(client, world):
    response = await client.get(url(world))
    assert response.status_code == 200
    assert "No sprint has started yet, so there is no burndown to show." in response.text
    assert "No sprint has closed yet, so there is no velocity to show." in response.text
    assert "<svg" not in response.text


async def test_unknown_or_foreign_sprints_are_not_found(client, world):
    other_sprint = await scrum.create_sprint(world.other_initiative_id, {})
    for sprint_id in (other_sprint, 999_999):
        response = await client.get(url(world), params={"sprint_id": sprint_id})
        assert response.status_code == 404, sprint_id
    assert (await client.get(url(world), params={"sprint_id": "abc"})).status_code == 400
    assert (await client.get("/initiatives/999999/charts")).status_code == 404


async def test_charts_query_count_does_not_grow_with_stories(client, world, count_queries):
    sprint, ids = await sprint_with(world, [2] * 5)
    await client.get(url(world))
    with count_queries() as small:
        await client.get(url(world))
    more = await make_items(world.initiative_id, 60, estimate=1)
    await scrum.assign_sprint(world.initiative_id, more, sprint)
    for item in more[:20]:
        await scrum.move_item(item, world.done)
    with count_queries() as large:
        await client.get(url(world))
    assert large.count == small.count
