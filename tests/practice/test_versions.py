"""Versioning: a new version copies everything, and every earlier version stays as it was."""

from __future__ import annotations

import asyncio

import pytest

from backend import db
from backend.errors import Conflict
from backend.practice import queries, services
from backend.practice.tables import (
    ContinuumLevel,
    CoreComponent,
    Descriptor,
    PracticeBehaviour,
    PracticeProfile,
)
from tests.practice.build import delete_confirmed, make_profile, set_status
from tests.practice.html import text_of

PRACTICE_TABLES = (PracticeProfile, ContinuumLevel, CoreComponent, PracticeBehaviour, Descriptor)


async def rows_of_version(profile_id: int) -> dict[str, list[dict]]:
    """Every column of every row that belongs to one version, in id order."""
    return {
        "profile": await PracticeProfile.select().where(PracticeProfile.id == profile_id),
        "levels": await ContinuumLevel.select()
        .where(ContinuumLevel.profile == profile_id)
        .order_by(ContinuumLevel.id),
        "components": await CoreComponent.select()
        .where(CoreComponent.profile == profile_id)
        .order_by(CoreComponent.id),
        "behaviours": await PracticeBehaviour.select()
        .where(PracticeBehaviour.component.profile == profile_id)
        .order_by(PracticeBehaviour.id),
        "descriptors": await Descriptor.select()
        .where(Descriptor.behaviour.component.profile == profile_id)
        .order_by(Descriptor.id),
    }


def _content(rubric: dict) -> dict:
    """A rubric without its row ids: what a person reads."""
    positions = {level["id"]: level["position"] for level in rubric["levels"]}
    return {
        "levels": [(lv["position"], lv["label"], lv["meets_fidelity"]) for lv in rubric["levels"]],
        "components": [
            (
                c["position"],
                c["name"],
                c["description"],
                c["lineage"],
                [
                    (
                        b["position"],
                        b["text"],
                        b["role"],
                        b["lineage"],
                        sorted((positions[k], v) for k, v in b["descriptors"].items()),
                    )
                    for b in c["behaviours"]
                ],
            )
            for c in rubric["components"]
        ],
    }


async def test_a_new_version_copies_levels_components_behaviours_and_descriptors(client, world):
    made = await make_profile(world.initiative_id, components=3, behaviours=2)
    v1 = made["profile_id"]
    await set_status(v1, "approved")
    page = await client.get(f"/profiles/{v1}")
    assert "Make version 2" in page.text
    response = await client.post_form(
        f"/profiles/{v1}/new-version", {"change_note": "Refined after the pilot"}
    )
    assert response.status_code == 303
    v2 = int(response.headers["location"].rsplit("/", 1)[1])
    assert v2 != v1
    row = (await PracticeProfile.select().where(PracticeProfile.id == v2))[0]
    assert (row["number"], row["status"], row["change_note"]) == (
        2,
        "draft",
        "Refined after the pilot",
    )
    assert row["intervention"] == made["intervention_id"] and row["created_by"] == world.lead
    old, new = await queries.rubric(v1), await queries.rubric(v2)
    assert _content(new) == _content(old)
    # New rows, not shared ones.
    assert not {c["id"] for c in old["components"]} & {c["id"] for c in new["components"]}
    assert not {lv["id"] for lv in old["levels"]} & {lv["id"] for lv in new["levels"]}
    assert await CoreComponent.count() == 6 and await PracticeBehaviour.count() == 12
    assert await Descriptor.count() == 36
    page = await client.get(f"/profiles/{v2}")
    text = text_of(page.text)
    assert "Practice profile: Fathers as partners, version 2 (draft)" in text
    assert "Refined after the pilot" in text and "Changes since version 1" in text
    assert f'href="/profiles/{v1}"' in page.text and "Add a core component" in text


