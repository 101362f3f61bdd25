"""The portfolio packet: exactly the initiatives the person sees on /portfolio (SEC-08),
every section per initiative from the shared template, the period and agency filters,
suppression for liaisons, well-formed HTML with several initiatives on one page."""

from __future__ import annotations

import re

import pytest

from tests.html_checks import assert_well_formed
from tests.packet.build import TODAY, add_measures, build, set_day
from tests.portfolio.build import agency_with_initiative
from tests.practice.html import text_of

URL = "/portfolio/packet"
SECTION_KEYS = ("stages", "sprints", "scrum_charts", "gaps", "fidelity", "measures", "pdsa")
SECTION_KEYS += ("pip", "reviews")


def shown(html: str) -> list[int]:
    """The initiatives whose packets the page holds, in order."""
    return [
        int(i) for i in re.findall(r'<section class="packet-initiative" id="packet-(\d+)"', html)
    ]


def section(html: str, initiative_id: int, key: str) -> str:
    start = html.index(f'id="packet-{initiative_id}-{key}"')
    end = html.find('<section class="packet-', start + 1)
    return text_of(html[start : end if end != -1 else len(html)])


async def liaison_world(world):
    """The world's packet, plus an agency assigned to the liaison and one that is not."""
    await build(world)
    assigned_agency, assigned = await agency_with_initiative(1, world.users["liaison"])
    _, unassigned = await agency_with_initiative(2)
    set_day(TODAY)
    return assigned_agency, assigned, unassigned


async def test_a_liaison_gets_every_assigned_initiative_and_no_other(world, client_as):
    assigned_agency, assigned, unassigned = await liaison_world(world)
    liaison = await client_as(world.users["liaison"])
    response = await liaison.get(URL)
    assert response.status_code == 200, response.text
    html = response.text
    assert_well_formed(html, URL)  # several initiatives' charts on one page: ids stay unique
    # Ordered as on /portfolio: "Agency 01" before "Test Agency".
    assert shown(html) == [assigned, world.initiative_id]
    assert "Initiative 02" not in html and "Agency 02" not in html
    assert "Other initiative" not in html and "Other Agency" not in html
    cover = text_of(html[: html.index('<section class="packet-initiative"')])
    assert "Prepared for Lia Liaison" in cover and "Date 15 Jun 2026" in cover
    assert "Since the last packet: 16 May 2026 to 15 Jun 2026" in cover
    summary = re.search(rf'<tr data-initiative="{world.initiative_id}">.*?</tr>', html, re.S)
    line = text_of(summary.group(0))
    # stage, sprint status, open review items, run-chart signals, PIP behind
    assert "Parent engagement Test Agency 4." in line and "Sprint 3:" in line
    assert line.endswith(" 1")  # one PIP activity behind
    assert f'href="#packet-{assigned}"' in html
    # Each initiative: its own h2, then every section as h3, from the shared template.
    for initiative_id in (assigned, world.initiative_id):
        block = html[html.index(f'id="packet-{initiative_id}"') :]
        assert re.match(r'id="packet-\d+" aria-labelledby="[^"]+">\s*<h2', block)
        headings = re.findall(
            rf'<section class="packet-section" id="packet-{initiative_id}-(\w+)"[^>]*>\s*<h3',
            html,
        )
        assert headings == list(SECTION_KEYS)
    assert f'<h3 id="packet-{world.initiative_id}-stages-h"' in html
    # The world's numbers, as on its own packet; the new initiative's empty sections.
    assert "2 items (5 points)" in section(html, world.initiative_id, "sprints")
    assert "Was the goal met?" in section(html, world.initiative_id, "reviews")
    assert "The initiative has no measures yet" in section(html, assigned, "measures")
    # Charts reused from other areas get per-initiative ids and headings one level down.
    assert f'id="packet-{world.initiative_id}-burndown-table"' in html
    assert 'id="burndown-table"' not in html
    assert "<figcaption><h4>Component 1</h4></figcaption>" in html  # an h3 on its own page
    # Suppressed for the liaison as on the initiative's packet.
    assert "1 period suppressed (small numbers)" in section(html, world.initiative_id, "measures")
    assert "37.5" not in html
    assert 'class="site-header"' not in html


