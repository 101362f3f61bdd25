"""The story page names the PDSA cycles it is linked to and the PIP key activity it
carries, with links, so a person on the board can find the evidence side."""

from __future__ import annotations

from datetime import date

from backend.pdsa import services as pdsa
from backend.pip import services as pip
from tests.factories import make_items
from tests.pdsa.build import decided, text_of


async def test_the_story_page_lists_its_pdsa_cycles_and_pip_activity(client, world):
    (item,) = await make_items(world.initiative_id, 1)
    page = await client.get(f"/items/{item}")
    assert "PDSA cycles and PIP key activities" not in page.text
    cycle = await decided(world.initiative_id, "adapt")
    await pdsa.link(cycle, [item], [])
    plan = await pip.create_pip(
        world.agency_id, {"title": "Round 4 PIP", "effective_date": date(2026, 1, 1)}
    )
    goal = await pip.add_goal(plan, {"text": "Keep siblings together"})
    strategy = await pip.add_strategy(goal, {"text": "Find homes for sibling groups"})
    await pip.add_activity(strategy, {"title": "Sibling placement review", "item": item})
    page = await client.get(f"/items/{item}")
    assert page.status_code == 200
    assert f'href="/pdsa/{cycle}"' in page.text
    words = text_of(page.text)
    assert "PDSA cycle: Call fathers before the first meeting" in words
    assert "decision: Adapt" in words
    assert "Key activity of Round 4 PIP: Sibling placement review" in words
