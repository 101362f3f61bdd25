"""Problem exploration and the theory of change in a real browser: a finding and a causal
link added by keyboard alone; axe on the findings list, the finding form with errors
and the theory page with its pathway diagram (A11Y-01, A11Y-06)."""

from __future__ import annotations

import re

from tests.e2e.conftest import assert_accessible

INITIATIVE = "Fathers engagement"
STATEMENT = "Black and Hispanic fathers are rarely invited to case planning"


def open_initiative(page) -> int:
    page.goto("/initiatives")
    page.get_by_role("link", name=INITIATIVE).click()
    page.wait_for_url(re.compile(r"/initiatives/\d+$"))
    return int(re.search(r"/initiatives/(\d+)$", page.url).group(1))


def tab_to(page, element_id: str, limit: int = 120) -> None:
    """Press Tab until the element has focus, as a keyboard user would."""
    for _ in range(limit):
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"#{element_id} never took focus with Tab")


def active_text(page) -> str:
    return page.evaluate("document.activeElement.textContent.trim()")


def add_finding_by_keyboard(page, initiative_id: int) -> str:
    """From the findings list to a saved root cause, keyboard only; returns its page URL."""
    page.goto(f"/initiatives/{initiative_id}/findings")
    assert page.get_by_role("heading", name="Findings", exact=True).is_visible()
    assert_accessible(page)

    page.get_by_role("link", name="New finding").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/findings/new$"))
    # Submitting empty: the error summary takes focus and links to the field (A11Y-06).
    page.locator("body").focus()
    tab_to(page, "field-segment")
    page.keyboard.type("Black and Hispanic fathers")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.title.startsWith('Error:')")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert page.get_by_role("link", name="Enter statement").is_visible()
    assert page.get_by_label("Population segment").input_value() == "Black and Hispanic fathers"
    assert_accessible(page)

    page.get_by_role("link", name="Enter statement").focus()
    page.keyboard.press("Enter")
    tab_to(page, "field-statement")
    page.keyboard.type(STATEMENT)
    page.keyboard.press("Tab")  # to Kind
    assert page.evaluate("document.activeElement.id") == "field-kind"
    page.keyboard.press("ArrowDown")  # Observation -> Root cause
    assert page.evaluate("document.activeElement.value") == "root_cause"
    tab_to(page, "field-found_on")
    page.keyboard.type("02102026")  # the browser's date field: month, day, year
    assert page.get_by_label("Date").input_value() == "2026-02-10"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/findings/\d+$"))
    assert STATEMENT in page.get_by_role("heading", level=1).inner_text()
    assert page.get_by_text("10 Feb 2026").is_visible()
    assert_accessible(page)
    return page.url


def test_a_finding_is_added_by_keyboard_and_found_with_the_filters(page):
    initiative_id = open_initiative(page)
    add_finding_by_keyboard(page, initiative_id)

    page.goto(f"/initiatives/{initiative_id}/findings")
    page.get_by_label("Kind").select_option("root_cause")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r"kind=root_cause"))
    assert page.locator("#findings-count").inner_text() == "1 finding, 1 shown (filtered)"
    assert page.get_by_role("link", name=re.compile(STATEMENT)).is_visible()
    assert_accessible(page)
    page.get_by_label("Kind").select_option("observation")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r"kind=observation"))
    assert page.locator("#findings-count").inner_text() == "1 finding, 0 shown (filtered)"


def test_a_causal_link_is_added_by_keyboard_and_drawn_in_the_pathway(page):
    initiative_id = open_initiative(page)
    add_finding_by_keyboard(page, initiative_id)

    page.goto(f"/initiatives/{initiative_id}/theory-of-change")
    assert_accessible(page)
    page.get_by_label("Population").fill("Families with an identified father")
    page.get_by_label("Long-term outcome").fill("Fathers are partners in every case plan")
    page.get_by_role("button", name="Start the theory of change").click()
    page.wait_for_url(re.compile(r"/theory-of-change$"))

    # Keyboard only: If, Then, tick the finding, then the Add step button.
    page.locator("body").focus()
    tab_to(page, "field-condition")
    page.keyboard.type("supervisors coach workers to invite fathers to every planning meeting")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "field-result"
    page.keyboard.type("fathers take part in case planning")
    page.keyboard.press("Tab")
    checkbox_id = page.evaluate("document.activeElement.id")
    assert checkbox_id.startswith("findings-")
    page.keyboard.press("Space")
    assert page.locator(f"#{checkbox_id}").is_checked()
    for _ in range(20):
        if active_text(page) == "Add step":
            break
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/theory-of-change#link-\d+$"))

    steps = page.locator("ol.pathway-steps > li")
    assert steps.count() == 1
    assert steps.first.locator(".pathway-step__text").inner_text() == (
        "If supervisors coach workers to invite fathers to every planning meeting, "
        "then fathers take part in case planning"
    )
    assert steps.first.get_by_role("link", name=STATEMENT).is_visible()
    diagram = page.get_by_role("img", name="Pathway of change, version 1")
    assert diagram.is_visible()
    words = page.locator("svg.pathway text").all_text_contents()
    assert "Step 1" in words and "Long-term outcome" in words
    assert any("fathers take part" in w for w in words), words
    assert any(STATEMENT[:30] in w for w in words), words
    # Each drawn line stays inside the drawing's width.
    widest = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll('svg.pathway text')]"
        ".map(t => t.getBBox().x + t.getBBox().width))"
    )
    assert widest <= 560 - 8, widest
    assert_accessible(page)

    # A second step, then move it up by keyboard; the order is saved.
    page.get_by_label("If", exact=True).fill("coaching is planned")
    page.get_by_label("Then", exact=True).fill("supervisors have time to coach")
    page.get_by_role("button", name="Add step").click()
    page.wait_for_url(re.compile(r"#link-\d+$"))
    page.get_by_role("button", name="Move up step 2").focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    page.wait_for_function(
        "() => document.querySelector('ol.pathway-steps > li .pathway-step__text')"
        ".textContent.includes('coaching is planned')"
    )
    assert_accessible(page)


def test_a_finding_a_problem_statement_was_built_from_is_kept(page):
    """Deleting asks first; once a saved version cites the finding the page says
    why it stays and offers no delete button (A11Y-01 on both)."""
    initiative_id = open_initiative(page)
    finding_url = add_finding_by_keyboard(page, initiative_id)
    finding_id = int(finding_url.rsplit("/", 1)[1])

    page.goto(f"{finding_url}/delete")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Delete root cause")
    assert page.get_by_role("button", name="Delete this finding").is_visible()
    assert_accessible(page)

    page.goto(f"/initiatives/{initiative_id}/problem-statement")
    page.locator("#field-text").fill("Fathers are left out of case planning")
    if not page.locator(f"#findings-{finding_id}").is_checked():
        page.locator(f"#findings-{finding_id}").check()
    page.get_by_role("button", name="Save as version 1").click()
    page.wait_for_url(re.compile(r"/problem-statement$"))

    page.goto(f"{finding_url}/delete")
    assert page.get_by_role("heading", level=1).inner_text() == (
        f"Root cause #{finding_id} cannot be deleted"
    )
    assert page.get_by_text(
        f"Finding {finding_id} is cited by problem statement version 1: "
        "it stays as evidence for that version."
    ).is_visible()
    assert page.get_by_role("button", name="Delete this finding").count() == 0
    assert_accessible(page)
    page.get_by_role("link", name="Back to the finding").click()
    page.wait_for_url(re.compile(rf"/findings/{finding_id}$"))
