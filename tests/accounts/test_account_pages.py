"""Your account: changing the password, the authenticator app, and personal API tokens.

Everything goes through HTTP the way a browser or a script would, and the
database is read afterwards to see what really changed.
"""

from __future__ import annotations

import logging
import re
from html.parser import HTMLParser

import pyotp

from backend import clock
from backend.accounts.access import SESSION_COOKIE, TOKEN_PREFIX, hash_secret
from backend.accounts.passwords import verify_password
from backend.accounts.tables import ApiToken, User
from backend.scrum.tables import BacklogItem
from tests.factories import TEST_PASSWORD

NEW_PASSWORD = "plum orchard bicycle lantern"
LEAD_EMAIL = "agency_lead@test.example"
HIDDEN_SECRET = re.compile(r'name="secret" value="([A-Z2-7]+)"')


async def browser_signed_in(client_as, email: str):
    """A browser signed in through the sign-in form, so the session cookie is the
    server's own and a rotated one replaces it as it would in a real browser."""
    browser = await client_as()
    response = await browser.post_form("/sign-in", {"email": email, "password": TEST_PASSWORD})
    assert response.status_code == 303, response.text
    return browser


async def saved_user(user_id: int) -> dict:
    rows = await User.select().where(User.id == user_id)
    return rows[0]


async def change_password(client, new: str, *, current: str = TEST_PASSWORD, confirm=None):
    return await client.post_form(
        "/account/password",
        {
            "current_password": current,
            "new_password": new,
            "confirm_password": new if confirm is None else confirm,
        },
    )


