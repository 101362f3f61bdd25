"""Board column settings: rename, WIP limit, order, add, done column, delete."""

from __future__ import annotations

import asyncio

from backend.scrum import metrics
from backend.scrum import services as scrum
from backend.scrum.tables import BacklogItem, BoardColumn, ItemHistory
from tests.factories import make_items


def url(world) -> str:
    return f"/initiatives/{world.initiative_id}/board/columns"


async def board_columns(initiative_id: int) -> list[dict]:
    return await (
        BoardColumn.select(
            BoardColumn.id, BoardColumn.name, BoardColumn.wip_limit, BoardColumn.is_done
        )
        .where(BoardColumn.initiative == initiative_id)
        .order_by(BoardColumn.position)
    )


async def test_settings_page_lists_the_columns_in_order(client, world):
    await make_items(world.initiative_id, 2)
    response = await client.get(url(world))
    assert response.status_code == 200
    html = response.text
    assert "<h1>Board columns</h1>" in html
    for n, name in enumerate(["To do", "In progress", "In review", "Done"], start=1):
        assert f'<th scope="row">{n}. {name}</th>' in html
    assert (
        f'id="done-{world.done}" name="column" value="{world.done}" '
        'aria-describedby="done-hint" checked' in html
    )
    assert "Holds 2 items" in html
    board = await client.get(f"/initiatives/{world.initiative_id}/board")
    assert f'href="{url(world)}"' in board.text


async def test_a_column_can_be_renamed_and_its_wip_limit_set_and_cleared(client, world):
    column = world.in_progress
    response = await client.post_form(
        url(world), {"action": "save", "column": column, "name": " Doing ", "wip_limit": "3"}
    )
    assert response.status_code == 303 and response.headers["location"] == url(world)
    row = (await board_columns(world.initiative_id))[1]
    assert (row["name"], row["wip_limit"]) == ("Doing", 3)
    await client.post_form(
        url(world), {"action": "save", "column": column, "name": "Doing", "wip_limit": ""}
    )
    assert (await board_columns(world.initiative_id))[1]["wip_limit"] is None
    others = await board_columns(world.other_initiative_id)
    assert "Doing" not in [c["name"] for c in others]


async def test_blank_name_and_negative_wip_limit_are_refused_with_typed_values_kept(client, world):
    response = await client.post_form(
        url(world), {"action": "save", "column": world.todo, "name": "  ", "wip_limit": "-2"}
    )
    assert response.status_code == 422
    html = response.text
    assert "<title>Error: Board columns" in html
    assert 'href="#field-name"' in html and 'href="#field-wip_limit"' in html
    assert "Enter column name" in html and "WIP limit must be 1 or more" in html
    assert 'id="field-wip_limit" name="wip_limit" value="-2"' in html
    assert 'aria-invalid="true"' in html
    assert (await board_columns(world.initiative_id))[0]["name"] == "To do"

    words = await client.post_form(
        url(world), {"action": "save", "column": world.todo, "name": "Ready", "wip_limit": "lots"}
    )
    assert words.status_code == 422 and "WIP limit must be a whole number" in words.text
    assert 'value="Ready"' in words.text and 'value="lots"' in words.text
    assert (await board_columns(world.initiative_id))[0] == {
        "id": world.todo,
        "name": "To do",
        "wip_limit": None,
        "is_done": False,
    }


async def test_duplicate_column_names_are_refused(client, world):
    response = await client.post_form(url(world), {"action": "add", "name": "done"})
    assert response.status_code == 422
    assert "There is already a column called “Done”" in response.text
    assert len(await board_columns(world.initiative_id)) == 4


async def test_columns_can_be_reordered(client, world):
    await client.post_form(url(world), {"action": "up", "column": world.in_progress})
    names = [c["name"] for c in await board_columns(world.initiative_id)]
    assert names == ["In progress", "To do", "In review", "Done"]
    await client.post_form(url(world), {"action": "down", "column": world.done})  # already last
    await client.post_form(url(world), {"action": "down", "column": world.in_progress})
    names = [c["name"] for c in await board_columns(world.initiative_id)]
    assert names == ["To do", "In progress", "In review", "Done"]
    positions = await BoardColumn.select(BoardColumn.position).where(
        BoardColumn.initiative == world.initiative_id
    )
    assert sorted(p["position"] for p in positions) == [1, 2, 3, 4]


async def test_a_column_can_be_added_and_then_shows_on_the_board(client, world):
    response = await client.post_form(
        url(world), {"action": "add", "name": "Blocked", "wip_limit": "2"}
    )
    assert response.status_code == 303
    columns = await board_columns(world.initiative_id)
    assert columns[-1]["name"] == "Blocked" and columns[-1]["wip_limit"] == 2
    sprint = await scrum.create_sprint(world.initiative_id, {})
    await scrum.start_sprint(sprint)
    board = await client.get(f"/initiatives/{world.initiative_id}/board")
    assert ">Blocked</h2>" in board.text


async def test_adding_without_a_name_keeps_the_typed_limit(client, world):
    response = await client.post_form(url(world), {"action": "add", "name": "", "wip_limit": "4"})
    assert response.status_code == 422
    assert 'id="field-name"' in response.text and 'name="wip_limit" value="4"' in response.text
    assert len(await board_columns(world.initiative_id)) == 4


