"""The backlog page: ranked rows, filters, pages, rank moves, inline estimates, bulk changes."""

from __future__ import annotations

import asyncio
import json
import random
import re

from backend.scrum import services as scrum
from backend.scrum.tables import BacklogItem, ItemBlock, Sprint
from tests.factories import make_items

HTMX = {"HX-Request": "true"}


def backlog(world) -> str:
    return f"/initiatives/{world.initiative_id}/backlog"


async def ranked_ids(initiative_id: int) -> list[int]:
    """Open items of the initiative in rank order, as the backlog shows them."""
    is_open = BacklogItem.status.is_done == False  # noqa: E712 - piccolo builds SQL from ==
    rows = (
        await BacklogItem.select(BacklogItem.id)
        .where((BacklogItem.initiative == initiative_id) & is_open)
        .order_by(BacklogItem.rank)
    )
    return [r["id"] for r in rows]


async def ranks(initiative_id: int) -> dict[int, int]:
    rows = await BacklogItem.select(BacklogItem.id, BacklogItem.rank).where(
        BacklogItem.initiative == initiative_id
    )
    return {r["id"]: r["rank"] for r in rows}


def row_ids(html: str) -> list[int]:
    """Item ids of the backlog rows, top to bottom."""
    return [int(n) for n in re.findall(r'<tr id="item-(\d+)"', html)]


async def insert_items(world, count: int, **values) -> None:
    """Many items quickly (one INSERT per 500), at increasing ranks after any existing."""
    start = len(await ranks(world.initiative_id))
    rows = [
        BacklogItem(
            initiative=world.initiative_id,
            title=f"Bulk story {n + 1}",
            rank=(start + n + 1) * 1024,
            status=world.todo,
            estimate=2,
            **values,
        )
        for n in range(count)
    ]
    for first in range(0, len(rows), 500):
        await BacklogItem.insert(*rows[first : first + 500])


# ---------------------------------------------------------------- the list


async def test_backlog_shows_open_items_in_rank_order_with_stage_sprint_and_blocked_state(
    client, world
):
    stage = world.stages[3]["id"]
    sprint = await scrum.create_sprint(world.initiative_id, {"goal": "Pilot"})
    a, b, c = await make_items(world.initiative_id, 3)
    done = (await make_items(world.initiative_id, 1, title="Already finished"))[0]
    await scrum.update_item(a, 1, {"title": "Interview fathers", "stage": stage, "kind": "spike"})
    await scrum.assign_sprint(world.initiative_id, [b], sprint)
    await scrum.set_blockers(c, [a])
    await scrum.move_item(done, world.done)
    await scrum.rank_item(c, "top")

    page = await client.get(backlog(world))

    assert page.status_code == 200
    assert "<title>Backlog of Parent engagement" in page.text
    assert row_ids(page.text) == [c, a, b]
    assert "Already finished" not in page.text
    assert f'<a href="/items/{a}">Interview fathers</a>' in page.text
    assert "Spike" in page.text and "4. Intervention" in page.text
    assert "Sprint 1</a> (planned)" in page.text or "Sprint 1 (planned)" in page.text
    row_c = page.text.split(f'<tr id="item-{c}"')[1].split("</tr>")[0]
    assert "Blocked</span> by" in row_c and f'href="/items/{a}">#{a}</a>' in row_c
    assert "Showing 1–3 of 3 open items" in page.text
    assert 'aria-current="page">Backlog' in page.text


async def test_blocked_state_clears_when_the_blocker_is_done(client, world):
    a, b = await make_items(world.initiative_id, 2)
    await scrum.set_blockers(b, [a])
    await scrum.move_item(a, world.done)
    page = await client.get(backlog(world))
    row_b = page.text.split(f'<tr id="item-{b}"')[1].split("</tr>")[0]
    assert "Blocked" not in row_b