async def turn_on_totp(client) -> str:
    page = await client.get("/account/totp")
    secret = HIDDEN_SECRET.search(page.text).group(1)
    response = await client.post_form(
        "/account/totp", {"secret": secret, "code": pyotp.TOTP(secret).now()}
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/account?done=totp_on"
    return secret


async def create_token(client, name: str = "Report script") -> str:
    response = await client.post_form("/account/tokens", {"name": name})
    assert response.status_code == 200, response.text
    found = re.search(r'value="(tdm_[A-Za-z0-9_-]+)"', response.text)
    assert found, "the new token is not on the page"
    return found.group(1)


def next_code(secret: str) -> str:
    """The code of the next 30-second step: the current one was spent turning the app on."""
    totp = pyotp.TOTP(secret)
    return totp.at((totp.timecode(clock.now()) + 1) * totp.interval)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# ---------------------------------------------------------------- the page


async def test_account_page_shows_name_email_agencies_and_roles(client, world):
    page = await client.get("/account")
    assert page.status_code == 200
    assert "<h1>Your account</h1>" in page.text
    assert "Agency Lead" in page.text and "agency_lead@test.example" in page.text
    assert "Test Agency</a>: Agency lead" in page.text
    assert "Other Agency" not in page.text
    assert "Change your password" in page.text and "API tokens" in page.text
    assert 'href="/account/totp"' in page.text  # TOTP is off: a link to set it up
    # Password managers need to tell the current password from the new one.
    assert 'autocomplete="current-password"' in page.text
    assert 'autocomplete="new-password"' in page.text
    assert "style=" not in page.text


async def test_a_liaison_sees_the_agencies_they_support(client_as, world):
    liaison = await client_as(world.users["liaison"])
    page = await liaison.get("/account")
    assert "Test Agency</a>: Center for States liaison" in page.text


async def test_the_account_page_needs_a_session(client_as, world):
    anonymous = await client_as()
    response = await anonymous.get("/account")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/sign-in")


# ---------------------------------------------------------------- password


async def test_changing_the_password_signs_out_every_other_session(client_as, world):
    client = await browser_signed_in(client_as, LEAD_EMAIL)
    other_browser = await browser_signed_in(client_as, LEAD_EMAIL)
    assert (await other_browser.get("/account")).status_code == 200
    old_cookie = client.cookies.get(SESSION_COOKIE)
    before = await saved_user(world.lead)

    response = await change_password(client, NEW_PASSWORD)

    assert response.status_code == 303
    assert response.headers["location"] == "/account?done=password"
    after = await saved_user(world.lead)
    assert await verify_password(after["password_hash"], NEW_PASSWORD)
    assert not await verify_password(after["password_hash"], TEST_PASSWORD)
    assert after["session_generation"] == before["session_generation"] + 1
    # This browser carries on with a brand-new session id...
    assert client.cookies.get(SESSION_COOKIE) != old_cookie
    page = await client.get(response.headers["location"])
    assert page.status_code == 200
    assert "Your password has been changed" in page.text
    assert NEW_PASSWORD not in page.text
    # ...the other one, and the old cookie, are signed out.
    refused = await other_browser.get("/account")
    assert refused.status_code == 303 and refused.headers["location"].startswith("/sign-in")
    replay = await client_as()
    replay.cookies.set(SESSION_COOKIE, old_cookie)
    replayed = await replay.get("/account")
    assert replayed.status_code == 303 and replayed.headers["location"].startswith("/sign-in")


async def test_the_new_password_signs_in_and_the_old_one_does_not(client, client_as, world):
    assert (await change_password(client, NEW_PASSWORD)).status_code == 303
    browser = await client_as()
    old = await browser.post_form(
        "/sign-in", {"email": "agency_lead@test.example", "password": TEST_PASSWORD}
    )
    assert old.status_code == 401
    new = await browser.post_form(
        "/sign-in", {"email": "agency_lead@test.example", "password": NEW_PASSWORD}
    )
    assert new.status_code == 303


async def test_a_128_character_unicode_password_is_kept_exactly(client, world):
    password = ("Ünïcødé 密码 пароль 🔐 " * 10)[:128]
    assert len(password) == 128
    response = await change_password(client, password)
    assert response.status_code == 303, response.text
    stored = (await saved_user(world.lead))["password_hash"]
    assert await verify_password(stored, password)
    assert not await verify_password(stored, password[:127])
    assert not await verify_password(stored, password.strip())


async def _refused(client, world, response, field: str, message: str) -> None:
    assert response.status_code == 422
    assert "<title>Error: Your account" in response.text
    assert f'href="#field-{field}"' in response.text
    assert message in response.text
    assert 'aria-invalid="true"' in response.text
    stored = (await saved_user(world.lead))["password_hash"]
    assert await verify_password(stored, TEST_PASSWORD)
    assert (await saved_user(world.lead))["session_generation"] == 1


async def test_a_wrong_current_password_is_refused_and_nothing_changes(client, world):
    response = await change_password(client, NEW_PASSWORD, current="not my password at all")
    await _refused(
        client, world, response, "current_password", "Your current password is not right"
    )
    assert NEW_PASSWORD not in response.text and "not my password at all" not in response.text
    assert (await client.get("/account")).status_code == 200  # still signed in


async def test_a_missing_current_password_is_refused(client, world):
    response = await change_password(client, NEW_PASSWORD, current="")
    await _refused(client, world, response, "current_password", "Enter your current password")


async def test_a_short_new_password_is_refused(client, world):
    response = await change_password(client, "short pass1")
    await _refused(client, world, response, "new_password", "at least 12 characters")
    assert "short pass1" not in response.text


async def test_a_common_new_password_is_refused(client, world):
    response = await change_password(client, "password1234")
    await _refused(client, world, response, "new_password", "too common")


async def test_a_new_password_made_of_ones_own_name_is_refused(client, world):
    response = await change_password(client, "agency_lead@test.example1")
    await _refused(client, world, response, "new_password", "too common")


async def test_new_passwords_that_differ_are_refused(client, world):
    response = await change_password(client, NEW_PASSWORD, confirm=NEW_PASSWORD + "!")
    await _refused(client, world, response, "confirm_password", "not the same")
    assert NEW_PASSWORD not in response.text


async def test_a_129_character_password_is_refused_not_truncated(client, world):
    response = await change_password(client, "a long passphrase " * 7 + "abc")
    await _refused(client, world, response, "new_password", "at most 128 characters")


async def test_the_same_password_again_is_refused(client, world):
    response = await change_password(client, TEST_PASSWORD)
    await _refused(client, world, response, "new_password", "different from your current one")


async def test_repeated_wrong_current_passwords_are_throttled(client, world):
    for _ in range(6):
        response = await change_password(client, NEW_PASSWORD, current="wrong guess number")
    response = await change_password(client, NEW_PASSWORD)  # even the right one must wait
    assert response.status_code == 429
    assert "Too many wrong passwords" in response.text
    assert await verify_password((await saved_user(world.lead))["password_hash"], TEST_PASSWORD)


async def test_password_change_is_logged_without_the_password(client, world, caplog):
    with caplog.at_level(logging.INFO, logger="tandem.security"):
        await change_password(client, NEW_PASSWORD)
    lines = [r.getMessage() for r in caplog.records if r.name == "tandem.security"]
    assert any('event="password_changed"' in line for line in lines)
    assert not any(NEW_PASSWORD in line or TEST_PASSWORD in line for line in lines)


# ---------------------------------------------------------------- authenticator app


async def test_the_set_up_page_shows_a_qr_code_and_the_key_as_text(client, world):
    page = await client.get("/account/totp")
    assert page.status_code == 200
    assert "<svg" in page.text and 'role="img"' in page.text and "aria-label=" in page.text
    secret = HIDDEN_SECRET.search(page.text).group(1)
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    assert grouped in page.text
    assert "style=" not in page.text
    # Nothing is saved by looking.
    assert (await saved_user(world.lead))["totp_secret"] == ""


async def test_a_right_code_turns_the_authenticator_app_on(client_as, world, caplog):
    client = await browser_signed_in(client_as, LEAD_EMAIL)
    old_cookie = client.cookies.get(SESSION_COOKIE)
    with caplog.at_level(logging.INFO, logger="tandem.security"):
        secret = await turn_on_totp(client)
    user = await saved_user(world.lead)
    assert user["totp_secret"] == secret
    assert user["totp_last_step"] > 0
    assert client.cookies.get(SESSION_COOKIE) != old_cookie  # SEC-05
    page = await client.get("/account?done=totp_on")
    assert "Your authenticator app is set up" in page.text
    assert "Turn off your authenticator app" in page.text
    assert any('event="totp_enabled"' in r.getMessage() for r in caplog.records)
    assert not any(secret in r.getMessage() for r in caplog.records)


async def test_a_wrong_code_keeps_the_same_key_so_one_can_try_again(client, world):
    page = await client.get("/account/totp")
    secret = HIDDEN_SECRET.search(page.text).group(1)
    right = pyotp.TOTP(secret).now()
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    response = await client.post_form("/account/totp", {"secret": secret, "code": wrong})
    assert response.status_code == 422
    assert "<title>Error: Set up your authenticator app" in response.text
    assert 'href="#field-code"' in response.text
    assert f'name="secret" value="{secret}"' in response.text
    assert (await saved_user(world.lead))["totp_secret"] == ""


async def test_a_tampered_set_up_key_is_refused(client, world):
    for secret in ("short", "not-base32-at-all-!!!!", "A" * 65, ""):
        response = await client.post_form("/account/totp", {"secret": secret, "code": "123456"})
        assert response.status_code == 422, secret
        assert "damaged" in response.text
    assert (await saved_user(world.lead))["totp_secret"] == ""


async def test_setting_up_a_second_app_over_the_first_is_refused(client, world):
    first = await turn_on_totp(client)
    page = await client.get("/account/totp")
    assert "already set up" in page.text
    other = pyotp.random_base32()
    response = await client.post_form(
        "/account/totp", {"secret": other, "code": pyotp.TOTP(other).now()}
    )
    assert response.status_code == 409
    assert (await saved_user(world.lead))["totp_secret"] == first


async def test_turning_the_app_off_needs_the_password_and_a_code(client_as, world):
    client = await browser_signed_in(client_as, LEAD_EMAIL)
    secret = await turn_on_totp(client)
    code = next_code(secret)
    wrong_password = await client.post_form(
        "/account/totp/disable", {"totp_password": "not my password", "totp_code": code}
    )
    assert wrong_password.status_code == 422
    assert 'href="#field-totp_password"' in wrong_password.text
    no_code = await client.post_form(
        "/account/totp/disable", {"totp_password": TEST_PASSWORD, "totp_code": ""}
    )
    assert no_code.status_code == 422 and 'href="#field-totp_code"' in no_code.text
    assert (await saved_user(world.lead))["totp_secret"] == secret

    old_cookie = client.cookies.get(SESSION_COOKIE)
    response = await client.post_form(
        "/account/totp/disable", {"totp_password": TEST_PASSWORD, "totp_code": code}
    )
    assert response.status_code == 303, response.text
    assert (await saved_user(world.lead))["totp_secret"] == ""
    assert client.cookies.get(SESSION_COOKIE) != old_cookie
    page = await client.get(response.headers["location"])
    assert "Your authenticator app is turned off" in page.text


async def test_a_site_admin_cannot_turn_the_app_off(client_as, world):
    admin = await browser_signed_in(client_as, "admin@test.example")  # lands on the set-up page
    secret = await turn_on_totp(admin)
    page = await admin.get("/account")
    assert "cannot be turned off here" in page.text
    assert 'action="/account/totp/disable"' not in page.text
    code = next_code(secret)
    response = await admin.post_form(
        "/account/totp/disable", {"totp_password": TEST_PASSWORD, "totp_code": code}
    )
    assert response.status_code == 403
    assert "Site administrators must keep their authenticator app" in response.text
    assert (await saved_user(world.users["admin"]))["totp_secret"] == secret


async def test_a_site_admin_signing_in_without_an_app_must_set_one_up(client_as, world):
    browser = await client_as()
    response = await browser.post_form(
        "/sign-in", {"email": "admin@test.example", "password": TEST_PASSWORD}
    )
    assert response.status_code == 303 and response.headers["location"] == "/account/totp"
    # Anywhere else sends them back to the set-up page.
    elsewhere = await browser.get("/account")
    assert elsewhere.status_code == 303 and elsewhere.headers["location"] == "/account/totp"
    page = await browser.get("/account/totp")
    assert "Site administrators must set up an authenticator app before going on" in page.text
    enroll_cookie = browser.cookies.get(SESSION_COOKIE)
    secret = HIDDEN_SECRET.search(page.text).group(1)
    done = await browser.post_form(
        "/account/totp", {"secret": secret, "code": pyotp.TOTP(secret).now()}
    )
    assert done.status_code == 303
    assert browser.cookies.get(SESSION_COOKIE) != enroll_cookie
    assert (await browser.get("/account")).status_code == 200
    assert (await saved_user(world.users["admin"]))["totp_secret"] == secret


# ---------------------------------------------------------------- API tokens


async def test_a_new_token_is_shown_once_and_only_its_hash_is_kept(client, world):
    response = await client.post_form("/account/tokens", {"name": "Monthly report"})
    assert response.status_code == 200
    assert "Copy it now: it will not be shown again" in response.text
    token = re.search(r'value="(tdm_[A-Za-z0-9_-]+)"', response.text).group(1)
    assert token.startswith(TOKEN_PREFIX) and len(token) > 40
    rows = await ApiToken.select().where(ApiToken.user == world.lead)
    assert len(rows) == 1
    row = rows[0]
    assert row["name"] == "Monthly report"
    assert row["token_hash"] == hash_secret(token)
    assert row["prefix"] == token[:12]
    assert token not in str(row.values())
    assert row["created_at"] is not None and row["revoked_at"] is None
    again = await client.get("/account")
    assert token not in again.text
    assert "Monthly report" in again.text and token[:12] in again.text


async def test_a_token_needs_a_name_of_at_most_100_characters(client, world):
    empty = await client.post_form("/account/tokens", {"name": "   "})
    assert empty.status_code == 422 and "Enter token name" in empty.text
    long_name = "x" * 101
    too_long = await client.post_form("/account/tokens", {"name": long_name})
    assert too_long.status_code == 422 and "100 characters or fewer" in too_long.text
    assert long_name in too_long.text  # what was typed is kept
    assert await ApiToken.count() == 0


async def test_a_token_reads_only_its_owners_agencies(client, client_as, world):
    token = await create_token(client)
    script = await client_as()
    response = await script.get("/api/initiatives", headers=bearer(token))
    assert response.status_code == 200, response.text
    agencies = {i["agency_id"] for i in response.json()}
    assert agencies == {world.agency_id}
    assert not script.cookies.get(SESSION_COOKIE)
    used = await ApiToken.select(ApiToken.last_used_at).where(ApiToken.user == world.lead)
    assert used[0]["last_used_at"] is not None
    other = await script.get(f"/api/initiatives/{world.other_initiative_id}", headers=bearer(token))
    assert other.status_code == 404


async def test_a_token_writes_without_a_csrf_header(client, client_as, world):
    token = await create_token(client)
    script = await client_as()
    response = await script.post(
        f"/api/initiatives/{world.initiative_id}/items",
        json={"title": "From a script"},
        headers=bearer(token),
    )
    assert response.status_code == 201, response.text
    saved = await BacklogItem.select(BacklogItem.initiative).where(
        BacklogItem.title == "From a script"
    )
    assert [r["initiative"] for r in saved] == [world.initiative_id]


async def test_a_viewers_token_cannot_write(client_as, world):
    viewer = await client_as(world.users["viewer"])
    token = await create_token(viewer, "Viewer script")
    script = await client_as()
    read = await script.get("/api/initiatives", headers=bearer(token))
    assert read.status_code == 200 and len(read.json()) == 1
    response = await script.post(
        f"/api/initiatives/{world.initiative_id}/items",
        json={"title": "Not allowed"},
        headers=bearer(token),
    )
    assert response.status_code == 403
    assert not await BacklogItem.exists().where(BacklogItem.title == "Not allowed")


async def test_a_revoked_token_stops_working(client, client_as, world):
    token = await create_token(client)
    script = await client_as()
    assert (await script.get("/api/initiatives", headers=bearer(token))).status_code == 200
    [row] = await ApiToken.select(ApiToken.id).where(ApiToken.user == world.lead)
    response = await client.post_form(f"/account/tokens/{row['id']}/revoke", {})
    assert response.status_code == 303
    assert response.headers["location"] == "/account?done=token_revoked"
    revoked = await ApiToken.select(ApiToken.revoked_at).where(ApiToken.id == row["id"])
    assert revoked[0]["revoked_at"] is not None
    refused = await script.get("/api/initiatives", headers=bearer(token))
    assert refused.status_code == 401
    page = await client.get(response.headers["location"])
    assert "The API token has been revoked" in page.text and "Revoked " in page.text


async def test_someone_elses_token_cannot_be_revoked(client, client_as, world):
    other = await client_as(world.users["other_lead"])
    token = await create_token(other, "Other's script")
    [row] = await ApiToken.select(ApiToken.id).where(ApiToken.user == world.users["other_lead"])
    response = await client.post_form(f"/account/tokens/{row['id']}/revoke", {})
    assert response.status_code == 404
    still = await ApiToken.select(ApiToken.revoked_at).where(ApiToken.id == row["id"])
    assert still[0]["revoked_at"] is None
    script = await client_as()
    assert (await script.get("/api/initiatives", headers=bearer(token))).status_code == 200
    for missing in (999_999, 2**40):
        gone = await client.post_form(f"/account/tokens/{missing}/revoke", {})
        assert gone.status_code == 404


async def test_a_made_up_or_malformed_token_is_refused(client_as, world):
    script = await client_as()
    for header in (f"Bearer {TOKEN_PREFIX}made-up", "Bearer nonsense", "Bearer "):
        response = await script.get("/api/initiatives", headers={"Authorization": header})
        assert response.status_code == 401


async def test_account_forms_without_a_csrf_token_are_refused(client, world):
    for url in ("/account/password", "/account/tokens", "/account/totp"):
        response = await client.post(url, data={"name": "x", "new_password": NEW_PASSWORD})
        assert response.status_code == 403, url
    assert await ApiToken.count() == 0


# ---------------------------------------------------------------- valid markup


class _Markup(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.label_for: list[str] = []
        self.headings: list[int] = []

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        if "id" in found:
            self.ids.append(found["id"])
        if tag == "label":
            self.label_for.append(found.get("for", ""))
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))


