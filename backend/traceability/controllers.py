"""Traceability pages: saving a story's links, the initiative's traceability view,
and switching the rule that flags untraced stories.

Saving links answers a plain form with 303 back to the story's "Why" section,
and htmx with that section alone plus an announcement. A refused save (an id
from outside the initiative) comes back 422 with the boxes still ticked.
"""

from __future__ import annotations

from typing import Any

from litestar import get, post
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from backend.cfsr import services as cfsr
from backend.errors import Invalid
from backend.initiatives.queries import initiative_or_404
from backend.scrum.items import item_page, item_view
from backend.traceability import queries, rules, services
from backend.traceability.story import detail_url, why_context
from backend.web.forms import Errors, form_data
from backend.web.pages import htmx_triggers

SAVED = "Links saved"


def parse_links(data: dict[str, Any]) -> tuple[dict[str, list[int]], Errors]:
    """The four checkbox lists of the form; no box ticked = none."""
    errors = Errors()
    chosen = {kind: services.parse_ids(data.get(kind), kind, errors) for kind in queries.LINK_KINDS}
    chosen[queries.CFSR_ITEMS] = cfsr.parse_numbers(data.get(queries.CFSR_ITEMS), errors)
    return chosen, errors


async def _section(
    request: HTMXRequest,
    item_id: int,
    status: int,
    headers: dict[str, str],
    ticked: dict[str, set[int]] | None = None,
    errors: dict[str, str] | None = None,
) -> Template:
    item = await item_view(item_id)
    initiative = await initiative_or_404(item["initiative"])
    return Template(
        "traceability/_why.html",
        context={
            "item": item,
            "why": await why_context(request.app, item, initiative, ticked, errors),
        },
        status_code=status,
        headers=headers,
    )


@post("/items/{item_id:int}/links", name="traceability.item_links_update")
async def item_links_update(request: HTMXRequest, item_id: FromPath[int]) -> Template | Redirect:
    data = await form_data(request)
    chosen, errors = parse_links(data)
    if not errors:
        try:
            await services.replace_links(item_id, chosen)
        except Invalid as exc:
            errors.merge(exc.errors)
    if errors:
        ticked = {kind: set(ids) for kind, ids in chosen.items()}
        if request.htmx:
            message = "Links not saved: " + " ".join(errors.values())
            return await _section(
                request,
                item_id,
                422,
                htmx_triggers(announce=message, focus="error-summary"),
                ticked,
                errors,
            )
        return await item_page(request, item_id, 422, ticked, errors)
    if request.htmx:
        return await _section(
            request, item_id, 200, htmx_triggers(announce=SAVED, focus="why-save")
        )
    url = request.app.route_reverse("scrum.item", item_id=item_id)
    return Redirect(f"{url}#why", status_code=303)


# ---------------------------------------------------------------- the view


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def summary_line(summary: dict[str, Any]) -> str:
    """ "2 of 3 components have stories; 1 finding unused; 4 stories unlinked"."""
    total, covered = summary["components"], summary["components_with_stories"]
    parts = [
        f"{covered} of {_count(total, 'component has', 'components have')} stories",
        f"{_count(summary['unused_findings'], 'finding', 'findings')} unused",
    ]
    if summary["unlinked_stories"] is None:
        parts.append("the rule for untraced stories is off")
    else:
        parts.append(f"{_count(summary['unlinked_stories'], 'story', 'stories')} unlinked")
    return "; ".join(parts)


async def _view(
    request: HTMXRequest,
    initiative: dict[str, Any],
    status: int = 200,
    errors: dict[str, str] | None = None,
) -> Template:
    found = await queries.gaps(initiative)
    app = request.app
    for component in found["components"]:
        component["url"] = detail_url(app, "components", component["id"])
    for finding in found["unused_findings"]:
        finding["url"] = detail_url(app, "findings", finding["id"])
    title = f"Traceability of {initiative['title']}"
    return Template(
        "traceability/view.html",
        context={
            "title": f"Error: {title}" if errors else title,
            "initiative": initiative,
            "nav": "traceability",
            "errors": errors or {},
            "summary_line": summary_line(found["summary"]),
            "rule_from": rules.RULE_FROM_STAGE,
            **found,
        },
        status_code=status,
    )


@get("/initiatives/{initiative_id:int}/traceability", name="traceability.view")
async def view(request: HTMXRequest, initiative_id: FromPath[int]) -> Template:
    return await _view(request, await initiative_or_404(initiative_id))


@post("/initiatives/{initiative_id:int}/traceability/rule", name="traceability.rule_update")
async def rule_update(request: HTMXRequest, initiative_id: FromPath[int]) -> Template | Redirect:
    initiative = await initiative_or_404(initiative_id)
    data = await form_data(request)
    rule = data.get("trace_rule")
    if rule not in ("on", "off"):
        errors = {"trace_rule": "Choose whether the rule is on or off"}
        return await _view(request, initiative, 422, errors)
    await services.set_rule(initiative_id, rule == "on")
    url = request.app.route_reverse("traceability.view", initiative_id=initiative_id)
    return Redirect(f"{url}#rule", status_code=303)


route_handlers = [item_links_update, view, rule_update]
