"""A liaison's sign-off of a sprint review and of a stage gate decision: what people
see, who may decide, the history kept, and who is told."""

from __future__ import annotations

import re

from backend.initiatives.tables import GateDecision, GateSignOff
from backend.reviews.tables import Notification, SprintSignOff
from backend.scrum import services as scrum
from tests.factories import make_items
from tests.html_checks import assert_well_formed

EXPLORATION = 1  # the first C&I stage (position 1)


async def closed_sprint(world, goal: str = "Try the profile") -> int:
    sprint = await scrum.create_sprint(world.initiative_id, {"goal": goal})
    items = await make_items(world.initiative_id, 2, estimate=3)
    await scrum.assign_sprint(world.initiative_id, items, sprint)
    await scrum.start_sprint(sprint)
    await scrum.move_item(items[0], world.done)
    await scrum.complete_sprint(sprint, "backlog")
    return sprint


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def section(html: str) -> str:
    return html.split('id="sign-off-h"')[1].split("</section>")[0]


async def notes_for(user_id: int) -> list[dict]:
    return await Notification.select().where(Notification.user == user_id).order_by(Notification.id)


# ---------------------------------------------------------------- the sprint page


async def test_a_liaison_signs_off_a_closed_sprint_and_the_history_is_kept(client_as, world):
    sprint = await closed_sprint(world)
    liaison = await client_as(world.users["liaison"])
    page = await liaison.get(f"/sprints/{sprint}")
    assert page.status_code == 200
    assert_well_formed(page.text, "sprint page")
    assert "Review sign-off" in page.text and "No sign-off decision yet." in page.text
    assert f'action="/sprints/{sprint}/sign-off"' in page.text

    first = await liaison.post_form(
        f"/sprints/{sprint}/sign-off",
        {"decision": "changes_requested", "comment": "Say what *was* learnt"},
    )
    assert first.status_code == 303
    assert first.headers["location"] == f"/sprints/{sprint}#sign-off"
    second = await liaison.post_form(
        f"/sprints/{sprint}/sign-off", {"decision": "signed_off", "comment": ""}
    )
    assert second.status_code == 303

    rows = await SprintSignOff.select().order_by(SprintSignOff.id)
    assert [r["decision"] for r in rows] == ["changes_requested", "signed_off"]
    assert all(r["signed_by"] == world.users["liaison"] for r in rows)

    # Newest first, in words, with who and the comment rendered as markdown.
    lead = await client_as(world.lead)
    html = (await lead.get(f"/sprints/{sprint}")).text
    history = text_of(section(html))
    assert history.index("Signed off by Lia Liaison") < history.index(
        "Changes requested by Lia Liaison"
    )
    assert "(latest)" in history.split("Changes requested")[0]
    assert "<em>was</em>" in section(html)
    # The team sees the history but no form.
    assert "reviews.sprint_sign_off" not in html and 'name="decision"' not in section(html)


async def test_changes_requested_needs_a_comment_and_keeps_what_was_typed(client_as, world):
    sprint = await closed_sprint(world)
    liaison = await client_as(world.users["liaison"])
    response = await liaison.post_form(
        f"/sprints/{sprint}/sign-off", {"decision": "changes_requested", "comment": "  "}
    )
    assert response.status_code == 422
    assert_well_formed(response.text, "422")
    assert "<title>Error:" in response.text
    assert 'href="#field-sign_off_comment"' in response.text
    assert "a comment is needed when you request changes" in response.text
    assert 'value="changes_requested" id="field-sign_off_decision-changes_requested" checked' in (
        response.text
    )

    nothing = await liaison.post_form(f"/sprints/{sprint}/sign-off", {"comment": "Looks good"})
    assert nothing.status_code == 422
    assert 'href="#field-sign_off_decision"' in nothing.text
    assert ">Looks good</textarea>" in nothing.text
    assert await SprintSignOff.count() == 0


async def test_the_comment_is_checked_for_personal_information(client_as, world):
    sprint = await closed_sprint(world)
    liaison = await client_as(world.users["liaison"])
    data = {"decision": "changes_requested", "comment": "Call dad@example.com"}
    refused = await liaison.post_form(f"/sprints/{sprint}/sign-off", data)
    assert refused.status_code == 422 and "an email address" in refused.text
    assert refused.text.count('id="field-pii_confirmed"') == 1
    assert await SprintSignOff.count() == 0
    confirmed = await liaison.post_form(
        f"/sprints/{sprint}/sign-off", {**data, "pii_confirmed": "yes"}
    )
    assert confirmed.status_code == 303 and await SprintSignOff.count() == 1


