"""Site administration: agencies, users and liaison assignments (not agency content).

Site admins see names, counts and who belongs where; an agency's initiatives stay
closed to them unless they are also its members.
"""

from __future__ import annotations

import re
from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template
from piccolo.query.functions.aggregate import Count

from backend import db
from backend.accounts import services
from backend.accounts.audit import security_event
from backend.accounts.members import email_address, invitation_url
from backend.accounts.tables import AGENCY_KINDS, Agency, LiaisonAssignment, Membership, User
from backend.errors import Invalid, NotFound
from backend.initiatives.services import create_agency
from backend.web import forms
from backend.web.forms import Errors, form_data
from backend.web.pages import form_page

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
KIND_OPTIONS = [(kind, kind.title()) for kind in AGENCY_KINDS]
# Field names in the bodies; error keys (and field ids) carry the form's prefix,
# because the page has three forms that each ask for a name or an email.
AGENCY_FIELDS = ("name", "slug", "state", "kind", "lead_email")
USER_FIELDS = ("name", "email", "is_site_admin")
LIAISON_FIELDS = ("email", "agency")


def _typed(data: dict[str, Any], prefix: str, fields: tuple[str, ...]) -> dict[str, str]:
    return {f"{prefix}-{k}": v for k, v in forms.typed(data, fields).items()}


async def _page(
    request: Request,
    status: int = 200,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    invite: dict[str, str] | None = None,
) -> Template:
    agencies = await Agency.select(
        Agency.id, Agency.name, Agency.slug, Agency.state, Agency.kind
    ).order_by(Agency.name)
    counts = await (
        Membership.select(Membership.agency, Count(alias="members"))
        .where(Membership.active == True)  # noqa: E712
        .group_by(Membership.agency)
    )
    by_agency = {row["agency"]: row["members"] for row in counts}
    for row in agencies:
        row["members"] = by_agency.get(row["id"], 0)
    users = await User.select(
        User.id, User.name, User.email, User.is_site_admin, User.active
    ).order_by(User.name)
    # Which users have TOTP or no password yet, without reading secrets or hashes.
    with_totp = {r["id"] for r in await User.select(User.id).where(User.totp_secret != "")}
    invited = {r["id"] for r in await User.select(User.id).where(User.password_hash == "")}
    for row in users:
        row["has_totp"] = row["id"] in with_totp
        row["invited"] = row["id"] in invited
    liaisons = await (
        LiaisonAssignment.select(
            LiaisonAssignment.id,
            LiaisonAssignment.user.name.as_alias("name"),
            LiaisonAssignment.user.email.as_alias("email"),
            LiaisonAssignment.agency.name.as_alias("agency_name"),
        )
        .order_by(LiaisonAssignment.agency.name)
        .order_by(LiaisonAssignment.user.name)
    )
    return form_page(
        "accounts/admin.html",
        status,
        title="Site administration",
        agencies=agencies,
        users=users,
        liaisons=liaisons,
        kind_options=KIND_OPTIONS,
        agency_options=[(a["id"], a["name"]) for a in agencies],
        errors=errors or {},
        values=values or {"agency-kind": "state"},
        invite=invite,
    )


def _home(request: Request) -> Redirect:
    return Redirect(request.app.route_reverse("admin.home"), status_code=303)


async def _user_id_by_email(email: str) -> int | None:
    rows = await User.select(User.id).where(User.email == email)
    return rows[0]["id"] if rows else None


@get("/admin", name="admin.home")
async def admin_home(request: Request) -> Template:
    return await _page(request)


