"""Only the latest version of a practice profile changes: an older version is history even
while it is still a draft, so every write to it is a 409 naming the version to change."""

from __future__ import annotations

import pytest

from backend.errors import Conflict
from backend.practice import queries, services
from backend.practice.tables import TABLES as PRACTICE_TABLES
from backend.practice.tables import PracticeProfile
from backend.scrum import services as scrum
from backend.traceability.tables import ItemComponent
from tests.practice.build import make_profile, saved_of, set_status
from tests.practice.html import tables_of, text_of

TABLES = (*PRACTICE_TABLES, ItemComponent)
NOT_LATEST = "Version 1 is not the latest version: make changes in version 2"


async def everything() -> dict[str, list[dict]]:
    """Every column of every practice row (and story link), in id order."""
    return {t._meta.tablename: await t.select().order_by(t.id) for t in TABLES}


async def _profile(profile_id: int) -> dict:
    return (await PracticeProfile.select().where(PracticeProfile.id == profile_id))[0]


async def _old_draft(world, status: str = "draft") -> dict:
    """Version 1 left at `status` (draft or testing) after version 2 was made from it."""
    made = await make_profile(world.initiative_id, components=2, behaviours=2)
    if status != "draft":
        await set_status(made["profile_id"], status)
    made["v2"] = await services.new_version(made["profile_id"], world.lead, "Second")
    return made


async def test_every_write_to_an_older_draft_is_a_409_and_changes_nothing(client, world):
    made = await _old_draft(world)
    v1 = made["profile_id"]
    component, behaviour = made["component_ids"][0], made["behaviour_ids"][0]
    levels = await queries.levels_of(v1)
    component_row = await queries.component_or_404(component)
    behaviour_row = await queries.behaviour_or_404(behaviour)
    descriptors = await queries.descriptors_of(behaviour)
    contents = (await queries.rubric(v1, component))["components"][0]
    version = (await _profile(v1))["version"]
    optimal = made["level_ids"][0]
    # Each form as its page would send it (right fingerprints and version), so only
    # the version being old stands in the way.
    attempts = [
        (f"/profiles/{v1}/components", {"name": "Late", "description": ""}),
        (
            f"/components/{component}/edit",
            {
                "name": "Late",
                "description": "",
                "saved": queries.component_fingerprint(component_row),
            },
        ),
        (f"/components/{component}/move", {"direction": "down"}),
        (f"/components/{component}/delete", {"saved": queries.contents_fingerprint(contents)}),
        (
            f"/components/{component}/behaviours",
            {"text": "Late", "role": "Worker", f"descriptor-{optimal}": "Late"},
        ),
        (
            f"/behaviours/{behaviour}/edit",
            {
                "text": "Late",
                "role": "Worker",
                "saved": queries.behaviour_fingerprint(behaviour_row, descriptors),
            },
        ),
        (f"/behaviours/{behaviour}/move", {"direction": "down"}),
        (
            f"/behaviours/{behaviour}/delete",
            {"saved": queries.behaviour_fingerprint(behaviour_row, descriptors)},
        ),
        (
            f"/profiles/{v1}/levels",
            {
                "saved": queries.levels_fingerprint(levels),
                **{f"label-{lv['id']}": lv["label"] + " late" for lv in levels},
                **{f"order-{lv['id']}": lv["position"] for lv in levels},
                f"fidelity-{optimal}": "on",
            },
        ),
        (f"/profiles/{v1}/status", {"status": "testing", "version": version}),
        (f"/profiles/{v1}/status", {"status": "approved", "version": version}),
    ]
    before = await everything()
    for url, form in attempts:
        response = await client.post_form(url, form)
        assert response.status_code == 409, (url, form.get("status"), response.status_code)
        assert NOT_LATEST in text_of(response.text), url
    for url in (
        f"/components/{component}/edit",
        f"/components/{component}/delete",
        f"/behaviours/{behaviour}/edit",
        f"/behaviours/{behaviour}/delete",
        f"/profiles/{v1}/levels",
    ):
        response = await client.get(url)
        assert response.status_code == 409, url
        assert NOT_LATEST in text_of(response.text), url
    assert await everything() == before
    # Version 2 takes the same changes.
    response = await client.post_form(f"/profiles/{made['v2']}/components", {"name": "New"})
    assert response.status_code == 303


