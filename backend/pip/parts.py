"""Forms for the parts of a program improvement plan: goals, strategies, key
activities and measurement lines (add, edit, delete), and "Add to backlog".

Goals, strategies and the measurement plan are the agency lead's (AGENCY_MANAGE);
key activities are the team's (CHANGE_WRITE), but deleting one changes the plan
and is the lead's. Each part follows the same steps, so one set of helpers
serves all four: a failed form comes back with what was typed (422), a stale
edit or delete with the saved values (409), success goes back to the plan (303).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from backend import clock
from backend.cfsr import queries as cfsr
from backend.errors import Conflict, Invalid
from backend.pip import forms, queries, services
from backend.pip.pages import plan_page
from backend.pip.tables import ACTIVITY_STATUSES
from backend.web import pii
from backend.web.forms import Errors, edit_version, form_data, ref_id, typed
from backend.web.pages import form_page


@dataclass(frozen=True)
class Part:
    noun: str  # in messages and titles
    template: str
    anchor: str  # the plan page's id prefix for one of these: "goal" -> #goal-12
    fields: tuple[str, ...]
    pii: dict[str, str]
    parse: Callable[[dict[str, Any]], tuple[dict[str, Any], Errors]]
    values_of: Callable[[dict[str, Any]], dict[str, Any]]


GOAL = Part(
    "goal",
    "pip/goal_form.html",
    "goal",
    forms.GOAL_FIELDS,
    forms.GOAL_PII,
    forms.parse_goal,
    lambda row: {"text": row["text"], "cfsr_item": row["cfsr_number"] or ""},
)
STRATEGY = Part(
    "strategy",
    "pip/strategy_form.html",
    "strategy",
    forms.STRATEGY_FIELDS,
    forms.STRATEGY_PII,
    forms.parse_strategy,
    lambda row: {"text": row["text"]},
)
ACTIVITY = Part(
    "key activity",
    "pip/activity_form.html",
    "activity",
    forms.ACTIVITY_FIELDS,
    forms.ACTIVITY_PII,
    forms.parse_activity,
    forms.activity_values,
)
MEASUREMENT = Part(
    "measurement line",
    "pip/measurement_form.html",
    "measurement",
    forms.MEASUREMENT_FIELDS,
    forms.MEASUREMENT_PII,
    forms.parse_measurement,
    forms.measurement_values,
)


def _plan_url(request: Request, pip_id: int, anchor: str = "") -> str:
    url = request.app.route_reverse("pip.detail", pip_id=pip_id)
    return f"{url}#{anchor}" if anchor else url


async def _choices(
    part: Part, pip: dict[str, Any], row: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The lists a part's form chooses from."""
    if part is GOAL:
        return {"cfsr_groups": cfsr.grouped(await cfsr.all_items())}
    if part is MEASUREMENT:
        return {
            "cfsr_groups": cfsr.grouped(await cfsr.all_items()),
            "measures": await queries.measure_choices(pip["agency"]),
        }
    if part is ACTIVITY:
        owners = await queries.owner_choices(pip["agency"])
        kept = (row or {}).get("owner")
        if kept and kept not in {user for user, _ in owners}:
            # Offered as it is saved, or the form would quietly drop them.
            owners.append(
                (kept, f"{row.get('owner_name') or 'Former member'} (no longer a member)")
            )
        return {
            "owners": owners,
            "statuses": list(ACTIVITY_STATUSES.items()),
        }
    return {}


async def _form(
    part: Part,
    status: int = 200,
    *,
    pip: dict[str, Any],
    values: dict[str, Any],
    errors: Errors,
    row: dict[str, Any] | None = None,
    parent: dict[str, Any] | None = None,
    conflict: str | None = None,
    version: int | None = None,
    **extra: Any,
) -> Template:
    title = f"Edit {part.noun}" if row else f"New {part.noun}"
    return form_page(
        part.template,
        status,
        title=f"{title}: {pip['title']}",
        pip=pip,
        row=row,
        parent=parent,
        values=values,
        errors=errors,
        conflict=conflict,
        version=version if version is not None else (row or {}).get("version"),
        **await _choices(part, pip, row),
        **extra,
    )


