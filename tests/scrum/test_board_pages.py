"""The board of the active sprint: columns, swimlanes, cards, and moving a card."""

from __future__ import annotations

import json
import re

from backend.initiatives.tables import Initiative
from backend.scrum import services as scrum
from backend.scrum.tables import BacklogItem, BoardColumn, ItemBlock, ItemHistory
from tests.factories import make_items

HTMX = {"HX-Request": "true"}


async def start_sprint_with(world, count: int = 3, **values) -> tuple[int, list[int]]:
    sprint = await scrum.create_sprint(world.initiative_id, {"goal": "Try the *profile*"})
    ids = await make_items(world.initiative_id, count, **values)
    await scrum.assign_sprint(world.initiative_id, ids, sprint)
    await scrum.start_sprint(sprint)
    return sprint, ids


async def add_bulk_cards(world, sprint: int, count: int) -> list[int]:
    """Many cards at once, straight into the table: spread over columns and
    stages, some blocked, so the board shows every kind of card."""
    top = await BacklogItem.select(BacklogItem.rank).order_by(BacklogItem.rank, ascending=False)
    start = (top[0]["rank"] if top else 0) + 1024
    rows = [
        BacklogItem(
            initiative=world.initiative_id,
            title=f"Bulk story {n}",
            kind="story" if n % 3 else "task",
            estimate=n % 5 or None,
            rank=start + n * 1024,
            status=world.columns[n % 3]["id"],
            stage=world.stages[n % 4]["id"] if n % 5 else None,
            sprint=sprint,
            assignee_name="Sam" if n % 2 else "",
        )
        for n in range(count)
    ]
    inserted = await BacklogItem.insert(*rows).returning(BacklogItem.id)
    ids = [r["id"] for r in inserted]
    blocks = [ItemBlock(item=ids[n], blocker=ids[n - 1]) for n in range(1, len(ids), 7)]
    if blocks:
        await ItemBlock.insert(*blocks)
    return ids


def section(html: str, element_id: str) -> str:
    """The markup from the opening tag of the element with this id onwards."""
    start = html.rindex("<", 0, html.index(f'id="{element_id}"'))
    return html[start : start + 2500]


async def status_of(item_id: int) -> int:
    return (await BacklogItem.select(BacklogItem.status).where(BacklogItem.id == item_id))[0][
        "status"
    ]


# ---------------------------------------------------------------- the page


async def test_board_without_an_active_sprint_points_to_the_sprints_page(app, client, world):
    await make_items(world.initiative_id, 2)
    response = await client.get(f"/initiatives/{world.initiative_id}/board")
    assert response.status_code == 200
    assert "No sprint is active" in response.text
    assert 'aria-current="page"' in response.text and ">Board</a>" in response.text
    href = app.route_reverse("scrum.sprints", initiative_id=world.initiative_id)
    assert f'href="{href}"' in response.text
    assert "Story 1" not in response.text


async def test_board_shows_each_column_with_count_points_and_wip_state(client, world):
    sprint, (a, b, c) = await start_sprint_with(world, 3, estimate=3)
    await BoardColumn.update({BoardColumn.wip_limit: 1}).where(BoardColumn.id == world.in_progress)
    await BoardColumn.update({BoardColumn.wip_limit: 5}).where(BoardColumn.id == world.todo)
    await scrum.move_item(a, world.in_progress)
    await scrum.move_item(b, world.in_progress)
    response = await client.get(f"/initiatives/{world.initiative_id}/board?lanes=off")
    assert response.status_code == 200
    html = response.text
    names = re.findall(r'class="board-column__name" id="col-name-\d+">([^<]+)<', html)
    assert names == ["To do", "In progress", "In review", "Done"]
    in_progress = section(html, f"col-head-{world.in_progress}")
    assert "2 cards, 6 points" in in_progress
    # The state is text, with a class for styling: never colour alone (A11Y-05).
    assert "2 of 1 — over WIP limit" in in_progress
    assert "board-column__header--over" in in_progress and "wip--over" in in_progress
    todo = section(html, f"col-head-{world.todo}")
    assert "1 card, 3 points" in todo and "1 of 5 — within WIP limit" in todo
    assert "No WIP limit" in section(html, f"col-head-{world.done}")
    # Cards sit in their column's list.
    cell = html[html.index(f'id="cell-all-{world.in_progress}"') :]
    cell = cell[: cell.index("</ul>")]
    assert f'id="card-{a}"' in cell and f'id="card-{b}"' in cell and f'id="card-{c}"' not in cell
    assert "Sprint 1" in html and "<em>profile</em>" in html


