"""C&I stage pages: the stage map, one stage (status, key tasks, gate decisions and
liaison sign-offs) and the readiness trend, with their forms.

Reads never write: a stage nobody has worked on shows its default key tasks
unsaved, and the first write to it creates its row and tasks (see
progress_services). Every form comes back with GOV.UK errors and what was typed
(422), a stale status or key task with the saved values and what was typed
(409); a good post redirects (303).
The key-task forms also work through htmx, which swaps the task list alone.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from backend.errors import Conflict, NotFound
from backend.initiatives import progress_queries as queries
from backend.initiatives import progress_services as services
from backend.initiatives.progress_forms import (
    READINESS_FIELDS,
    READINESS_NOTES,
    READINESS_SCORES,
    SCORE_MAX,
    SCORE_MIN,
    is_checked,
    parse_assessment,
    parse_gate,
    parse_status,
    parse_task_title,
    parse_task_update,
)
from backend.initiatives.queries import initiative_or_404
from backend.initiatives.readiness_chart import readiness_chart, readiness_takeaway
from backend.initiatives.tables import GATE_DECISIONS, STAGE_STATUSES
from backend.reviews import threads
from backend.reviews.signoff_queries import parse_decision
from backend.reviews.tables import SIGN_OFF_DECISIONS
from backend.web import forms, pii
from backend.web.forms import Errors, form_data, typed
from backend.web.pages import form_page, htmx_triggers


def task_key(task: dict[str, Any]) -> str:
    """The stem of a task form's field ids: `task-12`, or `task-d3` for the third
    default task of a stage not yet saved."""
    return f"task-{task['id']}" if task["id"] is not None else f"task-d{task['position']}"


async def _check_pii(
    data: dict[str, Any],
    fields: dict[str, str],
    agency_id: int,
    errors: Errors,
    form: str,
    prefix: str = "",
) -> None:
    """PII-01 on the free-text fields. The stage page holds many forms: the messages
    go under the posted form's own field ids (`prefix` + name), and `errors.pii_form`
    names the one form that shows the "not personal information" box."""
    found = Errors()
    await pii.check(data, fields, agency_id, found)
    errors.merge(found, rename={name: prefix + name for name in fields})
    errors.pii_flags = found.pii_flags  # type: ignore[attr-defined]
    errors.pii_confirmed = found.pii_confirmed  # type: ignore[attr-defined]
    errors.pii_form = form  # type: ignore[attr-defined]


# ---------------------------------------------------------------- stage map


@get("/initiatives/{initiative_id:int}/stage-map", name="initiatives.stage_map")
async def stage_map(initiative_id: FromPath[int]) -> Template:
    initiative = await initiative_or_404(initiative_id)
    stages = await queries.stage_map(initiative)
    current = next((s for s in stages if s["is_current"]), None)
    return Template(
        "initiatives/stage_map.html",
        context={
            "title": f"C&I stage map of {initiative['title']}",
            "initiative": initiative,
            "nav": "stages",
            "stages": stages,
            "current": current,
            "active_count": sum(1 for s in stages if s["status"] in services.WORKING),
        },
    )


# ---------------------------------------------------------------- one stage


async def _stage_context(
    initiative: dict[str, Any],
    stage: dict[str, Any],
    errors: Errors | None = None,
    typed_values: dict[str, Any] | None = None,
    conflict_key: str | None = None,
) -> dict[str, Any]:
    """`conflict_key` names the key task whose save was stale: the page shows its
    saved values in the conflict notice (the status conflict has none)."""
    detail = await queries.stage_detail(initiative, stage)
    tasks = detail["tasks"]
    for task in tasks:
        task["key"] = task_key(task)
    return {
        "conflict_task": next((t for t in tasks if t["key"] == conflict_key), None),
        "title": f"Stage {queries.stage_label(stage)}",
        "initiative": initiative,
        "nav": "stages",
        "stage": stage,
        "progress": detail["progress"],
        "status_label": STAGE_STATUSES.get(detail["progress"]["status"], ""),
        "tasks": tasks,
        "saved": detail["saved"],
        "tasks_done": sum(1 for t in tasks if t["done"]),
        "decisions": detail["decisions"],
        "is_current": stage["id"] == initiative["current_stage"],
        "status_options": list(STAGE_STATUSES.items()),
        "decision_options": list(GATE_DECISIONS.items()),
        "outcome_options": list(SIGN_OFF_DECISIONS.items()),
        "outcome_labels": SIGN_OFF_DECISIONS,
        "errors": errors or Errors(),
        "typed": typed_values or {},
    }


async def _stage_page(
    initiative: dict[str, Any],
    stage: dict[str, Any],
    status: int = 200,
    errors: Errors | None = None,
    typed_values: dict[str, Any] | None = None,
    conflict: str | None = None,
    conflict_key: str | None = None,
) -> Template:
    context = await _stage_context(initiative, stage, errors, typed_values, conflict_key)
    # Comment threads on each gate decision (one query).
    context.update(await threads.gate_context(context["decisions"], initiative["agency"]))
    return form_page("initiatives/stage.html", status, conflict=conflict, **context)


async def _tasks_fragment(
    initiative: dict[str, Any],
    stage: dict[str, Any],
    status: int,
    message: str,
    focus: str,
    errors: Errors | None = None,
    typed_values: dict[str, Any] | None = None,
    conflict: str | None = None,
    conflict_key: str | None = None,
) -> Template:
    """htmx: only the key-task list, with the outcome said in the live region."""
    context = await _stage_context(initiative, stage, errors, typed_values, conflict_key)
    return Template(
        "initiatives/_stage_tasks.html",
        context={**context, "conflict": conflict},
        status_code=status,
        headers=htmx_triggers(announce=message, focus=focus),
    )


async def _initiative_and_stage(initiative_id: int, stage_id: int) -> tuple[dict, dict]:
    initiative = await initiative_or_404(initiative_id)
    return initiative, await queries.stage_or_404(initiative, stage_id)


def _stage_url(request: Request, initiative_id: int, stage_id: int, anchor: str = "") -> str:
    url = request.app.route_reverse(
        "initiatives.stage", initiative_id=initiative_id, stage_id=stage_id
    )
    return f"{url}#{anchor}" if anchor else url


@get("/initiatives/{initiative_id:int}/stages/{stage_id:int}", name="initiatives.stage")
async def stage_page(initiative_id: FromPath[int], stage_id: FromPath[int]) -> Template:
    initiative, stage = await _initiative_and_stage(initiative_id, stage_id)
    return await _stage_page(initiative, stage)


@post(
    "/initiatives/{initiative_id:int}/stages/{stage_id:int}/status",
    name="initiatives.stage_status",
)
async def stage_status(
    request: Request, initiative_id: FromPath[int], stage_id: FromPath[int]
) -> Template | Redirect:
    initiative, stage = await _initiative_and_stage(initiative_id, stage_id)
    data = await form_data(request)
    version = forms.edit_version(data, "stage")
    status, errors = parse_status(data)
    kept = typed(data, ("status",))
    if not errors:
        assert status is not None
        try:
            await services.set_status(initiative_id, stage, status, version)
        except Conflict as exc:
            # DATA-01: the saved values are shown; the form keeps the typed status
            # and now carries the saved version, so saving again is a choice.
            return await _stage_page(
                initiative, stage, 409, typed_values=kept, conflict=exc.message
            )
        return Redirect(_stage_url(request, initiative_id, stage_id, "status-h"), status_code=303)
    return await _stage_page(initiative, stage, 422, errors, {**kept, "version": version})


@post(
    "/initiatives/{initiative_id:int}/stages/{stage_id:int}/tasks",
    name="initiatives.stage_task_add",
)
async def stage_task_add(
    request: HTMXRequest, initiative_id: FromPath[int], stage_id: FromPath[int]
) -> Template | Redirect:
    """Add a key task; or, with `position`, tick or evidence one of the default tasks
    of a stage shown before its first write (they have no id yet)."""
    initiative, stage = await _initiative_and_stage(initiative_id, stage_id)
    data = await form_data(request)
    if "position" in data:
        return await _update_default_task(request, initiative, stage, data)
    title, errors = parse_task_title(data)
    await _check_pii(data, {"title": "Key task"}, initiative["agency"], errors, "task-add")
    if errors:
        return await _task_answer(
            request,
            initiative,
            stage,
            422,
            f"Key task not added: {errors['title']}",
            "field-title",
            errors=errors,
            typed_values=typed(data, ("title",)),
        )
    task_id = await services.add_task(initiative_id, stage, title)
    if request.htmx:
        return await _tasks_fragment(
            initiative, stage, 200, f"Key task added: {title}", f"field-task-{task_id}-done"
        )
    return Redirect(
        _stage_url(request, initiative_id, stage_id, f"task-{task_id}"), status_code=303
    )


async def _task_errors(
    data: dict[str, Any], agency_id: int, prefix: str
) -> tuple[dict[str, Any], Errors]:
    values, errors = parse_task_update(data, prefix=prefix)
    await _check_pii(
        data, {"evidence_note": "Evidence note"}, agency_id, errors, prefix[:-1], prefix
    )
    return values, errors


def _typed_task(data: dict[str, Any], prefix: str) -> dict[str, Any]:
    kept = typed(data, ("evidence_url", "evidence_note"))
    out = {prefix + k: v for k, v in kept.items()}
    out[prefix + "done"] = is_checked(data.get("done"))
    return out


async def _task_answer(
    request: HTMXRequest,
    initiative: dict[str, Any],
    stage: dict[str, Any],
    status: int,
    message: str,
    focus: str,
    **page: Any,
) -> Template:
    """A key-task form that was not saved: the task list alone for htmx (the outcome
    said in the live region), else the whole stage page."""
    if request.htmx:
        return await _tasks_fragment(initiative, stage, status, message, focus, **page)
    return await _stage_page(initiative, stage, status, **page)


async def _task_saved(
    request: HTMXRequest,
    initiative: dict[str, Any],
    stage: dict[str, Any],
    task_id: int,
    title: str,
    done: bool,
) -> Template | Redirect:
    if request.htmx:
        message = f"Saved: {title}, {'done' if done else 'not done'}"
        return await _tasks_fragment(initiative, stage, 200, message, f"field-task-{task_id}-done")
    return Redirect(
        _stage_url(request, initiative["id"], stage["id"], f"task-{task_id}"), status_code=303
    )


async def _task_form(
    request: HTMXRequest,
    initiative: dict[str, Any],
    stage: dict[str, Any],
    key: str,
    title: str,
    data: dict[str, Any],
    save: Callable[[int, dict[str, Any]], Awaitable[int]],
) -> Template | Redirect:
    """One key task's form, saved or a default one not yet saved: `save(version,
    values)` writes it and returns its id. 422 keeps what was typed and the version
    it was typed at; a stale version (DATA-01) is a 409 that keeps what was typed,
    shows the saved task and carries its version, so saving again is a choice."""
    version = forms.edit_version(data, "stage")
    values, errors = await _task_errors(data, initiative["agency"], key + "-")
    if errors:
        kept = {**_typed_task(data, key + "-"), f"{key}-version": version}
        message = f"{title} not saved: " + " ".join(errors.values())
        focus = f"field-{next(iter(errors))}"
        return await _task_answer(
            request, initiative, stage, 422, message, focus, errors=errors, typed_values=kept
        )
    try:
        task_id = await save(version, values)
    except Conflict as exc:
        # A default task someone else saved first now has an id: the typed values
        # go into the form of the saved task.
        saved_key = f"task-{exc.current['id']}" if exc.current.get("id") else key
        return await _task_answer(
            request,
            initiative,
            stage,
            409,
            f"{title} not saved: {exc.message}",
            "conflict",
            typed_values=_typed_task(data, saved_key + "-"),
            conflict=exc.message,
            conflict_key=saved_key,
        )
    return await _task_saved(request, initiative, stage, task_id, title, values["done"])


async def _update_default_task(
    request: HTMXRequest, initiative: dict[str, Any], stage: dict[str, Any], data: dict
) -> Template | Redirect:
    position = forms.digits(data.get("position"))
    defaults = {t["position"]: t for t in queries.default_tasks(stage)}
    if position not in defaults:
        raise NotFound("That key task was not found: reload the stage and try again")
    assert position is not None

    async def save(version: int, values: dict[str, Any]) -> int:
        return await services.update_default_task(
            initiative["id"], stage, position, version, values
        )

    title = defaults[position]["title"]
    return await _task_form(request, initiative, stage, f"task-d{position}", title, data, save)


@post("/stage-tasks/{task_id:int}", name="initiatives.stage_task_update")
async def stage_task_update(request: HTMXRequest, task_id: FromPath[int]) -> Template | Redirect:
    """Tick a key task done (or not) and keep its evidence: a link and a note."""
    task = await queries.task_or_404(task_id)
    initiative, stage = await _initiative_and_stage(task["initiative"], task["stage"])
    data = await form_data(request)

    async def save(version: int, values: dict[str, Any]) -> int:
        await services.update_task(task_id, version, values)
        return task_id

    return await _task_form(
        request, initiative, stage, f"task-{task_id}", task["title"], data, save
    )


@post(
    "/initiatives/{initiative_id:int}/stages/{stage_id:int}/gate",
    name="initiatives.gate_decide",
)
async def gate_decide(
    request: Request, initiative_id: FromPath[int], stage_id: FromPath[int]
) -> Template | Redirect:
    """The agency lead's decision at the stage's gate; kept for good, never edited."""
    initiative, stage = await _initiative_and_stage(initiative_id, stage_id)
    data = await form_data(request)
    values, errors = parse_gate(data)
    await _check_pii(data, {"notes": "Notes"}, initiative["agency"], errors, "gate")
    if errors:
        kept = typed(data, ("decision", "notes"))
        return await _stage_page(initiative, stage, 422, errors, kept)
    decision_id = await services.decide_gate(
        initiative_id, stage, values["decision"], values["notes"], request.state.access.user_id
    )
    return Redirect(
        _stage_url(request, initiative_id, stage_id, f"decision-{decision_id}"), status_code=303
    )


@post("/gate-decisions/{decision_id:int}/sign-off", name="initiatives.gate_sign_off")
async def gate_sign_off(request: Request, decision_id: FromPath[int]) -> Template | Redirect:
    """A liaison's outcome on one gate decision: signed off (comment optional) or
    changes requested (comment needed). A post without an outcome (the form before
    outcomes) is a sign-off."""
    decision = await queries.decision_or_404(decision_id)
    initiative, stage = await _initiative_and_stage(decision["initiative"], decision["stage"])
    data = await form_data(request)
    prefix = f"signoff-{decision_id}-"
    values, errors = parse_decision(
        data,
        decision_field=prefix + "outcome",
        comment_field=prefix + "comment",
        decision_key="outcome",
        default="signed_off",
    )
    await _check_pii(
        data, {"comment": "Sign-off comment"}, initiative["agency"], errors, prefix[:-1], prefix
    )
    if errors:
        kept = {prefix + k: v for k, v in typed(data, ("comment", "outcome")).items()}
        return await _stage_page(initiative, stage, 422, errors, kept)
    await services.sign_off(
        decision_id, request.state.access.user_id, values["comment"], values["decision"]
    )
    return Redirect(
        _stage_url(request, initiative["id"], stage["id"], f"decision-{decision_id}"),
        status_code=303,
    )


# ---------------------------------------------------------------- readiness


async def _readiness_page(
    initiative: dict[str, Any],
    status: int = 200,
    errors: Errors | None = None,
    values: dict[str, Any] | None = None,
) -> Template:
    rows = await queries.assessments(initiative["id"])
    return form_page(
        "initiatives/readiness.html",
        status,
        title=f"Readiness of {initiative['title']}",
        initiative=initiative,
        nav="stages",
        assessments=rows,
        newest_first=list(reversed(rows)),
        chart=readiness_chart(rows) if rows else None,
        takeaway=readiness_takeaway(rows),
        scores=READINESS_SCORES,
        score_options=[(n, str(n)) for n in range(SCORE_MIN, SCORE_MAX + 1)],
        errors=errors or Errors(),
        values=values or {},
    )


@get("/initiatives/{initiative_id:int}/readiness", name="initiatives.readiness")
async def readiness(initiative_id: FromPath[int]) -> Template:
    return await _readiness_page(await initiative_or_404(initiative_id))


@post("/initiatives/{initiative_id:int}/readiness", name="initiatives.readiness_add")
async def readiness_add(request: Request, initiative_id: FromPath[int]) -> Template | Redirect:
    initiative = await initiative_or_404(initiative_id)
    data = await form_data(request)
    values, errors = parse_assessment(data)
    await _check_pii(data, READINESS_NOTES, initiative["agency"], errors, "readiness")
    if errors:
        kept = typed(data, READINESS_FIELDS)
        return await _readiness_page(initiative, 422, errors, kept)
    assessment_id = await services.add_assessment(
        initiative_id, values, request.state.access.user_id
    )
    url = request.app.route_reverse("initiatives.readiness", initiative_id=initiative_id)
    return Redirect(f"{url}#assessment-{assessment_id}", status_code=303)


route_handlers = [
    stage_map,
    stage_page,
    stage_status,
    stage_task_add,
    stage_task_update,
    gate_decide,
    gate_sign_off,
    readiness,
    readiness_add,
]
