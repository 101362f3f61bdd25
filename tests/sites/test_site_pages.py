"""Sites of an agency: the list, add (unique name), edit (DATA-01), delete after a
confirmation that says what goes with the site (refused while fidelity assessments of
it exist), the agency page's link, the API, and who may do what."""

from __future__ import annotations

import re
from datetime import date

from backend.fidelity.tables import FidelityAssessment
from backend.pdsa import services as pdsa
from backend.pdsa.tables import PdsaCycle
from backend.sites import services
from backend.sites.tables import Site
from tests.practice.build import make_profile


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


async def make_site(agency_id: int, name: str = "North Area Office", **values) -> int:
    return await services.create_site(agency_id, {"name": name, **values})


async def sites_of(agency_id: int) -> list[dict]:
    return await Site.select().where(Site.agency == agency_id).order_by(Site.id)


async def test_the_list_shows_each_site_with_its_kind_and_rollout_phase_in_words(client, world):
    await make_site(world.agency_id, "North Area Office", rollout_phase="pilot")
    await make_site(world.agency_id, "Western Region", kind="region", rollout_phase="spread")
    await make_site(world.agency_id, "South Area Office", notes="Opens in May")
    await make_site(world.other_agency_id, "Their Office")
    page = await client.get(f"/agencies/{world.agency_id}/sites")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Sites of Test Agency" in text
    assert "North Area Office Area office Pilot" in text
    assert "Western Region Region Spread" in text
    assert "South Area Office Area office Not started" in text and "Opens in May" in text
    assert "0 PDSA cycles, 0 fidelity assessments" in text
    assert "Their Office" not in text
    assert text.index("North Area Office") < text.index("South Area Office")
    assert "Add a site" in text


async def test_adding_a_site_and_a_duplicate_name_is_refused_with_what_was_typed(client, world):
    url = f"/agencies/{world.agency_id}/sites"
    form = {"name": "North Area Office", "kind": "area_office", "rollout_phase": "pilot"}
    response = await client.post_form(url, form)
    assert response.status_code == 303
    assert re.fullmatch(rf"{url}#site-\d+", response.headers["location"])
    rows = await sites_of(world.agency_id)
    assert [(r["name"], r["kind"], r["rollout_phase"]) for r in rows] == [
        ("North Area Office", "area_office", "pilot")
    ]
    response = await client.post_form(
        url, {**form, "name": "  north   area office ", "notes": "Keep these notes"}
    )
    assert response.status_code == 422
    assert "<title>Error:" in response.text
    assert "already has a site called “North Area Office”" in response.text
    assert 'href="#field-name"' in response.text and "Keep these notes" in response.text
    assert len(await sites_of(world.agency_id)) == 1
    # Another agency may use the same name.
    assert await make_site(world.other_agency_id, "North Area Office")


async def test_bad_site_input_is_refused_and_nothing_is_saved(client, world):
    url = f"/agencies/{world.agency_id}/sites"
    response = await client.post_form(
        url, {"name": "", "kind": "castle", "rollout_phase": "later", "notes": "typed"}
    )
    assert response.status_code == 422
    for message in ("Enter name", "Choose kind from the list", "Choose rollout phase from"):
        assert message in response.text
    assert "typed" in response.text
    response = await client.post_form(url, {"name": "X" * 201})
    assert response.status_code == 422 and "200 characters or fewer" in response.text
    response = await client.post_form(url, {"name": ["a", "b"], "kind": ["x", "y"]})
    assert response.status_code == 422
    assert await sites_of(world.agency_id) == []


async def test_site_notes_pass_the_personal_information_guard(client, world):
    url = f"/agencies/{world.agency_id}/sites"
    form = {"name": "North Area Office", "notes": "Supervisor on 617-555-0123"}
    response = await client.post_form(url, form)
    assert response.status_code == 422
    assert "phone number" in response.text and 'name="pii_confirmed"' in response.text
    assert await sites_of(world.agency_id) == []
    response = await client.post_form(url, {**form, "pii_confirmed": "yes"})
    assert response.status_code == 303


