"""Reading initiatives, sprints and ranked pages of items through /api/."""

from __future__ import annotations

from datetime import date

from backend.scrum import services as scrum
from tests.api.helpers import ranked_ids, stage_of_agency
from tests.factories import make_items


async def test_initiatives_are_listed_with_their_agency_and_stage(client, world):
    response = await client.get("/api/initiatives")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    by_title = {i["title"]: i for i in response.json()}
    # Only the caller's own agency: the other agency's initiative is not listed.
    assert set(by_title) == {"Parent engagement"}
    mine = by_title["Parent engagement"]
    assert mine["id"] == world.initiative_id
    assert mine["agency_id"] == world.agency_id
    assert mine["agency_name"] == "Test Agency"
    assert mine["product_goal"] == "Parents are partners"
    assert mine["current_stage_id"] == world.stages[3]["id"]
    assert mine["current_stage_name"] == world.stages[3]["name"]
    assert mine["start_date"] == "2026-01-05"
    assert mine["version"] == 1


async def test_one_initiative_is_read_by_id(client, world):
    response = await client.get(f"/api/initiatives/{world.initiative_id}")
    assert response.status_code == 200
    assert response.json()["title"] == "Parent engagement"


async def test_an_unknown_initiative_is_a_json_404(client, world):
    for url in (
        "/api/initiatives/999999",
        "/api/initiatives/999999/sprints",
        "/api/initiatives/999999/items",
        # Larger than any row id can be: still "not found", not a database error.
        "/api/initiatives/99999999999999999999/items",
        "/api/initiatives/0",
    ):
        response = await client.get(url)
        assert response.status_code == 404, url
        assert response.headers["content-type"].startswith("application/json")
        assert "was not found" in response.json()["detail"]


async def test_unknown_api_paths_answer_json_not_a_page(client, world):
    response = await client.get("/api/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["detail"]


async def test_sprints_of_an_initiative_are_listed_by_number(client, world):
    first = await scrum.create_sprint(
        world.initiative_id, {"goal": "Meet parents", "start_date": date(2026, 3, 2)}
    )
    second = await scrum.create_sprint(world.initiative_id, {"goal": "Second"})
    await scrum.create_sprint(world.other_initiative_id, {"goal": "Not mine"})
    response = await client.get(f"/api/initiatives/{world.initiative_id}/sprints")
    assert response.status_code == 200
    sprints = response.json()
    assert [s["id"] for s in sprints] == [first, second]
    assert sprints[0]["number"] == 1
    assert sprints[0]["state"] == "planned"
    assert sprints[0]["goal"] == "Meet parents"
    assert sprints[0]["start_date"] == "2026-03-02"
    assert sprints[0]["end_date"] == "2026-03-16"
    assert sprints[0]["initiative_id"] == world.initiative_id


async def test_one_sprint_is_read_by_id_and_an_unknown_one_is_404(client, world):
    sprint = await scrum.create_sprint(world.initiative_id, {"goal": "Meet parents"})
    items = await make_items(world.initiative_id, 2, estimate=5)
    await scrum.assign_sprint(world.initiative_id, items, sprint)
    await scrum.start_sprint(sprint)
    response = await client.get(f"/api/sprints/{sprint}")
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["state"], body["committed_points"]) == (sprint, "active", 10)
    assert body["started_at"] is not None
    missing = await client.get("/api/sprints/999999")
    assert missing.status_code == 404
    assert missing.json()["detail"] == "Sprint 999999 was not found"


