"""The CFSR reference pages and API: the outcomes, systemic factors and items, and one
item with what works toward it, only from the agencies the person can see (SEC-08)."""

from __future__ import annotations

import re
from datetime import date

from backend.cfsr.services import set_item_cfsr
from backend.pip import services as pip
from tests.cfsr.build import make_measure
from tests.factories import make_items


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


async def test_everyone_signed_in_reads_the_reference_in_order(client, client_as, world):
    page = await client.get("/cfsr")
    assert page.status_code == 200
    text = text_of(page.text)
    # The outcomes first, then the systemic factors; items in order inside each group.
    assert text.index("Outcomes") < text.index("Safety 1:") < text.index("Well-Being 3:")
    assert text.index("Well-Being 3:") < text.index("Systemic factors")
    assert text.index("Systemic factors") < text.index("Case Review System")
    numbers = [int(n) for n in re.findall(r'href="/cfsr/(\d+)"', page.text)]
    assert numbers == list(range(1, 37))
    assert "Item 7: Placement With Siblings" in text
    assert "Item 36: State Use of Cross-Jurisdictional Resources" in text
    for role in ("viewer", "liaison", "other_lead", "admin"):
        person = await client_as(world.users[role])
        assert (await person.get("/cfsr")).status_code == 200, role
        assert (await person.get("/cfsr/7")).status_code == 200, role
    anonymous = await client_as()
    response = await anonymous.get("/cfsr/7")
    assert response.status_code == 303 and response.headers["location"].startswith("/sign-in")


async def test_unknown_item_numbers_are_not_found(client, world):
    for number in (0, 37, 999_999, 99_999_999_999):
        response = await client.get(f"/cfsr/{number}")
        assert response.status_code == 404, number
    assert "items are numbered 1 to 36" in (await client.get("/cfsr/37")).text


async def _plant(world) -> dict[str, int]:
    """Work toward item 7 in both agencies: a story, a measure and a PIP goal each."""
    (ours,) = await make_items(world.initiative_id, 1, title="Keep brothers and sisters together")
    (theirs,) = await make_items(world.other_initiative_id, 1, title="Their sibling story")
    await set_item_cfsr(ours, [7])
    await set_item_cfsr(theirs, [7, 10])
    our_measure = await make_measure(world.initiative_id, "Siblings placed together", 7)
    await make_measure(world.other_initiative_id, "Their sibling measure", 7)
    our_pip = await pip.create_pip(
        world.agency_id, {"title": "Our PIP", "effective_date": date(2026, 1, 1)}
    )
    await pip.add_goal(our_pip, {"text": "Place siblings together", "cfsr_item": 7})
    await pip.add_measurement(our_pip, {"cfsr_item": 7, "baseline": 60, "goal": 70})
    their_pip = await pip.create_pip(
        world.other_agency_id, {"title": "Their PIP", "effective_date": date(2026, 1, 1)}
    )
    await pip.add_goal(their_pip, {"text": "Their sibling goal", "cfsr_item": 7})
    return {"ours": ours, "theirs": theirs, "measure": our_measure, "pip": our_pip}


async def test_an_item_page_shows_only_the_persons_agencies(client, client_as, world):
    planted = await _plant(world)
    page = await client.get("/cfsr/7")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Item 7: Placement With Siblings" in text
    assert "Permanency 2: The continuity of family relationships" in text
    assert f'href="/items/{planted["ours"]}"' in page.text
    assert "Keep brothers and sisters together" in text and "Test Agency" in text
    assert "Siblings placed together" in text
    assert f'href="/measures/{planted["measure"]}"' in page.text
    assert "Place siblings together" in text and "Our PIP" in text
    assert f'href="/pips/{planted["pip"]}#goal-' in page.text
    assert "baseline 60, goal 70" in text
    # SEC-08: nothing of the other agency, by name or by address.
    for foreign in ("Their sibling story", "Their sibling measure", "Their sibling goal"):
        assert foreign not in text
    assert "Other Agency" not in text and f'href="/items/{planted["theirs"]}"' not in page.text

    # The other agency's lead sees theirs and nothing of ours.
    outsider = text_of((await (await client_as(world.users["other_lead"])).get("/cfsr/7")).text)
    assert "Their sibling story" in outsider and "Their sibling goal" in outsider
    assert "Keep brothers and sisters together" not in outsider and "Our PIP" not in outsider
    # A liaison sees the agencies they support; a site admin in no agency sees none.
    liaison = text_of((await (await client_as(world.users["liaison"])).get("/cfsr/7")).text)
    assert "Keep brothers and sisters together" in liaison and "Their sibling" not in liaison
    admin = text_of((await (await client_as(world.users["admin"])).get("/cfsr/7")).text)
    assert "You belong to no agency" in admin
    assert "Keep brothers" not in admin and "Their sibling" not in admin and "PIP" not in admin
    # Item 10 is linked only in the other agency.
    assert "No backlog item is linked to this CFSR item." in text_of(
        (await client.get("/cfsr/10")).text
    )


async def test_item_page_query_count_does_not_grow_with_links(client, world, count_queries):
    """PERF-01: one link of each kind and ten cost the same queries."""
    (first,) = await make_items(world.initiative_id, 1, title="First")
    await set_item_cfsr(first, [12])
    await make_measure(world.initiative_id, "Measure 0", 12)
    await client.get("/cfsr/12")
    with count_queries() as small:
        page = await client.get("/cfsr/12")
    assert page.text.count('href="/items/') == 1
    for n in range(9):
        (item,) = await make_items(world.initiative_id, 1, title=f"More {n}")
        await set_item_cfsr(item, [12])
        await make_measure(world.initiative_id, f"Measure {n + 1}", 12)
    with count_queries() as large:
        page = await client.get("/cfsr/12")
    assert page.text.count('href="/items/') == 10
    assert large.count == small.count, (small.statements, large.statements)


async def test_the_api_lists_the_items_with_their_groups(client, client_as, world):
    response = await client.get("/api/cfsr-items")
    assert response.status_code == 200
    items = response.json()
    assert [i["number"] for i in items] == list(range(1, 37))
    assert items[6] == {
        "number": 7,
        "name": "Placement With Siblings",
        "group_code": "P2",
        "group_name": "Permanency 2: The continuity of family relationships and connections "
        "is preserved for children",
        "group_kind": "outcome",
    }
    assert items[19]["group_code"] == "SF2" and items[19]["group_kind"] == "systemic_factor"
    assert (
        await (await client_as(world.users["liaison"])).get("/api/cfsr-items")
    ).status_code == 200
    assert (await (await client_as()).get("/api/cfsr-items")).status_code == 401
