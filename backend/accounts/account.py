"""One's own account: name, password, authenticator app (TOTP) and personal API tokens."""

from __future__ import annotations

import re
import secrets
from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from backend import clock, db
from backend.accounts import access, services, throttle, totp
from backend.accounts.audit import client_address, security_event
from backend.accounts.passwords import hash_password, password_problem, verify_password
from backend.accounts.permissions import ROLE_LABELS
from backend.accounts.tables import ApiToken, User
from backend.errors import Conflict, Forbidden, NotFound
from backend.web.forms import Errors, form_data, text
from backend.web.pages import form_page

TOKEN_NAME_MAX = 100
# Enough for every script a person runs; a runaway loop cannot fill the table.
MAX_LIVE_TOKENS = 50
# A TOTP secret as totp.new_secret() makes it (base32); a form that sends
# anything else was tampered with or damaged in transit.
_SECRET = re.compile(r"[A-Z2-7]{16,64}")
# Nobody types a longer current password; it is not worth an argon2 run.
_MAX_CURRENT_PASSWORD = 1024

# What the account page says after a redirect (?done=...): fixed texts only,
# so the address bar cannot put words on the page.
NOTICES = {
    "password": "Your password has been changed. Any other place you were signed in "
    "has been signed out.",
    "totp_on": "Your authenticator app is set up. You will be asked for a code each "
    "time you sign in.",
    "totp_off": "Your authenticator app is turned off. You will sign in with your password only.",
    "token_revoked": "The API token has been revoked. Scripts using it no longer work.",
}


def _raw(data: dict[str, Any], key: str) -> str:
    """A secret field exactly as typed (no trimming: spaces can be part of a password)."""
    value = data.get(key)
    return value if isinstance(value, str) else ""


def _account_url(request: Request, done: str | None = None) -> str:
    url = request.app.route_reverse("accounts.account")
    return f"{url}?done={done}" if done else url


async def _user(user_id: int) -> dict[str, Any]:
    rows = await User.select(
        User.id,
        User.name,
        User.email,
        User.password_hash,
        User.totp_secret,
        User.totp_last_step,
        User.is_site_admin,
        User.session_generation,
    ).where(User.id == user_id)
    return rows[0]


async def _account_page(
    request: Request,
    status: int = 200,
    *,
    errors: Errors | None = None,
    values: dict[str, str] | None = None,
    notice: str = "",
    new_token: dict[str, str] | None = None,
) -> Template:
    me = request.state.access
    tokens = await ApiToken.select(
        ApiToken.id,
        ApiToken.name,
        ApiToken.prefix,
        ApiToken.created_at,
        ApiToken.last_used_at,
        ApiToken.revoked_at,
    ).where(ApiToken.user == me.user_id)
    # Live tokens first, newest first within each group.
    tokens.sort(key=lambda t: (t["revoked_at"] is not None, -t["id"]))
    agencies = sorted(
        (
            {"id": agency_id, "name": name, "role": ROLE_LABELS.get(me.roles[agency_id])}
            for agency_id, name in me.agency_names.items()
        ),
        key=lambda a: a["name"].lower(),
    )
    return form_page(
        "accounts/account.html",
        status,
        title="Your account",
        errors=errors or {},
        values=values or {},
        notice=notice,
        new_token=new_token,
        tokens=tokens,
        agencies=agencies,
    )


@get("/account", name="accounts.account")
async def account_page(request: Request, done: FromQuery[str | None] = None) -> Template:
    return await _account_page(request, notice=NOTICES.get(done or "", ""))


# ---------------------------------------------------------------- password


async def _begin_guess(request: Request, email: str) -> throttle.Attempt:
    """The current password is checked under the sign-in throttle (SEC-03): a
    borrowed session must not become a way to guess it."""
    return await throttle.begin_attempt(access.store_of(request), email, client_address(request))


async def _throttled(
    request: Request, attempt: throttle.Attempt, field: str, what: str, event: str, email: str
) -> Template:
    security_event(event, request, user=email)
    errors = Errors()
    wait = throttle.wait_in_words(attempt.wait)
    errors.add(field, f"Too many wrong {what}. Wait {wait} and try again.")
    return await _account_page(request, 429, errors=errors)


