"""Measure pages: the list with its filter, new, edit (DATA-01), delete with a confirmation."""

from __future__ import annotations

from backend.cfsr.tables import CfsrItem
from backend.measures.tables import DataPoint, Measure
from backend.pdsa.tables import PdsaCycle, PdsaMeasure
from backend.practice.tables import Intervention
from tests.measures.build import BASELINE, SHIFTED, add_rates, add_values, make_measure
from tests.practice.html import text_of

FORM = {
    "name": "Sibling groups placed together",
    "kind": "outcome",
    "definition": "Sibling groups **all** placed together, of all sibling groups placed.",
    "unit": "",
    "is_rate": "yes",
    "direction": "up",
    "period_kind": "month",
    "cfsr_item": "",
    "rule_set": "anhoej",
    "baseline_points": "12",
    "small_cell_threshold": "11",
    "fidelity_intervention": "",
}


async def _measure(measure_id: int) -> dict:
    return (await Measure.select().where(Measure.id == measure_id))[0]


async def _item_id(number: int) -> int:
    return (await CfsrItem.select(CfsrItem.id).where(CfsrItem.number == number))[0]["id"]


async def test_the_new_measure_form_has_every_field_and_cfsr_items_by_group(client, world):
    page = await client.get(f"/initiatives/{world.initiative_id}/measures/new")
    assert page.status_code == 200
    for field in FORM:
        assert f'for="field-{field}"' in page.text, field
    assert page.text.count("<optgroup") == 14  # 7 outcomes and 7 systemic factors
    assert "Item 7: Placement With Siblings" in page.text and "Item 36: " in page.text
    assert 'name="baseline_points" type="text" value="10"' in page.text
    assert 'name="small_cell_threshold" type="text" value="10"' in page.text


async def test_creating_a_rate_measure_with_a_cfsr_item(client, world):
    item = await _item_id(7)
    response = await client.post_form(
        f"/initiatives/{world.initiative_id}/measures/new",
        {**FORM, "cfsr_item": item, "initiative": world.other_initiative_id},
    )
    assert response.status_code == 303
    measure_id = int(response.headers["location"].rsplit("/", 1)[1])
    row = await _measure(measure_id)
    assert row["initiative"] == world.initiative_id and row["is_rate"] is True
    assert row["unit"] == "%"  # a rate is a percentage unless the unit says otherwise
    assert row["rule_set"] == "anhoej" and row["baseline_points"] == 12
    assert row["small_cell_threshold"] == 11 and row["cfsr_item"] == item
    assert row["created_by"] == world.lead
    page = await client.get(response.headers["location"])
    text = text_of(page.text)
    assert "Measure: Sibling groups placed together" in text
    assert "<strong>all</strong>" in page.text
    assert "Item 7: Placement With Siblings" in text
    assert "Anhoej rules" in text and "Denominators under 11" in text


async def test_blank_baseline_means_the_median_of_all_points(client, world):
    response = await client.post_form(
        f"/initiatives/{world.initiative_id}/measures/new", {**FORM, "baseline_points": ""}
    )
    assert response.status_code == 303
    measure_id = int(response.headers["location"].rsplit("/", 1)[1])
    assert (await _measure(measure_id))["baseline_points"] is None
    page = await client.get(f"/measures/{measure_id}")
    assert "The median of all points" in page.text


async def test_bad_measure_input_is_refused_with_what_was_typed(client, world):
    url = f"/initiatives/{world.initiative_id}/measures/new"
    response = await client.post_form(
        url,
        {
            **FORM,
            "name": "",
            "kind": "vanity",
            "baseline_points": "ten",
            "small_cell_threshold": "0",
            "definition": "Keep this definition",
            "cfsr_item": "99999",
        },
    )
    assert response.status_code == 422
    assert "<title>Error:" in response.text
    text = text_of(response.text)
    assert "Enter name" in text and "Choose type from the list" in text
    assert "Baseline points must be a whole number" in text
    assert "Small-cell threshold must be 1 or more" in text
    assert "Keep this definition" in response.text
    assert 'aria-invalid="true"' in response.text
    # A CFSR item or intervention that does not exist is the service's to refuse.
    response = await client.post_form(url, {**FORM, "cfsr_item": "99999"})
    assert response.status_code == 422 and "Choose a CFSR item from the list" in response.text
    other = await Intervention.insert(
        Intervention(initiative=world.other_initiative_id, name="Theirs")
    ).returning(Intervention.id)
    response = await client.post_form(
        url, {**FORM, "kind": "fidelity", "fidelity_intervention": other[0]["id"]}
    )
    assert response.status_code == 422
    assert "Choose an intervention of this initiative" in response.text
    assert await Measure.count() == 0


