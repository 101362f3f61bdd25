"""PDSA cycles in a real browser: a cycle recorded by keyboard alone (Tab, typing,
arrow keys, Space and Enter; no clicks): its plan (first with a mistake), Do, Study
and Act (adapt), then "Start the next cycle", and both cycles on the ramp view.
axe on every form page, a form with an error, the cycle page and the ramp view."""

from __future__ import annotations

import re

from tests.e2e.conftest import assert_accessible

INITIATIVE = "Fathers engagement"
IDEA = "Call fathers before the first meeting"


def focused_id(page) -> str | None:
    return page.evaluate("document.activeElement && document.activeElement.id")


def tab_to(page, element_id: str, limit: int = 150) -> None:
    """Press Tab until the element has focus, as a keyboard user would."""
    for _ in range(limit):
        if focused_id(page) == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"#{element_id} never took focus with Tab")


def tab_to_name(page, pattern: str, limit: int = 150) -> None:
    """Press Tab until a link or button whose text matches has focus."""
    for _ in range(limit):
        text = page.evaluate(
            "document.activeElement ? document.activeElement.textContent.trim() : ''"
        )
        if re.search(pattern, text or ""):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"nothing matching {pattern!r} took focus with Tab")


def press_and_wait(page, key: str = "Enter") -> None:
    with page.expect_navigation():
        page.keyboard.press(key)


def initiative_id_of(page) -> int:
    page.goto("/initiatives")
    link = page.get_by_role("link", name=INITIATIVE)
    return int(re.search(r"/initiatives/(\d+)", link.get_attribute("href")).group(1))


def test_a_pdsa_cycle_is_recorded_by_keyboard_and_chained_on_the_ramp_view(page):
    initiative_id = initiative_id_of(page)
    page.goto(f"/initiatives/{initiative_id}/pdsa")
    assert page.get_by_role("heading", name="PDSA cycles", exact=True).is_visible()
    assert_accessible(page)
    tab_to_name(page, r"^New PDSA cycle$")
    press_and_wait(page)
    assert page.url.endswith(f"/initiatives/{initiative_id}/pdsa/new")
    assert_accessible(page)

    # Plan, first without a change idea: the error summary takes focus (A11Y-06).
    tab_to(page, "field-objective")
    page.keyboard.type("Learn whether a call brings fathers to the first meeting")
    tab_to(page, "field-prediction")
    page.keyboard.type("Half of the fathers called come")
    tab_to_name(page, r"^Add PDSA cycle$")
    press_and_wait(page)
    assert page.title().startswith("Error:")
    assert focused_id(page) == "error-summary"
    assert page.get_by_role("link", name="Enter change idea").is_visible()
    assert page.get_by_label("Prediction").input_value() == "Half of the fathers called come"
    assert_accessible(page)

    tab_to(page, "field-change_idea")
    page.keyboard.type(IDEA)
    tab_to(page, "field-plan_who")
    page.keyboard.type("Two workers in the North unit")
    tab_to(page, "field-site")
    page.keyboard.press("ArrowDown")  # No site -> North Area Office
    assert page.evaluate("document.activeElement.selectedOptions[0].text") == "North Area Office"
    page.keyboard.press("Tab")
    assert focused_id(page) == "field-start_date"
    page.keyboard.type("03022026")  # the browser's date field: month, day, year
    assert page.get_by_label("Start date").input_value() == "2026-03-02"
    tab_to(page, "field-end_date")
    page.keyboard.type("03132026")
    assert page.get_by_label("End date").input_value() == "2026-03-13"
    press_and_wait(page)  # Enter in a field sends the form
    assert re.search(r"/pdsa/\d+$", page.url)
    first_url = page.url
    assert page.get_by_role("heading", level=1).inner_text() == f"PDSA cycle: {IDEA}"
    assert page.get_by_text("2 Mar 2026 to 13 Mar 2026").is_visible()
    assert_accessible(page)

    # Do: a radio group by arrow keys, then the observations.
    tab_to_name(page, r"^Record the Do part$")
    press_and_wait(page)
    assert_accessible(page)
    tab_to(page, "field-ran_as_planned")
    page.keyboard.press("Space")  # Yes
    page.keyboard.press("ArrowDown")  # Partly
    assert page.get_by_label("Partly").is_checked()
    page.keyboard.press("Tab")
    assert focused_id(page) == "field-observations"
    page.keyboard.type("Two calls were missed: the numbers were old")
    tab_to_name(page, r"^Save the Do part$")
    press_and_wait(page)
    assert page.url == f"{first_url}#do"

    # Study.
    tab_to_name(page, r"^Record the Study part$")
    press_and_wait(page)
    assert page.get_by_text("Half of the fathers called come").is_visible()
    assert_accessible(page)
    tab_to(page, "field-study")
    page.keyboard.type("A third came, not half; those reached by phone came")
    tab_to_name(page, r"^Save the Study part$")
    press_and_wait(page)

    # Act: first without a decision (an error), then adapt.
    tab_to_name(page, r"^Record the Act decision$")
    press_and_wait(page)
    assert_accessible(page)
    tab_to(page, "field-act_notes")
    page.keyboard.type("Check the numbers first")
    tab_to_name(page, r"^Save the decision$")
    press_and_wait(page)
    assert page.title().startswith("Error:")
    assert focused_id(page) == "error-summary"
    assert page.get_by_label("Notes").input_value() == "Check the numbers first"
    assert_accessible(page)
    tab_to(page, "field-act_decision")
    page.keyboard.press("ArrowDown")  # Adopt -> Adapt (arrows check the radio they reach)
    assert page.get_by_label(re.compile("^Adapt")).is_checked()
    tab_to_name(page, r"^Save the decision$")
    press_and_wait(page)
    assert page.url == f"{first_url}#act"
    act = page.locator("#act")
    assert "Adapt" in act.inner_text() and "Check the numbers first" in act.inner_text()

    # Start the next cycle: its plan form, with the change idea and site kept.
    tab_to_name(page, r"^Start the next cycle$")
    press_and_wait(page)
    assert re.search(r"/pdsa/\d+/plan$", page.url)
    assert page.get_by_label("Change idea").input_value() == IDEA
    assert page.locator("#field-site").evaluate("s => s.selectedOptions[0].text") == (
        "North Area Office"
    )
    assert_accessible(page)
    tab_to(page, "field-prediction")
    page.keyboard.type("With checked numbers, half come")
    tab_to_name(page, r"^Save the plan$")
    press_and_wait(page)
    second_url = page.url.split("#")[0]
    assert second_url != first_url
    previous = page.locator("#chain")
    assert "Adapt" in previous.inner_text()

    # Both on the ramp view, in order, with the decision in words.
    tab_to_name(page, r"^PDSA ramps$")
    press_and_wait(page)
    assert page.url.endswith(f"/initiatives/{initiative_id}/pdsa/ramps")
    ramp = page.locator("section.ramp", has=page.get_by_role("heading", name=IDEA))
    steps = ramp.locator("li.ramp-step")
    assert steps.count() == 2
    assert "Decision Adapt" in re.sub(r"\s+", " ", steps.nth(0).inner_text())
    assert "A third came, not half" in steps.nth(0).inner_text()
    assert "With checked numbers, half come" in steps.nth(1).inner_text()
    assert_accessible(page)
    # Each cycle's link is reachable by Tab and opens it.
    tab_to_name(page, r"^Cycle 2")
    press_and_wait(page)
    assert page.url == second_url