@post("/account/password", name="accounts.password")
async def change_password(request: Request) -> Template | Redirect:
    me = request.state.access
    data = await form_data(request)
    current = _raw(data, "current_password")
    new = _raw(data, "new_password")
    confirm = _raw(data, "confirm_password")
    user = await _user(me.user_id)
    errors = Errors()

    store = access.store_of(request)
    attempt = await _begin_guess(request, user["email"])
    if attempt.wait:
        return await _throttled(
            request,
            attempt,
            "current_password",
            "passwords",
            "password_change_throttled",
            user["email"],
        )
    if not current:
        errors.add("current_password", "Enter your current password")
        await throttle.forget(store, attempt)  # nothing was guessed
    elif len(current) > _MAX_CURRENT_PASSWORD or not await verify_password(
        user["password_hash"], current
    ):
        security_event("password_change_failed", request, user=user["email"])
        errors.add("current_password", "Your current password is not right")
    else:
        await throttle.succeeded(store, attempt, user["email"])
    problem = password_problem(new, context=(user["name"], user["email"]))
    if problem:
        errors.add("new_password", problem)
    elif current and new == current:
        errors.add("new_password", "Choose a password different from your current one")
    if not confirm:
        errors.add("confirm_password", "Enter your new password again")
    elif confirm != new:
        errors.add("confirm_password", "The two new passwords are not the same")
    if errors:
        return await _account_page(request, 422, errors=errors)

    # Every other browser signed in as this person is signed out.
    generation = await services.set_password(me.user_id, await hash_password(new))
    cookie = await access.start_session(request, me.user_id, generation)
    security_event("password_changed", request, user=user["email"])
    return Redirect(_account_url(request, "password"), status_code=303, cookies=[cookie])


# ---------------------------------------------------------------- authenticator app (TOTP)


