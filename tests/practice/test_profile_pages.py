"""The practice profile page: the rubric table, editing a draft, status, print view."""

from __future__ import annotations

from backend.practice import queries
from backend.practice.tables import (
    ContinuumLevel,
    CoreComponent,
    Descriptor,
    PracticeBehaviour,
    PracticeProfile,
)
from backend.scrum import services as scrum
from backend.traceability.tables import ItemComponent
from tests.practice.build import (
    delete_confirmed,
    make_intervention,
    make_profile,
    saved_of,
    set_status,
)
from tests.practice.html import tables_of, text_of


async def _profile(profile_id: int) -> dict:
    return (await PracticeProfile.select().where(PracticeProfile.id == profile_id))[0]


# ---------------------------------------------------------------- starting a profile


async def test_starting_a_profile_makes_a_draft_version_1_with_the_default_levels(client, world):
    intervention_id = await make_intervention(world.initiative_id)
    response = await client.post_form(f"/interventions/{intervention_id}/profiles")
    assert response.status_code == 303
    profile_id = int(response.headers["location"].rsplit("/", 1)[1])
    row = await _profile(profile_id)
    assert (row["number"], row["status"], row["initiative"]) == (1, "draft", world.initiative_id)
    assert row["created_by"] == world.lead
    levels = await queries.levels_of(profile_id)
    assert [(lv["position"], lv["label"], lv["meets_fidelity"]) for lv in levels] == [
        (1, "Optimal", True),
        (2, "Developmental", False),
        (3, "Unacceptable", False),
    ]
    page = await client.get(response.headers["location"])
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Practice profile: Fathers as partners, version 1 (draft)" in text
    assert "No core components yet" in text and "Optimal (meets fidelity)" in text
    assert "Add a core component" in text and "Make version 2" in text
    # Starting again is refused: new versions come from the latest one.
    response = await client.post_form(f"/interventions/{intervention_id}/profiles")
    assert response.status_code == 409
    assert "already has a practice profile" in response.text
    assert await PracticeProfile.count() == 1


# ---------------------------------------------------------------- the rubric table


async def test_the_rubric_table_reads_component_then_behaviour_then_level(client, world):
    made = await make_profile(world.initiative_id, components=2, behaviours=2)
    page = await client.get(f"/profiles/{made['profile_id']}")
    assert page.status_code == 200
    (table,) = [t for t in tables_of(page.text) if "rubric" in t["attrs"].get("class", "")]
    assert table["caption"].strip() == "Practice profile: Fathers as partners, version 1 (draft)"
    head = [(tag, attrs.get("scope"), text) for tag, attrs, text in table["head"]]
    assert head == [
        ("th", "col", "Practice behaviour"),
        ("th", "col", "Role"),
        ("th", "col", "Optimal (meets fidelity)"),
        ("th", "col", "Developmental"),
        ("th", "col", "Unacceptable"),
        ("th", "col", "Change"),
    ]
    assert len(table["bodies"]) == 2
    for n, body in enumerate(table["bodies"], start=1):
        group_header = body["rows"][0][0]
        assert group_header[0] == "th" and group_header[1]["scope"] == "rowgroup"
        assert group_header[2] == f"Component {n}"
        assert body["rows"][1][0][2] == f"About component {n}"  # the description row
        behaviour_rows = body["rows"][2:]
        assert [row[0][2] for row in behaviour_rows] == [f"Behaviour {n}.1", f"Behaviour {n}.2"]
        for b, row in enumerate(behaviour_rows, start=1):
            assert row[0][0] == "th" and row[0][1]["scope"] == "row"
            assert row[1][2] == "Worker"
            assert [cell[2] for cell in row[2:5]] == [
                f"Optimal for {n}.{b}",
                f"Developmental for {n}.{b}",
                f"Unacceptable for {n}.{b}",
            ]


