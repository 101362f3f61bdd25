"""Creating and changing backlog items through /api/: happy paths, then bad input.

Every write is checked in the database afterwards, and every refused write
must leave the database as it was.
"""

from __future__ import annotations

import pytest

from backend.scrum import services as scrum
from backend.scrum.tables import BacklogItem
from tests.api.helpers import history_changes, item_count, ranked_ids, saved_item, stage_of_agency
from tests.factories import make_items


def items_url(world) -> str:
    return f"/api/initiatives/{world.initiative_id}/items"


# ---------------------------------------------------------------- create


async def test_creating_an_item_saves_it_last_in_rank(client, world):
    [existing] = await make_items(world.initiative_id, 1)
    stage = world.stages[2]["id"]
    sprint = await scrum.create_sprint(world.initiative_id, {})
    response = await client.send_json(
        "POST",
        items_url(world),
        {
            "title": "  Parents co-design the leaflet ",
            "kind": "pdsa_test",
            "narrative": "As a parent...",
            "acceptance_criteria": "- tested with 5 parents",
            "estimate": 5,
            "stage_id": stage,
            "sprint_id": sprint,
            "column_id": world.in_progress,
            "assignee_name": "Robin",
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    saved = await saved_item(body["id"])
    assert saved["initiative"] == world.initiative_id
    assert saved["title"] == "Parents co-design the leaflet"
    assert (saved["kind"], saved["estimate"]) == ("pdsa_test", 5)
    assert (saved["narrative"], saved["acceptance_criteria"]) == (
        "As a parent...",
        "- tested with 5 parents",
    )
    assert (saved["stage"], saved["sprint"], saved["status"]) == (
        stage,
        sprint,
        world.in_progress,
    )
    assert saved["assignee_name"] == "Robin"
    assert await ranked_ids(world.initiative_id) == [existing, body["id"]]
    assert await history_changes(body["id"]) == ["created"]
    # The answer is the item as saved.
    assert body["title"] == saved["title"]
    assert (body["column_id"], body["stage_id"], body["sprint_id"]) == (
        world.in_progress,
        stage,
        sprint,
    )
    assert body["version"] == 1


async def test_creating_with_only_a_title_uses_the_defaults(client, world):
    response = await client.send_json("POST", items_url(world), {"title": "Bare"})
    assert response.status_code == 201, response.text
    saved = await saved_item(response.json()["id"])
    assert (saved["kind"], saved["estimate"], saved["status"]) == ("story", None, world.todo)
    assert (saved["stage"], saved["sprint"]) == (None, None)


async def test_creating_at_top_ranks_the_item_first(client, world):
    ids = await make_items(world.initiative_id, 2)
    response = await client.send_json("POST", items_url(world), {"title": "Urgent", "at_top": True})
    assert response.status_code == 201
    assert await ranked_ids(world.initiative_id) == [response.json()["id"], *ids]


async def test_fields_the_api_does_not_accept_are_ignored(client, world):
    """Mass assignment: initiative, rank, version and ids in the body change nothing."""
    response = await client.send_json(
        "POST",
        items_url(world),
        {
            "title": "Mine",
            "initiative_id": world.other_initiative_id,
            "initiative": world.other_initiative_id,
            "rank": -5,
            "version": 40,
            "id": 1234,
        },
    )
    assert response.status_code == 201
    saved = await saved_item(response.json()["id"])
    assert saved["initiative"] == world.initiative_id
    assert (saved["version"], saved["rank"]) == (1, 0)
    assert saved["id"] != 1234
    assert await item_count(world.other_initiative_id) == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "title"),
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"title": None}, "title"),
        ({"title": 42}, "title"),
        ({"title": ["a"]}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "ok", "estimate": -1}, "estimate"),
        ({"title": "ok", "estimate": 101}, "estimate"),
        ({"title": "ok", "estimate": "abc"}, "estimate"),
        ({"title": "ok", "estimate": 2.5}, "estimate"),
        ({"title": "ok", "estimate": True}, "estimate"),
        ({"title": "ok", "estimate": 10**30}, "estimate"),
        ({"title": "ok", "kind": "epic"}, "kind"),
        ({"title": "ok", "kind": 3}, "kind"),
        ({"title": "ok", "narrative": {"a": 1}}, "narrative"),
        ({"title": "ok", "narrative": "n" * 20_001}, "narrative"),
        ({"title": "ok", "stage_id": "first"}, "stage_id"),
        ({"title": "ok", "stage_id": 0}, "stage_id"),
        ({"title": "ok", "sprint_id": 99_999_999_999}, "sprint_id"),
        ({"title": "ok", "column_id": -3}, "column_id"),
        ({"title": "ok", "assignee_name": "a" * 121}, "assignee_name"),
        ({"title": "ok", "at_top": "yes please"}, "at_top"),
    ],
)
async def test_invalid_fields_are_refused_with_a_message_and_nothing_saved(
    client, world, body, field
):
    response = await client.send_json("POST", items_url(world), body)
    assert response.status_code == 422, response.text
    answer = response.json()
    assert answer["detail"]
    assert field in answer["errors"], answer
    assert isinstance(answer["errors"][field], str) and answer["errors"][field]
    assert await item_count() == 0


