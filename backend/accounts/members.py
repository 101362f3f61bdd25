"""An agency's members: who has which role, adding and inviting people, changing roles."""

from __future__ import annotations

import re
from typing import Any

from litestar import Request, get, post
from litestar.datastructures import Cookie
from litestar.params import FromPath
from litestar.response import Redirect, Template

from backend.accounts import access, services
from backend.accounts.audit import security_event
from backend.accounts.permissions import ROLE_LABELS, ROLES
from backend.accounts.queries import agency_or_404
from backend.accounts.tables import LiaisonAssignment, Membership, User
from backend.errors import Conflict, Invalid
from backend.web import forms
from backend.web.forms import Errors, form_data, typed
from backend.web.pages import form_page

# Enough to catch typing slips; the invitation link proves the address works.
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
MAX_EMAIL = 254
ROLE_OPTIONS = [(role, ROLE_LABELS[role]) for role in ROLES]
ADD_FIELDS = ("email", "name", "role")


def email_address(raw: Any, field: str, errors: Errors, *, label: str = "Email address") -> str:
    """A lower-case email address, or "" with a message in `errors`."""
    value = forms.text(raw, field, errors, label=label, max_length=MAX_EMAIL, required=True)
    if field in errors:
        return ""
    if not _EMAIL.fullmatch(value):
        errors.add(field, f"Enter an {label.lower()} in the right format, like name@example.org")
        return ""
    return value.lower()


def invitation_url(request: Request, token: str) -> str:
    """The absolute link a person opens to choose their password."""
    base = str(request.base_url).rstrip("/")
    return base + request.app.route_reverse("accounts.invitation", token=token)


async def _page(
    request: Request,
    agency: dict[str, Any],
    status: int = 200,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    row_values: dict[str, Any] | None = None,
    conflict: str | None = None,
    invite: dict[str, str] | None = None,
    notice: str = "",
) -> Template:
    agency_id = agency["id"]
    members = await (
        Membership.select(
            Membership.id,
            Membership.role,
            Membership.active,
            Membership.version,
            Membership.user.id.as_alias("user_id"),
            Membership.user.name.as_alias("name"),
            Membership.user.email.as_alias("email"),
            Membership.user.active.as_alias("user_active"),
        )
        .where(Membership.agency == agency_id)
        .order_by(Membership.active, ascending=False)
        .order_by(Membership.user.name)
    )
    # Who has not chosen a password yet, without reading anyone's hash.
    pending = await Membership.select(Membership.id).where(
        (Membership.agency == agency_id) & (Membership.user.password_hash == "")
    )
    pending_ids = {row["id"] for row in pending}
    for row in members:
        row["invited"] = row["id"] in pending_ids
    liaisons = await (
        LiaisonAssignment.select(
            LiaisonAssignment.user.name.as_alias("name"),
            LiaisonAssignment.user.email.as_alias("email"),
        )
        .where(LiaisonAssignment.agency == agency_id)
        .order_by(LiaisonAssignment.user.name)
    )
    return form_page(
        "accounts/members.html",
        status,
        title=f"Members of {agency['name']}",
        agency=agency,
        members=members,
        liaisons=liaisons,
        role_options=ROLE_OPTIONS,
        errors=errors or {},
        values=values or {"role": "team_member"},
        row_values=row_values or {},
        conflict=conflict,
        invite=invite,
        notice=notice,
    )


def _members_url(request: Request, agency_id: int) -> str:
    return request.app.route_reverse("agencies.members", agency_id=agency_id)


async def _rotated_if_self(request: Request, user_id: int) -> list[Cookie]:
    """A changed role is a privilege change: the person's own session id is renewed (SEC-05)."""
    if user_id != request.state.access.user_id:
        return []
    rows = await User.select(User.session_generation).where(User.id == user_id)
    return [await access.start_session(request, user_id, rows[0]["session_generation"])]


@get("/agencies/{agency_id:int}/members", name="agencies.members")
async def members(request: Request, agency_id: FromPath[int]) -> Template:
    return await _page(request, await agency_or_404(agency_id))