async def test_only_a_fidelity_measure_is_fed_by_an_intervention(client, world):
    rows = await Intervention.insert(
        Intervention(initiative=world.initiative_id, name="Fathers as partners")
    ).returning(Intervention.id)
    intervention = rows[0]["id"]
    url = f"/initiatives/{world.initiative_id}/measures/new"
    response = await client.post_form(url, {**FORM, "fidelity_intervention": intervention})
    assert response.status_code == 422
    assert "Only a fidelity measure can be fed by fidelity assessments" in response.text
    response = await client.post_form(
        url,
        {
            **FORM,
            "name": "Family team meetings held with fidelity",
            "kind": "fidelity",
            "fidelity_intervention": intervention,
        },
    )
    assert response.status_code == 303
    page = await client.get(response.headers["location"])
    assert "Fidelity assessments of Fathers as partners" in text_of(page.text)


async def test_measure_text_passes_the_personal_information_guard(client, world):
    url = f"/initiatives/{world.initiative_id}/measures/new"
    form = {**FORM, "definition": "Ask Jo at 617-555-0134 for the extract"}
    response = await client.post_form(url, form)
    assert response.status_code == 422
    assert "looks like it contains a phone number" in response.text
    assert 'name="pii_confirmed"' in response.text
    assert await Measure.count() == 0
    response = await client.post_form(url, {**form, "pii_confirmed": "yes"})
    assert response.status_code == 303


async def test_editing_a_measure_and_a_stale_edit_gets_409(client, world):
    measure_id = await make_measure(world.initiative_id)
    page = await client.get(f"/measures/{measure_id}/edit")
    assert page.status_code == 200
    assert 'value="Kinship placements"' in page.text and 'name="version" value="1"' in page.text
    form = {**FORM, "is_rate": "", "name": "Kinship first placements", "version": 1}
    response = await client.post_form(f"/measures/{measure_id}/edit", form)
    assert response.status_code == 303
    response = await client.post_form(f"/measures/{measure_id}/edit", {**form, "name": "Mine"})
    assert response.status_code == 409
    assert "Someone else" in response.text and 'value="Mine"' in response.text
    assert 'name="version" value="2"' in response.text
    assert "Kinship first placements" in response.text  # the saved values are shown
    row = await _measure(measure_id)
    assert row["name"] == "Kinship first placements" and row["version"] == 2
    response = await client.post_form(f"/measures/{measure_id}/edit", {"name": "No version"})
    assert response.status_code == 400


async def test_period_and_rate_cannot_change_once_there_are_points(client, world):
    measure_id = await make_measure(world.initiative_id)
    await add_values(measure_id, [1, 2, 3])
    form = {**FORM, "is_rate": "yes", "period_kind": "week", "version": 1}
    response = await client.post_form(f"/measures/{measure_id}/edit", form)
    assert response.status_code == 422
    text = text_of(response.text)
    assert "The period cannot change once the measure has data points (it has 3)" in text
    assert "Whether it is a rate cannot change once the measure has data points" in text
    assert (await _measure(measure_id))["period_kind"] == "month"


