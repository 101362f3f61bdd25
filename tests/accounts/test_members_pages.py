"""An agency's members page: adding and inviting people, roles, deactivation, and who may."""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import timedelta
from html import unescape

import pytest

from backend import clock
from backend.accounts import services
from backend.accounts.access import SESSION_COOKIE, hash_secret
from backend.accounts.passwords import verify_password
from backend.accounts.tables import Invitation, Membership, User
from tests.factories import make_user

NEW_PASSWORD = "quiet orange kettle on the hill"


def members_url(world) -> str:
    return f"/agencies/{world.agency_id}/members"


async def membership_of(user_id: int, agency_id: int) -> dict | None:
    rows = await Membership.select().where(
        (Membership.user == user_id) & (Membership.agency == agency_id)
    )
    return rows[0] if rows else None


async def memberships_snapshot() -> list[dict]:
    return await Membership.select().order_by(Membership.id)


def invite_link(html: str) -> str:
    found = re.search(r'id="invite-url" type="text" value="([^"]+)"', html)
    assert found, "the page shows no invitation link"
    return unescape(found.group(1))


async def test_members_page_lists_people_roles_and_liaisons(client, world):
    page = await client.get(members_url(world))
    assert page.status_code == 200
    assert "<title>Members of Test Agency" in page.text
    assert "<caption>People in Test Agency and their roles</caption>" in page.text
    for email in ("agency_lead@test.example", "viewer@test.example"):
        assert email in page.text
    assert "Product owner" in page.text and "Scrum master" in page.text
    assert "Lia Liaison" in page.text  # the liaison, read-only
    assert "Otto Other" not in page.text  # the other agency's lead
    assert "Add a member" in page.text and 'id="field-role-' in page.text


async def test_a_viewer_sees_the_members_but_no_forms(client_as, world):
    viewer = await client_as(world.users["viewer"])
    page = await viewer.get(members_url(world))
    assert page.status_code == 200 and "agency_lead@test.example" in page.text
    assert "Add a member" not in page.text and "Change role" not in page.text


async def test_lead_adds_an_existing_user_with_a_role(client, world):
    newcomer = await make_user("Nina Newcomer", "nina@test.example")
    response = await client.post_form(
        members_url(world), {"email": " Nina@Test.Example ", "name": "", "role": "scrum_master"}
    )
    assert response.status_code == 303
    assert response.headers["location"] == members_url(world)
    membership = await membership_of(newcomer, world.agency_id)
    assert membership["role"] == "scrum_master" and membership["active"]
    page = await client.get(members_url(world))
    assert "Nina Newcomer" in page.text
    assert not await Invitation.exists().where(Invitation.user == newcomer)


async def test_adding_a_deactivated_member_again_reactivates_them(client, world):
    member = await membership_of(world.users["viewer"], world.agency_id)
    await services.set_member_active(world.agency_id, member["id"], False)
    response = await client.post_form(
        members_url(world), {"email": "viewer@test.example", "role": "team_member"}
    )
    assert response.status_code == 303
    after = await membership_of(world.users["viewer"], world.agency_id)
    assert after["id"] == member["id"] and after["active"] and after["role"] == "team_member"


