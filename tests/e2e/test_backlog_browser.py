"""In a browser: write a story through the form (fixing an error first), find it in
the backlog, rank it to the top, estimate it inline; every page passes axe-core."""

import re

from tests.e2e.conftest import assert_accessible


def _open_backlog(page) -> None:
    page.goto("/initiatives")
    page.get_by_role("link", name="Fathers engagement").click()
    page.get_by_role("link", name="Backlog", exact=True).click()
    page.wait_for_url(re.compile(r"/initiatives/\d+/backlog$"))


def _row_ids(page) -> list[str]:
    return page.locator("table.backlog-table tbody tr").evaluate_all("rows => rows.map(r => r.id)")


def test_a_new_story_is_written_found_in_the_backlog_and_ranked_to_the_top(page):
    _open_backlog(page)
    assert page.get_by_role("heading", name="Backlog", exact=True).is_visible()
    assert_accessible(page)

    page.get_by_role("link", name="New story").click()
    page.get_by_label("Narrative").fill("As a father, I want to be asked first")
    page.get_by_label("Estimate (points)").fill("-3")
    page.get_by_role("button", name="Create story").click()
    assert page.title().startswith("Error:")
    # The summary takes focus and links to each field (A11Y-06); typed text is kept.
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert page.get_by_role("link", name="Enter title").is_visible()
    assert page.get_by_label("Narrative").input_value() == "As a father, I want to be asked first"
    assert page.get_by_label("Estimate (points)").input_value() == "-3"
    assert_accessible(page)

    page.get_by_label("Title", exact=True).fill("Invite fathers to case planning")
    page.get_by_label("Estimate (points)").fill("5")
    page.get_by_role("button", name="Create story").click()
    page.wait_for_url(re.compile(r"/items/\d+$"))
    story_id = page.url.rsplit("/", 1)[1]
    assert (
        page.get_by_role("heading", level=1)
        .inner_text()
        .endswith("Invite fathers to case planning")
    )
    assert page.get_by_text("As a father, I want to be asked first").is_visible()
    assert_accessible(page)

    page.get_by_role("link", name=re.compile(r"^Edit story")).click()
    assert page.get_by_label("Title", exact=True).input_value() == "Invite fathers to case planning"
    assert_accessible(page)

    _open_backlog(page)
    assert _row_ids(page)[-1] == f"item-{story_id}"
    page.get_by_role("button", name=f"Top: move Story #{story_id} to the top").click()
    page.wait_for_function(
        "id => document.querySelector('table.backlog-table tbody tr').id === id",
        arg=f"item-{story_id}",
    )
    page.wait_for_function(
        "() => document.getElementById('live-region').textContent.includes('moved to the top')"
    )
    assert page.locator("#live-region").inner_text() == f"Story #{story_id} moved to the top"
    # Focus stays on the button that was pressed, now in the row's new place (A11Y-03).
    page.wait_for_function("id => document.activeElement.id === id", arg=f"rank-top-{story_id}")
    assert_accessible(page)

    # The move was saved: a fresh load shows the same order.
    page.reload()
    assert _row_ids(page)[0] == f"item-{story_id}"


def test_estimates_and_rank_above_work_from_the_keyboard(page):
    _open_backlog(page)
    rows = _row_ids(page)
    first, last = rows[0].split("-")[1], rows[-1].split("-")[1]

    estimate = page.get_by_label(re.compile(rf"^Estimate of \w+ #{last} in points$"))
    estimate.fill("-1")
    estimate.press("Enter")
    page.get_by_text("Estimate must be 0 or more").wait_for()
    assert (
        page.get_by_label(re.compile(rf"^Estimate of \w+ #{last} in points$")).input_value() == "-1"
    )
    assert_accessible(page)

    estimate = page.get_by_label(re.compile(rf"^Estimate of \w+ #{last} in points$"))
    estimate.fill("8")
    estimate.press("Enter")
    page.wait_for_function(
        "() => document.getElementById('live-region').textContent.includes('saved: 8 points')"
    )
    assert page.get_by_text("Estimate must be 0 or more").count() == 0

    # Enter in "rank above" moves the item above the one named, not to the top.
    above = page.get_by_label(re.compile(rf"^Rank \w+ #{last} above #$"))
    above.fill(f"#{rows[1].split('-')[1]}")
    above.press("Enter")
    page.wait_for_function(
        "id => document.querySelectorAll('table.backlog-table tbody tr')[1].id === id",
        arg=f"item-{last}",
    )
    assert _row_ids(page)[0] == f"item-{first}"
    assert_accessible(page)


def test_select_all_and_move_to_a_sprint_in_one_go(page):
    _open_backlog(page)
    count = len(_row_ids(page))
    page.get_by_role("button", name="Apply to selected items").click()
    page.get_by_role("link", name="Select at least one item to change").wait_for()
    # The summary takes focus once the swap has settled.
    page.wait_for_function("() => document.activeElement.id === 'error-summary'")
    assert_accessible(page)

    page.get_by_label("Select all items on this page").check()
    assert page.locator("input[name=items]:checked").count() == count
    page.get_by_label("Move to sprint").select_option(label="Sprint 2 (planned)")
    page.get_by_label("Set C&I stage").select_option(index=3)
    page.get_by_role("button", name="Apply to selected items").click()
    page.wait_for_function(
        "() => document.getElementById('live-region').textContent.includes('moved to sprint 2')"
    )
    assert page.locator("#live-region").inner_text() == (
        f"{count} items moved to sprint 2; C&I stage set on {count} items"
    )
    assert page.locator("table.backlog-table tbody").get_by_text("Sprint 2").count() == count
    assert_accessible(page)