async def test_readers_see_the_rubric_without_editing_controls(client_as, world):
    made = await make_profile(world.initiative_id, components=1, behaviours=1)
    for role in ("viewer", "liaison"):
        person = await client_as(world.users[role])
        page = await person.get(f"/profiles/{made['profile_id']}")
        assert page.status_code == 200
        assert "Behaviour 1.1" in page.text
        assert "Add a core component" not in page.text and "Change status" not in page.text
        assert "/move" not in page.text and "/delete" not in page.text
        (table,) = tables_of(page.text)
        assert "Change" not in [cell[2] for cell in table["head"]]


# ---------------------------------------------------------------- components


async def test_adding_editing_moving_and_deleting_components(client, world):
    made = await make_profile(world.initiative_id, components=2, behaviours=1)
    profile_id = made["profile_id"]
    first, second = made["component_ids"]
    response = await client.post_form(
        f"/profiles/{profile_id}/components",
        {"name": "Partnership", "description": "Working <b>with</b> families", "lineage": "x"},
    )
    assert response.status_code == 303
    added = (
        await CoreComponent.select().where(
            (CoreComponent.profile == profile_id) & (CoreComponent.name == "Partnership")
        )
    )[0]
    assert response.headers["location"] == f"/profiles/{profile_id}#component-{added['id']}"
    assert added["position"] == 3 and added["initiative"] == world.initiative_id
    assert len(added["lineage"]) == 32 and added["lineage"] != "x"
    page = await client.get(f"/profiles/{profile_id}")
    assert "Working &lt;b&gt;with&lt;/b&gt; families" in page.text

    page = await client.get(f"/components/{added['id']}/edit")
    assert 'value="Partnership"' in page.text
    saved = saved_of(page.text)
    response = await client.post_form(
        f"/components/{added['id']}/edit",
        {"name": "Partnership with families", "description": "", "saved": saved},
    )
    assert response.status_code == 303
    # The same form again is stale now: 409 with what was typed kept.
    response = await client.post_form(
        f"/components/{added['id']}/edit",
        {"name": "Mine", "description": "typed", "saved": saved},
    )
    assert response.status_code == 409
    assert "Someone else" in response.text and 'value="Mine"' in response.text
    assert "typed" in response.text
    row = (await CoreComponent.select().where(CoreComponent.id == added["id"]))[0]
    assert row["name"] == "Partnership with families" and row["description"] == ""

    response = await client.post_form(f"/components/{added['id']}/move", {"direction": "up"})
    assert response.status_code == 303
    order = (
        await CoreComponent.select(CoreComponent.id)
        .where(CoreComponent.profile == profile_id)
        .order_by(CoreComponent.position)
    )
    assert [r["id"] for r in order] == [first, added["id"], second]
    # Moving the first one up changes nothing.
    response = await client.post_form(f"/components/{first}/move", {"direction": "up"})
    assert response.status_code == 303
    response = await client.post_form(f"/components/{first}/move", {"direction": "sideways"})
    assert response.status_code == 422

    behaviours_before = await PracticeBehaviour.count()
    response = await delete_confirmed(client, f"/components/{first}/delete")
    assert response.status_code == 303
    assert not await CoreComponent.exists().where(CoreComponent.id == first)
    assert await PracticeBehaviour.count() == behaviours_before - 1


async def test_component_errors_come_back_on_the_profile_page(client, world):
    made = await make_profile(world.initiative_id, components=1, behaviours=1)
    response = await client.post_form(
        f"/profiles/{made['profile_id']}/components", {"name": "", "description": "Keep me"}
    )
    assert response.status_code == 422
    assert "<title>Error:" in response.text and 'href="#field-name"' in response.text
    assert "Keep me" in response.text and "Behaviour 1.1" in response.text
    assert await CoreComponent.count() == 1


# ---------------------------------------------------------------- behaviours


