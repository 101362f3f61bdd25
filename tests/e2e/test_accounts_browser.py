"""Signing in, setting up an authenticator app, signing in with a code, signing out,
and the idle-timeout warning, in Chromium (SEC-04, SEC-06, A11Y-01)."""

from __future__ import annotations

import re

import pyotp
import pytest

from tests.e2e.conftest import assert_accessible
from tests.e2e.world import PEOPLE

LEAD_EMAIL = PEOPLE["lead"][1]


def test_sign_in_set_up_totp_sign_out_and_sign_in_with_a_code(anonymous_page):
    page = anonymous_page
    page.goto("/initiatives")
    # Not signed in: the sign-in page, which remembers where we were going.
    page.wait_for_url(re.compile(r"/sign-in\?next="))
    assert_accessible(page)
    # A wrong password: the error summary, focused, and the title says so.
    page.get_by_label("Email address").fill(LEAD_EMAIL)
    page.get_by_label("Password").fill("not the password at all")
    page.get_by_role("button", name="Sign in").click()
    assert page.title().startswith("Error:")
    assert page.evaluate("() => document.activeElement.id") == "error-summary"
    assert_accessible(page)

    # The right password on the same form: on to the page first asked for.
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/initiatives$"))
    page.get_by_role("link", name="Lena Lead").click()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("Set up", re.I)).first.click()
    page.wait_for_url(re.compile(r"/account/totp$"))
    assert page.locator(".totp-qr svg").count() == 1
    assert_accessible(page)
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.get_by_label("Code from your app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on authenticator app").click()
    page.wait_for_url(re.compile(r"/account"))
    assert_accessible(page)

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/sign-in\?signed_out=1"))
    assert "You have signed out." in page.content()
    # Signed out: pages send us back to sign in.
    page.goto("/initiatives")
    page.wait_for_url(re.compile(r"/sign-in"))

    page.get_by_label("Email address").fill(LEAD_EMAIL)
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/sign-in/code"))
    assert_accessible(page)
    # A code from the next 30-second step: the one used to set up is spent.
    totp = pyotp.TOTP(secret)
    import time

    page.get_by_label("Code").fill(totp.at(time.time() + 30))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/initiatives$"))
    assert page.get_by_role("link", name="Lena Lead").count() == 1


@pytest.mark.server_env(TANDEM_SESSION_IDLE_SECONDS="14", TANDEM_SESSION_WARNING_SECONDS="10")
def test_the_idle_warning_is_extended_by_keyboard(page):
    """SEC-06: idle 14 s here, warned 10 s before: the warning shows after ~4 s."""
    page.goto("/initiatives")
    warning = page.locator("#idle-warning")
    warning.wait_for(state="visible", timeout=10_000)
    # Focus is on "Stay signed in", so Enter alone keeps the session.
    assert page.evaluate("() => document.activeElement.id") == "idle-extend"
    assert_accessible(page)
    page.keyboard.press("Enter")
    warning.wait_for(state="hidden")
    page.wait_for_function(
        "() => document.getElementById('live-region').textContent.includes('still signed in')"
    )
    # Past the first 14 s, the session is alive because it was extended.
    page.wait_for_timeout(8_000)
    page.goto("/account")
    assert page.url.endswith("/account")


@pytest.mark.server_env(TANDEM_SESSION_IDLE_SECONDS="6", TANDEM_SESSION_WARNING_SECONDS="4")
def test_an_ignored_idle_warning_ends_at_the_sign_in_page(page):
    page.goto("/initiatives")
    page.wait_for_url(re.compile(r"/sign-in\?next=%2Finitiatives"), timeout=15_000)
    page.goto("/account")
    page.wait_for_url(re.compile(r"/sign-in"))
