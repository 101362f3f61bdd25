"""The board in a real browser: a keyboard-only move (A11Y-03/04), axe on the board,
its column settings and the charts (A11Y-01), a move from a stale board, and
reflow at 320 px (A11Y-08)."""

from __future__ import annotations

import re

from tests.e2e.conftest import assert_accessible, new_page, sign_in

INITIATIVE = "Fathers engagement"
CARD_TITLE = "Draft behaviours for partnership"  # 3 points, stage 4, in the first sprint


def open_initiative(page) -> int:
    page.goto("/initiatives")
    page.get_by_role("link", name=INITIATIVE).click()
    page.wait_for_url(re.compile(r"/initiatives/\d+$"))
    return int(re.search(r"/initiatives/(\d+)$", page.url).group(1))


def start_first_sprint(page, initiative_id: int) -> None:
    """Start the world's first planned sprint with the sprints page's own Start button."""
    page.goto(f"/initiatives/{initiative_id}/sprints")
    page.get_by_role("button", name="Start sprint 1").click()
    page.wait_for_url(re.compile(r"/sprints/\d+\?done=started"))
    page.goto(f"/initiatives/{initiative_id}/board")
    assert page.locator("li.card").count() == 3, "starting the sprint did not fill the board"


def tab_to(page, element_id: str, limit: int = 80) -> None:
    """Press Tab until the element has focus, as a keyboard user would."""
    for _ in range(limit):
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"#{element_id} never took focus with Tab")


def keyboard_move_checks(page, initiative_id: int) -> None:
    """Move a card to "In review" with the keyboard alone and check what a person perceives."""
    page.goto(f"/initiatives/{initiative_id}/board")
    assert page.get_by_role("heading", name="Board", exact=True).is_visible()
    assert_accessible(page)

    card = page.locator("li.card", has_text=CARD_TITLE)
    card_id = card.get_attribute("id")
    item_id = card_id.removeprefix("card-")
    select_id = f"move-{item_id}"
    old_cell = card.locator("xpath=..").get_attribute("id")  # cell-<lane>-<column>
    lane, old_column = re.fullmatch(r"cell-(\w+)-(\d+)", old_cell).groups()
    options = page.locator(f"#{select_id} option")
    values = {
        options.nth(i).inner_text(): options.nth(i).get_attribute("value")
        for i in range(options.count())
    }
    in_review = values["In review"]
    assert page.locator(f"#col-head-{old_column}").inner_text().count("3 cards, 12 points") == 1

    # Keyboard only: Tab to the card's select, arrow to "In review", Tab to Move, Enter.
    page.locator("body").focus()
    tab_to(page, select_id)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.evaluate(f"document.getElementById('{select_id}').value") == in_review
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == f"Move #{item_id}"
    page.keyboard.press("Enter")

    # The card is now in the In review cell of its lane, and nowhere else.
    page.locator(f"#cell-{lane}-{in_review} #{card_id}").wait_for()
    assert page.locator(f"#{card_id}").count() == 1
    assert page.locator(f"#{old_cell} #{card_id}").count() == 0
    # The column headers were updated in place.
    assert "1 card, 3 points" in page.locator(f"#col-head-{in_review}").inner_text()
    assert "2 cards, 9 points" in page.locator(f"#col-head-{old_column}").inner_text()
    # The live region says what happened (A11Y-04) ...
    message = f"Story #{item_id} moved to In review. In review: 1 card, 3 points."
    page.wait_for_function(
        "text => document.getElementById('live-region').textContent === text", arg=message
    )
    # ... and focus stayed on the moved card's control (A11Y-03).
    page.wait_for_function(f"document.activeElement && document.activeElement.id === '{select_id}'")
    assert page.evaluate(f"!!document.activeElement.closest('#{card_id}')")
    assert page.evaluate(f"document.getElementById('{select_id}').value") == in_review
    assert_accessible(page)

    # The move was saved: a fresh load shows the card in its new column.
    page.reload()
    assert page.locator(f"#cell-{lane}-{in_review} #{card_id}").count() == 1

    # Without swimlanes, then the column settings (also with errors shown), then charts.
    page.get_by_role("link", name="Show the board without swimlanes").click()
    page.wait_for_url(re.compile(r"lanes=off"))
    assert page.locator(f"#cell-all-{in_review} #{card_id}").count() == 1
    assert_accessible(page)

    page.get_by_role("link", name="Board column settings").click()
    assert page.get_by_role("heading", name="Board columns").is_visible()
    assert_accessible(page)
    page.get_by_label("Column name").fill("")
    page.get_by_role("button", name="Add column").click()
    assert page.title().startswith("Error:")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert_accessible(page)

    page.get_by_role("navigation", name=INITIATIVE).get_by_role("link", name="Charts").click()
    assert page.get_by_role("heading", name="Burndown of sprint 1").is_visible()
    assert page.locator("svg[role=img]").count() >= 1
    page.get_by_text("Burndown numbers as a table").click()
    assert_accessible(page)


