"""Sprint pages: list, plan a new sprint, plan against capacity, edit, start, complete."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta

from backend import clock
from backend.scrum import metrics
from backend.scrum import services as scrum
from backend.scrum.tables import BacklogItem, ItemHistory, Sprint
from tests.factories import make_items
from tests.html_checks import assert_well_formed


def sprint_id_from(location: str) -> int:
    match = re.fullmatch(r"/sprints/(\d+)(\?.*)?", location)
    assert match, location
    return int(match.group(1))


async def sprint_row(sprint_id: int) -> dict:
    return (await Sprint.select().where(Sprint.id == sprint_id))[0]


async def sprint_of(item_id: int) -> int | None:
    return (await BacklogItem.select(BacklogItem.sprint).where(BacklogItem.id == item_id))[0][
        "sprint"
    ]


async def planned_sprint(world, count: int = 3, estimate: int = 3, **values) -> tuple[int, list]:
    sprint = await scrum.create_sprint(world.initiative_id, {"goal": "Try the profile", **values})
    ids = await make_items(world.initiative_id, count, estimate=estimate)
    await scrum.assign_sprint(world.initiative_id, ids, sprint)
    return sprint, ids


def number_cells(html: str, sprint_id: int) -> list[str]:
    """The committed and completed cells of a sprint's row on the sprints list."""
    row = html.split(f'href="/sprints/{sprint_id}"')[1].split("</tr>")[0]
    return [text_of(c).strip() for c in re.findall(r'<td class="num">(.*?)</td>', row)]


