"""Creating and editing initiatives, and renaming/reordering an agency's C&I stages."""

import asyncio

from backend.initiatives.tables import CIStage, Initiative
from backend.scrum.tables import BoardColumn


async def test_new_initiative_gets_default_board_columns(client, world):
    response = await client.post_form(
        f"/agencies/{world.agency_id}/initiatives/new",
        {"title": "Kinship placements", "problem_area": "Permanency", "product_goal": "More kin"},
    )
    assert response.status_code == 303
    new = await Initiative.select().where(Initiative.title == "Kinship placements")
    assert new and new[0]["agency"] == world.agency_id
    columns = (
        await BoardColumn.select(BoardColumn.name, BoardColumn.is_done)
        .where(BoardColumn.initiative == new[0]["id"])
        .order_by(BoardColumn.position)
    )
    assert [c["name"] for c in columns] == ["To do", "In progress", "In review", "Done"]
    assert [c["is_done"] for c in columns] == [False, False, False, True]
    page = await client.get(response.headers["location"])
    assert "Kinship placements" in page.text


async def test_new_initiative_without_title_keeps_typed_values_and_shows_errors(client, world):
    response = await client.post_form(
        f"/agencies/{world.agency_id}/initiatives/new",
        {"title": "", "problem_area": "Typed and kept", "start_date": "2026-02-30"},
    )
    assert response.status_code == 422
    assert "<title>Error: New initiative" in response.text
    assert 'href="#field-title"' in response.text and 'href="#field-start_date"' in response.text
    assert "Typed and kept" in response.text and "2026-02-30" in response.text
    assert await Initiative.count() == 2


async def test_initiative_cannot_use_another_agencys_stage(client, world):
    foreign = await CIStage.select(CIStage.id).where(CIStage.agency == world.other_agency_id)
    response = await client.post_form(
        f"/agencies/{world.agency_id}/initiatives/new",
        {"title": "Sneaky", "current_stage": foreign[0]["id"]},
    )
    assert response.status_code == 422
    assert not await Initiative.exists().where(Initiative.title == "Sneaky")


async def test_editing_an_initiative_from_a_stale_version_is_refused(client, world):
    url = f"/initiatives/{world.initiative_id}/edit"
    first = await client.post_form(url, {"title": "First title", "version": 1})
    assert first.status_code == 303
    second = await client.post_form(url, {"title": "Second title", "version": 1})
    assert second.status_code == 409
    assert "Second title" in second.text and "Someone else saved" in second.text
    row = await Initiative.select(Initiative.title).where(Initiative.id == world.initiative_id)
    assert row[0]["title"] == "First title"


async def test_stages_can_be_renamed_reordered_and_added(client, world):
    url = f"/agencies/{world.agency_id}/stages"
    page = await client.get(url)
    assert page.status_code == 200 and "Problem exploration" in page.text
    second = world.stages[1]["id"]
    response = await client.post_form(
        url,
        {"action": "rename", "stage": second, "name": "Exploring the problem", "short_name": ""},
    )
    assert response.status_code == 303
    await client.post_form(url, {"action": "up", "stage": second})
    await client.post_form(url, {"action": "add", "name": "Celebration"})
    rows = (
        await CIStage.select(CIStage.name)
        .where(CIStage.agency == world.agency_id)
        .order_by(CIStage.position)
    )
    names = [r["name"] for r in rows]
    assert names[:2] == ["Exploring the problem", "Teaming and readiness"]
    assert names[-1] == "Celebration" and len(names) == 8
    other = await CIStage.select(CIStage.name).where(CIStage.agency == world.other_agency_id)
    assert "Exploring the problem" not in [r["name"] for r in other]


async def test_renaming_another_agencys_stage_is_not_found(client, world):
    foreign = await CIStage.select(CIStage.id).where(CIStage.agency == world.other_agency_id)
    response = await client.post_form(
        f"/agencies/{world.agency_id}/stages",
        {"action": "rename", "stage": foreign[0]["id"], "name": "Hijacked"},
    )
    assert response.status_code == 404
    assert not await CIStage.exists().where(CIStage.name == "Hijacked")


async def test_empty_stage_name_is_refused_with_a_message(client, world):
    response = await client.post_form(
        f"/agencies/{world.agency_id}/stages",
        {"action": "rename", "stage": world.stages[0]["id"], "name": "  "},
    )
    assert response.status_code == 422
    assert "Enter stage name" in response.text


async def test_two_edits_from_the_same_version_at_once_save_one_and_refuse_the_other(client, world):
    url = f"/initiatives/{world.initiative_id}/edit"
    await client.csrf_token()
    for round_ in range(5):
        version = (
            await Initiative.select(Initiative.version).where(Initiative.id == world.initiative_id)
        )[0]["version"]
        first, second = await asyncio.gather(
            client.post_form(url, {"title": f"A{round_}", "version": version}),
            client.post_form(url, {"title": f"B{round_}", "version": version}),
        )
        assert sorted([first.status_code, second.status_code]) == [303, 409]
        row = await Initiative.select(Initiative.title, Initiative.version).where(
            Initiative.id == world.initiative_id
        )
        winner = f"A{round_}" if first.status_code == 303 else f"B{round_}"
        assert row[0]["title"] == winner and row[0]["version"] == version + 1


