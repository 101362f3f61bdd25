"""The problem-exploration data plan: its questions on one page, add and edit."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from backend import clock
from backend.exploration import queries, services
from backend.exploration.forms import QUESTION_FIELDS, QUESTION_PII, parse_question
from backend.exploration.saving import attempt, save_edit
from backend.exploration.tables import QUESTION_STATUSES
from backend.initiatives.queries import initiative_or_404
from backend.web import pii
from backend.web.forms import Errors, form_data, typed
from backend.web.pages import form_page

NAV = "exploration"


def is_overdue(question: dict[str, Any]) -> bool:
    """Past its due date and not answered yet."""
    due = question.get("due")
    return bool(due and due < clock.today() and question.get("status") != "answered")


async def _plan_page(
    initiative: dict[str, Any], values: dict[str, Any], errors: Errors, status: int = 200
) -> Template:
    questions = await queries.questions_of(initiative["id"])
    for question in questions:
        question["overdue"] = is_overdue(question)
    return form_page(
        "exploration/data_plan.html",
        status,
        title=f"Data plan of {initiative['title']}",
        initiative=initiative,
        nav=NAV,
        subnav="data_plan",
        questions=questions,
        overdue=sum(q["overdue"] for q in questions),
        values=values,
        errors=errors,
        statuses=QUESTION_STATUSES,
    )


@get("/initiatives/{initiative_id:int}/data-plan", name="exploration.data_plan")
async def data_plan(initiative_id: FromPath[int]) -> Template:
    initiative = await initiative_or_404(initiative_id)
    return await _plan_page(initiative, {"status": "open"}, Errors())


@post("/initiatives/{initiative_id:int}/data-plan", name="exploration.question_create")
async def question_create(request: Request, initiative_id: FromPath[int]) -> Template | Redirect:
    initiative = await initiative_or_404(initiative_id)
    data = await form_data(request)
    values, errors = parse_question(data)
    await pii.check(data, QUESTION_PII, initiative["agency"], errors)
    saved = await attempt(errors, lambda: services.create_question(initiative_id, values))
    if saved.ok:
        url = request.app.route_reverse("exploration.data_plan", initiative_id=initiative_id)
        return Redirect(f"{url}#question-{saved.value}", status_code=303)
    return await _plan_page(initiative, typed(data, QUESTION_FIELDS), errors, 422)


async def _edit_form(
    initiative: dict[str, Any],
    question: dict[str, Any],
    values: dict[str, Any],
    errors: Errors,
    status: int = 200,
    conflict: str | None = None,
    version: int | None = None,
) -> Template:
    return form_page(
        "exploration/question_form.html",
        status,
        title="Edit data plan question",
        initiative=initiative,
        nav=NAV,
        subnav="data_plan",
        question=question,
        values=values,
        errors=errors,
        conflict=conflict,
        version=version if version is not None else question["version"],
        statuses=QUESTION_STATUSES,
    )


@get("/data-questions/{question_id:int}/edit", name="exploration.question_edit")
async def question_edit(question_id: FromPath[int]) -> Template:
    question = await queries.question_or_404(question_id)
    initiative = await initiative_or_404(question["initiative"])
    values = {key: question.get(key) for key in QUESTION_FIELDS}
    return await _edit_form(initiative, question, values, Errors())


@post("/data-questions/{question_id:int}/edit", name="exploration.question_update")
async def question_update(request: Request, question_id: FromPath[int]) -> Template | Redirect:
    question = await queries.question_or_404(question_id)
    url = request.app.route_reverse("exploration.data_plan", initiative_id=question["initiative"])
    return await save_edit(
        request,
        question,
        what="question",
        fields=QUESTION_FIELDS,
        parse=parse_question,
        pii_fields=QUESTION_PII,
        update=services.update_question,
        reread=queries.question_or_404,
        form=_edit_form,
        done=f"{url}#question-{question_id}",
    )


route_handlers = [data_plan, question_create, question_edit, question_update]
