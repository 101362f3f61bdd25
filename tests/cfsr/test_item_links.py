"""Links from backlog items to CFSR items: the fourth group of the story's "Why this
story" form, the traceability API's `cfsr_items`, and set_item_cfsr for seeds."""

from __future__ import annotations

import re

import pytest

from backend.cfsr.services import set_item_cfsr
from backend.cfsr.tables import ItemCfsrItem
from backend.errors import Invalid
from backend.scrum import services as scrum
from tests.factories import make_items
from tests.traceability.factories import build_trace_world, make_finding, saved_links

HTMX = {"HX-Request": "true"}


async def cfsr_links(item_id: int) -> set[int]:
    rows = await ItemCfsrItem.select(ItemCfsrItem.cfsr_item.number.as_alias("number")).where(
        ItemCfsrItem.item == item_id
    )
    return {r["number"] for r in rows}


def why(html: str) -> str:
    start = html.index('<section id="why"')
    return html[start : html.index("</section>", start)]


def ticked(html: str) -> set[int]:
    pattern = r'<input type="checkbox" id="cfsr_items-\d+" name="cfsr_items" value="(\d+)" checked>'
    return {int(v) for v in re.findall(pattern, html)}


async def test_a_team_member_links_a_story_to_cfsr_items_from_its_page(client_as, world):
    t = await build_trace_world(world)
    member = await client_as(world.users["team_member"])
    section = why((await member.get(f"/items/{t.s_find}")).text)
    assert "No CFSR item yet." in section
    # Items 1-36 grouped by outcome and systemic factor.
    assert "<legend>Permanency 2: The continuity of family relationships" in section
    assert "<legend>Systemic factor: Case Review System</legend>" in section
    assert len(re.findall(r'name="cfsr_items"', section)) == 36

    form = [("findings", t.f_story), ("causal_links", t.links2[0])]
    response = await member.post_form(
        f"/items/{t.s_find}/links", [*form, ("cfsr_items", 7), ("cfsr_items", 10)]
    )
    assert response.status_code == 303
    assert await cfsr_links(t.s_find) == {7, 10}
    assert (await saved_links(t.s_find))["findings"] == {t.f_story}  # the others kept
    section = why((await member.get(f"/items/{t.s_find}")).text)
    assert '<a href="/cfsr/7">Item 7: Placement With Siblings</a>' in section
    assert '<a href="/cfsr/10">Item 10: Relative Placement</a>' in section
    assert ticked(section) == {7, 10}
    assert "(2 ticked)" in section
    # The CFSR item's page lists the story.
    assert f'href="/items/{t.s_find}"' in (await member.get("/cfsr/7")).text

    # Unticking replaces the set, in the same save as the other links.
    response = await member.post_form(f"/items/{t.s_find}/links", [*form, ("cfsr_items", 10)])
    assert response.status_code == 303
    assert await cfsr_links(t.s_find) == {10}
    assert (await member.post_form(f"/items/{t.s_find}/links", form)).status_code == 303
    assert await cfsr_links(t.s_find) == set()


