"""Story pages: create, view and edit a backlog item; blockers, history, conflicts, bad input."""

from __future__ import annotations

import re

from backend.initiatives.tables import CIStage
from backend.scrum import services as scrum
from backend.scrum.tables import BacklogItem, ItemBlock, ItemHistory
from tests.factories import make_items


def new_url(world) -> str:
    return f"/initiatives/{world.initiative_id}/items/new"


async def ranked_ids(initiative_id: int) -> list[int]:
    rows = (
        await BacklogItem.select(BacklogItem.id)
        .where(BacklogItem.initiative == initiative_id)
        .order_by(BacklogItem.rank)
    )
    return [r["id"] for r in rows]


async def foreign_stage(world) -> int:
    rows = await CIStage.select(CIStage.id).where(CIStage.agency == world.other_agency_id)
    return rows[0]["id"]


def item_id_from(location: str) -> int:
    match = re.fullmatch(r"/items/(\d+)", location)
    assert match, location
    return int(match.group(1))


def edit_form(item: dict, **changes) -> dict:
    """What the edit form would post for `item`, with some fields changed."""
    form = {
        "title": item["title"],
        "kind": item["kind"],
        "narrative": item["narrative"],
        "acceptance_criteria": item["acceptance_criteria"],
        "estimate": "" if item["estimate"] is None else item["estimate"],
        "stage": item["stage"] or "",
        "sprint": item["sprint"] or "",
        "status": item["status"],
        "assignee_name": item["assignee_name"],
        "blocked_by": "",
        "version": item["version"],
    }
    form.update(changes)
    return form


# ---------------------------------------------------------------- create


async def test_new_story_form_has_labelled_fields(client, world):
    page = await client.get(new_url(world))
    assert page.status_code == 200
    assert "<title>New story" in page.text
    for name in ("title", "kind", "narrative", "acceptance_criteria", "estimate", "stage"):
        assert f'<label for="field-{name}">' in page.text and f'id="field-{name}"' in page.text
    assert 'for="field-blocked_by"' in page.text and 'id="field-at_top"' in page.text
    assert "Intervention selection and design/adaptation" in page.text


async def test_creating_a_story_puts_it_at_the_bottom_and_shows_it(client, world):
    first, second = await make_items(world.initiative_id, 2)
    stage = world.stages[1]["id"]
    sprint = await scrum.create_sprint(world.initiative_id, {})
    response = await client.post_form(
        new_url(world),
        {
            "title": "Interview fathers about case planning",
            "kind": "spike",
            "narrative": "As a worker, I want **father** voices",
            "acceptance_criteria": "- ten interviews\n- themes written up",
            "estimate": "5",
            "stage": stage,
            "sprint": sprint,
            "assignee_name": "Rosa",
            "blocked_by": f"#{first}, {second}",
        },
    )
    assert response.status_code == 303
    item_id = item_id_from(response.headers["location"])
    item = await scrum.get_item(item_id)
    assert (item["title"], item["kind"], item["estimate"]) == (
        "Interview fathers about case planning",
        "spike",
        5,
    )
    assert (item["stage"], item["sprint"], item["assignee_name"]) == (stage, sprint, "Rosa")
    assert item["status"] == world.todo and item["initiative"] == world.initiative_id
    assert await ranked_ids(world.initiative_id) == [first, second, item_id]
    blockers = await ItemBlock.select(ItemBlock.blocker).where(ItemBlock.item == item_id)
    assert sorted(b["blocker"] for b in blockers) == [first, second]
    page = await client.get(response.headers["location"])
    assert "Interview fathers about case planning" in page.text
    assert "<strong>father</strong>" in page.text and "<li>ten interviews</li>" in page.text
    backlog = await client.get(f"/initiatives/{world.initiative_id}/backlog")
    assert f'<a href="/items/{item_id}">Interview fathers about case planning</a>' in backlog.text


async def test_a_story_can_be_added_at_the_top_of_the_backlog(client, world):
    existing = await make_items(world.initiative_id, 2)
    response = await client.post_form(new_url(world), {"title": "Urgent", "at_top": "on"})
    item_id = item_id_from(response.headers["location"])
    assert await ranked_ids(world.initiative_id) == [item_id, *existing]