async def test_filters_by_stage_kind_sprint_and_title(client, world):
    stage = world.stages[1]["id"]
    sprint = await scrum.create_sprint(world.initiative_id, {})
    a, b, c, d = await make_items(world.initiative_id, 4)
    await scrum.update_item(a, 1, {"title": "Fathers focus group", "stage": stage})
    await scrum.update_item(b, 1, {"kind": "pdsa_test", "title": "Test the FATHERS script"})
    await scrum.assign_sprint(world.initiative_id, [c], sprint)

    async def shown(query: str) -> list[int]:
        response = await client.get(f"{backlog(world)}?{query}")
        assert response.status_code == 200
        return row_ids(response.text)

    assert await shown(f"stage={stage}") == [a]
    assert await shown("stage=none") == [b, c, d]
    assert await shown("kind=pdsa_test") == [b]
    assert await shown(f"sprint={sprint}") == [c]
    assert await shown("sprint=none") == [a, b, d]
    # Title search ignores case and is combined with the other filters.
    assert await shown("q=fathers") == [a, b]
    assert await shown("q=fathers&kind=story") == [a]
    assert await shown("q=nothing+like+this") == []
    empty = await client.get(f"{backlog(world)}?q=nothing+like+this")
    assert "No open items match these filters" in empty.text


async def test_title_search_takes_percent_underscore_and_backslash_literally(client, world):
    a, b, c = await make_items(world.initiative_id, 3)
    await scrum.update_item(a, 1, {"title": "Raise engagement to 80% of fathers"})
    await scrum.update_item(b, 1, {"title": "Rename file_name fields"})
    await scrum.update_item(c, 1, {"title": r"Path C:\data"})

    async def shown(q: str) -> list[int]:
        response = await client.get(backlog(world), params={"q": q})
        assert response.status_code == 200
        return row_ids(response.text)

    assert await shown("%") == [a]
    assert await shown("80%") == [a]
    assert await shown("_") == [b]
    assert await shown("E_N") == [b]  # "file_name": case ignored, "_" literal
    assert await shown("\\") == [c]
    assert await shown("\x00") == [a, b, c]  # a NUL is dropped, not sent to the database


async def test_ids_too_large_for_any_row_are_ignored_or_refused_never_a_500(client, world):
    # On PostgreSQL ids are int4: a larger number must never reach a query.
    a, b = await make_items(world.initiative_id, 2)
    huge = "99999999999"
    listing = await client.get(f"{backlog(world)}?stage={huge}&sprint={huge}")
    assert listing.status_code == 200 and row_ids(listing.text) == [a, b]
    rank = await client.post_form(f"/items/{a}/rank", {"action": "above", "target": huge})
    assert rank.status_code == 422
    for form in (
        {"items": huge, "bulk_stage": "none"},
        {"items": a, "bulk_sprint": huge},
        {"items": a, "bulk_stage": huge},
    ):
        bulk = await client.post_form(f"{backlog(world)}/bulk", form)
        assert bulk.status_code == 422, form
    story = await client.post_form(
        f"/initiatives/{world.initiative_id}/items/new", {"title": "X", "blocked_by": f"#{huge}"}
    )
    assert story.status_code == 422


async def test_filtered_rows_show_their_position_in_the_whole_backlog(client, world):
    ids = await make_items(world.initiative_id, 5)
    await scrum.update_item(ids[3], 1, {"kind": "task"})
    page = await client.get(f"{backlog(world)}?kind=task")
    row = page.text.split(f'<tr id="item-{ids[3]}"')[1].split("</tr>")[0]
    assert '<td class="num">4</td>' in row


async def test_nonsense_filter_values_are_ignored_not_errors(client, world):
    await make_items(world.initiative_id, 2)
    response = await client.get(
        f"{backlog(world)}?stage=drop+table&kind=<script>&sprint=-1&page=abc&sort=evil"
    )
    assert response.status_code == 200
    assert len(row_ids(response.text)) == 2
    assert "<script>" not in response.text


async def test_digits_that_are_not_ascii_are_refused_not_crashed(client, world):
    # "²" and "٣" pass str.isdigit() but int() refuses "²": each must be a 4xx or ignored.
    a, b = await make_items(world.initiative_id, 2)
    before = await ranks(world.initiative_id)
    listing = await client.get(f"{backlog(world)}?stage=%C2%B2&sprint=%C2%B2&page=%C2%B2")
    assert listing.status_code == 200 and len(row_ids(listing.text)) == 2
    rank = await client.post_form(f"/items/{a}/rank", {"action": "above", "target": "#²"})
    assert rank.status_code == 422
    bulk = await client.post_form(f"{backlog(world)}/bulk", {"items": ["²"], "bulk_stage": "²"})
    assert bulk.status_code == 422 and "Choose items from the list" in bulk.text
    estimate = await client.post_form(f"/items/{a}/estimate", {"estimate": "²"})
    assert estimate.status_code == 422
    assert await ranks(world.initiative_id) == before


