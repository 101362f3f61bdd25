"""Sign in (password, then a TOTP code when set up), sign out, and staying signed in."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import Request, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from backend import clock, db
from backend.accounts import access, throttle
from backend.accounts.audit import client_address, security_event
from backend.accounts.passwords import hash_password, needs_rehash, verify_password
from backend.accounts.tables import User
from backend.accounts.totp import accepted_step
from backend.web.forms import form_data
from backend.web.pages import form_page
from backend.web.safe_next import safe_next

WRONG = "The email address or password is not right"
MAX_SIGN_IN_PASSWORD = 1024


def normal_email(raw: Any) -> str:
    return raw.strip().lower()[:254] if isinstance(raw, str) else ""


def _sign_in_page(
    status: int, *, email: str = "", next_url: str = "/", error: str = "", notice: str = ""
) -> Template:
    return form_page(
        "accounts/sign_in.html",
        status,
        title="Sign in",
        values={"email": email},
        errors={"email": error} if error else {},
        next_url=next_url,
        notice=notice,
    )


@get("/sign-in", name="accounts.sign_in")
async def sign_in(
    next: FromQuery[str | None] = None, signed_out: FromQuery[str | None] = None
) -> Template:
    notice = "You have signed out." if signed_out else ""
    return _sign_in_page(200, next_url=safe_next(next, "/"), notice=notice)


def _after_sign_in(request: Request, state: str, next_url: str) -> str:
    if state == "code":
        return f"{request.app.route_reverse('accounts.code')}?{urlencode({'next': next_url})}"
    if state == "enroll":
        return request.app.route_reverse("accounts.totp")
    return next_url


@post("/sign-in", name="accounts.sign_in_submit")
async def sign_in_submit(request: Request) -> Template | Redirect:
    data = await form_data(request)
    email = normal_email(data.get("email"))
    password = data.get("password") if isinstance(data.get("password"), str) else ""
    # Nobody's password is longer (SEC-02 allows 128); a megabyte is not hashed.
    password = password if len(password) <= MAX_SIGN_IN_PASSWORD else ""
    next_url = safe_next(data.get("next"), "/")
    address = client_address(request)
    store = access.store_of(request)

    attempt = await throttle.begin_attempt(store, email, address)
    if attempt.wait:
        security_event("login_throttled", request, user=email)
        message = (
            f"Too many sign-in attempts. Wait {throttle.wait_in_words(attempt.wait)} and try again."
        )
        return _sign_in_page(429, email=email, next_url=next_url, error=message)

    rows = await User.select(
        User.id,
        User.password_hash,
        User.active,
        User.totp_secret,
        User.is_site_admin,
        User.session_generation,
    ).where(User.email == email)
    user = rows[0] if rows and rows[0]["active"] else None
    # An unknown email still costs one hash check, so timing tells nothing either.
    ok = await verify_password(user["password_hash"] if user else "", password)
    if not ok or user is None:
        security_event("login_failed", request, user=email)  # the attempt stays counted
        return _sign_in_page(401, email=email, next_url=next_url, error=WRONG)

    if user["totp_secret"]:
        # Half way: the password was right, but earlier wrong codes keep counting
        # until the code step succeeds (no fresh slate for code guessing).
        await throttle.forget(store, attempt)
    else:
        await throttle.succeeded(store, attempt, email)
    if needs_rehash(user["password_hash"]):
        new_hash = await hash_password(password)
        async with db.writing():
            await User.update({User.password_hash: new_hash}).where(User.id == user["id"])
    if user["totp_secret"]:
        state = "code"
    elif user["is_site_admin"]:
        state = "enroll"
    else:
        state = "active"
    cookie = await access.start_session(request, user["id"], user["session_generation"], state)
    security_event(
        "login_ok" if state == "active" else f"login_password_ok_{state}", request, user=email
    )
    return Redirect(_after_sign_in(request, state, next_url), status_code=303, cookies=[cookie])


async def _code_session(request: Request) -> tuple[str, Any] | None:
    found = await access.current_session(request)
    if found is None or found[1].state != "code":
        return None
    return found


def _code_page(status: int, next_url: str, error: str = "") -> Template:
    return form_page(
        "accounts/code.html",
        status,
        title="Enter your code",
        errors={"code": error} if error else {},
        next_url=next_url,
    )


@get("/sign-in/code", name="accounts.code")
async def code(request: Request, next: FromQuery[str | None] = None) -> Template | Redirect:
    if await _code_session(request) is None:
        return Redirect(request.app.route_reverse("accounts.sign_in"), status_code=303)
    return _code_page(200, safe_next(next, "/"))


@post("/sign-in/code", name="accounts.code_submit")
async def code_submit(request: Request) -> Template | Redirect:
    data = await form_data(request)
    next_url = safe_next(data.get("next"), "/")
    found = await _code_session(request)
    if found is None:
        return Redirect(request.app.route_reverse("accounts.sign_in"), status_code=303)
    _, record = found
    rows = await User.select(
        User.email, User.totp_secret, User.totp_last_step, User.session_generation, User.active
    ).where(User.id == record.user_id)
    if not rows or not rows[0]["active"] or rows[0]["session_generation"] != record.generation:
        # Deactivated, or a new password since the first step: start again.
        return Redirect(request.app.route_reverse("accounts.sign_in"), status_code=303)
    user = rows[0]
    store = access.store_of(request)
    address = client_address(request)
    attempt = await throttle.begin_attempt(store, user["email"], address)
    if attempt.wait:
        security_event("login_throttled", request, user=user["email"])
        message = f"Too many attempts. Wait {throttle.wait_in_words(attempt.wait)} and try again."
        return _code_page(429, next_url, message)
    step = accepted_step(user["totp_secret"], data.get("code"), user["totp_last_step"])
    if step is None:
        security_event("login_code_failed", request, user=user["email"])
        return _code_page(401, next_url, "That code is not right or was already used")
    async with db.writing():
        # Only a newer step wins, so two tabs cannot both spend the same code.
        claimed = (
            await User.update({User.totp_last_step: step})
            .where((User.id == record.user_id) & (User.totp_last_step < step))
            .returning(User.id)
        )
    if not claimed:
        return _code_page(401, next_url, "That code is not right or was already used")
    await throttle.succeeded(store, attempt, user["email"])
    cookie = await access.start_session(request, record.user_id, user["session_generation"])
    security_event("login_ok", request, user=user["email"])
    return Redirect(next_url, status_code=303, cookies=[cookie])


@post("/sign-out", name="accounts.sign_out")
async def sign_out(request: Request) -> Redirect:
    who = request.state.access.email
    cookie = await access.end_session(request)
    security_event("logout", request, user=who)
    url = f"{request.app.route_reverse('accounts.sign_in')}?signed_out=1"
    return Redirect(url, status_code=303, cookies=[cookie])


@post("/session/extend", name="accounts.extend", status_code=204)
async def extend(request: Request) -> None:
    """The idle-timeout warning's "Stay signed in": the session counts as used now."""
    key_hash = request.state.access.session_key_hash
    if key_hash:
        await access.store_of(request).touch_session(key_hash, clock.now())
    return None


route_handlers = [sign_in, sign_in_submit, code, code_submit, sign_out, extend]