async def test_an_older_testing_version_cannot_go_back_to_draft(client, world):
    made = await _old_draft(world, "testing")
    v1 = made["profile_id"]
    before = await everything()
    for status in ("draft", "approved", "retired"):
        response = await client.post_form(
            f"/profiles/{v1}/status", {"status": status, "version": (await _profile(v1))["version"]}
        )
        assert response.status_code == 409, status
        assert NOT_LATEST in text_of(response.text), status
    assert await everything() == before
    for status in ("draft", "approved"):  # the service refuses it whoever calls
        with pytest.raises(Conflict, match=NOT_LATEST):
            await set_status(v1, status)
    assert (await _profile(v1))["status"] == "testing"


async def test_an_older_draft_shows_no_edit_controls_and_says_where_to_change(client, world):
    made = await _old_draft(world)
    v1, v2 = made["profile_id"], made["v2"]
    component = made["component_ids"][0]
    page = await client.get(f"/profiles/{v1}")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Version 1 is not the latest version: it stays as it is. Make changes in version 2." in (
        text
    )
    assert f'<a href="/profiles/{v2}">version 2</a>' in page.text
    assert "Version 1 of 2 (a newer version exists)" in text
    for control in (
        "Add a core component",
        "Change this version",
        "Change status",
        "Make version",
        "Add a behaviour",
        "/move",
        "/delete",
        "/edit",
        "/levels",
    ):
        assert control not in page.text, control
    (table,) = [t for t in tables_of(page.text) if "rubric" in t["attrs"].get("class", "")]
    assert "Change" not in [cell[2] for cell in table["head"]]
    assert "Behaviour 1.1" in text  # still readable
    page = await client.get(f"/components/{component}")
    assert page.status_code == 200
    assert "Add a practice behaviour" not in page.text and "/edit" not in page.text
    assert "/delete" not in page.text and "Behaviour 1.2" in page.text
    # The latest version has them all.
    page = await client.get(f"/profiles/{v2}")
    assert "Add a core component" in page.text and "Change status" in page.text
    assert "not the latest version" not in page.text


async def test_an_approved_then_retired_older_version_may_be_approved_again(client, world):
    """Going back to a version approved before stays possible, and is the only status
    change an older version takes: editing it or moving it to draft is refused."""
    made = await make_profile(world.initiative_id, components=1, behaviours=1)
    v1 = made["profile_id"]
    await set_status(v1, "approved")
    v2 = await services.new_version(v1, world.lead, "Second")
    await set_status(v2, "approved")
    v3 = await services.new_version(v2, world.lead, "Third")
    assert (await _profile(v1))["status"] == "retired"
    page = await client.get(f"/profiles/{v1}")
    assert '<option value="approved"' in page.text
    assert '<option value="draft"' not in page.text and "Make version" not in page.text
    assert "Add a core component" not in page.text
    response = await client.post_form(
        f"/profiles/{v1}/status", {"status": "approved", "version": (await _profile(v1))["version"]}
    )
    assert response.status_code == 303
    statuses = [(await _profile(p))["status"] for p in (v1, v2, v3)]
    assert statuses == ["approved", "retired", "draft"]
    before = await everything()
    response = await client.post_form(
        f"/profiles/{v2}/status", {"status": "draft", "version": (await _profile(v2))["version"]}
    )
    assert response.status_code == 409
    assert "Version 2 is not the latest version: make changes in version 3" in text_of(
        response.text
    )
    response = await client.post_form(f"/profiles/{v1}/components", {"name": "Late"})
    assert response.status_code == 409
    assert "Version 1 is not the latest version: make changes in version 3" in text_of(
        response.text
    )
    assert await everything() == before
    # Retiring an older approved version is a decision that stays possible too.
    response = await client.post_form(
        f"/profiles/{v1}/status", {"status": "retired", "version": (await _profile(v1))["version"]}
    )
    assert response.status_code == 303
    assert (await _profile(v1))["status"] == "retired"


async def test_a_page_loaded_before_the_new_version_is_refused_too(client, world):
    """The edit form of version 1 was opened while it was the latest; version 2 is made
    before it is sent: the save is refused, and the story link to version 1 stays."""
    made = await make_profile(world.initiative_id, components=1, behaviours=1)
    v1, component = made["profile_id"], made["component_ids"][0]
    item = await scrum.create_item(world.initiative_id, {"title": "Train supervisors"})
    await ItemComponent.insert(ItemComponent(item=item, component=component))
    page = await client.get(f"/components/{component}/delete")
    assert page.status_code == 200
    saved = saved_of(page.text)
    await services.new_version(v1, world.lead, "Second")
    before = await everything()
    response = await client.post_form(f"/components/{component}/delete", {"saved": saved})
    assert response.status_code == 409
    assert NOT_LATEST in text_of(response.text)
    assert await everything() == before
