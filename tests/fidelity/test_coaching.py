"""The coaching agenda: per site, the behaviours most often rated below the fidelity level
(matched across profile versions by lineage), most frequent first, with counts and the
latest date; a quarter filter."""

from __future__ import annotations

import re

from tests.fidelity.build import hand_built
from tests.fidelity.html import text_of


def _rows(html: str, site_id: int) -> list[str]:
    """The agenda rows of one site, each as its words."""
    section = html.split(f'id="site-{site_id}"', 1)[1].split("</section>", 1)[0]
    return [text_of(row) for row in re.findall(r"<tr>\s*<th scope=\"row\">.*?</tr>", section, re.S)]


async def test_the_agenda_lists_each_sites_behaviours_below_fidelity_most_often_first(
    client, world
):
    built = await hand_built(world)
    html = (await client.get(f"/initiatives/{world.initiative_id}/fidelity/coaching")).text
    assert "<title>Coaching agenda for Parent engagement · Tandem</title>" in html
    # By hand (tests/fidelity/build.py): South has behaviour 1.2 below twice (A2, A6),
    # then 2.2 (A6, 1 Mar) and 1.1 (A2, 10 Feb) once each: the later first.
    assert _rows(html, built.south) == [
        "Behaviour 1.2 (Worker) Parent voice 2 of 2 ratings Developmental 2 1 Mar 2025",
        "Behaviour 2.2 (Worker) Component 2 1 of 1 rating Unacceptable 1 1 Mar 2025",
        "Behaviour 1.1 (Worker) Parent voice 1 of 2 ratings Unacceptable 1 10 Feb 2025",
    ]
    # North: once each; versions 1 and 2 of a behaviour count together (1.1 was rated
    # in A1 and A3 on version 1 and 2, and A4).
    assert _rows(html, built.north) == [
        "Behaviour 1.1 (Worker) Parent voice 1 of 3 ratings Developmental 1 5 May 2025",
        "Behaviour 2.1 (Worker) Component 2 1 of 3 ratings Developmental 1 20 Apr 2025",
        "Behaviour 1.2 (Worker) Parent voice 1 of 2 ratings Developmental 1 15 Jan 2025",
    ]
    assert html.index(f'id="site-{built.north}"') < html.index(f'id="site-{built.south}"')


async def test_the_agenda_can_be_narrowed_to_a_quarter(client, world):
    built = await hand_built(world)
    url = f"/initiatives/{world.initiative_id}/fidelity/coaching"
    html = (await client.get(f"{url}?period=2025-Q2")).text
    assert "<h1>Coaching agenda, Q2 2025</h1>" in html
    assert '<option value="2025-Q2" selected>Q2 2025</option>' in html
    assert _rows(html, built.north) == [
        "Behaviour 1.1 (Worker) Parent voice 1 of 2 ratings Developmental 1 5 May 2025",
        "Behaviour 2.1 (Worker) Component 2 1 of 2 ratings Developmental 1 20 Apr 2025",
    ]
    assert "Every rating at South Area Office in Q2 2025 was at or above the fidelity level" in html
    # A quarter with no assessments, or no quarter at all, shows every quarter.
    for period in ("2030-Q1", "soon", "2025-Q9"):
        html = (await client.get(f"{url}?period={period}")).text
        assert "<h1>Coaching agenda</h1>" in html, period
        assert len(_rows(html, built.south)) == 3