async def _create(
    request: Request,
    part: Part,
    pip: dict[str, Any],
    add: Callable[[int, dict[str, Any]], Awaitable[int]],
    parent_id: int,
    parent: dict[str, Any] | None = None,
) -> Template | Redirect:
    data = await form_data(request)
    values, errors = part.parse(data)
    await pii.check(data, part.pii, pip["agency"], errors)
    if not errors:
        try:
            new_id = await add(parent_id, values)
        except Invalid as exc:
            errors.merge(exc.errors)
        else:
            return Redirect(
                _plan_url(request, pip["id"], f"{part.anchor}-{new_id}"), status_code=303
            )
    return await _form(
        part, 422, pip=pip, parent=parent, values=typed(data, part.fields), errors=errors
    )


async def _update(
    request: Request,
    part: Part,
    pip: dict[str, Any],
    row: dict[str, Any],
    update: Callable[[int, int, dict[str, Any]], Awaitable[None]],
    reread: Callable[[int], Awaitable[dict[str, Any]]],
    **extra: Any,
) -> Template | Redirect:
    data = await form_data(request)
    version = edit_version(data, part.noun)
    values, errors = part.parse(data)
    await pii.check(data, part.pii, pip["agency"], errors)
    status, conflict, current = 422, None, row
    if not errors:
        try:
            await update(row["id"], version, values)
        except Conflict as exc:
            status, conflict = 409, exc.message
            current = await reread(row["id"])
        except Invalid as exc:
            errors.merge(exc.errors)
        else:
            return Redirect(
                _plan_url(request, pip["id"], f"{part.anchor}-{row['id']}"), status_code=303
            )
    return await _form(
        part,
        status,
        pip=pip,
        row=current,
        values=typed(data, part.fields),
        errors=errors,
        conflict=conflict,
        # After a conflict the form carries the saved version, so saving again
        # knowingly replaces it; after a plain error, the one edited from.
        version=current["version"] if conflict else version,
        **extra,
    )


async def _delete(
    request: Request,
    part: Part,
    pip: dict[str, Any],
    row: dict[str, Any],
    delete: Callable[[int, int], Awaitable[None]],
    reread: Callable[[int], Awaitable[dict[str, Any]]],
    **extra: Any,
) -> Template | Redirect:
    data = await form_data(request)
    version = edit_version(data, part.noun)
    try:
        await delete(row["id"], version)
    except Conflict as exc:
        current = await reread(row["id"])
        return await _form(
            part,
            409,
            pip=pip,
            row=current,
            values=part.values_of(current),
            errors=Errors(),
            conflict=exc.message,
            **extra,
        )
    return Redirect(_plan_url(request, pip["id"]), status_code=303)


# ---------------------------------------------------------------- goals


async def _goal_extra(goal: dict[str, Any]) -> dict[str, Any]:
    strategies, activities = await queries.goal_contents(goal["id"])
    return {"contents": {"strategies": strategies, "activities": activities}}


@get("/pips/{pip_id:int}/goals/new", name="pip.goal_new")
async def goal_new(pip_id: FromPath[int]) -> Template:
    pip = await queries.pip_or_404(pip_id)
    return await _form(GOAL, pip=pip, values={}, errors=Errors())


@post("/pips/{pip_id:int}/goals/new", name="pip.goal_create")
async def goal_create(request: Request, pip_id: FromPath[int]) -> Template | Redirect:
    pip = await queries.pip_or_404(pip_id)
    return await _create(request, GOAL, pip, services.add_goal, pip_id)


@get("/pip-goals/{goal_id:int}/edit", name="pip.goal_edit")
async def goal_edit(goal_id: FromPath[int]) -> Template:
    goal = await queries.goal_or_404(goal_id)
    pip = await queries.pip_or_404(goal["pip"])
    return await _form(
        GOAL,
        pip=pip,
        row=goal,
        values=GOAL.values_of(goal),
        errors=Errors(),
        **await _goal_extra(goal),
    )


@post("/pip-goals/{goal_id:int}/edit", name="pip.goal_update")
async def goal_update(request: Request, goal_id: FromPath[int]) -> Template | Redirect:
    goal = await queries.goal_or_404(goal_id)
    pip = await queries.pip_or_404(goal["pip"])
    return await _update(
        request,
        GOAL,
        pip,
        goal,
        services.update_goal,
        queries.goal_or_404,
        **await _goal_extra(goal),
    )


