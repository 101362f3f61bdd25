"""Practice profiles in a real browser: an intervention and its profile are made, a core
component and a behaviour with its descriptors are added by keyboard alone, and deleted
through their confirmation pages; axe on the profile page, the behaviour form with errors,
the diff, the print view, the confirmation pages and an older version (A11Y-01)."""

from __future__ import annotations

import re

from tests.e2e.conftest import assert_accessible

INITIATIVE = "Fathers engagement"


def open_initiative(page) -> int:
    page.goto("/initiatives")
    page.get_by_role("link", name=INITIATIVE).click()
    page.wait_for_url(re.compile(r"/initiatives/\d+$"))
    return int(re.search(r"/initiatives/(\d+)$", page.url).group(1))


def focused_id(page) -> str | None:
    return page.evaluate("document.activeElement && document.activeElement.id")


def tab_to(page, element_id: str, limit: int = 120) -> None:
    """Press Tab until the element has focus, as a keyboard user would."""
    for _ in range(limit):
        if focused_id(page) == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"#{element_id} never took focus with Tab")


def tab_to_name(page, pattern: str, limit: int = 120) -> None:
    """Press Tab until a link or button whose accessible text matches has focus."""
    for _ in range(limit):
        text = page.evaluate(
            "document.activeElement ? document.activeElement.textContent.trim() : ''"
        )
        if re.search(pattern, text or ""):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"nothing matching {pattern!r} took focus with Tab")


def make_intervention_and_profile(page) -> int:
    initiative_id = open_initiative(page)
    page.goto(f"/initiatives/{initiative_id}/interventions")
    assert page.get_by_role("heading", name="Interventions", exact=True).is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="New intervention").click()
    page.get_by_role("button", name="Save intervention").click()
    assert page.title().startswith("Error:")
    assert focused_id(page) == "error-summary"
    assert_accessible(page)
    page.get_by_label("Name", exact=True).fill("Fathers as partners")
    page.get_by_label("Approach").select_option("adapt")
    page.get_by_label("Principles").fill("Families are **experts** on themselves")
    page.get_by_role("button", name="Save intervention").click()
    page.wait_for_url(re.compile(r"/interventions/\d+$"))
    assert page.locator("strong", has_text="experts").is_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Start the practice profile").click()
    page.wait_for_url(re.compile(r"/profiles/\d+$"))
    return int(page.url.rsplit("/", 1)[1])


