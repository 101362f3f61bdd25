"""The ranked backlog: filters, pages, rank moves, inline estimates and bulk changes.

Every action is a plain form that answers with a 303 back to the same
backlog view (filters and page kept through a local `next` path); with htmx
it answers with only the changed region (the table, or one row) and tells
the page what to announce and where to put focus.
"""

from __future__ import annotations

from typing import Any

from litestar import get, post
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Response, Template

from backend import db
from backend.accounts.audit import security_event
from backend.errors import Invalid
from backend.initiatives.queries import initiative_or_404, stage_options
from backend.scrum import services
from backend.scrum.backlog_queries import (
    BacklogFilters,
    backlog_export_rows,
    backlog_page,
    backlog_row,
    sprint_choices,
    sprint_label,
)
from backend.scrum.forms import parse_estimate
from backend.web.csv_export import csv_response
from backend.web.forms import Errors, as_list, form_data, row_id
from backend.web.pages import htmx_triggers
from backend.web.safe_next import safe_next
from backend.web.templating import kind_label, points

RANK_DONE = {
    "top": "moved to the top",
    "up": "moved up",
    "down": "moved down",
    "bottom": "moved to the bottom",
}


def _backlog_url(request: HTMXRequest, initiative_id: int, filters: BacklogFilters) -> str:
    url = request.app.route_reverse("scrum.backlog", initiative_id=initiative_id)
    query = filters.query()
    return f"{url}?{query}" if query else url


async def render_backlog(
    request: HTMXRequest,
    initiative: dict[str, Any],
    filters: BacklogFilters,
    *,
    status: int = 200,
    errors: Errors | dict[str, str] | None = None,
    typed: dict[str, str] | None = None,
    selected: frozenset[int] = frozenset(),
    bulk: dict[str, str] | None = None,
    region_only: bool = False,
    headers: dict[str, str] | None = None,
    focus_for: tuple[int, str] | None = None,
) -> Template:
    """The backlog page, or only its table region for an htmx swap.

    `typed` keeps what a person typed into a row's fields (by field id) when
    the page comes back with errors; `focus_for` = (item id, control) asks
    htmx to focus that row's control if it is still on this page.
    """
    initiative_id = initiative["id"]
    listing = await backlog_page(initiative_id, filters)
    sprints = await sprint_choices(initiative_id)
    stages = await stage_options(initiative["agency"])
    headers = dict(headers or {})
    if focus_for is not None:
        item_id, control = focus_for
        shown = any(r["id"] == item_id for r in listing.rows)
        target = f"{control}-{item_id}" if shown else "backlog-caption"
        headers.update(htmx_triggers(focus=target))
    title = f"Backlog of {initiative['title']}"
    if errors:
        title = "Error: " + title
    context = {
        "title": title,
        "initiative": initiative,
        "nav": "backlog",
        "filters": filters,
        "listing": listing,
        "stages": stages,
        "sprints": sprints,
        "sprint_label": sprint_label,
        "open_sprints": [s for s in sprints if s["state"] in ("planned", "active")],
        "errors": errors or {},
        "typed": typed or {},
        "selected": selected,
        "bulk": bulk or {},
        "next_url": _backlog_url(request, initiative_id, filters),
        "backlog_path": request.app.route_reverse("scrum.backlog", initiative_id=initiative_id),
    }
    template = "scrum/_backlog_table.html" if region_only else "scrum/backlog.html"
    return Template(template, context=context, status_code=status, headers=headers)


@get("/initiatives/{initiative_id:int}/backlog", name="scrum.backlog")
async def backlog(request: HTMXRequest, initiative_id: FromPath[int]) -> Template:
    initiative = await initiative_or_404(initiative_id)
    filters = BacklogFilters.parse(request.query_params)
    return await render_backlog(request, initiative, filters)


