"""Collaborative pages: who sees them, who runs them, the calendar, the change package,
forms that keep what was typed (422, 409) and the member teams a site admin manages."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from backend import clock
from backend.collaboratives import services
from backend.collaboratives.tables import (
    ChangeIdea,
    Collaborative,
    CollaborativeSession,
    CollaborativeTeam,
    Faculty,
)
from tests.collaboratives.build import make_collaborative, make_idea, make_team
from tests.factories import make_user
from tests.html_checks import assert_well_formed


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


async def _with_world_team(world, **kw) -> int:
    collaborative_id = await make_collaborative(**kw)
    await services.add_team(collaborative_id, world.initiative_id)
    return collaborative_id


# ---------------------------------------------------------------- who sees it


async def test_a_member_agencys_people_see_it_in_the_list_and_its_page(client_as, world):
    collaborative_id = await _with_world_team(world)
    other_team = await make_team(collaborative_id, "Tribal Nation", "tribal")
    await make_collaborative("Not ours")  # nobody of the world's agency is in it
    for who in ("team_member", "viewer", "liaison", "agency_lead"):
        person = await client_as(world.users[who])
        listing = await person.get("/collaboratives")
        assert listing.status_code == 200
        text = text_of(listing.text)
        assert "Safety and risk assessments" in text and "Not ours" not in text
        page = await person.get(f"/collaboratives/{collaborative_id}")
        assert page.status_code == 200, who
        assert_well_formed(page.text, who)
        text = text_of(page.text)
        assert "Test Agency" in text and "State" in text
        assert "Tribal Nation" in text and "Tribal" in text
        # Their own team's initiative is a link; the other agency's only a name.
        assert f'href="/initiatives/{world.initiative_id}"' in page.text
        assert "Tribal Nation safety work" in text
        assert f'href="/initiatives/{other_team}"' not in page.text


async def test_faculty_who_belong_to_no_agency_see_and_run_it(client_as, world):
    collaborative_id = await _with_world_team(world)
    coach = await make_user("Fay Faculty", "fay@test.example")
    await services.add_faculty(collaborative_id, coach)
    person = await client_as(coach)
    listing = await person.get("/collaboratives")
    assert "Safety and risk assessments" in listing.text
    page = await person.get(f"/collaboratives/{collaborative_id}")
    assert page.status_code == 200
    assert "Fay Faculty" in text_of(page.text)
    assert "Edit collaborative" in page.text and "New change idea" in page.text
    # No link into an agency the coach cannot read.
    assert f'href="/initiatives/{world.initiative_id}"' not in page.text
    assert (await person.get(f"/collaboratives/{collaborative_id}/edit")).status_code == 200


async def test_a_site_admin_sees_every_collaborative(client_as, world):
    collaborative_id = await make_collaborative()
    admin = await client_as(world.users["admin"])
    assert "Safety and risk assessments" in (await admin.get("/collaboratives")).text
    page = await admin.get(f"/collaboratives/{collaborative_id}")
    assert page.status_code == 200
    assert_well_formed(page.text, "admin detail")
    assert "Add a member team" in page.text and "Add to the faculty" in page.text


async def test_people_of_other_agencies_and_unknown_ids_get_404(client_as, world):
    collaborative_id = await _with_world_team(world)
    outsider = await client_as(world.users["other_lead"])
    assert "Safety and risk assessments" not in (await outsider.get("/collaboratives")).text
    for url in (
        f"/collaboratives/{collaborative_id}",
        f"/collaboratives/{collaborative_id}/edit",
        f"/collaboratives/{collaborative_id}/ideas/new",
    ):
        assert (await outsider.get(url)).status_code == 404, url
    response = await outsider.post_form(
        f"/collaboratives/{collaborative_id}/ideas/new", {"title": "Sneaky"}
    )
    assert response.status_code == 404
    assert not await ChangeIdea.exists().where(ChangeIdea.title == "Sneaky")
    lead = await client_as(world.lead)
    assert (await lead.get("/collaboratives/999999")).status_code == 404
    assert (await lead.get("/collaboratives/99999999999")).status_code == 404


async def test_anonymous_people_are_sent_to_sign_in(client_as, world):
    collaborative_id = await _with_world_team(world)
    anonymous = await client_as()
    for url in ("/collaboratives", f"/collaboratives/{collaborative_id}"):
        response = await anonymous.get(url)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/sign-in")


# ---------------------------------------------------------------- who runs it


async def test_member_teams_cannot_change_the_collaborative_its_calendar_or_package(
    client_as, world
):
    collaborative_id = await _with_world_team(world)
    session_id = await services.add_session(
        collaborative_id,
        {
            "kind": "learning_session",
            "title": "LS1",
            "start_date": date(2026, 2, 1),
            "end_date": date(2026, 2, 2),
        },
    )
    idea_id = await make_idea(collaborative_id)
    base = f"/collaboratives/{collaborative_id}"
    for who in ("agency_lead", "team_member", "liaison"):
        person = await client_as(world.users[who])
        page = await person.get(base)
        assert "Edit collaborative" not in page.text and "New change idea" not in page.text
        for url in (f"{base}/edit", f"{base}/sessions/new", f"{base}/ideas/new"):
            assert (await person.get(url)).status_code == 403, (who, url)
        posts = {
            f"{base}/edit": {"name": "Taken over", "version": "1"},
            f"{base}/sessions/new": {
                "kind": "action_period",
                "title": "Taken",
                "start_date": "2026-02-03",
                "end_date": "2026-03-03",
            },
            f"{base}/sessions/{session_id}/edit": {
                "kind": "action_period",
                "title": "Taken",
                "start_date": "2026-02-03",
                "end_date": "2026-03-03",
                "version": "1",
            },
            f"{base}/sessions/{session_id}/delete": {},
            f"{base}/ideas/new": {"title": "Taken"},
            f"{base}/ideas/{idea_id}/edit": {"title": "Taken", "version": "1"},
            f"{base}/teams": {"initiative": str(world.other_initiative_id)},
            f"{base}/faculty": {"user": str(world.users[who])},
        }
        for url, body in posts.items():
            response = await person.post_form(url, body)
            assert response.status_code == 403, (who, url, response.status_code)
    assert (await Collaborative.select(Collaborative.name))[0]["name"] != "Taken over"
    assert await CollaborativeSession.count() == 1
    assert await ChangeIdea.count() == 1
    assert await CollaborativeTeam.count() == 1
    assert await Faculty.count() == 0


async def test_faculty_keep_the_calendar_in_date_order_with_now_in_words(client_as, world):
    collaborative_id = await _with_world_team(world)
    coach = await make_user("Fay Faculty", "fay@test.example")
    await services.add_faculty(collaborative_id, coach)
    person = await client_as(coach)
    base = f"/collaboratives/{collaborative_id}"
    entries = [
        ("action_period", "Action period 1", "2026-03-03", "2026-05-31"),
        ("learning_session", "Learning session 1", "2026-03-01", "2026-03-02"),
        ("learning_session", "Learning session 2", "2026-06-01", "2026-06-02"),
    ]
    for kind, title, start, end in entries:
        response = await person.post_form(
            f"{base}/sessions/new",
            {"kind": kind, "title": title, "start_date": start, "end_date": end, "notes": ""},
        )
        assert response.status_code == 303
    clock.set_clock(lambda: datetime(2026, 4, 10, 12, tzinfo=UTC))
    text = text_of((await person.get(base)).text)
    assert "Now: action period “Action period 1”" in text
    table = text[text.index("Now?") :]
    assert table.index("Learning session 1") < table.index("Action period 1")
    assert table.index("Action period 1") < table.index("Learning session 2")
    assert "Past" in text and "Coming up" in text
    # Edit one, then delete it.
    session = await CollaborativeSession.select().where(
        CollaborativeSession.title == "Learning session 2"
    )
    url = f"{base}/sessions/{session[0]['id']}/edit"
    assert (await person.get(url)).status_code == 200
    response = await person.post_form(
        url,
        {
            "kind": "learning_session",
            "title": "Learning session 2 (online)",
            "start_date": "2026-06-01",
            "end_date": "2026-06-02",
            "version": "1",
        },
    )
    assert response.status_code == 303
    assert "Learning session 2 (online)" in (await person.get(base)).text
    response = await person.post_form(f"{base}/sessions/{session[0]['id']}/delete", {})
    assert response.status_code == 303
    assert await CollaborativeSession.count() == 2


async def test_a_calendar_entry_of_another_collaborative_is_not_found(client_as, world):
    mine = await _with_world_team(world)
    theirs = await make_collaborative("Theirs")
    session_id = await services.add_session(
        theirs,
        {
            "kind": "action_period",
            "title": "AP",
            "start_date": date(2026, 1, 1),
            "end_date": date(2026, 2, 1),
        },
    )
    admin = await client_as(world.users["admin"])
    response = await admin.get(f"/collaboratives/{mine}/sessions/{session_id}/edit")
    assert response.status_code == 404


# ---------------------------------------------------------------- forms keep what was typed


async def test_a_new_collaborative_with_errors_keeps_what_was_typed(client_as, world):
    admin = await client_as(world.users["admin"])
    response = await admin.post_form(
        "/collaboratives",
        {
            "name": "Kinship collaborative",
            "topic": "Call 617-555-0123 for details",
            "start_date": "2026-06-01",
            "end_date": "2026-01-01",
            "share_cycles": "",
        },
    )
    assert response.status_code == 422
    assert "<title>Error:" in response.text
    assert 'value="Kinship collaborative"' in response.text
    assert "Call 617-555-0123 for details" in response.text
    assert "End date must be on or after the start date" in response.text
    assert "a phone number" in response.text
    assert 'id="field-share_cycles" name="share_cycles" value="yes">' in response.text
    assert await Collaborative.count() == 0
    response = await admin.post_form(
        "/collaboratives",
        {"name": "Kinship collaborative", "start_date": "2026-01-01", "end_date": "2026-06-01"},
    )
    assert response.status_code == 303
    rows = await Collaborative.select()
    assert rows[0]["name"] == "Kinship collaborative" and rows[0]["share_cycles"] is False
    # Only a site admin starts one.
    lead = await client_as(world.lead)
    assert (await lead.post_form("/collaboratives", {"name": "Mine"})).status_code == 403
    assert "New collaborative" not in (await lead.get("/collaboratives")).text


async def test_a_stale_edit_of_the_collaborative_gets_409_and_keeps_what_was_typed(
    client_as, world
):
    collaborative_id = await _with_world_team(world)
    admin = await client_as(world.users["admin"])
    url = f"/collaboratives/{collaborative_id}/edit"
    first = await admin.post_form(url, {"name": "First name", "version": "1"})
    assert first.status_code == 303
    second = await admin.post_form(
        url, {"name": "Second name", "topic": "Mine", "version": "1", "share_cycles": "yes"}
    )
    assert second.status_code == 409
    assert 'value="Second name"' in second.text
    assert "First name" in text_of(second.text)  # the values saved now
    assert 'name="version" value="2"' in second.text
    rows = await Collaborative.select()
    assert rows[0]["name"] == "First name" and rows[0]["version"] == 2


async def test_a_calendar_entry_with_errors_keeps_what_was_typed(client_as, world):
    collaborative_id = await _with_world_team(world)
    admin = await client_as(world.users["admin"])
    response = await admin.post_form(
        f"/collaboratives/{collaborative_id}/sessions/new",
        {
            "kind": "learning_session",
            "title": "",
            "start_date": "2026-05-01",
            "end_date": "2026-04-01",
            "notes": "Bring the *team*",
        },
    )
    assert response.status_code == 422
    assert "Enter title" in response.text
    assert "End date must be on or after the start date" in response.text
    assert "Bring the *team*" in response.text and 'value="2026-05-01"' in response.text
    assert await CollaborativeSession.count() == 0


async def test_change_ideas_are_checked_for_personal_information(client_as, world):
    collaborative_id = await _with_world_team(world)
    admin = await client_as(world.users["admin"])
    url = f"/collaboratives/{collaborative_id}/ideas/new"
    body = {"title": "Call families", "description": "Ask jane.doe@example.org first"}
    response = await admin.post_form(url, body)
    assert response.status_code == 422
    assert "an email address" in response.text and "Ask jane.doe@example.org first" in response.text
    assert 'name="pii_confirmed"' in response.text
    assert await ChangeIdea.count() == 0
    response = await admin.post_form(url, {**body, "pii_confirmed": "yes"})
    assert response.status_code == 303
    second = await admin.post_form(url, {"title": "Second idea"})
    assert second.status_code == 303
    rows = await ChangeIdea.select().order_by(ChangeIdea.position)
    assert [r["title"] for r in rows] == ["Call families", "Second idea"]
    assert [r["position"] for r in rows] == [1, 2]
    # Edit with a stale version: 409, what was typed kept.
    edit = f"/collaboratives/{collaborative_id}/ideas/{rows[1]['id']}/edit"
    assert (await admin.post_form(edit, {"title": "Renamed", "version": "1"})).status_code == 303
    stale = await admin.post_form(edit, {"title": "Renamed again", "version": "1"})
    assert stale.status_code == 409 and 'value="Renamed again"' in stale.text


# ---------------------------------------------------------------- member teams and faculty


async def test_a_site_admin_adds_and_removes_member_teams_and_faculty(client_as, world):
    collaborative_id = await make_collaborative()
    admin = await client_as(world.users["admin"])
    base = f"/collaboratives/{collaborative_id}"
    page = await admin.get(base)
    assert "Test Agency: Parent engagement" in page.text
    assert "Other Agency: Other initiative" in page.text
    response = await admin.post_form(f"{base}/teams", {"initiative": str(world.initiative_id)})
    assert response.status_code == 303
    again = await admin.post_form(f"{base}/teams", {"initiative": str(world.initiative_id)})
    assert again.status_code == 422 and "already a member team" in again.text
    missing = await admin.post_form(f"{base}/teams", {"initiative": ""})
    assert missing.status_code == 422 and "Choose from the list" in missing.text
    coach = await make_user("Fay Faculty", "fay@test.example")
    assert (await admin.post_form(f"{base}/faculty", {"user": str(coach)})).status_code == 303
    assert await Faculty.count() == 1
    # The world's people now see it.
    member = await client_as(world.users["team_member"])
    assert (await member.get(base)).status_code == 200
    response = await admin.post_form(
        f"{base}/teams/remove", {"initiative": str(world.initiative_id)}
    )
    assert response.status_code == 303
    assert (await member.get(base)).status_code == 404
    assert (
        await admin.post_form(f"{base}/faculty/remove", {"user": str(coach)})
    ).status_code == 303
    assert await Faculty.count() == 0
