"""A PDSA cycle's pages: the plan of a new cycle, the cycle with its four parts, the
form of each part (errors keep what was typed, a stale edit gets 409 with the saved
values: DATA-01), the phase that follows from what is written, and the list's filters."""

from __future__ import annotations

import re
from datetime import date

from backend.pdsa.tables import PdsaCycle
from tests.pdsa.build import decided, make_cycle, make_site, plan_form, text_of


async def row(cycle_id: int) -> dict:
    return (await PdsaCycle.select().where(PdsaCycle.id == cycle_id))[0]


async def test_planning_a_new_cycle_at_a_site(client, world):
    site_id = await make_site(world.agency_id)
    await make_site(world.other_agency_id, "Their Office")
    url = f"/initiatives/{world.initiative_id}/pdsa/new"
    page = await client.get(url)
    assert page.status_code == 200
    for field in plan_form():
        assert f'for="field-{field}"' in page.text, field
    assert "North Area Office" in page.text and "Their Office" not in page.text
    response = await client.post_form(url, plan_form(site=site_id, objective="Fathers **come**"))
    assert response.status_code == 303
    cycle_id = int(response.headers["location"].rsplit("/", 1)[1])
    saved = await row(cycle_id)
    assert saved["initiative"] == world.initiative_id and saved["site"] == site_id
    assert saved["created_by"] == world.lead and saved["parent"] is None
    assert str(saved["start_date"]) == "2026-03-02" and str(saved["end_date"]) == "2026-03-13"
    page = await client.get(response.headers["location"])
    assert page.status_code == 200
    text = text_of(page.text)
    assert "PDSA cycle: Call fathers before the first meeting" in text
    assert "<strong>come</strong>" in page.text
    for heading in ("Plan", "Do", "Study", "Act", "Chain", "Backlog items and measures"):
        assert re.search(rf"<h2 id=\"[a-z-]+\">{heading}</h2>", page.text), heading
    assert "Phase Do" in text  # objective and prediction are written: ready to run
    assert "North Area Office" in text and "2 Mar 2026 to 13 Mar 2026" in text
    assert "Record the Do part" in text and "Start the next cycle" not in text


async def test_a_plan_with_mistakes_comes_back_with_what_was_typed(client, world):
    url = f"/initiatives/{world.initiative_id}/pdsa/new"
    theirs = await make_site(world.other_agency_id, "Their Office")
    response = await client.post_form(
        url,
        plan_form(
            change_idea="",
            start_date="2026-03-13",
            end_date="2026-03-02",
            prediction="Keep this prediction",
        ),
    )
    assert response.status_code == 422
    assert "<title>Error:" in response.text
    assert "Enter change idea" in response.text
    assert "End date must be on or after the start date" in response.text
    assert "Keep this prediction" in response.text and 'value="2026-03-13"' in response.text
    response = await client.post_form(url, plan_form(site=theirs))
    assert response.status_code == 422
    assert "Choose a site of this agency from the list" in response.text
    assert 'href="#field-site"' in response.text
    response = await client.post_form(url, plan_form(start_date="31/02/2026", site="x"))
    assert response.status_code == 422
    assert "Start date must be a real date" in response.text
    assert "Site must be a whole number" in response.text
    response = await client.post_form(url, plan_form(change_idea="X" * 201))
    assert response.status_code == 422 and "200 characters or fewer" in response.text
    response = await client.post_form(url, {"change_idea": ["a", "b"]})
    assert response.status_code == 422
    assert await PdsaCycle.count() == 0


async def test_the_plan_passes_the_personal_information_guard(client, world):
    url = f"/initiatives/{world.initiative_id}/pdsa/new"
    form = plan_form(plan_who="Call Ms Smith on 617-555-0123")
    response = await client.post_form(url, form)
    assert response.status_code == 422
    assert "Who looks like it contains a phone number" in response.text
    assert await PdsaCycle.count() == 0
    response = await client.post_form(url, {**form, "pii_confirmed": "yes"})
    assert response.status_code == 303