async def test_story_without_title_shows_errors_and_keeps_what_was_typed(client, world):
    response = await client.post_form(
        new_url(world),
        {"title": "  ", "narrative": "Typed and kept", "estimate": "3", "at_top": "on"},
    )
    assert response.status_code == 422
    assert "<title>Error: New story" in response.text
    assert 'id="error-summary"' in response.text
    assert '<a href="#field-title">Enter title</a>' in response.text
    assert (
        'aria-invalid="true"' in response.text and 'aria-describedby="error-title"' in response.text
    )
    assert "Typed and kept" in response.text and 'value="3"' in response.text
    assert 'id="field-at_top" name="at_top" checked' in response.text
    assert await BacklogItem.count() == 0


async def test_too_long_titles_are_refused_not_crashed(client, world):
    long = await client.post_form(new_url(world), {"title": "x" * 300})
    assert long.status_code == 422
    assert "Title must be 200 characters or fewer" in long.text
    assert "x" * 300 in long.text  # kept so it can be shortened
    huge = await client.post_form(new_url(world), {"title": "y" * 10_000_000})
    # Litestar refuses bodies over its limit (413); anything smaller is a form error.
    assert huge.status_code in (413, 422)
    assert await BacklogItem.count() == 0
    just_under = await client.post_form(new_url(world), {"title": "z" * 5_000_000})
    assert just_under.status_code == 422
    assert await BacklogItem.count() == 0


async def test_bad_estimates_are_refused_with_messages(client, world):
    for typed, message in (
        ("-1", "Estimate must be 0 or more"),
        ("lots", "Estimate must be a whole number"),
        ("2.5", "Estimate must be a whole number"),
        ("1000", "Estimate must be 100 or less"),
    ):
        response = await client.post_form(new_url(world), {"title": "Ok", "estimate": typed})
        assert response.status_code == 422, typed
        assert message in response.text and f'value="{typed}"' in response.text
    assert await BacklogItem.count() == 0


async def test_unknown_or_foreign_stage_and_sprint_are_refused(client, world):
    foreign_sprint = await scrum.create_sprint(world.other_initiative_id, {})
    cases = [
        ({"stage": "999999"}, "Choose a C&amp;I stage from the list"),
        ({"stage": await foreign_stage(world)}, "Choose a C&amp;I stage from the list"),
        ({"stage": "four"}, "C&amp;I stage must be a whole number"),
        ({"sprint": foreign_sprint}, "Choose a sprint of this initiative"),
        ({"sprint": "999999"}, "Choose a sprint of this initiative"),
        ({"kind": "epic"}, "Choose kind from the list"),
    ]
    for fields, message in cases:
        response = await client.post_form(new_url(world), {"title": "Sneaky", **fields})
        assert response.status_code == 422, fields
        assert message in response.text, fields
        assert "<title>Error: New story" in response.text
    assert await BacklogItem.count() == 0


async def test_creating_a_story_blocked_by_a_foreign_item_creates_nothing(client, world):
    (foreign,) = await make_items(world.other_initiative_id, 1)
    response = await client.post_form(
        new_url(world), {"title": "Blocked elsewhere", "blocked_by": f"#{foreign}"}
    )
    assert response.status_code == 422
    assert f"Items not in this initiative: {foreign}" in response.text
    assert not await BacklogItem.exists().where(BacklogItem.title == "Blocked elsewhere")


async def test_new_story_for_an_unknown_initiative_is_not_found(client, world):
    assert (await client.get("/initiatives/999999/items/new")).status_code == 404
    response = await client.post_form("/initiatives/999999/items/new", {"title": "Lost"})
    assert response.status_code == 404
    assert await BacklogItem.count() == 0


# ---------------------------------------------------------------- view


