"""The board of the active sprint, moving cards between columns, and column settings.

The board page issues a fixed number of queries whatever the number of cards
(PERF-01): one for the cards with their stage, one for every open blocker, one
for their traceability links.
A move answered to htmx carries only the moved card and the changed column
headers (PERF-02); without JavaScript it redirects back to the board.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from litestar import Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Response, Template
from markupsafe import Markup, escape
from piccolo.query.functions.aggregate import Count, Sum

from backend import db
from backend.errors import Conflict, DomainError, Invalid, NotFound
from backend.initiatives.queries import initiative_or_404
from backend.scrum import board_services, services
from backend.scrum.tables import ITEM_KINDS, BacklogItem, ItemBlock
from backend.traceability import queries as traceability
from backend.web import forms
from backend.web.forms import form_data

NAME_MAX = 60
WIP_MAX = 999
NO_STAGE = "none"
ALL_LANES = "all"

CARD_COLUMNS = (
    BacklogItem.id,
    BacklogItem.kind,
    BacklogItem.title,
    BacklogItem.estimate,
    BacklogItem.status,
    BacklogItem.stage,
    BacklogItem.stage.name.as_alias("stage_name"),
    BacklogItem.stage.short_name.as_alias("stage_short"),
    BacklogItem.stage.position.as_alias("stage_position"),
    BacklogItem.assignee_name,
    BacklogItem.rank,
    BacklogItem.initiative.trace_rule.as_alias("trace_rule"),
)


def plural(n: int | float, word: str) -> str:
    return f"{n:g} {word}" if n == 1 else f"{n:g} {word}s"


# ---------------------------------------------------------------- reads


async def _open_blockers(sprint_id: int, item_ids: list[int] | None = None) -> dict[int, list]:
    """Item id -> ids of the items blocking it that are not done yet (one query)."""
    where = (ItemBlock.item.sprint == sprint_id) & (
        ItemBlock.blocker.status.is_done == False  # noqa: E712
    )
    if item_ids is not None:
        where &= ItemBlock.item.is_in(item_ids)
    rows = await ItemBlock.select(ItemBlock.item, ItemBlock.blocker).where(where)
    blockers: dict[int, list[int]] = {}
    for row in sorted(rows, key=lambda r: r["blocker"]):
        blockers.setdefault(row["item"], []).append(row["blocker"])
    return blockers


async def _cards(sprint_id: int, item_ids: list[int] | None = None) -> list[dict[str, Any]]:
    """The sprint's cards in rank order, each with its open blockers and its
    traceability (three queries)."""
    where = BacklogItem.sprint == sprint_id
    if item_ids is not None:
        where &= BacklogItem.id.is_in(item_ids)
    cards = await BacklogItem.select(*CARD_COLUMNS).where(where).order_by(BacklogItem.rank)
    blockers = await _open_blockers(sprint_id, item_ids)
    for card in cards:
        card["blockers"] = blockers.get(card["id"], [])
    # Component chips, findings count and the traceability flag (one query).
    if item_ids is None:
        await traceability.annotate(cards, sprint_id=sprint_id)
    else:
        await traceability.annotate(cards)
    return cards


def _wip_state(count: int, limit: int | None) -> str | None:
    if not limit:
        return None
    if count > limit:
        return "over"
    return "at" if count == limit else "within"


def _with_stats(column: dict[str, Any], count: int, points: int) -> dict[str, Any]:
    return {
        "id": column["id"],
        "name": column["name"],
        "is_done": column["is_done"],
        "wip_limit": column["wip_limit"],
        "count": count,
        "points": points,
        "wip": _wip_state(count, column["wip_limit"]),
    }


async def _column_stats(sprint_id: int, columns: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Card count and points of the given columns in the sprint (one grouped query)."""
    ids = [c["id"] for c in columns]
    rows = (
        await BacklogItem.select(
            BacklogItem.status,
            Count(BacklogItem.id, alias="n"),
            Sum(BacklogItem.estimate, alias="points"),
        )
        .where((BacklogItem.sprint == sprint_id) & BacklogItem.status.is_in(ids))
        .group_by(BacklogItem.status)
    )
    by_column = {r["status"]: r for r in rows}
    return [
        _with_stats(
            c,
            by_column.get(c["id"], {}).get("n", 0),
            int(by_column.get(c["id"], {}).get("points") or 0),
        )
        for c in columns
    ]


def _lanes_on(initiative: dict[str, Any], raw: str | None) -> bool:
    if raw in ("on", "off"):
        return raw == "on"
    return bool(initiative.get("swimlanes_by_stage", True))


