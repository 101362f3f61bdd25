"""A collaborative in the browser: its pages pass axe (A11Y-01), a change idea is adopted
into the team's backlog by keyboard, and the cross-team view draws the team's chart."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible
from tests.e2e.world import COLLABORATIVE, COLLABORATIVE_TEAM


def test_faculty_and_team_pages_of_a_collaborative_pass_axe(page):
    page.goto("/initiatives")
    page.get_by_role("link", name="Collaboratives", exact=True).click()
    assert_accessible(page)
    page.get_by_role("link", name=COLLABORATIVE).click()
    page.wait_for_url(re.compile(r"/collaboratives/\d+$"))
    assert "Learning session 2" in page.locator("main").inner_text()
    assert_accessible(page)

    # Adopt the second idea by keyboard: focus its button, press Enter.
    adopt = page.get_by_role(
        "button", name=re.compile(rf"Adopt into {COLLABORATIVE_TEAM} backlog\s*: Supervisor review")
    )
    adopt.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # Adopted: its button is gone (expect retries until the new page shows it).
    adopted = page.get_by_role("button", name=re.compile(r"Adopt into .*: Supervisor review"))
    expect(adopted).to_have_count(0)
    assert_accessible(page)

    page.get_by_role("link", name="What others are testing").click()
    assert_accessible(page)
    page.go_back()
    page.get_by_role("link", name="Shared measures").click()
    assert_accessible(page)
    page.get_by_role("link", name="Assessments within 24 hours").click()
    page.wait_for_url(re.compile(r"/measures/\d+$"))
    charts = page.get_by_role("img", name=re.compile(COLLABORATIVE_TEAM))
    assert charts.count() >= 1
    assert_accessible(page)
