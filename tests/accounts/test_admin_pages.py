"""Site administration: agencies, users, liaison assignments, and who may use it."""

from __future__ import annotations

import logging
import re
from html import unescape

import pytest

from backend.accounts.access import SESSION_COOKIE, hash_secret
from backend.accounts.tables import Agency, Invitation, LiaisonAssignment, Membership, User
from backend.db import all_tables
from backend.initiatives.tables import CIStage
from tests.factories import make_user

ADMIN_POSTS = [
    ("/admin/agencies", {"name": "X", "slug": "x", "kind": "state"}),
    ("/admin/users", {"name": "X", "email": "x@example.org"}),
    ("/admin/users/{viewer}/active", {"active": "0"}),
    ("/admin/liaisons", {"email": "viewer@test.example", "agency": "{agency}"}),
    ("/admin/liaisons/1/remove", {}),
]


async def row_counts() -> dict[str, int]:
    return {t._meta.tablename: await t.count() for t in all_tables()}


@pytest.fixture
async def admin(client_as, world):
    return await client_as(world.users["admin"])


async def test_admin_page_lists_agencies_users_and_liaisons(admin, world):
    page = await admin.get("/admin")
    assert page.status_code == 200
    assert "<title>Site administration" in page.text
    for text in ("Test Agency", "Other Agency", "other_lead@test.example", "Lia Liaison"):
        assert text in page.text
    # Member counts, not agency content.
    assert f'id="agency-{world.agency_id}"' in page.text
    assert "Parent engagement" not in page.text


async def test_admin_does_not_see_agency_content(admin, world):
    assert (await admin.get(f"/initiatives/{world.initiative_id}")).status_code == 404
    assert (await admin.get(f"/agencies/{world.agency_id}/members")).status_code == 404
    listing = await admin.get("/initiatives")
    assert listing.status_code == 200 and "Parent engagement" not in listing.text


async def test_admin_creates_an_agency_with_stages_and_a_lead(admin, world, caplog):
    caplog.set_level(logging.INFO, logger="tandem.security")
    response = await admin.post_form(
        "/admin/agencies",
        {
            "name": "Rhode Island DCYF",
            "slug": "ri-dcyf",
            "state": "RI",
            "kind": "state",
            "lead_email": "Viewer@Test.Example",
        },
    )
    assert response.status_code == 303 and response.headers["location"] == "/admin"
    agency = (await Agency.select().where(Agency.slug == "ri-dcyf"))[0]
    assert agency["name"] == "Rhode Island DCYF" and agency["state"] == "RI"
    assert await CIStage.count().where(CIStage.agency == agency["id"]) >= 5
    lead = await Membership.select(Membership.role).where(
        (Membership.agency == agency["id"]) & (Membership.user == world.users["viewer"])
    )
    assert lead == [{"role": "agency_lead"}]
    assert 'event="agency_created"' in caplog.text
    page = await admin.get("/admin")
    assert "Rhode Island DCYF" in page.text


async def test_agency_form_errors_keep_what_was_typed(admin, world):
    before = await Agency.count()
    response = await admin.post_form(
        "/admin/agencies",
        {"name": "", "slug": "Not A Slug", "kind": "planet", "lead_email": "nobody@example.org"},
    )
    assert response.status_code == 422
    assert "<title>Error: Site administration" in response.text
    for field in ("agency-name", "agency-slug", "agency-kind", "agency-lead_email"):
        assert f'href="#field-{field}"' in response.text and f'id="field-{field}"' in response.text
    assert 'value="Not A Slug"' in response.text and 'value="nobody@example.org"' in response.text

    taken = await admin.post_form(
        "/admin/agencies", {"name": "Copy", "slug": "test-agency", "kind": "county"}
    )
    assert taken.status_code == 422 and "Another agency has this short name" in taken.text
    assert await Agency.count() == before


async def test_admin_creates_a_user_who_accepts_the_invitation(admin, client_as, world):
    response = await admin.post_form(
        "/admin/users", {"name": "Sam Support", "email": "sam@example.org"}
    )
    assert response.status_code == 200
    link = re.search(r'id="invite-url" type="text" value="([^"]+)"', response.text)
    token = unescape(link.group(1)).rsplit("/", 1)[1]
    user = (await User.select().where(User.email == "sam@example.org"))[0]
    assert user["password_hash"] == "" and not user["is_site_admin"]
    assert await Invitation.exists().where(Invitation.token_hash == hash_secret(token))

    sam = await client_as()
    password = "twelve sleepy owls in a barn"
    done = await sam.post_form(
        f"/invitations/{token}", {"new_password": password, "confirm_password": password}
    )
    assert done.status_code == 303 and done.headers["location"] == "/"


async def test_an_invited_site_admin_is_sent_to_set_up_totp(admin, client_as, app, world):
    response = await admin.post_form(
        "/admin/users", {"name": "Ada Two", "email": "ada2@example.org", "is_site_admin": "1"}
    )
    token = unescape(
        re.search(r'id="invite-url" type="text" value="([^"]+)"', response.text).group(1)
    ).rsplit("/", 1)[1]
    user = (await User.select().where(User.email == "ada2@example.org"))[0]
    assert user["is_site_admin"]
    ada = await client_as()
    password = "lighthouse keeper reads novels"
    done = await ada.post_form(
        f"/invitations/{token}", {"new_password": password, "confirm_password": password}
    )
    assert done.status_code == 303
    assert done.headers["location"] == app.route_reverse("accounts.totp")
    # Until TOTP is set up, nothing else opens (SEC-04).
    blocked = await ada.get("/admin")
    assert blocked.status_code == 303
    assert blocked.headers["location"] == app.route_reverse("accounts.totp")


