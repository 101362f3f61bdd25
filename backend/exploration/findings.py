"""Finding pages: the filterable list, new, one finding with what uses it, edit and delete."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from backend.errors import Conflict
from backend.exploration import queries, services
from backend.exploration.forms import FINDING_FIELDS, FINDING_PII, FindingFilters, parse_finding
from backend.exploration.saving import attempt, save_edit
from backend.exploration.tables import (
    CONFIDENCE_LEVELS,
    EVIDENCE_TYPES,
    FINDING_KINDS,
    FINDING_SOURCES,
)
from backend.initiatives.queries import initiative_or_404
from backend.reviews import threads
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
    saved = await attempt(errors, lambda: services.create_finding(initiative_id, values))
    if saved.ok:
        url = request.app.route_reverse("exploration.finding", finding_id=saved.value)
        return Redirect(url, status_code=303)
    return await _form(initiative, None, typed(data, FINDING_FIELDS), errors, 422)


async def _about(finding: dict[str, Any]) -> dict[str, Any]:
    """What the finding page and the delete page both show: the finding and what uses it."""
    statements = await queries.statements_built_from(finding["id"])
    links = await queries.links_citing(finding["id"])
    return {
        "initiative": await initiative_or_404(finding["initiative"]),
        "nav": NAV,
        "subnav": "findings",
        "finding": finding,
        "heading": finding_title(finding),
        "first_line": queries.first_line(finding["statement"]),
        "links": links,
        "statements": statements,
        "acting_stories": await stories_acting_on_finding(finding["id"]),
        "kept_as_evidence": services.kept_as_evidence(finding["id"], statements, links),
    }


@get("/findings/{finding_id:int}", name="exploration.finding")
async def finding_detail(finding_id: FromPath[int]) -> Template:
    finding = await queries.finding_or_404(finding_id)
    about = await _about(finding)
    versions = await queries.theory_versions(finding["initiative"])
    return Template(
        "exploration/finding.html",
        context={
            "title": f"{finding_title(finding)}: {queries.first_line(finding['statement'])}",
            **about,
            "current_theory": versions[0]["number"] if versions else None,
            **CHOICES,
            # Comment threads on the finding (one query).
            **await threads.context("finding", finding_id, about["initiative"]["agency"]),
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
    return await save_edit(
        request,
        finding,
        what="finding",
        fields=FINDING_FIELDS,
        parse=parse_finding,
        pii_fields=FINDING_PII,
        update=services.update_finding,
        reread=queries.finding_or_404,
        form=_form,
        done=request.app.route_reverse("exploration.finding", finding_id=finding_id),
    )


async def _delete_page(
    finding: dict[str, Any], status: int = 200, conflict: str | None = None
) -> Template:
    """Asks before deleting; when a saved version cites the finding, says so first
    and offers no delete button (the finding stays as their evidence)."""
    about = await _about(finding)
    kept = about["kept_as_evidence"]
    title = finding_title(finding)
    return form_page(
        "exploration/finding_delete.html",
        status,
        title=f"{title} cannot be deleted" if kept else f"Delete {title.lower()}?",
        conflict=conflict,
        **about,
    )


@get("/findings/{finding_id:int}/delete", name="exploration.finding_delete_confirm")
async def finding_delete_confirm(finding_id: FromPath[int]) -> Template:
    return await _delete_page(await queries.finding_or_404(finding_id))


@post("/findings/{finding_id:int}/delete", name="exploration.finding_delete")
async def finding_delete(request: Request, finding_id: FromPath[int]) -> Template | Redirect:
    finding = await queries.finding_or_404(finding_id)
    version = edit_version(await form_data(request), "finding")
    try:
        await services.delete_finding(finding_id, version)
    except Conflict as exc:
        # Cited by a saved version, or changed since the page was opened: the
        # page as it is now, with the reason first.
        return await _delete_page(await queries.finding_or_404(finding_id), 409, exc.message)
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