async def test_story_page_shows_everything_about_the_story(client, world):
    sprint = await scrum.create_sprint(world.initiative_id, {})
    blocker_done, blocker_open, story, waiting = await make_items(world.initiative_id, 4)
    await scrum.update_item(
        story,
        1,
        {
            "title": "Coach supervisors",
            "narrative": "Supervisors *model* partnership",
            "acceptance_criteria": "1. observed twice",
            "stage": world.stages[4]["id"],
            "assignee_name": "Dana Lee",
        },
    )
    await scrum.assign_sprint(world.initiative_id, [story], sprint)
    await scrum.set_estimate(story, 8)
    await scrum.move_item(story, world.in_progress)
    await scrum.set_blockers(story, [blocker_done, blocker_open])
    await scrum.set_blockers(waiting, [story])
    await scrum.move_item(blocker_done, world.done)

    page = await client.get(f"/items/{story}")

    assert page.status_code == 200
    text = page.text
    assert f"<title>Story #{story}: Coach supervisors" in text
    assert "Supervisors <em>model</em> partnership" in text
    assert "<li>observed twice</li>" in text
    assert "5. Implementation planning and capacity building" in text
    assert "8 points" in text and "Dana Lee" in text and "In progress" in text
    assert "Sprint 1" in text and "(planned)" in text
    blocked = text.split('id="blockers-h"')[1]
    assert f'href="/items/{blocker_done}">Story #{blocker_done}: Story 1</a>' in blocked
    assert 'tag--done">Done' in blocked and "Not done (To do)" in blocked
    assert f'href="/items/{waiting}"' in blocked
    assert "Blocked</span> by 1 unfinished item" in text
    history = text.split('id="history-h"')[1]
    for label in ("Created", "Added to a sprint", "Estimate changed", "Moved on the board"):
        assert label in history
    assert f'href="/items/{story}/edit"' in text
    assert 'aria-current="page">Backlog' in text


async def test_story_text_is_rendered_inert(client, world):
    """SEC-12: script tags, javascript: links and onerror handlers never come back live."""
    hostile = {
        "title": "<script>alert('title')</script>",
        "narrative": (
            "<script>alert(1)</script>\n\n[click me](javascript:alert(2))\n\n"
            '<img src=x onerror="alert(3)">\n\n<a href="javascript:alert(4)">raw</a>'
        ),
        "acceptance_criteria": "![x](javascript:alert(5))\n\n<iframe src=//evil.example>",
    }
    response = await client.post_form(new_url(world), hostile)
    assert response.status_code == 303
    page = await client.get(response.headers["location"])
    text = page.text
    assert "<script>alert" not in text and "&lt;script&gt;alert" in text
    assert not re.search(r"<img[^>]*onerror", text)
    assert "<iframe" not in text
    # Unsafe links stay as plain text: no live href or src with javascript:.
    assert not re.search(r'(href|src)="\s*javascript:', text, re.IGNORECASE)
    assert "[click me](javascript:alert(2))" in text
    edit = await client.get(f"{response.headers['location']}/edit")
    assert "<script>alert" not in edit.text
    backlog = await client.get(f"/initiatives/{world.initiative_id}/backlog")
    assert "<script>alert('title')" not in backlog.text


async def test_headings_in_story_text_never_break_the_page_heading_order(client, world):
    form = {"title": "Headed", "narrative": "# Why\n\nBecause\n\n## Detail\n\nMore"}
    response = await client.post_form(new_url(world), form)
    page = (await client.get(response.headers["location"])).text
    levels = [int(n) for n in re.findall(r"<h([1-6])[ >]", page)]
    assert levels.count(1) == 1  # only the page's own h1
    assert "<h3>Why</h3>" in page and "<h4>Detail</h4>" in page
    # No heading skips more than one level down from the one before it.
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False))


async def test_unknown_story_is_not_found(client, world):
    for url in ("/items/999999", "/items/999999/edit"):
        assert (await client.get(url)).status_code == 404
    response = await client.post_form("/items/999999/edit", {"title": "x", "version": 1})
    assert response.status_code == 404


# ---------------------------------------------------------------- edit


async def test_editing_a_story_saves_it_and_bumps_its_version(client, world):
    (a,) = await make_items(world.initiative_id, 1)
    page = await client.get(f"/items/{a}/edit")
    assert page.status_code == 200
    assert "<title>Edit story #" in page.text
    assert '<input type="hidden" name="version" value="1">' in page.text
    assert 'value="Story 1"' in page.text
    item = await scrum.get_item(a)
    response = await client.post_form(
        f"/items/{a}/edit",
        edit_form(item, title="Renamed", estimate="13", status=world.in_progress, kind="task"),
    )
    assert response.status_code == 303 and response.headers["location"] == f"/items/{a}"
    saved = await scrum.get_item(a)
    assert (saved["title"], saved["estimate"], saved["status"], saved["kind"]) == (
        "Renamed",
        13,
        world.in_progress,
        "task",
    )
    assert saved["version"] == 2