async def test_a_missing_title_says_enter_title(client, world):
    for body in ({}, {"title": "  "}):
        response = await client.send_json("POST", items_url(world), body)
        assert response.status_code == 422
        assert response.json()["errors"] == {"title": "Enter title"}


async def test_a_negative_estimate_says_what_is_allowed(client, world):
    response = await client.send_json("POST", items_url(world), {"title": "t", "estimate": -2})
    assert response.json()["errors"]["estimate"] == (
        "Estimate must be a whole number from 0 to 100, or null"
    )


async def test_references_to_another_initiative_are_refused(client, world):
    other_sprint = await scrum.create_sprint(world.other_initiative_id, {})
    other_stage = await stage_of_agency(world.other_agency_id)
    other_column = world.other_columns[0]["id"]
    for field, value in (
        ("sprint_id", other_sprint),
        ("stage_id", other_stage),
        ("column_id", other_column),
        ("sprint_id", 999_999),
        ("column_id", 999_999),
    ):
        response = await client.send_json(
            "POST", items_url(world), {"title": "Sneaky", field: value}
        )
        assert response.status_code == 422, (field, response.text)
        assert set(response.json()["errors"]) == {field}
    assert await item_count() == 0


async def test_creating_in_an_unknown_initiative_is_404(client, world):
    response = await client.send_json("POST", "/api/initiatives/999999/items", {"title": "x"})
    assert response.status_code == 404
    assert response.json()["detail"] == "Initiative 999999 was not found"
    assert await item_count() == 0


async def test_malformed_json_is_400_and_saves_nothing(client, world):
    token = await client.csrf_token()
    headers = {"x-csrftoken": token, "content-type": "application/json"}
    for raw in (
        b'{"title": "x"',
        b"{title: x}",
        b"not json",
        b"\xff\xfe",
        b'{"title": "\xed\xa0\x80"}',  # invalid UTF-8 inside a string
        b'{"title": "\\ud800"}',  # a lone surrogate
        b'{"title": "ok", "estimate": 1e400}',
        b"[" * 100_000,  # deeper than any decoder recurses
    ):
        response = await client.post(items_url(world), content=raw, headers=headers)
        assert response.status_code == 400, (raw, response.text)
        assert response.headers["content-type"].startswith("application/json")
        assert response.json()["detail"]
    assert await item_count() == 0


async def test_a_body_that_is_not_an_object_is_400(client, world):
    for body in ([{"title": "x"}], "x", 3, None):
        response = await client.send_json("POST", items_url(world), body)
        assert response.status_code == 400, (body, response.text)
        assert response.json()["detail"] == "The request body must be a JSON object"
    assert await item_count() == 0


async def test_a_ten_megabyte_title_is_refused_and_nothing_created(client, world):
    response = await client.send_json("POST", items_url(world), {"title": "x" * 10_485_760})
    assert 400 <= response.status_code < 500
    assert response.headers["content-type"].startswith("application/json")
    assert await item_count() == 0


async def test_a_write_without_the_csrf_token_is_refused(client, world):
    response = await client.post(items_url(world), json={"title": "No token"})
    assert response.status_code == 403
    assert response.json()["detail"] == "CSRF token verification failed"
    assert await item_count() == 0


async def test_a_method_the_api_does_not_have_is_a_json_405(client, world):
    [item_id] = await make_items(world.initiative_id, 1)
    for method in ("DELETE", "PUT"):
        response = await client.send_json(method, f"/api/items/{item_id}", {"version": 1})
        assert response.status_code == 405
        assert response.json()["detail"] == "Method Not Allowed"
    assert await item_count() == 1