async def test_ten_thousand_items_are_paged_fifty_at_a_time(client, world):
    await insert_items(world, 10_000)
    first = await client.get(backlog(world))
    assert "Showing 1–50 of 10,000 open items" in first.text
    assert len(row_ids(first.text)) == 50
    second = await client.get(f"{backlog(world)}?page=2")
    assert "Showing 51–100 of 10,000 open items" in second.text
    order = await ranked_ids(world.initiative_id)
    assert row_ids(second.text) == order[50:100]
    assert 'aria-current="page"><span class="visually-hidden">Page </span>2</a>' in second.text
    assert 'href="/initiatives/1/backlog?page=200"' in second.text
    # A page past the end shows the last page rather than nothing.
    last = await client.get(f"{backlog(world)}?page=999")
    assert "Showing 9,951–10,000 of 10,000" in last.text


async def test_filters_survive_pagination(client, world):
    await insert_items(world, 120, kind="task")
    await make_items(world.initiative_id, 3)  # stories: filtered out
    page = await client.get(f"{backlog(world)}?kind=task&q=bulk&page=2")
    assert "Showing 51–100 of 120 open items that match the filters" in page.text
    assert 'href="/initiatives/1/backlog?q=bulk&amp;kind=task&amp;page=3"' in page.text
    assert 'href="/initiatives/1/backlog?q=bulk&amp;kind=task"' in page.text  # page 1
    # Each row's forms come back to the same filtered page.
    assert 'name="next" value="/initiatives/1/backlog?q=bulk&amp;kind=task&amp;page=2"' in page.text


async def test_backlog_of_an_unknown_initiative_is_not_found(client, world):
    response = await client.get("/initiatives/999999/backlog")
    assert response.status_code == 404


async def _mixed_items(world, count: int) -> None:
    """Items with stages, sprints and blockers, so every join is exercised."""
    sprint = await scrum.create_sprint(world.initiative_id, {})
    await insert_items(world, count)
    ids = await ranked_ids(world.initiative_id)
    await scrum.set_stage(world.initiative_id, ids[::2], world.stages[2]["id"])
    await scrum.assign_sprint(world.initiative_id, ids[::3], sprint)
    await ItemBlock.insert(*[ItemBlock(item=i, blocker=ids[0]) for i in ids[1::4]])


async def _count_backlog_queries(client, world, count_queries) -> tuple[int, int]:
    counts = []
    for query in ("", f"?q=story&stage={world.stages[2]['id']}&kind=story"):
        with count_queries() as counted:
            response = await client.get(backlog(world) + query)
        assert response.status_code == 200
        assert len(row_ids(response.text)) > 1
        counts.append(counted.count)
    return counts[0], counts[1]


async def test_backlog_query_count_does_not_grow_with_items(
    client, client_as, world, count_queries
):
    """PERF-01: 10 items and 500 items cost the same number of SQL statements."""
    from backend.initiatives.tables import CIStage
    from tests.factories import World

    other_stages = (
        await CIStage.select()
        .where(CIStage.agency == world.other_agency_id)
        .order_by(CIStage.position)
    )
    big = World(
        world.other_agency_id,
        world.other_initiative_id,
        other_stages,
        world.other_columns,
        world.agency_id,
        world.initiative_id,
    )
    await _mixed_items(world, 10)
    await _mixed_items(big, 500)
    other_lead = await client_as(world.users["other_lead"])
    for c in (client, other_lead):
        await c.csrf_token()  # the first request sets a cookie; count steady state
    small_counts = await _count_backlog_queries(client, world, count_queries)
    big_counts = await _count_backlog_queries(other_lead, big, count_queries)
    assert small_counts == big_counts, (small_counts, big_counts)
    # The page's own 6 or so, plus 4 for who is asking (session, person, roles,
    # the agency the path belongs to).
    assert small_counts[0] <= 12, small_counts


