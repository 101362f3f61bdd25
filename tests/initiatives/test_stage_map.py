"""The C&I stage map, a stage's page (status, key tasks, gate decisions and liaison
sign-offs) and their JSON API: what people see, what the database holds after,
who may do what."""

from __future__ import annotations

import asyncio

from backend import clock
from backend.initiatives import progress_services as progress
from backend.initiatives.tables import (
    DEFAULT_STAGE_TASKS,
    CIStage,
    GateDecision,
    GateSignOff,
    Initiative,
    StageProgress,
    StageTask,
)

EXPLORATION = 1  # index in world.stages: "Problem exploration", position 2
CURRENT = 3  # the world's initiative is at stage 4 (intervention selection)


def stage_url(world, index: int = EXPLORATION, suffix: str = "") -> str:
    return f"/initiatives/{world.initiative_id}/stages/{world.stages[index]['id']}{suffix}"


def map_url(world) -> str:
    return f"/initiatives/{world.initiative_id}/stage-map"


async def progress_rows(world, index: int = EXPLORATION) -> list[dict]:
    return await StageProgress.select().where(
        (StageProgress.initiative == world.initiative_id)
        & (StageProgress.stage == world.stages[index]["id"])
    )


async def tasks_of(world, index: int = EXPLORATION) -> list[dict]:
    return await (
        StageTask.select()
        .where(
            (StageTask.progress.initiative == world.initiative_id)
            & (StageTask.progress.stage == world.stages[index]["id"])
        )
        .order_by(StageTask.position)
        .order_by(StageTask.id)
    )


async def row_counts() -> tuple[int, ...]:
    return (
        await StageProgress.count(),
        await StageTask.count(),
        await GateDecision.count(),
        await GateSignOff.count(),
    )


# ---------------------------------------------------------------- the stage map


async def test_stage_map_lists_every_stage_in_order_with_current_and_cross_cutting_marked(
    client, world
):
    response = await client.get(map_url(world))
    assert response.status_code == 200
    text = response.text
    names = [s["name"] for s in world.stages]
    positions = [text.index(f"{i}. {name}</a></h2>") for i, name in enumerate(names, start=1)]
    assert positions == sorted(positions)
    # The current stage says so in words (not only by colour) and as the current step.
    current = world.stages[CURRENT]
    assert f'Current stage: <a href="/initiatives/{world.initiative_id}/stages/' in text
    assert f"4. {current['name']}</a>." in text
    assert text.count('aria-current="step"') == 1
    card = text[text.index(f'id="stage-{current["id"]}"') :]
    assert "Current stage</span>" in card[: card.index("</li>")]
    assert "Cross-cutting: revisited throughout" in text
    # Nobody has worked a stage yet: not started, with the default tasks counted.
    assert "0 of 6 done" in text and "(default tasks, not started)" in text
    assert "No gate decision yet" in text
    assert await row_counts() == (0, 0, 0, 0)


async def test_stage_map_shows_progress_several_active_stages_and_the_latest_gate(
    client, client_as, world
):
    await client.post_form(
        stage_url(world, EXPLORATION, "/tasks"), {"position": "1", "done": "on", "version": "1"}
    )
    await client.post_form(stage_url(world, 0, "/status"), {"status": "active", "version": "1"})
    await client.post_form(
        stage_url(world, EXPLORATION, "/status"), {"status": "active", "version": "1"}
    )
    await client.post_form(
        stage_url(world, EXPLORATION, "/gate"), {"decision": "hold", "notes": "x"}
    )
    decision = (await GateDecision.select(GateDecision.id))[0]["id"]
    liaison = await client_as(world.users["liaison"])
    signed = await liaison.post_form(f"/gate-decisions/{decision}/sign-off", {"comment": "Agreed"})
    assert signed.status_code == 303

    text = (await client.get(map_url(world))).text
    assert "2 stages being worked now" in text
    card = text[text.index(f'id="stage-{world.stages[EXPLORATION]["id"]}"') :]
    card = card[: card.index("</li>")]
    assert "1 of 6 done" in card
    assert clock.today().strftime("%-d %b %Y") in card  # started today
    assert "<strong>Not ready yet</strong>, decided by Agency Lead" in card
    assert "Signed off by a liaison." in card
    teaming = text[text.index(f'id="stage-{world.stages[0]["id"]}"') :]
    assert "Active" in teaming[: teaming.index("</li>")]


async def test_get_pages_and_api_reads_write_nothing(client, world):
    before = await row_counts()
    for url in (
        map_url(world),
        stage_url(world),
        stage_url(world, 0),
        f"/api/initiatives/{world.initiative_id}/stage-map",
    ):
        assert (await client.get(url)).status_code == 200
    assert await row_counts() == before == (0, 0, 0, 0)