def check_markup(html: str) -> None:
    """No duplicate ids, every label names a real field, no heading level skipped."""
    parser = _Markup()
    parser.feed(html)
    assert len(parser.ids) == len(set(parser.ids)), sorted(parser.ids)
    assert all(target in parser.ids for target in parser.label_for), parser.label_for
    main = parser.headings[parser.headings.index(1) :]
    assert all(b - a <= 1 for a, b in zip(main, main[1:], strict=False)), main
    assert "style=" not in html


async def test_account_pages_have_valid_markup_in_every_state(client, client_as, world):
    secret = await turn_on_totp(client)
    token = await create_token(client, "First")
    await create_token(client, "Second")
    script = await client_as()
    await script.get("/api/initiatives", headers=bearer(token))
    [first] = await ApiToken.select(ApiToken.id).where(ApiToken.name == "First")
    await client.post_form(f"/account/tokens/{first['id']}/revoke", {})
    page = await client.get("/account?done=token_revoked")
    assert "Never" in page.text and "Revoked " in page.text
    check_markup(page.text)
    with_errors = await client.post_form(
        "/account/totp/disable", {"totp_password": "", "totp_code": "12"}
    )
    assert with_errors.status_code == 422
    check_markup(with_errors.text)
    created = await client.post_form("/account/tokens", {"name": "Third"})
    check_markup(created.text)
    password_errors = await change_password(client, "short", current="")
    check_markup(password_errors.text)
    assert secret
    viewer = await client_as(world.users["viewer"])
    check_markup((await viewer.get("/account/totp")).text)
    bad_code = await viewer.post_form("/account/totp", {"secret": "A" * 32, "code": "000000"})
    check_markup(bad_code.text)