async def test_only_a_closed_sprint_can_be_signed_off(client_as, world):
    sprint = await scrum.create_sprint(world.initiative_id, {"goal": "Not yet"})
    await scrum.start_sprint(sprint)
    liaison = await client_as(world.users["liaison"])
    page = (await liaison.get(f"/sprints/{sprint}")).text
    assert "Only a closed sprint's review can be signed off" in page
    assert 'name="decision"' not in section(page)
    response = await liaison.post_form(f"/sprints/{sprint}/sign-off", {"decision": "signed_off"})
    assert response.status_code == 409 and "only a closed sprint" in response.text
    assert await SprintSignOff.count() == 0


async def test_who_may_sign_off_a_sprint_review(client_as, world):
    sprint = await closed_sprint(world)
    data = {"decision": "signed_off", "comment": "x"}
    for role in ("agency_lead", "product_owner", "scrum_master", "team_member", "viewer"):
        person = await client_as(world.users[role])
        response = await person.post_form(f"/sprints/{sprint}/sign-off", data)
        assert response.status_code == 403, role
        page = (await person.get(f"/sprints/{sprint}")).text
        assert "Review sign-off" in page and 'name="decision"' not in section(page)
    outsider = await client_as(world.users["other_lead"])
    assert (await outsider.post_form(f"/sprints/{sprint}/sign-off", data)).status_code == 404
    assert (await outsider.get(f"/sprints/{sprint}")).status_code == 404
    assert await SprintSignOff.count() == 0


async def test_another_agencys_liaison_gets_not_found(client_as, world):
    from backend.accounts import services as accounts
    from tests.factories import make_user

    other_liaison = await make_user("Olga Elsewhere", "olga@test.example")
    await accounts.assign_liaison(other_liaison, world.other_agency_id)
    sprint = await closed_sprint(world)
    person = await client_as(other_liaison)
    response = await person.post_form(f"/sprints/{sprint}/sign-off", {"decision": "signed_off"})
    assert response.status_code == 404
    assert (await person.get(f"/api/sprints/{sprint}/sign-offs")).status_code == 404
    assert await SprintSignOff.count() == 0


# ---------------------------------------------------------------- who is told


async def test_closing_a_sprint_tells_the_liaisons_it_is_ready(world):
    sprint = await closed_sprint(world, goal="Ready")
    rows = await Notification.select().where(Notification.kind == "review_ready")
    assert [r["user"] for r in rows] == [world.users["liaison"]]
    assert rows[0]["url"] == f"/sprints/{sprint}#sign-off"
    assert "ready for your sign-off" in rows[0]["text"]
    assert rows[0]["agency"] == world.agency_id


async def test_a_decision_tells_the_lead_roles_and_not_the_liaison(client_as, world):
    sprint = await closed_sprint(world)
    liaison = await client_as(world.users["liaison"])
    await liaison.post_form(
        f"/sprints/{sprint}/sign-off", {"decision": "changes_requested", "comment": "More"}
    )
    await liaison.post_form(f"/sprints/{sprint}/sign-off", {"decision": "signed_off"})
    rows = await Notification.select().where(Notification.kind != "review_ready")
    told = {(r["user"], r["kind"]) for r in rows}
    answering = [world.users[r] for r in ("agency_lead", "product_owner", "scrum_master")]
    assert told == {(u, k) for u in answering for k in ("changes_requested", "sign_off")}
    assert all(r["url"] == f"/sprints/{sprint}#sign-off" for r in rows)
    assert all(r["actor"] == world.users["liaison"] for r in rows)
    assert "Lia Liaison requested changes to the review of sprint" in rows[0]["text"]
    for quiet in ("team_member", "viewer", "liaison"):
        assert [n for n in await notes_for(world.users[quiet]) if n["kind"] != "review_ready"] == []


# ---------------------------------------------------------------- PERF-01