# ---------------------------------------------------------------- a stage's page


async def test_a_stage_not_started_shows_its_default_tasks_unsaved(client, world):
    response = await client.get(stage_url(world))
    assert response.status_code == 200
    for title in DEFAULT_STAGE_TASKS[2]:
        assert title in response.text
    assert "0 of 6 key tasks done" in response.text
    assert "they are saved the first time someone ticks one" in response.text
    assert await StageProgress.count() == 0 and await StageTask.count() == 0


async def test_a_team_member_ticks_a_default_task_which_creates_the_stage_with_its_tasks(
    client_as, world
):
    member = await client_as(world.users["team_member"])
    response = await member.post_form(
        stage_url(world, EXPLORATION, "/tasks"),
        {"position": "2", "done": "on", "evidence_url": "", "evidence_note": "", "version": "1"},
    )
    assert response.status_code == 303
    assert response.headers["location"].endswith("#task-" + str((await tasks_of(world))[1]["id"]))
    rows = await progress_rows(world)
    assert len(rows) == 1 and rows[0]["status"] == "not_started" and rows[0]["version"] == 1
    tasks = await tasks_of(world)
    assert [t["title"] for t in tasks] == list(DEFAULT_STAGE_TASKS[2])
    assert [t["done"] for t in tasks] == [False, True, False, False, False, False]
    assert tasks[1]["done_at"] is not None
    page = await member.get(stage_url(world))
    assert "1 of 6 key tasks done" in page.text
    assert f'id="field-task-{tasks[1]["id"]}-done" checked' in page.text

    # Unticking clears the time it was done.
    assert tasks[1]["version"] == 2 and tasks[0]["version"] == 1
    await member.post_form(f"/stage-tasks/{tasks[1]['id']}", {"evidence_url": "", "version": "2"})
    assert (await tasks_of(world))[1]["done"] is False
    assert (await tasks_of(world))[1]["done_at"] is None


async def test_two_first_writes_at_once_create_the_stage_and_its_defaults_exactly_once(
    client, client_as, world
):
    member = await client_as(world.users["team_member"])
    responses = await asyncio.gather(
        client.post_form(stage_url(world, EXPLORATION, "/tasks"), {"title": "Lead's task"}),
        member.post_form(stage_url(world, EXPLORATION, "/tasks"), {"title": "Member's task"}),
        member.post_form(
            stage_url(world, EXPLORATION, "/tasks"), {"position": "1", "done": "on", "version": "1"}
        ),
    )
    assert [r.status_code for r in responses] == [303, 303, 303]
    assert len(await progress_rows(world)) == 1
    titles = [t["title"] for t in await tasks_of(world)]
    assert titles[:6] == list(DEFAULT_STAGE_TASKS[2])
    assert sorted(titles[6:]) == ["Lead's task", "Member's task"]
    assert (await tasks_of(world))[0]["done"] is True


async def test_adding_a_task_needs_a_title_and_keeps_what_was_typed(client, world):
    response = await client.post_form(stage_url(world, EXPLORATION, "/tasks"), {"title": " "})
    assert response.status_code == 422
    assert "<title>Error: Stage 2. Problem exploration" in response.text
    assert 'href="#field-title"' in response.text
    long = "x" * 201
    response = await client.post_form(stage_url(world, EXPLORATION, "/tasks"), {"title": long})
    assert response.status_code == 422 and long in response.text
    assert await row_counts() == (0, 0, 0, 0)


async def test_evidence_must_be_a_web_link_and_notes_are_rendered_as_safe_markdown(client, world):
    await client.post_form(stage_url(world, EXPLORATION, "/tasks"), {"title": "Extra"})
    task = (await tasks_of(world))[0]
    url = f"/stage-tasks/{task['id']}"
    for bad in (
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html,x",
        "ftp://x.org/a",
        "https://",
        "http://exa mple.org",
    ):
        response = await client.post_form(
            url, {"done": "on", "evidence_url": bad, "evidence_note": "kept note", "version": "1"}
        )
        assert response.status_code == 422, bad
        assert "Evidence link must be a web address starting with https://" in response.text
        assert f'href="#field-task-{task["id"]}-evidence_url"' in response.text
        assert "kept note" in response.text  # typed text comes back
        assert (await tasks_of(world))[0]["evidence_url"] == ""
        assert (await tasks_of(world))[0]["done"] is False
    response = await client.post_form(
        url,
        {
            "done": "on",
            "evidence_url": "https://drive.example.org/data-plan?v=2",
            "evidence_note": "**Shared** with the team <script>alert(1)</script>",
            "version": "1",
        },
    )
    assert response.status_code == 303
    saved = (await tasks_of(world))[0]
    assert saved["evidence_url"] == "https://drive.example.org/data-plan?v=2" and saved["done"]
    page = (await client.get(stage_url(world))).text
    assert 'href="https://drive.example.org/data-plan?v=2"' in page
    assert "<strong>Shared</strong>" in page
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page