async def test_a_card_shows_id_title_kind_estimate_stage_assignee_and_blockers(client, world):
    sprint, (a, b) = await start_sprint_with(world, 2, estimate=5)
    blocker, done_blocker = await make_items(world.initiative_id, 2)
    await scrum.update_item(
        a,
        1 + 1,  # assign_sprint bumped the version once
        {"kind": "spike", "stage": world.stages[1]["id"], "assignee_name": "Dana"},
    )
    await scrum.set_blockers(a, [blocker, done_blocker])
    await scrum.move_item(done_blocker, world.done)
    response = await client.get(f"/initiatives/{world.initiative_id}/board")
    card = section(response.text, f"card-{a}")
    card = card[: card.index("</li>")]
    assert f"#{a}" in card and "Story 1" in card
    assert "Spike" in card and "5 points" in card
    assert "Stage 2: Exploration" in card and "Assigned to Dana" in card
    # Only the blocker that is not done counts.
    assert f"Blocked by #{blocker}</strong>" in card
    assert f"#{done_blocker}" not in card
    # A labelled "Move to" select of every column, the current one selected, and a button.
    assert (
        f'<label for="move-{a}">Move <span class="visually-hidden">#{a} </span>to…</label>' in card
    )
    options = re.findall(r'<option value="(\d+)"( selected)?>([^<]+)</option>', card)
    assert [o[2] for o in options] == ["To do", "In progress", "In review", "Done"]
    assert [int(o[0]) for o in options if o[1]] == [world.todo]
    assert f'action="/items/{a}/move"' in card and "Move<span" in card
    other = section(response.text, f"card-{b}")
    assert "Not estimated" not in other and "No stage" in other and "Unassigned" in other


async def test_hostile_titles_are_shown_as_text(client, world):
    sprint, (a,) = await start_sprint_with(world, 1)
    await BacklogItem.update({BacklogItem.title: "<script>alert(1)</script>"}).where(
        BacklogItem.id == a
    )
    response = await client.get(f"/initiatives/{world.initiative_id}/board")
    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text


async def test_swimlanes_follow_the_stage_and_can_be_switched_off(client, world):
    sprint, (a, b, c) = await start_sprint_with(world, 3)
    await scrum.set_stage(world.initiative_id, [a], world.stages[3]["id"])
    await scrum.set_stage(world.initiative_id, [b], world.stages[1]["id"])
    url = f"/initiatives/{world.initiative_id}/board"
    html = (await client.get(url)).text
    lanes = re.findall(r'class="swimlane__title" id="lane-[^"]+">([^<]+) <span', html)
    # One row per stage with cards, in stage order, then the cards without a stage.
    assert lanes == [
        "2. Problem exploration",
        "4. Intervention selection and design/adaptation",
        "No stage",
    ]
    lane_of_a = f'id="cell-{world.stages[3]["id"]}-{world.todo}"'
    assert f'card-{a}"' in html[html.index(lane_of_a) :][:400]
    assert f'href="/initiatives/{world.initiative_id}/board?lanes=off"' in html
    assert 'name="lanes" value="on"' in html

    off = (await client.get(url + "?lanes=off")).text
    assert "swimlane__title" not in off and "Show swimlanes by C&amp;I stage" in off
    assert 'name="lanes" value="off"' in off

    # The initiative's own setting decides the default.
    await Initiative.update({Initiative.swimlanes_by_stage: False}).where(
        Initiative.id == world.initiative_id
    )
    assert "swimlane__title" not in (await client.get(url)).text
    assert "swimlane__title" in (await client.get(url + "?lanes=on")).text
    # An unknown value is ignored rather than refused.
    assert (await client.get(url + "?lanes=sideways")).status_code == 200