@post("/pip-goals/{goal_id:int}/delete", name="pip.goal_delete")
async def goal_delete(request: Request, goal_id: FromPath[int]) -> Template | Redirect:
    goal = await queries.goal_or_404(goal_id)
    pip = await queries.pip_or_404(goal["pip"])
    return await _delete(
        request,
        GOAL,
        pip,
        goal,
        services.delete_goal,
        queries.goal_or_404,
        **await _goal_extra(goal),
    )


# ---------------------------------------------------------------- strategies


async def _strategy_extra(strategy: dict[str, Any]) -> dict[str, Any]:
    return {"contents": {"activities": await queries.strategy_contents(strategy["id"])}}


@get("/pip-goals/{goal_id:int}/strategies/new", name="pip.strategy_new")
async def strategy_new(goal_id: FromPath[int]) -> Template:
    goal = await queries.goal_or_404(goal_id)
    pip = await queries.pip_or_404(goal["pip"])
    return await _form(STRATEGY, pip=pip, parent=goal, values={}, errors=Errors())


@post("/pip-goals/{goal_id:int}/strategies/new", name="pip.strategy_create")
async def strategy_create(request: Request, goal_id: FromPath[int]) -> Template | Redirect:
    goal = await queries.goal_or_404(goal_id)
    pip = await queries.pip_or_404(goal["pip"])
    return await _create(request, STRATEGY, pip, services.add_strategy, goal_id, goal)


@get("/pip-strategies/{strategy_id:int}/edit", name="pip.strategy_edit")
async def strategy_edit(strategy_id: FromPath[int]) -> Template:
    strategy = await queries.strategy_or_404(strategy_id)
    pip = await queries.pip_or_404(strategy["pip"])
    return await _form(
        STRATEGY,
        pip=pip,
        row=strategy,
        values=STRATEGY.values_of(strategy),
        errors=Errors(),
        **await _strategy_extra(strategy),
    )


@post("/pip-strategies/{strategy_id:int}/edit", name="pip.strategy_update")
async def strategy_update(request: Request, strategy_id: FromPath[int]) -> Template | Redirect:
    strategy = await queries.strategy_or_404(strategy_id)
    pip = await queries.pip_or_404(strategy["pip"])
    return await _update(
        request,
        STRATEGY,
        pip,
        strategy,
        services.update_strategy,
        queries.strategy_or_404,
        **await _strategy_extra(strategy),
    )


@post("/pip-strategies/{strategy_id:int}/delete", name="pip.strategy_delete")
async def strategy_delete(request: Request, strategy_id: FromPath[int]) -> Template | Redirect:
    strategy = await queries.strategy_or_404(strategy_id)
    pip = await queries.pip_or_404(strategy["pip"])
    return await _delete(
        request,
        STRATEGY,
        pip,
        strategy,
        services.delete_strategy,
        queries.strategy_or_404,
        **await _strategy_extra(strategy),
    )


# ---------------------------------------------------------------- key activities


async def _activity(activity_id: int) -> dict[str, Any]:
    """The activity with its status as shown now (from the board when it is an item)."""
    activity = await queries.activity_or_404(activity_id)
    pip = await queries.pip_or_404(activity["pip"])
    return await queries.activity_with_status(activity_id, pip["agency"], clock.today())


@get("/pip-strategies/{strategy_id:int}/activities/new", name="pip.activity_new")
async def activity_new(strategy_id: FromPath[int]) -> Template:
    strategy = await queries.strategy_or_404(strategy_id)
    pip = await queries.pip_or_404(strategy["pip"])
    return await _form(
        ACTIVITY, pip=pip, parent=strategy, values={"status": "not_started"}, errors=Errors()
    )


@post("/pip-strategies/{strategy_id:int}/activities/new", name="pip.activity_create")
async def activity_create(request: Request, strategy_id: FromPath[int]) -> Template | Redirect:
    strategy = await queries.strategy_or_404(strategy_id)
    pip = await queries.pip_or_404(strategy["pip"])
    return await _create(request, ACTIVITY, pip, services.add_activity, strategy_id, strategy)


@get("/pip-activities/{activity_id:int}/edit", name="pip.activity_edit")
async def activity_edit(activity_id: FromPath[int]) -> Template:
    activity = await _activity(activity_id)
    pip = await queries.pip_or_404(activity["pip"])
    return await _form(
        ACTIVITY, pip=pip, row=activity, values=ACTIVITY.values_of(activity), errors=Errors()
    )


