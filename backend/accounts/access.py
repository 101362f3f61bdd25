"""Who is asking, and may they: sessions, API tokens and the one guard on every route.

The guard reads the power a route needs from permissions.ROUTE_POWERS, finds
the agency the path's ids belong to, and checks the person's role there.
Someone outside the agency gets a 404 (its pages do not exist for them); a
member whose role lacks the power gets a 403.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from litestar.config.csrf import CSRFConfig
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware.csrf import CSRF_SECRET_LENGTH, generate_csrf_hash

from backend import clock, db
from backend.accounts import permissions
from backend.accounts.audit import security_event
from backend.accounts.store import SessionRecord, Store
from backend.accounts.tables import Agency, ApiToken, User
from backend.config import Settings
from backend.errors import Forbidden, NotFound, SignInRequired
from backend.exploration.tables import CausalLink, DataQuestion, Finding, TheoryOfChange
from backend.fidelity.tables import FidelityAssessment
from backend.initiatives.tables import (
    CIStage,
    GateDecision,
    Initiative,
    ReadinessAssessment,
    StageTask,
)
from backend.measures.tables import DataPoint, Measure
from backend.pdsa.tables import PdsaCycle
from backend.pip.tables import Pip, PipActivity, PipGoal, PipMeasurement, PipStrategy
from backend.practice.tables import (
    ContinuumLevel,
    CoreComponent,
    Intervention,
    PracticeBehaviour,
    PracticeProfile,
)
from backend.reviews.tables import Comment
from backend.scrum.tables import BacklogItem, Release, Sprint
from backend.sites.tables import Site

SESSION_COOKIE = "tandem_session"
TOKEN_PREFIX = "tdm_"
# A session waiting for a TOTP code lives this long.
CODE_STEP_SECONDS = 5 * 60
# last_seen is written at most this often, not on every request.
TOUCH_EVERY = timedelta(seconds=30)
# What a site admin without TOTP may reach until they set it up (SEC-04).
ENROLL_ROUTES = frozenset(
    {"accounts.totp", "accounts.totp_submit", "accounts.sign_out", "accounts.extend"}
)
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass
class Access:
    """The signed-in person, their roles and the agency this request is about."""

    user_id: int
    name: str
    email: str
    is_site_admin: bool
    has_totp: bool
    # agency id -> role; "liaison" for agencies a liaison supports
    roles: dict[int, str]
    session_key_hash: str | None = None  # None when signed in by API token
    session_state: str = "active"
    agency_id: int | None = None
    agency_names: dict[int, str] = field(default_factory=dict)

    def role_in(self, agency_id: int | None) -> str | None:
        return self.roles.get(agency_id) if agency_id is not None else None

    def can(self, power: str, agency_id: int | None = None) -> bool:
        agency = self.agency_id if agency_id is None else agency_id
        return permissions.role_can(self.role_in(agency), power)

    @property
    def agency_ids(self) -> list[int]:
        return sorted(self.roles)


def hash_secret(raw: str) -> str:
    """Sessions and tokens are stored as hashes: a copy of the table signs nobody in."""
    return hashlib.sha256(raw.encode()).hexdigest()


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def settings_of(connection: ASGIConnection) -> Settings:
    return connection.app.state.settings


def store_of(connection: ASGIConnection) -> Store:
    return connection.app.state.store


# ---------------------------------------------------------------- sessions


def session_cookie(settings: Settings, value: str, *, expire: bool = False) -> Cookie:
    return Cookie(
        key=SESSION_COOKIE,
        value=value,
        path="/",
        httponly=True,
        secure=not settings.is_local,
        samesite="lax",
        # No max-age: the cookie goes when the browser closes; the server enforces
        # the idle and absolute timeouts whatever the browser keeps.
        max_age=0 if expire else None,
    )


async def start_session(
    connection: ASGIConnection, user_id: int, generation: int, state: str = "active"
) -> Cookie:
    """A brand-new session id (SEC-05): never one the client chose or had before."""
    settings = settings_of(connection)
    old = connection.cookies.get(SESSION_COOKIE)
    if old:
        await store_of(connection).delete_session(hash_secret(old))
    raw = await save_new_session(
        store_of(connection), user_id, generation, state, settings.session_absolute_hours
    )
    return session_cookie(settings, raw)


async def save_new_session(
    store: Store, user_id: int, generation: int, state: str = "active", hours: int = 12
) -> str:
    """Store a session starting now; returns the raw id for the cookie (only its
    hash is stored). Tests and the bench use it to skip the sign-in form."""
    raw = new_secret()
    now = clock.now()
    record = SessionRecord(user_id, generation, state, now, now)
    await store.save_session(hash_secret(raw), record, hours * 3600)
    return raw


async def end_session(connection: ASGIConnection) -> Cookie:
    raw = connection.cookies.get(SESSION_COOKIE)
    if raw:
        await store_of(connection).delete_session(hash_secret(raw))
    return session_cookie(settings_of(connection), "", expire=True)


def _expired(settings: Settings, record: SessionRecord) -> bool:
    now = clock.now()
    if record.state == "code":
        return now - record.created_at > timedelta(seconds=CODE_STEP_SECONDS)
    return now - record.created_at > timedelta(
        hours=settings.session_absolute_hours
    ) or now - record.last_seen_at > timedelta(seconds=settings.session_idle_seconds)


async def current_session(connection: ASGIConnection) -> tuple[str, SessionRecord] | None:
    """The live session named by the cookie, or None (unknown, expired, ended)."""
    raw = connection.cookies.get(SESSION_COOKIE)
    if not raw or len(raw) > 200:
        return None
    key_hash = hash_secret(raw)
    store = store_of(connection)
    record = await store.load_session(key_hash)
    if record is None:
        return None
    if _expired(settings_of(connection), record):
        await store.delete_session(key_hash)
        return None
    return key_hash, record


async def touch(connection: ASGIConnection, key_hash: str, record: SessionRecord) -> None:
    now = clock.now()
    if now - record.last_seen_at >= TOUCH_EVERY:
        await store_of(connection).touch_session(key_hash, now)


# ---------------------------------------------------------------- who is asking


# One round trip for both kinds of access to agencies (asked on every request).
ROLES_SQL = (
    "SELECT l.agency AS agency, 'liaison' AS role, a.name AS agency_name, 0 AS member"
    ' FROM liaison_assignment l JOIN agency a ON a.id = l.agency WHERE l."user" = {}'
    " UNION ALL"
    " SELECT m.agency AS agency, m.role AS role, a.name AS agency_name, 1 AS member"
    " FROM membership m JOIN agency a ON a.id = m.agency"
    ' WHERE m."user" = {} AND m.active = {}'
    " ORDER BY member"
)


async def _access_for(user_id: int, generation: int | None) -> Access | None:
    users = await User.select(
        User.id,
        User.name,
        User.email,
        User.is_site_admin,
        User.totp_secret,
        User.active,
        User.session_generation,
    ).where(User.id == user_id)
    if not users or not users[0]["active"]:
        return None
    user = users[0]
    if generation is not None and user["session_generation"] != generation:
        return None  # ended by a password change, deactivation or "sign out everywhere"
    roles: dict[int, str] = {}
    names: dict[int, str] = {}
    # Liaison rows first: a membership in the same agency says more and wins.
    for row in await User.raw(ROLES_SQL, user_id, user_id, True):
        roles[row["agency"]] = row["role"]
        names[row["agency"]] = row["agency_name"]
    return Access(
        user_id=user["id"],
        name=user["name"],
        email=user["email"],
        is_site_admin=user["is_site_admin"],
        has_totp=bool(user["totp_secret"]),
        roles=roles,
        agency_names=names,
    )


async def access_from_session(connection: ASGIConnection) -> Access | None:
    found = await current_session(connection)
    if found is None:
        return None
    key_hash, record = found
    if record.state == "code":
        return None  # half signed in: only the code page may use this session
    access = await _access_for(record.user_id, record.generation)
    if access is None:
        await store_of(connection).delete_session(key_hash)
        return None
    access.session_key_hash = key_hash
    access.session_state = record.state
    await touch(connection, key_hash, record)
    return access


async def access_from_token(connection: ASGIConnection, header: str) -> Access | None:
    raw = header.removeprefix("Bearer ").strip()
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    rows = await ApiToken.select(ApiToken.id, ApiToken.user, ApiToken.last_used_at).where(
        (ApiToken.token_hash == hash_secret(raw)) & ApiToken.revoked_at.is_null()
    )
    if not rows:
        return None
    access = await _access_for(rows[0]["user"], None)
    if access is None:
        return None
    now = clock.now()
    last = rows[0]["last_used_at"]
    if last is None or now - last.replace(tzinfo=now.tzinfo) > TOUCH_EVERY:
        async with db.writing():
            await ApiToken.update({ApiToken.last_used_at: now}).where(ApiToken.id == rows[0]["id"])
    return access


# ---------------------------------------------------------------- which agency


def _agency_columns() -> dict[str, tuple]:
    """Path id name -> (table, that table's column holding the agency)."""
    return {
        "agency_id": (Agency, Agency.id),
        "initiative_id": (Initiative, Initiative.agency),
        "sprint_id": (Sprint, Sprint.initiative.agency),
        "release_id": (Release, Release.initiative.agency),
        "item_id": (BacklogItem, BacklogItem.initiative.agency),
        "stage_id": (CIStage, CIStage.agency),
        "task_id": (StageTask, StageTask.progress.initiative.agency),
        "decision_id": (GateDecision, GateDecision.progress.initiative.agency),
        "assessment_id": (ReadinessAssessment, ReadinessAssessment.initiative.agency),
        "question_id": (DataQuestion, DataQuestion.initiative.agency),
        "finding_id": (Finding, Finding.initiative.agency),
        "theory_id": (TheoryOfChange, TheoryOfChange.initiative.agency),
        "link_id": (CausalLink, CausalLink.initiative.agency),
        "intervention_id": (Intervention, Intervention.initiative.agency),
        "profile_id": (PracticeProfile, PracticeProfile.initiative.agency),
        "component_id": (CoreComponent, CoreComponent.initiative.agency),
        "behaviour_id": (PracticeBehaviour, PracticeBehaviour.component.initiative.agency),
        "level_id": (ContinuumLevel, ContinuumLevel.profile.initiative.agency),
        "site_id": (Site, Site.agency),
        "measure_id": (Measure, Measure.initiative.agency),
        "point_id": (DataPoint, DataPoint.measure.initiative.agency),
        "cycle_id": (PdsaCycle, PdsaCycle.initiative.agency),
        "fidelity_id": (FidelityAssessment, FidelityAssessment.initiative.agency),
        "pip_id": (Pip, Pip.agency),
        "goal_id": (PipGoal, PipGoal.pip.agency),
        "strategy_id": (PipStrategy, PipStrategy.goal.pip.agency),
        "activity_id": (PipActivity, PipActivity.strategy.goal.pip.agency),
        "measurement_id": (PipMeasurement, PipMeasurement.pip.agency),
        "comment_id": (Comment, Comment.agency),
    }


_AGENCY_COLUMNS = _agency_columns()


async def _agency_of(name: str, value: int) -> int | None:
    """The agency that owns the row a path id names (None when there is no such row)."""
    if not db.possible_id(value):
        return None
    table, column = _AGENCY_COLUMNS[name]
    rows = await table.select(column.as_alias("agency")).where(table.id == value)
    return rows[0]["agency"] if rows else None


AGENCY_PATH_IDS = tuple(_AGENCY_COLUMNS)
_NOUNS = {
    "agency_id": "Agency {}",
    "initiative_id": "Initiative {}",
    "sprint_id": "Sprint {}",
    "release_id": "Release {}",
    "item_id": "Backlog item #{}",
    "stage_id": "Stage {}",
    "task_id": "Key task {}",
    "decision_id": "Gate decision {}",
    "assessment_id": "Readiness assessment {}",
    "question_id": "Data plan question {}",
    "finding_id": "Finding {}",
    "theory_id": "Theory of change {}",
    "link_id": "Causal link {}",
    "intervention_id": "Intervention {}",
    "profile_id": "Practice profile {}",
    "component_id": "Core component {}",
    "behaviour_id": "Practice behaviour {}",
    "level_id": "Continuum level {}",
    "site_id": "Site {}",
    "measure_id": "Measure {}",
    "point_id": "Data point {}",
    "cycle_id": "PDSA cycle {}",
    "fidelity_id": "Fidelity assessment {}",
    "pip_id": "Program improvement plan {}",
    "goal_id": "PIP goal {}",
    "strategy_id": "PIP strategy {}",
    "activity_id": "PIP key activity {}",
    "measurement_id": "PIP measurement line {}",
    "comment_id": "Comment {}",
}


def not_found_message(path_params: dict) -> str:
    """The same words whether the row is missing or belongs to an agency one cannot
    see: a 404 must not tell the two apart."""
    for name in reversed(AGENCY_PATH_IDS):
        if name in path_params:
            return _NOUNS[name].format(path_params[name]) + " was not found"
    return "There is nothing at this address."


async def agency_of_path(path_params: dict) -> int | None:
    """The one agency every id in the path belongs to; None if any is missing or they differ."""
    found: set[int | None] = set()
    for name in AGENCY_PATH_IDS:
        if name in path_params:
            found.add(await _agency_of(name, path_params[name]))
    if len(found) != 1:
        return None
    return found.pop()


# ---------------------------------------------------------------- CSRF for the API


def _csrf_secret_of(token: str, secret: str) -> str | None:
    if len(token) <= CSRF_SECRET_LENGTH:
        return None
    value, signature = token[:CSRF_SECRET_LENGTH], token[CSRF_SECRET_LENGTH:]
    expected = generate_csrf_hash(token=value, secret=secret)
    return value if hmac.compare_digest(signature, expected) else None


def api_csrf_ok(connection: ASGIConnection, config: CSRFConfig) -> bool:
    """Browser sessions calling the API send the CSRF header; token callers need not,
    since a bearer token is never sent by a browser on its own."""
    sent = connection.headers.get(config.header_name) or ""
    cookie = connection.cookies.get(config.cookie_name) or ""
    a = _csrf_secret_of(sent, config.secret)
    b = _csrf_secret_of(cookie, config.secret)
    return a is not None and b is not None and hmac.compare_digest(a, b)


# ---------------------------------------------------------------- the guard


async def authorize(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    """Runs before every route handler (an app-level guard)."""
    name = handler.name or ""
    power = permissions.route_power(name, connection.url.path)
    if power == permissions.PUBLIC:
        return
    is_api = connection.url.path.startswith("/api/")
    header = connection.headers.get("authorization", "")
    access = None
    if is_api and header.startswith("Bearer "):
        access = await access_from_token(connection, header)
    else:
        access = await access_from_session(connection)
        if (
            access is not None
            and is_api
            and connection.scope.get("method") in UNSAFE_METHODS
            and not api_csrf_ok(connection, connection.app.csrf_config)
        ):
            raise Forbidden("CSRF token verification failed")
    if access is None:
        raise SignInRequired()
    connection.state.access = access
    if access.session_state == "enroll" and name not in ENROLL_ROUTES:
        raise SignInRequired("Set up your authenticator app before you go on", "accounts.totp")
    if power is None:
        _denied(connection, access, name)
        raise Forbidden("Nobody may use this address")
    if power == permissions.SIGNED_IN:
        return
    if power == permissions.SITE_ADMIN:
        if not access.is_site_admin:
            _denied(connection, access, name)
            raise Forbidden("Only site administrators may do this")
        return
    agency_id = await agency_of_path(connection.path_params)
    role = access.role_in(agency_id)
    if role is None:
        _denied(connection, access, name)
        raise NotFound(not_found_message(connection.path_params))
    access.agency_id = agency_id
    if not permissions.role_can(role, power):
        _denied(connection, access, name)
        label = permissions.ROLE_LABELS.get(role, role)
        raise Forbidden(f"Your role here ({label}) does not allow this.")


def _denied(connection: ASGIConnection, access: Access, route: str) -> None:
    security_event(
        "permission_denied",
        connection,
        user=access.email,
        route=route,
        method=connection.scope.get("method", ""),
        path=connection.url.path,
    )
