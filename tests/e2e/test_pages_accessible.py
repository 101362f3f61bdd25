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