async def test_editing_version_2_leaves_version_1_byte_identical(client, world):
    made = await make_profile(world.initiative_id, components=2, behaviours=2)
    v1 = made["profile_id"]
    await set_status(v1, "approved")
    before = await rows_of_version(v1)
    v2 = await services.new_version(v1, world.lead, "Second")
    new = await queries.rubric(v2)
    component = new["components"][0]
    behaviour = component["behaviours"][0]
    levels = new["levels"]
    # Every kind of change a person can make to version 2, through the pages.
    await client.post_form(f"/profiles/{v2}/components", {"name": "Anti-bias supports"})
    await client.post_form(
        f"/components/{component['id']}/edit",
        {
            "name": "Renamed",
            "description": "New words",
            "saved": queries.component_fingerprint(component),
        },
    )
    await client.post_form(
        f"/behaviours/{behaviour['id']}/edit",
        {
            "text": "Changed",
            "role": "Manager",
            f"descriptor-{levels[0]['id']}": "Changed optimal",
            "saved": queries.behaviour_fingerprint(behaviour, behaviour["descriptors"]),
        },
    )
    await client.post_form(f"/components/{component['id']}/move", {"direction": "down"})
    await delete_confirmed(client, f"/behaviours/{component['behaviours'][1]['id']}/delete")
    await client.post_form(
        f"/profiles/{v2}/levels",
        {
            "saved": queries.levels_fingerprint(levels),
            **{f"label-{lv['id']}": lv["label"] + " level" for lv in levels},
            **{f"order-{lv['id']}": lv["position"] for lv in levels},
            f"fidelity-{levels[1]['id']}": "on",
        },
    )
    await delete_confirmed(client, f"/components/{new['components'][1]['id']}/delete")
    after_v2 = await queries.rubric(v2)
    assert after_v2["levels"][0]["label"] == "Optimal level"
    assert [c["name"] for c in after_v2["components"]] == ["Renamed", "Anti-bias supports"]
    assert await rows_of_version(v1) == before


async def test_only_the_latest_version_makes_a_new_one(client, world):
    made = await make_profile(world.initiative_id, components=1, behaviours=1)
    v1 = made["profile_id"]
    v2 = await services.new_version(v1, world.lead, "Second")
    page = await client.get(f"/profiles/{v1}")
    assert "Make version" not in page.text and "a newer version exists" in page.text
    response = await client.post_form(f"/profiles/{v1}/new-version", {"change_note": "Again"})
    assert response.status_code == 409
    assert "Version 1 is not the latest: make a new version from version 2" in response.text
    response = await client.post_form(f"/profiles/{v2}/new-version", {"change_note": ""})
    assert response.status_code == 422
    assert "Enter what changes in this version" in response.text
    assert "<title>Error:" in response.text
    assert await PracticeProfile.count() == 2


async def test_two_new_versions_at_once_make_one_and_a_409(client, client_as, world):
    made = await make_profile(world.initiative_id, components=2, behaviours=2)
    v1 = made["profile_id"]
    other = await client_as(world.users["team_member"])
    responses = await asyncio.gather(
        client.post_form(f"/profiles/{v1}/new-version", {"change_note": "Mine"}),
        other.post_form(f"/profiles/{v1}/new-version", {"change_note": "Theirs"}),
    )
    assert sorted(r.status_code for r in responses) == [303, 409]
    numbers = await PracticeProfile.select(PracticeProfile.number).order_by(PracticeProfile.number)
    assert [r["number"] for r in numbers] == [1, 2]
    v2 = (await PracticeProfile.select().where(PracticeProfile.number == 2))[0]["id"]
    assert _content(await queries.rubric(v2)) == _content(await queries.rubric(v1))


async def test_the_unique_index_turns_a_duplicate_number_into_a_conflict(world):
    """The last line of defence when two requests pass the "latest" check together."""
    made = await make_profile(world.initiative_id, components=1, behaviours=1)
    source = (await PracticeProfile.select().where(PracticeProfile.id == made["profile_id"]))[0]
    async with db.writing():
        await services._insert_version(source, 2, "First", world.lead)
    with pytest.raises(Conflict, match="Someone else made version 2 a moment ago"):
        async with db.writing():
            await services._insert_version(source, 2, "Second", world.lead)
    rows = await PracticeProfile.select(PracticeProfile.number, PracticeProfile.change_note)
    assert sorted((r["number"], r["change_note"]) for r in rows) == [(1, ""), (2, "First")]
