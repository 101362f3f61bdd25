"""Sprints and releases in a real browser: plan against capacity, start, complete with
carry-over into the next sprint, and axe-core on every page on the way (A11Y-01/06)."""

from __future__ import annotations

import re

from tests.e2e.conftest import assert_accessible

INITIATIVE = "Fathers engagement"


def open_initiative(page) -> int:
    page.goto("/initiatives")
    page.get_by_role("link", name=INITIATIVE).click()
    page.wait_for_url(re.compile(r"/initiatives/\d+$"))
    return int(re.search(r"/initiatives/(\d+)$", page.url).group(1))


def nav(page, name: str) -> None:
    page.get_by_role("navigation", name=INITIATIVE).get_by_role("link", name=name).click()


def test_plan_start_and_complete_a_sprint_with_carry_over(page):
    initiative_id = open_initiative(page)
    nav(page, "Sprints")
    page.wait_for_url(re.compile(r"/sprints$"))
    assert page.get_by_role("heading", name="Sprints", exact=True).is_visible()
    assert page.get_by_role("link", name="Sprint 1", exact=True).is_visible()
    assert_accessible(page)

    # A new sprint with errors: GOV.UK summary first and focused, typed values kept.
    page.get_by_role("link", name="Plan a new sprint").click()
    assert_accessible(page)
    page.get_by_label("Start date").fill("2026-05-15")
    page.get_by_label("End date").fill("2026-05-01")
    page.get_by_label("Capacity (points)").fill("-1")
    page.get_by_role("button", name="Plan sprint").click()
    assert page.title().startswith("Error:")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert page.get_by_label("Capacity (points)").input_value() == "-1"
    assert_accessible(page)

    # Plan sprint 1: give it a capacity, add a backlog story, see the warning in words.
    page.goto(f"/initiatives/{initiative_id}/sprints")
    page.get_by_role("link", name="Sprint 1", exact=True).click()
    page.get_by_role("link", name="Edit sprint 1").click()
    page.get_by_label("Capacity (points)").fill("12")
    page.get_by_role("button", name="Save sprint").click()
    assert page.get_by_text("Sprint 1 saved.").is_visible()
    assert "12 points committed of a capacity of 12 (0 to spare)" in page.inner_text("#capacity")
    # By keyboard: tick a backlog story and press Enter on the button; htmx swaps
    # only the plan, says what happened and puts focus on the new capacity line.
    story = page.get_by_label(re.compile(r"Backlog story 1 "))
    story_id = story.get_attribute("value")
    story.focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Add to sprint 1").focus()
    page.keyboard.press("Enter")
    page.wait_for_function(
        "text => document.getElementById('live-region').textContent.startsWith(text)",
        arg="1 item added to sprint 1. 14 points committed, 2 over capacity of 12.",
    )
    page.wait_for_function("() => document.activeElement.id === 'capacity'")
    assert "14 points committed, 2 over capacity of 12" in page.inner_text("#capacity")
    assert page.get_by_role("link", name=re.compile("Backlog story 1")).count() == 1
    assert_accessible(page)

    # Taking it out again works the same way, and it is offered for adding again.
    page.get_by_role("button", name=f"Remove from sprint #{story_id}").focus()
    page.keyboard.press("Enter")
    page.wait_for_function(
        "text => document.getElementById('live-region').textContent.startsWith(text)",
        arg="Item taken out of sprint 1",
    )
    assert "12 points committed" in page.inner_text("#capacity")
    page.get_by_label(re.compile(r"Backlog story 1 ")).check()
    page.get_by_role("button", name="Add to sprint 1").click()
    page.wait_for_function("() => document.activeElement.id === 'capacity'")
    assert "14 points committed" in page.inner_text("#capacity")

    # Start it; the page then links to the board and the burndown.
    page.get_by_role("button", name="Start sprint 1").click()
    assert page.get_by_text("Sprint 1 started with 14 points committed.").is_visible()
    assert page.get_by_role("link", name="Board of sprint 1").is_visible()
    assert page.get_by_role("link", name="Burndown of sprint 1").is_visible()
    assert_accessible(page)

    # Finish one story on the board (2 points), so three stay unfinished.
    page.get_by_role("link", name="Board of sprint 1").click()
    card = page.locator("li.card", has_text="Backlog story 1")
    item_id = card.get_attribute("id").removeprefix("card-")
    page.locator(f"#move-{item_id}").select_option(label="Done")
    page.get_by_role("button", name=f"Move #{item_id}").click()
    page.wait_for_function(
        "text => document.getElementById('live-region').textContent.startsWith(text)",
        arg=f"Story #{item_id} moved to Done",
    )

    # Complete it, choosing the next planned sprint for the unfinished work.
    page.goto(f"/initiatives/{initiative_id}/sprints")
    page.get_by_role("link", name="Complete sprint 1").click()
    assert page.get_by_text("Where should the 3 unfinished items go?").is_visible()
    assert page.locator("fieldset").count() == 1
    assert_accessible(page)
    page.get_by_role("button", name="Complete sprint 1").click()
    assert page.title().startswith("Error:")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert_accessible(page)
    page.get_by_label(re.compile(r"Move them to planned sprint 2")).check()
    page.get_by_role("button", name="Complete sprint 1").click()

    page.wait_for_url(re.compile(r"/sprints/\d+\?done=closed"))
    assert page.get_by_text("Sprint 1 closed. 3 unfinished items moved to sprint 2.").is_visible()
    assert page.get_by_text(
        "14 points committed at the start, 2 completed by the close"
    ).is_visible()
    assert page.get_by_text("Carried to sprint 2").count() == 3
    assert page.get_by_role("button", name=re.compile("Remove from sprint")).count() == 0
    assert_accessible(page)

    # Sprint 2 now holds the carried stories.
    page.goto(f"/initiatives/{initiative_id}/sprints")
    page.get_by_role("link", name="Sprint 2", exact=True).click()
    assert page.get_by_role("link", name=re.compile("Coach supervisors")).is_visible()
    assert "12 points committed" in page.inner_text("#capacity")


def test_release_pages_pass_axe(page):
    initiative_id = open_initiative(page)
    nav(page, "Releases")
    assert page.get_by_role("heading", name="Releases", exact=True).is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="New release").click()
    page.get_by_role("button", name="Save release").click()
    assert page.title().startswith("Error:")
    assert_accessible(page)
    page.get_by_label("Name").fill("Pilot release")
    page.get_by_label("Milestone").fill("Pilot in **four** area offices")
    page.get_by_label("Target date").fill("2026-09-30")
    page.get_by_role("button", name="Save release").click()
    assert page.get_by_role("heading", name="Release Pilot release").is_visible()
    assert page.locator("strong", has_text="four").is_visible()

    # Sprint 1 joins the release on its own form; the release page lists it.
    page.goto(f"/initiatives/{initiative_id}/sprints")
    page.get_by_role("link", name="Sprint 1", exact=True).click()
    page.get_by_role("link", name="Edit sprint 1").click()
    page.get_by_label("Release").select_option(label="Pilot release")
    page.get_by_role("button", name="Save sprint").click()
    page.get_by_role("link", name="Pilot release").click()
    assert page.get_by_text("0 of 12 points done (0%)").is_visible()
    assert page.get_by_role("link", name="Sprint 1").is_visible()
    assert_accessible(page)
    nav(page, "Releases")
    assert page.get_by_text("0 of 12 points done (0%)").is_visible()
    assert_accessible(page)