# ---------------------------------------------------------------- update


async def test_patch_changes_only_the_fields_sent(client, world):
    [item_id] = await make_items(
        world.initiative_id, 1, narrative="Keep me", stage=world.stages[1]["id"]
    )
    response = await client.send_json(
        "PATCH",
        f"/api/items/{item_id}",
        {"version": 1, "title": "Renamed", "estimate": 8, "stage_id": None},
    )
    assert response.status_code == 200, response.text
    saved = await saved_item(item_id)
    assert (saved["title"], saved["estimate"], saved["stage"]) == ("Renamed", 8, None)
    assert saved["narrative"] == "Keep me"
    assert saved["version"] == 2
    assert response.json()["version"] == 2
    assert response.json()["title"] == "Renamed"
    assert await history_changes(item_id) == ["created", "edited"]


async def test_patch_moves_to_a_done_column_and_into_a_sprint(client, world):
    [item_id] = await make_items(world.initiative_id, 1)
    sprint = await scrum.create_sprint(world.initiative_id, {})
    response = await client.send_json(
        "PATCH",
        f"/api/items/{item_id}",
        {"version": 1, "column_id": world.done, "sprint_id": sprint},
    )
    assert response.status_code == 200, response.text
    saved = await saved_item(item_id)
    assert (saved["status"], saved["sprint"]) == (world.done, sprint)
    assert saved["done_at"] is not None
    assert response.json()["is_done"] is True


async def test_a_stale_patch_is_409_and_the_first_edit_survives(client, world):
    [item_id] = await make_items(world.initiative_id, 1)
    first = await client.send_json(
        "PATCH", f"/api/items/{item_id}", {"version": 1, "title": "First edit"}
    )
    assert first.status_code == 200
    second = await client.send_json(
        "PATCH", f"/api/items/{item_id}", {"version": 1, "title": "Second edit", "estimate": 1}
    )
    assert second.status_code == 409
    body = second.json()
    assert "your changes were not saved" in body["detail"]
    assert body["current"]["title"] == "First edit"
    assert body["current"]["version"] == 2
    assert body["current"]["column_id"] == world.todo
    saved = await saved_item(item_id)
    assert (saved["title"], saved["estimate"], saved["version"]) == ("First edit", 3, 2)


async def test_a_stale_patch_with_no_fields_is_still_409(client, world):
    [item_id] = await make_items(world.initiative_id, 1)
    await scrum.set_estimate(item_id, 8)
    response = await client.send_json("PATCH", f"/api/items/{item_id}", {"version": 1})
    assert response.status_code == 409
    assert response.json()["current"]["estimate"] == 8
    fresh = await client.send_json("PATCH", f"/api/items/{item_id}", {"version": 2})
    assert fresh.status_code == 200
    assert (await saved_item(item_id))["version"] == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "no version"}, "version"),
        ({"version": "one", "title": "x"}, "version"),
        ({"version": 0, "title": "x"}, "version"),
        ({"version": 1, "title": ""}, "title"),
        ({"version": 1, "title": None}, "title"),
        ({"version": 1, "estimate": -1}, "estimate"),
        ({"version": 1, "estimate": "five"}, "estimate"),
        ({"version": 1, "kind": "epic"}, "kind"),
        ({"version": 1, "column_id": None}, "column_id"),
    ],
)
async def test_invalid_patches_change_nothing(client, world, body, field):
    [item_id] = await make_items(world.initiative_id, 1)
    before = await saved_item(item_id)
    response = await client.send_json("PATCH", f"/api/items/{item_id}", body)
    assert response.status_code == 422, response.text
    assert field in response.json()["errors"]
    assert await saved_item(item_id) == before


async def test_patching_with_another_initiatives_ids_is_refused(client, world):
    [item_id] = await make_items(world.initiative_id, 1)
    other_sprint = await scrum.create_sprint(world.other_initiative_id, {})
    other_stage = await stage_of_agency(world.other_agency_id)
    before = await saved_item(item_id)
    for field, value in (
        ("sprint_id", other_sprint),
        ("stage_id", other_stage),
        ("column_id", world.other_columns[-1]["id"]),
    ):
        response = await client.send_json(
            "PATCH", f"/api/items/{item_id}", {"version": 1, field: value}
        )
        assert response.status_code == 422, (field, response.text)
        assert set(response.json()["errors"]) == {field}
    assert await saved_item(item_id) == before


