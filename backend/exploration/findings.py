"""Finding pages: the filterable list, new, one finding with what uses it, edit and delete."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from backend.errors import Conflict, Invalid
from backend.exploration import queries, services
from backend.exploration.forms import FINDING_FIELDS, FINDING_PII, FindingFilters, parse_finding
from backend.exploration.tables import (
    CONFIDENCE_LEVELS,
    EVIDENCE_TYPES,
    FINDING_KINDS,
    FINDING_SOURCES,
)
from backend.initiatives.queries import initiative_or_404
from backend.traceability.queries import stories_acting_on_finding
from backend.web import pii
from backend.web.forms import Errors, edit_version, form_data, typed
from backend.web.pages import form_page

NAV = "exploration"
CHOICES = {
    "kinds": FINDING_KINDS,
    "evidence_types": EVIDENCE_TYPES,
    "sources": FINDING_SOURCES,
    "confidence_levels": CONFIDENCE_LEVELS,
}
NEW_FINDING = {"kind": "observation", "evidence_type": "qualitative", "confidence": "medium"}


def finding_title(finding: dict[str, Any]) -> str:
    return f"{FINDING_KINDS.get(finding['kind'], 'Finding')} #{finding['id']}"


@get("/initiatives/{initiative_id:int}/findings", name="exploration.findings")
async def finding_list(request: Request, initiative_id: FromPath[int]) -> Template:
    initiative = await initiative_or_404(initiative_id)
    segments = await queries.segments_of(initiative_id)
    filters = FindingFilters.parse(request.query_params, segments)
    findings = await queries.findings_of(initiative_id, filters)
    total = await queries.finding_count(initiative_id)
    return Template(
        "exploration/findings.html",
        context={
            "title": f"Findings of {initiative['title']}",
            "initiative": initiative,
            "nav": NAV,
            "subnav": "findings",
            "findings": findings,
            "total": total,
            "filters": filters,
            "segments": segments,
            **CHOICES,
        },
    )


async def _form(
    initiative: dict[str, Any],
    finding: dict[str, Any] | None,
    values: dict[str, Any],
    errors: Errors,
    status: int = 200,
    conflict: str | None = None,
    version: int | None = None,
) -> Template:
    return form_page(
        "exploration/finding_form.html",
        status,
        title=f"Edit {finding_title(finding).lower()}" if finding else "New finding",
        initiative=initiative,
        nav=NAV,
        subnav="findings",
        finding=finding,
        values=values,
        errors=errors,
        conflict=conflict,
        version=version if version is not None else (finding or {}).get("version"),
        **CHOICES,
    )


@get("/initiatives/{initiative_id:int}/findings/new", name="exploration.finding_new")
async def finding_new(initiative_id: FromPath[int]) -> Template:
    initiative = await initiative_or_404(initiative_id)
    return await _form(initiative, None, dict(NEW_FINDING), Errors())


@post("/initiatives/{initiative_id:int}/findings/new", name="exploration.finding_create")
async def finding_create(request: Request, initiative_id: FromPath[int]) -> Template | Redirect:
    initiative = await initiative_or_404(initiative_id)
    data = await form_data(request)
    values, errors = parse_finding(data)
    await pii.check(data, FINDING_PII, initiative["agency"], errors)
    if not errors:
        try:
            finding_id = await services.create_finding(initiative_id, values)
        except Invalid as exc:
            errors.merge(exc.errors)
        else:
            url = request.app.route_reverse("exploration.finding", finding_id=finding_id)
            return Redirect(url, status_code=303)
    return await _form(initiative, None, typed(data, FINDING_FIELDS), errors, 422)


@get("/findings/{finding_id:int}", name="exploration.finding")
async def finding_detail(finding_id: FromPath[int]) -> Template:
    finding = await queries.finding_or_404(finding_id)
    initiative = await initiative_or_404(finding["initiative"])
    versions = await queries.theory_versions(initiative["id"])
    return Template(
        "exploration/finding.html",
        context={
            "title": f"{finding_title(finding)}: {queries.first_line(finding['statement'])}",
            "initiative": initiative,
            "nav": NAV,
            "subnav": "findings",
            "finding": finding,
            "heading": finding_title(finding),
            "first_line": queries.first_line(finding["statement"]),
            "links": await queries.links_citing(finding_id),
            "current_theory": versions[0]["number"] if versions else None,
            "statements": await queries.statements_built_from(finding_id),
            "acting_stories": await stories_acting_on_finding(finding_id),
            **CHOICES,
        },
    )


@get("/findings/{finding_id:int}/edit", name="exploration.finding_edit")
async def finding_edit(finding_id: FromPath[int]) -> Template:
    finding = await queries.finding_or_404(finding_id)
    initiative = await initiative_or_404(finding["initiative"])
    values = {key: finding.get(key) for key in FINDING_FIELDS}
    return await _form(initiative, finding, values, Errors())


@post("/findings/{finding_id:int}/edit", name="exploration.finding_update")
async def finding_update(request: Request, finding_id: FromPath[int]) -> Template | Redirect:
    finding = await queries.finding_or_404(finding_id)
    initiative = await initiative_or_404(finding["initiative"])
    data = await form_data(request)
    version = edit_version(data, "finding")
    values, errors = parse_finding(data)
    await pii.check(data, FINDING_PII, initiative["agency"], errors)
    status, conflict, current = 422, None, finding
    if not errors:
        try:
            await services.update_finding(finding_id, version, values)
        except Conflict as exc:
            status, conflict = 409, exc.message
            current = await queries.finding_or_404(finding_id)
        except Invalid as exc:
            errors.merge(exc.errors)
        else:
            url = request.app.route_reverse("exploration.finding", finding_id=finding_id)
            return Redirect(url, status_code=303)
    return await _form(
        initiative,
        current,
        typed(data, FINDING_FIELDS),
        errors,
        status,
        conflict,
        # After a conflict the form carries the saved version, so saving again
        # knowingly replaces it; after a plain error, the one edited from.
        version=current["version"] if conflict else version,
    )


@get("/findings/{finding_id:int}/delete", name="exploration.finding_delete_confirm")
async def finding_delete_confirm(finding_id: FromPath[int]) -> Template:
    finding = await queries.finding_or_404(finding_id)
    initiative = await initiative_or_404(finding["initiative"])
    return Template(
        "exploration/finding_delete.html",
        context={
            "title": f"Delete {finding_title(finding).lower()}?",
            "initiative": initiative,
            "nav": NAV,
            "subnav": "findings",
            "finding": finding,
            "heading": finding_title(finding),
            "first_line": queries.first_line(finding["statement"]),
            "links": await queries.links_citing(finding_id),
            "statements": await queries.statements_built_from(finding_id),
            "acting_stories": await stories_acting_on_finding(finding_id),
        },
    )


@post("/findings/{finding_id:int}/delete", name="exploration.finding_delete")
async def finding_delete(request: Request, finding_id: FromPath[int]) -> Redirect:
    finding = await queries.finding_or_404(finding_id)
    await services.delete_finding(finding_id)
    url = request.app.route_reverse("exploration.findings", initiative_id=finding["initiative"])
    return Redirect(url, status_code=303)


route_handlers = [
    finding_list,
    finding_new,
    finding_create,
    finding_detail,
    finding_edit,
    finding_update,
    finding_delete_confirm,
    finding_delete,
]
