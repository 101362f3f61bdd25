"""Intervention pages: the list with profile versions, new, one intervention, edit (DATA-01)."""

from __future__ import annotations

import re

from backend.practice.tables import Intervention
from tests.practice.build import make_intervention, make_profile, set_status


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


async def test_the_list_shows_each_intervention_with_its_versions_and_statuses(client, world):
    made = await make_profile(world.initiative_id, components=1, behaviours=1)
    await set_status(made["profile_id"], "approved")
    await make_intervention(world.initiative_id, "Kinship first")
    page = await client.get(f"/initiatives/{world.initiative_id}/interventions")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Fathers as partners" in text and "Kinship first" in text
    assert "Version 1 of Fathers as partners (approved)" in text
    assert "No practice profile yet" in text
    assert f'href="/profiles/{made["profile_id"]}"' in page.text
    assert "New intervention" in text


async def test_creating_an_intervention_with_markdown_principles(client, world):
    url = f"/initiatives/{world.initiative_id}/interventions/new"
    page = await client.get(url)
    assert page.status_code == 200
    for field in ("name", "approach", "purpose", "principles", "evidence_level"):
        assert f'for="field-{field}"' in page.text
    response = await client.post_form(
        url,
        {
            "name": "Fathers as partners",
            "approach": "adapt",
            "purpose": "Engage fathers",
            "principles": "Families are **experts**\n\n<script>alert(1)</script>",
            "evidence_level": "Promising",
            "initiative": world.other_initiative_id,
        },
    )
    assert response.status_code == 303
    intervention_id = int(response.headers["location"].rsplit("/", 1)[1])
    row = (await Intervention.select().where(Intervention.id == intervention_id))[0]
    assert row["initiative"] == world.initiative_id and row["approach"] == "adapt"
    page = await client.get(response.headers["location"])
    assert "<strong>experts</strong>" in page.text
    assert "<script>alert" not in page.text and "&lt;script&gt;" in page.text
    text = text_of(page.text)
    assert "Intervention: Fathers as partners" in text and "Adapt" in text and "Promising" in text
    assert "Start the practice profile" in text


async def test_bad_intervention_input_is_refused_with_what_was_typed(client, world):
    url = f"/initiatives/{world.initiative_id}/interventions/new"
    response = await client.post_form(
        url, {"name": "", "approach": "copy", "purpose": "Keep this purpose"}
    )
    assert response.status_code == 422
    assert "<title>Error:" in response.text
    assert "Enter name" in response.text and "Choose approach from the list" in response.text
    assert "Keep this purpose" in response.text
    response = await client.post_form(url, {"name": "X" * 201, "approach": "design"})
    assert response.status_code == 422 and "200 characters or fewer" in response.text
    response = await client.post_form(url, {"name": ["a", "b"], "approach": ["x", "y"]})
    assert response.status_code == 422
    assert await Intervention.count() == 0


async def test_editing_an_intervention_and_a_stale_edit_gets_409(client, world):
    intervention_id = await make_intervention(world.initiative_id)
    page = await client.get(f"/interventions/{intervention_id}/edit")
    assert 'value="Fathers as partners"' in page.text and 'name="version" value="1"' in page.text
    form = {
        "name": "Fathers first",
        "approach": "replicate",
        "purpose": "",
        "principles": "",
        "evidence_level": "",
        "version": 1,
    }
    response = await client.post_form(f"/interventions/{intervention_id}/edit", form)
    assert response.status_code == 303
    response = await client.post_form(
        f"/interventions/{intervention_id}/edit", {**form, "name": "Mine"}
    )
    assert response.status_code == 409
    assert "Someone else" in response.text and 'value="Mine"' in response.text
    assert 'name="version" value="2"' in response.text
    row = (await Intervention.select().where(Intervention.id == intervention_id))[0]
    assert row["name"] == "Fathers first" and row["approach"] == "replicate"
    assert row["version"] == 2
    response = await client.post_form(f"/interventions/{intervention_id}/edit", {"name": "X"})
    assert response.status_code == 400


async def test_team_members_write_viewers_and_liaisons_only_read(client_as, world):
    intervention_id = await make_intervention(world.initiative_id)
    member = await client_as(world.users["team_member"])
    response = await member.post_form(
        f"/initiatives/{world.initiative_id}/interventions/new",
        {"name": "Member's", "approach": "design"},
    )
    assert response.status_code == 303
    for role in ("viewer", "liaison"):
        person = await client_as(world.users[role])
        page = await person.get(f"/initiatives/{world.initiative_id}/interventions")
        assert page.status_code == 200 and "New intervention" not in page.text
        page = await person.get(f"/interventions/{intervention_id}")
        assert page.status_code == 200 and "Edit intervention" not in page.text
        assert "Start the practice profile" not in page.text
        response = await person.post_form(
            f"/interventions/{intervention_id}/edit", {"name": "No", "version": 1}
        )
        assert response.status_code == 403
        response = await person.post_form(f"/interventions/{intervention_id}/profiles")
        assert response.status_code == 403
    assert await Intervention.count() == 2


async def test_another_agency_cannot_see_or_change_an_intervention(client_as, world):
    intervention_id = await make_intervention(world.initiative_id)
    outsider = await client_as(world.users["other_lead"])
    for url in (
        f"/interventions/{intervention_id}",
        f"/interventions/{intervention_id}/edit",
        f"/initiatives/{world.initiative_id}/interventions",
    ):
        assert (await outsider.get(url)).status_code == 404, url
    response = await outsider.post_form(
        f"/interventions/{intervention_id}/edit", {"name": "Theirs", "version": 1}
    )
    assert response.status_code == 404
    theirs = await make_intervention(world.other_initiative_id, "Their practice")
    page = await outsider.get(f"/initiatives/{world.other_initiative_id}/interventions")
    assert "Their practice" in page.text and "Fathers as partners" not in page.text
    assert (await Intervention.select(Intervention.name).where(Intervention.id == theirs))[0][
        "name"
    ] == "Their practice"


async def test_unknown_intervention_ids_are_404(client, world):
    for url in (
        "/interventions/999999",
        "/interventions/99999999999",
        "/interventions/999999/edit",
        "/initiatives/999999/interventions",
    ):
        assert (await client.get(url)).status_code == 404, url
