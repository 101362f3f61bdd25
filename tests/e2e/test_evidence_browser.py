"""The evidence pages in a browser: a measure is made and its data pasted in, the run
chart page shows its signals and passes axe (A11Y-01, A11Y-07); the PIP and CFSR
pages pass axe too, with form errors shown."""

from __future__ import annotations

import re

from tests.e2e.conftest import assert_accessible

# 10 baseline months around 20, then 7 months clearly above: a shift of 7.
ROWS = [
    ("2025-01", 20),
    ("2025-02", 22),
    ("2025-03", 19),
    ("2025-04", 21),
    ("2025-05", 20),
    ("2025-06", 23),
    ("2025-07", 18),
    ("2025-08", 21),
    ("2025-09", 20),
    ("2025-10", 22),
    ("2025-11", 30),
    ("2025-12", 31),
    ("2026-01", 29),
    ("2026-02", 32),
    ("2026-03", 30),
    ("2026-04", 33),
    ("2026-05", 31),
]


def _open_initiative(page) -> None:
    page.goto("/initiatives")
    page.get_by_role("link", name="Fathers engagement").click()
    page.wait_for_url(re.compile(r"/initiatives/\d+$"))


def test_a_measure_is_made_its_data_pasted_and_its_run_chart_read(page):
    _open_initiative(page)
    page.get_by_role("link", name="Measures", exact=True).click()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("New measure")).first.click()
    page.get_by_role("button", name="Add measure").click()
    assert page.title().startswith("Error:")
    assert_accessible(page)
    page.get_by_label("Name").fill("Fathers at the first planning meeting")
    page.get_by_role("button", name="Add measure").click()
    page.wait_for_url(re.compile(r"/measures/\d+$"))
    page.get_by_role("link", name="Import from CSV").click()
    page.get_by_label("Rows to import").fill("2025-01,20\n2025-01,x\nMarch,3\n")
    page.get_by_role("button", name="Import data points").click()
    assert page.title().startswith("Error:")
    summary = page.locator("#error-summary").inner_text()
    assert "Row 2" in summary and "Row 3" in summary
    assert_accessible(page)
    page.get_by_label("Rows to import").fill("\n".join(f"{p},{v}" for p, v in ROWS))
    page.get_by_role("button", name="Import data points").click()
    page.wait_for_url(re.compile(r"/measures/\d+"))
    text = page.locator("main").inner_text()
    assert "17 useful observations" in text
    assert "Shift" in text
    chart = page.get_by_role("img", name=re.compile("Fathers at the first planning meeting"))
    assert chart.count() >= 1
    assert_accessible(page)


def test_pip_and_cfsr_pages_pass_axe_with_errors_shown(page):
    page.goto("/cfsr")
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("Relative Placement")).first.click()
    page.wait_for_url(re.compile(r"/cfsr/10$"))
    assert_accessible(page)
    _open_initiative(page)
    page.get_by_role("link", name="PIP", exact=True).click()
    assert_accessible(page)
    page.get_by_role("link", name="New program improvement plan").click()
    page.get_by_role("button", name="Create the plan").click()
    assert page.title().startswith("Error:")
    assert_accessible(page)
    page.get_by_label("Title").fill("Round 4 plan")
    page.get_by_label("Effective date").fill("2026-04-01")
    page.get_by_role("button", name="Create the plan").click()
    page.wait_for_url(re.compile(r"/pips/\d+$"))
    assert "1 Apr 2028" in page.locator("main").inner_text()  # two years of implementation
    page.get_by_role("link", name="Add a goal").click()
    page.get_by_label("Goal").fill("Place children with kin first.")
    page.get_by_role("button", name="Add the goal").click()
    page.wait_for_url(re.compile(r"/pips/\d+"))
    assert_accessible(page)
    page.get_by_role("link", name="Status page").click()
    assert_accessible(page)