async def test_an_initiative_edit_without_its_version_is_a_bad_request(client, world):
    url = f"/initiatives/{world.initiative_id}/edit"
    for version in (None, "", "abc"):
        form = {"title": "No version"} | ({} if version is None else {"version": version})
        response = await client.post_form(url, form)
        assert response.status_code == 400
    assert not await Initiative.exists().where(Initiative.title == "No version")


async def test_stage_reorders_and_additions_at_once_keep_positions_one_to_n(client, world):
    url = f"/agencies/{world.agency_id}/stages"
    await client.csrf_token()
    ids = [s["id"] for s in world.stages]
    for n in range(5):
        answers = await asyncio.gather(
            client.post_form(url, {"action": "up", "stage": ids[1]}),
            client.post_form(url, {"action": "down", "stage": ids[4]}),
            client.post_form(url, {"action": "add", "name": f"Extra {n}"}),
        )
        assert [a.status_code for a in answers] == [303, 303, 303]
    positions = await CIStage.select(CIStage.position).where(CIStage.agency == world.agency_id)
    assert sorted(p["position"] for p in positions) == list(range(1, 13))


async def test_a_too_long_short_name_is_shown_at_its_field_with_what_was_typed(client, world):
    url = f"/agencies/{world.agency_id}/stages"
    long_short = "S" * 41
    for form in (
        {
            "action": "rename",
            "stage": world.stages[0]["id"],
            "name": "Kept",
            "short_name": long_short,
        },
        {"action": "add", "name": "New one", "short_name": long_short},
    ):
        response = await client.post_form(url, form)
        assert response.status_code == 422
        assert 'href="#field-short_name"' in response.text
        assert 'id="field-short_name"' in response.text and 'id="error-short_name"' in response.text
        assert f'value="{long_short}"' in response.text
        assert response.text.count('id="field-name"') == 1
    assert not await CIStage.exists().where(CIStage.name.is_in(["Kept", "New one"]))


async def _goal_and_title(initiative_id: int) -> dict:
    rows = await Initiative.select(
        Initiative.title, Initiative.product_goal, Initiative.version
    ).where(Initiative.id == initiative_id)
    return rows[0]


async def test_before_a_theory_of_change_the_charter_edits_the_product_goal(client, world):
    url = f"/initiatives/{world.initiative_id}/edit"
    page = await client.get(url)
    assert 'name="product_goal"' in page.text and "Parents are partners</textarea>" in page.text
    assert "Change it as the long-term outcome" not in page.text
    response = await client.post_form(
        url, {"title": "Parent engagement", "product_goal": "Parents plan with us", "version": 1}
    )
    assert response.status_code == 303
    row = await _goal_and_title(world.initiative_id)
    assert row["product_goal"] == "Parents plan with us" and row["title"] == "Parent engagement"


async def test_once_a_theory_exists_the_charter_shows_the_product_goal_read_only(client, world):
    from backend.exploration import services as exploration

    url = f"/initiatives/{world.initiative_id}/edit"
    stale = (await _goal_and_title(world.initiative_id))["version"]
    await exploration.start_theory(
        world.initiative_id, {"population": "Fathers", "long_term_outcome": "Fathers *plan*"}, None
    )
    page = await client.get(url)
    assert page.status_code == 200
    assert 'name="product_goal"' not in page.text
    assert "Fathers <em>plan</em>" in page.text
    theory_url = f"/initiatives/{world.initiative_id}/theory-of-change#outcome-h"
    assert (
        f'<a href="{theory_url}">Change it as the long-term outcome of the theory of change</a>'
        in page.text
    )

    # A form opened before the theory started is stale: 409, nothing saved.
    response = await client.post_form(
        url, {"title": "From an old form", "product_goal": "Old goal", "version": stale}
    )
    assert response.status_code == 409 and "From an old form" in response.text
    assert 'name="product_goal"' not in response.text
    row = await _goal_and_title(world.initiative_id)
    assert row["product_goal"] == "Fathers *plan*" and row["title"] != "From an old form"

    # A goal posted anyway (a script, a hand-made form) is left out; the rest saves.
    version = row["version"]
    for goal in ("Hijacked goal", "x" * 20_001, ["two", "values"]):
        response = await client.post_form(
            url, {"title": f"Renamed {version}", "product_goal": goal, "version": version}
        )
        assert response.status_code == 303, goal
        row = await _goal_and_title(world.initiative_id)
        assert row["title"] == f"Renamed {version}" and row["product_goal"] == "Fathers *plan*"
        version = row["version"]
    # Other fields' errors still show, without a product goal field.
    response = await client.post_form(url, {"title": "", "version": version})
    assert response.status_code == 422 and "Enter title" in response.text
    assert 'name="product_goal"' not in response.text and "Fathers <em>plan</em>" in response.text