def test_a_card_moves_with_the_keyboard_and_pages_pass_axe(page):
    initiative_id = open_initiative(page)
    # Before any sprint starts, the board explains where to go.
    page.goto(f"/initiatives/{initiative_id}/board")
    assert page.get_by_text("No sprint is active").is_visible()
    assert_accessible(page)
    start_first_sprint(page, initiative_id)
    keyboard_move_checks(page, initiative_id)


def test_pages_reflow_at_320_pixels(page):
    initiative_id = open_initiative(page)
    start_first_sprint(page, initiative_id)
    sprint_path = page.get_by_role("link", name="Sprint 1", exact=True).first.get_attribute("href")
    story_path = page.get_by_role("link", name=CARD_TITLE).get_attribute("href")
    page.set_viewport_size({"width": 320, "height": 640})
    pages = ("board", "board?lanes=off", "board/columns", "charts", "backlog", "sprints")
    paths = [f"/initiatives/{initiative_id}/{path}" for path in pages]
    paths += [
        f"/initiatives/{initiative_id}",
        f"/initiatives/{initiative_id}/releases",
        sprint_path,
        f"{sprint_path}/complete",
        story_path,
        f"{story_path}/edit",
        "/initiatives",
    ]
    for path in paths:
        page.goto(path)
        # The page itself never scrolls sideways; the board scrolls inside its region.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
            f"{path} scrolls sideways at 320 px"
        )


def test_a_move_from_a_stale_board_reloads_it_instead_of_losing_the_card(page, browser):
    initiative_id = open_initiative(page)
    start_first_sprint(page, initiative_id)
    card = page.locator("li.card", has_text=CARD_TITLE)
    item_id = card.get_attribute("id").removeprefix("card-")
    old_cell = card.locator("xpath=..").get_attribute("id")  # cell-<lane>-<column>
    old_lane = old_cell.rsplit("-", 1)[0] + "-"
    # In another tab, someone moves the story to a C&I stage with no lane on this board.
    other = new_page(browser, page.url.split("/initiatives")[0])
    sign_in(other)
    other.goto(f"/items/{item_id}/edit")
    other.get_by_label("C&I stage").select_option(index=2)
    other.get_by_role("button", name="Save").first.click()
    other.wait_for_url(re.compile(rf"/items/{item_id}$"))
    other.context.close()
    # This tab still shows the old lanes; moving the card must not make it vanish.
    in_progress = page.locator(f"#move-{item_id} option", has_text="In progress")
    column = in_progress.get_attribute("value")
    page.locator(f"#move-{item_id}").select_option(value=column)
    page.get_by_role("button", name=f"Move #{item_id}").click()
    # The board reloads and shows the card once, in its new lane and column.
    page.wait_for_function(
        "([id, old]) => { const c = document.getElementById(id);"
        " return !!c && !c.parentElement.id.startsWith(old); }",
        arg=[f"card-{item_id}", old_lane],
    )
    assert page.locator(f"#card-{item_id}").count() == 1
    cell = page.locator(f"#card-{item_id}").locator("xpath=..").get_attribute("id")
    assert cell.endswith(f"-{column}") and not cell.startswith("cell-all")