async def test_user_form_refuses_a_taken_email(admin, world):
    before = await User.count()
    response = await admin.post_form(
        "/admin/users", {"name": "Dup", "email": "VIEWER@test.example"}
    )
    assert response.status_code == 422
    assert 'href="#field-user-email"' in response.text
    assert "already has an account" in response.text
    assert await User.count() == before


async def test_deactivating_a_user_ends_their_session(admin, client_as, world, caplog):
    caplog.set_level(logging.INFO, logger="tandem.security")
    viewer = await client_as(world.users["viewer"])
    assert (await viewer.get("/initiatives")).status_code == 200
    response = await admin.post_form(
        f"/admin/users/{world.users['viewer']}/active", {"active": "0"}
    )
    assert response.status_code == 303
    assert 'event="user_deactivated"' in caplog.text
    out = await viewer.get("/initiatives")
    assert out.status_code == 303 and out.headers["location"].startswith("/sign-in")
    row = (await User.select(User.active).where(User.id == world.users["viewer"]))[0]
    assert row["active"] is False
    page = await admin.get("/admin")
    assert "Reactivate" in page.text

    back = await admin.post_form(f"/admin/users/{world.users['viewer']}/active", {"active": "1"})
    assert back.status_code == 303
    assert (await User.select(User.active).where(User.id == world.users["viewer"]))[0]["active"]


async def test_an_admin_cannot_deactivate_themselves(admin, world):
    response = await admin.post_form(f"/admin/users/{world.users['admin']}/active", {"active": "0"})
    assert response.status_code == 422
    assert "cannot deactivate your own account" in response.text
    assert (await User.select(User.active).where(User.id == world.users["admin"]))[0]["active"]
    missing = await admin.post_form("/admin/users/999999/active", {"active": "0"})
    assert missing.status_code == 404


async def test_liaison_assignment_add_and_remove_changes_what_they_see(admin, client_as, world):
    liaison = await client_as(world.users["liaison"])
    listing = await liaison.get("/initiatives")
    assert "Other initiative" not in listing.text

    added = await admin.post_form(
        "/admin/liaisons", {"email": "liaison@test.example", "agency": world.other_agency_id}
    )
    assert added.status_code == 303
    assignment = (
        await LiaisonAssignment.select(LiaisonAssignment.id).where(
            (LiaisonAssignment.user == world.users["liaison"])
            & (LiaisonAssignment.agency == world.other_agency_id)
        )
    )[0]
    listing = await liaison.get("/initiatives")
    assert "Other initiative" in listing.text and "Parent engagement" in listing.text

    removed = await admin.post_form(f"/admin/liaisons/{assignment['id']}/remove", {})
    assert removed.status_code == 303
    assert not await LiaisonAssignment.exists().where(LiaisonAssignment.id == assignment["id"])
    listing = await liaison.get("/initiatives")
    assert "Other initiative" not in listing.text and "Parent engagement" in listing.text
    again = await admin.post_form(f"/admin/liaisons/{assignment['id']}/remove", {})
    assert again.status_code == 404


async def test_liaison_form_needs_a_known_person_and_agency(admin, world):
    before = await LiaisonAssignment.count()
    response = await admin.post_form(
        "/admin/liaisons", {"email": "ghost@example.org", "agency": "99999999999"}
    )
    assert response.status_code == 422
    assert 'href="#field-liaison-email"' in response.text
    assert 'href="#field-liaison-agency"' in response.text
    assert 'value="ghost@example.org"' in response.text
    assert await LiaisonAssignment.count() == before


@pytest.mark.parametrize("who", ["agency_lead", "viewer", "liaison", "other_lead"])
async def test_non_admins_get_403_on_every_admin_route(client_as, world, who):
    person = await client_as(world.users[who])
    assert (await person.get("/admin")).status_code == 403
    before = await row_counts()
    for url, data in ADMIN_POSTS:
        url = url.format(viewer=world.users["viewer"])
        data = {k: str(v).format(agency=world.agency_id) for k, v in data.items()}
        response = await person.post_form(url, data)
        assert response.status_code == 403, (who, url)
    assert await row_counts() == before


async def test_anonymous_visitors_are_sent_to_sign_in(client_as, world):
    anonymous = await client_as()
    response = await anonymous.get("/admin")
    assert response.status_code == 303 and response.headers["location"].startswith("/sign-in")
    assert not anonymous.cookies.get(SESSION_COOKIE)


async def test_a_new_user_without_agencies_sees_no_agency(admin, client_as, world):
    loner = await make_user("Lone Person", "lone@example.org")
    person = await client_as(loner)
    listing = await person.get("/initiatives")
    assert listing.status_code == 200
    assert "Parent engagement" not in listing.text and "Other initiative" not in listing.text


async def test_a_site_admin_of_no_agency_starts_at_site_administration(client_as, world):
    admin = await client_as(world.users["admin"])
    response = await admin.get("/")
    assert response.status_code == 303 and response.headers["location"] == "/admin"
