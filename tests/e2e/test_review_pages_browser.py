"""The issue 6 review pages in a real browser, as people use them: the lead comments on
a story and @mentions the liaison; the liaison finds it in the inbox, replies and
resolves the thread by keyboard, and sorts the portfolio by keyboard; anyone picks a
weekly digest; the lead reads the progress packet. axe-core on every page, and on
the pages that report an error."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible, new_page, sign_in
from tests.e2e.world import PEOPLE

INITIATIVE = "Fathers engagement"
STORY = "Backlog story 1"
LEAD = PEOPLE["lead"][0]
LIAISON_NAME, LIAISON_EMAIL, _ = PEOPLE["liaison"]
COMMENT = f"@[{LIAISON_NAME}] could you check the interview guide before the review?"


def tab_to(page, predicate: str, limit: int = 300) -> None:
    """Press Tab until the focused element matches `predicate` (a JS expression on `el`)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return {predicate}; }})()"):
            return
    raise AssertionError(f"Tab never reached {predicate}")


def open_initiative(page) -> None:
    page.goto("/initiatives")
    page.get_by_role("link", name=INITIATIVE).click()
    page.wait_for_url(re.compile(r"/initiatives/\d+$"))


def open_story(page) -> str:
    """From the initiative, through its backlog, to the story's page; returns its path."""
    open_initiative(page)
    page.get_by_role("navigation", name=INITIATIVE).get_by_role("link", name="Backlog").click()
    page.wait_for_url(re.compile(r"/backlog"))
    page.get_by_role("link", name=STORY, exact=True).click()
    page.wait_for_url(re.compile(r"/items/\d+$"))
    return re.search(r"(/items/\d+)$", page.url).group(1)


def comment_on_the_story(page, *, check_error: bool = False) -> str:
    """As the lead: a comment on the story that mentions the liaison. With `check_error`,
    an empty comment first, and the comment written on the error page that answers it."""
    story_url = open_story(page)
    panel = page.locator("#comment-threads")
    assert panel.get_by_role("heading", name="Comments on the backlog item").is_visible()
    # The hint under the box says how to mention someone.
    assert panel.get_by_text("@[Full Name]").is_visible()
    if check_error:
        panel.get_by_role("button", name=re.compile(r"^Comment")).click()
        page.wait_for_url(re.compile(r"/items/\d+/comments$"))
        assert page.title().startswith("Error:")
        summary = page.locator("#error-summary")
        assert summary.get_by_role("link", name=re.compile("Comment", re.I)).is_visible()
        # tandem.js moves focus to the summary (A11Y-06).
        expect(page.locator("#error-summary")).to_be_focused()
        assert_accessible(page)
        page.get_by_label("Comment", exact=True).fill(COMMENT)
        page.get_by_role("button", name="Comment", exact=True).click()
    else:
        panel.get_by_label(re.compile(r"^Start a thread")).fill(COMMENT)
        panel.get_by_role("button", name=re.compile(r"^Comment")).click()
    page.wait_for_url(re.compile(r"/items/\d+#comment-\d+$"))
    return story_url


def test_the_lead_comments_on_a_story_and_mentions_the_liaison(page):
    comment_on_the_story(page, check_error=True)

    thread = page.get_by_role("article", name=f"Thread started by {LEAD}")
    assert thread.is_visible()
    assert "could you check the interview guide before the review?" in thread.inner_text()
    assert page.get_by_text("1 thread, 1 open.").is_visible()
    assert_accessible(page)