async def test_board_query_count_does_not_grow_with_cards(client, world, count_queries):
    """PERF-01: 10 and 500 cards, with stages and blockers, cost the same queries."""
    url = f"/initiatives/{world.initiative_id}/board"
    sprint, _ = await start_sprint_with(world, 1)
    await add_bulk_cards(world, sprint, 9)
    await client.get(url)  # warm up (CSRF cookie, template compilation)
    with count_queries() as small:
        response = await client.get(url)
    assert response.text.count('class="card"') == 10
    await add_bulk_cards(world, sprint, 490)
    with count_queries() as large:
        response = await client.get(url)
    assert response.text.count('class="card"') == 500
    assert "Blocked by" in response.text
    assert large.count == small.count, (small.statements, large.statements)
    with count_queries() as lanes_off:
        await client.get(url + "?lanes=off")
    assert lanes_off.count == small.count


async def test_other_initiatives_cards_never_show(client_as, world):
    await start_sprint_with(world, 2)
    other_lead = await client_as(world.users["other_lead"])
    response = await other_lead.get(f"/initiatives/{world.other_initiative_id}/board")
    assert response.status_code == 200
    assert "No sprint is active" in response.text and "Story 1" not in response.text


# ---------------------------------------------------------------- moving


async def test_moving_a_card_without_javascript_redirects_back_to_the_board(client, world):
    sprint, (a, b) = await start_sprint_with(world, 2)
    response = await client.post_form(
        f"/items/{a}/move", {"column": world.in_progress, "lanes": "off"}
    )
    assert response.status_code == 303
    location = response.headers["location"]
    assert location == f"/initiatives/{world.initiative_id}/board?lanes=off&moved={a}#card-{a}"
    assert await status_of(a) == world.in_progress
    history = await ItemHistory.select(ItemHistory.change, ItemHistory.status).where(
        ItemHistory.item == a
    )
    assert history[-1] == {"change": "moved", "status": world.in_progress}
    page = await client.get(location.split("#")[0])
    assert f"Story #{a} moved to In progress." in page.text
    assert f'id="card-{a}"' in page.text[page.text.index(f'id="cell-all-{world.in_progress}"') :]


async def test_moving_a_card_with_htmx_returns_only_the_card_and_two_headers(client, world):
    """PERF-02, A11Y-03/04: a small answer, an announcement and where focus goes."""
    sprint, (a,) = await start_sprint_with(world, 1, estimate=8)
    await scrum.set_stage(world.initiative_id, [a], world.stages[3]["id"])
    await add_bulk_cards(world, sprint, 499)
    await BoardColumn.update({BoardColumn.wip_limit: 2}).where(
        BoardColumn.id == world.columns[2]["id"]
    )
    in_review = world.columns[2]["id"]
    response = await client.post_form(
        f"/items/{a}/move", {"column": in_review, "lanes": "on"}, headers=HTMX
    )
    assert response.status_code == 200
    assert len(response.content) < 4096, len(response.content)
    html = response.text
    assert html.count('class="card"') == 1
    assert f'<li id="card-{a}" hx-swap-oob="delete"></li>' in html
    assert f'hx-swap-oob="beforeend:#cell-{world.stages[3]["id"]}-{in_review}"' in html
    # The headers of the column it left and the column it joined, nothing else.
    heads = re.findall(r'id="col-head-(\d+)" hx-swap-oob="true"', html)
    assert sorted(map(int, heads)) == sorted([world.todo, in_review])
    assert await status_of(a) == in_review
    count = await BacklogItem.count().where(
        (BacklogItem.sprint == sprint) & (BacklogItem.status == in_review)
    )
    points = sum(
        r["estimate"] or 0
        for r in await BacklogItem.select(BacklogItem.estimate).where(
            (BacklogItem.sprint == sprint) & (BacklogItem.status == in_review)
        )
    )
    trigger = json.loads(response.headers["hx-trigger"])
    assert trigger["tandem:announce"] == (
        f"Story #{a} moved to In review. In review: {count} cards, {points} points, "
        "over its WIP limit of 2."
    )
    assert trigger["tandem:focus"] == f"move-{a}"
    assert f'id="move-{a}"' in html
    assert f"{count} of 2 — over WIP limit" in html