def move_options(columns: list[dict[str, Any]]) -> dict[int, Markup]:
    """column id -> the <option>s of a card's "Move to" select, with that column selected.

    Built once per board rather than looped per card: the same few lists repeat
    on every card of a 500-card board (PERF-03).
    """

    def option(column: dict[str, Any], selected: bool) -> str:
        mark = " selected" if selected else ""
        return f'<option value="{column["id"]}"{mark}>{escape(column["name"])}</option>'

    return {
        current["id"]: Markup("".join(option(c, c["id"] == current["id"]) for c in columns))  # noqa: S704 - names escaped
        for current in columns
    }


def lane_key(card: dict[str, Any], lanes_on: bool) -> str:
    if not lanes_on:
        return ALL_LANES
    return str(card["stage"]) if card["stage"] is not None else NO_STAGE


def _lanes(cards: list[dict], columns: list[dict], lanes_on: bool) -> list[dict[str, Any]]:
    """Rows of the board: one per C&I stage that has cards, then "No stage"."""
    lanes: dict[str, dict[str, Any]] = {}
    for card in cards:
        key = lane_key(card, lanes_on)
        lane = lanes.get(key)
        if lane is None:
            if key == ALL_LANES:
                title, order = "All cards", (0, 0)
            elif key == NO_STAGE:
                title, order = "No stage", (1, 0)
            else:
                title = f"{card['stage_position']}. {card['stage_name']}"
                order = (0, card["stage_position"])
            lane = lanes[key] = {
                "key": key,
                "title": title,
                "order": order,
                "count": 0,
                "points": 0,
                "cells": {c["id"]: [] for c in columns},
            }
        lane["count"] += 1
        lane["points"] += card["estimate"] or 0
        lane["cells"].setdefault(card["status"], []).append(card)
    if not lanes:  # an empty sprint still shows its columns
        key = ALL_LANES if not lanes_on else NO_STAGE
        title = "All cards" if not lanes_on else "No stage"
        lanes[key] = {
            "key": key,
            "title": title,
            "order": (1, 0),
            "count": 0,
            "points": 0,
            "cells": {c["id"]: [] for c in columns},
        }
    return sorted(lanes.values(), key=lambda lane: (lane["order"], lane["key"]))


def board_url(request: Request, initiative_id: int, **params: Any) -> str:
    url = request.app.route_reverse("scrum.board", initiative_id=initiative_id)
    query = {k: v for k, v in params.items() if v is not None}
    return f"{url}?{urlencode(query)}" if query else url


async def _board_page(
    request: Request,
    initiative: dict[str, Any],
    lanes_param: str | None,
    status: int = 200,
    moved: int | None = None,
    error: dict[str, Any] | None = None,
) -> Template:
    lanes_on = _lanes_on(initiative, lanes_param)
    sprint = await services.active_sprint(initiative["id"])
    columns = await services.columns_for(initiative["id"])
    context: dict[str, Any] = {
        "title": "Board",
        "initiative": initiative,
        "nav": "board",
        "sprint": sprint,
        "lanes_on": lanes_on,
        "lanes_value": "on" if lanes_on else "off",
        "error": error,
        "moved": None,
    }
    if error:
        context["title"] = "Error: Board"
    if sprint is not None:
        cards = await _cards(sprint["id"])
        counts: dict[int, list[int]] = {c["id"]: [0, 0] for c in columns}
        for card in cards:
            stats = counts.setdefault(card["status"], [0, 0])
            stats[0] += 1
            stats[1] += card["estimate"] or 0
        column_stats = [_with_stats(c, *counts[c["id"]]) for c in columns]
        by_column = {c["id"]: c for c in column_stats}
        if moved is not None:
            card = next((c for c in cards if c["id"] == moved), None)
            if card is not None and card["status"] in by_column:
                context["moved"] = {"card": card, "column": by_column[card["status"]]}
        context.update(
            cards=cards,
            columns=column_stats,
            column_options=move_options(columns),
            lanes=_lanes(cards, columns, lanes_on),
            card_ids={c["id"] for c in cards},
            total_points=sum(c["estimate"] or 0 for c in cards),
            toggle_url=board_url(request, initiative["id"], lanes="off" if lanes_on else "on"),
        )
    return Template("scrum/board.html", context=context, status_code=status)


