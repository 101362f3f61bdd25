"""A fidelity assessment rated by keyboard alone in a real browser: choose the profile
version, the site, the method and the date, rate each row of the rubric with the arrow
keys, save, read the result and the roll-up. axe on the empty roll-up, the form (also
with an error shown), the assessment and the roll-up with its small multiples."""

from __future__ import annotations

import re

from tests.e2e.conftest import assert_accessible
from tests.e2e.world import FIDELITY_INITIATIVE as INITIATIVE

PROFILE = "Fathers at the table, version 1 (approved)"  # tests/e2e/world.py


def focused(page, attribute: str = "id") -> str | None:
    return page.evaluate(
        "a => document.activeElement && document.activeElement.getAttribute(a)", attribute
    )


def tab_until(page, test, what: str, limit: int = 150) -> None:
    """Press Tab until `test(page)` holds, as a keyboard user would."""
    for _ in range(limit):
        if test(page):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{what} never took focus with Tab")


def tab_to(page, element_id: str) -> None:
    tab_until(page, lambda p: focused(p) == element_id, f"#{element_id}")


def tab_to_text(page, pattern: str) -> None:
    def test(p):
        text = p.evaluate("document.activeElement ? document.activeElement.textContent : ''")
        return re.search(pattern, (text or "").strip()) is not None

    tab_until(page, test, pattern)


def open_initiative(page) -> int:
    page.goto("/initiatives")
    page.get_by_role("link", name=INITIATIVE).click()
    page.wait_for_url(re.compile(r"/initiatives/\d+$"))
    return int(re.search(r"/initiatives/(\d+)$", page.url).group(1))


def checked_label(page, row: int) -> str:
    """The label of the checked radio button in the row-th rating row."""
    return page.evaluate(
        """n => {
            const row = document.querySelectorAll('fieldset.rating-row')[n];
            const input = row.querySelector('input[type=radio]:checked');
            return document.querySelector(`label[for="${input.id}"]`).textContent.trim();
        }""",
        row,
    )


def test_a_fidelity_assessment_is_rated_by_keyboard_alone(page):
    initiative_id = open_initiative(page)
    page.goto(f"/initiatives/{initiative_id}/fidelity")
    assert page.get_by_role("heading", name="Fidelity", exact=True).is_visible()
    assert page.locator("#rollup-takeaway").inner_text() == "No ratings match these filters yet."
    assert_accessible(page)

    # Step 1, by keyboard: the only version being tested or approved is already chosen.
    tab_to_text(page, r"^Record a fidelity assessment$")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/fidelity/new$"))
    tab_to(page, "field-profile_id")
    assert page.locator("#field-profile_id option:checked").inner_text() == PROFILE
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # Continue
    page.wait_for_url(re.compile(r"/fidelity/new\?profile_id=\d+$"))
    assert page.title().startswith("New fidelity assessment")
    assert_accessible(page)

    # The assessment: site, method and date by keyboard; saved once with nothing rated.
    tab_to(page, "field-site_id")
    page.keyboard.type("North")
    tab_to(page, "field-method")
    page.keyboard.type("Case")
    tab_to(page, "field-assessed_on")
    page.keyboard.type("03152026")
    assert page.locator("#field-site_id option:checked").inner_text() == "North Area Office"
    assert page.locator("#field-method").input_value() == "case_review"
    assert page.locator("#field-assessed_on").input_value() == "2026-03-15"
    tab_to_text(page, r"^Save fidelity assessment$")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.title().startswith("Error:")
    assert focused(page) == "error-summary"
    assert page.locator("#error-summary").inner_text().count("Rate at least one practice behaviour")
    # Every choice came back.
    assert page.locator("#field-site_id option:checked").inner_text() == "North Area Office"
    assert page.locator("#field-assessed_on").input_value() == "2026-03-15"
    assert_accessible(page)

    # The rubric: Tab reaches each row at its checked "Not rated"; the arrow keys move
    # within the row (from the last choice, down wraps to the first, Optimal).
    rows = page.locator("fieldset.rating-row")
    assert rows.count() == 3
    names = [rows.nth(i).locator("input[type=radio]").first.get_attribute("name") for i in range(3)]
    tab_to(page, f"field-{names[0]}-none")
    page.keyboard.press("ArrowDown")  # Optimal
    page.keyboard.press("Tab")
    assert focused(page) == f"field-{names[1]}-none"
    page.keyboard.press("ArrowUp")  # Unacceptable
    page.keyboard.press("ArrowUp")  # Developmental
    page.keyboard.press("Tab")
    assert focused(page, "name") == names[2]
    page.keyboard.press("ArrowDown")  # Optimal
    page.keyboard.press("Space")  # stays chosen
    assert [checked_label(page, i) for i in range(3)] == [
        "Optimal (meets fidelity)",
        "Developmental",
        "Optimal (meets fidelity)",
    ]
    tab_to_text(page, r"^Save fidelity assessment$")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/fidelity/\d+$"))

    # The result, in words.
    assert (
        page.get_by_role("heading", level=1).inner_text()
        == "Fidelity assessment of North Area Office on 15 Mar 2026"
    )
    assert page.locator("#overall").inner_text() == "2 of 3 (67%)"
    ratings = page.locator("#ratings")
    assert (
        ratings.get_by_role("row", name=re.compile("^Invites the father"))
        .inner_text()
        .count("Optimal (at or above the fidelity level)")
    )
    assert (
        ratings.get_by_role("row", name=re.compile("^Writes the plan"))
        .inner_text()
        .count("Developmental (below the fidelity level)")
    )
    assert_accessible(page)

    # The roll-up: the table and the small multiples say the same.
    tab_to_text(page, rf"^Fidelity of {INITIATIVE}$")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/fidelity$"))
    table = page.locator("#rollup-table")
    assert (
        table.get_by_role("row", name=re.compile("^North Area Office"))
        .first.inner_text()
        .count("1 of 1 (100%)")
    )
    shared = table.locator("tbody", has_text="Shared planning")
    assert (
        shared.get_by_role("row", name=re.compile("^North Area Office"))
        .inner_text()
        .count("1 of 2 (50%)")
    )
    charts = page.get_by_role("img", name=re.compile("^Fidelity of "))
    assert charts.count() == 2
    assert (
        page.locator("#rollup-takeaway")
        .inner_text()
        .startswith("2 of 3 ratings (67%) were at or above the fidelity level")
    )
    assert page.locator("#assessments").get_by_role("link", name=re.compile("15 Mar 2026")).count()
    assert_accessible(page)
