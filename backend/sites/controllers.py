"""Pages for an agency's sites: the list with the add form, edit, and delete after a
confirmation that says what goes with the site. Reads for everyone who can see the
agency; writes for its lead (AGENCY_MANAGE)."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from backend.accounts.queries import agency_or_404
from backend.errors import Conflict, Invalid
from backend.sites import queries, services
from backend.sites.forms import SITE_FIELDS, SITE_PII, parse_site
from backend.sites.tables import ROLLOUT_PHASES, SITE_KINDS
from backend.web import pii
from backend.web.forms import Errors, edit_version, form_data, typed
from backend.web.pages import form_page

NEW_SITE = {"name": "", "kind": "area_office", "rollout_phase": "none", "notes": ""}
CHOICES = {"kinds": list(SITE_KINDS.items()), "phases": list(ROLLOUT_PHASES.items())}


async def _index(
    agency_id: int,
    values: dict[str, Any] | None = None,
    errors: Errors | None = None,
    status: int = 200,
) -> Template:
    agency = await agency_or_404(agency_id)
    sites = await queries.sites_of(agency_id)
    uses = await queries.uses_of(agency_id)
    for site in sites:
        site["uses"] = uses.get(site["id"], {"cycles": 0, "assessments": 0})
    return form_page(
        "sites/index.html",
        status,
        title=f"Sites of {agency['name']}",
        agency=agency,
        sites=sites,
        values=values or dict(NEW_SITE),
        errors=errors or Errors(),
        **CHOICES,
    )


@get("/agencies/{agency_id:int}/sites", name="sites.index")
async def site_list(agency_id: FromPath[int]) -> Template:
    return await _index(agency_id)


@post("/agencies/{agency_id:int}/sites", name="sites.create")
async def site_create(request: Request, agency_id: FromPath[int]) -> Template | Redirect:
    await agency_or_404(agency_id)
    data = await form_data(request)
    values, errors = parse_site(data)
    await pii.check(data, SITE_PII, agency_id, errors)
    if not errors:
        try:
            site_id = await services.create_site(agency_id, values)
        except Invalid as exc:
            errors.merge(exc.errors)
        else:
            url = request.app.route_reverse("sites.index", agency_id=agency_id)
            return Redirect(f"{url}#site-{site_id}", status_code=303)
    return await _index(agency_id, typed(data, SITE_FIELDS), errors, 422)


async def _form(
    site: dict[str, Any],
    values: dict[str, Any],
    errors: Errors,
    status: int = 200,
    conflict: str | None = None,
) -> Template:
    return form_page(
        "sites/form.html",
        status,
        title=f"Edit site {site['name']}",
        agency=await agency_or_404(site["agency"]),
        site=site,
        values=values,
        errors=errors,
        conflict=conflict,
        **CHOICES,
    )


@get("/sites/{site_id:int}/edit", name="sites.edit")
async def site_edit(site_id: FromPath[int]) -> Template:
    site = await queries.site_or_404(site_id)
    return await _form(site, {key: site[key] for key in SITE_FIELDS}, Errors())


@post("/sites/{site_id:int}/edit", name="sites.update")
async def site_update(request: Request, site_id: FromPath[int]) -> Template | Redirect:
    site = await queries.site_or_404(site_id)
    data = await form_data(request)
    version = edit_version(data, "site")
    values, errors = parse_site(data)
    await pii.check(data, SITE_PII, site["agency"], errors)
    conflict = None
    if not errors:
        try:
            await services.update_site(site_id, version, values)
        except Invalid as exc:
            errors.merge(exc.errors)
        except Conflict as exc:
            # The form comes back with what was typed and the version saved now,
            # so saving again knowingly replaces the other person's change.
            conflict = exc.message
            site = await queries.site_or_404(site_id)
        else:
            url = request.app.route_reverse("sites.index", agency_id=site["agency"])
            return Redirect(f"{url}#site-{site_id}", status_code=303)
    if not conflict:
        site = {**site, "version": version}
    return await _form(site, typed(data, SITE_FIELDS), errors, 409 if conflict else 422, conflict)


async def _delete_page(
    site: dict[str, Any], status: int = 200, conflict: str | None = None
) -> Template:
    uses = await queries.uses_of_site(site["id"])
    refused = services.refusal(uses["assessments"]) if uses["assessments"] else None
    return form_page(
        "sites/delete.html",
        status,
        title=f"{site['name']} cannot be deleted" if refused else f"Delete site {site['name']}?",
        agency=await agency_or_404(site["agency"]),
        site=site,
        uses=uses,
        refused=refused,
        conflict=conflict,
    )


@get("/sites/{site_id:int}/delete", name="sites.delete_confirm")
async def site_delete_confirm(site_id: FromPath[int]) -> Template:
    return await _delete_page(await queries.site_or_404(site_id))


@post("/sites/{site_id:int}/delete", name="sites.delete")
async def site_delete(request: Request, site_id: FromPath[int]) -> Template | Redirect:
    site = await queries.site_or_404(site_id)
    version = edit_version(await form_data(request), "site")
    try:
        await services.delete_site(site_id, version)
    except Conflict as exc:
        # Assessments of the site exist, or it changed since the page was loaded:
        # the page as it is now, with the reason first.
        return await _delete_page(await queries.site_or_404(site_id), 409, exc.message)
    return Redirect(
        request.app.route_reverse("sites.index", agency_id=site["agency"]), status_code=303
    )


route_handlers = [
    site_list,
    site_create,
    site_edit,
    site_update,
    site_delete_confirm,
    site_delete,
]
