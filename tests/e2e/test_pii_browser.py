"""In a browser (PII-01): a story with a phone number comes back with the warning,
the page passes axe-core, and ticking the confirm box by keyboard saves it; the
agency's case-number shapes form with an error passes axe-core too."""

import re

from tests.e2e.conftest import assert_accessible

PHONE = "617-555-0123"
CONFIRM = "This is not personal information: save it as it is"


def test_a_flagged_story_is_confirmed_by_keyboard_and_saved(page):
    page.goto("/initiatives")
    page.get_by_role("link", name="Fathers engagement").click()
    page.get_by_role("link", name="Backlog", exact=True).click()
    page.get_by_role("link", name="New story").click()
    page.get_by_label("Title", exact=True).fill("Call fathers back")
    page.get_by_label("Narrative").fill(f"Call the father on {PHONE} after the meeting")
    page.get_by_role("button", name="Create story").click()

    assert page.title().startswith("Error:")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    message = "Narrative looks like it contains a phone number."
    assert page.get_by_role("link", name=re.compile(re.escape(message))).is_visible()
    assert page.get_by_text("This looks like personal information").is_visible()
    assert page.get_by_label("Narrative").input_value().endswith(f"{PHONE} after the meeting")
    box = page.get_by_label(CONFIRM)
    assert box.is_visible() and not box.is_checked()
    assert_accessible(page)

    # The error summary link takes the person to the field, as GOV.UK's does.
    page.get_by_role("link", name=re.compile(re.escape(message))).click()
    assert page.url.endswith("#field-narrative")

    box.focus()
    page.keyboard.press("Space")
    assert box.is_checked()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Create story"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/items/\d+$"))
    assert page.get_by_text(f"Call the father on {PHONE} after the meeting").is_visible()
    assert_accessible(page)


def test_the_case_number_shapes_form_shows_errors_accessibly(page):
    page.goto("/initiatives")
    page.get_by_role("link", name="Browser Agency").first.click()
    page.wait_for_url(re.compile(r"/agencies/\d+"))
    assert page.get_by_role("heading", name="Case-number shapes").is_visible()
    assert_accessible(page)

    page.get_by_role("textbox", name="Case-number shapes").fill("CW-######\nX-#")
    page.get_by_role("button", name="Save case-number shapes").click()
    assert page.title().startswith("Error:")
    assert page.get_by_role("link", name=re.compile("line 2")).is_visible()
    assert page.get_by_role("textbox", name="Case-number shapes").input_value() == "CW-######\nX-#"
    assert_accessible(page)

    page.get_by_role("textbox", name="Case-number shapes").fill("CW-######")
    page.get_by_role("button", name="Save case-number shapes").click()
    assert page.get_by_role("status").filter(has_text="Case-number shapes saved.").is_visible()
    assert page.locator(".shape-list code").all_inner_texts() == ["CW-######"]
    assert_accessible(page)