async def test_the_list_shows_latest_values_point_counts_and_signals(client, world):
    shifted = await make_measure(world.initiative_id, name="Kinship placements")
    await add_values(shifted, BASELINE + SHIFTED)
    rate = await make_measure(
        world.initiative_id,
        name="Re-entry within a year",
        kind="balancing",
        is_rate=True,
        direction="down",
    )
    await add_rates(rate, [(30, 100), (25, 100)])
    await make_measure(world.initiative_id, name="Parent engagement", kind="process")
    page = await client.get(f"/initiatives/{world.initiative_id}/measures")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Kinship placements" in text and "May 2026: 46%" in text
    assert "Shift: 7 points in a row above the median (Nov 2025 to May 2026)" in text
    assert "Feb 2025: 25%" in text and "Lower is better" in text
    assert "Parent engagement" in text and "No data yet" in text
    assert f'href="/measures/{shifted}"' in page.text
    assert "New measure" in text
    filtered = await client.get(f"/initiatives/{world.initiative_id}/measures?kind=balancing")
    text = text_of(filtered.text)
    assert "Re-entry within a year" in text and "Kinship placements" not in text
    # A kind that is not one is ignored: the whole list.
    page = await client.get(f"/initiatives/{world.initiative_id}/measures?kind=vanity")
    assert page.status_code == 200 and "Kinship placements" in page.text


async def test_the_list_runs_the_same_number_of_queries_for_2_or_12_measures(
    client, world, count_queries
):
    async def measure_page_queries() -> int:
        with count_queries() as counted:
            page = await client.get(f"/initiatives/{world.initiative_id}/measures")
        assert page.status_code == 200
        return counted.count

    for n in range(2):
        await add_values(await make_measure(world.initiative_id, name=f"M{n}"), BASELINE)
    few = await measure_page_queries()
    for n in range(2, 12):
        await add_values(await make_measure(world.initiative_id, name=f"M{n}"), BASELINE + SHIFTED)
    many = await measure_page_queries()
    assert few == many


async def test_deleting_a_measure_says_what_goes_first(client, world):
    measure_id = await make_measure(world.initiative_id)
    await add_values(measure_id, [1, 2, 3])
    cycle = await PdsaCycle.insert(
        PdsaCycle(initiative=world.initiative_id, change_idea="Kin first call script")
    ).returning(PdsaCycle.id)
    await PdsaMeasure.insert(PdsaMeasure(cycle=cycle[0]["id"], measure=measure_id))
    page = await client.get(f"/measures/{measure_id}/delete")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Delete measure Kinship placements?" in text and "3 data points" in text
    assert "Kin first call script" in text and "the cycles stay" in text
    response = await client.post_form(f"/measures/{measure_id}/delete", {"version": 9})
    assert response.status_code == 409 and await Measure.count() == 1
    response = await client.post_form(f"/measures/{measure_id}/delete", {"version": 1})
    assert response.status_code == 303
    assert response.headers["location"] == f"/initiatives/{world.initiative_id}/measures"
    assert await Measure.count() == 0 and await DataPoint.count() == 0
    assert await PdsaMeasure.count() == 0 and await PdsaCycle.count() == 1


async def test_team_members_write_viewers_and_liaisons_only_read(client_as, world):
    measure_id = await make_measure(world.initiative_id)
    member = await client_as(world.users["team_member"])
    response = await member.post_form(
        f"/initiatives/{world.initiative_id}/measures/new", {**FORM, "name": "Member's"}
    )
    assert response.status_code == 303
    for role in ("viewer", "liaison"):
        person = await client_as(world.users[role])
        page = await person.get(f"/initiatives/{world.initiative_id}/measures")
        assert page.status_code == 200 and "New measure" not in page.text
        page = await person.get(f"/measures/{measure_id}")
        assert page.status_code == 200
        assert "Edit measure" not in page.text and "Add a data point" not in page.text
        for url in (
            f"/initiatives/{world.initiative_id}/measures/new",
            f"/measures/{measure_id}/edit",
            f"/measures/{measure_id}/delete",
        ):
            assert (await person.get(url)).status_code == 403, (role, url)
        response = await person.post_form(
            f"/measures/{measure_id}/edit", {**FORM, "name": "No", "version": 1}
        )
        assert response.status_code == 403
        response = await person.post_form(f"/measures/{measure_id}/delete", {"version": 1})
        assert response.status_code == 403
    outsider = await client_as(world.users["other_lead"])
    for url in (
        f"/initiatives/{world.initiative_id}/measures",
        f"/measures/{measure_id}",
        f"/measures/{measure_id}/edit",
    ):
        assert (await outsider.get(url)).status_code == 404
    response = await outsider.post_form(f"/measures/{measure_id}/delete", {"version": 1})
    assert response.status_code == 404
    assert (await _measure(measure_id))["name"] == "Kinship placements"