def _grouped(secret: str) -> str:
    """Groups of four ("ABCD EFGH ...") are easier to copy by hand than 32 letters in a row."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _totp_page(
    request: Request, secret: str, status: int = 200, errors: Errors | None = None
) -> Template:
    me = request.state.access
    return form_page(
        "accounts/totp.html",
        status,
        title="Set up your authenticator app",
        errors=errors or {},
        secret=secret,
        secret_grouped=_grouped(secret),
        qr=totp.qr_svg(totp.setup_uri(secret, me.email)),
        enrolling=me.session_state == "enroll",
        already_on=me.has_totp,
    )


@get("/account/totp", name="accounts.totp")
async def totp_setup(request: Request) -> Template:
    # A fresh secret on every visit; nothing is saved until a code proves the
    # app holds it, so GET changes nothing.
    return _totp_page(request, totp.new_secret())


ALREADY_ON = (
    "Your authenticator app is already set up. To move it to a new phone, turn it off "
    "on your account page and then set it up again."
)


@post("/account/totp", name="accounts.totp_submit")
async def totp_submit(request: Request) -> Template | Redirect:
    me = request.state.access
    if me.has_totp:
        raise Conflict(ALREADY_ON)
    data = await form_data(request)
    secret = _raw(data, "secret").replace(" ", "").upper()
    code = _raw(data, "code")
    errors = Errors()
    if not _SECRET.fullmatch(secret):
        errors.add(
            "code",
            "The set-up key on this page was damaged. Scan the new QR code below and "
            "enter the code your app shows.",
        )
        return _totp_page(request, totp.new_secret(), 422, errors)
    step = totp.accepted_step(secret, code, 0)
    if step is None:
        errors.add(
            "code",
            "Enter the 6-digit code your app shows now"
            if not code.strip()
            else "That code is not right: check the app shows Tandem and enter its current code",
        )
        return _totp_page(request, secret, 422, errors)
    async with db.writing():
        # Only when none is set: two tabs cannot each save a different secret.
        saved = (
            await User.update(
                {
                    User.totp_secret: secret,
                    User.totp_last_step: step,
                    User.version: User.version + 1,
                }
            )
            .where((User.id == me.user_id) & (User.totp_secret == ""))
            .returning(User.session_generation)
        )
    if not saved:
        raise Conflict(ALREADY_ON)
    # A new session id now that this session has passed a second factor (SEC-05).
    cookie = await access.start_session(request, me.user_id, saved[0]["session_generation"])
    security_event("totp_enabled", request, user=me.email)
    return Redirect(_account_url(request, "totp_on"), status_code=303, cookies=[cookie])


@post("/account/totp/disable", name="accounts.totp_disable")
async def totp_disable(request: Request) -> Template | Redirect:
    me = request.state.access
    if me.is_site_admin:
        security_event("totp_disable_refused", request, user=me.email)
        raise Forbidden(
            "Site administrators must keep their authenticator app: it protects every "
            "agency's data. Ask another site administrator if you have lost your phone."
        )
    user = await _user(me.user_id)
    if not user["totp_secret"]:
        return Redirect(_account_url(request), status_code=303)
    data = await form_data(request)
    password = _raw(data, "totp_password")
    code = _raw(data, "totp_code")
    errors = Errors()
    store = access.store_of(request)
    attempt = await _begin_guess(request, user["email"])
    if attempt.wait:
        return await _throttled(
            request, attempt, "totp_password", "attempts", "totp_disable_throttled", user["email"]
        )
    if not password:
        errors.add("totp_password", "Enter your password")
    elif len(password) > _MAX_CURRENT_PASSWORD or not await verify_password(
        user["password_hash"], password
    ):
        errors.add("totp_password", "Your password is not right")
    step = totp.accepted_step(user["totp_secret"], code, user["totp_last_step"])
    if not code.strip():
        errors.add("totp_code", "Enter the 6-digit code your app shows now")
    elif step is None:
        errors.add("totp_code", "That code is not right or was already used")
    if errors:  # the attempt stays counted
        security_event("totp_disable_failed", request, user=user["email"])
        return await _account_page(request, 422, errors=errors)
    async with db.writing():
        # The code is spent only if nobody spent it first (same rule as signing in).
        cleared = (
            await User.update(
                {User.totp_secret: "", User.totp_last_step: 0, User.version: User.version + 1}
            )
            .where((User.id == me.user_id) & (User.totp_last_step < step))
            .returning(User.session_generation)
        )
    if not cleared:
        errors.add("totp_code", "That code is not right or was already used")
        return await _account_page(request, 422, errors=errors)
    await throttle.succeeded(store, attempt, user["email"])
    cookie = await access.start_session(request, me.user_id, cleared[0]["session_generation"])
    security_event("totp_disabled", request, user=user["email"])
    return Redirect(_account_url(request, "totp_off"), status_code=303, cookies=[cookie])


# ---------------------------------------------------------------- API tokens


@post("/account/tokens", name="accounts.token_create")
async def token_create(request: Request) -> Template:
    me = request.state.access
    data = await form_data(request)
    errors = Errors()
    name = text(
        data.get("name"),
        "name",
        errors,
        label="Token name",
        max_length=TOKEN_NAME_MAX,
        required=True,
    )
    if not errors:
        live = await ApiToken.count().where(
            (ApiToken.user == me.user_id) & ApiToken.revoked_at.is_null()
        )
        if live >= MAX_LIVE_TOKENS:
            errors.add(
                "name",
                f"You already have {MAX_LIVE_TOKENS} tokens: revoke one you no longer use first",
            )
    if errors:
        return await _account_page(request, 422, errors=errors, values={"name": name})
    raw = access.TOKEN_PREFIX + secrets.token_urlsafe(32)
    async with db.writing():
        await ApiToken.insert(
            ApiToken(
                user=me.user_id,
                name=name,
                token_hash=access.hash_secret(raw),
                prefix=raw[:12],
                created_at=clock.now(),
            )
        )
    security_event("api_token_created", request, user=me.email, name=name)
    # Shown this once, in this response; only its hash is kept.
    return await _account_page(request, 200, new_token={"name": name, "value": raw})


@post("/account/tokens/{token_id:int}/revoke", name="accounts.token_revoke")
async def token_revoke(request: Request, token_id: FromPath[int]) -> Redirect:
    me = request.state.access
    if not db.possible_id(token_id):
        raise NotFound("There is no such token.")
    async with db.writing():
        rows = await ApiToken.select(ApiToken.id, ApiToken.name, ApiToken.revoked_at).where(
            (ApiToken.id == token_id) & (ApiToken.user == me.user_id)
        )
        # Someone else's token is as absent as one that never existed.
        if not rows:
            raise NotFound("There is no such token.")
        if rows[0]["revoked_at"] is None:
            await ApiToken.update({ApiToken.revoked_at: clock.now()}).where(ApiToken.id == token_id)
    security_event("api_token_revoked", request, user=me.email, name=rows[0]["name"])
    return Redirect(_account_url(request, "token_revoked"), status_code=303)


route_handlers = [
    account_page,
    change_password,
    totp_setup,
    totp_submit,
    totp_disable,
    token_create,
    token_revoke,
]