async def test_a_stale_edit_gets_409_and_the_first_edit_survives(client, world):
    """DATA-01: two people edit the same story from version 1."""
    (a,) = await make_items(world.initiative_id, 1)
    item = await scrum.get_item(a)
    first = await client.post_form(
        f"/items/{a}/edit", edit_form(item, title="First person's title", estimate="5")
    )
    assert first.status_code == 303
    second = await client.post_form(
        f"/items/{a}/edit",
        edit_form(item, title="Second person's title", narrative="Second narrative"),
    )
    assert second.status_code == 409
    text = second.text
    assert "Someone else changed this story while you were editing it" in text
    assert "<title>Error: Edit story" in text
    saved_panel = text.split('id="conflict"')[1].split("</div>")[0]
    assert "First person&#39;s title" in saved_panel and "5 points" in saved_panel
    form = next(part for part in text.split("<form") if f'action="/items/{a}/edit"' in part)
    assert 'value="Second person&#39;s title"' in form and "Second narrative" in form
    # Saving again from this page knowingly replaces the saved version.
    assert '<input type="hidden" name="version" value="2">' in form
    saved = await scrum.get_item(a)
    assert (saved["title"], saved["estimate"], saved["version"]) == ("First person's title", 5, 2)
    again = await client.post_form(
        f"/items/{a}/edit", edit_form(saved, title="Second person's title")
    )
    assert again.status_code == 303
    assert (await scrum.get_item(a))["title"] == "Second person's title"


async def test_edit_form_errors_keep_the_version_edited_from(client, world):
    (a,) = await make_items(world.initiative_id, 1)
    item = await scrum.get_item(a)
    response = await client.post_form(f"/items/{a}/edit", edit_form(item, title="", estimate="-4"))
    assert response.status_code == 422
    assert '<a href="#field-title">Enter title</a>' in response.text
    assert '<a href="#field-estimate">Estimate must be 0 or more</a>' in response.text
    assert 'value="-4"' in response.text
    assert '<input type="hidden" name="version" value="1">' in response.text
    assert (await scrum.get_item(a))["title"] == "Story 1"


async def test_blockers_are_edited_on_the_story_form(client, world):
    a, b, c = await make_items(world.initiative_id, 3)
    item = await scrum.get_item(a)
    response = await client.post_form(f"/items/{a}/edit", edit_form(item, blocked_by=f"#{b}; #{c}"))
    assert response.status_code == 303
    rows = await ItemBlock.select(ItemBlock.blocker).where(ItemBlock.item == a)
    assert sorted(r["blocker"] for r in rows) == [b, c]
    page = await client.get(f"/items/{a}/edit")
    assert f'value="#{b}, #{c}"' in page.text
    item = await scrum.get_item(a)
    await client.post_form(f"/items/{a}/edit", edit_form(item, blocked_by=""))
    assert await ItemBlock.count().where(ItemBlock.item == a) == 0


async def test_bad_blockers_are_refused_and_nothing_is_saved(client, world):
    a, b = await make_items(world.initiative_id, 2)
    (foreign,) = await make_items(world.other_initiative_id, 1)
    await scrum.set_blockers(a, [b])
    cases = [
        ("#999999", "Items not in this initiative: 999999"),
        (f"#{foreign}", f"Items not in this initiative: {foreign}"),
        ("#12 and #15", "Blocked by must be item numbers like #12, #15"),
        ("#²", "Blocked by must be item numbers like #12, #15"),
        (f"#{a}", "cannot block itself"),
    ]
    for typed, message in cases:
        item = await scrum.get_item(a)
        response = await client.post_form(
            f"/items/{a}/edit", edit_form(item, title="Should not stick", blocked_by=typed)
        )
        assert response.status_code == 422, typed
        assert message in response.text and f'value="{typed}"' in response.text
        assert 'href="#field-blocked_by"' in response.text
        saved = await scrum.get_item(a)
        assert saved["title"] == "Story 1" and saved["version"] == 1
        rows = await ItemBlock.select(ItemBlock.blocker).where(ItemBlock.item == a)
        assert [r["blocker"] for r in rows] == [b]


