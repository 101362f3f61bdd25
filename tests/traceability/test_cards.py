"""Traceability on the board's cards and the backlog's rows: component chips, the
number of findings and the rule's flag, without a query per card."""

from __future__ import annotations

import re

from backend.scrum import services as scrum
from backend.scrum.tables import BacklogItem
from tests.factories import make_items
from tests.traceability.factories import (
    build_trace_world,
    link_item,
    make_finding,
    make_intervention,
    make_profile,
)

HTMX = {"HX-Request": "true"}
FLAG = "Not traced to a finding or component"


def card(html: str, item_id: int) -> str:
    start = html.index(f'<li class="card" id="card-{item_id}"')
    return html[start : html.index("</li>", start)]


def backlog_row(html: str, item_id: int) -> str:
    start = html.index(f'<tr id="item-{item_id}"')
    return html[start : html.index("</tr>", start)]


async def start_sprint(world, items: list[int]) -> int:
    sprint = await scrum.create_sprint(world.initiative_id, {"goal": "Trace"})
    await scrum.assign_sprint(world.initiative_id, items, sprint)
    await scrum.start_sprint(sprint)
    return sprint


async def test_board_cards_show_chips_findings_and_the_flag(client, world):
    t = await build_trace_world(world)
    await link_item(t.s_find, findings=(t.f_link,), components=(t.v2[0],))
    await start_sprint(world, [t.s_auth, t.s_find, t.s_stage4, t.s_stage3, t.t_stage4])
    html = (await client.get(f"/initiatives/{world.initiative_id}/board")).text
    auth = card(html, t.s_auth)
    assert '<span class="chip">Authenticity and…</span>' in auth
    assert "finding" not in auth and FLAG not in auth
    found = card(html, t.s_find)
    assert '<span class="chip">Parent, caregiver and…</span>' in found
    assert "<span>2 findings</span>" in found
    flagged = card(html, t.s_stage4)
    # Words and an icon, not colour alone.
    assert f'<span aria-hidden="true">⚠ </span>{FLAG}</strong>' in flagged
    assert "card__trace" not in card(html, t.s_stage3)
    assert "card__trace" not in card(html, t.t_stage4)


async def test_moving_a_card_keeps_its_chips_and_stays_small(client, world):
    """PERF-02: the move answer carries the card with its chips, under 4 KB."""
    t = await build_trace_world(world)
    await link_item(t.s_auth, findings=(t.f_story, t.f_link), components=(t.v2[0], t.v2[2]))
    await start_sprint(world, [t.s_auth, t.s_stage4])
    response = await client.post_form(
        f"/items/{t.s_auth}/move", {"column": world.in_progress, "lanes": "on"}, headers=HTMX
    )
    assert response.status_code == 200
    assert len(response.content) < 4096, len(response.content)
    assert response.text.count('<span class="chip">') == 3
    assert "<span>2 findings</span>" in response.text
    response = await client.post_form(
        f"/items/{t.s_stage4}/move", {"column": world.in_progress, "lanes": "on"}, headers=HTMX
    )
    assert FLAG in response.text


async def test_backlog_rows_show_chips_findings_and_the_flag(client, world):
    t = await build_trace_world(world)
    html = (await client.get(f"/initiatives/{world.initiative_id}/backlog")).text
    assert '<span class="chip">Partnership</span>' in backlog_row(html, t.s_old)
    assert "<span>1 finding</span>" in backlog_row(html, t.s_find)
    assert FLAG in backlog_row(html, t.s_stage4)
    assert "backlog-trace" not in backlog_row(html, t.s_stage3)
    # The single row htmx swaps after an estimate keeps them.
    response = await client.post_form(
        f"/items/{t.s_stage4}/estimate", {"estimate": "5"}, headers=HTMX
    )
    assert response.status_code == 200
    assert FLAG in response.text


async def _linked_cards(world, count: int) -> list[int]:
    iid = world.initiative_id
    intervention = await make_intervention(iid, f"Scale {count}")
    stage = world.stages[4]["id"]
    _, components = await make_profile(iid, intervention, [f"Component {n}" for n in range(count)])
    items = await make_items(iid, count, stage=stage)
    for n, item in enumerate(items):
        finding = await make_finding(iid, f"Finding {n}")
        # A third untraced (flagged), the rest with a component, a finding or both.
        if n % 3:
            await link_item(item, (finding,) if n % 2 else (), (components[n],))
    return items


async def test_board_and_backlog_query_counts_do_not_grow_with_linked_cards(
    client, world, count_queries
):
    """PERF-01: 5 and 50 linked cards cost the same queries."""
    items = await _linked_cards(world, 5)
    sprint = await start_sprint(world, items)
    board = f"/initiatives/{world.initiative_id}/board"
    backlog = f"/initiatives/{world.initiative_id}/backlog"
    await client.get(board)
    await client.get(backlog)
    with count_queries() as small:
        html = (await client.get(board)).text
    assert len(re.findall('<span class="chip">', html)) == 3
    with count_queries() as small_backlog:
        await client.get(backlog)
    more = await _linked_cards(world, 45)
    await scrum.assign_sprint(world.initiative_id, more, sprint)
    with count_queries() as large:
        html = (await client.get(board)).text
    assert html.count('class="card"') == 50
    assert len(re.findall('<span class="chip">', html)) == 33
    assert html.count(FLAG) == 17
    assert large.count == small.count, (small.statements, large.statements)
    with count_queries() as large_backlog:
        await client.get(backlog)
    assert large_backlog.count == small_backlog.count


async def test_the_flag_follows_the_stage(client, world):
    t = await build_trace_world(world)
    await start_sprint(world, [t.s_stage3])
    board = f"/initiatives/{world.initiative_id}/board"
    assert FLAG not in (await client.get(board)).text
    await BacklogItem.update({BacklogItem.stage: world.stages[6]["id"]}).where(
        BacklogItem.id == t.s_stage3
    )
    assert FLAG in card((await client.get(board)).text, t.s_stage3)