@post("/admin/agencies", name="admin.agency_create")
async def agency_create(request: Request) -> Template | Redirect:
    data = await form_data(request)
    errors = Errors()
    name = forms.text(
        data.get("name"), "agency-name", errors, label="Agency name", max_length=200, required=True
    )
    slug = forms.text(
        data.get("slug"), "agency-slug", errors, label="Short name", max_length=80, required=True
    )
    if slug and "agency-slug" not in errors and not SLUG.fullmatch(slug):
        errors.add(
            "agency-slug",
            "Use only lower-case letters, digits and single hyphens in the short name, "
            "like mass-dcf",
        )
    state = forms.text(data.get("state"), "agency-state", errors, label="State", max_length=50)
    kind = forms.choice(
        data.get("kind"), "agency-kind", errors, label="Kind of agency", choices=AGENCY_KINDS
    )
    lead_id = None
    if isinstance(data.get("lead_email"), str) and data["lead_email"].strip():
        lead_email = email_address(
            data.get("lead_email"), "agency-lead_email", errors, label="Lead's email address"
        )
        if lead_email:
            lead_id = await _user_id_by_email(lead_email)
            if lead_id is None:
                errors.add(
                    "agency-lead_email",
                    "Nobody has an account with this email address: add them as a user first",
                )
    if not errors:
        async with db.writing():
            if await Agency.exists().where(Agency.slug == slug):
                errors.add("agency-slug", "Another agency has this short name: choose another")
            else:
                agency_id = await create_agency(name, slug, state, kind)
                if lead_id is not None:
                    await services.set_membership(lead_id, agency_id, "agency_lead")
    if errors:
        return await _page(
            request, 422, errors=errors, values=_typed(data, "agency", AGENCY_FIELDS)
        )
    actor = request.state.access.email
    security_event("agency_created", request, user=actor, agency=agency_id, slug=slug)
    if lead_id is not None:
        security_event(
            "member_added",
            request,
            user=actor,
            member=data["lead_email"].strip().lower(),
            role="agency_lead",
            agency=agency_id,
        )
    return _home(request)


@post("/admin/users", name="admin.user_create")
async def user_create(request: Request) -> Template | Redirect:
    data = await form_data(request)
    errors = Errors()
    name = forms.text(
        data.get("name"), "user-name", errors, label="Name", max_length=200, required=True
    )
    email = email_address(data.get("email"), "user-email", errors)
    is_site_admin = bool(data.get("is_site_admin"))
    if not errors:
        try:
            _, token = await services.invite_user(name, email, is_site_admin=is_site_admin)
        except Invalid as exc:
            errors.merge(exc.errors, rename={"email": "user-email", "name": "user-name"})
    if errors:
        return await _page(request, 422, errors=errors, values=_typed(data, "user", USER_FIELDS))
    security_event(
        "user_created",
        request,
        user=request.state.access.email,
        member=email,
        is_site_admin=is_site_admin,
    )
    # Shown this once: only the token's hash is kept.
    return await _page(
        request,
        invite={"name": name, "email": email, "url": invitation_url(request, token)},
    )


@post("/admin/users/{user_id:int}/active", name="admin.user_active")
async def user_active(request: Request, user_id: FromPath[int]) -> Template | Redirect:
    rows = await User.select(User.id, User.email).where(User.id == user_id)
    if not rows:
        raise NotFound("There is no such user.")
    data = await form_data(request)
    field = f"active-{user_id}"
    errors = Errors()
    flag = forms.choice(data.get("active"), field, errors, label="Active", choices=("0", "1"))
    actor = request.state.access
    if not errors and flag == "0" and user_id == actor.user_id:
        errors.add(field, "You cannot deactivate your own account: ask another site administrator")
    if errors:
        return await _page(request, 422, errors=errors)
    active = flag == "1"
    await services.set_user_active(user_id, active)
    security_event(
        "user_reactivated" if active else "user_deactivated",
        request,
        user=actor.email,
        member=rows[0]["email"],
    )
    return _home(request)


@post("/admin/liaisons", name="admin.liaison_add")
async def liaison_add(request: Request) -> Template | Redirect:
    data = await form_data(request)
    errors = Errors()
    email = email_address(
        data.get("email"), "liaison-email", errors, label="Liaison's email address"
    )
    user_id = await _user_id_by_email(email) if email else None
    if email and user_id is None:
        errors.add(
            "liaison-email",
            "Nobody has an account with this email address: add them as a user first",
        )
    agency_id = forms.row_id(data.get("agency"))
    if agency_id is None or not await Agency.exists().where(Agency.id == agency_id):
        errors.add("liaison-agency", "Choose an agency from the list")
    if errors:
        return await _page(
            request, 422, errors=errors, values=_typed(data, "liaison", LIAISON_FIELDS)
        )
    await services.assign_liaison(user_id, agency_id)
    security_event(
        "liaison_assigned", request, user=request.state.access.email, member=email, agency=agency_id
    )
    return _home(request)


@post("/admin/liaisons/{assignment_id:int}/remove", name="admin.liaison_remove")
async def liaison_remove(request: Request, assignment_id: FromPath[int]) -> Redirect:
    removed = await services.remove_liaison(assignment_id)
    if removed is None:
        raise NotFound("That liaison assignment does not exist (any more).")
    security_event(
        "liaison_removed",
        request,
        user=request.state.access.email,
        member=removed["email"],
        agency=removed["agency"],
    )
    return _home(request)


route_handlers = [admin_home, agency_create, user_create, user_active, liaison_add, liaison_remove]