@get("/initiatives/{initiative_id:int}/backlog.csv", name="scrum.backlog_export")
async def backlog_export(request: HTMXRequest, initiative_id: FromPath[int]) -> Response:
    """The open backlog in rank order, with the page's filters, as a spreadsheet."""
    await initiative_or_404(initiative_id)
    filters = BacklogFilters.parse(request.query_params)
    rows = await backlog_export_rows(initiative_id, filters)
    security_event(
        "export", request, user=request.state.access.email, what="backlog", rows=len(rows)
    )
    return csv_response(
        f"backlog-{initiative_id}.csv",
        ("Position", "Id", "Kind", "Title", "Estimate", "C&I stage", "Sprint", "Status"),
        (
            (
                n,
                r["id"],
                kind_label(r["kind"]),
                r["title"],
                r["estimate"],
                r["stage_name"],
                r["sprint_number"],
                r["status_name"],
            )
            for n, r in enumerate(rows, start=1)
        ),
    )


def _item_label(item: dict[str, Any]) -> str:
    return f"{kind_label(item['kind'])} #{item['id']}"


def _target_id(raw: Any) -> int | None:
    """'#12', '12' or ' 12 ' -> 12; anything else -> None."""
    text = raw.strip().lstrip("#").strip() if isinstance(raw, str) else ""
    return row_id(text)


@post("/items/{item_id:int}/rank", name="scrum.item_rank")
async def item_rank(request: HTMXRequest, item_id: FromPath[int]) -> Template | Redirect:
    item = await services.get_item(item_id)
    initiative = await initiative_or_404(item["initiative"])
    data = await form_data(request)
    fallback = request.app.route_reverse("scrum.backlog", initiative_id=initiative["id"])
    next_url = safe_next(data.get("next"), fallback)
    filters = BacklogFilters.from_url(next_url)
    action = data.get("action")
    raw_target = data.get("target", "")
    errors = Errors()
    target = None
    if action == "above":
        target = _target_id(raw_target)
        if target is None:
            errors.add(f"target-{item_id}", "Give the number of the item to rank above, like #12")
    elif action not in RANK_DONE:
        errors.add(f"target-{item_id}", "Choose top, up, down, bottom or rank above")
    if not errors:
        try:
            moved = await services.rank_item(item_id, action, target)
        except Invalid as exc:
            for message in exc.errors.values():
                errors.add(f"target-{item_id}", message)
    if errors:
        return await render_backlog(
            request,
            initiative,
            filters,
            status=422,
            errors=errors,
            typed={f"target-{item_id}": raw_target if isinstance(raw_target, str) else ""},
            region_only=bool(request.htmx),
        )
    if not request.htmx:
        return Redirect(next_url, status_code=303)
    label = _item_label(item)
    if moved["rank"] == item["rank"]:
        where = "top" if action in ("top", "up") else "bottom"
        message = f"{label} did not move: it is already at the {where}"
    elif action == "above":
        message = f"{label} moved above #{target}"
    else:
        message = f"{label} {RANK_DONE[action]}"
    control = "above" if action == "above" else f"rank-{action}"
    return await render_backlog(
        request,
        initiative,
        filters,
        region_only=True,
        headers=htmx_triggers(announce=message),
        focus_for=(item_id, control),
    )


@post("/items/{item_id:int}/estimate", name="scrum.item_estimate")
async def item_estimate(request: HTMXRequest, item_id: FromPath[int]) -> Template | Redirect:
    item = await services.get_item(item_id)
    initiative = await initiative_or_404(item["initiative"])
    data = await form_data(request)
    fallback = request.app.route_reverse("scrum.backlog", initiative_id=initiative["id"])
    next_url = safe_next(data.get("next"), fallback)
    raw = data.get("estimate")
    value, parse_errors = parse_estimate(raw)
    field = f"estimate-{item_id}"
    if parse_errors:
        errors = Errors({field: parse_errors["estimate"]})
        typed = {field: raw if isinstance(raw, str) else ""}
        if request.htmx:
            message = f"Estimate of {_item_label(item)} not saved: {errors[field]}"
            headers = htmx_triggers(announce=message, focus=f"field-{field}")
            return await _row(request, item_id, next_url, 422, errors, typed, headers)
        return await render_backlog(
            request,
            initiative,
            BacklogFilters.from_url(next_url),
            status=422,
            errors=errors,
            typed=typed,
        )
    await services.set_estimate(item_id, value)
    if not request.htmx:
        return Redirect(next_url, status_code=303)
    message = f"Estimate of {_item_label(item)} saved: {points(value)} points"
    if value is None:
        message = f"Estimate of {_item_label(item)} cleared"
    headers = htmx_triggers(announce=message, focus=f"field-{field}")
    return await _row(request, item_id, next_url, 200, headers=headers)