@post("/agencies/{agency_id:int}/members", name="agencies.member_add")
async def member_add(request: Request, agency_id: FromPath[int]) -> Template | Redirect:
    """Add someone by email; someone new gets an account without a password and a link.

    Only email, name and role are read: agency_id, user_id or is_site_admin sent
    in the body are ignored (SEC-14)."""
    agency = await agency_or_404(agency_id)
    data = await form_data(request)
    errors = Errors()
    email = email_address(data.get("email"), "email", errors)
    name = forms.text(data.get("name"), "name", errors, label="Name", max_length=200)
    role = forms.choice(data.get("role"), "role", errors, label="Role", choices=ROLES)
    existing = []
    if email:
        existing = await User.select(User.id, User.name).where(User.email == email)
    if not existing and email and not name and "name" not in errors:
        errors.add("name", "Enter their name: they are new to Tandem")
    actor = request.state.access.email
    if not errors:
        try:
            if existing:
                await services.add_member(agency_id, existing[0]["id"], role)
            else:
                _, token = await services.invite_user(name, email, agency_id=agency_id, role=role)
        except Invalid as exc:
            errors.merge(exc.errors)
    if errors:
        return await _page(request, agency, 422, errors=errors, values=typed(data, ADD_FIELDS))
    security_event("member_added", request, user=actor, member=email, role=role, agency=agency_id)
    if existing:
        return Redirect(_members_url(request, agency_id), status_code=303)
    security_event("invitation_created", request, user=actor, member=email)
    # Shown this once: only the token's hash is kept, so nobody can show it again.
    return await _page(
        request,
        agency,
        invite={"name": name, "email": email, "url": invitation_url(request, token)},
    )


def _version(data: dict[str, Any]) -> int | None:
    return forms.row_id(data.get("version"))


@post("/agencies/{agency_id:int}/members/{membership_id:int}/role", name="agencies.member_role")
async def member_role(
    request: Request, agency_id: FromPath[int], membership_id: FromPath[int]
) -> Template | Redirect:
    agency = await agency_or_404(agency_id)
    data = await form_data(request)
    version = forms.edit_version(data, "members page")
    field = f"role-{membership_id}"
    errors = Errors()
    role = forms.choice(data.get("role"), field, errors, label="Role", choices=ROLES)
    conflict = None
    if not errors:
        try:
            before = await services.change_member_role(
                agency_id, membership_id, role, version, field=field
            )
        except Invalid as exc:
            errors.merge(exc.errors)
        except Conflict as exc:
            conflict = exc.message
        else:
            security_event(
                "role_changed",
                request,
                user=request.state.access.email,
                member=before["email"],
                role=role,
                previous=before["role"],
                agency=agency_id,
            )
            cookies = await _rotated_if_self(request, before["user"])
            return Redirect(_members_url(request, agency_id), status_code=303, cookies=cookies)
    status = 409 if conflict else 422
    row_values = {"id": membership_id, "role": data.get("role")} if errors else {}
    return await _page(
        request, agency, status, errors=errors, row_values=row_values, conflict=conflict
    )


@post("/agencies/{agency_id:int}/members/{membership_id:int}/active", name="agencies.member_active")
async def member_active(
    request: Request, agency_id: FromPath[int], membership_id: FromPath[int]
) -> Template | Redirect:
    agency = await agency_or_404(agency_id)
    data = await form_data(request)
    field = f"active-{membership_id}"
    errors = Errors()
    flag = forms.choice(data.get("active"), field, errors, label="Active", choices=("0", "1"))
    conflict = None
    if not errors:
        active = flag == "1"
        try:
            before = await services.set_member_active(
                agency_id, membership_id, active, _version(data), field=field
            )
        except Invalid as exc:
            errors.merge(exc.errors)
        except Conflict as exc:
            conflict = exc.message
        else:
            security_event(
                "member_reactivated" if active else "member_deactivated",
                request,
                user=request.state.access.email,
                member=before["email"],
                agency=agency_id,
            )
            cookies = await _rotated_if_self(request, before["user"])
            # Someone who just left the agency can no longer see its members.
            gone = not active and before["user"] == request.state.access.user_id
            url = "/" if gone else _members_url(request, agency_id)
            return Redirect(url, status_code=303, cookies=cookies)
    status = 409 if conflict else 422
    return await _page(request, agency, status, errors=errors, conflict=conflict)


route_handlers = [members, member_add, member_role, member_active]