async def test_htmx_save_swaps_the_section_with_the_cfsr_items(client, world):
    t = await build_trace_world(world)
    response = await client.post_form(
        f"/items/{t.s_stage4}/links", {"cfsr_items": 13}, headers=HTMX
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="why"')
    assert "Item 13: Child and Family Involvement in Case Planning" in response.text
    assert await cfsr_links(t.s_stage4) == {13}


async def test_unknown_cfsr_items_are_refused_and_nothing_is_saved(client, world):
    t = await build_trace_world(world)
    await set_item_cfsr(t.s_find, [3])
    foreign = await make_finding(world.other_initiative_id, "Not ours")
    # A bad finding refuses the CFSR items too: one transaction.
    response = await client.post_form(
        f"/items/{t.s_find}/links", [("findings", foreign), ("cfsr_items", 7)]
    )
    assert response.status_code == 422
    assert ticked(why(response.text)) == {7}
    assert await cfsr_links(t.s_find) == {3}
    assert (await saved_links(t.s_find))["findings"] == {t.f_story}
    # Numbers that are no CFSR item.
    response = await client.post_form(
        f"/items/{t.s_find}/links", [("cfsr_items", 7), ("cfsr_items", 40)]
    )
    assert response.status_code == 422
    assert "<title>Error:" in response.text
    assert "40 is no CFSR item: items are numbered 1 to 36" in response.text
    assert 'href="#field-cfsr_items"' in response.text
    assert ticked(why(response.text)) == {7, 40} - {40}  # 40 is not offered at all
    for junk in ("abc", "-1", "99999999999", "7.5"):
        response = await client.post_form(f"/items/{t.s_find}/links", {"cfsr_items": junk})
        assert response.status_code == 422, junk
        assert "Choose CFSR items from the list" in response.text
    assert await cfsr_links(t.s_find) == {3}


async def test_viewers_liaisons_and_other_agencies_cannot_change_cfsr_links(client_as, world):
    (item,) = await make_items(world.initiative_id, 1)
    await set_item_cfsr(item, [5])
    for role in ("viewer", "liaison"):
        person = await client_as(world.users[role])
        section = why((await person.get(f"/items/{item}")).text)
        assert "Item 5: Permanency Goal for Child" in section and "<form" not in section
        response = await person.post_form(f"/items/{item}/links", {"cfsr_items": 6})
        assert response.status_code == 403
    outsider = await client_as(world.users["other_lead"])
    assert (await outsider.post_form(f"/items/{item}/links", {"cfsr_items": 6})).status_code == 404
    assert await cfsr_links(item) == {5}


async def test_the_traceability_api_reads_and_replaces_cfsr_items(client, client_as, world):
    t = await build_trace_world(world)
    url = f"/api/items/{t.s_find}/links"
    assert (await client.get(url)).json()["cfsr_items"] == []
    member = await client_as(world.users["team_member"])
    body = {"findings": [t.f_story], "components": [], "causal_links": [], "cfsr_items": [10, 7]}
    response = await member.send_json("PUT", url, body)
    assert response.status_code == 200, response.text
    assert response.json()["cfsr_items"] == [7, 10]
    assert await cfsr_links(t.s_find) == {7, 10}
    # Left out, the CFSR links stay as they are; the other kinds are replaced.
    response = await member.send_json(
        "PUT", url, {"findings": [], "components": [], "causal_links": []}
    )
    assert response.status_code == 200
    assert response.json()["cfsr_items"] == [7, 10] and response.json()["findings"] == []
    response = await member.send_json("PUT", url, {**body, "cfsr_items": []})
    assert response.json()["cfsr_items"] == []
    # Refused together with nothing saved.
    response = await member.send_json("PUT", url, {**body, "cfsr_items": [7, 37, 40]})
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "cfsr_items": "37, 40 are no CFSR items: items are numbered 1 to 36"
    }
    for bad in (["x"], [0], [1.5], 7):
        response = await member.send_json("PUT", url, {**body, "cfsr_items": bad})
        assert response.status_code == 422, bad
    assert await cfsr_links(t.s_find) == set()
    liaison = await client_as(world.users["liaison"])
    assert (await liaison.send_json("PUT", url, body)).status_code == 403


async def test_set_item_cfsr_for_seeds(world):
    (item,) = await make_items(world.initiative_id, 1)
    assert await set_item_cfsr(item, [7, 7, 10]) == {7, 10}
    assert await cfsr_links(item) == {7, 10}
    assert await set_item_cfsr(item, [10]) == {10}
    assert await cfsr_links(item) == {10}
    with pytest.raises(Invalid):
        await set_item_cfsr(item, [10, 99])
    assert await cfsr_links(item) == {10}


async def test_backlog_and_board_show_items_linked_to_cfsr_items(client, world):
    items = await make_items(world.initiative_id, 2)
    await set_item_cfsr(items[0], [7])
    sprint = await scrum.create_sprint(world.initiative_id, {"goal": "CFSR"})
    await scrum.assign_sprint(world.initiative_id, items, sprint)
    await scrum.start_sprint(sprint)
    for url in (
        f"/initiatives/{world.initiative_id}/backlog",
        f"/initiatives/{world.initiative_id}/board",
    ):
        response = await client.get(url)
        assert response.status_code == 200, url
        assert f'href="/items/{items[0]}"' in response.text
