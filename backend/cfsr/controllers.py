"""CFSR reference pages: the 7 outcomes and 7 systemic factors with items 1-36, and one
item with what works toward it in the agencies the person can see.

Any signed-in person may read them; the links shown come only from agencies
the person belongs to or, for a liaison, is assigned to (SEC-08), never others.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.params import FromPath
from litestar.response import Template

from backend.cfsr import queries
from backend.pip.status import goal_of, number_text


def _agency_ids(request: Request) -> list[int]:
    """Members' agencies and a liaison's assigned agencies: nothing else."""
    access = request.state.get("access")
    return access.agency_ids if access else []


def _by_agency(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows already sorted by agency, as [{"agency", "rows"}]."""
    groups: list[dict[str, Any]] = []
    for row in rows:
        if not groups or groups[-1]["agency"] != row["agency_name"]:
            groups.append({"agency": row["agency_name"], "rows": []})
        groups[-1]["rows"].append(row)
    return groups


@get("/cfsr", name="cfsr.index")
async def cfsr_index() -> Template:
    groups = queries.grouped(await queries.all_items())
    return Template(
        "cfsr/index.html",
        context={
            "title": "CFSR outcomes, systemic factors and items",
            "sections": queries.by_kind(groups),
        },
    )


@get("/cfsr/{number:int}", name="cfsr.item")
async def cfsr_item(request: Request, number: FromPath[int]) -> Template:
    item = await queries.item_or_404(number)
    agencies = _agency_ids(request)
    measures = await queries.linked_measures(item["id"], agencies)
    items = await queries.linked_items(item["id"], agencies)
    goals = await queries.linked_pip_goals(item["id"], agencies)
    lines = await queries.linked_pip_measurements(item["id"], agencies)
    for line in lines:
        line["baseline_text"] = number_text(line["baseline"])
        line["goal_text"] = number_text(goal_of(line))
    return Template(
        "cfsr/item.html",
        context={
            "title": f"CFSR {item['label']}",
            "item": item,
            "has_agencies": bool(agencies),
            "items_by_agency": _by_agency(items),
            "measures_by_agency": _by_agency(measures),
            "goals": goals,
            "lines": lines,
        },
    )


route_handlers = [cfsr_index, cfsr_item]
