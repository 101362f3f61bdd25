"""Traceability in a real browser, as the issue asks: build a core component on the
practice profile pages, link a story to it from the story page with the keyboard
alone, and see it on the traceability view. The story page (with links) and the
view pass axe.
"""

from __future__ import annotations

import re

from tests.e2e.conftest import assert_accessible

INITIATIVE = "Fathers engagement"
STORY = "Interview guide for fathers"  # stage 4, in the first sprint, no links yet
COMPONENT = "Partnership"
WARNING = "This story is at stage 4 or later and is not linked to a finding or a core component"


def build_component(page, initiative_id: int) -> None:
    """An intervention, its profile and one core component, through the practice pages."""
    page.goto(f"/initiatives/{initiative_id}/interventions")
    page.get_by_role("link", name="New intervention").click()
    page.get_by_label("Name", exact=True).fill("Family voice")
    page.get_by_role("button", name="Save intervention").click()
    page.wait_for_url(re.compile(r"/interventions/\d+$"))
    page.get_by_role("button", name="Start the practice profile").click()
    page.wait_for_url(re.compile(r"/profiles/\d+$"))
    for name in ("Authenticity and transparency", COMPONENT):
        page.locator("#field-name").fill(name)
        page.get_by_role("button", name="Add core component").click()
        page.wait_for_url(re.compile(r"/profiles/\d+#component-\d+$"))
    assert page.locator("table.rubric th[scope=rowgroup]", has_text=COMPONENT).is_visible()


def tab_to(page, element_id: str, limit: int = 120) -> None:
    """Press Tab until the element has focus, as a keyboard user would."""
    for _ in range(limit):
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"#{element_id} never took focus with Tab")


def open_story(page) -> tuple[int, int]:
    """(initiative id, item id), from the initiative list through the backlog."""
    page.goto("/initiatives")
    page.get_by_role("link", name=INITIATIVE).click()
    page.wait_for_url(re.compile(r"/initiatives/\d+$"))
    initiative_id = int(page.url.rsplit("/", 1)[1])
    page.get_by_role("link", name="Backlog", exact=True).click()
    page.get_by_role("link", name=STORY).click()
    page.wait_for_url(re.compile(r"/items/\d+$"))
    return initiative_id, int(page.url.rsplit("/", 1)[1])


def test_a_story_is_linked_to_a_component_by_keyboard_and_shows_on_the_view(page):
    initiative_id, _ = open_story(page)
    build_component(page, initiative_id)
    initiative_id, item_id = open_story(page)
    why = page.locator("#why")
    assert why.get_by_role("heading", name="Why this story").is_visible()
    assert WARNING in why.inner_text()
    assert "No core component yet." in why.inner_text()
    assert_accessible(page)

    # Keyboard only: Tab to the component's checkbox, Space ticks it, Tab to Save, Enter.
    box = why.get_by_role("checkbox", name=COMPONENT, exact=True)
    tab_to(page, box.get_attribute("id"))
    page.keyboard.press("Space")
    assert box.is_checked()
    tab_to(page, "why-save")
    page.keyboard.press("Enter")

    # htmx swapped the section: announced, focus back on Save, the link listed.
    page.wait_for_function(
        "() => document.getElementById('live-region').textContent === 'Links saved'"
    )
    page.wait_for_function("() => document.activeElement.id === 'why-save'")
    assert page.url.endswith(f"/items/{item_id}")  # no full page load
    linked = why.get_by_role("list").filter(has_text=COMPONENT)
    assert linked.get_by_role("link", name=f"{COMPONENT} (Family voice profile v1)").is_visible()
    assert WARNING not in why.inner_text()
    assert why.get_by_role("checkbox", name=COMPONENT, exact=True).is_checked()
    assert_accessible(page)

    # Saved: a fresh load shows the same.
    page.reload()
    assert (
        page.locator("#why")
        .get_by_role("link", name=f"{COMPONENT} (Family voice profile v1)")
        .is_visible()
    )

    page.goto(f"/initiatives/{initiative_id}/traceability")
    assert page.get_by_role("heading", name="Traceability", level=1).is_visible()
    assert "1 of 2 components have stories" in page.locator("#trace-summary").inner_text()
    row = page.locator("#components tbody tr").filter(
        has=page.get_by_role("rowheader", name=COMPONENT, exact=True)
    )
    assert row.get_by_role("link", name=f"Story #{item_id}: {STORY}").is_visible()
    gap = page.locator("#components tbody tr").filter(
        has=page.get_by_role("rowheader", name="Authenticity and transparency")
    )
    assert "Gap: no story yet" in gap.inner_text()
    assert_accessible(page)
