"""A liaison signs off a sprint review by keyboard alone, in a real browser (issue 6):
the lead closes the sprint first (only a closed sprint can be signed off), then the
liaison tabs to the form, is told a comment is needed to request changes, and signs
off with a comment; axe-core on the page with the form and with the error."""

from __future__ import annotations

import re

from tests.e2e.conftest import assert_accessible, new_page, sign_in
from tests.e2e.world import PEOPLE

INITIATIVE = "Fathers engagement"


def tab_to(page, predicate: str, limit: int = 300) -> None:
    """Press Tab until the focused element matches `predicate` (a JS expression on `el`)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return {predicate}; }})()"):
            return
    raise AssertionError(f"Tab never reached {predicate}")


def close_the_active_sprint(page) -> str:
    """As the lead, through the pages: start sprint 1 (the browser world plans it) and
    complete it, unfinished work to the backlog."""
    page.goto("/initiatives")
    page.get_by_role("link", name=INITIATIVE).click()
    page.wait_for_url(re.compile(r"/initiatives/\d+$"))
    page.get_by_role("navigation", name=INITIATIVE).get_by_role("link", name="Sprints").click()
    page.wait_for_url(re.compile(r"/sprints$"))
    page.get_by_role("link", name="Sprint 1", exact=True).click()
    page.wait_for_url(re.compile(r"/sprints/\d+$"))
    if page.get_by_role("button", name="Start sprint 1").count():
        page.get_by_role("button", name="Start sprint 1").click()
        page.wait_for_url(re.compile(r"/sprints/\d+\?done=started"))
    page.get_by_role("link", name="Complete sprint 1").click()
    page.locator('input[name="destination"][value="backlog"]').check()
    page.get_by_role("button", name="Complete sprint 1").click()
    page.wait_for_url(re.compile(r"/sprints/\d+\?done=closed"))
    return re.search(r"(/sprints/\d+)", page.url).group(1)


def test_a_liaison_signs_off_a_sprint_review_by_keyboard(page, browser, live_server):
    sprint_url = close_the_active_sprint(page)

    liaison = new_page(browser, live_server)
    try:
        sign_in(liaison, PEOPLE["liaison"][1])
        liaison.goto(sprint_url)
        assert liaison.get_by_role("heading", name="Review sign-off").is_visible()
        assert liaison.get_by_text("No sign-off decision yet.").is_visible()
        assert_accessible(liaison)

        # Request changes without a comment: refused, with the reason.
        tab_to(liaison, "el.name === 'decision'")
        liaison.keyboard.press("ArrowDown")  # selects "Request changes"
        assert liaison.get_by_label("Request changes").is_checked()
        tab_to(liaison, "el.id === 'field-sign_off_comment'", limit=3)
        tab_to(liaison, "el.tagName === 'BUTTON'", limit=3)
        with liaison.expect_navigation():
            liaison.keyboard.press("Enter")
        assert liaison.title().startswith("Error:")
        assert liaison.get_by_text(
            "a comment is needed when you request changes"
        ).first.is_visible()
        assert_accessible(liaison)

        # Sign off, with a comment, submitted with Enter.
        tab_to(liaison, "el.name === 'decision'")
        liaison.keyboard.press("ArrowUp")  # back to "Sign off"
        assert liaison.get_by_label("Sign off", exact=True).is_checked()
        tab_to(liaison, "el.id === 'field-sign_off_comment'", limit=3)
        liaison.keyboard.type("The review shows the goal was met.")
        tab_to(liaison, "el.tagName === 'BUTTON'", limit=3)
        liaison.keyboard.press("Enter")
        liaison.wait_for_url(re.compile(r"/sprints/\d+#sign-off$"))
        history = liaison.locator(".sign-off-history")
        assert history.get_by_text("Signed off", exact=True).is_visible()
        assert "Lia Liaison" in history.inner_text()
        assert "The review shows the goal was met." in history.inner_text()
        assert_accessible(liaison)
    finally:
        liaison.context.close()
