"""The versioned problem statement, built from the root causes."""

from __future__ import annotations

import asyncio

from backend.exploration import services
from backend.exploration.tables import ProblemStatement, ProblemStatementFinding
from tests.exploration.helpers import finding, statements, text_of


async def _built_from(statement_id: int) -> list[int]:
    rows = await (
        ProblemStatementFinding.select(ProblemStatementFinding.finding)
        .where(ProblemStatementFinding.statement == statement_id)
        .order_by(ProblemStatementFinding.finding)
    )
    return [r["finding"] for r in rows]


async def test_before_the_first_version_the_form_holds_a_draft_from_every_root_cause(client, world):
    a = await finding(
        world.initiative_id, "Fathers are not invited", kind="root_cause", segment="Fathers"
    )
    b = await finding(world.initiative_id, "**No** written behaviours", kind="root_cause")
    observation = await finding(world.initiative_id, "Mothers feel heard")
    page = await client.get(f"/initiatives/{world.initiative_id}/problem-statement")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "No problem statement yet" in text
    assert "- Fathers are not invited (Fathers)" in page.text
    assert "- No written behaviours" in page.text
    assert "Drafted from the chosen root causes" in text
    # Only root causes can be chosen, all ticked for the first draft.
    assert f'value="{a}" id="findings-{a}" checked' in page.text
    assert f'value="{b}" id="findings-{b}" checked' in page.text
    assert f'id="findings-{observation}"' not in page.text
    assert "Save as version 1" in text


async def test_saving_versions_never_changes_an_earlier_one(client, world):
    a = await finding(world.initiative_id, "Fathers are not invited", kind="root_cause")
    b = await finding(world.initiative_id, "No written behaviours", kind="root_cause")
    url = f"/initiatives/{world.initiative_id}/problem-statement"
    response = await client.post_form(
        url, {"text": "Version *one* of the problem", "findings": [str(a)], "action": "save"}
    )
    assert response.status_code == 303 and response.headers["location"] == url
    v1 = (await statements(world.initiative_id))[0]
    before = dict(v1)
    response = await client.post_form(
        url, {"text": "Version two", "findings": [str(a), str(b)], "action": "save"}
    )
    assert response.status_code == 303
    rows = await statements(world.initiative_id)
    assert [r["number"] for r in rows] == [1, 2]
    assert rows[0] == before  # v1 untouched
    assert rows[1]["created_by"] == world.lead
    assert await _built_from(rows[0]["id"]) == [a]
    assert await _built_from(rows[1]["id"]) == sorted([a, b])

    page = await client.get(url)
    text = text_of(page.text)
    assert "Version 2" in text and "This is the current version" in text
    assert "Version two" in text and "Save as version 3" in text
    assert f'href="{url}/1"' in page.text and f'href="{url}/2"' in page.text
    assert "Agency Lead" in text  # the author of each version

    old = await client.get(f"{url}/1")
    assert old.status_code == 200
    text = text_of(old.text)
    assert "<em>one</em>" in old.text and "earlier version, kept as it was" in text
    assert "Fathers are not invited" in text and "No written behaviours" not in text
    current = await client.get(f"{url}/2")
    assert "This is the current version" in current.text
    assert (await client.get(f"{url}/3")).status_code == 404
    assert (await client.get(f"{url}/0")).status_code == 404
    assert (await client.get(f"{url}/99999999999")).status_code == 404


async def test_draft_button_assembles_a_text_from_the_chosen_root_causes(client, world):
    a = await finding(world.initiative_id, "Fathers are not invited", kind="root_cause")
    b = await finding(world.initiative_id, "Caseloads are high", kind="root_cause")
    url = f"/initiatives/{world.initiative_id}/problem-statement"
    response = await client.post_form(url, {"text": "", "findings": [str(b)], "action": "draft"})
    assert response.status_code == 200
    assert "- Caseloads are high" in response.text
    assert "Fathers are not invited\n" not in response.text.split('name="text"')[1]
    assert f'value="{b}" id="findings-{b}" checked' in response.text
    assert f'value="{a}" id="findings-{a}" checked' not in response.text
    assert await ProblemStatement.count() == 0  # a draft saves nothing
    response = await client.post_form(url, {"text": "", "action": "draft"})
    assert response.status_code == 422
    assert "Choose at least one root cause" in response.text