async def test_the_sprint_page_query_count_does_not_grow_with_sign_offs(
    client_as, world, count_queries
):
    sprint = await closed_sprint(world)
    liaison = await client_as(world.users["liaison"])
    await liaison.post_form(f"/sprints/{sprint}/sign-off", {"decision": "signed_off"})
    await liaison.get(f"/sprints/{sprint}")  # warm the session
    with count_queries() as few:
        await liaison.get(f"/sprints/{sprint}")
    for n in range(6):
        await liaison.post_form(
            f"/sprints/{sprint}/sign-off", {"decision": "changes_requested", "comment": f"c{n}"}
        )
    with count_queries() as many:
        page = await liaison.get(f"/sprints/{sprint}")
    assert page.text.count('class="sign-off sign-off--') == 7
    assert many.count == few.count


# ---------------------------------------------------------------- stage gates


async def gate_decision(client, world) -> int:
    stage = world.stages[0]["id"]
    url = f"/initiatives/{world.initiative_id}/stages/{stage}/gate"
    assert (await client.post_form(url, {"decision": "hold"})).status_code == 303
    return (await GateDecision.select(GateDecision.id))[0]["id"]


async def test_a_gate_outcome_changes_requested_needs_a_comment_and_is_shown(
    client, client_as, world
):
    decision = await gate_decision(client, world)
    liaison = await client_as(world.users["liaison"])
    url = f"/gate-decisions/{decision}/sign-off"
    refused = await liaison.post_form(url, {"outcome": "changes_requested", "comment": ""})
    assert refused.status_code == 422
    assert f'href="#field-signoff-{decision}-comment"' in refused.text
    assert "a comment is needed when you request changes" in refused.text
    assert_well_formed(refused.text, "gate 422")
    bad = await liaison.post_form(url, {"outcome": "maybe"})
    assert bad.status_code == 422 and f'href="#field-signoff-{decision}-outcome"' in bad.text
    assert await GateSignOff.count() == 0

    ok = await liaison.post_form(url, {"outcome": "changes_requested", "comment": "Add data"})
    assert ok.status_code == 303
    await liaison.post_form(url, {"outcome": "signed_off"})
    rows = await GateSignOff.select().order_by(GateSignOff.id)
    assert [r["outcome"] for r in rows] == ["changes_requested", "signed_off"]

    stage = world.stages[0]["id"]
    page = (await client.get(f"/initiatives/{world.initiative_id}/stages/{stage}")).text
    shown = text_of(page)
    assert "Changes requested by Lia Liaison" in shown and "Signed off by Lia Liaison" in shown

    told = await Notification.select().where(
        Notification.kind.is_in(["sign_off", "changes_requested"])
    )
    answering = {world.users[r] for r in ("agency_lead", "product_owner", "scrum_master")}
    assert {r["user"] for r in told} == answering and len(told) == 6
    assert all(r["url"].endswith(f"#decision-{decision}") for r in told)
    assert any("requested changes to the" in r["text"] for r in told)


# ---------------------------------------------------------------- API


async def test_the_sign_off_api(client_as, world):
    sprint = await closed_sprint(world)
    liaison = await client_as(world.users["liaison"])
    url = f"/api/sprints/{sprint}/sign-offs"
    missing = await liaison.send_json("POST", url, {"decision": "changes_requested"})
    assert missing.status_code == 422 and "comment" in missing.json()["errors"]
    pii = await liaison.send_json(
        "POST", url, {"decision": "signed_off", "comment": "dad@example.com"}
    )
    assert pii.status_code == 422 and "pii_confirmed" in pii.json()["errors"]["comment"]
    made = await liaison.send_json("POST", url, {"decision": "signed_off", "comment": "Fine"})
    assert made.status_code == 201
    assert made.json()["decision_label"] == "Signed off"
    assert made.json()["signed_by_name"] == "Lia Liaison"

    viewer = await client_as(world.users["viewer"])
    listed = await viewer.get(url)
    assert listed.status_code == 200 and [r["comment"] for r in listed.json()] == ["Fine"]
    assert (await viewer.send_json("POST", url, {"decision": "signed_off"})).status_code == 403
    lead = await client_as(world.lead)
    assert (await lead.send_json("POST", url, {"decision": "signed_off"})).status_code == 403

    open_sprint = await scrum.create_sprint(world.initiative_id, {"goal": "Open"})
    refused = await liaison.send_json(
        "POST", f"/api/sprints/{open_sprint}/sign-offs", {"decision": "signed_off"}
    )
    assert refused.status_code == 409
    assert (await liaison.get("/api/sprints/999999/sign-offs")).status_code == 404
