"""Story pages: create, view and edit one backlog item, with its blockers and history.

Writes go through `services` (one transaction each); a form that writes the
item and its blockers wraps both in one outer transaction so a refused
blocker leaves nothing half-saved.
"""

from __future__ import annotations

import re
from typing import Any

from litestar import get, post
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from backend import db
from backend.errors import Conflict, Invalid, NotFound
from backend.initiatives.queries import initiative_or_404, stage_options
from backend.pdsa import queries as pdsa_queries
from backend.pdsa.tables import ACT_DECISIONS
from backend.pip import queries as pip_queries
from backend.reviews import threads
from backend.scrum import services
from backend.scrum.backlog_queries import sprint_choices, sprint_label
from backend.scrum.forms import parse_item
from backend.scrum.tables import ITEM_KINDS, BacklogItem, ItemBlock, ItemHistory
from backend.traceability.story import why_context
from backend.web import pii
from backend.web.forms import Errors, edit_version, form_data, row_id, typed
from backend.web.pages import form_page
from backend.web.templating import kind_label

FORM_FIELDS = (
    "title",
    "kind",
    "narrative",
    "acceptance_criteria",
    "estimate",
    "stage",
    "sprint",
    "status",
    "assignee_name",
    "blocked_by",
)
BLOCKERS_MAX = 50
CHANGE_LABELS = {
    "created": "Created",
    "edited": "Edited",
    "moved": "Moved on the board",
    "estimated": "Estimate changed",
    "sprint_added": "Added to a sprint",
    "sprint_removed": "Taken out of its sprint",
    "sprint_started": "Sprint started",
    "carried_over": "Carried over to the next sprint when its sprint closed",
    "returned_at_close": "Returned to the backlog when its sprint closed",
}
# services raise Invalid with their own field names; the form's names differ here.
SERVICE_FIELDS = {"items": "blocked_by", "target": "blocked_by"}


def parse_blockers(raw: Any, errors: Errors) -> list[int]:
    """'#12, #15' (commas, spaces or semicolons between) -> [12, 15]."""
    if raw is not None and not isinstance(raw, str):
        # Repeated or uploaded: never read as "no blockers", which would clear them.
        errors.add("blocked_by", "Blocked by must be item numbers like #12, #15")
        return []
    text = raw or ""
    ids: list[int] = []
    for token in re.split(r"[\s,;]+", text.strip()):
        number = token.lstrip("#")
        if not token:
            continue
        if row_id(number) is None:
            errors.add("blocked_by", "Blocked by must be item numbers like #12, #15")
            return []
        ids.append(int(number))
    if len(ids) > BLOCKERS_MAX:
        errors.add("blocked_by", f"Blocked by can list at most {BLOCKERS_MAX} items")
        return []
    return list(dict.fromkeys(ids))


def _typed(data: dict[str, Any]) -> dict[str, str]:
    return {**typed(data, FORM_FIELDS), **typed(data, ("at_top",))}


def _service_errors(exc: Invalid, errors: Errors) -> None:
    errors.merge(exc.errors, rename=SERVICE_FIELDS)


# PII-01: the story's free text, scanned before it is saved.
PII_FIELDS = {
    "title": "Title",
    "narrative": "Narrative",
    "acceptance_criteria": "Acceptance criteria",
}


async def item_view(item_id: int) -> dict[str, Any]:
    """The item with the names of its stage, sprint and status (one query)."""
    rows = await BacklogItem.select(
        *services.ITEM_COLUMNS,
        BacklogItem.stage.name.as_alias("stage_name"),
        BacklogItem.stage.position.as_alias("stage_position"),
        BacklogItem.sprint.number.as_alias("sprint_number"),
        BacklogItem.sprint.state.as_alias("sprint_state"),
        BacklogItem.status.name.as_alias("status_name"),
        BacklogItem.status.is_done.as_alias("is_done"),
    ).where(BacklogItem.id == item_id)
    if not rows:
        raise NotFound(f"Backlog item #{item_id} was not found")
    return rows[0]