async def test_bad_statements_are_refused_and_keep_the_text(client, world):
    observation = await finding(world.initiative_id, "An observation")
    theirs = await finding(world.other_initiative_id, "Theirs", kind="root_cause")
    cause = await finding(world.initiative_id, "A root cause", kind="root_cause")
    url = f"/initiatives/{world.initiative_id}/problem-statement"
    for data, message in (
        ({"text": "", "findings": [str(cause)]}, "Enter problem statement"),
        ({"text": "Kept text", "findings": [str(observation)]}, "Choose root causes of this"),
        ({"text": "Kept text", "findings": [str(theirs)]}, "Choose root causes of this"),
        ({"text": "Kept text", "findings": ["abc"]}, "Choose root causes from the list"),
        ({"text": "x" * 20_001}, "20,000 characters or fewer"),
    ):
        response = await client.post_form(url, {**data, "action": "save"})
        assert response.status_code == 422, data
        assert message in response.text, data
        assert "<title>Error:" in response.text
        if data["text"] == "Kept text":
            assert "Kept text</textarea>" in response.text
    assert await ProblemStatement.count() == 0


async def test_concurrent_saves_take_different_numbers(client, client_as, world):
    """Two people save at the same moment: both versions are kept, numbered 1 and 2
    (PostgreSQL runs the two writes concurrently; the initiative's row lock orders them)."""
    other = await client_as(world.users["team_member"])
    url = f"/initiatives/{world.initiative_id}/problem-statement"
    results = await asyncio.gather(
        client.post_form(url, {"text": "From the lead", "action": "save"}),
        other.post_form(url, {"text": "From a team member", "action": "save"}),
        *(client.post_form(url, {"text": f"More {n}", "action": "save"}) for n in range(4)),
    )
    assert all(r.status_code in (303, 409) for r in results), [r.status_code for r in results]
    rows = await statements(world.initiative_id)
    assert [r["number"] for r in rows] == list(range(1, len(rows) + 1))
    assert len(rows) == sum(r.status_code == 303 for r in results)


async def test_a_duplicate_number_is_retried_not_a_server_error(world, monkeypatch):
    """Should two writers ever read the same highest number, the unique index refuses
    the second insert and the save is tried again with the next number."""
    await services.save_problem_statement(world.initiative_id, "One", [], None)
    calls = {"n": 0}
    real = services._next_number

    async def stale_once(table, initiative_id):
        calls["n"] += 1
        return 1 if calls["n"] == 1 else await real(table, initiative_id)

    monkeypatch.setattr(services, "_next_number", stale_once)
    assert await services.save_problem_statement(world.initiative_id, "Two", [], None) == 2
    assert calls["n"] == 2
    assert [r["text"] for r in await statements(world.initiative_id)] == ["One", "Two"]


async def test_the_problem_statement_page_query_count_does_not_grow(client, world, count_queries):
    causes = [await finding(world.initiative_id, f"Cause {n}", kind="root_cause") for n in range(5)]
    await services.save_problem_statement(world.initiative_id, "v1", causes, None)
    url = f"/initiatives/{world.initiative_id}/problem-statement"
    with count_queries() as few:
        await client.get(url)
    causes += [
        await finding(world.initiative_id, f"More {n}", kind="root_cause") for n in range(45)
    ]
    for n in range(5):
        await services.save_problem_statement(world.initiative_id, f"v{n + 2}", causes, None)
    with count_queries() as many:
        await client.get(url)
    assert many.count == few.count
