"""The data plan: its questions with owner, due date and status; add and edit (versioned)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from backend import clock
from backend.exploration import services
from backend.exploration.tables import DataQuestion
from tests.exploration.helpers import text_of

QUESTION = {
    "question": "Why are fathers not engaged?",
    "sources": "Case review of 40 cases",
    "owner_name": "Maria Alvarez",
    "due": "2026-03-01",
    "status": "in_progress",
}


async def _saved(question_id: int) -> dict:
    return (await DataQuestion.select().where(DataQuestion.id == question_id))[0]


async def test_the_plan_lists_questions_and_marks_overdue_ones_in_words(client, world):
    clock.set_clock(lambda: datetime(2026, 4, 1, 12, tzinfo=UTC))
    late = await services.create_question(
        world.initiative_id,
        {"question": "Late one", "owner_name": "Priya", "due": date(2026, 3, 1), "status": "open"},
    )
    done = await services.create_question(
        world.initiative_id,
        {"question": "Answered one", "due": date(2026, 3, 1), "status": "answered"},
    )
    later = await services.create_question(
        world.initiative_id, {"question": "Future one", "due": date(2026, 5, 1)}
    )
    await services.create_question(world.other_initiative_id, {"question": "Not ours"})
    page = await client.get(f"/initiatives/{world.initiative_id}/data-plan")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "3 questions, 1 overdue" in text and "Not ours" not in text

    def row(question_id: int) -> str:
        return text_of(page.text.split(f'id="question-{question_id}"')[1].split("</tr>")[0])

    assert "Late one" in row(late) and "Priya" in row(late)
    assert "1 Mar 2026 Overdue" in row(late) and "Open" in row(late)
    assert "Overdue" not in row(done) and "Answered" in row(done)
    assert "Overdue" not in row(later) and "Nobody yet" in row(later)
    assert f'href="/data-questions/{late}/edit"' in page.text


async def test_adding_a_question(client, world):
    url = f"/initiatives/{world.initiative_id}/data-plan"
    page = await client.get(url)
    for field in QUESTION:
        assert f'for="field-{field}"' in page.text, field
    response = await client.post_form(url, {**QUESTION, "initiative": world.other_initiative_id})
    assert response.status_code == 303
    assert response.headers["location"].startswith(url + "#question-")
    rows = await DataQuestion.select().where(DataQuestion.initiative == world.initiative_id)
    assert len(rows) == 1
    assert rows[0]["owner_name"] == "Maria Alvarez" and rows[0]["status"] == "in_progress"
    assert str(rows[0]["due"]) == "2026-03-01"
    page = await client.get(url)
    assert "Why are fathers not engaged?" in page.text and "In progress" in page.text


async def test_bad_questions_are_refused_with_what_was_typed(client, world):
    url = f"/initiatives/{world.initiative_id}/data-plan"
    response = await client.post_form(
        url, {**QUESTION, "question": "", "due": "2026-13-01", "owner_name": "Kept owner"}
    )
    assert response.status_code == 422
    assert "<title>Error:" in response.text
    text = text_of(response.text)
    assert "Enter question" in text and "Due date must be a real date" in text
    assert 'value="Kept owner"' in response.text and 'value="2026-13-01"' in response.text
    for bad in (
        {"status": "done-ish"},
        {"question": "q" * 2001},
        {"owner_name": "o" * 121},
        {"due": "tomorrow"},
    ):
        assert (await client.post_form(url, {**QUESTION, **bad})).status_code == 422, bad
    assert await DataQuestion.count() == 0


async def test_editing_a_question_is_versioned(client, world):
    question = await services.create_question(world.initiative_id, {"question": "First words"})
    page = await client.get(f"/data-questions/{question}/edit")
    assert page.status_code == 200
    assert "First words" in page.text and 'name="version" value="1"' in page.text
    form = {**QUESTION, "version": 1}
    response = await client.post_form(f"/data-questions/{question}/edit", form)
    assert response.status_code == 303
    saved = await _saved(question)
    assert saved["question"] == QUESTION["question"] and saved["version"] == 2
    response = await client.post_form(
        f"/data-questions/{question}/edit", {**form, "question": "Stale words"}
    )
    assert response.status_code == 409
    assert "Someone else changed this question" in response.text
    assert "Stale words" in response.text and 'name="version" value="2"' in response.text
    assert (await _saved(question))["question"] == QUESTION["question"]
    response = await client.post_form(
        f"/data-questions/{question}/edit", {**form, "version": 2, "status": "nope"}
    )
    assert response.status_code == 422
    assert (await client.post_form(f"/data-questions/{question}/edit", QUESTION)).status_code == 400


async def test_foreign_and_unknown_questions_are_404(client, world):
    theirs = await services.create_question(world.other_initiative_id, {"question": "Theirs"})
    for url in (f"/data-questions/{theirs}/edit", "/data-questions/999999/edit"):
        assert (await client.get(url)).status_code == 404, url
    response = await client.post_form(f"/data-questions/{theirs}/edit", {**QUESTION, "version": 1})
    assert response.status_code == 404
    assert (await _saved(theirs))["question"] == "Theirs"


async def test_the_plan_page_query_count_does_not_grow(client, world, count_queries):
    for n in range(5):
        await services.create_question(world.initiative_id, {"question": f"Q{n}"})
    with count_queries() as few:
        await client.get(f"/initiatives/{world.initiative_id}/data-plan")
    for n in range(45):
        await services.create_question(world.initiative_id, {"question": f"More {n}"})
    with count_queries() as many:
        await client.get(f"/initiatives/{world.initiative_id}/data-plan")
    assert many.count == few.count
