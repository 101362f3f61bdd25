"""In a browser: tick a key task by keyboard on a stage's page and see it saved; a
stale task save shows the conflict and keeps the typing; the stage map, a stage page
with a form error and the readiness page pass axe-core."""

import re

from tests.e2e.conftest import assert_accessible


def _initiative_id(page) -> str:
    page.goto("/initiatives")
    page.get_by_role("link", name="Fathers engagement").click()
    page.wait_for_url(re.compile(r"/initiatives/\d+$"))
    return page.url.rsplit("/", 1)[1]


def _open_stage(page, initiative_id: str, name: str) -> None:
    page.goto(f"/initiatives/{initiative_id}/stage-map")
    page.locator(".stage-cards").get_by_role("link", name=name, exact=True).click()
    page.wait_for_url(re.compile(r"/stages/\d+$"))


def test_a_key_task_is_ticked_by_keyboard_and_saved(page):
    initiative_id = _initiative_id(page)
    _open_stage(page, initiative_id, "2. Problem exploration")
    assert page.get_by_text("0 of 6 key tasks done").is_visible()

    box = page.get_by_role("checkbox", name="Write a data plan")
    box.focus()
    page.keyboard.press("Space")
    assert box.is_checked()
    # Past the "Evidence" disclosure to the task's own Save button.
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "task-d2-save"
    page.keyboard.press("Enter")

    page.wait_for_function(
        "() => document.getElementById('live-region').textContent"
        ".includes('Saved: Write a data plan, done')"
    )
    assert page.get_by_text("1 of 6 key tasks done").is_visible()
    # Focus comes back to the task's checkbox, which now belongs to a saved task.
    page.wait_for_function("() => /^field-task-\\d+-done$/.test(document.activeElement.id)")
    assert page.evaluate("document.activeElement.checked") is True
    assert_accessible(page)

    page.reload()
    assert page.get_by_role("checkbox", name="Write a data plan").is_checked()
    assert page.get_by_text("1 of 6 key tasks done").is_visible()
    page.goto(f"/initiatives/{initiative_id}/stage-map")
    assert page.get_by_text("1 of 6 done").is_visible()


def _live_region_says(pg, text: str) -> None:
    pg.wait_for_function(
        "text => document.getElementById('live-region').textContent.includes(text)", arg=text
    )


def test_a_stale_key_task_save_shows_the_conflict_and_keeps_what_was_typed(page):
    initiative_id = _initiative_id(page)
    _open_stage(page, initiative_id, "2. Problem exploration")
    # Someone else (here another tab) ticks the same task first.
    other = page.context.new_page()
    other.set_default_timeout(10_000)
    other.goto(page.url)
    other.get_by_role("checkbox", name="Write a data plan").check()
    other.locator("#task-d2-save").click()
    _live_region_says(other, "Saved: Write a data plan, done")
    other.close()

    page.get_by_text("Evidence for Write a data plan").click()
    note = "Shared the plan at the team meeting"
    page.get_by_label("Evidence note for Write a data plan").fill(note)
    page.locator("#task-d2-save").click()
    _live_region_says(page, "Write a data plan not saved: Someone else saved")
    # Focus moves to the notice, which shows the saved values; the typing stays.
    page.wait_for_function("() => document.activeElement.id === 'conflict'")
    notice = page.locator("#conflict")
    assert notice.get_by_role("heading", name=re.compile("Someone else changed")).is_visible()
    assert "Yes, on" in notice.inner_text()
    assert page.get_by_label("Evidence note for Write a data plan").input_value() == note
    assert not page.get_by_role("checkbox", name="Write a data plan").is_checked()
    assert page.get_by_text("1 of 6 key tasks done").is_visible()
    assert_accessible(page)

    # Saving again is a choice: now it replaces the saved values.
    page.get_by_role("button", name="Save Write a data plan").click()
    _live_region_says(page, "Saved: Write a data plan, not done")
    assert page.locator("#conflict").count() == 0
    assert page.get_by_text(note).first.is_visible()
    assert page.get_by_text("0 of 6 key tasks done").is_visible()


def test_stage_map_stage_page_with_an_error_and_readiness_are_accessible(page):
    initiative_id = _initiative_id(page)
    page.goto(f"/initiatives/{initiative_id}/stage-map")
    assert page.get_by_role("heading", name="C&I stage map", level=1).is_visible()
    assert page.get_by_text("Current stage", exact=True).is_visible()
    assert_accessible(page)

    _open_stage(page, initiative_id, "4. Intervention selection and design/adaptation")
    # A gate decision without a decision: the GOV.UK error pattern, notes kept.
    page.get_by_label("Notes", exact=True).fill("We need the fidelity plan first")
    page.get_by_role("button", name="Record decision").click()
    assert page.title().startswith("Error:")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert page.get_by_label("Notes", exact=True).input_value() == "We need the fidelity plan first"
    # A bad evidence link on a task, too.
    page.get_by_text("Evidence for Define core components").click()
    page.get_by_label("Evidence link for Define core components").fill("javascript:alert(1)")
    page.locator("#task-d3-save").click()
    page.wait_for_function(
        "() => document.getElementById('live-region').textContent.includes('not saved')"
    )
    assert_accessible(page)

    page.get_by_label("Ready to move on").check()
    page.get_by_role("button", name="Record decision").click()
    page.wait_for_url(re.compile(r"/stages/\d+#decision-\d+$"))
    assert page.get_by_role("heading", name="Ready to move on", level=4).is_visible()
    assert_accessible(page)
    page.goto(f"/initiatives/{initiative_id}/stage-map")
    assert page.get_by_text("Current stage: 5. Implementation planning").is_visible()
    assert_accessible(page)

    page.goto(f"/initiatives/{initiative_id}/readiness")
    assert_accessible(page)
    page.get_by_label("Date assessed").fill("2026-01-12")
    page.get_by_label("Motivation score").select_option("3")
    page.get_by_role("button", name="Add assessment").click()
    assert page.title().startswith("Error:")
    assert_accessible(page)
    page.get_by_label("General capacity score").select_option("2")
    page.get_by_label("Intervention-specific capacity score").select_option("2")
    page.get_by_role("button", name="Add assessment").click()
    page.wait_for_url(re.compile(r"/readiness#assessment-\d+$"))
    page.get_by_label("Date assessed").fill("2026-03-02")
    page.get_by_label("Motivation score").select_option("4")
    page.get_by_label("General capacity score").select_option("3")
    page.get_by_label("Intervention-specific capacity score").select_option("4")
    page.get_by_role("button", name="Add assessment").click()
    page.wait_for_url(re.compile(r"/readiness#assessment-\d+$"))
    assert page.get_by_role("img", name=re.compile("Readiness of Fathers engagement")).is_visible()
    assert page.get_by_text(
        "Intervention-specific capacity rose from 2 to 4 since 12 Jan 2026"
    ).first.is_visible()
    assert_accessible(page)
