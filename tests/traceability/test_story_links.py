"""The "Why this story" section: linking and unlinking findings, core components and
causal links from the story page, who may, what is refused, and the rule's flag."""

from __future__ import annotations

import json
import re

from backend.initiatives.tables import Initiative
from tests.factories import make_items
from tests.traceability.factories import (
    build_trace_world,
    link_item,
    make_finding,
    make_intervention,
    make_profile,
    saved_links,
)

HTMX = {"HX-Request": "true"}


def why(html: str) -> str:
    """The story page's "Why" section."""
    start = html.index('<section id="why"')
    return html[start : html.index("</section>", start)]


def ticked(html: str, name: str) -> set[int]:
    return {
        int(v)
        for v in re.findall(
            rf'<input type="checkbox" id="{name}-\d+" name="{name}" value="(\d+)" checked>', html
        )
    }


async def test_team_member_links_and_unlinks_from_the_story_page(client_as, world):
    t = await build_trace_world(world)
    member = await client_as(world.users["team_member"])
    page = await member.get(f"/items/{t.s_stage4}")
    section = why(page.text)
    assert "Why this story" in section
    assert "No finding yet." in section
    # Findings grouped by kind, components by profile (latest version), current links.
    assert "<legend>Root cause</legend>" in section
    assert "<legend>Family voice profile v2</legend>" in section
    assert "Family voice profile v1" not in section
    assert "If workers ask fathers first then fathers take part" in section
    assert "workers ask fathers then" not in section  # v1's link is not offered
    assert 'id="why-save"' in section

    response = await member.post_form(
        f"/items/{t.s_stage4}/links",
        [("findings", t.f_story), ("findings", t.f_unused), ("components", t.v2[0])],
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/items/{t.s_stage4}#why"
    assert await saved_links(t.s_stage4) == {
        "findings": {t.f_story, t.f_unused},
        "components": {t.v2[0]},
        "causal_links": set(),
    }
    section = why((await member.get(f"/items/{t.s_stage4}")).text)
    assert "Root cause:</span> Fathers are rarely invited</a>" in section
    assert "Parent, caregiver and family voice (Family voice profile v2)" in section
    assert f'href="/findings/{t.f_story}"' in section
    assert f'href="/components/{t.v2[0]}"' in section
    assert ticked(section, "findings") == {t.f_story, t.f_unused}
    assert "Not traced" not in section

    # Untick one finding and the component, tick a causal link: the set is replaced.
    response = await member.post_form(
        f"/items/{t.s_stage4}/links", [("findings", t.f_story), ("causal_links", t.links2[0])]
    )
    assert response.status_code == 303
    assert await saved_links(t.s_stage4) == {
        "findings": {t.f_story},
        "components": set(),
        "causal_links": {t.links2[0]},
    }
    section = why((await member.get(f"/items/{t.s_stage4}")).text)
    assert f'href="/causal-links/{t.links2[0]}"' in section
    assert "No core component yet." in section

    # Nothing ticked unlinks everything.
    assert (await member.post_form(f"/items/{t.s_stage4}/links", {})).status_code == 303
    assert await saved_links(t.s_stage4) == {
        "findings": set(),
        "components": set(),
        "causal_links": set(),
    }


async def test_saving_with_htmx_swaps_the_section_and_announces_it(client, world):
    t = await build_trace_world(world)
    response = await client.post_form(
        f"/items/{t.s_stage4}/links", {"components": t.v2[2]}, headers=HTMX
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="why"')
    assert "<html" not in response.text
    assert "Partnership (Family voice profile v2)" in response.text
    assert json.loads(response.headers["hx-trigger"]) == {"tandem:announce": "Links saved"}
    assert json.loads(response.headers["hx-trigger-after-settle"]) == {"tandem:focus": "why-save"}
    assert (await saved_links(t.s_stage4))["components"] == {t.v2[2]}
    # Saving the same set again is harmless.
    again = await client.post_form(
        f"/items/{t.s_stage4}/links", {"components": t.v2[2]}, headers=HTMX
    )
    assert again.status_code == 200
    assert (await saved_links(t.s_stage4))["components"] == {t.v2[2]}


async def test_viewer_and_liaison_see_the_links_but_cannot_change_them(client_as, world):
    t = await build_trace_world(world)
    for role in ("viewer", "liaison"):
        person = await client_as(world.users[role])
        page = await person.get(f"/items/{t.s_find}")
        assert page.status_code == 200
        section = why(page.text)
        assert "Fathers are rarely invited" in section
        assert "Save links" not in section and "<form" not in section
        response = await person.post_form(f"/items/{t.s_find}/links", {"findings": t.f_unused})
        assert response.status_code == 403, role
    assert (await saved_links(t.s_find))["findings"] == {t.f_story}


async def test_another_agencys_finding_is_refused_and_nothing_is_saved(client, world):
    t = await build_trace_world(world)
    foreign = await make_finding(world.other_initiative_id, "Not ours")
    before = await saved_links(t.s_find)
    response = await client.post_form(
        f"/items/{t.s_find}/links",
        [("findings", t.f_unused), ("findings", foreign), ("components", t.v2[0])],
    )
    assert response.status_code == 422
    html = response.text
    assert "<title>Error: Story #" in html
    assert f"Finding {foreign} is not one of this initiative&#39;s findings" in html
    assert 'href="#field-findings"' in html
    # The boxes that were ticked stay ticked; the foreign one is not offered at all.
    assert ticked(html, "findings") == {t.f_unused}
    assert ticked(html, "components") == {t.v2[0]}
    assert "Not ours" not in html
    assert await saved_links(t.s_find) == before


async def test_refused_save_with_htmx_comes_back_in_the_section(client, world):
    t = await build_trace_world(world)
    other_intervention = await make_intervention(world.other_initiative_id, "Theirs")
    _, (foreign,) = await make_profile(world.other_initiative_id, other_intervention, ["Theirs"])
    response = await client.post_form(
        f"/items/{t.s_stage4}/links",
        [("components", foreign), ("components", t.v2[1])],
        headers=HTMX,
    )
    assert response.status_code == 422
    assert response.text.lstrip().startswith('<section id="why"')
    assert 'id="error-summary"' in response.text
    assert f"Core component {foreign} is not one of this initiative" in response.text
    assert ticked(response.text, "components") == {t.v2[1]}
    trigger = json.loads(response.headers["hx-trigger"])
    assert trigger["tandem:announce"].startswith("Links not saved:")
    assert (await saved_links(t.s_stage4))["components"] == set()


async def test_junk_ids_are_refused_with_a_message(client, world):
    t = await build_trace_world(world)
    for junk in ("abc", "-1", "99999999999", "1.5"):
        response = await client.post_form(f"/items/{t.s_find}/links", {"causal_links": junk})
        assert response.status_code == 422, junk
        assert "Choose causal links from the list" in response.text
    response = await client.post_form(f"/items/{t.s_find}/links", {"causal_links": 999_999})
    assert response.status_code == 422
    assert "Causal link 999999 is not one of this initiative" in response.text
    assert (await saved_links(t.s_find))["causal_links"] == {t.links2[0]}


async def test_another_agencys_item_does_not_exist(client, client_as, world):
    (theirs,) = await make_items(world.other_initiative_id, 1)
    t = await build_trace_world(world)
    assert (await client.get(f"/items/{theirs}")).status_code == 404
    response = await client.post_form(f"/items/{theirs}/links", {"findings": t.f_story})
    assert response.status_code == 404
    assert (await saved_links(theirs))["findings"] == set()
    outsider = await client_as(world.users["other_lead"])
    response = await outsider.post_form(f"/items/{t.s_find}/links", {})
    assert response.status_code == 404
    assert (await saved_links(t.s_find))["findings"] == {t.f_story}


async def test_a_link_to_an_older_version_shows_its_version_and_survives_a_save(client, world):
    t = await build_trace_world(world)
    await link_item(t.s_old, causal_links=(t.links1[0],))
    section = why((await client.get(f"/items/{t.s_old}")).text)
    assert "Partnership (Family voice profile v1)" in section
    assert "Older version" in section
    assert "If workers ask fathers then fathers take part</a>" in section
    assert "Theory of change v1, older version" in section
    assert "If workers ask fathers then fathers take part (theory of change v1)" in section
    assert ticked(section, "causal_links") == {t.links1[0]}
    # The form offers the v1 row (ticked) beside the current ones, so a save keeps it.
    assert "<legend>Family voice profile v1 (older version)</legend>" in section
    assert ticked(section, "components") == {t.v1[2]}
    response = await client.post_form(
        f"/items/{t.s_old}/links",
        [("components", t.v1[2]), ("findings", t.f_link), ("causal_links", t.links1[0])],
    )
    assert response.status_code == 303
    assert await saved_links(t.s_old) == {
        "findings": {t.f_link},
        "components": {t.v1[2]},
        "causal_links": {t.links1[0]},
    }


async def test_rule_flag_on_the_story_page(client, world):
    t = await build_trace_world(world)
    warning = "This story is at stage 4 or later and is not linked to a finding or a core component"
    assert warning in (await client.get(f"/items/{t.s_stage4}")).text
    assert warning not in (await client.get(f"/items/{t.s_stage3}")).text
    assert warning not in (await client.get(f"/items/{t.t_stage4}")).text  # a task
    assert warning not in (await client.get(f"/items/{t.s_auth}")).text  # has a component
    # A causal link alone does not trace a story.
    await client.post_form(f"/items/{t.s_stage4}/links", {"causal_links": t.links2[0]})
    assert warning in (await client.get(f"/items/{t.s_stage4}")).text
    await Initiative.update({Initiative.trace_rule: False}).where(
        Initiative.id == world.initiative_id
    )
    assert warning not in (await client.get(f"/items/{t.s_stage4}")).text


async def test_story_page_query_count_does_not_grow_with_links(client, world, count_queries):
    """PERF-01: a story with 5 and with 50 links of each kind costs the same queries."""
    t = await build_trace_world(world)
    iid = world.initiative_id
    findings = [await make_finding(iid, f"Finding {n}") for n in range(50)]
    intervention = await make_intervention(iid, "Many")
    _, components = await make_profile(iid, intervention, [f"C{n}" for n in range(50)])
    url = f"/items/{t.s_stage4}"
    await client.post_form(f"{url}/links", {"findings": findings[:5], "components": components[:5]})
    await client.get(url)
    with count_queries() as small:
        page = await client.get(url)
    assert len(ticked(page.text, "findings")) == 5
    await client.post_form(f"{url}/links", {"findings": findings, "components": components})
    with count_queries() as large:
        page = await client.get(url)
    assert len(ticked(page.text, "findings")) == 50
    assert len(ticked(page.text, "components")) == 50
    assert large.count == small.count, (small.statements, large.statements)