async def test_lead_invites_a_new_person_who_sets_a_password_and_lands_signed_in(
    client, client_as, world, caplog
):
    caplog.set_level(logging.INFO, logger="tandem.security")
    response = await client.post_form(
        members_url(world),
        {"email": "Pat.New@Example.org", "name": "Pat New", "role": "product_owner"},
    )
    assert response.status_code == 200
    assert "Send Pat New their invitation link" in response.text
    link = invite_link(response.text)
    assert link.startswith("http://testserver/invitations/")
    token = link.rsplit("/", 1)[1]

    user = (await User.select().where(User.email == "pat.new@example.org"))[0]
    assert user["password_hash"] == "" and user["name"] == "Pat New"
    assert (await membership_of(user["id"], world.agency_id))["role"] == "product_owner"
    invitation = (await Invitation.select().where(Invitation.user == user["id"]))[0]
    assert invitation["token_hash"] == hash_secret(token) and invitation["used_at"] is None
    assert token not in caplog.text
    assert 'event="member_added"' in caplog.text and 'member="pat.new@example.org"' in caplog.text

    # The page does not show the link again.
    again = await client.get(members_url(world))
    assert token not in again.text and "Invited: no password yet" in again.text

    pat = await client_as()
    form = await pat.get(f"/invitations/{token}")
    assert form.status_code == 200
    assert "Choose your password" in form.text and "pat.new@example.org" in form.text
    done = await pat.post_form(
        f"/invitations/{token}", {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    )
    assert done.status_code == 303 and done.headers["location"] == "/"
    assert pat.cookies.get(SESSION_COOKIE)
    home = await pat.get("/initiatives")
    assert home.status_code == 200 and "Parent engagement" in home.text

    user = (await User.select().where(User.id == user["id"]))[0]
    assert await verify_password(user["password_hash"], NEW_PASSWORD)
    invitation = (await Invitation.select().where(Invitation.id == invitation["id"]))[0]
    assert invitation["used_at"] is not None

    stranger = await client_as()
    reuse = await stranger.get(f"/invitations/{token}")
    assert reuse.status_code == 404
    assert "This invitation link is not valid or has expired" in reuse.text
    replay = await stranger.post_form(
        f"/invitations/{token}",
        {"new_password": "another long passphrase", "confirm_password": "x"},
    )
    assert replay.status_code == 404 and not stranger.cookies.get(SESSION_COOKIE)


async def test_inviting_needs_a_name_a_good_email_and_a_listed_role(client, world):
    before = await User.count()
    response = await client.post_form(
        members_url(world), {"email": "not-an-email", "name": "Typed name", "role": "emperor"}
    )
    assert response.status_code == 422
    assert "<title>Error: Members of Test Agency" in response.text
    assert 'href="#field-email"' in response.text and 'href="#field-role"' in response.text
    assert 'value="not-an-email"' in response.text and 'value="Typed name"' in response.text

    response = await client.post_form(
        members_url(world), {"email": "someone.new@example.org", "name": "", "role": "viewer"}
    )
    assert response.status_code == 422
    assert (
        "Enter their name" in response.text and 'value="someone.new@example.org"' in response.text
    )
    assert await User.count() == before and not await Invitation.exists()


async def test_mass_assignment_fields_in_the_add_form_are_ignored(client, world):
    response = await client.post_form(
        members_url(world),
        {
            "email": "sneaky@example.org",
            "name": "Sneaky",
            "role": "viewer",
            "agency_id": world.other_agency_id,
            "user_id": world.users["admin"],
            "is_site_admin": "1",
        },
    )
    assert response.status_code == 200
    user = (await User.select().where(User.email == "sneaky@example.org"))[0]
    assert not user["is_site_admin"]
    rows = await Membership.select(Membership.agency, Membership.role).where(
        Membership.user == user["id"]
    )
    assert rows == [{"agency": world.agency_id, "role": "viewer"}]
    assert await membership_of(world.users["admin"], world.agency_id) is None


async def test_lead_changes_a_role_and_a_stale_version_gets_409(client, client_as, world, caplog):
    caplog.set_level(logging.INFO, logger="tandem.security")
    member = await membership_of(world.users["team_member"], world.agency_id)
    url = f"{members_url(world)}/{member['id']}/role"
    first = await client.post_form(url, {"role": "scrum_master", "version": member["version"]})
    assert first.status_code == 303
    assert 'event="role_changed"' in caplog.text and 'role="scrum_master"' in caplog.text

    stale = await client.post_form(url, {"role": "viewer", "version": member["version"]})
    assert stale.status_code == 409
    assert "Someone else changed Team Member" in stale.text
    assert "<title>Error: Members of Test Agency" in stale.text
    after = await membership_of(world.users["team_member"], world.agency_id)
    assert after["role"] == "scrum_master" and after["version"] == member["version"] + 1

    # Roles are read on every request: the member's powers changed at once.
    person = await client_as(world.users["team_member"])
    assert (await person.get(f"/initiatives/{world.initiative_id}")).status_code == 200


async def test_a_role_change_without_a_version_is_a_400(client, world):
    member = await membership_of(world.users["viewer"], world.agency_id)
    response = await client.post_form(
        f"{members_url(world)}/{member['id']}/role", {"role": "viewer"}
    )
    assert response.status_code == 400
    assert (await membership_of(world.users["viewer"], world.agency_id))["role"] == "viewer"


async def test_the_last_lead_cannot_be_demoted_or_deactivated(client, world):
    lead = await membership_of(world.lead, world.agency_id)
    before = await memberships_snapshot()
    demote = await client.post_form(
        f"{members_url(world)}/{lead['id']}/role", {"role": "viewer", "version": lead["version"]}
    )
    assert demote.status_code == 422
    assert "only active agency lead" in demote.text
    assert f'href="#field-role-{lead["id"]}"' in demote.text
    deactivate = await client.post_form(
        f"{members_url(world)}/{lead['id']}/active", {"active": "0", "version": lead["version"]}
    )
    assert deactivate.status_code == 422 and "only active agency lead" in deactivate.text
    readd = await client.post_form(
        members_url(world), {"email": "agency_lead@test.example", "role": "viewer"}
    )
    assert readd.status_code == 422
    assert await memberships_snapshot() == before


async def test_a_lead_who_demotes_themselves_gets_a_new_session(client, client_as, world):
    second = await membership_of(world.users["product_owner"], world.agency_id)
    await client.post_form(
        f"{members_url(world)}/{second['id']}/role",
        {"role": "agency_lead", "version": second["version"]},
    )
    lead = await membership_of(world.lead, world.agency_id)
    old_cookie = client.cookies.get(SESSION_COOKIE)
    response = await client.post_form(
        f"{members_url(world)}/{lead['id']}/role",
        {"role": "team_member", "version": lead["version"]},
    )
    assert response.status_code == 303
    new_cookie = response.cookies.get(SESSION_COOKIE)
    assert new_cookie and new_cookie != old_cookie  # SEC-05
    assert (await membership_of(world.lead, world.agency_id))["role"] == "team_member"
    renewed = await client_as()
    renewed.cookies.set(SESSION_COOKIE, new_cookie)
    page = await renewed.get(members_url(world))
    assert page.status_code == 200 and "Add a member" not in page.text
    # The old session id no longer works.
    replay = await client_as()
    replay.cookies.set(SESSION_COOKIE, old_cookie)
    refused = await replay.get(members_url(world))
    assert refused.status_code == 303 and refused.headers["location"].startswith("/sign-in")


async def test_deactivating_and_reactivating_a_member(client, client_as, world, caplog):
    caplog.set_level(logging.INFO, logger="tandem.security")
    member = await membership_of(world.users["team_member"], world.agency_id)
    url = f"{members_url(world)}/{member['id']}/active"
    response = await client.post_form(url, {"active": "0", "version": member["version"]})
    assert response.status_code == 303
    assert not (await membership_of(world.users["team_member"], world.agency_id))["active"]
    assert 'event="member_deactivated"' in caplog.text
    person = await client_as(world.users["team_member"])
    assert (await person.get(f"/initiatives/{world.initiative_id}")).status_code == 404
    page = await client.get(members_url(world))
    assert "Deactivated" in page.text and "Reactivate" in page.text

    response = await client.post_form(url, {"active": "1"})
    assert response.status_code == 303
    assert (await membership_of(world.users["team_member"], world.agency_id))["active"]
    assert (await person.get(f"/initiatives/{world.initiative_id}")).status_code == 200


async def test_a_bad_active_value_is_a_422(client, world):
    member = await membership_of(world.users["viewer"], world.agency_id)
    response = await client.post_form(
        f"{members_url(world)}/{member['id']}/active", {"active": "x"}
    )
    assert response.status_code == 422
    assert (await membership_of(world.users["viewer"], world.agency_id))["active"]


@pytest.mark.parametrize("who", ["product_owner", "viewer", "team_member", "liaison", "other_lead"])
async def test_only_the_agencys_lead_may_change_its_members(client_as, world, who):
    person = await client_as(world.users[who])
    member = await membership_of(world.users["team_member"], world.agency_id)
    before = await memberships_snapshot()
    users_before = await User.count()
    attempts = [
        (members_url(world), {"email": "x@example.org", "name": "X", "role": "agency_lead"}),
        (f"{members_url(world)}/{member['id']}/role", {"role": "agency_lead", "version": 1}),
        (f"{members_url(world)}/{member['id']}/active", {"active": "0", "version": 1}),
    ]
    expected = 404 if who == "other_lead" else 403
    for url, data in attempts:
        response = await person.post_form(url, data)
        assert response.status_code == expected, (who, url)
    assert await memberships_snapshot() == before and await User.count() == users_before


async def test_a_membership_of_another_agency_in_the_path_is_a_404(client, world):
    foreign = await membership_of(world.users["other_lead"], world.other_agency_id)
    before = await memberships_snapshot()
    base = f"{members_url(world)}/{foreign['id']}"
    role = await client.post_form(f"{base}/role", {"role": "viewer", "version": foreign["version"]})
    active = await client.post_form(f"{base}/active", {"active": "0"})
    assert role.status_code == 404 and active.status_code == 404
    assert await memberships_snapshot() == before


async def test_an_expired_invitation_cannot_be_used(client, client_as, world):
    response = await client.post_form(
        members_url(world), {"email": "late@example.org", "name": "Late Comer", "role": "viewer"}
    )
    token = invite_link(response.text).rsplit("/", 1)[1]
    later = clock.now() + timedelta(days=8)
    clock.set_clock(lambda: later)
    late = await client_as()
    page = await late.get(f"/invitations/{token}")
    assert page.status_code == 404 and "not valid or has expired" in page.text


async def test_a_weak_or_mismatched_password_on_the_invitation_is_a_422(client, client_as, world):
    response = await client.post_form(
        members_url(world), {"email": "weak@example.org", "name": "Wendy Weak", "role": "viewer"}
    )
    token = invite_link(response.text).rsplit("/", 1)[1]
    person = await client_as()
    url = f"/invitations/{token}"
    short = await person.post_form(url, {"new_password": "short", "confirm_password": "short"})
    assert short.status_code == 422 and "at least 12 characters" in short.text
    assert 'href="#field-new_password"' in short.text and 'value="short"' not in short.text
    mismatch = await person.post_form(
        url, {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD + "!"}
    )
    assert mismatch.status_code == 422 and 'href="#field-confirm_password"' in mismatch.text
    user = (await User.select().where(User.email == "weak@example.org"))[0]
    assert user["password_hash"] == ""
    assert (await person.get(url)).status_code == 200  # still usable


async def test_an_unknown_invitation_token_is_a_404(client_as, world):
    person = await client_as()
    assert (await person.get("/invitations/not-a-real-token")).status_code == 404
    assert (await person.get("/invitations/" + "a" * 500)).status_code == 404


async def test_two_leads_demoting_each_other_at_once_leave_one_lead(client, client_as, world):
    second = await membership_of(world.users["product_owner"], world.agency_id)
    await services.change_member_role(world.agency_id, second["id"], "agency_lead", 1)
    second = await membership_of(world.users["product_owner"], world.agency_id)
    first = await membership_of(world.lead, world.agency_id)
    other_lead = await client_as(world.users["product_owner"])
    responses = await asyncio.gather(
        client.post_form(
            f"{members_url(world)}/{second['id']}/role",
            {"role": "viewer", "version": second["version"]},
        ),
        other_lead.post_form(
            f"{members_url(world)}/{first['id']}/role",
            {"role": "viewer", "version": first["version"]},
        ),
    )
    # One wins; the other is refused by the last-lead rule, or (if it started after
    # the first had finished) by the guard, since its sender is no longer a lead.
    first_status, second_status = sorted(r.status_code for r in responses)
    assert first_status == 303 and second_status in (403, 422)
    leads = await Membership.count().where(
        (Membership.agency == world.agency_id) & (Membership.role == "agency_lead")
    )
    assert leads == 1


async def test_concurrent_demotions_of_the_last_two_leads_keep_one(world, monkeypatch):
    second = await membership_of(world.users["product_owner"], world.agency_id)
    await services.change_member_role(world.agency_id, second["id"], "agency_lead", 1)
    first = await membership_of(world.lead, world.agency_id)
    count_leads = services._other_active_leads

    async def slow_count(*args):
        # Widen the gap between checking and writing, where a race would slip in.
        found = await count_leads(*args)
        await asyncio.sleep(0.2)
        return found

    monkeypatch.setattr(services, "_other_active_leads", slow_count)
    results = await asyncio.gather(
        services.change_member_role(world.agency_id, first["id"], "viewer", first["version"]),
        services.change_member_role(world.agency_id, second["id"], "viewer", second["version"] + 1),
        return_exceptions=True,
    )
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(refused) == 1 and "only active agency lead" in str(refused[0].errors)
    leads = await Membership.count().where(
        (Membership.agency == world.agency_id) & (Membership.role == "agency_lead")
    )
    assert leads == 1