def test_the_liaison_replies_in_the_inbox_thread_and_sorts_the_portfolio(
    page, browser, live_server
):
    story_url = comment_on_the_story(page)

    liaison = new_page(browser, live_server)
    try:
        sign_in(liaison, LIAISON_EMAIL)
        site = liaison.get_by_role("navigation", name="Site")
        site.get_by_role("link", name=re.compile(r"^Inbox")).click()
        liaison.wait_for_url(re.compile(r"/inbox$"))
        mention = liaison.get_by_role("link", name=re.compile(r"^You were mentioned in a comment"))
        assert mention.count() == 1
        item = liaison.locator(".inbox__item").first
        assert "Unread" in item.inner_text()
        assert LEAD in item.inner_text()
        assert_accessible(liaison)

        mention.click()
        liaison.wait_for_url(re.compile(rf"{story_url}#comment-\d+$"))
        thread = liaison.get_by_role("article", name=f"Thread started by {LEAD}")
        assert thread.is_visible()

        # Reply by keyboard: Tab to the reply box, type, Tab to its button, Enter.
        tab_to(liaison, "el.id && el.id.startsWith('field-reply-')")
        liaison.keyboard.type("Checked: the guide reads well. Two questions to shorten.")
        tab_to(liaison, "el.tagName === 'BUTTON'", limit=3)
        assert liaison.evaluate("document.activeElement.textContent").startswith("Reply")
        liaison.keyboard.press("Enter")
        liaison.wait_for_url(re.compile(r"/items/\d+#comment-\d+$"))
        replies = thread.get_by_role("list", name="Replies")
        assert "Checked: the guide reads well." in replies.inner_text()
        assert LIAISON_NAME in replies.inner_text()
        assert_accessible(liaison)

        # Resolve the thread, by keyboard too.
        tab_to(
            liaison,
            "el.tagName === 'BUTTON' && el.textContent.trim().startsWith('Resolve thread')",
        )
        with liaison.expect_navigation():
            liaison.keyboard.press("Enter")
        assert liaison.get_by_text(
            re.compile(rf"^Resolved thread started by {LEAD}: resolved by {LIAISON_NAME}")
        ).is_visible()
        assert liaison.get_by_text("1 thread, 0 open.").is_visible()
        # The resolved thread folds away; opened, it offers to reopen.
        liaison.locator(".comment-thread--resolved summary").click()
        assert liaison.get_by_role("button", name=re.compile(r"^Reopen thread")).is_visible()
        assert_accessible(liaison)

        # The portfolio, sorted by the initiative column from the keyboard.
        liaison.get_by_role("navigation", name="Site").get_by_role("link", name="Portfolio").click()
        liaison.wait_for_url(re.compile(r"/portfolio$"))
        assert liaison.locator("#col-agency").get_attribute("aria-sort") == "ascending"
        assert liaison.locator("#col-initiative").get_attribute("aria-sort") is None
        assert_accessible(liaison)

        for expected in ("ascending", "descending"):
            tab_to(liaison, "el.dataset && el.dataset.sort === 'initiative'")
            with liaison.expect_navigation():
                liaison.keyboard.press("Enter")
            assert liaison.locator("#col-initiative").get_attribute("aria-sort") == expected
            assert liaison.locator("#col-agency").get_attribute("aria-sort") is None
            assert f"sorted by initiative, {expected}" in liaison.locator("caption").inner_text()
        titles = liaison.locator("#portfolio tbody th[scope=row]").all_inner_texts()
        assert titles == sorted(titles, key=str.casefold, reverse=True)
        assert INITIATIVE in titles
        assert_accessible(liaison)
    finally:
        liaison.context.close()

    # The lead, who started the thread, is told about the reply.
    page.get_by_role("navigation", name="Site").get_by_role(
        "link", name=re.compile(r"^Inbox")
    ).click()
    assert page.get_by_role(
        "link", name=re.compile(r"^New reply in a thread you are in")
    ).is_visible()


def test_a_weekly_digest_is_chosen_by_keyboard(page):
    page.get_by_role("link", name=LEAD).click()
    page.get_by_role("link", name="Email about notifications").click()
    page.wait_for_url(re.compile(r"/account/notifications$"))
    assert page.get_by_label(re.compile(r"^Daily digest")).is_checked()
    assert_accessible(page)

    # Tab into the radio group (onto the chosen one), arrow down to "Weekly digest".
    tab_to(page, "el.name === 'frequency'")
    assert page.evaluate("document.activeElement.value") == "daily"
    page.keyboard.press("ArrowDown")
    assert page.get_by_label(re.compile(r"^Weekly digest")).is_checked()
    tab_to(page, "el.tagName === 'BUTTON' && el.textContent.trim() === 'Save'", limit=3)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/account/notifications\?done=saved$"))
    assert page.get_by_role("status").filter(has_text="Your choice is saved.").is_visible()
    assert page.get_by_label(re.compile(r"^Weekly digest")).is_checked()
    assert_accessible(page)


def open_packet(page) -> None:
    open_initiative(page)
    page.get_by_role("navigation", name=INITIATIVE).get_by_role(
        "link", name="Progress packet"
    ).click()
    page.wait_for_url(re.compile(r"/initiatives/\d+/packet$"))


def ask_for_a_packet_from_the_future(page) -> None:
    page.get_by_label("Start of the period (the date of the last packet)").fill("2099-01-01")
    page.get_by_role("button", name="Show the packet").click()
    page.wait_for_url(re.compile(r"/packet\?since=2099-01-01$"))


def test_the_progress_packet_reads_and_reports_a_bad_start_date(page):
    open_packet(page)
    assert page.get_by_role("heading", level=1, name=INITIATIVE).is_visible()
    assert page.locator("#error-summary").count() == 0
    assert_accessible(page)

    # A start after today is refused, with the GOV.UK error summary first.
    ask_for_a_packet_from_the_future(page)
    assert page.title().startswith("Error:")
    summary = page.locator("#error-summary")
    assert summary.get_by_role(
        "link", name="The start of the period must be today or earlier"
    ).is_visible()
    # The packet itself still shows, for the default period.
    assert page.get_by_role("heading", level=1, name=INITIATIVE).is_visible()
    assert_accessible(page)

    # Not a date at all (typed into the address): the same kind of answer.
    packet_url = re.sub(r"\?.*$", "", page.url)
    page.goto(f"{packet_url}?since=last+spring")
    assert page.title().startswith("Error:")
    assert "start of the period" in page.locator("#error-summary").inner_text().lower()


def test_the_packet_error_summary_takes_focus(page):
    open_packet(page)
    ask_for_a_packet_from_the_future(page)
    expect(page.locator("#error-summary")).to_be_focused(timeout=2_000)