async def blockers_of(item_id: int) -> list[dict[str, Any]]:
    return await (
        ItemBlock.select(
            ItemBlock.blocker.as_alias("id"),
            ItemBlock.blocker.title.as_alias("title"),
            ItemBlock.blocker.kind.as_alias("kind"),
            ItemBlock.blocker.status.name.as_alias("status_name"),
            ItemBlock.blocker.status.is_done.as_alias("done"),
        )
        .where(ItemBlock.item == item_id)
        .order_by(ItemBlock.blocker)
    )


async def blocking(item_id: int) -> list[dict[str, Any]]:
    """Items that wait for this one."""
    return await (
        ItemBlock.select(
            ItemBlock.item.as_alias("id"),
            ItemBlock.item.title.as_alias("title"),
            ItemBlock.item.kind.as_alias("kind"),
            ItemBlock.item.status.is_done.as_alias("done"),
        )
        .where(ItemBlock.blocker == item_id)
        .order_by(ItemBlock.item)
    )


async def history_of(item_id: int) -> list[dict[str, Any]]:
    rows = await (
        ItemHistory.select(
            ItemHistory.id,
            ItemHistory.at,
            ItemHistory.change,
            ItemHistory.estimate,
            ItemHistory.is_done,
            ItemHistory.sprint.number.as_alias("sprint_number"),
            ItemHistory.status.name.as_alias("status_name"),
        )
        .where(ItemHistory.item == item_id)
        .order_by(ItemHistory.at)
        .order_by(ItemHistory.id)
    )
    for row in rows:
        row["change_label"] = CHANGE_LABELS.get(row["change"], row["change"].replace("_", " "))
    return rows


async def _form_choices(initiative: dict[str, Any], item: dict[str, Any] | None) -> dict:
    """Options for the selects: the agency's stages, open sprints, board columns."""
    sprints = await sprint_choices(initiative["id"])
    current = item["sprint"] if item else None
    return {
        "stages": await stage_options(initiative["agency"]),
        "sprint_options": [
            (s["id"], sprint_label(s))
            for s in sprints
            if s["state"] != "closed" or s["id"] == current
        ],
        "status_options": [
            (c["id"], c["name"]) for c in await services.columns_for(initiative["id"])
        ],
        "kind_options": list(ITEM_KINDS.items()),
    }


# ---------------------------------------------------------------- new


@get("/initiatives/{initiative_id:int}/items/new", name="scrum.item_new")
async def item_new(initiative_id: FromPath[int]) -> Template:
    initiative = await initiative_or_404(initiative_id)
    return form_page(
        "scrum/item_form.html",
        title="New story",
        initiative=initiative,
        nav="backlog",
        item=None,
        values={"kind": "story"},
        errors={},
        **await _form_choices(initiative, None),
    )


@post("/initiatives/{initiative_id:int}/items/new", name="scrum.item_create")
async def item_create(request: HTMXRequest, initiative_id: FromPath[int]) -> Template | Redirect:
    initiative = await initiative_or_404(initiative_id)
    data = await form_data(request)
    values, errors = parse_item(data)
    values.pop("status", None)  # new items start in the board's first column
    blockers = parse_blockers(data.get("blocked_by"), errors)
    at_top = data.get("at_top") in ("on", "1", "yes", "true")
    await pii.check(data, PII_FIELDS, initiative["agency"], errors)
    if not errors:
        try:
            async with db.writing():
                item_id = await services.create_item(initiative_id, values, at_top=at_top)
                if blockers:
                    await services.set_blockers(item_id, blockers)
        except Invalid as exc:
            _service_errors(exc, errors)
        else:
            return Redirect(
                request.app.route_reverse("scrum.item", item_id=item_id), status_code=303
            )
    return form_page(
        "scrum/item_form.html",
        422,
        title="New story",
        initiative=initiative,
        nav="backlog",
        item=None,
        values=_typed(data),
        errors=errors,
        **await _form_choices(initiative, None),
    )


# ---------------------------------------------------------------- view


@get("/items/{item_id:int}", name="scrum.item")
async def item_detail(request: HTMXRequest, item_id: FromPath[int]) -> Template:
    return await item_page(request, item_id)