async def test_patching_an_unknown_item_is_404(client, world):
    response = await client.send_json("PATCH", "/api/items/999999", {"version": 1, "title": "x"})
    assert response.status_code == 404
    assert response.json()["detail"] == "Backlog item #999999 was not found"


async def test_patch_with_malformed_json_is_400(client, world):
    [item_id] = await make_items(world.initiative_id, 1)
    token = await client.csrf_token()
    response = await client.patch(
        f"/api/items/{item_id}",
        content=b'{"version": 1, "title": ',
        headers={"x-csrftoken": token, "content-type": "application/json"},
    )
    assert response.status_code == 400
    assert (await saved_item(item_id))["version"] == 1


# ---------------------------------------------------------------- move


async def test_moving_an_item_to_a_done_column_marks_it_done(client, world):
    [item_id] = await make_items(world.initiative_id, 1)
    response = await client.send_json(
        "POST", f"/api/items/{item_id}/move", {"column_id": world.done}
    )
    assert response.status_code == 200, response.text
    assert response.json()["column_id"] == world.done
    assert response.json()["is_done"] is True
    saved = await saved_item(item_id)
    assert (saved["status"], saved["version"]) == (world.done, 2)
    assert saved["done_at"] is not None
    assert await history_changes(item_id) == ["created", "moved"]


async def test_a_move_with_a_stale_version_is_409(client, world):
    [item_id] = await make_items(world.initiative_id, 1)
    await scrum.move_item(item_id, world.in_progress)
    response = await client.send_json(
        "POST", f"/api/items/{item_id}/move", {"column_id": world.done, "version": 1}
    )
    assert response.status_code == 409
    assert response.json()["current"]["column_id"] == world.in_progress
    assert (await saved_item(item_id))["status"] == world.in_progress


async def test_moving_to_another_initiatives_column_is_refused(client, world):
    [item_id] = await make_items(world.initiative_id, 1)
    for column in (world.other_columns[1]["id"], 999_999):
        response = await client.send_json(
            "POST", f"/api/items/{item_id}/move", {"column_id": column}
        )
        assert response.status_code == 422
        assert response.json()["errors"] == {
            "column_id": "Choose a status from the board's columns"
        }
    for body in ({}, {"column_id": "done"}, {"column_id": None}):
        response = await client.send_json("POST", f"/api/items/{item_id}/move", body)
        assert response.status_code == 422, body
        assert set(response.json()["errors"]) == {"column_id"}
    assert (await saved_item(item_id))["status"] == world.todo
    missing = await client.send_json("POST", "/api/items/999999/move", {"column_id": world.done})
    assert missing.status_code == 404


# ---------------------------------------------------------------- rank


async def test_rank_actions_keep_a_total_order(client, world):
    a, b, c, d = await make_items(world.initiative_id, 4)

    async def rank(item_id: int, action: str, target_id: int | None = None) -> list[int]:
        body = (
            {"action": action} if target_id is None else {"action": action, "target_id": target_id}
        )
        response = await client.send_json("POST", f"/api/items/{item_id}/rank", body)
        assert response.status_code == 200, response.text
        assert response.json()["id"] == item_id
        order = await ranked_ids(world.initiative_id)
        ranks = [r["rank"] for r in await BacklogItem.select(BacklogItem.rank)]
        assert len(set(ranks)) == len(ranks) == 4, "two items share a rank"
        return order

    assert await rank(d, "top") == [d, a, b, c]
    assert await rank(a, "down") == [d, b, a, c]
    assert await rank(c, "above", b) == [d, c, b, a]
    assert await rank(d, "bottom") == [c, b, a, d]
    assert await rank(d, "up") == [c, b, d, a]
    assert await rank(c, "up") == [c, b, d, a]  # already first: nothing moves
    # The list endpoint shows the same order.
    listed = (await client.get(items_url(world))).json()["items"]
    assert [i["id"] for i in listed] == [c, b, d, a]