# ---------------------------------------------------------------- ranking


async def test_rank_to_top_with_a_plain_form_redirects_back_with_filters(client, world):
    a, b, c = await make_items(world.initiative_id, 3)
    next_url = f"{backlog(world)}?kind=story&page=1"
    response = await client.post_form(f"/items/{c}/rank", {"action": "top", "next": next_url})
    assert response.status_code == 303
    assert response.headers["location"] == next_url
    assert await ranked_ids(world.initiative_id) == [c, a, b]


async def test_rank_moves_up_down_and_bottom(client, world):
    a, b, c = await make_items(world.initiative_id, 3)
    await client.post_form(f"/items/{c}/rank", {"action": "up"})
    assert await ranked_ids(world.initiative_id) == [a, c, b]
    await client.post_form(f"/items/{a}/rank", {"action": "down"})
    assert await ranked_ids(world.initiative_id) == [c, a, b]
    await client.post_form(f"/items/{c}/rank", {"action": "bottom"})
    assert await ranked_ids(world.initiative_id) == [a, b, c]


async def test_rank_next_must_stay_on_this_site(client, world):
    (a,) = await make_items(world.initiative_id, 1)
    for evil in (
        "//evil.example/x",
        "https://evil.example/",
        "/\\evil.example",
        "/\t/evil.example",
    ):
        response = await client.post_form(f"/items/{a}/rank", {"action": "top", "next": evil})
        assert response.status_code == 303
        assert response.headers["location"] == backlog(world), evil