async def _row(
    request: HTMXRequest,
    item_id: int,
    next_url: str,
    status: int,
    errors: dict[str, str] | None = None,
    typed: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> Template:
    row = await backlog_row(item_id)
    return Template(
        "scrum/_backlog_row.html",
        context={
            "row": row,
            "errors": errors or {},
            "typed": typed or {},
            "selected": frozenset(),
            "next_url": next_url,
        },
        status_code=status,
        headers=headers or {},
    )


def _choice(raw: Any, blank_word: str) -> tuple[bool, int | None, bool]:
    """A bulk select: (chosen?, id or None, valid?). "" = leave as is."""
    if raw in (None, ""):
        return False, None, True
    if raw == blank_word:
        return True, None, True
    if row_id(raw) is not None:
        return True, row_id(raw), True
    return False, None, False


@post("/initiatives/{initiative_id:int}/backlog/bulk", name="scrum.backlog_bulk")
async def backlog_bulk(request: HTMXRequest, initiative_id: FromPath[int]) -> Template | Redirect:
    initiative = await initiative_or_404(initiative_id)
    data = await form_data(request)
    fallback = request.app.route_reverse("scrum.backlog", initiative_id=initiative_id)
    next_url = safe_next(data.get("next"), fallback)
    filters = BacklogFilters.from_url(next_url)
    errors = Errors()
    raw_ids = [r for r in as_list(data.get("items")) if isinstance(r, str)]
    ids = [n for n in map(row_id, raw_ids) if n is not None]
    if len(ids) != len(raw_ids):
        errors.add("items", "Choose items from the list")
    elif not ids:
        errors.add("items", "Select at least one item to change")
    set_sprint, sprint_id, ok = _choice(data.get("bulk_sprint"), "backlog")
    if not ok:
        errors.add("bulk_sprint", "Choose a sprint from the list")
    set_stage, stage_id, ok = _choice(data.get("bulk_stage"), "none")
    if not ok:
        errors.add("bulk_stage", "Choose a C&I stage from the list")
    if not errors and not set_sprint and not set_stage:
        errors.add("bulk_sprint", "Choose a sprint or a C&I stage to apply to the selected items")
    moved = restaged = 0
    if not errors:
        try:
            # One transaction: a refused stage must not leave the sprint move done.
            async with db.writing():
                if set_sprint:
                    moved = await services.assign_sprint(initiative_id, ids, sprint_id)
                if set_stage:
                    restaged = await services.set_stage(initiative_id, ids, stage_id)
        except Invalid as exc:
            keys = {"sprint": "bulk_sprint", "stage": "bulk_stage"}
            for field, message in exc.errors.items():
                errors.add(keys.get(field, "items"), message)
    if errors:
        return await render_backlog(
            request,
            initiative,
            filters,
            status=422,
            errors=errors,
            selected=frozenset(ids),
            bulk={k: data.get(k, "") for k in ("bulk_sprint", "bulk_stage")},
            region_only=bool(request.htmx),
        )
    if not request.htmx:
        return Redirect(next_url, status_code=303)
    parts = []
    if set_sprint:
        where = "the backlog (no sprint)"
        if sprint_id is not None:
            sprint = await services.get_sprint(sprint_id)
            where = f"sprint {sprint['number']}"
        parts.append(f"{moved} {'item' if moved == 1 else 'items'} moved to {where}")
    if set_stage:
        parts.append(f"C&I stage set on {restaged} {'item' if restaged == 1 else 'items'}")
    return await render_backlog(
        request,
        initiative,
        filters,
        region_only=True,
        headers=htmx_triggers(announce="; ".join(parts), focus="backlog-caption"),
    )


route_handlers = [backlog, backlog_export, item_rank, item_estimate, backlog_bulk]