async def test_items_come_in_rank_order_one_page_at_a_time(client, world):
    ids = await make_items(world.initiative_id, 5)
    await make_items(world.other_initiative_id, 2)
    await scrum.rank_item(ids[4], "top")
    order = await ranked_ids(world.initiative_id)
    assert order == [ids[4], *ids[:4]]
    url = f"/api/initiatives/{world.initiative_id}/items"

    everything = (await client.get(url)).json()
    assert everything["total"] == 5
    assert (everything["limit"], everything["offset"]) == (50, 0)
    assert [i["id"] for i in everything["items"]] == order
    ranks = [i["rank"] for i in everything["items"]]
    assert ranks == sorted(ranks)

    page = (await client.get(url, params={"limit": 2, "offset": 2})).json()
    assert page["total"] == 5
    assert [i["id"] for i in page["items"]] == order[2:4]
    past_the_end = (await client.get(url, params={"limit": 2, "offset": 10})).json()
    assert (past_the_end["total"], past_the_end["items"]) == (5, [])


async def test_an_item_shows_every_field(client, world):
    stage = world.stages[1]["id"]
    [item_id] = await make_items(
        world.initiative_id,
        1,
        kind="spike",
        narrative="As a parent...",
        acceptance_criteria="- works",
        stage=stage,
        assignee_name="Robin",
    )
    response = await client.get(f"/api/items/{item_id}")
    assert response.status_code == 200
    item = response.json()
    assert item["id"] == item_id
    assert item["initiative_id"] == world.initiative_id
    assert (item["kind"], item["title"], item["estimate"]) == ("spike", "Story 1", 3)
    assert item["narrative"] == "As a parent..."
    assert item["acceptance_criteria"] == "- works"
    assert (item["stage_id"], item["sprint_id"]) == (stage, None)
    assert (item["column_id"], item["is_done"], item["done_at"]) == (world.todo, False, None)
    assert item["assignee_name"] == "Robin"
    assert item["version"] == 1
    assert item["created_at"] and item["updated_at"]
    assert (await client.get("/api/items/999999")).status_code == 404


async def test_items_are_filtered_by_stage_sprint_and_kind(client, world):
    stage = world.stages[2]["id"]
    sprint = await scrum.create_sprint(world.initiative_id, {})
    plain, staged, task, in_sprint = await make_items(world.initiative_id, 4)
    await scrum.set_stage(world.initiative_id, [staged], stage)
    await scrum.update_item(task, 1, {"kind": "task"})
    await scrum.assign_sprint(world.initiative_id, [in_sprint], sprint)
    url = f"/api/initiatives/{world.initiative_id}/items"

    async def ids(**params) -> list[int]:
        response = await client.get(url, params=params)
        assert response.status_code == 200, response.text
        assert response.json()["total"] == len(response.json()["items"])
        return [i["id"] for i in response.json()["items"]]

    assert await ids(stage_id=stage) == [staged]
    assert await ids(sprint_id=sprint) == [in_sprint]
    assert await ids(kind="task") == [task]
    assert await ids(kind="story", stage_id=stage) == [staged]
    assert await ids(kind="impediment") == []
    assert plain in await ids()


async def test_filters_naming_another_initiatives_sprint_or_stage_are_refused(client, world):
    other_sprint = await scrum.create_sprint(world.other_initiative_id, {})
    other_stage = await stage_of_agency(world.other_agency_id)
    url = f"/api/initiatives/{world.initiative_id}/items"
    response = await client.get(url, params={"sprint_id": other_sprint})
    assert response.status_code == 422
    assert response.json()["errors"] == {"sprint_id": "Choose a sprint of this initiative"}
    response = await client.get(url, params={"stage_id": other_stage})
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"stage_id"}


async def test_bad_query_values_get_field_errors_not_500(client, world):
    url = f"/api/initiatives/{world.initiative_id}/items"
    cases = {
        "limit": ["0", "201", "abc", "-1"],
        "offset": ["-1", "x", "99999999999999999999"],
        "kind": ["epic"],
        "sprint_id": ["0", "abc", "99999999999999"],
        "stage_id": ["1.5"],
    }
    for name, values in cases.items():
        for value in values:
            response = await client.get(url, params={name: value})
            assert response.status_code == 422, (name, value, response.text)
            body = response.json()
            assert set(body["errors"]) == {name}, (name, value, body)
            assert body["errors"][name]