async def test_rank_with_htmx_swaps_the_table_announces_and_keeps_focus(client, world):
    a, b, c = await make_items(world.initiative_id, 3)
    response = await client.post_form(
        f"/items/{c}/rank", {"action": "top", "next": backlog(world)}, headers=HTMX
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="backlog-region"')
    assert "<html" not in response.text
    assert row_ids(response.text) == [c, a, b]
    announce = json.loads(response.headers["HX-Trigger"])["tandem:announce"]
    assert announce == f"Story #{c} moved to the top"
    focus = json.loads(response.headers["HX-Trigger-After-Settle"])["tandem:focus"]
    assert focus == f"rank-top-{c}"


async def test_rank_with_htmx_focuses_the_caption_when_the_item_leaves_the_page(client, world):
    await insert_items(world, 60)
    ids = await ranked_ids(world.initiative_id)
    response = await client.post_form(
        f"/items/{ids[1]}/rank", {"action": "bottom", "next": backlog(world)}, headers=HTMX
    )
    assert json.loads(response.headers["HX-Trigger-After-Settle"]) == {
        "tandem:focus": "backlog-caption"
    }
    assert (await ranked_ids(world.initiative_id))[-1] == ids[1]


async def test_rank_above_another_item(client, world):
    a, b, c, d = await make_items(world.initiative_id, 4)
    response = await client.post_form(f"/items/{d}/rank", {"action": "above", "target": f"#{b}"})
    assert response.status_code == 303
    assert await ranked_ids(world.initiative_id) == [a, d, b, c]


async def test_rank_above_an_unknown_or_foreign_item_is_refused_and_changes_nothing(client, world):
    a, b = await make_items(world.initiative_id, 2)
    (foreign,) = await make_items(world.other_initiative_id, 1)
    before = await ranks(world.initiative_id)
    for target, message in (
        ("999999", "#999999 is not an item of this initiative"),
        (str(foreign), f"#{foreign} is not an item of this initiative"),
        ("twelve", "Give the number of the item to rank above"),
        (str(b), "Give the number of another item"),
    ):
        response = await client.post_form(
            f"/items/{b}/rank", {"action": "above", "target": target, "next": backlog(world)}
        )
        assert response.status_code == 422, target
        assert message in response.text
        assert "<title>Error: Backlog" in response.text
        assert f'href="#field-target-{b}"' in response.text
        assert f'value="{target}"' in response.text  # what was typed is kept
        assert await ranks(world.initiative_id) == before


async def test_rank_refusal_with_htmx_returns_the_region_with_the_message(client, world):
    a, b = await make_items(world.initiative_id, 2)
    response = await client.post_form(
        f"/items/{b}/rank", {"action": "above", "target": "999999"}, headers=HTMX
    )
    assert response.status_code == 422
    assert response.text.lstrip().startswith('<div id="backlog-region"')
    assert "#999999 is not an item of this initiative" in response.text


async def test_rank_of_an_unknown_item_is_not_found(client, world):
    response = await client.post_form("/items/999999/rank", {"action": "top"})
    assert response.status_code == 404


async def test_unknown_rank_action_is_refused(client, world):
    a, b = await make_items(world.initiative_id, 2)
    before = await ranks(world.initiative_id)
    response = await client.post_form(f"/items/{b}/rank", {"action": "sideways"})
    assert response.status_code == 422
    assert await ranks(world.initiative_id) == before


async def test_many_rank_moves_keep_a_total_order(client, world):
    ids = await make_items(world.initiative_id, 12)
    expected = list(ids)
    rng = random.Random(20260302)
    for _ in range(80):
        item = rng.choice(expected)
        action = rng.choice(["top", "up", "down", "bottom", "above"])
        data = {"action": action}
        i = expected.index(item)
        expected.remove(item)
        if action == "top":
            expected.insert(0, item)
        elif action == "bottom":
            expected.append(item)
        elif action == "up":
            expected.insert(max(i - 1, 0), item)
        elif action == "down":
            expected.insert(min(i + 1, len(expected)), item)
        else:
            target = rng.choice(expected)
            data["target"] = str(target)
            expected.insert(expected.index(target), item)
        response = await client.post_form(f"/items/{item}/rank", data)
        assert response.status_code == 303
        assert await ranked_ids(world.initiative_id) == expected, (item, action)
    values = list((await ranks(world.initiative_id)).values())
    assert len(set(values)) == len(values) == 12


async def test_rank_above_with_no_room_left_opens_a_gap(client, world):
    a, b, c = await make_items(world.initiative_id, 3)
    # Squeeze a and b next to each other: no integer lies between their ranks.
    await BacklogItem.update({BacklogItem.rank: 5}).where(BacklogItem.id == a)
    await BacklogItem.update({BacklogItem.rank: 6}).where(BacklogItem.id == b)
    response = await client.post_form(f"/items/{c}/rank", {"action": "above", "target": str(b)})
    assert response.status_code == 303
    assert await ranked_ids(world.initiative_id) == [a, c, b]
    values = list((await ranks(world.initiative_id)).values())
    assert len(set(values)) == 3


async def test_two_concurrent_rank_moves_never_duplicate_or_lose_a_position(client, world):
    ids = await make_items(world.initiative_id, 10)
    target = ids[4]
    await client.csrf_token()
    for x, y in zip(ids[:4], reversed(ids[5:]), strict=False):
        first, second = await asyncio.gather(
            client.post_form(f"/items/{x}/rank", {"action": "top"}),
            client.post_form(f"/items/{y}/rank", {"action": "above", "target": str(target)}),
        )
        assert first.status_code == second.status_code == 303
        order = await ranked_ids(world.initiative_id)
        assert sorted(order) == sorted(ids)
        values = list((await ranks(world.initiative_id)).values())
        assert len(set(values)) == len(values) == 10
        assert x in order[:2] and order.index(y) == order.index(target) - 1
    # The same item moved by two people at once ends up in one place only.
    moves = await asyncio.gather(
        client.post_form(f"/items/{ids[9]}/rank", {"action": "top"}),
        client.post_form(f"/items/{ids[9]}/rank", {"action": "bottom"}),
    )
    assert [m.status_code for m in moves] == [303, 303]
    order = await ranked_ids(world.initiative_id)
    assert sorted(order) == sorted(ids) and ids[9] in (order[0], order[-1])
    values = list((await ranks(world.initiative_id)).values())
    assert len(set(values)) == 10


async def test_a_rank_move_that_fails_midway_changes_nothing(client, world, monkeypatch):
    """DATA-02: "up" swaps two ranks; a failure after the first write rolls it back."""
    a, b, c = await make_items(world.initiative_id, 3)
    before = await ranks(world.initiative_id)
    original = BacklogItem.update.__func__
    calls = []

    def failing_update(cls, *args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("injected failure between the two rank writes")
        return original(cls, *args, **kwargs)

    monkeypatch.setattr(BacklogItem, "update", classmethod(failing_update))
    response = await client.post_form(f"/items/{c}/rank", {"action": "up"})
    monkeypatch.undo()
    assert len(calls) == 2
    assert response.status_code == 500
    assert "Traceback" not in response.text
    assert await ranks(world.initiative_id) == before


# ---------------------------------------------------------------- estimates


async def test_estimate_saved_with_a_plain_form(client, world):
    (a,) = await make_items(world.initiative_id, 1)
    next_url = f"{backlog(world)}?page=1"
    response = await client.post_form(f"/items/{a}/estimate", {"estimate": "8", "next": next_url})
    assert response.status_code == 303 and response.headers["location"] == next_url
    assert (await scrum.get_item(a))["estimate"] == 8


async def test_estimate_with_htmx_swaps_only_the_row(client, world):
    a, b = await make_items(world.initiative_id, 2)
    response = await client.post_form(
        f"/items/{b}/estimate", {"estimate": "13", "next": backlog(world)}, headers=HTMX
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<tr id="item-{b}"')
    assert row_ids(response.text) == [b]
    assert 'value="13"' in response.text
    assert '<td class="num">2</td>' in response.text  # its position is still shown
    assert "Estimate of Story #" in json.loads(response.headers["HX-Trigger"])["tandem:announce"]
    assert (await scrum.get_item(b))["estimate"] == 13
    cleared = await client.post_form(f"/items/{b}/estimate", {"estimate": ""}, headers=HTMX)
    assert cleared.status_code == 200
    assert (await scrum.get_item(b))["estimate"] is None


async def test_bad_estimates_are_refused_with_the_typed_value_kept(client, world):
    (a,) = await make_items(world.initiative_id, 1, estimate=3)
    for typed, message in (("-2", "Estimate must be 0 or more"), ("lots", "whole number")):
        response = await client.post_form(f"/items/{a}/estimate", {"estimate": typed}, headers=HTMX)
        assert response.status_code == 422
        assert response.text.lstrip().startswith(f'<tr id="item-{a}"')
        assert message in response.text
        assert f'value="{typed}"' in response.text and 'aria-invalid="true"' in response.text
        announced = json.loads(response.headers["HX-Trigger"])["tandem:announce"]
        assert announced.startswith(f"Estimate of Story #{a} not saved:") and message in announced
        plain = await client.post_form(f"/items/{a}/estimate", {"estimate": typed})
        assert plain.status_code == 422
        assert "<title>Error: Backlog" in plain.text
        assert f'href="#field-estimate-{a}"' in plain.text and f'value="{typed}"' in plain.text
    assert (await scrum.get_item(a))["estimate"] == 3


# ---------------------------------------------------------------- bulk


async def test_bulk_moves_selected_items_to_a_sprint_and_sets_their_stage(client, world):
    sprint = await scrum.create_sprint(world.initiative_id, {})
    a, b, c = await make_items(world.initiative_id, 3)
    stage = world.stages[4]["id"]
    response = await client.post_form(
        f"{backlog(world)}/bulk",
        {"items": [a, c], "bulk_sprint": sprint, "bulk_stage": stage, "next": backlog(world)},
    )
    assert response.status_code == 303
    rows = {r["id"]: r for r in await BacklogItem.select().where(BacklogItem.id.is_in([a, b, c]))}
    assert (rows[a]["sprint"], rows[c]["sprint"], rows[b]["sprint"]) == (sprint, sprint, None)
    assert (rows[a]["stage"], rows[c]["stage"], rows[b]["stage"]) == (stage, stage, None)
    page = await client.get(f"{backlog(world)}?sprint={sprint}")
    assert row_ids(page.text) == [a, c]


async def test_bulk_returns_items_to_the_backlog_with_htmx(client, world):
    sprint = await scrum.create_sprint(world.initiative_id, {})
    a, b = await make_items(world.initiative_id, 2)
    await scrum.assign_sprint(world.initiative_id, [a, b], sprint)
    response = await client.post_form(
        f"{backlog(world)}/bulk", {"items": [a, b], "bulk_sprint": "backlog"}, headers=HTMX
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="backlog-region"')
    announce = json.loads(response.headers["HX-Trigger"])["tandem:announce"]
    assert announce == "2 items moved to the backlog (no sprint)"
    assert [(await scrum.get_item(i))["sprint"] for i in (a, b)] == [None, None]


async def test_bulk_sprint_choices_are_planned_or_active_sprints_only(client, world):
    planned = await scrum.create_sprint(world.initiative_id, {})
    closed = await scrum.create_sprint(world.initiative_id, {})
    await scrum.start_sprint(closed)
    await scrum.complete_sprint(closed, "backlog")
    (a,) = await make_items(world.initiative_id, 1)
    page = await client.get(backlog(world))
    bulk = page.text.split('id="field-bulk_sprint"')[1].split("</select>")[0]
    assert f'value="{planned}"' in bulk and f'value="{closed}"' not in bulk
    response = await client.post_form(
        f"{backlog(world)}/bulk", {"items": [a], "bulk_sprint": closed}
    )
    assert response.status_code == 422 and "That sprint is closed" in response.text
    assert (await scrum.get_item(a))["sprint"] is None


async def test_bulk_with_nothing_selected_says_so(client, world):
    sprint = await scrum.create_sprint(world.initiative_id, {})
    await make_items(world.initiative_id, 2)
    response = await client.post_form(f"{backlog(world)}/bulk", {"bulk_sprint": sprint})
    assert response.status_code == 422
    assert "Select at least one item to change" in response.text
    assert 'href="#field-items"' in response.text
    assert await BacklogItem.count().where(BacklogItem.sprint == sprint) == 0


async def test_bulk_without_a_change_chosen_says_so_and_keeps_the_selection(client, world):
    a, b = await make_items(world.initiative_id, 2)
    response = await client.post_form(f"{backlog(world)}/bulk", {"items": [b]})
    assert response.status_code == 422
    assert "Choose a sprint or a C&amp;I stage" in response.text
    assert f'value="{b}" id="select-{b}" form="backlog-bulk" checked' in response.text
    assert f'value="{a}" id="select-{a}" form="backlog-bulk">' in response.text


async def test_bulk_refuses_foreign_items_sprints_and_stages_and_changes_nothing(client, world):
    sprint = await scrum.create_sprint(world.initiative_id, {})
    foreign_sprint = await scrum.create_sprint(world.other_initiative_id, {})
    (a,) = await make_items(world.initiative_id, 1)
    (foreign,) = await make_items(world.other_initiative_id, 1)
    from backend.initiatives.tables import CIStage

    foreign_stage = (
        await CIStage.select(CIStage.id).where(CIStage.agency == world.other_agency_id)
    )[0]["id"]
    url = f"{backlog(world)}/bulk"
    cases = [
        (
            {"items": [a, foreign], "bulk_sprint": sprint},
            f"Items not in this initiative: {foreign}",
        ),
        ({"items": [a], "bulk_sprint": foreign_sprint}, "Choose a sprint of this initiative"),
        # The sprint is fine, the stage is not: the sprint move must not stay done.
        ({"items": [a], "bulk_sprint": sprint, "bulk_stage": foreign_stage}, "C&amp;I stage"),
        ({"items": ["x"], "bulk_sprint": sprint}, "Choose items from the list"),
        ({"items": [a], "bulk_sprint": "nope"}, "Choose a sprint from the list"),
    ]
    for data, message in cases:
        response = await client.post_form(url, data)
        assert response.status_code == 422, data
        assert message in response.text, data
    for item in (a, foreign):
        row = await scrum.get_item(item)
        assert (row["sprint"], row["stage"]) == (None, None)
    assert await Sprint.count() == 2


async def test_bulk_on_an_unknown_initiative_is_not_found(client, world):
    response = await client.post_form("/initiatives/999999/backlog/bulk", {"items": [1]})
    assert response.status_code == 404
