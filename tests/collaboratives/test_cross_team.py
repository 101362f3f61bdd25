"""The cross-team view of a shared measure: the same numbers as each team's own run chart,
shared axes, small cells suppressed across agencies, and the rules for linking measures."""

from __future__ import annotations

import re

from backend.collaboratives import cross_team
from backend.collaboratives.tables import SharedMeasure, SharedMeasureLink
from backend.initiatives import services as initiatives
from tests.collaboratives.build import collaborative_of, make_teams, shared_with_values
from tests.measures.build import BASELINE, SHIFTED, add_rates, add_values, make_measure
from tests.practice.html import tables_of, text_of

OTHER = [60, 62, 58, 64, 57, 66, 70, 72, 75, 79, 83, 88, 90]


def _rows(html: str, caption_end: str, caption_start: str = "") -> list[list[str]]:
    """The first four columns of the table whose caption ends with `caption_end`."""
    table = next(
        t
        for t in tables_of(html)
        if t["caption"].strip().endswith(caption_end)
        and t["caption"].strip().startswith(caption_start)
    )
    return [[cell[2].strip() for cell in row][:4] for row in table["bodies"][0]["rows"]]


def _section(html: str, measure_id: int) -> str:
    start = html.index(f'id="team-chart-{measure_id}"')
    end = html.find('<section class="chart-figure cross-team__team"', start)
    return html[start : end if end > 0 else len(html)]


def _signal_texts(html: str) -> list[str]:
    found = re.search(r'<ul class="run-chart__signals"[^>]*>(.*?)</ul>', html, re.S)
    if not found:
        return []
    return [text_of(li) for li in re.findall(r"<li>(.*?)</li>", found.group(1), re.S)]


def _median_text(html: str) -> str:
    return re.search(r"(Median [^<]*?)\.<", html).group(1)


async def _two_teams(world, **options):
    collaborative_id = await collaborative_of(
        [world.initiative_id, world.other_initiative_id], **options
    )
    shared_id, measures = await shared_with_values(
        collaborative_id, {world.initiative_id: BASELINE + SHIFTED}
    )
    # The other team's measure has its own rule set and baseline.
    other_id = await make_measure(
        world.other_initiative_id, name="Timely", unit="%", rule_set="anhoej", baseline_points=6
    )
    await add_values(other_id, OTHER)
    await cross_team.link_measure(shared_id, other_id)
    measures[world.other_initiative_id] = other_id
    return collaborative_id, shared_id, measures


async def test_cross_team_charts_use_the_same_numbers_as_each_teams_own_chart(client_as, world):
    collaborative_id, shared_id, measures = await _two_teams(world)
    url = f"/collaboratives/{collaborative_id}/measures/{shared_id}"
    for person, initiative_id, team in (
        (world.lead, world.initiative_id, "Parent engagement (Test Agency)"),
        (world.users["other_lead"], world.other_initiative_id, "Other initiative (Other Agency)"),
        (world.users["liaison"], world.initiative_id, "Parent engagement (Test Agency)"),
    ):
        client = await client_as(person)
        measure_id = measures[initiative_id]
        own = await client.get(f"/measures/{measure_id}")
        cross = await client.get(url)
        assert own.status_code == 200 and cross.status_code == 200
        section = _section(cross.text, measure_id)
        assert _rows(cross.text, "by period", f"Timely assessments for {team}") == _rows(
            own.text, "by period", "Timely"
        )
        assert _median_text(section) == _median_text(own.text)
        assert _signal_texts(section) == _signal_texts(own.text)
        assert _signal_texts(section), "the test series have signals"
        # The takeaway is the team's own, under the team's name.
        own_takeaway = re.search(r'<p class="takeaway"[^>]*>Timely: (.*?)</p>', own.text).group(1)
        assert f"{team}: {own_takeaway}" in section
    # Each chart is analysed with its own measure's rule set.
    lead = await client_as(world.lead)
    page = (await lead.get(url)).text
    assert "Signals (IHI rules)" in _section(page, measures[world.initiative_id])
    assert "Signals (Anhoej rules)" in _section(page, measures[world.other_initiative_id])
    assert "Shift: 7 points in a row above the median" in text_of(page)