async def test_a_task_saved_through_htmx_returns_only_the_task_list(client, world):
    await client.post_form(stage_url(world, EXPLORATION, "/tasks"), {"title": "Extra"})
    task = (await tasks_of(world))[2]
    headers = {"hx-request": "true"}
    response = await client.post_form(
        f"/stage-tasks/{task['id']}", {"done": "on", "version": "1"}, headers=headers
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="stage-tasks"')
    assert "<html" not in response.text
    assert "1 of 7 key tasks done" in response.text
    assert "Saved: Collect and analyse data, done" in response.headers["hx-trigger"]
    assert f"field-task-{task['id']}-done" in response.headers["hx-trigger-after-settle"]
    bad = await client.post_form(
        f"/stage-tasks/{task['id']}",
        {"done": "on", "evidence_url": "javascript:x", "version": "2"},
        headers=headers,
    )
    assert bad.status_code == 422 and "<html" not in bad.text
    assert 'aria-invalid="true"' in bad.text and "javascript:x" in bad.text


async def test_status_changes_record_dates_and_a_stale_status_is_refused(client_as, world):
    member = await client_as(world.users["team_member"])
    other = await client_as(world.users["scrum_master"])
    url = stage_url(world, EXPLORATION, "/status")
    assert (await member.post_form(url, {"status": "active", "version": "1"})).status_code == 303
    row = (await progress_rows(world))[0]
    assert row["status"] == "active" and row["started_on"] == clock.today()
    assert row["version"] == 2 and len(await tasks_of(world)) == 6

    # Someone who loaded the page before that change chose "done": 409, nothing saved.
    stale = await other.post_form(url, {"status": "done", "version": "1"})
    assert stale.status_code == 409
    assert "Someone else" in stale.text and "<title>Error:" in stale.text
    assert '<option value="done" selected>' in stale.text  # what they chose is kept
    assert 'name="version" value="2"' in stale.text  # saving again is a choice
    assert (await progress_rows(world))[0]["status"] == "active"

    assert (await other.post_form(url, {"status": "done", "version": "2"})).status_code == 303
    row = (await progress_rows(world))[0]
    assert row["status"] == "done" and row["done_on"] == clock.today()

    bad = await other.post_form(url, {"status": "finished", "version": "3"})
    assert bad.status_code == 422 and "Choose status from the list" in bad.text
    missing = await other.post_form(url, {"status": "active"})
    assert missing.status_code == 400
    assert (await progress_rows(world))[0]["status"] == "done"


async def test_a_first_status_change_against_a_stage_someone_just_started_is_stale(
    client, client_as, world
):
    """Two people on a not-started stage (version 1): the second write is refused."""
    member = await client_as(world.users["team_member"])
    url = stage_url(world, EXPLORATION, "/status")
    first, second = await asyncio.gather(
        client.post_form(url, {"status": "active", "version": "1"}),
        member.post_form(url, {"status": "revisiting", "version": "1"}),
    )
    assert sorted([first.status_code, second.status_code]) == [303, 409]
    assert len(await progress_rows(world)) == 1
    assert len(await tasks_of(world)) == 6


async def test_a_stale_key_task_edit_is_refused_and_keeps_what_was_typed(client, client_as, world):
    """DATA-01: two people edit one task's evidence; the second save, made from the
    version before the first, is a 409 that changes nothing and keeps the typing."""
    await client.post_form(stage_url(world, EXPLORATION, "/tasks"), {"title": "Extra"})
    task = (await tasks_of(world))[6]
    url = f"/stage-tasks/{task['id']}"
    member = await client_as(world.users["team_member"])
    first = await client.post_form(
        url, {"done": "on", "evidence_note": "Lead's minutes", "version": "1"}
    )
    assert first.status_code == 303
    assert (await tasks_of(world))[6]["version"] == 2

    stale = await member.post_form(
        url,
        {"evidence_url": "https://e.org/mine", "evidence_note": "Member's note", "version": "1"},
    )
    assert stale.status_code == 409
    text = stale.text
    assert "<title>Error: Stage 2. Problem exploration" in text
    assert "Someone else changed the key task “Extra” while you were editing it" in text
    assert "Someone else saved this key task while you were editing it" in text
    notice = text[text.index('id="conflict"') : text.index("</dl>", text.index('id="conflict"'))]
    assert "Lead&#39;s minutes" in notice or "Lead's minutes" in notice  # the saved values
    assert "Member&#39;s note</textarea>" in text  # the typed values stay in the form
    assert 'value="https://e.org/mine"' in text
    assert 'name="version" value="2"' in text  # saving again is a choice
    saved = (await tasks_of(world))[6]
    assert saved["evidence_note"] == "Lead's minutes" and saved["done"] is True
    assert saved["evidence_url"] == "" and saved["version"] == 2

    # A form that lost its version is refused outright.
    assert (await member.post_form(url, {"evidence_note": "x"})).status_code == 400
    again = await member.post_form(
        url,
        {"evidence_url": "https://e.org/mine", "evidence_note": "Member's note", "version": "2"},
    )
    assert again.status_code == 303
    saved = (await tasks_of(world))[6]
    assert saved["evidence_note"] == "Member's note" and saved["done"] is False
    assert saved["version"] == 3


async def test_a_stale_key_task_edit_through_htmx_says_so_in_the_task_list(client, world):
    await client.post_form(stage_url(world, EXPLORATION, "/tasks"), {"title": "Extra"})
    task = (await tasks_of(world))[6]
    url = f"/stage-tasks/{task['id']}"
    await client.post_form(url, {"done": "on", "version": "1"})
    headers = {"hx-request": "true"}
    stale = await client.post_form(
        url, {"evidence_note": "Typed late", "version": "1"}, headers=headers
    )
    assert stale.status_code == 409
    assert stale.text.lstrip().startswith('<div id="stage-tasks"') and "<html" not in stale.text
    assert 'id="conflict"' in stale.text and "Typed late</textarea>" in stale.text
    assert "Extra not saved: Someone else saved" in stale.headers["hx-trigger"]
    assert '"conflict"' in stale.headers["hx-trigger-after-settle"]
    saved = (await tasks_of(world))[6]
    assert saved["evidence_note"] == "" and saved["done"] is True and saved["version"] == 2


async def test_a_default_task_saved_by_someone_else_first_is_a_conflict(client, client_as, world):
    """Both loaded the stage before anyone worked it: the default tasks show version 1."""
    member = await client_as(world.users["team_member"])
    url = stage_url(world, EXPLORATION, "/tasks")
    page = (await member.get(stage_url(world))).text
    assert page.count('name="version" value="1"') >= 7  # six tasks and the status
    assert (
        await client.post_form(url, {"position": "2", "done": "on", "version": "1"})
    ).status_code == 303
    stale = await member.post_form(
        url, {"position": "2", "evidence_note": "Member's evidence", "version": "1"}
    )
    assert stale.status_code == 409
    task = (await tasks_of(world))[1]
    assert task["done"] is True and task["evidence_note"] == "" and task["version"] == 2
    # The typing lands in the form of the task that is now saved.
    assert f'id="field-task-{task["id"]}-evidence_note"' in stale.text
    assert "Member&#39;s evidence</textarea>" in stale.text
    # A default task nobody has touched is still at version 1: saving it works.
    fine = await member.post_form(url, {"position": "3", "done": "on", "version": "1"})
    assert fine.status_code == 303 and (await tasks_of(world))[2]["done"] is True


async def test_a_key_task_title_that_looks_like_personal_information_is_flagged(client, world):
    url = stage_url(world, EXPLORATION, "/tasks")
    title = "Call Ms Reyes on 617-555-0123"
    response = await client.post_form(url, {"title": title})
    assert response.status_code == 422
    assert "Key task looks like it contains a phone number" in response.text
    assert 'id="field-pii_confirmed"' in response.text and title in response.text
    assert await row_counts() == (0, 0, 0, 0)
    htmx = await client.post_form(url, {"title": title}, headers={"hx-request": "true"})
    assert htmx.status_code == 422 and 'id="field-pii_confirmed"' in htmx.text
    assert "Key task not added: Key task looks like" in htmx.headers["hx-trigger"]
    confirmed = await client.post_form(url, {"title": title, "pii_confirmed": "yes"})
    assert confirmed.status_code == 303
    assert (await tasks_of(world))[-1]["title"] == title


# ---------------------------------------------------------------- gates


async def test_gate_decisions_are_all_kept_newest_first_with_their_sign_offs(
    client, client_as, world
):
    url = stage_url(world, EXPLORATION, "/gate")
    assert (
        await client.post_form(url, {"decision": "hold", "notes": "First look"})
    ).status_code == 303
    first = (await GateDecision.select(GateDecision.id))[0]["id"]
    liaison = await client_as(world.users["liaison"])
    await liaison.post_form(f"/gate-decisions/{first}/sign-off", {"comment": "Seen *early*"})
    response = await client.post_form(url, {"decision": "revisit", "notes": "Second look"})
    assert response.status_code == 303 and "#decision-" in response.headers["location"]

    rows = await GateDecision.select().order_by(GateDecision.id)
    assert [r["decision"] for r in rows] == ["hold", "revisit"]
    assert all(r["decided_by"] == world.lead for r in rows)
    assert (await progress_rows(world))[0]["status"] == "revisiting"
    page = (await client.get(stage_url(world))).text
    assert page.index("Second look") < page.index("First look")
    assert "Revisit this stage</h4>" in page and "Not ready yet</h4>" in page
    assert "Signed off</strong> by Lia Liaison" in page and "<em>early</em>" in page
    assert page.count("No liaison sign-off yet.") == 1


async def test_hold_leaves_the_status_and_revisit_marks_the_stage_revisiting(client, world):
    url = stage_url(world, EXPLORATION)
    await client.post_form(url + "/status", {"status": "active", "version": "1"})
    await client.post_form(url + "/gate", {"decision": "hold"})
    assert (await progress_rows(world))[0]["status"] == "active"
    await client.post_form(url + "/gate", {"decision": "revisit"})
    row = (await progress_rows(world))[0]
    assert row["status"] == "revisiting" and row["version"] == 3


async def test_advance_at_the_current_stage_moves_the_initiative_to_the_next_stage(client, world):
    response = await client.post_form(stage_url(world, CURRENT, "/gate"), {"decision": "advance"})
    assert response.status_code == 303
    done = (await progress_rows(world, CURRENT))[0]
    assert done["status"] == "done" and done["done_on"] == clock.today()
    initiative = (await Initiative.select().where(Initiative.id == world.initiative_id))[0]
    assert initiative["current_stage"] == world.stages[CURRENT + 1]["id"]
    assert initiative["version"] == 2  # an edit form loaded before must not undo it
    following = (await progress_rows(world, CURRENT + 1))[0]
    assert following["status"] == "active" and following["started_on"] == clock.today()
    assert [t["title"] for t in await tasks_of(world, CURRENT + 1)] == list(DEFAULT_STAGE_TASKS[5])
    text = (await client.get(map_url(world))).text
    next_url = stage_url(world, CURRENT + 1)
    assert f'Current stage: <a href="{next_url}">5.' in text


async def test_advance_skips_cross_cutting_stages_and_elsewhere_leaves_the_current_stage(
    client, world
):
    await CIStage.update({CIStage.cross_cutting: True}).where(
        CIStage.id == world.stages[CURRENT + 1]["id"]
    )
    # Not the current stage: done, but the initiative stays where it is.
    await client.post_form(stage_url(world, EXPLORATION, "/gate"), {"decision": "advance"})
    assert (await progress_rows(world))[0]["status"] == "done"
    current = await Initiative.select(Initiative.current_stage).where(
        Initiative.id == world.initiative_id
    )
    assert current[0]["current_stage"] == world.stages[CURRENT]["id"]
    await client.post_form(stage_url(world, CURRENT, "/gate"), {"decision": "advance"})
    current = await Initiative.select(Initiative.current_stage).where(
        Initiative.id == world.initiative_id
    )
    assert current[0]["current_stage"] == world.stages[CURRENT + 2]["id"]
    assert await progress_rows(world, CURRENT + 1) == []


async def test_a_gate_decision_needs_a_decision_from_the_list(client, world):
    response = await client.post_form(
        stage_url(world, EXPLORATION, "/gate"), {"decision": "launch", "notes": "Typed notes"}
    )
    assert response.status_code == 422
    assert 'href="#field-decision"' in response.text and "Typed notes" in response.text
    assert await row_counts() == (0, 0, 0, 0)


async def test_gate_notes_that_look_like_personal_information_are_flagged_first(client, world):
    url = stage_url(world, EXPLORATION, "/gate")
    notes = "Call the father on 617-555-0123"
    response = await client.post_form(url, {"decision": "hold", "notes": notes})
    assert response.status_code == 422
    assert "Notes looks like it contains a phone number" in response.text
    assert 'id="field-pii_confirmed"' in response.text and notes in response.text
    assert await GateDecision.count() == 0
    confirmed = await client.post_form(
        url, {"decision": "hold", "notes": notes, "pii_confirmed": "yes"}
    )
    assert confirmed.status_code == 303
    assert (await GateDecision.select(GateDecision.notes))[0]["notes"] == notes


async def test_evidence_notes_and_sign_off_comments_are_checked_for_personal_information(
    client, client_as, world
):
    await client.post_form(stage_url(world, EXPLORATION, "/tasks"), {"title": "Extra"})
    task = (await tasks_of(world))[0]
    response = await client.post_form(
        f"/stage-tasks/{task['id']}",
        {"done": "on", "evidence_note": "DOB 03/04/2015", "version": "1"},
    )
    assert response.status_code == 422 and "a date of birth" in response.text
    assert f'href="#field-task-{task["id"]}-evidence_note"' in response.text
    assert response.text.count('id="field-pii_confirmed"') == 1
    assert (await tasks_of(world))[0]["evidence_note"] == ""

    await client.post_form(stage_url(world, EXPLORATION, "/gate"), {"decision": "hold"})
    decision = (await GateDecision.select(GateDecision.id))[0]["id"]
    liaison = await client_as(world.users["liaison"])
    refused = await liaison.post_form(
        f"/gate-decisions/{decision}/sign-off", {"comment": "Mail dad@example.com"}
    )
    assert refused.status_code == 422 and "an email address" in refused.text
    assert f'href="#field-signoff-{decision}-comment"' in refused.text
    assert await GateSignOff.count() == 0


# ---------------------------------------------------------------- who may do what


async def test_roles_on_the_stage_writes(client_as, world):
    """Team members work tasks and status; viewers and liaisons do not; only the agency
    lead decides a gate; only a liaison signs one off."""
    url = stage_url(world, EXPLORATION)
    member = await client_as(world.users["team_member"])
    viewer = await client_as(world.users["viewer"])
    liaison = await client_as(world.users["liaison"])
    owner = await client_as(world.users["product_owner"])
    lead = await client_as(world.lead)

    assert (
        await viewer.post_form(url + "/tasks", {"position": "1", "done": "on", "version": "1"})
    ).status_code == 403
    assert (
        await liaison.post_form(url + "/tasks", {"position": "1", "done": "on", "version": "1"})
    ).status_code == 403
    assert await row_counts() == (0, 0, 0, 0)
    assert (
        await member.post_form(url + "/tasks", {"position": "1", "done": "on", "version": "1"})
    ).status_code == 303
    task = (await tasks_of(world))[0]["id"]
    for person in (viewer, liaison):
        assert (await person.post_form(f"/stage-tasks/{task}", {})).status_code == 403
        assert (
            await person.post_form(url + "/status", {"status": "done", "version": "1"})
        ).status_code == 403
        assert (await person.post_form(url + "/gate", {"decision": "advance"})).status_code == 403
    assert (await tasks_of(world))[0]["done"] is True

    assert (await owner.post_form(url + "/gate", {"decision": "advance"})).status_code == 403
    assert (await member.post_form(url + "/gate", {"decision": "advance"})).status_code == 403
    assert await GateDecision.count() == 0
    assert (await lead.post_form(url + "/gate", {"decision": "hold"})).status_code == 303
    decision = (await GateDecision.select(GateDecision.id))[0]["id"]

    for person in (lead, member, viewer):
        response = await person.post_form(f"/gate-decisions/{decision}/sign-off", {"comment": "x"})
        assert response.status_code == 403
    response = await liaison.post_form(f"/gate-decisions/{decision}/sign-off", {"comment": "Fine"})
    assert response.status_code == 303
    rows = await GateSignOff.select()
    assert len(rows) == 1 and rows[0]["signed_by"] == world.users["liaison"]

    # Controls follow the role: the liaison sees the sign-off form, not the others.
    page = (await liaison.get(stage_url(world))).text
    assert "Record outcome<span" in page and "Record decision" not in page
    assert "Save status" not in page
    page = (await viewer.get(stage_url(world))).text
    assert "Record outcome<span" not in page and 'type="checkbox"' not in page
    page = (await owner.get(stage_url(world))).text
    assert "Record decision" not in page and "Save status" in page


async def test_another_agencys_stage_map_stages_and_rows_do_not_exist(client, client_as, world):
    await client.post_form(stage_url(world, EXPLORATION, "/tasks"), {"title": "Mine"})
    await client.post_form(stage_url(world, EXPLORATION, "/gate"), {"decision": "hold"})
    task = (await tasks_of(world))[0]["id"]
    decision = (await GateDecision.select(GateDecision.id))[0]["id"]
    before = await row_counts()
    outsider = await client_as(world.users["other_lead"])
    for url in (
        map_url(world),
        stage_url(world),
        f"/api/initiatives/{world.initiative_id}/stage-map",
    ):
        assert (await outsider.get(url)).status_code == 404
    assert (await outsider.post_form(f"/stage-tasks/{task}", {"done": "on"})).status_code == 404
    assert (
        await outsider.post_form(stage_url(world, EXPLORATION, "/tasks"), {"title": "x"})
    ).status_code == 404
    assert (await outsider.post_form(f"/gate-decisions/{decision}/sign-off", {})).status_code == 404

    # A stage of another agency under this initiative's path: not found, for anyone.
    foreign = await CIStage.select(CIStage.id).where(CIStage.agency == world.other_agency_id)
    mixed = f"/initiatives/{world.initiative_id}/stages/{foreign[0]['id']}"
    assert (await client.get(mixed)).status_code == 404
    assert (await client.post_form(mixed + "/tasks", {"title": "x"})).status_code == 404
    assert (await client.post_form(mixed + "/gate", {"decision": "hold"})).status_code == 404
    assert (
        await client.post_form(mixed + "/status", {"status": "active", "version": "1"})
    ).status_code == 404
    assert (
        await client.get(f"/initiatives/{world.initiative_id}/stages/999999")
    ).status_code == 404
    assert await row_counts() == before


# ---------------------------------------------------------------- PERF-01


async def _stage_map_queries(client, world, count_queries) -> tuple[int, int]:
    await client.get(map_url(world))  # warm: session touch and the like
    with count_queries() as counted:
        assert (await client.get(map_url(world))).status_code == 200
    with count_queries() as stage_counted:
        assert (await client.get(stage_url(world))).status_code == 200
    return counted.count, stage_counted.count


async def test_stage_map_and_stage_page_query_counts_do_not_grow_with_rows(
    client, world, count_queries
):
    await progress.add_task(world.initiative_id, world.stages[EXPLORATION], "One more")
    few = await _stage_map_queries(client, world, count_queries)
    for stage in world.stages:
        for n in range(8):
            await progress.add_task(world.initiative_id, stage, f"Task {n}")
        for decision in ("hold", "revisit", "hold"):
            made = await progress.decide_gate(world.initiative_id, stage, decision, "n", world.lead)
            await progress.sign_off(made, world.users["liaison"], "ok")
            await progress.sign_off(made, world.users["liaison"], "again")
    many = await _stage_map_queries(client, world, count_queries)
    assert await StageTask.count() > 50
    assert many == few


# ---------------------------------------------------------------- API


async def test_api_stage_map_gives_stages_tasks_and_decisions(client, client_as, world):
    await client.post_form(
        stage_url(world, EXPLORATION, "/tasks"), {"position": "1", "done": "on", "version": "1"}
    )
    await client.post_form(
        stage_url(world, EXPLORATION, "/gate"), {"decision": "hold", "notes": "N"}
    )
    decision = (await GateDecision.select(GateDecision.id))[0]["id"]
    liaison = await client_as(world.users["liaison"])
    await liaison.post_form(f"/gate-decisions/{decision}/sign-off", {"comment": "OK"})

    viewer = await client_as(world.users["viewer"])
    response = await viewer.get(f"/api/initiatives/{world.initiative_id}/stage-map")
    assert response.status_code == 200
    body = response.json()
    assert body["initiative_id"] == world.initiative_id
    assert body["current_stage_id"] == world.stages[CURRENT]["id"]
    assert [s["id"] for s in body["stages"]] == [s["id"] for s in world.stages]
    exploration = body["stages"][EXPLORATION]
    assert exploration["status"] == "not_started" and exploration["version"] == 1
    assert exploration["tasks_done"] == 1 and exploration["tasks_total"] == 6
    assert exploration["tasks"][0]["done"] is True and exploration["tasks"][0]["id"] is not None
    assert exploration["decisions"][0]["decision"] == "hold"
    assert exploration["decisions"][0]["label"] == "Not ready yet"
    assert exploration["decisions"][0]["sign_offs"][0]["comment"] == "OK"
    untouched = body["stages"][2]
    assert [t["id"] for t in untouched["tasks"]] == [None] * 5
    assert untouched["tasks"][0]["title"] == DEFAULT_STAGE_TASKS[3][0]
    assert body["stages"][CURRENT]["is_current"] and body["stages"][0]["cross_cutting"]


async def test_api_ticks_a_task_and_refuses_bad_evidence(client, client_as, world):
    await client.post_form(stage_url(world, EXPLORATION, "/tasks"), {"title": "Extra"})
    task = (await tasks_of(world))[0]["id"]
    url = f"/api/stage-tasks/{task}"
    member = await client_as(world.users["team_member"])
    response = await member.send_json(
        "POST", url, {"done": True, "evidence_url": "https://e.org/x", "version": 1}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["done"] is True and body["evidence_url"] == "https://e.org/x"
    assert body["stage_id"] == world.stages[EXPLORATION]["id"]
    saved = (await tasks_of(world))[0]
    assert saved["done"] and saved["done_at"] is not None

    # Only the keys sent change.
    response = await member.send_json(
        "POST", url, {"evidence_note": "Minutes of 3 March", "version": 2}
    )
    assert response.status_code == 200 and response.json()["done"] is True
    assert response.json()["version"] == 3

    bad = await member.send_json("POST", url, {"evidence_url": "javascript:alert(1)", "version": 3})
    assert bad.status_code == 422
    assert "evidence_url" in bad.json()["errors"]
    wrong_type = await member.send_json("POST", url, {"done": "maybe"})
    assert wrong_type.status_code in (400, 422)
    pii = await member.send_json("POST", url, {"evidence_note": "SSN 123-45-6789", "version": 3})
    assert pii.status_code == 422 and "pii_confirmed" in pii.json()["errors"]["evidence_note"]
    assert (await tasks_of(world))[0]["evidence_note"] == "Minutes of 3 March"
    ok = await member.send_json(
        "POST", url, {"evidence_note": "SSN 123-45-6789", "pii_confirmed": True, "version": 3}
    )
    assert ok.status_code == 200

    for who in ("viewer", "liaison"):
        person = await client_as(world.users[who])
        assert (await person.send_json("POST", url, {"done": False})).status_code == 403
    outsider = await client_as(world.users["other_lead"])
    assert (await outsider.send_json("POST", url, {"done": False})).status_code == 404
    # A browser session without the CSRF header is refused.
    no_csrf = await member.post(url, json={"done": False})
    assert no_csrf.status_code == 403
    assert (await tasks_of(world))[0]["done"] is True
    assert (await member.send_json("POST", "/api/stage-tasks/999999", {})).status_code == 404


async def test_api_a_stale_task_version_is_a_conflict_with_the_task_as_saved(client, world):
    await client.post_form(stage_url(world, EXPLORATION, "/tasks"), {"title": "Extra"})
    task = (await tasks_of(world))[6]["id"]
    url = f"/api/stage-tasks/{task}"
    first = await client.send_json("POST", url, {"evidence_note": "First", "version": 1})
    assert first.status_code == 200 and first.json()["version"] == 2

    stale = await client.send_json("POST", url, {"evidence_note": "Second", "version": 1})
    assert stale.status_code == 409
    body = stale.json()
    assert "Someone else saved this key task" in body["detail"]
    assert body["current"]["id"] == task and body["current"]["version"] == 2
    assert body["current"]["evidence_note"] == "First"
    saved = (await tasks_of(world))[6]
    assert saved["evidence_note"] == "First" and saved["version"] == 2
    # Stale with nothing to change still says so.
    assert (await client.send_json("POST", url, {"version": 1})).status_code == 409

    # Evidence without a version is refused; ticking done alone needs none.
    missing = await client.send_json("POST", url, {"evidence_url": "https://e.org/x"})
    assert missing.status_code == 422 and "version" in missing.json()["errors"]
    assert (await tasks_of(world))[6]["evidence_url"] == ""
    ticked = await client.send_json("POST", url, {"done": True})
    assert ticked.status_code == 200 and ticked.json()["done"] is True
    assert ticked.json()["version"] == 3
    # ...and a tick that does carry a version is checked.
    assert (await client.send_json("POST", url, {"done": False, "version": 2})).status_code == 409
    assert (await tasks_of(world))[6]["done"] is True

    stage_map = await client.get(f"/api/initiatives/{world.initiative_id}/stage-map")
    tasks = stage_map.json()["stages"][EXPLORATION]["tasks"]
    assert tasks[6]["version"] == 3 and tasks[0]["version"] == 1
    untouched = stage_map.json()["stages"][2]["tasks"]
    assert {t["version"] for t in untouched} == {1}


async def test_api_stage_map_query_count_does_not_grow(client, world, count_queries):
    url = f"/api/initiatives/{world.initiative_id}/stage-map"
    await client.get(url)
    with count_queries() as few:
        await client.get(url)
    for stage in world.stages:
        for n in range(6):
            await progress.add_task(world.initiative_id, stage, f"Task {n}")
        made = await progress.decide_gate(world.initiative_id, stage, "hold", "", world.lead)
        await progress.sign_off(made, world.users["liaison"], "ok")
    with count_queries() as many:
        assert (await client.get(url)).status_code == 200
    assert many.count == few.count
