"""Every page of the browser world passes axe-core (A11Y-01) and obeys the CSP."""

import re


def test_initiative_pages_have_no_axe_violations(page):
    page.goto("/initiatives")
    assert_list = page.get_by_role("heading", name="Initiatives", exact=True)
    assert assert_list.is_visible()
    from tests.e2e.conftest import assert_accessible

    assert_accessible(page)
    page.get_by_role("link", name="Fathers engagement").click()
    page.wait_for_url(re.compile(r"/initiatives/\d+$"))
    assert_accessible(page)
    page.get_by_role("link", name="Edit initiative").click()
    assert_accessible(page)
    page.get_by_label("Title").fill("")
    page.get_by_role("button", name="Save initiative").click()
    assert page.title().startswith("Error:")
    # The error summary takes focus so a screen reader starts there (A11Y-06).
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert_accessible(page)


def test_no_browser_storage_is_written_by_navigation(page):
    page.goto("/initiatives")
    page.get_by_role("link", name="Fathers engagement").click()
    page.go_back()
    assert page.evaluate("window.localStorage.length") == 0
    # htmx notes the current path (never page content) when it loads; its
    # history cache of page snapshots is off.
    keys = page.evaluate("Object.keys(window.sessionStorage)")
    assert set(keys) <= {"htmx-current-path-for-history"}


def test_account_members_and_admin_pages_have_no_axe_violations(page, browser, live_server):
    """A11Y-01 for the accounts area, as the lead, a viewer and a site admin,
    with form errors shown."""
    import pyotp

    from tests.e2e.conftest import assert_accessible, new_page, sign_in
    from tests.e2e.world import ADMIN_TOTP_SECRET, PEOPLE

    page.goto("/account")
    assert_accessible(page)
    page.get_by_role("button", name="Change password").click()
    assert page.title().startswith("Error:")
    assert_accessible(page)
    page.get_by_role("link", name="Lena Lead").click()
    agency_link = page.get_by_role("link", name="Browser Agency").first
    agency_link.click()
    page.get_by_role("link", name=re.compile("^Members")).first.click()
    page.wait_for_url(re.compile(r"/members$"))
    assert_accessible(page)
    page.get_by_role("button", name=re.compile("^Add")).first.click()
    assert page.title().startswith("Error:")
    assert_accessible(page)

    viewer = new_page(browser, live_server)
    sign_in(viewer, PEOPLE["viewer"][1])
    viewer.goto(page.url)
    assert_accessible(viewer)
    viewer.context.close()

    admin = new_page(browser, live_server)
    admin.goto("/sign-in")
    admin.get_by_label("Email address").fill(PEOPLE["admin"][1])
    admin.get_by_label("Password").fill("correct horse battery staple")
    admin.get_by_role("button", name="Sign in").click()
    admin.wait_for_url(re.compile(r"/sign-in/code"))
    admin.get_by_label("Code").fill(pyotp.TOTP(ADMIN_TOTP_SECRET).now())
    admin.get_by_role("button", name="Continue").click()
    admin.goto("/admin")
    assert admin.get_by_role("heading", name="Site administration").count() == 1
    assert_accessible(admin)
    admin.context.close()