async def test_every_small_chart_has_the_same_axes(client, world):
    collaborative_id, shared_id, measures = await _two_teams(world)
    page = (await client.get(f"/collaboratives/{collaborative_id}/measures/{shared_id}")).text
    svgs = re.findall(r'<svg class="chart run-chart__svg cross-team__svg".*?</svg>', page, re.S)
    assert len(svgs) == 2
    y_labels = [
        re.findall(r">([^<]+)</text>", re.search(r"chart__labels--y.*?</g>", s, re.S).group(0))
        for s in svgs
    ]
    x_labels = [
        re.findall(r">([^<]+)</text>", re.search(r"chart__labels--x.*?</g>", s, re.S).group(0))
        for s in svgs
    ]
    assert y_labels[0] == y_labels[1]
    assert x_labels[0] == x_labels[1]
    # One range over both teams: from the lowest value (27) to the highest (90).
    values = [float(label.rstrip("%")) for label in y_labels[0]]
    assert min(values) <= 27 and max(values) >= 90
    # Every role="img" chart has a name and a description.
    for svg in svgs:
        assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    assert "Every chart has the same axes: Jan 2025 to May 2026 across (17 periods)" in text_of(
        page
    )


async def test_small_cells_are_suppressed_for_people_outside_the_teams_agency(client_as, world):
    collaborative_id = await collaborative_of([world.initiative_id, world.other_initiative_id])
    shared_id = await cross_team.add_shared_measure(collaborative_id, "Re-entry", "", "%")
    measure_id = await make_measure(world.initiative_id, is_rate=True, name="Re-entry")
    # Feb: 3 of 8 is a small cell (under 10)
    await add_rates(measure_id, [(12, 40), (3, 8), (9, 30)])
    await cross_team.link_measure(shared_id, measure_id)
    url = f"/collaboratives/{collaborative_id}/measures/{shared_id}"

    member = await (await client_as(world.users["viewer"])).get(url)
    rows = _rows(member.text, "by period", "Re-entry for")
    assert rows[1][:2] == ["Feb 2025", "37.5%"]
    assert "Median 30%, over all 3 points" in text_of(member.text)

    for person in (world.users["other_lead"], world.users["liaison"], world.users["admin"]):
        page = await (await client_as(person)).get(url)
        assert page.status_code == 200
        rows = _rows(page.text, "by period", "Re-entry for")
        assert rows[1][:2] == ["Feb 2025", "suppressed"]
        assert "37.5" not in page.text
        assert "1 period is suppressed (small numbers)" in text_of(page.text)
        assert "Median 30%, over all 2 points" in text_of(page.text)
    # Only people who can read the team's agency get the link to its measure page.
    outsider = await (await client_as(world.users["other_lead"])).get(url)
    assert f"/measures/{measure_id}" not in outsider.text
    assert f"/measures/{measure_id}" in member.text


async def test_faculty_and_admins_add_shared_measures_and_nobody_else(client_as, world):
    faculty = world.users["scrum_master"]
    collaborative_id = await collaborative_of(
        [world.initiative_id, world.other_initiative_id], faculty=[faculty]
    )
    url = f"/collaboratives/{collaborative_id}/measures"
    form = {"name": "Timely assessments", "unit": "%", "definition": "Within 30 days"}
    for person in (world.users["team_member"], world.users["liaison"], world.users["other_lead"]):
        response = await (await client_as(person)).post_form(url, form)
        assert response.status_code == 403
    assert await SharedMeasure.count() == 0

    page = await (await client_as(faculty)).post_form(url, {**form, "name": " "})
    assert page.status_code == 422
    assert "Enter name" in page.text and "Within 30 days" in page.text
    assert page.text.count('id="error-summary"') == 1

    response = await (await client_as(faculty)).post_form(url, form)
    assert response.status_code == 303
    response = await (await client_as(world.users["admin"])).post_form(
        url, {**form, "name": "Second"}
    )
    assert response.status_code == 303
    rows = await SharedMeasure.select().order_by(SharedMeasure.id)
    assert [(r["name"], r["unit"], r["definition"]) for r in rows] == [
        ("Timely assessments", "%", "Within 30 days"),
        ("Second", "%", "Within 30 days"),
    ]
    assert response.headers["location"] == f"{url}/{rows[1]['id']}"


