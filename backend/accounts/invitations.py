"""Taking up an invitation: the one-time link with which a new person chooses a password."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from backend import clock
from backend.accounts import access, services
from backend.accounts.audit import security_event
from backend.accounts.passwords import MAX_LENGTH, hash_password, password_problem
from backend.accounts.tables import Invitation
from backend.web.forms import Errors, form_data
from backend.web.pages import form_page

INVALID = "This invitation link is not valid or has expired"
# token_urlsafe(32) is 43 characters: anything much longer is not one of ours.
MAX_TOKEN = 100


async def _open_invitation(token: str) -> dict[str, Any] | None:
    """The unused, unexpired invitation this token names, for an active user; else None."""
    if not token or len(token) > MAX_TOKEN:
        return None
    rows = await Invitation.select(
        Invitation.id,
        Invitation.expires_at,
        Invitation.used_at,
        Invitation.user.id.as_alias("user_id"),
        Invitation.user.name.as_alias("name"),
        Invitation.user.email.as_alias("email"),
        Invitation.user.active.as_alias("active"),
        Invitation.user.is_site_admin.as_alias("is_site_admin"),
        Invitation.user.session_generation.as_alias("generation"),
        Invitation.user.password_hash.as_alias("password_hash"),
    ).where(Invitation.token_hash == access.hash_secret(token))
    if not rows:
        return None
    row = rows[0]
    # A person who has a password already (set another way) is past their invitation.
    if row["used_at"] is not None or not row["active"] or row.pop("password_hash"):
        return None
    expires = row["expires_at"]
    if expires.tzinfo is None:  # SQLite hands back naive datetimes; they are UTC
        expires = expires.replace(tzinfo=UTC)
    if expires <= clock.now():
        return None
    return row


def _invalid_page() -> Template:
    return form_page(
        "accounts/invitation.html", 404, title=INVALID, invitation=None, errors={}, token=""
    )


def _form(invitation: dict[str, Any], token: str, status: int = 200, errors=None) -> Template:
    return form_page(
        "accounts/invitation.html",
        status,
        title="Choose your password",
        invitation=invitation,
        token=token,
        errors=errors or {},
        max_length=MAX_LENGTH,
    )


@get("/invitations/{token:str}", name="accounts.invitation")
async def invitation(token: FromPath[str]) -> Template:
    found = await _open_invitation(token)
    return _form(found, token) if found else _invalid_page()


@post("/invitations/{token:str}", name="accounts.invitation_submit")
async def invitation_submit(request: Request, token: FromPath[str]) -> Template | Redirect:
    found = await _open_invitation(token)
    if found is None:
        return _invalid_page()
    data = await form_data(request)
    password = data.get("new_password")
    confirm = data.get("confirm_password")
    password = password if isinstance(password, str) else ""
    confirm = confirm if isinstance(confirm, str) else ""
    errors = Errors()
    problem = password_problem(password, context=(found["name"], found["email"]))
    if problem:
        errors.add("new_password", problem)
    elif confirm != password:
        errors.add("confirm_password", "The two passwords are not the same: type it again")
    if errors:
        # Passwords are never sent back into the page.
        return _form(found, token, 422, errors)
    new_hash = await hash_password(password)
    generation = await services.accept_invitation(found["id"], found["user_id"], new_hash)
    if generation is None:  # another tab used the link a moment ago
        return _invalid_page()
    security_event("invitation_accepted", request, user=found["email"])
    if found["is_site_admin"]:
        # Site admins set up an authenticator app before anything else (SEC-04).
        cookie = await access.start_session(request, found["user_id"], generation, "enroll")
        url = request.app.route_reverse("accounts.totp")
    else:
        cookie = await access.start_session(request, found["user_id"], generation)
        url = "/"
    security_event("login_ok", request, user=found["email"], via="invitation")
    return Redirect(url, status_code=303, cookies=[cookie])


route_handlers = [invitation, invitation_submit]