def text_of(html: str) -> str:
    """The page's text with tags removed and spaces collapsed, as a person reads it."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# ---------------------------------------------------------------- list


async def test_sprint_list_shows_every_sprint_with_points_and_a_start_form(client, world):
    closed, closed_items = await planned_sprint(world, count=2, estimate=5)
    await scrum.start_sprint(closed)
    await scrum.move_item(closed_items[0], world.done)
    await scrum.complete_sprint(closed, "backlog")
    planned, _ = await planned_sprint(world, count=3, estimate=2, capacity=10)

    page = await client.get(f"/initiatives/{world.initiative_id}/sprints")
    assert page.status_code == 200
    assert 'aria-current="page"' in page.text and ">Sprints</a>" in page.text
    text = text_of(page.text)
    assert "Sprint 1" in text and "Sprint 2" in text
    assert "Closed" in text and "Planned" in text
    # The closed sprint shows its frozen numbers: 10 committed, 5 completed.
    assert number_cells(page.text, closed) == ["10", "5"]
    row2 = text_of(page.text.split(f'href="/sprints/{planned}"')[1].split("</tr>")[0])
    assert "6 planned" in row2 and "capacity 10" in row2
    assert f'action="/sprints/{planned}/start"' in page.text
    assert f'action="/sprints/{closed}/start"' not in page.text


async def test_sprint_list_of_unknown_or_huge_initiative_is_404(client, world):
    assert (await client.get("/initiatives/999999/sprints")).status_code == 404
    assert (await client.get("/initiatives/99999999999/sprints")).status_code == 404


async def test_sprint_list_query_count_does_not_grow_with_sprints(client, world, count_queries):
    await planned_sprint(world, count=2)
    with count_queries() as few:
        await client.get(f"/initiatives/{world.initiative_id}/sprints")
    for _ in range(6):
        await planned_sprint(world, count=4)
    with count_queries() as many:
        await client.get(f"/initiatives/{world.initiative_id}/sprints")
    assert many.count == few.count


# ---------------------------------------------------------------- new


async def test_new_sprint_form_defaults_to_today_and_fourteen_days(client, world):
    clock.set_clock(lambda: datetime(2026, 4, 6, 9, tzinfo=UTC))
    page = await client.get(f"/initiatives/{world.initiative_id}/sprints/new")
    assert page.status_code == 200
    assert 'value="2026-04-06"' in page.text and 'value="2026-04-20"' in page.text
    for field in ("goal", "start_date", "end_date", "capacity", "release"):
        assert f'for="field-{field}"' in page.text


async def test_planning_a_sprint_saves_it_and_shows_its_page(client, world):
    release = await scrum.create_release(world.initiative_id, {"name": "Pilot"})
    response = await client.post_form(
        f"/initiatives/{world.initiative_id}/sprints/new",
        {
            "goal": "Pilot in *two* offices",
            "start_date": "2026-05-04",
            "end_date": "2026-05-15",
            "capacity": "20",
            "release": release,
            "initiative": world.other_initiative_id,  # ignored
        },
    )
    assert response.status_code == 303
    sprint_id = sprint_id_from(response.headers["location"])
    row = await sprint_row(sprint_id)
    assert row["initiative"] == world.initiative_id
    assert (row["number"], row["capacity"], row["release"]) == (1, 20, release)
    assert row["end_date"] == date(2026, 5, 15) and row["state"] == "planned"
    page = await client.get(response.headers["location"])
    assert "<em>two</em>" in page.text and "Pilot" in page.text


async def test_bad_new_sprint_input_is_refused_and_typed_values_kept(client, world):
    other_release = await scrum.create_release(world.other_initiative_id, {"name": "Theirs"})
    url = f"/initiatives/{world.initiative_id}/sprints/new"
    response = await client.post_form(
        url,
        {
            "goal": "Keep me",
            "start_date": "2026-05-15",
            "end_date": "2026-05-01",
            "capacity": "-3",
            "release": "",
        },
    )
    assert response.status_code == 422
    assert "<title>Error:" in response.text
    assert "End date must be on or after the start date" in response.text
    assert "Capacity must be 0 or more" in response.text
    assert 'href="#field-end_date"' in response.text and 'aria-invalid="true"' in response.text
    assert "Keep me" in response.text and 'value="-3"' in response.text

    response = await client.post_form(
        url, {"start_date": "2026-13-01", "capacity": "lots", "release": ""}
    )
    assert response.status_code == 422
    assert "Start date must be a real date" in response.text
    assert "Capacity must be a whole number" in response.text
    assert 'value="lots"' in response.text

    response = await client.post_form(url, {"start_date": "2026-05-01", "release": other_release})
    assert response.status_code == 422
    assert "Choose a release of this initiative" in response.text
    assert await Sprint.count() == 0


async def test_new_sprint_for_unknown_initiative_is_404(client, world):
    assert (await client.get("/initiatives/999999/sprints/new")).status_code == 404
    response = await client.post_form("/initiatives/999999/sprints/new", {"goal": "x"})
    assert response.status_code == 404
    assert await Sprint.count() == 0


# ---------------------------------------------------------------- planning


async def test_planning_page_warns_in_words_when_over_capacity(client, world):
    sprint, _ = await planned_sprint(world, count=3, estimate=5, capacity=20)
    extra = await make_items(world.initiative_id, 1, estimate=8)
    await scrum.assign_sprint(world.initiative_id, extra, sprint)
    page = await client.get(f"/sprints/{sprint}")
    assert page.status_code == 200
    assert "23 points committed, 3 over capacity of 20" in text_of(page.text)
    assert "Over capacity" in page.text

    await scrum.assign_sprint(world.initiative_id, extra, None)
    page = await client.get(f"/sprints/{sprint}")
    text = text_of(page.text)
    assert "15 points committed of a capacity of 20 (5 to spare)" in text
    assert "Over capacity" not in text


async def test_items_are_added_to_and_removed_from_a_planned_sprint(client, world):
    sprint, in_sprint = await planned_sprint(world, count=1)
    a, b, c = await make_items(world.initiative_id, 3, estimate=2)
    page = await client.get(f"/sprints/{sprint}")
    text = text_of(page.text)
    assert "3 open backlog items in no sprint" in text
    assert f'id="add-{a}"' in page.text and f'id="add-{in_sprint[0]}"' not in page.text
    # Backlog order: a before b before c.
    assert page.text.index(f'id="add-{a}"') < page.text.index(f'id="add-{c}"')

    response = await client.post_form(f"/sprints/{sprint}/items", {"item": [a, c]})
    assert response.status_code == 303
    assert response.headers["location"] == f"/sprints/{sprint}?done=added&n=2"
    assert [await sprint_of(i) for i in (a, b, c)] == [sprint, None, sprint]
    page = await client.get(response.headers["location"])
    assert "2 items added to sprint 1." in page.text
    assert "7 points committed" in text_of(page.text)

    response = await client.post_form(f"/sprints/{sprint}/items/{a}/remove", {})
    assert response.status_code == 303
    assert await sprint_of(a) is None
    history = await ItemHistory.select(ItemHistory.change).where(ItemHistory.item == a)
    assert [h["change"] for h in history][-1] == "sprint_removed"


async def test_adding_nothing_or_foreign_items_is_refused(client, world):
    sprint, _ = await planned_sprint(world, count=1)
    theirs = await make_items(world.other_initiative_id, 1)
    response = await client.post_form(f"/sprints/{sprint}/items", {})
    assert response.status_code == 422
    assert "Choose at least one backlog item" in response.text
    assert "<title>Error:" in response.text
    response = await client.post_form(f"/sprints/{sprint}/items", {"item": theirs})
    assert response.status_code == 422
    assert "Items not in this initiative" in response.text
    assert await sprint_of(theirs[0]) is None
    response = await client.post_form(f"/sprints/{sprint}/items", {"item": "abc"})
    assert response.status_code == 422


HTMX = {"HX-Request": "true"}


async def test_with_htmx_adding_and_removing_swap_only_the_plan_and_announce_it(client, world):
    sprint, _ = await planned_sprint(world, count=1, capacity=5)
    a, b = await make_items(world.initiative_id, 2, estimate=2)
    response = await client.post_form(f"/sprints/{sprint}/items", {"item": [a, b]}, headers=HTMX)
    assert response.status_code == 200
    assert response.text.lstrip().startswith(("{#", '<div id="sprint-plan">'))
    assert "<html" not in response.text and 'id="sprint-plan"' in response.text
    assert "7 points committed, 2 over capacity of 5" in text_of(response.text)
    announce = json.loads(response.headers["HX-Trigger"])["tandem:announce"]
    assert announce == ("2 items added to sprint 1. 7 points committed, 2 over capacity of 5.")
    assert json.loads(response.headers["HX-Trigger-After-Settle"]) == {"tandem:focus": "capacity"}
    assert [await sprint_of(i) for i in (a, b)] == [sprint, sprint]

    response = await client.post_form(f"/sprints/{sprint}/items/{a}/remove", {}, headers=HTMX)
    assert response.status_code == 200 and "<html" not in response.text
    assert f'id="add-{a}"' in response.text  # offered again for adding
    announce = json.loads(response.headers["HX-Trigger"])["tandem:announce"]
    assert announce.startswith("Item taken out of sprint 1 and back into the backlog.")
    assert "5 points committed" in announce
    assert await sprint_of(a) is None


async def test_with_htmx_a_refused_add_comes_back_in_the_plan_with_its_error(client, world):
    sprint, _ = await planned_sprint(world, count=1)
    await make_items(world.initiative_id, 1)  # something to choose, so the form shows
    response = await client.post_form(f"/sprints/{sprint}/items", {}, headers=HTMX)
    assert response.status_code == 422
    assert "<html" not in response.text and 'id="sprint-plan"' in response.text
    assert 'id="error-items"' in response.text
    assert "Choose at least one backlog item" in response.text
    assert json.loads(response.headers["HX-Trigger-After-Settle"]) == {
        "tandem:focus": "field-items"
    }


async def test_with_htmx_adding_to_a_sprint_closed_meanwhile_reloads_the_page(client, world):
    sprint, _ = await planned_sprint(world, count=1)
    (a,) = await make_items(world.initiative_id, 1)
    await scrum.start_sprint(sprint)
    await scrum.complete_sprint(sprint, "backlog")
    response = await client.post_form(f"/sprints/{sprint}/items", {"item": a}, headers=HTMX)
    assert response.headers.get("HX-Refresh") == "true"
    assert await sprint_of(a) is None


async def test_removing_an_item_of_another_sprint_is_404(client, world):
    sprint, _ = await planned_sprint(world, count=1)
    other, other_items = await planned_sprint(world, count=1)
    response = await client.post_form(f"/sprints/{sprint}/items/{other_items[0]}/remove", {})
    assert response.status_code == 404
    assert await sprint_of(other_items[0]) == other
    response = await client.post_form(f"/sprints/{sprint}/items/999999/remove", {})
    assert response.status_code == 404


async def test_add_list_is_paged_for_a_large_backlog(client, world, count_queries):
    sprint, _ = await planned_sprint(world, count=1)
    top = await BacklogItem.select(BacklogItem.rank).order_by(BacklogItem.rank, ascending=False)
    rows = [
        BacklogItem(
            initiative=world.initiative_id,
            title=f"Bulk {n}",
            estimate=1,
            rank=top[0]["rank"] + 1024 * (n + 1),
            status=world.todo,
        )
        for n in range(120)
    ]
    await BacklogItem.insert(*rows)
    with count_queries() as counted:
        page = await client.get(f"/sprints/{sprint}")
    text = text_of(page.text)
    assert "120 open backlog items in no sprint, in backlog order; showing 1 to 50" in text
    assert page.text.count('name="item"') == 50
    assert "Page 1 of 3" in text
    page3 = await client.get(f"/sprints/{sprint}?page=3")
    assert page3.text.count('name="item"') == 20 and "Bulk 119" in page3.text
    assert counted.count < 20
    assert (await client.get(f"/sprints/{sprint}?page=abc")).status_code == 200


async def test_unknown_sprint_ids_are_404(client, world):
    for url in ("/sprints/999999", "/sprints/99999999999", "/sprints/999999/edit"):
        assert (await client.get(url)).status_code == 404, url
    assert (await client.post_form("/sprints/999999/start", {})).status_code == 404
    assert (await client.post_form("/sprints/999999/items", {"item": 1})).status_code == 404


# ---------------------------------------------------------------- edit


async def test_editing_a_sprint_saves_and_a_stale_edit_gets_409(client, world):
    sprint, _ = await planned_sprint(world, count=1, capacity=10)
    page = await client.get(f"/sprints/{sprint}/edit")
    assert 'name="version" value="1"' in page.text
    form = {
        "goal": "First edit",
        "start_date": "2026-06-01",
        "end_date": "2026-06-12",
        "capacity": "12",
        "release": "",
        "planning_notes": "Plan **well**",
        "review_notes": "",
        "retrospective_notes": "",
        "version": "1",
    }
    response = await client.post_form(f"/sprints/{sprint}/edit", form)
    assert response.status_code == 303
    row = await sprint_row(sprint)
    assert (row["goal"], row["capacity"], row["version"]) == ("First edit", 12, 2)
    page = await client.get(f"/sprints/{sprint}")
    assert "<strong>well</strong>" in page.text

    # A second person edits from version 1: refused, their text kept, the first edit survives.
    stale = {**form, "goal": "Second edit", "capacity": "30"}
    response = await client.post_form(f"/sprints/{sprint}/edit", stale)
    assert response.status_code == 409
    assert "Someone else" in response.text and "Second edit" in response.text
    assert 'name="version" value="2"' in response.text
    assert (await sprint_row(sprint))["goal"] == "First edit"


async def test_bad_sprint_edits_are_refused(client, world):
    sprint, _ = await planned_sprint(world, count=1)
    theirs = await scrum.create_release(world.other_initiative_id, {"name": "Theirs"})
    base = {"start_date": "2026-06-01", "end_date": "2026-06-12", "version": "1"}
    response = await client.post_form(
        f"/sprints/{sprint}/edit", {**base, "end_date": "2026-05-01", "capacity": "x"}
    )
    assert response.status_code == 422
    assert "End date must be on or after" in response.text and 'value="x"' in response.text
    response = await client.post_form(f"/sprints/{sprint}/edit", {**base, "release": theirs})
    assert response.status_code == 422
    assert "Choose a release of this initiative" in response.text
    response = await client.post_form(f"/sprints/{sprint}/edit", {**base, "start_date": ""})
    assert response.status_code == 422 and "Enter the start date" in response.text
    response = await client.post_form(f"/sprints/{sprint}/edit", {"goal": "no version"})
    assert response.status_code == 400
    assert (await sprint_row(sprint))["version"] == 1


# ---------------------------------------------------------------- start


async def test_starting_a_sprint_freezes_its_commitment_and_links_board_and_burndown(client, world):
    sprint, _ = await planned_sprint(world, count=3, estimate=4)
    response = await client.post_form(f"/sprints/{sprint}/start", {})
    assert response.status_code == 303
    row = await sprint_row(sprint)
    assert row["state"] == "active" and row["committed_points"] == 12
    page = await client.get(response.headers["location"])
    text = text_of(page.text)
    assert "Sprint 1 started with 12 points committed." in text
    assert "0 of 12 points done" in text
    assert f'href="/initiatives/{world.initiative_id}/board"' in page.text
    assert f'href="/initiatives/{world.initiative_id}/charts?sprint_id={sprint}"' in page.text
    assert f'href="/sprints/{sprint}/complete"' in page.text


async def test_a_second_active_sprint_is_refused_with_a_clear_message(client, world):
    first, _ = await planned_sprint(world, count=1)
    second, _ = await planned_sprint(world, count=1)
    assert (await client.post_form(f"/sprints/{first}/start", {})).status_code == 303
    response = await client.post_form(f"/sprints/{second}/start", {})
    assert response.status_code == 409
    assert "Sprint 1 is still active: complete it before starting sprint 2." in response.text
    assert (await sprint_row(second))["state"] == "planned"
    # Starting the active one again is refused too.
    response = await client.post_form(f"/sprints/{first}/start", {})
    assert response.status_code == 409 and "not planned" in response.text


# ---------------------------------------------------------------- complete


async def active_sprint_with_work(world) -> tuple[int, list[int]]:
    sprint, ids = await planned_sprint(world, count=3, estimate=5)
    await scrum.start_sprint(sprint)
    await scrum.move_item(ids[0], world.done)
    return sprint, ids


async def test_complete_page_lists_unfinished_items_and_one_choice(client, world):
    sprint, ids = await active_sprint_with_work(world)
    pilot = await scrum.create_sprint(world.initiative_id, {"goal": "Pilot"})
    page = await client.get(f"/sprints/{sprint}/complete")
    assert page.status_code == 200
    assert page.text.count("<fieldset") == 1
    assert "Where should the 2 unfinished items go?" in page.text
    assert f'value="{pilot}"' in page.text and 'value="new"' in page.text
    assert 'value="backlog"' in page.text
    assert "Story 2" in page.text and "Story 3" in page.text
    # A planned sprint cannot be completed.
    assert (await client.get(f"/sprints/{pilot}/complete")).status_code == 409


async def test_completing_carries_unfinished_items_to_a_planned_sprint(client, world):
    sprint, ids = await active_sprint_with_work(world)
    pilot = await scrum.create_sprint(world.initiative_id, {"goal": "Pilot"})
    response = await client.post_form(f"/sprints/{sprint}/complete", {"destination": pilot})
    assert response.status_code == 303
    row = await sprint_row(sprint)
    assert (row["state"], row["committed_points"], row["completed_points"]) == ("closed", 15, 5)
    assert [await sprint_of(i) for i in ids] == [sprint, pilot, pilot]
    page = await client.get(response.headers["location"])
    text = text_of(page.text)
    assert "Sprint 1 closed. 2 unfinished items moved to sprint 2." in text
    assert "15 points committed at the start, 5 completed by the close" in text
    # The items at close come from history: all three, two carried on.
    assert text.count("Carried to sprint 2") == 2 and "Story 1" in text
    assert 'name="item"' not in page.text  # read-only


async def test_completing_into_a_new_sprint_creates_it(client, world):
    sprint, ids = await active_sprint_with_work(world)
    response = await client.post_form(f"/sprints/{sprint}/complete", {"destination": "new"})
    assert response.status_code == 303
    new = await Sprint.select().where(Sprint.number == 2)
    assert new and new[0]["state"] == "planned"
    assert [await sprint_of(i) for i in ids[1:]] == [new[0]["id"]] * 2
    page = await client.get(response.headers["location"])
    assert "2 unfinished items moved to sprint 2." in text_of(page.text)


async def test_completing_back_to_the_backlog(client, world):
    sprint, ids = await active_sprint_with_work(world)
    response = await client.post_form(f"/sprints/{sprint}/complete", {"destination": "backlog"})
    assert response.status_code == 303
    assert [await sprint_of(i) for i in ids] == [sprint, None, None]
    page = await client.get(response.headers["location"])
    assert "2 unfinished items moved back to the backlog." in text_of(page.text)


async def test_bad_completion_choices_are_refused_and_nothing_changes(client, world):
    sprint, ids = await active_sprint_with_work(world)
    theirs = await scrum.create_sprint(world.other_initiative_id, {"goal": "Theirs"})
    for bad in ({}, {"destination": "somewhere"}, {"destination": theirs}, {"destination": sprint}):
        response = await client.post_form(f"/sprints/{sprint}/complete", bad)
        assert response.status_code == 422, bad
        assert "<title>Error:" in response.text
        assert 'href="#field-destination"' in response.text
    assert (await sprint_row(sprint))["state"] == "active"
    assert [await sprint_of(i) for i in ids] == [sprint] * 3
    # A closed sprint cannot be completed again.
    await scrum.complete_sprint(sprint, "backlog")
    response = await client.post_form(f"/sprints/{sprint}/complete", {"destination": "backlog"})
    assert response.status_code == 409


async def test_closed_sprint_numbers_and_burndown_never_move_afterwards(client, world):
    clock.set_clock(lambda: datetime(2026, 3, 2, 9, tzinfo=UTC))
    sprint, ids = await planned_sprint(world, count=3, estimate=5, start_date=date(2026, 3, 2))
    await scrum.start_sprint(sprint)
    clock.set_clock(lambda: datetime(2026, 3, 5, 12, tzinfo=UTC))
    await scrum.move_item(ids[0], world.done)
    nxt = await scrum.create_sprint(world.initiative_id, {"start_date": date(2026, 3, 16)})
    clock.set_clock(lambda: datetime(2026, 3, 16, 8, tzinfo=UTC))
    response = await client.post_form(f"/sprints/{sprint}/complete", {"destination": nxt})
    assert response.status_code == 303
    closed = await sprint_row(sprint)
    before = await metrics.sprint_burndown(closed, clock.now())
    page_before = text_of((await client.get(f"/sprints/{sprint}")).text)

    # The carried items are finished, re-estimated and moved in the next sprint.
    clock.set_clock(lambda: datetime(2026, 3, 18, 10, tzinfo=UTC))
    await scrum.start_sprint(nxt)
    await scrum.move_item(ids[1], world.done)
    await scrum.set_estimate(ids[2], 13)
    await scrum.assign_sprint(world.initiative_id, [ids[2]], None)

    later = clock.now() + timedelta(days=5)
    after_row = await sprint_row(sprint)
    assert (after_row["committed_points"], after_row["completed_points"]) == (15, 5)
    after = await metrics.sprint_burndown(after_row, later)
    assert after == before
    page_after = text_of((await client.get(f"/sprints/{sprint}")).text)
    assert "15 points committed at the start, 5 completed by the close" in page_after
    # The items at close still show their estimates then.
    assert page_after.count("Not done") == page_before.count("Not done") == 2
    sprints = (await client.get(f"/initiatives/{world.initiative_id}/sprints")).text
    assert number_cells(sprints, sprint) == ["15", "5"]


async def test_a_story_finished_in_a_closed_sprint_can_still_be_edited(client, world):
    sprint, ids = await active_sprint_with_work(world)
    await scrum.complete_sprint(sprint, "backlog")
    item = await scrum.get_item(ids[0])
    updated = await scrum.update_item(
        ids[0], item["version"], {"title": "Renamed", "sprint": sprint}
    )
    assert updated["title"] == "Renamed" and updated["sprint"] == sprint


async def test_a_closed_sprint_is_read_only_except_its_notes(client, world):
    sprint, ids = await active_sprint_with_work(world)
    await scrum.complete_sprint(sprint, "backlog")
    page = await client.get(f"/sprints/{sprint}/edit")
    assert 'name="capacity"' not in page.text and 'name="review_notes"' in page.text
    response = await client.post_form(
        f"/sprints/{sprint}/edit",
        {"review_notes": "Went *well*", "capacity": "99", "goal": "Rewritten", "version": 3},
    )
    assert response.status_code == 303
    row = await sprint_row(sprint)
    assert row["review_notes"] == "Went *well*" and row["goal"] == "Try the profile"
    assert row["capacity"] is None
    response = await client.post_form(f"/sprints/{sprint}/items/{ids[0]}/remove", {})
    assert response.status_code == 409
    assert await sprint_of(ids[0]) == sprint
    response = await client.post_form(f"/sprints/{sprint}/items", {"item": ids[1]})
    assert response.status_code == 409 and await sprint_of(ids[1]) is None


# ---------------------------------------------------------------- robustness


async def test_hostile_query_and_form_values_are_never_a_500(client, world):
    sprint, ids = await planned_sprint(world, count=1)
    # "²" passes str.isdigit() but not int(): it must be read as no number.
    for query in (
        "page=%C2%B2",
        "page=-1",
        "page=99999999999999",
        "done=added&n=%C2%B2",
        "done=closed&carried=%C2%B2&to=%C2%B2",
        "done=closed&carried=2&to=99999999999",
    ):
        response = await client.get(f"/sprints/{sprint}?{query}")
        assert response.status_code == 200, query
    # A hand-made query does not announce a close that did not happen.
    page = await client.get(f"/sprints/{sprint}?done=closed&carried=2")
    assert "closed." not in page.text
    await scrum.start_sprint(sprint)
    for bad in ("%C2%B2", "²", "-1", "--1", "1e3", "99999999999"):
        response = await client.post_form(f"/sprints/{sprint}/complete", {"destination": bad})
        assert response.status_code == 422, bad
    for items in (["²", "0"], "--3"):
        response = await client.post_form(f"/sprints/{sprint}/items", {"item": items})
        assert response.status_code == 422
    assert (await sprint_row(sprint))["state"] == "active"
    # Numeric form fields: a clear 422 with the typed value kept (400 for the version).
    new = f"/initiatives/{world.initiative_id}/sprints/new"
    response = await client.post_form(new, {"capacity": "²", "release": "٣"})
    assert response.status_code == 422 and 'value="²"' in response.text
    assert "Capacity must be a whole number" in response.text
    response = await client.post_form(new, {"capacity": "--5", "release": "--1"})
    assert response.status_code == 422 and 'value="--5"' in response.text
    assert "Capacity must be a whole number" in response.text
    assert (await client.post_form(new, {"capacity": " 7 "})).status_code == 303
    edit = f"/sprints/{sprint}/edit"
    response = await client.post_form(edit, {"version": "1", "capacity": "²"})
    assert response.status_code == 422
    assert (await client.post_form(edit, {"version": "²"})).status_code == 400
    release = await scrum.create_release(world.initiative_id, {"name": "R"})
    response = await client.post_form(
        f"/initiatives/{world.initiative_id}/releases/new", {"name": "X", "stage": "²"}
    )
    assert response.status_code == 422
    response = await client.post_form(f"/releases/{release}/edit", {"name": "X", "version": "²"})
    assert response.status_code == 400
    assert await Sprint.count() == 2


async def test_sprint_page_query_count_does_not_grow_with_items(client, world, count_queries):
    """PERF-01 on the planning, active, complete and closed views."""
    small, _ = await planned_sprint(world, count=2)
    big, _ = await planned_sprint(world, count=40)
    await make_items(world.initiative_id, 30)  # backlog items to offer for adding

    async def counts(sprint_id: int, url: str) -> int:
        with count_queries() as counted:
            response = await client.get(url.format(sprint_id))
        assert response.status_code == 200, url
        return counted.count

    assert await counts(small, "/sprints/{}") == await counts(big, "/sprints/{}")
    for sprint_id, done in ((small, 1), (big, 25)):
        await scrum.start_sprint(sprint_id)
        items = await BacklogItem.select(BacklogItem.id).where(BacklogItem.sprint == sprint_id)
        for item in items[:done]:
            await scrum.move_item(item["id"], world.done)
        active = await counts(sprint_id, "/sprints/{}")
        complete = await counts(sprint_id, "/sprints/{}/complete")
        await scrum.complete_sprint(sprint_id, "backlog")
        closed = await counts(sprint_id, "/sprints/{}")
        if sprint_id == small:
            expected = (active, complete, closed)
    assert (active, complete, closed) == expected


async def test_every_sprint_and_release_page_has_unique_ids_and_real_label_targets(client, world):
    """A11Y-02 for the pages of this area, with and without errors shown."""
    release = await scrum.create_release(world.initiative_id, {"name": "R1", "milestone": "M"})
    planned, _ = await planned_sprint(world, count=2, capacity=1, release=release)
    active, active_items = await planned_sprint(world, count=2)
    closed, _ = await planned_sprint(world, count=2)
    await scrum.start_sprint(closed)
    await scrum.complete_sprint(closed, "backlog")
    await scrum.start_sprint(active)
    await make_items(world.initiative_id, 2)
    pages = {
        f"/initiatives/{world.initiative_id}/sprints": None,
        f"/initiatives/{world.initiative_id}/sprints/new": None,
        f"/sprints/{planned}": None,
        f"/sprints/{planned}/edit": None,
        f"/sprints/{active}": None,
        f"/sprints/{active}/complete": None,
        f"/sprints/{closed}": None,
        f"/sprints/{closed}/edit": None,
        f"/initiatives/{world.initiative_id}/releases": None,
        f"/initiatives/{world.initiative_id}/releases/new": None,
        f"/releases/{release}": None,
        f"/releases/{release}/edit": None,
    }
    for url in pages:
        response = await client.get(url)
        assert response.status_code == 200, url
        assert_well_formed(response.text, url)
    bad_posts = {
        f"/initiatives/{world.initiative_id}/sprints/new": {"capacity": "x", "end_date": "no"},
        f"/sprints/{planned}/edit": {"version": "1", "start_date": "", "capacity": "-1"},
        f"/sprints/{planned}/items": {},
        f"/sprints/{active}/complete": {},
        f"/initiatives/{world.initiative_id}/releases/new": {"name": "", "target_date": "x"},
        f"/releases/{release}/edit": {"version": "1", "name": ""},
    }
    for url, form in bad_posts.items():
        response = await client.post_form(url, form)
        assert response.status_code == 422, url
        assert_well_formed(response.text, url)


# ---------------------------------------------------------------- found in review


async def test_dates_near_the_end_of_the_calendar_are_refused_not_a_500(client, world):
    new = f"/initiatives/{world.initiative_id}/sprints/new"
    response = await client.post_form(new, {"start_date": "9999-12-25", "end_date": ""})
    assert response.status_code == 422
    assert "Start date must be between 1900 and 2999" in response.text
    assert 'value="9999-12-25"' in response.text
    sprint, _ = await planned_sprint(world, count=1)
    row = await sprint_row(sprint)
    response = await client.post_form(
        f"/sprints/{sprint}/edit",
        {"version": row["version"], "start_date": "2026-01-01", "end_date": "9999-12-31"},
    )
    assert response.status_code == 422 and "End date must be between 1900 and 2999" in response.text
    assert (await sprint_row(sprint))["end_date"] == row["end_date"]


async def test_completing_the_last_possible_sprint_into_a_new_one_works(client, world):
    sprint, ids = await planned_sprint(world, count=1)
    row = await sprint_row(sprint)
    response = await client.post_form(
        f"/sprints/{sprint}/edit",
        {"version": row["version"], "start_date": "2999-12-01", "end_date": "2999-12-31"},
    )
    assert response.status_code == 303
    await scrum.start_sprint(sprint)
    response = await client.post_form(f"/sprints/{sprint}/complete", {"destination": "new"})
    assert response.status_code == 303
    new_sprint = await sprint_of(ids[0])
    # The next sprint starts the day this one ends; its default end is 14 days on.
    assert (await sprint_row(new_sprint))["start_date"] == date(2999, 12, 31)
    assert (await sprint_row(new_sprint))["end_date"] == date(3000, 1, 14)


async def test_a_stale_add_never_takes_an_item_out_of_another_sprint(client, world):
    mine, _ = await planned_sprint(world, count=1)
    theirs, _ = await planned_sprint(world, count=1)
    (item,) = await make_items(world.initiative_id, 1)
    page = await client.get(f"/sprints/{mine}")
    assert f'id="add-{item}"' in page.text
    # Meanwhile someone puts the item into their sprint and starts it.
    await scrum.assign_sprint(world.initiative_id, [item], theirs)
    await scrum.start_sprint(theirs)
    response = await client.post_form(f"/sprints/{mine}/items", {"item": item})
    assert response.status_code == 409
    assert f"Already in another sprint since you loaded the page: #{item} (sprint 2)" in (
        response.text
    )
    assert await sprint_of(item) == theirs
    response = await client.post_form(f"/sprints/{mine}/items", {"item": item}, headers=HTMX)
    assert response.status_code == 409 and 'id="sprint-plan"' in response.text
    assert (
        "Already in another sprint" in json.loads(response.headers["HX-Trigger"])["tandem:announce"]
    )
    assert await sprint_of(item) == theirs


async def test_changing_the_plan_of_a_sprint_closed_meanwhile_is_a_409_or_a_reload(client, world):
    sprint, ids = await planned_sprint(world, count=2)
    (spare,) = await make_items(world.initiative_id, 1)
    await scrum.start_sprint(sprint)
    await scrum.move_item(ids[0], world.done)  # done, so it stays in the closed sprint
    await scrum.complete_sprint(sprint, "backlog")
    for url, form in (
        (f"/sprints/{sprint}/items", {"item": spare}),
        (f"/sprints/{sprint}/items/{ids[0]}/remove", {}),
    ):
        plain = await client.post_form(url, form)
        assert plain.status_code == 409
        assert "Sprint 1 closed since this page was loaded" in plain.text
        assert "error-summary" not in plain.text  # no summary linking to a missing field
        htmx = await client.post_form(url, form, headers=HTMX)
        assert htmx.headers.get("HX-Refresh") == "true"
    assert await sprint_of(spare) is None


async def test_an_active_sprint_says_points_in_it_now_against_capacity(client, world):
    sprint, ids = await planned_sprint(world, count=3, estimate=4, capacity=10)
    await scrum.start_sprint(sprint)
    await scrum.assign_sprint(world.initiative_id, [ids[0]], None)
    text = text_of((await client.get(f"/sprints/{sprint}")).text)
    assert "(12 committed at the start)" in text
    assert "8 points in the sprint now of a capacity of 10 (2 to spare)" in text
    assert "8 points committed" not in text


async def test_a_hand_written_done_query_announces_nothing_that_did_not_happen(client, world):
    sprint, _ = await planned_sprint(world, count=1)
    text = text_of((await client.get(f"/sprints/{sprint}?done=started")).text)
    assert "started with" not in text
    text = text_of((await client.get(f"/sprints/{sprint}?done=closed&carried=3")).text)
    assert "closed." not in text


async def test_an_edit_of_a_sprint_closed_meanwhile_shows_what_was_typed(client, world):
    sprint, _ = await planned_sprint(world, count=1)
    version = (await sprint_row(sprint))["version"]
    await scrum.start_sprint(sprint)
    await scrum.complete_sprint(sprint, "backlog")
    response = await client.post_form(
        f"/sprints/{sprint}/edit",
        {
            "version": version,
            "goal": "A goal typed too late",
            "start_date": "2026-03-01",
            "end_date": "2026-03-14",
            "capacity": "21",
            "review_notes": "Went well",
        },
    )
    assert response.status_code == 409
    typed = response.text.split('id="typed-plan"')[1].split("</div>")[0]
    assert "A goal typed too late" in typed and "21" in typed and "2026-03-01" in typed
    assert "Went well" in response.text  # the notes stay in their field


async def test_a_sprint_lasts_a_month_or_less(client, world):
    new = f"/initiatives/{world.initiative_id}/sprints/new"
    response = await client.post_form(
        new, {"start_date": "1900-01-01", "end_date": "2999-12-31", "goal": "Forever"}
    )
    assert response.status_code == 422
    assert "A sprint lasts at most 31 days" in response.text
    assert not await Sprint.exists().where(Sprint.goal == "Forever")
    response = await client.post_form(
        new, {"start_date": "2026-03-01", "end_date": "2026-04-01", "goal": "A month"}
    )
    assert response.status_code == 303
    sprint = (await Sprint.select().where(Sprint.goal == "A month"))[0]
    response = await client.post_form(
        f"/sprints/{sprint['id']}/edit",
        {"version": sprint["version"], "start_date": "2026-03-01", "end_date": "2026-04-02"},
    )
    assert response.status_code == 422 and "at most 31 days" in response.text