async def test_do_study_and_act_are_recorded_one_part_at_a_time(client, world):
    cycle_id = await make_cycle(world.initiative_id, objective="Learn", prediction="Half come")
    page = await client.get(f"/pdsa/{cycle_id}/do")
    assert page.status_code == 200 and 'name="version" value="1"' in page.text
    response = await client.post_form(
        f"/pdsa/{cycle_id}/do",
        {"ran_as_planned": "partly", "observations": "Two calls missed", "version": 1},
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/pdsa/{cycle_id}#do"
    page = await client.get(f"/pdsa/{cycle_id}/study")
    assert "Half come" in page.text  # the prediction, to study against
    response = await client.post_form(
        f"/pdsa/{cycle_id}/study", {"study": "A third came, not half", "version": 2}
    )
    assert response.status_code == 303
    page = await client.get(f"/pdsa/{cycle_id}/act")
    assert "A third came, not half" in page.text and "Half come" in page.text
    response = await client.post_form(
        f"/pdsa/{cycle_id}/act",
        {"act_decision": "adapt", "act_notes": "Call earlier", "version": 3},
    )
    assert response.status_code == 303
    saved = await row(cycle_id)
    assert (saved["ran_as_planned"], saved["observations"]) == ("partly", "Two calls missed")
    assert saved["study"] == "A third came, not half"
    assert (saved["act_decision"], saved["act_notes"], saved["version"]) == (
        "adapt",
        "Call earlier",
        4,
    )
    assert saved["objective"] == "Learn"  # a part's form never touches the others
    text = text_of((await client.get(f"/pdsa/{cycle_id}")).text)
    assert "Phase Done" in text and "Ran as planned Partly" in text
    assert "Decision Adapt" in text and "Start the next cycle" in text


async def test_each_part_refuses_bad_input_and_keeps_what_was_typed(client, world):
    cycle_id = await make_cycle(world.initiative_id)
    response = await client.post_form(
        f"/pdsa/{cycle_id}/do", {"observations": "Typed observations", "version": 1}
    )
    assert response.status_code == 422
    assert "Choose whether the test ran as planned" in response.text
    assert 'href="#field-ran_as_planned"' in response.text and 'id="field-ran_as_planned"' in (
        response.text
    )
    assert "Typed observations" in response.text
    response = await client.post_form(
        f"/pdsa/{cycle_id}/do", {"ran_as_planned": "maybe", "version": 1}
    )
    assert response.status_code == 422 and "from the list" in response.text
    response = await client.post_form(f"/pdsa/{cycle_id}/study", {"study": " ", "version": 1})
    assert response.status_code == 422
    assert "Enter results against the prediction" in response.text
    response = await client.post_form(
        f"/pdsa/{cycle_id}/act", {"act_notes": "Typed notes", "version": 1}
    )
    assert response.status_code == 422
    assert "Choose a decision: adopt, adapt or abandon" in response.text
    assert "Typed notes" in response.text
    response = await client.post_form(
        f"/pdsa/{cycle_id}/act", {"act_decision": "observe", "version": 1}
    )
    assert response.status_code == 422
    response = await client.post_form(
        f"/pdsa/{cycle_id}/plan", plan_form(change_idea="", version=1)
    )
    assert response.status_code == 422 and "Enter change idea" in response.text
    response = await client.post_form(
        f"/pdsa/{cycle_id}/do", {"ran_as_planned": "yes", "observations": "SSN 123-45-6789"}
    )
    assert response.status_code == 400  # no version: reload and edit again
    response = await client.post_form(
        f"/pdsa/{cycle_id}/do",
        {"ran_as_planned": "yes", "observations": "SSN 123-45-6789", "version": 1},
    )
    assert response.status_code == 422 and "Social Security number" in response.text
    saved = await row(cycle_id)
    assert saved["version"] == 1 and saved["ran_as_planned"] == "" and saved["study"] == ""


async def test_a_stale_edit_of_a_part_gets_409_with_the_saved_values(client, world):
    cycle_id = await make_cycle(world.initiative_id)
    first = await client.post_form(
        f"/pdsa/{cycle_id}/study", {"study": "Saved by someone else", "version": 1}
    )
    assert first.status_code == 303
    response = await client.post_form(
        f"/pdsa/{cycle_id}/study", {"study": "What I typed", "version": 1}
    )
    assert response.status_code == 409
    assert "<title>Error:" in response.text
    assert "Someone else" in response.text
    assert "What I typed" in response.text and "Saved by someone else" in response.text
    assert 'name="version" value="2"' in response.text
    # Saving again from the version shown replaces it knowingly.
    response = await client.post_form(
        f"/pdsa/{cycle_id}/study", {"study": "What I typed", "version": 2}
    )
    assert response.status_code == 303
    assert (await row(cycle_id))["study"] == "What I typed"
    response = await client.post_form(
        f"/pdsa/{cycle_id}/plan", plan_form(change_idea="Mine", version=1)
    )
    assert response.status_code == 409 and 'value="Mine"' in response.text
    assert (await row(cycle_id))["change_idea"] == "Call fathers before the first meeting"


async def test_the_phase_follows_from_what_is_written(client, world):
    url = f"/initiatives/{world.initiative_id}/pdsa?phase="
    plan = await make_cycle(world.initiative_id, "Plan only", prediction="Half come")
    do = await make_cycle(world.initiative_id, "Ready", objective="Learn", prediction="Half")
    study = await make_cycle(world.initiative_id, "Ran", ran_as_planned="no")
    act = await make_cycle(world.initiative_id, "Studied", ran_as_planned="yes", study="More")
    done = await decided(world.initiative_id, "abandon")
    for phase, cycle_id in (
        ("plan", plan),
        ("do", do),
        ("study", study),
        ("act", act),
        ("done", done),
    ):
        page = await client.get(url + phase)
        ids = {int(i) for i in re.findall(r'<tr id="cycle-(\d+)"', page.text)}
        assert ids == {cycle_id}, phase


async def test_the_list_shows_every_cycle_and_filters_by_site_change_idea_and_phase(client, world):
    north = await make_site(world.agency_id)
    south = await make_site(world.agency_id, "South Area Office")
    first = await decided(world.initiative_id, "adapt", site=north, start_date=date(2026, 2, 2))
    second = await make_cycle(world.initiative_id, parent_id=first, site=north)
    kin = await make_cycle(world.initiative_id, "Ask about kin early", site=south)
    loose = await make_cycle(world.initiative_id, "Family team meetings")
    await make_cycle(world.other_initiative_id, "Their idea")
    url = f"/initiatives/{world.initiative_id}/pdsa"
    page = await client.get(url)
    assert page.status_code == 200
    text = text_of(page.text)
    assert "4 PDSA cycles, 4 shown" in text and "Their idea" not in text
    assert "New PDSA cycle" in text
    assert "Adapt" in text and "Not decided yet" in text and "2 Feb 2026" in text
    assert f'href="/pdsa/{first}">Cycle #{first}</a>' in page.text  # what `second` follows

    def shown(response) -> set[int]:
        return {int(i) for i in re.findall(r'<tr id="cycle-(\d+)"', response.text)}

    assert shown(await client.get(f"{url}?site={north}")) == {first, second}
    assert shown(await client.get(f"{url}?site=none")) == {loose}
    assert shown(await client.get(f"{url}?change_idea=Ask+about+kin+early")) == {kin}
    assert shown(await client.get(f"{url}?phase=done&site={north}")) == {first}
    filtered = await client.get(f"{url}?site={south}&phase=done")
    assert shown(filtered) == set() and "No PDSA cycle matches these filters" in filtered.text
    # Values that are not choices are ignored, never an error.
    for query in ("site=999999", "site=abc", "phase=later", "change_idea=Nothing", "site=1e99"):
        response = await client.get(f"{url}?{query}")
        assert response.status_code == 200 and len(shown(response)) == 4, query


async def test_unknown_cycle_ids_are_404(client, world):
    for url in (
        "/pdsa/999999",
        "/pdsa/999999/plan",
        "/pdsa/999999/do",
        "/pdsa/999999/links",
        "/pdsa/999999/delete",
        "/pdsa/99999999999",
    ):
        assert (await client.get(url)).status_code == 404, url