async def test_adding_a_behaviour_with_its_descriptors_from_the_component_page(client, world):
    made = await make_profile(world.initiative_id, components=1, behaviours=0)
    component_id = made["component_ids"][0]
    optimal, developmental, unacceptable = made["level_ids"]
    page = await client.get(f"/components/{component_id}")
    assert page.status_code == 200
    assert "Add a practice behaviour" in page.text
    assert f'for="field-descriptor-{optimal}"' in page.text
    assert "Stories acting on this" in page.text and "No story acts on this yet" in page.text
    response = await client.post_form(
        f"/components/{component_id}/behaviours",
        {
            "text": "Invites the father to every case planning meeting",
            "role": "Supervisor",
            f"descriptor-{optimal}": "Always, and asks how he wants to take part",
            f"descriptor-{developmental}": "Sometimes",
            f"descriptor-{unacceptable}": "",
        },
    )
    assert response.status_code == 303
    behaviour = (
        await PracticeBehaviour.select().where(PracticeBehaviour.component == component_id)
    )[0]
    assert response.headers["location"] == f"/components/{component_id}#behaviour-{behaviour['id']}"
    assert behaviour["role"] == "Supervisor" and behaviour["position"] == 1
    descriptors = await queries.descriptors_of(behaviour["id"])
    assert descriptors == {
        optimal: "Always, and asks how he wants to take part",
        developmental: "Sometimes",
    }
    page = await client.get(f"/profiles/{made['profile_id']}")
    text = text_of(page.text)
    assert "Invites the father to every case planning meeting Supervisor Always" in text
    assert "Not written yet" in text


async def test_behaviour_errors_keep_the_typed_descriptors(client, world):
    made = await make_profile(world.initiative_id, components=1, behaviours=0)
    component_id = made["component_ids"][0]
    optimal = made["level_ids"][0]
    response = await client.post_form(
        f"/components/{component_id}/behaviours",
        {"text": "", "role": "Judge", f"descriptor-{optimal}": "Typed optimal"},
    )
    assert response.status_code == 422
    assert "<title>Error:" in response.text
    assert "Enter practice behaviour" in response.text and "Choose role" in response.text
    assert "Typed optimal" in response.text
    assert await PracticeBehaviour.count() == 0


async def test_editing_a_behaviour_and_its_descriptor_at_every_level(client, world):
    made = await make_profile(world.initiative_id, components=1, behaviours=2)
    behaviour_id = made["behaviour_ids"][0]
    optimal, developmental, unacceptable = made["level_ids"]
    page = await client.get(f"/behaviours/{behaviour_id}/edit")
    assert page.status_code == 200
    assert "Optimal for 1.1" in page.text and "Unacceptable for 1.1" in page.text
    saved = saved_of(page.text)
    form = {
        "text": "Behaviour 1.1 reworded",
        "role": "Manager",
        f"descriptor-{optimal}": "New optimal",
        f"descriptor-{developmental}": "Developmental for 1.1",
        f"descriptor-{unacceptable}": "",
        "saved": saved,
    }
    response = await client.post_form(f"/behaviours/{behaviour_id}/edit", form)
    assert response.status_code == 303
    row = (await PracticeBehaviour.select().where(PracticeBehaviour.id == behaviour_id))[0]
    assert (row["text"], row["role"]) == ("Behaviour 1.1 reworded", "Manager")
    assert await queries.descriptors_of(behaviour_id) == {
        optimal: "New optimal",
        developmental: "Developmental for 1.1",
        unacceptable: "",
    }
    # Saving the old form again: the first edit survives (DATA-01).
    response = await client.post_form(
        f"/behaviours/{behaviour_id}/edit", {**form, "text": "Second edit"}
    )
    assert response.status_code == 409
    assert "Someone else changed this practice behaviour" in response.text
    assert "Second edit" in response.text and "Behaviour 1.1 reworded" in response.text
    row = (await PracticeBehaviour.select().where(PracticeBehaviour.id == behaviour_id))[0]
    assert row["text"] == "Behaviour 1.1 reworded"