@get("/initiatives/{initiative_id:int}/board", name="scrum.board")
async def board_page(
    request: Request,
    initiative_id: FromPath[int],
    lanes: FromQuery[str | None] = None,
    moved: FromQuery[int | None] = None,
) -> Template:
    initiative = await initiative_or_404(initiative_id)
    return await _board_page(request, initiative, lanes, moved=moved)


# ---------------------------------------------------------------- moving a card


def _is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def _kind(card: dict[str, Any]) -> str:
    return ITEM_KINDS.get(card["kind"], "Item")


def _announcement(card: dict[str, Any], column: dict[str, Any], moved: bool) -> str:
    if not moved:
        return f"{_kind(card)} #{card['id']} is already in {column['name']}."
    text = (
        f"{_kind(card)} #{card['id']} moved to {column['name']}. {column['name']}: "
        f"{plural(column['count'], 'card')}, {plural(column['points'], 'point')}"
    )
    if column["wip"] == "over":
        text += f", over its WIP limit of {column['wip_limit']}"
    return text + "."


def _htmx_error(exc: DomainError, item_id: int) -> Template:
    message = exc.message
    if isinstance(exc, Invalid) and exc.errors:
        message = " ".join(exc.errors.values())
    return Template(
        "scrum/_board_message.html",
        context={"message": message, "oob": True},
        status_code=exc.status_code,
        headers={
            "HX-Trigger": json.dumps(
                {"tandem:announce": message, "tandem:focus": f"move-{item_id}"}
            )
        },
    )


async def _move_checked(item_id: int, column_id: int) -> tuple[dict, dict, dict]:
    """Move a card of the active sprint; (item before, item after, sprint), all or nothing."""
    async with db.writing():
        item = await services.get_item(item_id)
        sprint = await services.active_sprint(item["initiative"])
        if sprint is None or item["sprint"] != sprint["id"]:
            raise Conflict(
                f"#{item_id} is not on the board of the active sprint, so it was not moved. "
                "Reload the board to see its cards."
            )
        before, after = await services.move_item(item_id, column_id)
    return before, after, sprint


@post("/items/{item_id:int}/move", name="scrum.item_move")
async def item_move(request: Request, item_id: FromPath[int]) -> Response:
    data = await form_data(request)
    errors = forms.Errors()
    column_id = forms.ref_id(data.get("column"), "column", errors, label="Column")
    if column_id is None and not errors:
        errors.add("column", "Choose a column to move the card to")
    try:
        if errors:
            raise Invalid(errors)
        before, after, sprint = await _move_checked(item_id, column_id)
    except (Invalid, Conflict) as exc:
        if _is_htmx(request):
            return _htmx_error(exc, item_id)
        item = await services.get_item(item_id)
        initiative = await initiative_or_404(item["initiative"])
        message = " ".join(exc.errors.values()) if isinstance(exc, Invalid) else exc.message
        return await _board_page(
            request,
            initiative,
            data.get("lanes") if isinstance(data.get("lanes"), str) else None,
            status=exc.status_code,
            error={"message": message, "item_id": item_id},
        )
    except NotFound as exc:
        if _is_htmx(request):
            return _htmx_error(exc, item_id)
        raise
    initiative = await initiative_or_404(after["initiative"])
    lanes_param = data.get("lanes") if data.get("lanes") in ("on", "off") else None
    if not _is_htmx(request):
        url = board_url(request, initiative["id"], lanes=lanes_param, moved=item_id)
        return Redirect(f"{url}#card-{item_id}", status_code=303)
    return await _move_fragments(initiative, sprint, before, after, lanes_param)


async def _move_fragments(
    initiative: dict, sprint: dict, before: dict, after: dict, lanes_param: str | None
) -> Template:
    """The moved card (deleted and re-inserted into its new cell), the headers of
    the columns it left and joined, and the blocked notes of cards it unblocked."""
    lanes_on = _lanes_on(initiative, lanes_param)
    columns = await services.columns_for(initiative["id"])
    changed_ids = {before["status"], after["status"]}
    headers = await _column_stats(sprint["id"], [c for c in columns if c["id"] in changed_ids])
    card = (await _cards(sprint["id"], [after["id"]]))[0]
    new_column = next(h for h in headers if h["id"] == after["status"])
    dependents: list[dict] = []
    if (before["done_at"] is None) != (after["done_at"] is None):
        rows = await ItemBlock.select(ItemBlock.item).where(
            (ItemBlock.blocker == after["id"]) & (ItemBlock.item.sprint == sprint["id"])
        )
        ids = sorted({r["item"] for r in rows})
        if ids:
            open_blockers = await _open_blockers(sprint["id"], ids)
            dependents = [{"id": i, "blockers": open_blockers.get(i, [])} for i in ids]
    moved = before["status"] != after["status"]
    announcement = _announcement(card, new_column, moved)
    return Template(
        "scrum/_board_move.html",
        context={
            "card": card,
            "cell_id": f"cell-{lane_key(card, lanes_on)}-{card['status']}",
            "headers": headers if moved else [],
            "dependents": dependents,
            "column_options": move_options(columns),
            "lanes_value": "on" if lanes_on else "off",
            "card_level": 4 if lanes_on else 3,
            "moved": moved,
        },
        headers={
            "HX-Trigger": json.dumps(
                {"tandem:announce": announcement, "tandem:focus": f"move-{card['id']}"}
            )
        },
    )


