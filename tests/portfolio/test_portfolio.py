"""The liaison portfolio: who sees which agencies (SEC-08), sorting and filtering by the
server (SEC-13), links to real pages, the burndown rule, the same numbers as the pages,
and a constant number of queries however many agencies (PERF-05)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from backend import clock
from backend.initiatives.tables import StageProgress
from backend.measures import queries as measure_queries
from backend.pip import queries as pip_queries
from backend.pip.tables import PipActivity
from backend.portfolio.queries import SIGNAL_DAYS, burndown_status
from backend.reviews.tables import SprintSignOff
from backend.scrum import metrics
from backend.scrum import services as scrum
from backend.scrum.metrics import Burndown, BurndownDay
from tests.factories import make_items
from tests.fidelity.build import hand_built
from tests.html_checks import assert_well_formed
from tests.measures.build import BASELINE, SHIFTED, add_values, make_measure
from tests.pip.build import make_plan
from tests.portfolio.build import (
    START,
    agency_with_initiative,
    attr,
    cell,
    row_order,
    set_day,
    sprints,
)


async def test_a_liaison_sees_only_the_agencies_assigned_to_them(world, client_as):
    await agency_with_initiative(1)  # nobody's liaison: must not show
    client = await client_as(world.users["liaison"])
    response = await client.get("/portfolio")
    assert response.status_code == 200
    assert "Parent engagement" in response.text
    assert "Initiative 01" not in response.text and "Agency 01" not in response.text
    assert "Other initiative" not in response.text and "Other Agency" not in response.text
    assert row_order(response.text) == [world.initiative_id]
    # Another agency's id in the filter is ignored, never shown.
    response = await client.get(f"/portfolio?agency={world.other_agency_id}")
    assert "Other initiative" not in response.text
    assert row_order(response.text) == [world.initiative_id]


async def test_a_liaison_without_memberships_lands_on_the_portfolio(world, client_as):
    client = await client_as(world.users["liaison"])
    response = await client.get("/")
    assert response.status_code == 303 and response.headers["location"] == "/portfolio"
    member = await client_as(world.users["team_member"])
    assert (await member.get("/")).headers["location"] != "/portfolio"


async def test_a_member_sees_their_own_agency(world, client_as):
    member = await client_as(world.users["team_member"])
    html = (await member.get("/portfolio")).text
    assert row_order(html) == [world.initiative_id] and "Other initiative" not in html
    other = await client_as(world.users["other_lead"])
    html = (await other.get("/portfolio")).text
    assert row_order(html) == [world.other_initiative_id] and "Parent engagement" not in html


async def test_anonymous_people_are_sent_to_sign_in(client):
    response = await client.get("/portfolio")
    assert response.status_code in (302, 303) and "sign-in" in response.headers["location"]


async def test_columns_sort_by_the_server_with_aria_sort(world, client_as):
    liaison = world.users["liaison"]
    _, b = await agency_with_initiative(1, liaison)
    _, c = await agency_with_initiative(2, liaison)
    await sprints(c)  # the only one with a closed sprint: velocity 5
    client = await client_as(liaison)
    html = (await client.get("/portfolio")).text
    # Default: by agency ascending ("Agency 01", "Agency 02", "Test Agency").
    assert row_order(html) == [b, c, world.initiative_id]
    assert (
        attr(re.search(r'<th scope="col" id="col-agency"[^>]*>', html).group(0), "aria-sort")
        == "ascending"
    )
    assert html.count("aria-sort=") == 1
    html = (await client.get("/portfolio?sort=initiative&dir=desc")).text
    assert row_order(html) == [
        world.initiative_id,
        c,
        b,
    ]  # "Parent..." > "Initiative 02" > "Initiative 01"
    header = re.search(r'<th scope="col" id="col-initiative"[^>]*>.*?</th>', html, re.S).group(0)
    assert 'aria-sort="descending"' in header
    # The sorted column's link turns the order round; the others sort ascending first.
    assert "sort=initiative&amp;dir=asc" in header
    # Rows with nothing to sort on go last, whichever way.
    for direction in ("asc", "desc"):
        html = (await client.get(f"/portfolio?sort=velocity&dir={direction}")).text
        assert row_order(html)[0] == c
    # SEC-13: an unknown key is ignored, never a 500.
    response = await client.get("/portfolio?sort=title;drop&dir=sideways&agency=x&reviews=yes")
    assert response.status_code == 200
    assert row_order(response.text) == [b, c, world.initiative_id]


async def test_filters_by_agency_open_review_items_and_behind(world, client_as):
    liaison = world.users["liaison"]
    agency_b, b = await agency_with_initiative(1, liaison)
    s1, _s2 = await sprints(b)  # sprint 2 is behind (7 left, ideal about 5.3)
    client = await client_as(liaison)
    html = (await client.get(f"/portfolio?agency={agency_b}")).text
    assert row_order(html) == [b]
    assert f'<option value="{agency_b}" selected>' in html
    # Sprint 1 was closed and nobody has signed off its review: an open item for the liaison.
    html = (await client.get("/portfolio?reviews=1")).text
    assert row_order(html) == [b]
    reviews = cell(html, b, "reviews")
    assert attr(reviews, "data-count") == "1" and f"/sprints/{s1}" in reviews
    html = (await client.get("/portfolio?behind=1")).text
    assert row_order(html) == [b]
    assert attr(cell(html, b, "sprint"), "data-status") == "behind"
    # Changes requested: the review comes back to the liaison, so it still awaits them.
    await SprintSignOff.insert(
        SprintSignOff(
            sprint=s1, decision="changes_requested", signed_by=liaison, signed_at=clock.now()
        )
    )
    html = (await client.get("/portfolio?reviews=1")).text
    assert row_order(html) == [b]
    assert "changes requested" in cell(html, b, "reviews")
    # Once signed off, the item is no longer awaiting the liaison.
    await SprintSignOff.insert(
        SprintSignOff(
            sprint=s1,
            decision="signed_off",
            signed_by=liaison,
            signed_at=clock.now() + timedelta(minutes=1),
        )
    )
    html = (await client.get("/portfolio?reviews=1")).text
    assert row_order(html) == [] and "No initiative matches these filters." in html
    # A member of the agency is not the one a sign-off awaits.
    member = await client_as(world.users["team_member"])
    html = (await member.get("/portfolio")).text
    assert attr(cell(html, world.initiative_id, "reviews"), "data-count") == "0"


async def test_every_link_in_the_table_opens_a_real_page_for_the_liaison(world, client_as):
    await sprints(world.initiative_id)
    await make_plan(world)
    await hand_built(world)
    measure = await make_measure(world.initiative_id)
    await add_values(measure, BASELINE + SHIFTED, first=date(2024, 11, 1))
    client = await client_as(world.users["liaison"])
    html = (await client.get("/portfolio")).text
    body = re.search(r"<tbody>(.*)</tbody>", html, re.S).group(1)
    assert_well_formed(html, "/portfolio")  # A11Y-02: unique ids, labels on real controls
    assert_well_formed((await client.get("/portfolio?reviews=1&behind=1")).text, "/portfolio")
    links = sorted(set(re.findall(r'href="([^"]+)"', body)))
    assert len(links) >= 8
    for url in links:
        response = await client.get(url.replace("&amp;", "&"))
        assert response.status_code == 200, url


def _burndown(committed: int, remaining: list[int | None], days: int = 10) -> Burndown:
    result = Burndown(sprint_id=1, committed=committed)
    for offset in range(days + 1):
        ideal = round(committed * (1 - offset / days), 2)
        left = remaining[offset] if offset < len(remaining) else None
        result.days.append(
            BurndownDay(date(2026, 3, 2) + timedelta(days=offset), left, None, ideal)
        )
    return result


def test_the_burndown_rule_allows_ten_percent_of_the_commitment_above_the_ideal_line():
    # Day 5 of 10 with 20 committed: the ideal is 10; up to 12 left is on track.
    assert burndown_status(_burndown(20, [20, 18, 16, 14, 13, 12])) == (False, 12, 10.0)
    assert burndown_status(_burndown(20, [20, 18, 16, 14, 13, 13])) == (True, 13, 10.0)
    # Ahead of the line is on track; a sprint with no day yet is on track.
    assert burndown_status(_burndown(20, [20, 5]))[0] is False
    assert burndown_status(_burndown(20, []))[0] is False
    # The last day: anything left beyond 10% of the commitment is behind.
    assert burndown_status(_burndown(10, [10] * 10 + [1]))[0] is False
    assert burndown_status(_burndown(10, [10] * 10 + [2]))[0] is True


async def test_a_hand_built_sprint_behind_its_line_reads_behind(world, client_as):
    await sprints(world.initiative_id)
    # Sprint 2 (10 points, 14 days): 3 done on day 2; on day 7 the ideal is 5 and 7 are
    # left: 2 above the line, more than 1 (10% of 10): behind.
    client = await client_as(world.users["liaison"])
    html = (await client.get("/portfolio")).text
    sprint = cell(html, world.initiative_id, "sprint")
    assert attr(sprint, "data-status") == "behind"
    assert "7 points left, ideal 5 of 10" in sprint
    assert "Sprint 2:" in sprint
    # Move the clock back to day 3: the ideal is about 7.86, 7 left: on track.
    set_day(START + timedelta(days=18))
    html = (await client.get("/portfolio")).text
    assert attr(cell(html, world.initiative_id, "sprint"), "data-status") == "on track"
    assert "A sprint is behind when the points remaining today" in html


async def test_the_numbers_are_those_of_the_pages(world, client_as):
    s1, s2 = await sprints(world.initiative_id)
    await hand_built(world)
    measure = await make_measure(world.initiative_id)
    await add_values(measure, BASELINE + SHIFTED, first=date(2024, 11, 1))
    quiet = await make_measure(world.initiative_id, name="Quiet measure")
    await add_values(quiet, BASELINE, first=date(2024, 11, 1))  # signals, if any, long ago
    plan = await make_plan(world)
    (item,) = await make_items(world.initiative_id, 1)
    await PipActivity.update(
        {PipActivity.item: item, PipActivity.target_date: date(2026, 3, 1)}
    ).where(PipActivity.id == plan.activities[0])
    stage = world.stages[3]["id"]
    await StageProgress.insert(
        StageProgress(
            initiative=world.initiative_id,
            stage=stage,
            status="active",
            started_on=date(2026, 1, 1),
        )
    )
    now, today = clock.now(), clock.today()
    client = await client_as(world.users["liaison"])
    html = (await client.get("/portfolio")).text
    row = world.initiative_id

    # Stage and days in it.
    assert f"/stages/{stage}" in cell(html, row, "stage")
    assert attr(cell(html, row, "stage_days"), "data-days") == str((today - date(2026, 1, 1)).days)
    # Burndown: as the initiative's page works it out.
    burndown = await metrics.sprint_burndown(await scrum.get_sprint(s2), now)
    behind, remaining, ideal = burndown_status(burndown)
    sprint = cell(html, row, "sprint")
    assert attr(sprint, "data-status") == ("behind" if behind else "on track")
    assert f"{remaining} points left" in sprint
    # Velocity: the last point of the velocity chart.
    velocity = await metrics.velocity(row)
    assert f"{velocity[-1].completed} points" in cell(html, row, "velocity")
    # Fidelity: the fidelity page's "All sites" cells of its last two months, added up.
    page = (await client.get(f"/initiatives/{row}/fidelity")).text
    totals: dict[str, list[int]] = {}
    for block in re.findall(r'<tr data-site="all">(.*?)</tr>', page, re.S):
        for period, met, rated in re.findall(
            r'data-period="([^"]+)" data-met="(\d+)" data-rated="(\d+)"', block
        ):
            total = totals.setdefault(period, [0, 0])
            total[0] += int(met)
            total[1] += int(rated)
    last, before = sorted(totals)[-1], sorted(totals)[-2]
    share = [round(100 * m / r) for m, r in (totals[last], totals[before])]
    fidelity = cell(html, row, "fidelity")
    assert f"{share[0]}% in" in fidelity and f"from {share[1]}% in" in fidelity
    expected = "up" if share[0] > share[1] else "down" if share[0] < share[1] else "level"
    assert attr(fidelity, "data-trend") == expected
    # Run-chart signals with a point in the last 90 days, from the measure page's analysis.
    since = today - timedelta(days=SIGNAL_DAYS)
    expected_signals = 0
    for measure_id in (measure, quiet):
        chart = await measure_queries.chart_data(measure_id, suppress_small=True)
        recent = {i for i, p in enumerate(chart.points) if p["period_start"] >= since}
        expected_signals += sum(
            1
            for s in chart.analysis.signals
            if (set(s.indices) & recent) or (not s.indices and recent)
        )
    signals = cell(html, row, "signals")
    assert expected_signals >= 1 and attr(signals, "data-count") == str(expected_signals)
    assert "Kinship placements" in signals
    # PIP: the status page's behind list.
    pip = await pip_queries.pip_or_404(plan.pip)
    behind_list = (await pip_queries.plan(pip, today, True))["behind"]
    assert len(behind_list) == 1
    assert attr(cell(html, row, "pip"), "data-count") == "1"


async def test_the_query_count_does_not_grow_with_the_agencies(world, client_as, count_queries):
    """PERF-05: one assigned agency, then six, each with sprints, a plan's worth of rows,
    measures and fidelity: the same number of queries."""
    liaison = world.users["liaison"]

    async def fill(initiative_id: int) -> None:
        await sprints(initiative_id)
        measure = await make_measure(initiative_id)
        await add_values(measure, BASELINE + SHIFTED, first=date(2024, 11, 1))

    await fill(world.initiative_id)
    await hand_built(world)
    client = await client_as(liaison)
    await client.get("/portfolio")  # warm up
    with count_queries() as one:
        response = await client.get("/portfolio?sort=signals&dir=desc")
    assert len(row_order(response.text)) == 1
    for n in range(1, 6):
        _, initiative = await agency_with_initiative(n, liaison)
        await fill(initiative)
    with count_queries() as six:
        response = await client.get("/portfolio?sort=signals&dir=desc")
    assert len(row_order(response.text)) == 6
    assert six.count == one.count