async def test_editing_a_site_and_a_stale_edit_gets_409_keeping_what_was_typed(client, world):
    site_id = await make_site(world.agency_id)
    await make_site(world.agency_id, "South Area Office")
    page = await client.get(f"/sites/{site_id}/edit")
    assert page.status_code == 200
    assert 'value="North Area Office"' in page.text and 'name="version" value="1"' in page.text
    form = {"name": "North Office", "kind": "region", "rollout_phase": "spread", "version": 1}
    response = await client.post_form(f"/sites/{site_id}/edit", form)
    assert response.status_code == 303
    row = (await Site.select().where(Site.id == site_id))[0]
    assert (row["name"], row["kind"], row["rollout_phase"], row["version"]) == (
        "North Office",
        "region",
        "spread",
        2,
    )
    response = await client.post_form(f"/sites/{site_id}/edit", {**form, "name": "Mine"})
    assert response.status_code == 409
    assert "Someone else" in response.text and 'value="Mine"' in response.text
    assert 'name="version" value="2"' in response.text
    assert "North Office" in text_of(response.text)  # the saved values, beside the form
    response = await client.post_form(
        f"/sites/{site_id}/edit", {**form, "name": "South Area Office", "version": 2}
    )
    assert response.status_code == 422 and "already has a site called" in response.text
    assert 'name="version" value="2"' in response.text
    # Keeping its own name (in another case) is no duplicate.
    response = await client.post_form(
        f"/sites/{site_id}/edit", {**form, "name": "NORTH OFFICE", "version": 2}
    )
    assert response.status_code == 303
    response = await client.post_form(f"/sites/{site_id}/edit", {"name": "No version"})
    assert response.status_code == 400


async def test_deleting_a_site_says_its_pdsa_cycles_stay_without_a_site(client, world):
    site_id = await make_site(world.agency_id)
    cycle_id = await pdsa.create_cycle(
        world.initiative_id, {"change_idea": "Call fathers", "site": site_id}
    )
    page = await client.get(f"/sites/{site_id}/delete")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Delete site North Area Office?" in text
    assert "1 PDSA cycle stays, with no site" in text
    assert "No fidelity assessment is of this site" in text
    response = await client.post_form(f"/sites/{site_id}/delete", {"version": 2})
    assert response.status_code == 409 and "changed this site" in response.text
    assert await sites_of(world.agency_id)
    response = await client.post_form(f"/sites/{site_id}/delete", {"version": 1})
    assert response.status_code == 303
    assert response.headers["location"] == f"/agencies/{world.agency_id}/sites"
    assert await sites_of(world.agency_id) == []
    cycle = (await PdsaCycle.select().where(PdsaCycle.id == cycle_id))[0]
    assert cycle["site"] is None


async def test_a_site_with_fidelity_assessments_cannot_be_deleted(client, world):
    site_id = await make_site(world.agency_id)
    made = await make_profile(world.initiative_id, components=1, behaviours=1)
    await FidelityAssessment.insert(
        FidelityAssessment(
            initiative=world.initiative_id,
            profile=made["profile_id"],
            site=site_id,
            method="observation",
            assessed_on=date(2026, 3, 2),
        )
    )
    page = await client.get(f"/sites/{site_id}/delete")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "North Area Office cannot be deleted" in text
    assert "1 fidelity assessment of it would be deleted with it" in text
    assert "Delete this site" not in text
    response = await client.post_form(f"/sites/{site_id}/delete", {"version": 1})
    assert response.status_code == 409
    assert "cannot be deleted" in response.text
    assert len(await sites_of(world.agency_id)) == 1
    assert await FidelityAssessment.count() == 1
    listing = text_of((await client.get(f"/agencies/{world.agency_id}/sites")).text)
    assert "0 PDSA cycles, 1 fidelity assessment" in listing


