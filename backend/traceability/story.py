"""The "Why this story" section of a story page: what the item links to, what it may
link to (grouped for the checkbox form), and the rule's flag.

Kept apart from the controllers so the story page (backend/scrum/items.py)
can build the section without importing the routes that re-render it.
"""

from __future__ import annotations

from typing import Any

from litestar import Litestar

from backend.cfsr import queries as cfsr
from backend.traceability import queries, rules

# kind -> (route of the row's own page, its path id)
DETAIL_ROUTES = {
    "findings": ("exploration.finding", "finding_id"),
    "components": ("practice.component", "component_id"),
    "causal_links": ("exploration.link", "link_id"),
}


def detail_url(app: Litestar, kind: str, row_id: int) -> str:
    """The page of one finding, core component or causal link."""
    name, param = DETAIL_ROUTES[kind]
    return app.route_reverse(name, **{param: row_id})


def _groups(rows: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """Consecutive rows with the same `key` value, as [{"label", "rows"}]."""
    groups: list[dict[str, Any]] = []
    for row in rows:
        if not groups or groups[-1]["label"] != row[key]:
            groups.append({"label": row[key], "rows": []})
        groups[-1]["rows"].append(row)
    return groups


async def links_of(app: Litestar, item: dict[str, Any]) -> dict[str, Any]:
    """Every row of the item's initiative it could link to, with `url`, and the ids
    (and CFSR item numbers) it links to now (six queries whatever the numbers)."""
    initiative_id = item["initiative"]
    rows = {
        "findings": await queries.findings_of(initiative_id),
        "components": await queries.components_of(initiative_id),
        "causal_links": await queries.causal_links_of(initiative_id),
    }
    for kind, kind_rows in rows.items():
        for row in kind_rows:
            row["url"] = detail_url(app, kind, row["id"])
    return {"rows": rows, "saved": await queries.linked_ids(item["id"])}


def linked(links: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The rows the item links to now, by kind."""
    return {
        kind: [r for r in links["rows"][kind] if r["id"] in links["saved"][kind]]
        for kind in queries.LINK_KINDS
    }


def is_flagged(item: dict[str, Any], rule_on: bool, saved: dict[str, set[int]]) -> bool:
    return rules.flagged(
        rule_on,
        item["kind"],
        item.get("stage_position"),
        bool(saved["findings"]),
        bool(saved["components"]),
    )


async def why_context(
    app: Litestar,
    item: dict[str, Any],
    initiative: dict[str, Any],
    ticked: dict[str, set[int]] | None = None,
    errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Everything the section shows. `ticked` and `errors` come back from a refused
    save, so the form keeps the boxes that were ticked."""
    links = await links_of(app, item)
    saved = links["saved"]
    ticked = ticked if ticked is not None else saved
    ticked.setdefault(queries.CFSR_ITEMS, set())
    rows = links["rows"]
    cfsr_items = await cfsr.all_items()
    cfsr_groups = cfsr.grouped(cfsr_items)
    for group in cfsr_groups:
        group["legend"] = (
            group["name"] if group["kind"] == "outcome" else f"Systemic factor: {group['name']}"
        )
    # The form offers the current versions, plus whatever older version the
    # item links to now, so saving never drops a link nobody unticked.
    component_choices = [
        c for c in rows["components"] if c["latest"] or c["id"] in saved["components"]
    ]
    for c in component_choices:
        c["group"] = c["profile_label"] if c["latest"] else f"{c['profile_label']} (older version)"
    link_choices = [
        c for c in rows["causal_links"] if c["current"] or c["id"] in saved["causal_links"]
    ]
    return {
        "linked": linked(links),
        "linked_cfsr": [c for c in cfsr_items if c["number"] in saved[queries.CFSR_ITEMS]],
        "cfsr_groups": cfsr_groups,
        "finding_groups": _groups(rows["findings"], "kind_label"),
        "component_groups": _groups(component_choices, "group"),
        "link_choices": link_choices,
        "ticked": ticked,
        "errors": errors or {},
        "rule_on": bool(initiative["trace_rule"]),
        "flag": is_flagged(item, initiative["trace_rule"], saved),
        "warning": rules.RULE_WARNING,
    }