async def test_bad_rank_requests_are_refused_and_order_kept(client, world):
    a, b = await make_items(world.initiative_id, 2)
    [foreign] = await make_items(world.other_initiative_id, 1)
    cases = [
        ({"action": "sideways"}, "action"),
        ({}, "action"),
        ({"action": "above"}, "target_id"),
        ({"action": "above", "target_id": a}, "target_id"),  # itself
        ({"action": "above", "target_id": foreign}, "target_id"),
        ({"action": "above", "target_id": 999_999}, "target_id"),
        ({"action": "above", "target_id": "b"}, "target_id"),
    ]
    for body, field in cases:
        response = await client.send_json("POST", f"/api/items/{a}/rank", body)
        assert response.status_code == 422, (body, response.text)
        assert set(response.json()["errors"]) == {field}, (body, response.json())
    assert await ranked_ids(world.initiative_id) == [a, b]
    assert await ranked_ids(world.other_initiative_id) == [foreign]
    missing = await client.send_json("POST", "/api/items/999999/rank", {"action": "top"})
    assert missing.status_code == 404


# ---------------------------------------------------------------- sprint


async def test_an_item_goes_into_a_sprint_and_back_to_the_backlog(client, world):
    [item_id] = await make_items(world.initiative_id, 1)
    sprint = await scrum.create_sprint(world.initiative_id, {})
    url = f"/api/items/{item_id}/sprint"
    response = await client.send_json("POST", url, {"sprint_id": sprint})
    assert response.status_code == 200, response.text
    assert response.json()["sprint_id"] == sprint
    assert (await saved_item(item_id))["sprint"] == sprint
    again = await client.send_json("POST", url, {"sprint_id": sprint})
    assert again.status_code == 200
    assert (await saved_item(item_id))["version"] == 2  # unchanged: no new version
    back = await client.send_json("POST", url, {"sprint_id": None})
    assert back.status_code == 200
    assert back.json()["sprint_id"] is None
    assert (await saved_item(item_id))["sprint"] is None
    assert await history_changes(item_id) == ["created", "sprint_added", "sprint_removed"]


async def test_sprints_of_another_initiative_or_closed_are_refused(client, world):
    [item_id] = await make_items(world.initiative_id, 1)
    other_sprint = await scrum.create_sprint(world.other_initiative_id, {})
    closed = await scrum.create_sprint(world.initiative_id, {})
    await scrum.start_sprint(closed)
    await scrum.complete_sprint(closed, "backlog")
    url = f"/api/items/{item_id}/sprint"
    for sprint in (other_sprint, 999_999, closed):
        response = await client.send_json("POST", url, {"sprint_id": sprint})
        assert response.status_code == 422, response.text
        assert set(response.json()["errors"]) == {"sprint_id"}
    for body in ({}, {"sprint_id": "next"}):
        response = await client.send_json("POST", url, body)
        assert response.status_code == 422, body
        assert set(response.json()["errors"]) == {"sprint_id"}
    assert (await saved_item(item_id))["sprint"] is None
    missing = await client.send_json("POST", "/api/items/999999/sprint", {"sprint_id": None})
    assert missing.status_code == 404


async def test_an_item_finished_in_a_closed_sprint_stays_there(client, world):
    [item_id] = await make_items(world.initiative_id, 1)
    sprint = await scrum.create_sprint(world.initiative_id, {})
    await scrum.assign_sprint(world.initiative_id, [item_id], sprint)
    await scrum.start_sprint(sprint)
    await scrum.move_item(item_id, world.done)
    await scrum.complete_sprint(sprint, "backlog")
    response = await client.send_json("POST", f"/api/items/{item_id}/sprint", {"sprint_id": None})
    assert response.status_code == 409
    assert response.json()["current"]["sprint_id"] == sprint
    assert (await saved_item(item_id))["sprint"] == sprint


async def test_nul_characters_are_dropped_from_text(client, world):
    """PostgreSQL refuses NUL in text; it must not become a server error."""
    response = await client.send_json(
        "POST", items_url(world), {"title": "Pa\u0000rents", "narrative": "\u0000"}
    )
    assert response.status_code == 201, response.text
    saved = await saved_item(response.json()["id"])
    assert (saved["title"], saved["narrative"]) == ("Parents", "")
    patched = await client.send_json(
        "PATCH", f"/api/items/{saved['id']}", {"version": 1, "assignee_name": "R\u0000obin"}
    )
    assert patched.status_code == 200
    assert (await saved_item(saved["id"]))["assignee_name"] == "Robin"