@post("/pip-activities/{activity_id:int}/edit", name="pip.activity_update")
async def activity_update(request: Request, activity_id: FromPath[int]) -> Template | Redirect:
    activity = await _activity(activity_id)
    pip = await queries.pip_or_404(activity["pip"])
    return await _update(request, ACTIVITY, pip, activity, services.update_activity, _activity)


@post("/pip-activities/{activity_id:int}/delete", name="pip.activity_delete")
async def activity_delete(request: Request, activity_id: FromPath[int]) -> Template | Redirect:
    activity = await _activity(activity_id)
    pip = await queries.pip_or_404(activity["pip"])
    return await _delete(request, ACTIVITY, pip, activity, services.delete_activity, _activity)


def backlog_field(activity_id: int) -> str:
    """The plan page has one "Add to backlog" form per activity: unique field names."""
    return f"initiative-{activity_id}"


@post("/pip-activities/{activity_id:int}/backlog-item", name="pip.activity_backlog")
async def activity_backlog(request: Request, activity_id: FromPath[int]) -> Template | Redirect:
    """Make the key activity a backlog item of one of the agency's initiatives."""
    activity = await queries.activity_or_404(activity_id)
    data = await form_data(request)
    version = edit_version(data, "key activity")
    field = backlog_field(activity_id)
    errors = Errors()
    initiative_id = ref_id(data.get("initiative"), field, errors, label="Initiative")
    if initiative_id is None and not errors:
        errors.add(field, "Choose the initiative whose backlog gets the key activity")
    if not errors:
        assert initiative_id is not None
        try:
            await services.add_to_backlog(activity_id, version, initiative_id)
        except Conflict as exc:
            return await plan_page(request, activity["pip"], 409, conflict=exc.message)
        except Invalid as exc:
            errors.merge(exc.errors, {"initiative": field})
        else:
            url = _plan_url(request, activity["pip"], f"activity-{activity_id}")
            return Redirect(url, status_code=303)
    return await plan_page(request, activity["pip"], 422, errors=errors)


# ---------------------------------------------------------------- measurement plan


@get("/pips/{pip_id:int}/measurements/new", name="pip.measurement_new")
async def measurement_new(pip_id: FromPath[int]) -> Template:
    pip = await queries.pip_or_404(pip_id)
    return await _form(MEASUREMENT, pip=pip, values={}, errors=Errors())


@post("/pips/{pip_id:int}/measurements/new", name="pip.measurement_create")
async def measurement_create(request: Request, pip_id: FromPath[int]) -> Template | Redirect:
    pip = await queries.pip_or_404(pip_id)
    return await _create(request, MEASUREMENT, pip, services.add_measurement, pip_id)


@get("/pip-measurements/{measurement_id:int}/edit", name="pip.measurement_edit")
async def measurement_edit(measurement_id: FromPath[int]) -> Template:
    line = await queries.measurement_or_404(measurement_id)
    pip = await queries.pip_or_404(line["pip"])
    return await _form(
        MEASUREMENT, pip=pip, row=line, values=MEASUREMENT.values_of(line), errors=Errors()
    )


@post("/pip-measurements/{measurement_id:int}/edit", name="pip.measurement_update")
async def measurement_update(
    request: Request, measurement_id: FromPath[int]
) -> Template | Redirect:
    line = await queries.measurement_or_404(measurement_id)
    pip = await queries.pip_or_404(line["pip"])
    return await _update(
        request, MEASUREMENT, pip, line, services.update_measurement, queries.measurement_or_404
    )


@post("/pip-measurements/{measurement_id:int}/delete", name="pip.measurement_delete")
async def measurement_delete(
    request: Request, measurement_id: FromPath[int]
) -> Template | Redirect:
    line = await queries.measurement_or_404(measurement_id)
    pip = await queries.pip_or_404(line["pip"])
    return await _delete(
        request, MEASUREMENT, pip, line, services.delete_measurement, queries.measurement_or_404
    )


route_handlers = [
    goal_new,
    goal_create,
    goal_edit,
    goal_update,
    goal_delete,
    strategy_new,
    strategy_create,
    strategy_edit,
    strategy_update,
    strategy_delete,
    activity_new,
    activity_create,
    activity_edit,
    activity_update,
    activity_delete,
    activity_backlog,
    measurement_new,
    measurement_create,
    measurement_edit,
    measurement_update,
    measurement_delete,
]