async def test_only_the_agency_lead_changes_sites_and_everyone_in_the_agency_reads(
    client_as, world
):
    site_id = await make_site(world.agency_id)
    for role in ("product_owner", "scrum_master", "team_member", "viewer", "liaison"):
        person = await client_as(world.users[role])
        page = await person.get(f"/agencies/{world.agency_id}/sites")
        assert page.status_code == 200 and "North Area Office" in page.text
        assert "Add a site" not in page.text and f"/sites/{site_id}/edit" not in page.text
        response = await person.post_form(
            f"/agencies/{world.agency_id}/sites", {"name": f"By {role}"}
        )
        assert response.status_code == 403, role
        for url in (f"/sites/{site_id}/edit", f"/sites/{site_id}/delete"):
            assert (await person.get(url)).status_code == 403, (role, url)
        response = await person.post_form(
            f"/sites/{site_id}/edit", {"name": "Theirs", "version": 1}
        )
        assert response.status_code == 403
        response = await person.post_form(f"/sites/{site_id}/delete", {"version": 1})
        assert response.status_code == 403
        api = await person.get(f"/api/agencies/{world.agency_id}/sites")
        assert api.status_code == 200
    assert [r["name"] for r in await sites_of(world.agency_id)] == ["North Area Office"]


async def test_another_agency_cannot_see_or_change_the_sites(client_as, world):
    site_id = await make_site(world.agency_id)
    outsider = await client_as(world.users["other_lead"])
    for url in (
        f"/agencies/{world.agency_id}/sites",
        f"/sites/{site_id}/edit",
        f"/sites/{site_id}/delete",
        f"/api/agencies/{world.agency_id}/sites",
    ):
        assert (await outsider.get(url)).status_code == 404, url
    response = await outsider.post_form(f"/sites/{site_id}/edit", {"name": "X", "version": 1})
    assert response.status_code == 404
    response = await outsider.post_form(f"/sites/{site_id}/delete", {"version": 1})
    assert response.status_code == 404
    response = await outsider.post_form(f"/agencies/{world.agency_id}/sites", {"name": "X"})
    assert response.status_code == 404
    assert [r["name"] for r in await sites_of(world.agency_id)] == ["North Area Office"]


async def test_unknown_site_ids_are_404(client, world):
    for url in ("/sites/999999/edit", "/sites/999999/delete", "/agencies/999999/sites"):
        assert (await client.get(url)).status_code == 404, url


async def test_the_agency_page_links_to_its_sites(client, world):
    page = await client.get(f"/agencies/{world.agency_id}")
    assert f'href="/agencies/{world.agency_id}/sites"' in page.text


async def test_the_api_lists_the_agencys_sites_by_name(client, world):
    await make_site(world.agency_id, "South Area Office")
    north = await make_site(world.agency_id, rollout_phase="pilot", kind="area_office")
    await make_site(world.other_agency_id, "Their Office")
    response = await client.get(f"/api/agencies/{world.agency_id}/sites")
    assert response.status_code == 200
    body = response.json()
    assert [s["name"] for s in body] == ["North Area Office", "South Area Office"]
    assert body[0] == {
        "id": north,
        "agency_id": world.agency_id,
        "name": "North Area Office",
        "kind": "area_office",
        "rollout_phase": "pilot",
        "rollout_phase_label": "Pilot",
        "notes": "",
        "version": 1,
    }


async def test_the_site_list_runs_the_same_queries_for_3_or_30_sites(client, world, count_queries):
    async def queries_for(count: int) -> int:
        await Site.delete(force=True)
        for n in range(count):
            site_id = await make_site(world.agency_id, f"Office {n}")
            await pdsa.create_cycle(world.initiative_id, {"change_idea": "x", "site": site_id})
        with count_queries() as counted:
            page = await client.get(f"/agencies/{world.agency_id}/sites")
        assert page.status_code == 200 and f"Office {count - 1}" in page.text
        return counted.count

    assert await queries_for(3) == await queries_for(30)