# ---------------------------------------------------------------- column settings


async def _columns_page(
    initiative: dict[str, Any],
    status: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
) -> Template:
    columns = await services.columns_for(initiative["id"])
    counts = (
        await BacklogItem.select(BacklogItem.status, Count(BacklogItem.id, alias="n"))
        .where(BacklogItem.initiative == initiative["id"])
        .group_by(BacklogItem.status)
    )
    held = {r["status"]: r["n"] for r in counts}
    title = "Board columns"
    return Template(
        "scrum/columns.html",
        context={
            "title": f"Error: {title}" if errors else title,
            "initiative": initiative,
            "nav": "board",
            "columns": [{**c, "held": held.get(c["id"], 0)} for c in columns],
            "errors": errors or {},
            "values": values or {},
        },
        status_code=status,
    )


@get("/initiatives/{initiative_id:int}/board/columns", name="scrum.board_columns")
async def columns_page(initiative_id: FromPath[int]) -> Template:
    return await _columns_page(await initiative_or_404(initiative_id))


def _parse_column(data: dict[str, Any]) -> tuple[dict[str, Any], forms.Errors]:
    errors = forms.Errors()
    name = forms.text(
        data.get("name"), "name", errors, label="Column name", max_length=NAME_MAX, required=True
    )
    wip_limit = forms.integer(
        data.get("wip_limit"), "wip_limit", errors, label="WIP limit", minimum=1, maximum=WIP_MAX
    )
    raw_wip = data.get("wip_limit")
    return {"name": name, "wip_limit": wip_limit if "wip_limit" not in errors else raw_wip}, errors


@post("/initiatives/{initiative_id:int}/board/columns", name="scrum.board_columns_update")
async def columns_update(request: Request, initiative_id: FromPath[int]) -> Template | Redirect:
    """One endpoint for the page's forms: save, up/down, done column, delete, add."""
    initiative = await initiative_or_404(initiative_id)
    data = await form_data(request)
    action = data.get("action")
    errors = forms.Errors()
    column_id = forms.ref_id(data.get("column"), "column", errors, label="Column")
    columns = await services.columns_for(initiative_id)
    if column_id is not None and column_id not in {c["id"] for c in columns}:
        return await _columns_page(
            initiative, 404, {"column": "That column is not one of this board's columns"}
        )
    needs_column = action in ("save", "up", "down", "done", "delete")
    if action not in ("save", "up", "down", "done", "delete", "add") or (
        needs_column and column_id is None
    ):
        errors.add("column", "Choose a column and what to do with it")
        return await _columns_page(initiative, 422, errors)
    typed: dict = {"column": column_id}
    try:
        if action in ("save", "add"):
            values, errors = _parse_column(data)
            typed = {"column": column_id if action == "save" else "new", **values}
            if errors:
                return await _columns_page(initiative, 422, errors, typed)
            if action == "save":
                await board_services.update_column(
                    initiative_id, column_id, values["name"], values["wip_limit"]
                )
            else:
                await board_services.add_column(initiative_id, values["name"], values["wip_limit"])
        elif action in ("up", "down"):
            await board_services.move_column(initiative_id, column_id, action)
        elif action == "done":
            await board_services.set_done_column(initiative_id, column_id)
        else:
            await board_services.delete_column(initiative_id, column_id)
    except NotFound as exc:
        return await _columns_page(initiative, 404, {"column": exc.message})
    except Invalid as exc:
        return await _columns_page(initiative, 422, exc.errors, typed)
    url = request.app.route_reverse("scrum.board_columns", initiative_id=initiative_id)
    return Redirect(url, status_code=303)


route_handlers = [board_page, item_move, columns_page, columns_update]
