"""The traceability view of an initiative: components by stories, unused findings,
untraced stories, the counts, and switching the rule."""

from __future__ import annotations

from backend.initiatives.tables import Initiative
from tests.factories import make_items
from tests.traceability.factories import (
    build_trace_world,
    justify,
    link_item,
    make_finding,
    make_intervention,
    make_profile,
    make_theory,
)


def url(world) -> str:
    return f"/initiatives/{world.initiative_id}/traceability"


def section(html: str, section_id: str) -> str:
    start = html.index(f'<section id="{section_id}"')
    return html[start : html.index("</section>", start)]


def rows(html: str) -> list[str]:
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    return body.split("<tr")[1:]


async def rule_of(initiative_id: int) -> bool:
    got = await Initiative.select(Initiative.trace_rule).where(Initiative.id == initiative_id)
    return got[0]["trace_rule"]


async def test_gaps_are_computed_on_a_hand_built_world(client, world):
    t = await build_trace_world(world)
    page = await client.get(url(world))
    assert page.status_code == 200
    html = page.text
    assert "<title>Traceability of Parent engagement · Tandem</title>" in html
    assert (
        '<p class="trace-summary" id="trace-summary">2 of 3 components have stories; '
        "1 finding unused; 1 story unlinked</p>"
    ) in html

    components = rows(section(html, "components"))
    assert [r.count("<li>") for r in components] == [0, 1, 1]
    voice, auth, partnership = components
    assert "Parent, caregiver and family voice" in voice and "Gap: no story yet" in voice
    assert f'href="/components/{t.v2[0]}"' in voice
    assert "Write authenticity behaviours" in auth and "Gap" not in auth
    # Linked to partnership v1: counts for partnership v2 (same lineage).
    assert "Pilot partnership" in partnership and f'href="/components/{t.v2[2]}"' in partnership
    assert "Family voice profile v1" not in section(html, "components")

    findings = section(html, "findings")
    assert len(rows(findings)) == 1
    assert "Engagement fell before the review" in findings  # markdown heading mark dropped
    assert "Fathers are rarely" not in findings  # linked to a story
    assert "No written practice behaviours" not in findings  # justifies a causal link

    stories = section(html, "stories")
    assert len(rows(stories)) == 1
    assert f'href="/items/{t.s_stage4}#why">Story #{t.s_stage4}: Untraced at four' in stories
    assert "Untraced at three" not in stories and "A task at four" not in stories
    # Every section's table is captioned.
    assert html.count("<caption>") == 3


async def test_a_finding_used_only_by_a_dropped_causal_link_counts_as_unused(client, world):
    iid = world.initiative_id
    finding = await make_finding(iid, "Only in theory v1")
    carried = await make_finding(iid, "Justifies v1 of a link still in v2")
    _, (dropped, kept) = await make_theory(iid, [("a", "b"), ("c", "d")])
    await justify(dropped, finding)
    await justify(kept, carried)
    await make_theory(iid, [("c", "d")], number=2, lineages=[await _lineage(kept)])
    findings = section((await client.get(url(world))).text, "findings")
    assert "Only in theory v1" in findings
    assert "Justifies v1 of a link still in v2" not in findings


async def _lineage(link_id: int) -> str:
    from backend.exploration.tables import CausalLink

    got = await CausalLink.select(CausalLink.lineage).where(CausalLink.id == link_id)
    return got[0]["lineage"]


async def test_an_empty_initiative_says_there_is_nothing_yet(client, world):
    html = (await client.get(url(world))).text
    assert "0 of 0 components have stories; 0 findings unused; 0 stories unlinked" in html
    assert "No practice profile has core components yet." in html
    assert "Every finding has a story or a causal link acting on it." in html


async def test_switching_the_rule_off_hides_untraced_stories_here_and_on_the_board(
    client, client_as, world
):
    from backend.scrum import services as scrum

    t = await build_trace_world(world)
    sprint = await scrum.create_sprint(world.initiative_id, {"goal": "Trace"})
    await scrum.assign_sprint(world.initiative_id, [t.s_stage4], sprint)
    await scrum.start_sprint(sprint)
    board = f"/initiatives/{world.initiative_id}/board"
    assert "Not traced to a finding or component" in (await client.get(board)).text

    owner = await client_as(world.users["product_owner"])
    response = await owner.post_form(f"{url(world)}/rule", {"trace_rule": "off"})
    assert response.status_code == 303
    assert response.headers["location"] == f"{url(world)}#rule"
    assert await rule_of(world.initiative_id) is False
    html = (await owner.get(url(world))).text
    assert "The rule is off for this initiative" in html
    assert "Untraced at four" not in section(html, "stories")
    assert "the rule for untraced stories is off" in html
    assert "Switch the rule on" in html
    assert "Not traced" not in (await client.get(board)).text
    assert "is not linked to a finding" not in (await client.get(f"/items/{t.s_stage4}")).text

    response = await owner.post_form(f"{url(world)}/rule", {"trace_rule": "on"})
    assert response.status_code == 303
    assert await rule_of(world.initiative_id) is True


async def test_only_people_who_edit_the_initiative_switch_the_rule(client, client_as, world):
    for role in ("team_member", "scrum_master", "viewer", "liaison"):
        person = await client_as(world.users[role])
        html = (await person.get(url(world))).text
        assert "Switch the rule off" not in html, role
        response = await person.post_form(f"{url(world)}/rule", {"trace_rule": "off"})
        assert response.status_code == 403, role
    outsider = await client_as(world.users["other_lead"])
    assert (
        await outsider.post_form(f"{url(world)}/rule", {"trace_rule": "off"})
    ).status_code == 404
    assert (await outsider.get(url(world))).status_code == 404
    assert await rule_of(world.initiative_id) is True
    assert "Switch the rule off" in (await client.get(url(world))).text


async def test_a_rule_switch_without_a_choice_is_refused(client, world):
    for junk in ({}, {"trace_rule": "maybe"}, {"trace_rule": ["on", "off"]}):
        response = await client.post_form(f"{url(world)}/rule", junk)
        assert response.status_code == 422
        assert "<title>Error: Traceability" in response.text
        assert "Choose whether the rule is on or off" in response.text
    assert await rule_of(world.initiative_id) is True


async def test_view_query_count_does_not_grow_with_linked_items(client, world, count_queries):
    """PERF-01: 5 and 50 linked stories, findings and components cost the same queries."""
    iid = world.initiative_id
    stage = world.stages[4]["id"]

    async def add(n: int) -> None:
        intervention = await make_intervention(iid, f"Scale {n}")
        _, components = await make_profile(iid, intervention, [f"C{k}" for k in range(n)])
        items = await make_items(iid, n, stage=stage)
        for k, item in enumerate(items):
            finding = await make_finding(iid, f"F{k}")
            await link_item(item, (finding,) if k % 2 else (), (components[k],) if k % 3 else ())
            await make_finding(iid, f"Unused {k}")

    await add(5)
    await client.get(url(world))
    with count_queries() as small:
        html = (await client.get(url(world))).text
    assert "Unused 4" in html
    await add(45)
    with count_queries() as large:
        html = (await client.get(url(world))).text
    assert "Unused 44" in html
    assert large.count == small.count, (small.statements, large.statements)