async def test_editing_with_a_foreign_sprint_or_stage_is_refused(client, world):
    (a,) = await make_items(world.initiative_id, 1)
    foreign_sprint = await scrum.create_sprint(world.other_initiative_id, {})
    item = await scrum.get_item(a)
    for changes, message in (
        ({"sprint": foreign_sprint}, "Choose a sprint of this initiative"),
        ({"stage": await foreign_stage(world)}, "Choose a C&amp;I stage from the list"),
        ({"status": world.other_columns[0]["id"]}, "Choose a status from the board"),
    ):
        response = await client.post_form(f"/items/{a}/edit", edit_form(item, **changes))
        assert response.status_code == 422, changes
        assert message in response.text
    saved = await scrum.get_item(a)
    assert (saved["sprint"], saved["stage"], saved["version"]) == (None, None, 1)


async def test_a_story_finished_in_a_closed_sprint_can_still_be_edited(client, world):
    (a,) = await make_items(world.initiative_id, 1)
    sprint = await scrum.create_sprint(world.initiative_id, {})
    await scrum.assign_sprint(world.initiative_id, [a], sprint)
    await scrum.start_sprint(sprint)
    await scrum.move_item(a, world.done)
    await scrum.complete_sprint(sprint, "backlog")
    page = await client.get(f"/items/{a}/edit")
    assert f'<option value="{sprint}" selected>Sprint 1 (closed)</option>' in page.text
    item = await scrum.get_item(a)
    response = await client.post_form(
        f"/items/{a}/edit", edit_form(item, narrative="What we learned")
    )
    assert response.status_code == 303
    saved = await scrum.get_item(a)
    assert (saved["narrative"], saved["sprint"]) == ("What we learned", sprint)


async def test_edit_without_a_version_is_a_bad_request(client, world):
    (a,) = await make_items(world.initiative_id, 1)
    item = await scrum.get_item(a)
    form = edit_form(item, title="No version")
    del form["version"]
    response = await client.post_form(f"/items/{a}/edit", form)
    assert response.status_code == 400
    assert (await scrum.get_item(a))["title"] == "Story 1"


async def test_editing_records_sprint_and_estimate_changes_in_history(client, world):
    (a,) = await make_items(world.initiative_id, 1)
    sprint = await scrum.create_sprint(world.initiative_id, {})
    item = await scrum.get_item(a)
    await client.post_form(f"/items/{a}/edit", edit_form(item, sprint=sprint, estimate="8"))
    rows = (
        await ItemHistory.select(ItemHistory.change, ItemHistory.sprint, ItemHistory.estimate)
        .where(ItemHistory.item == a)
        .order_by(ItemHistory.id)
    )
    assert [(r["change"], r["sprint"], r["estimate"]) for r in rows] == [
        ("created", None, 3),
        ("edited", sprint, 8),
    ]
    page = await client.get(f"/items/{a}")
    assert "Edited" in page.text.split('id="history-h"')[1]


async def blockers(item_id: int) -> list[int]:
    rows = await ItemBlock.select(ItemBlock.blocker).where(ItemBlock.item == item_id)
    return sorted(r["blocker"] for r in rows)


async def test_repeated_fields_are_refused_and_never_clear_blockers(client, world):
    a, b, c = await make_items(world.initiative_id, 3)
    await scrum.set_blockers(a, [b])
    item = await scrum.get_item(a)
    for repeated in ({"kind": ["story", "task"]}, {"blocked_by": [f"#{b}", f"#{c}"]}):
        response = await client.post_form(f"/items/{a}/edit", edit_form(item, **repeated))
        assert response.status_code == 422, repeated
    assert await blockers(a) == [b]
    created = await client.post_form(
        new_url(world), {"title": "Two kinds", "kind": ["story", "bug"]}
    )
    assert created.status_code == 422 and "Choose kind from the list" in created.text


async def test_items_cannot_block_each_other_in_a_cycle(client, world):
    a, b, c = await make_items(world.initiative_id, 3)
    await scrum.set_blockers(b, [a])  # b waits for a
    await scrum.set_blockers(c, [b])  # c waits for b
    item = await scrum.get_item(a)
    response = await client.post_form(f"/items/{a}/edit", edit_form(item, blocked_by=f"#{c}"))
    assert response.status_code == 422
    assert f"#{c} already waits for #{a}" in response.text
    assert await blockers(a) == []
    assert (await scrum.get_item(a))["version"] == item["version"]  # nothing saved