async def test_moving_and_deleting_behaviours(client, world):
    made = await make_profile(world.initiative_id, components=1, behaviours=3)
    a, b, c = made["behaviour_ids"]
    component_id = made["component_ids"][0]
    response = await client.post_form(
        f"/behaviours/{c}/move", {"direction": "up", "return_to": "component"}
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/components/{component_id}#behaviour-{c}"
    order = (
        await PracticeBehaviour.select(PracticeBehaviour.id)
        .where(PracticeBehaviour.component == component_id)
        .order_by(PracticeBehaviour.position)
    )
    assert [r["id"] for r in order] == [a, c, b]
    response = await client.post_form(f"/behaviours/{a}/move", {"direction": "down"})
    assert response.headers["location"] == f"/profiles/{made['profile_id']}#behaviour-{a}"
    response = await delete_confirmed(client, f"/behaviours/{a}/delete")
    assert response.status_code == 303
    assert not await PracticeBehaviour.exists().where(PracticeBehaviour.id == a)
    assert not await Descriptor.exists().where(Descriptor.behaviour == a)
    remaining = (
        await PracticeBehaviour.select(PracticeBehaviour.id)
        .where(PracticeBehaviour.component == component_id)
        .order_by(PracticeBehaviour.position)
    )
    assert [r["id"] for r in remaining] == [c, b]


# ---------------------------------------------------------------- continuum levels


def _levels_form(levels: list[dict], saved: str, **changes) -> dict:
    form = {"saved": saved}
    for level in levels:
        form[f"label-{level['id']}"] = level["label"]
        form[f"order-{level['id']}"] = level["position"]
        if level["meets_fidelity"]:
            form[f"fidelity-{level['id']}"] = "on"
    form.update(changes)
    return form


async def test_renaming_adding_reordering_and_deleting_levels(client, world):
    made = await make_profile(world.initiative_id, components=1, behaviours=1)
    profile_id = made["profile_id"]
    optimal, developmental, unacceptable = made["level_ids"]
    page = await client.get(f"/profiles/{profile_id}/levels")
    assert page.status_code == 200 and 'value="Developmental"' in page.text
    saved = saved_of(page.text)
    levels = await queries.levels_of(profile_id)
    form = _levels_form(
        levels,
        saved,
        **{
            f"label-{optimal}": "Proficient",
            f"fidelity-{developmental}": "on",
            f"delete-{unacceptable}": "on",
            "label-new": "Expected",
            "order-new": "1",
            "fidelity-new": "on",
        },
    )
    response = await client.post_form(f"/profiles/{profile_id}/levels", form)
    assert response.status_code == 303
    after = await queries.levels_of(profile_id)
    assert [(lv["label"], lv["meets_fidelity"]) for lv in after] == [
        ("Expected", True),
        ("Proficient", True),
        ("Developmental", True),
    ]
    assert [lv["position"] for lv in after] == [1, 2, 3]
    assert not await Descriptor.exists().where(Descriptor.level == unacceptable)
    page = await client.get(f"/profiles/{profile_id}")
    (table,) = tables_of(page.text)
    assert [cell[2] for cell in table["head"]][2:5] == [
        "Expected (meets fidelity)",
        "Proficient (meets fidelity)",
        "Developmental (meets fidelity)",
    ]
    # The form loaded before that save is stale now.
    response = await client.post_form(f"/profiles/{profile_id}/levels", form)
    assert response.status_code == 409 and "Someone else changed" in response.text


async def test_a_continuum_keeps_two_levels_one_meeting_fidelity(client, world):
    made = await make_profile(world.initiative_id, components=1, behaviours=1)
    profile_id = made["profile_id"]
    optimal, developmental, unacceptable = made["level_ids"]
    levels = await queries.levels_of(profile_id)
    saved = queries.levels_fingerprint(levels)
    url = f"/profiles/{profile_id}/levels"
    cases = [
        ({f"delete-{developmental}": "on", f"delete-{unacceptable}": "on"}, "Keep at least 2"),
        ({f"fidelity-{optimal}": ""}, "Mark at least one level as meeting fidelity"),
        ({f"label-{developmental}": "optimal"}, "Give every level a different name"),
        ({f"label-{optimal}": ""}, "Enter name of level 1"),
        ({f"order-{optimal}": "first"}, "Order of level 1 must be a whole number"),
        ({f"label-{optimal}": "X" * 61}, "60 characters or fewer"),
    ]
    for changes, message in cases:
        form = _levels_form(levels, saved, **changes)
        form = {k: v for k, v in form.items() if v != ""}
        response = await client.post_form(url, form)
        assert response.status_code == 422, changes
        assert message in response.text, (message, changes)
        assert "<title>Error:" in response.text
    assert await queries.levels_of(profile_id) == levels


# ---------------------------------------------------------------- status


async def test_team_roles_move_drafts_to_testing_only_the_lead_approves(client, client_as, world):
    made = await make_profile(world.initiative_id, components=1, behaviours=1)
    profile_id = made["profile_id"]
    member = await client_as(world.users["team_member"])
    version = (await _profile(profile_id))["version"]
    response = await member.post_form(
        f"/profiles/{profile_id}/status", {"status": "testing", "version": version}
    )
    assert response.status_code == 303
    row = await _profile(profile_id)
    assert row["status"] == "testing"
    page = await member.get(f"/profiles/{profile_id}")
    assert '<option value="draft"' in page.text and '<option value="approved"' not in page.text

    owner = await client_as(world.users["product_owner"])
    response = await owner.post_form(
        f"/profiles/{profile_id}/status", {"status": "approved", "version": row["version"]}
    )
    assert response.status_code == 403
    assert (await _profile(profile_id))["status"] == "testing"

    page = await client.get(f"/profiles/{profile_id}")
    assert '<option value="approved"' in page.text
    response = await client.post_form(
        f"/profiles/{profile_id}/status", {"status": "approved", "version": row["version"]}
    )
    assert response.status_code == 303
    assert (await _profile(profile_id))["status"] == "approved"
    # The same form again is stale.
    response = await client.post_form(
        f"/profiles/{profile_id}/status", {"status": "retired", "version": row["version"]}
    )
    assert response.status_code == 409
    response = await client.post_form(
        f"/profiles/{profile_id}/status", {"status": "promoted", "version": row["version"] + 1}
    )
    assert response.status_code == 422
    response = await client.post_form(f"/profiles/{profile_id}/status", {"status": "draft"})
    assert response.status_code == 400
    assert (await _profile(profile_id))["status"] == "approved"


async def test_an_approved_version_refuses_every_change_with_409(client, world):
    made = await make_profile(world.initiative_id, components=2, behaviours=2)
    profile_id = made["profile_id"]
    await set_status(profile_id, "approved")
    component, behaviour = made["component_ids"][0], made["behaviour_ids"][0]
    page = await client.get(f"/profiles/{profile_id}")
    assert "Version 1 is approved: make a new version to change it. It stays as it is." in (
        text_of(page.text)
    )
    assert "Add a core component" not in page.text and "/move" not in page.text
    before = await queries.rubric(profile_id)
    version = (await _profile(profile_id))["version"]
    attempts = [
        (f"/profiles/{profile_id}/components", {"name": "Late"}),
        (f"/components/{component}/edit", {"name": "Late", "saved": "x"}),
        (f"/components/{component}/move", {"direction": "down"}),
        (f"/components/{component}/delete", {}),
        (f"/components/{component}/behaviours", {"text": "Late", "role": "Worker"}),
        (f"/behaviours/{behaviour}/edit", {"text": "Late", "role": "Worker", "saved": "x"}),
        (f"/behaviours/{behaviour}/move", {"direction": "down"}),
        (f"/behaviours/{behaviour}/delete", {}),
        (f"/profiles/{profile_id}/levels", {"label-new": "Late", "saved": "x"}),
        (f"/profiles/{profile_id}/status", {"status": "draft", "version": version}),
    ]
    for url, form in attempts:
        response = await client.post_form(url, form)
        assert response.status_code == 409, url
        assert "Version 1 is approved: make a new version to change it" in response.text, url
    for url in (
        f"/components/{component}/edit",
        f"/behaviours/{behaviour}/edit",
        f"/profiles/{profile_id}/levels",
    ):
        response = await client.get(url)
        assert response.status_code == 409, url
    assert await queries.rubric(profile_id) == before
    assert (await _profile(profile_id))["status"] == "approved"


async def test_approving_a_version_retires_the_one_approved_before(client, world):
    made = await make_profile(world.initiative_id, components=1, behaviours=1)
    v1 = made["profile_id"]
    await set_status(v1, "approved")
    response = await client.post_form(
        f"/profiles/{v1}/new-version", {"change_note": "Adds anti-bias supports"}
    )
    assert response.status_code == 303
    v2 = int(response.headers["location"].rsplit("/", 1)[1])
    version = (await _profile(v2))["version"]
    response = await client.post_form(
        f"/profiles/{v2}/status", {"status": "approved", "version": version}
    )
    assert response.status_code == 303
    assert (await _profile(v1))["status"] == "retired"
    assert (await _profile(v2))["status"] == "approved"
    page = await client.get(f"/interventions/{made['intervention_id']}")
    text = text_of(page.text)
    assert "Version 1 Retired" in text and "Version 2 Approved Adds anti-bias supports" in text
    # A retired version can be approved again, which retires the other one.
    await set_status(v1, "approved")
    assert (await _profile(v2))["status"] == "retired"


async def test_a_content_change_makes_an_open_status_form_stale(client, client_as, world):
    made = await make_profile(world.initiative_id, components=1, behaviours=1)
    profile_id = made["profile_id"]
    version = (await _profile(profile_id))["version"]
    member = await client_as(world.users["team_member"])
    await member.post_form(f"/profiles/{profile_id}/components", {"name": "Late addition"})
    response = await client.post_form(
        f"/profiles/{profile_id}/status", {"status": "approved", "version": version}
    )
    assert response.status_code == 409
    assert "Late addition" in response.text  # the page shows the version as saved now
    assert (await _profile(profile_id))["status"] == "draft"


# ---------------------------------------------------------------- component page


async def test_the_component_page_lists_the_stories_acting_on_it(client, world):
    made = await make_profile(world.initiative_id, components=1, behaviours=2)
    component_id = made["component_ids"][0]
    item = await scrum.create_item(world.initiative_id, {"title": "Train supervisors"})
    await ItemComponent.insert(ItemComponent(item=item, component=component_id))
    page = await client.get(f"/components/{component_id}")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Core component: Component 1" in text and "About component 1" in text
    assert "Behaviour 1.2" in text and "Optimal for 1.2" in text
    assert f"#{item} Train supervisors" in text


# ---------------------------------------------------------------- print


async def test_the_print_view_has_no_navigation_and_breaks_pages_between_components(client, world):
    made = await make_profile(world.initiative_id, components=3, behaviours=2)
    await set_status(made["profile_id"], "testing")
    page = await client.get(f"/profiles/{made['profile_id']}/print")
    assert page.status_code == 200
    html = page.text
    assert "<title>Practice profile: Fathers as partners, version 1 (testing) · Tandem</title>" in (
        html
    )
    assert "<h1>Practice profile: Fathers as partners, version 1 (testing)</h1>" in html
    assert "<nav" not in html and "site-header" not in html and "initiative-nav" not in html
    assert "<form" not in html and "<button" not in html
    assert html.count('class="print-component page-break"') == 2  # not before the first
    assert html.count('class="print-component"') == 1
    assert 'href="/static/css/print.css" media="print"' in html
    tables = tables_of(html)
    assert len(tables) == 3
    for table in tables:
        assert [c[2] for c in table["head"]] == [
            "Practice behaviour",
            "Role",
            "Optimal (meets fidelity)",
            "Developmental",
            "Unacceptable",
        ]
    css = (await client.get("/static/css/print.css")).text
    assert "break-before: page" in css and "display: table-header-group" in css


# ---------------------------------------------------------------- roles and bad input


async def test_viewers_and_liaisons_cannot_change_a_profile(client_as, world):
    made = await make_profile(world.initiative_id, components=1, behaviours=1)
    profile_id, component, behaviour = (
        made["profile_id"],
        made["component_ids"][0],
        made["behaviour_ids"][0],
    )
    before = await queries.rubric(profile_id)
    for role in ("viewer", "liaison"):
        person = await client_as(world.users[role])
        for url in (
            f"/profiles/{profile_id}/components",
            f"/profiles/{profile_id}/status",
            f"/profiles/{profile_id}/new-version",
            f"/profiles/{profile_id}/levels",
            f"/components/{component}/edit",
            f"/components/{component}/behaviours",
            f"/behaviours/{behaviour}/delete",
        ):
            response = await person.post_form(url, {"name": "x", "status": "testing"})
            assert response.status_code == 403, (role, url)
        for url in (f"/components/{component}/edit", f"/profiles/{profile_id}/levels"):
            assert (await person.get(url)).status_code == 403, (role, url)
    assert await queries.rubric(profile_id) == before
    assert await PracticeProfile.count() == 1


async def test_another_agency_gets_404_for_every_profile_page(client_as, world):
    made = await make_profile(world.initiative_id, components=1, behaviours=1)
    outsider = await client_as(world.users["other_lead"])
    profile_id = made["profile_id"]
    for url in (
        f"/profiles/{profile_id}",
        f"/profiles/{profile_id}/print",
        f"/profiles/{profile_id}/diff",
        f"/profiles/{profile_id}/levels",
        f"/components/{made['component_ids'][0]}",
        f"/behaviours/{made['behaviour_ids'][0]}/edit",
    ):
        response = await outsider.get(url)
        assert response.status_code == 404, url
        assert "Fathers as partners" not in response.text
    response = await outsider.post_form(f"/profiles/{profile_id}/new-version", {"change_note": "x"})
    assert response.status_code == 404
    assert await PracticeProfile.count() == 1


async def test_junk_posts_from_the_lead_are_refused_never_500(client, world):
    made = await make_profile(world.initiative_id, components=1, behaviours=1)
    profile_id, component, behaviour = (
        made["profile_id"],
        made["component_ids"][0],
        made["behaviour_ids"][0],
    )
    junk = [
        {},
        {"name": ["a", "b"], "text": ["a", "b"], "status": ["x"], "direction": ["up", "up"]},
        {"name": "\x00", "saved": ["1", "2"], "version": "99999999999999", "change_note": "\x00"},
        {"label-new": "New", "order-new": "-4", "saved": "junk"},
    ]
    urls = [
        f"/initiatives/{world.initiative_id}/interventions/new",
        f"/interventions/{made['intervention_id']}/edit",
        f"/profiles/{profile_id}/components",
        f"/profiles/{profile_id}/status",
        f"/profiles/{profile_id}/new-version",
        f"/profiles/{profile_id}/levels",
        f"/components/{component}/edit",
        f"/components/{component}/move",
        f"/components/{component}/behaviours",
        f"/behaviours/{behaviour}/edit",
        f"/behaviours/{behaviour}/move",
    ]
    for url in urls:
        for form in junk:
            response = await client.post_form(url, form)
            assert 400 <= response.status_code < 500, (url, form, response.status_code)
    for url in ("/profiles/999999", "/components/999999", "/behaviours/999999/edit"):
        assert (await client.get(url)).status_code == 404
    assert (await client.post_form("/components/999999/delete")).status_code == 404
    assert await CoreComponent.count() == 1 and await ContinuumLevel.count() == 3