async def test_the_since_date_applies_to_every_initiative_and_a_bad_one_is_reported(
    world, client_as
):
    _, assigned, _ = await liaison_world(world)
    liaison = await client_as(world.users["liaison"])
    html = (await liaison.get(URL + "?since=2026-01-01")).text
    assert "Sprint 1 " in section(html, world.initiative_id, "sprints")
    assert "Posters in the lobby" in section(html, world.initiative_id, "pdsa")
    assert "Since the last packet: 1 Jan 2026 to 15 Jun 2026" in text_of(html)
    html = (await liaison.get(URL + "?since=2026-06-11")).text
    assert "No PDSA cycle ran since 11 Jun 2026" in section(html, world.initiative_id, "pdsa")
    bad = await liaison.get(URL + "?since=2026-02-30")
    assert bad.status_code == 400
    assert "There is a problem" in bad.text and 'value="2026-02-30"' in bad.text
    assert "<title>Error:" in bad.text and "Since the last packet: 16 May 2026" in text_of(bad.text)
    assert shown(bad.text) == [assigned, world.initiative_id]  # the packet still shows
    assert (await liaison.get(URL + "?since=2027-01-01")).status_code == 400


async def test_the_agency_filter_keeps_one_of_the_persons_agencies_and_ignores_others(
    world, client_as
):
    assigned_agency, assigned, _ = await liaison_world(world)
    liaison = await client_as(world.users["liaison"])
    html = (await liaison.get(f"{URL}?agency={assigned_agency}")).text
    assert shown(html) == [assigned] and "Portfolio: Agency 01" in text_of(html)
    html = (await liaison.get(f"{URL}?agency={world.agency_id}&since=2026-01-01")).text
    assert shown(html) == [world.initiative_id]
    # Another agency's id, or nonsense, is ignored: the person's own packet, nothing else.
    for raw in (str(world.other_agency_id), "abc", "99999999999999999999"):
        response = await liaison.get(f"{URL}?agency={raw}")
        assert response.status_code == 200
        assert shown(response.text) == [assigned, world.initiative_id], raw
        assert "Other initiative" not in response.text


async def test_a_member_gets_their_own_agency_only(world, client_as):
    await liaison_world(world)
    member = await client_as(world.users["team_member"])
    html = (await member.get(URL)).text
    assert shown(html) == [world.initiative_id]
    assert "Initiative 01" not in html and "Other initiative" not in html
    # The agency's own people see small values.
    assert "37.5" in section(html, world.initiative_id, "measures")
    assert_well_formed(html, URL)
    other = await client_as(world.users["other_lead"])
    html = (await other.get(URL)).text
    assert shown(html) == [world.other_initiative_id] and "Parent engagement" not in html


async def test_anonymous_people_are_sent_to_sign_in(client):
    for url in (URL, URL + ".pdf"):
        response = await client.get(url)
        assert response.status_code in (302, 303), url
        assert "sign-in" in response.headers["location"]


async def test_the_portfolio_links_to_its_packet(world, client_as):
    assigned_agency, _, _ = await liaison_world(world)
    liaison = await client_as(world.users["liaison"])
    html = (await liaison.get("/portfolio")).text
    assert '<a href="/portfolio/packet">Print packet</a>' in html
    html = (await liaison.get(f"/portfolio?agency={assigned_agency}")).text
    assert f'<a href="/portfolio/packet?agency={assigned_agency}">Print packet</a>' in html


async def test_queries_grow_with_initiatives_not_with_the_rows_inside_them(
    world, client_as, count_queries
):
    built = await build(world, sprints=2, measures=1)
    set_day(TODAY)
    liaison = await client_as(world.users["liaison"])
    with count_queries() as small:
        assert (await liaison.get(URL)).status_code == 200
    await add_measures(world, built, 5)
    with count_queries() as large:
        response = await liaison.get(URL)
    assert "8 measures" in section(response.text, world.initiative_id, "measures")
    assert small.count == large.count


async def test_the_portfolio_packet_downloads_as_pdf(world, client_as):
    pytest.importorskip("weasyprint")
    assigned_agency, _, _ = await liaison_world(world)
    liaison = await client_as(world.users["liaison"])
    page = (await liaison.get(f"{URL}?agency={assigned_agency}")).text
    link = f'href="/portfolio/packet.pdf?since=2026-05-16&amp;agency={assigned_agency}"'
    assert link in page
    response = await liaison.get(f"{URL}.pdf?since=2026-05-16&agency={assigned_agency}")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert (await liaison.get(URL + ".pdf?since=nonsense")).status_code == 400