async def item_page(
    request: HTMXRequest,
    item_id: int,
    status: int = 200,
    ticked: dict[str, set[int]] | None = None,
    link_errors: dict[str, str] | None = None,
) -> Template:
    """The story page; a refused save of its links (traceability) comes back here
    with the boxes that were ticked and the errors."""
    item = await item_view(item_id)
    initiative = await initiative_or_404(item["initiative"])
    title = f"{kind_label(item['kind'])} #{item['id']}: {item['title']}"
    return Template(
        "scrum/item.html",
        context={
            "title": f"Error: {title}" if link_errors else title,
            "initiative": initiative,
            "nav": "backlog",
            "item": item,
            "blockers": await blockers_of(item_id),
            "blocking": await blocking(item_id),
            "history": await history_of(item_id),
            "why": await why_context(request.app, item, initiative, ticked, link_errors),
            "pdsa_cycles": await pdsa_queries.cycles_of_item(item_id),
            "pip_activities": await pip_queries.activities_of_item(item_id),
            "act_decisions": ACT_DECISIONS,
            # Comment threads on the story (one query).
            **await threads.context("item", item_id, initiative["agency"]),
        },
        status_code=status,
    )


# ---------------------------------------------------------------- edit


def _edit_values(item: dict[str, Any], blockers: list[dict[str, Any]]) -> dict[str, Any]:
    values = {key: item.get(key) for key in FORM_FIELDS}
    values["blocked_by"] = ", ".join(f"#{b['id']}" for b in blockers)
    return values


@get("/items/{item_id:int}/edit", name="scrum.item_edit")
async def item_edit(item_id: FromPath[int]) -> Template:
    item = await item_view(item_id)
    initiative = await initiative_or_404(item["initiative"])
    return form_page(
        "scrum/item_form.html",
        title=f"Edit {kind_label(item['kind']).lower()} #{item_id}",
        initiative=initiative,
        nav="backlog",
        item=item,
        values=_edit_values(item, await blockers_of(item_id)),
        version=item["version"],
        errors={},
        **await _form_choices(initiative, item),
    )


@post("/items/{item_id:int}/edit", name="scrum.item_update")
async def item_update(request: HTMXRequest, item_id: FromPath[int]) -> Template | Redirect:
    item = await item_view(item_id)
    initiative = await initiative_or_404(item["initiative"])
    data = await form_data(request)
    version = edit_version(data, "story")
    values, errors = parse_item(data)
    blockers = parse_blockers(data.get("blocked_by"), errors)
    if item_id in blockers:
        errors.add("blocked_by", f"#{item_id} cannot block itself: remove it from Blocked by")
    if values.get("sprint") == item["sprint"]:
        # Unchanged: an item that finished in a closed sprint keeps it, and
        # services refuse closed sprints as a new choice.
        values.pop("sprint")
    await pii.check(data, PII_FIELDS, initiative["agency"], errors)
    status, conflict, current = 422, None, item
    if not errors:
        try:
            async with db.writing():
                await services.update_item(item_id, version, values)
                await services.set_blockers(item_id, blockers)
        except Conflict as exc:
            status, conflict = 409, exc.message
            current = await item_view(item_id)
        except Invalid as exc:
            _service_errors(exc, errors)
        else:
            return Redirect(
                request.app.route_reverse("scrum.item", item_id=item_id), status_code=303
            )
    return form_page(
        "scrum/item_form.html",
        status,
        title=f"Edit {kind_label(item['kind']).lower()} #{item_id}",
        initiative=initiative,
        nav="backlog",
        item=current,
        values=_typed(data),
        # After a conflict the form carries the saved version, so saving again
        # knowingly replaces it; after a plain error it keeps the one edited from.
        version=current["version"] if conflict else version,
        errors=errors,
        conflict=conflict,
        saved_blockers=await blockers_of(item_id) if conflict else [],
        **await _form_choices(initiative, current),
    )


route_handlers = [item_new, item_create, item_detail, item_edit, item_update]