async def test_choosing_the_done_column_keeps_exactly_one(client, world):
    sprint = await scrum.create_sprint(world.initiative_id, {})
    a, b = await make_items(world.initiative_id, 2, estimate=5)
    await scrum.assign_sprint(world.initiative_id, [a, b], sprint)
    await scrum.start_sprint(sprint)
    in_review = world.columns[2]["id"]
    await scrum.move_item(a, in_review)
    await scrum.move_item(b, world.done)
    response = await client.post_form(url(world), {"action": "done", "column": in_review})
    assert response.status_code == 303
    columns = await board_columns(world.initiative_id)
    assert [c["name"] for c in columns if c["is_done"]] == ["In review"]
    rows = await BacklogItem.select(BacklogItem.id, BacklogItem.done_at).where(
        BacklogItem.id.is_in([a, b])
    )
    done_at = {r["id"]: r["done_at"] for r in rows}
    assert done_at[a] is not None and done_at[b] is None
    # History follows, so the active sprint's burndown shows a done and b open.
    last = await ItemHistory.select(ItemHistory.item, ItemHistory.is_done).where(
        ItemHistory.change == "done_column_changed"
    )
    assert {r["item"]: r["is_done"] for r in last} == {a: True, b: False}
    burndown = await metrics.sprint_burndown(await scrum.get_sprint(sprint), scrum.clock.now())
    assert [d.remaining for d in burndown.days if d.remaining is not None][-1] == 5


async def test_an_empty_column_can_be_deleted(client, world):
    in_review = world.columns[2]["id"]
    response = await client.post_form(url(world), {"action": "delete", "column": in_review})
    assert response.status_code == 303
    columns = await board_columns(world.initiative_id)
    assert [c["name"] for c in columns] == ["To do", "In progress", "Done"]
    positions = await BoardColumn.select(BoardColumn.position).where(
        BoardColumn.initiative == world.initiative_id
    )
    assert sorted(p["position"] for p in positions) == [1, 2, 3]


async def test_a_column_holding_items_or_marked_done_is_not_deleted(client, world):
    (item,) = await make_items(world.initiative_id, 1)
    response = await client.post_form(url(world), {"action": "delete", "column": world.todo})
    assert response.status_code == 422
    assert "“To do” still holds 1 item: move it to another column" in response.text
    assert 'href="#field-column"' in response.text and 'id="field-column"' in response.text
    done = await client.post_form(url(world), {"action": "delete", "column": world.done})
    assert done.status_code == 422 and "is the done column" in done.text
    assert len(await board_columns(world.initiative_id)) == 4
    assert await BacklogItem.exists().where(BacklogItem.id == item)


async def test_another_initiatives_column_is_not_found(client, world):
    foreign = world.other_columns[0]["id"]
    for action in ("save", "up", "done", "delete"):
        response = await client.post_form(
            url(world), {"action": action, "column": foreign, "name": "Hijacked"}
        )
        assert response.status_code == 404, action
        assert "not one of this board" in response.text
        assert 'href="#field-column"' in response.text
    others = await board_columns(world.other_initiative_id)
    assert [c["name"] for c in others] == ["To do", "In progress", "In review", "Done"]
    assert [c["is_done"] for c in others] == [False, False, False, True]


async def test_unknown_actions_and_malformed_ids_are_refused(client, world):
    for data in (
        {"action": "explode", "column": world.todo},
        {"action": "save", "column": "abc", "name": "X"},
        {"action": "delete"},
        {},
    ):
        response = await client.post_form(url(world), data)
        assert response.status_code == 422, data
    missing = await client.post_form(
        "/initiatives/999999/board/columns", {"action": "add", "name": "X"}
    )
    assert missing.status_code == 404
    assert len(await board_columns(world.initiative_id)) == 4


async def test_deleting_a_column_while_a_card_moves_into_it_is_never_a_500(client, world):
    await client.csrf_token()
    for _ in range(5):
        (item,) = await make_items(world.initiative_id, 1)
        version = (await scrum.get_item(item))["version"]
        response = await client.post_form(url(world), {"action": "add", "name": "Spare"})
        assert response.status_code == 303
        spare = next(c for c in await board_columns(world.initiative_id) if c["name"] == "Spare")
        delete, move = await asyncio.gather(
            client.post_form(url(world), {"action": "delete", "column": spare["id"]}),
            client.send_json(
                "PATCH", f"/api/items/{item}", {"version": version, "column_id": spare["id"]}
            ),
        )
        # Either order is fine; what matters is a clear answer and a consistent board.
        assert delete.status_code in (303, 422) and move.status_code in (200, 422)
        status = (await scrum.get_item(item))["status"]
        names = {c["id"]: c["name"] for c in await board_columns(world.initiative_id)}
        assert status in names
        if delete.status_code == 303:
            assert spare["id"] not in names and move.status_code == 422
        else:
            assert names[status] == "Spare"
            await scrum.move_item(item, world.todo)
        await client.post_form(url(world), {"action": "delete", "column": spare["id"]})


async def test_two_columns_of_the_same_name_added_at_once_make_one(client, world):
    await client.csrf_token()
    answers = await asyncio.gather(
        client.post_form(url(world), {"action": "add", "name": "Waiting"}),
        client.post_form(url(world), {"action": "add", "name": "waiting"}),
    )
    assert sorted(a.status_code for a in answers) == [303, 422]
    names = [c["name"].casefold() for c in await board_columns(world.initiative_id)]
    assert names.count("waiting") == 1
    refused = next(a for a in answers if a.status_code == 422)
    assert "There is already a column called" in refused.text
