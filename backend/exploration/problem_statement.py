"""The versioned problem statement, built from the root-cause findings.

Saving adds the next version; every earlier version stays readable as it was.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from backend.exploration import queries, services
from backend.exploration.forms import STATEMENT_PII, parse_problem_statement, ticked
from backend.exploration.saving import attempt
from backend.exploration.tables import FINDING_KINDS
from backend.initiatives.queries import initiative_or_404
from backend.web import pii
from backend.web.forms import Errors, form_data, typed
from backend.web.pages import form_page

NAV = "exploration"


async def _page(
    initiative: dict[str, Any],
    *,
    text: str | None = None,
    chosen: list[str] | None = None,
    errors: Errors | None = None,
    status: int = 200,
    drafted: bool = False,
) -> Template:
    """The current version, the list of versions and the form for the next one.

    Without typed values the form starts from the current version, or, before
    the first one, from a draft assembled from every root cause.
    """
    versions = await queries.statement_versions(initiative["id"])
    current = (
        await queries.statement_version(initiative["id"], versions[0]["number"])
        if versions
        else None
    )
    built_from = await queries.statement_root_causes(current["id"]) if current else []
    root_causes = await queries.finding_choices(initiative["id"], kind="root_cause")
    if chosen is None:
        start = built_from if current else root_causes
        chosen = [str(f["id"]) for f in start]
    if text is None:
        if current:
            text = current["text"]
        else:
            text = services.draft_statement(root_causes)
            drafted = bool(text)
    return form_page(
        "exploration/problem_statement.html",
        status,
        title=f"Problem statement of {initiative['title']}",
        initiative=initiative,
        nav=NAV,
        subnav="problem_statement",
        current=current,
        built_from=built_from,
        versions=versions,
        root_causes=root_causes,
        chosen=chosen,
        values={"text": text},
        drafted=drafted,
        errors=errors or Errors(),
        kinds=FINDING_KINDS,
    )


@get("/initiatives/{initiative_id:int}/problem-statement", name="exploration.problem_statement")
async def problem_statement(initiative_id: FromPath[int]) -> Template:
    return await _page(await initiative_or_404(initiative_id))


@post(
    "/initiatives/{initiative_id:int}/problem-statement",
    name="exploration.problem_statement_save",
)
async def problem_statement_save(
    request: Request, initiative_id: FromPath[int]
) -> Template | Redirect:
    initiative = await initiative_or_404(initiative_id)
    data = await form_data(request)
    drafting = data.get("action") == "draft"
    values, errors = parse_problem_statement(data, require_text=not drafting)
    chosen = ticked(data, "findings")
    if drafting and not values["findings"]:
        errors.add("findings", "Choose at least one root cause to draft the statement from")
    if drafting and not errors:
        # "Draft from the chosen root causes": a new text to edit, nothing saved.
        rows = await queries.finding_choices(initiative_id, kind="root_cause")
        picked = [f for f in rows if f["id"] in values["findings"]]
        if len(picked) == len(values["findings"]):
            draft = services.draft_statement(picked)
            return await _page(initiative, text=draft, chosen=chosen, drafted=bool(draft))
        errors.add("findings", "Choose root causes of this initiative from the list")
    if not drafting:
        await pii.check(data, STATEMENT_PII, initiative["agency"], errors)
    author = request.state.access.user_id
    saved = await attempt(
        errors,
        lambda: services.save_problem_statement(
            initiative_id, values["text"], values["findings"], author
        ),
    )
    if saved.ok:
        url = request.app.route_reverse(
            "exploration.problem_statement", initiative_id=initiative_id
        )
        return Redirect(url, status_code=303)
    return await _page(
        initiative,
        text=typed(data, ("text",))["text"],
        chosen=chosen,
        errors=errors,
        status=422,
    )


@get(
    "/initiatives/{initiative_id:int}/problem-statement/{number:int}",
    name="exploration.problem_statement_version",
)
async def problem_statement_version(
    initiative_id: FromPath[int], number: FromPath[int]
) -> Template:
    initiative = await initiative_or_404(initiative_id)
    version = await queries.statement_version(initiative_id, number)
    versions = await queries.statement_versions(initiative_id)
    return Template(
        "exploration/problem_statement_version.html",
        context={
            "title": f"Problem statement version {number} of {initiative['title']}",
            "initiative": initiative,
            "nav": NAV,
            "subnav": "problem_statement",
            "version": version,
            "is_current": versions[0]["number"] == number,
            "current_number": versions[0]["number"],
            "built_from": await queries.statement_root_causes(version["id"]),
            "versions": versions,
        },
    )


route_handlers = [problem_statement, problem_statement_save, problem_statement_version]