async def test_linking_rules(client_as, world):
    collaborative_id = await collaborative_of([world.initiative_id, world.other_initiative_id])
    other_collaborative = await collaborative_of([world.initiative_id])
    shared_id = await cross_team.add_shared_measure(collaborative_id, "Timely")
    foreign_shared = await cross_team.add_shared_measure(other_collaborative, "Elsewhere")
    measure_id = await make_measure(world.initiative_id, name="Ours")
    second_id = await make_measure(world.initiative_id, name="Ours again")
    outside = await initiatives.create_initiative(world.agency_id, "Not a member")
    outside_measure = await make_measure(outside, name="Outside")
    url = f"/collaboratives/{collaborative_id}/measures/link"
    member = await client_as(world.users["team_member"])

    async def link(client, shared, measure):
        return await client.post_form(url, {"shared": str(shared), "measure": str(measure)})

    # Read-only people of the team's agency: 403.
    for person in ("viewer", "liaison"):
        response = await link(await client_as(world.users[person]), shared_id, measure_id)
        assert response.status_code == 403, person
    # Another member team's people cannot see this measure: 404.
    other = await client_as(world.users["other_lead"])
    assert (await link(other, shared_id, measure_id)).status_code == 404
    # A shared measure of another collaborative: 404.
    assert (await link(member, foreign_shared, measure_id)).status_code == 404
    assert (await link(member, 999_999, measure_id)).status_code == 404
    # A measure of an initiative that is not a member team: 422, kept in the form.
    response = await link(member, shared_id, outside_measure)
    assert response.status_code == 422
    assert "not a member team" in response.text
    # Missing choices: 422 with both messages.
    response = await member.post_form(url, {"shared": "", "measure": "x"})
    assert response.status_code == 422
    assert "Choose the shared measure" in response.text
    assert "Your team&#39;s measure must be a whole number" in response.text
    assert await SharedMeasureLink.count() == 0

    response = await link(member, shared_id, measure_id)
    assert response.status_code == 303
    assert (
        response.headers["location"] == f"/collaboratives/{collaborative_id}/measures/{shared_id}"
    )
    # One measure per team for a shared measure.
    response = await link(member, shared_id, second_id)
    assert response.status_code == 422
    assert "already reports this shared measure" in response.text
    rows = await SharedMeasureLink.select(SharedMeasureLink.shared, SharedMeasureLink.measure)
    assert rows == [{"shared": shared_id, "measure": measure_id}]


async def test_the_shared_measure_must_belong_to_the_collaborative(client, world):
    collaborative_id = await collaborative_of([world.initiative_id])
    elsewhere = await collaborative_of([world.initiative_id])
    shared_id = await cross_team.add_shared_measure(elsewhere, "Elsewhere")
    response = await client.get(f"/collaboratives/{collaborative_id}/measures/{shared_id}")
    assert response.status_code == 404
    response = await client.get(f"/collaboratives/{elsewhere}/measures/{shared_id}")
    assert response.status_code == 200


async def test_people_outside_every_member_agency_do_not_see_the_pages(client_as, world):
    collaborative_only_ours = await collaborative_of([world.initiative_id])
    other = await client_as(world.users["other_lead"])
    shared_id = await cross_team.add_shared_measure(collaborative_only_ours, "Ours only")
    for url in ("measures", f"measures/{shared_id}", "feed"):
        response = await other.get(f"/collaboratives/{collaborative_only_ours}/{url}")
        assert response.status_code == 404, url
    response = await other.post_form(
        f"/collaboratives/{collaborative_only_ours}/measures", {"name": "Nope"}
    )
    assert response.status_code == 404


async def test_cross_team_view_runs_a_constant_number_of_queries(client, world, count_queries):
    async def counted(team_count: int) -> int:
        teams = await make_teams(world.agency_id, team_count)
        collaborative_id = await collaborative_of(teams)
        shared_id, _ = await shared_with_values(
            collaborative_id, {t: BASELINE + SHIFTED for t in teams}
        )
        url = f"/collaboratives/{collaborative_id}/measures/{shared_id}"
        await client.get(url)  # warm up
        with count_queries() as log:
            response = await client.get(url)
        assert response.status_code == 200
        assert response.text.count('class="chart run-chart__svg cross-team__svg"') == team_count
        return log.count

    assert await counted(2) == await counted(8)