async def test_announcement_for_a_plain_move(client, world):
    sprint, (a, b) = await start_sprint_with(world, 2, estimate=3)
    in_review = world.columns[2]["id"]
    await scrum.move_item(b, in_review)
    response = await client.post_form(
        f"/items/{a}/move", {"column": in_review, "lanes": "off"}, headers=HTMX
    )
    trigger = json.loads(response.headers["hx-trigger"])
    assert trigger["tandem:announce"] == (
        f"Story #{a} moved to In review. In review: 2 cards, 6 points."
    )
    assert f'hx-swap-oob="beforeend:#cell-all-{in_review}"' in response.text
    # Moving to the column it is already in changes nothing and says so.
    again = await client.post_form(
        f"/items/{a}/move", {"column": in_review, "lanes": "off"}, headers=HTMX
    )
    assert again.status_code == 200
    assert json.loads(again.headers["hx-trigger"])["tandem:announce"] == (
        f"Story #{a} is already in In review."
    )
    assert f'<li class="card" id="card-{a}"' in again.text and "delete" not in again.text


async def test_finishing_a_blocker_updates_the_cards_it_blocked(client, world):
    sprint, (a, b) = await start_sprint_with(world, 2)
    await scrum.set_blockers(b, [a])
    board = (await client.get(f"/initiatives/{world.initiative_id}/board")).text
    assert f"Blocked by #{a}" in board
    response = await client.post_form(
        f"/items/{a}/move", {"column": world.done, "lanes": "on"}, headers=HTMX
    )
    assert f'<p class="card__blocked" id="blocked-{b}" hx-swap-oob="true"></p>' in response.text
    board = (await client.get(f"/initiatives/{world.initiative_id}/board")).text
    assert f"Blocked by #{a}" not in board


async def test_moving_to_another_initiatives_column_is_refused(client, world):
    sprint, (a,) = await start_sprint_with(world, 1)
    foreign = world.other_columns[1]["id"]
    for column in (foreign, 999_999, "abc", "", "-3"):
        response = await client.post_form(f"/items/{a}/move", {"column": column})
        assert response.status_code == 422, column
        assert "<title>Error: Board" in response.text
        assert f'href="#move-{a}"' in response.text
        assert await status_of(a) == world.todo
    htmx = await client.post_form(f"/items/{a}/move", {"column": foreign}, headers=HTMX)
    assert htmx.status_code == 422
    trigger = json.loads(htmx.headers["hx-trigger"])
    assert trigger["tandem:announce"] == "Choose a status from the board's columns"
    assert 'id="board-message" class="board-message" hx-swap-oob="true"' in htmx.text
    assert await status_of(a) == world.todo
    assert await ItemHistory.count().where(ItemHistory.change == "moved") == 0


async def test_moving_an_item_outside_the_active_sprint_is_refused(client, world):
    sprint, (a,) = await start_sprint_with(world, 1)
    (backlog_item,) = await make_items(world.initiative_id, 1)
    response = await client.post_form(f"/items/{backlog_item}/move", {"column": world.done})
    assert response.status_code == 409
    assert "is not on the board of the active sprint" in response.text
    assert await status_of(backlog_item) == world.todo
    htmx = await client.post_form(
        f"/items/{backlog_item}/move", {"column": world.done}, headers=HTMX
    )
    assert htmx.status_code == 409
    assert "not on the board" in json.loads(htmx.headers["hx-trigger"])["tandem:announce"]
    missing = await client.post_form("/items/999999/move", {"column": world.done})
    assert missing.status_code == 404
    missing_htmx = await client.post_form(
        "/items/999999/move", {"column": world.done}, headers=HTMX
    )
    assert missing_htmx.status_code == 404
    assert await status_of(backlog_item) == world.todo
    assert await ItemHistory.count().where(ItemHistory.change == "moved") == 0


async def test_a_move_without_the_csrf_token_is_refused(client, world):
    sprint, (a,) = await start_sprint_with(world, 1)
    await client.csrf_token()
    response = await client.post(f"/items/{a}/move", data={"column": str(world.done)})
    assert response.status_code == 403
    assert await status_of(a) == world.todo