def test_a_profile_is_built_by_keyboard_and_every_view_passes_axe(page):
    profile_id = make_intervention_and_profile(page)
    assert (
        page.get_by_role("heading", level=1)
        .inner_text()
        .startswith("Practice profile: Fathers as partners, version 1")
    )
    assert_accessible(page)

    # A core component, by keyboard alone.
    tab_to(page, "field-name")
    page.keyboard.type("Partnership")
    page.keyboard.press("Tab")
    assert focused_id(page) == "field-description"
    page.keyboard.type("Working with families as partners")
    tab_to_name(page, r"^Add core component$")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/profiles/{profile_id}#component-\d+$"))
    rubric = page.locator("table.rubric")
    assert rubric.locator("th[scope=rowgroup]", has_text="Partnership").is_visible()
    assert_accessible(page)

    # A behaviour with its descriptors, by keyboard: first with a mistake.
    tab_to_name(page, r"^Add a behaviour")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/components/\d+#new-behaviour$"))
    component_id = int(re.search(r"/components/(\d+)", page.url).group(1))
    tab_to(page, "field-text")
    page.keyboard.press("Tab")  # role: keep Worker
    page.keyboard.press("Tab")
    optimal = focused_id(page)
    assert optimal and optimal.startswith("field-descriptor-")
    page.keyboard.type("Invites him to every meeting and asks how he wants to take part")
    tab_to_name(page, r"^Add practice behaviour$")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.title().startswith("Error:")
    assert focused_id(page) == "error-summary"
    assert page.get_by_role("link", name="Enter practice behaviour").is_visible()
    assert page.locator(f"#{optimal}").input_value().startswith("Invites him to every meeting")
    assert_accessible(page)

    tab_to(page, "field-text")
    page.keyboard.type("Invites the father to case planning")
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")  # Worker -> Supervisor
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.type("Sometimes, when reminded")
    tab_to_name(page, r"^Add practice behaviour$")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/components/{component_id}#behaviour-\d+$"))
    row = page.locator("tr.rubric__behaviour", has_text="Invites the father to case planning")
    assert row.locator("td.rubric__role").inner_text() == "Supervisor"
    assert "asks how he wants to take part" in row.inner_text()
    assert "Sometimes, when reminded" in row.inner_text()
    assert_accessible(page)

    # The behaviour's edit form with an error, then fixed.
    page.get_by_role("link", name=re.compile("^Edit behaviour: Invites the father")).click()
    page.get_by_label("Practice behaviour").fill("")
    page.get_by_role("button", name="Save practice behaviour").click()
    assert page.title().startswith("Error:")
    assert_accessible(page)
    page.get_by_label("Practice behaviour").fill(
        "Invites the father to every case planning meeting"
    )
    page.get_by_role("button", name="Save practice behaviour").click()
    page.wait_for_url(re.compile(rf"/profiles/{profile_id}#behaviour-\d+$"))
    assert page.get_by_role("rowheader", name="Invites the father to every case planning").count()
    assert_accessible(page)

    # Version 2, a change, and the diff between them.
    page.get_by_label("What changes in this version").fill("Names partnership more precisely")
    page.get_by_role("button", name="Make version 2").click()
    page.wait_for_url(re.compile(r"/profiles/\d+$"))
    v2 = int(page.url.rsplit("/", 1)[1])
    assert v2 != profile_id
    page.get_by_role("link", name="Edit component Partnership").click()
    page.get_by_label("Name").fill("Partnership with families")
    page.get_by_role("button", name="Save core component").click()
    page.wait_for_url(re.compile(rf"/profiles/{v2}#component-\d+$"))
    page.get_by_role("link", name="Changes since version 1").click()
    page.wait_for_url(re.compile(rf"/profiles/{v2}/diff$"))
    assert (
        page.get_by_role("heading", level=1).inner_text() == "Changes from version 1 to version 2"
    )
    assert page.locator("ins", has_text="with families").is_visible()
    assert "added:" in page.locator("ins", has_text="with families").inner_text()
    assert_accessible(page)

    # The print view: no navigation, a page break class, and axe-clean.
    page.goto(f"/profiles/{v2}/print")
    assert page.locator("nav").count() == 0 and page.locator("header").count() == 0
    assert page.title().startswith("Practice profile: Fathers as partners, version 2 (draft)")
    assert page.locator("table.rubric thead th", has_text="Optimal").is_visible()
    assert_accessible(page)
    page.emulate_media(media="print")
    display = page.evaluate(
        "getComputedStyle(document.querySelector('table.rubric thead')).display"
    )
    assert display == "table-header-group"
    assert not page.locator(".no-print").is_visible()

    # Deleting asks first on a page of its own, which shows what goes.
    page.emulate_media(media="screen")
    page.goto(f"/profiles/{v2}")
    page.get_by_role("link", name=re.compile("^Delete behaviour: Invites the father")).click()
    page.wait_for_url(re.compile(r"/behaviours/\d+/delete$"))
    assert (
        page.get_by_role("heading", level=1).inner_text()
        == "Delete a practice behaviour of Partnership with families?"
    )
    assert "Sometimes, when reminded" in page.locator("table.rubric").inner_text()
    assert_accessible(page)
    page.get_by_role("link", name="Keep it").click()
    page.wait_for_url(re.compile(rf"/profiles/{v2}#behaviour-\d+$"))
    assert page.get_by_role("rowheader", name="Invites the father to every case planning").count()
    page.get_by_role("link", name="Delete component Partnership with families").click()
    page.wait_for_url(re.compile(r"/components/\d+/delete$"))
    assert page.get_by_text("No story links to this component in version 2.").is_visible()
    assert_accessible(page)
    tab_to_name(page, r"^Delete core component Partnership with families$")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/profiles/{v2}$"))
    assert page.locator("th[scope=rowgroup]").count() == 0
    assert page.get_by_text("No core components yet.").is_visible()

    # Version 1 is still as it was, and says where changes are made now.
    page.goto(f"/profiles/{profile_id}")
    assert page.locator("th[scope=rowgroup]", has_text="Partnership").inner_text() == "Partnership"
    notice = page.locator("#frozen")
    assert notice.inner_text() == (
        "Version 1 is not the latest version: it stays as it is. Make changes in version 2."
    )
    assert notice.get_by_role("link", name="version 2").get_attribute("href") == f"/profiles/{v2}"
    assert page.get_by_role("link", name=re.compile("^(Edit|Delete)")).count() == 0
    assert page.get_by_role("button").filter(has_text=re.compile("^(Up|Down|Add)")).count() == 0
    assert_accessible(page)
