"""Writing people: users, memberships, liaison assignments, ending sessions."""

from __future__ import annotations

import secrets
from datetime import timedelta

from backend import clock, db
from backend.accounts.access import hash_secret
from backend.accounts.permissions import ROLES
from backend.accounts.tables import (
    Agency,
    ApiToken,
    Invitation,
    LiaisonAssignment,
    Membership,
    User,
)
from backend.errors import Conflict, Invalid, NotFound


async def create_user(
    name: str,
    email: str,
    password_hash: str = "",
    *,
    is_site_admin: bool = False,
    totp_secret: str = "",
) -> int:
    """A new user; a duplicate email is refused with a message, never an IntegrityError."""
    email = email.strip().lower()
    async with db.writing():
        # DO NOTHING instead of check-then-insert: two requests at once must not
        # meet the unique index as an error (a 500).
        rows = (
            await User.insert(
                User(
                    name=name.strip(),
                    email=email,
                    password_hash=password_hash,
                    is_site_admin=is_site_admin,
                    totp_secret=totp_secret,
                )
            )
            .on_conflict(action="DO NOTHING")
            .returning(User.id)
        )
    if not rows:
        raise Invalid({"email": "Someone already has an account with this email address"})
    return rows[0]["id"]


async def set_membership(user_id: int, agency_id: int, role: str, *, active: bool = True) -> int:
    """Add the user to the agency with `role`, or change the role they have there."""
    if role not in ROLES:
        raise Invalid({"role": "Choose a role from the list"})
    async with db.writing():
        existing = await Membership.select(Membership.id).where(
            (Membership.user == user_id) & (Membership.agency == agency_id)
        )
        if existing:
            await Membership.update(
                {
                    Membership.role: role,
                    Membership.active: active,
                    Membership.version: Membership.version + 1,
                }
            ).where(Membership.id == existing[0]["id"])
            return existing[0]["id"]
        row = (
            await Membership.insert(
                Membership(user=user_id, agency=agency_id, role=role, active=active)
            ).returning(Membership.id)
        )[0]
    return row["id"]


async def assign_liaison(user_id: int, agency_id: int) -> None:
    async with db.writing():
        await LiaisonAssignment.insert(
            LiaisonAssignment(user=user_id, agency=agency_id)
        ).on_conflict(action="DO NOTHING")


async def end_all_sessions(user_id: int) -> int:
    """Every session of the user stops working at its next request, and their API
    tokens are revoked (someone who held a session could have made one); returns
    the new generation (a session started after this call must carry it)."""
    async with db.writing():
        await ApiToken.update({ApiToken.revoked_at: clock.now()}).where(
            (ApiToken.user == user_id) & ApiToken.revoked_at.is_null()
        )
        rows = (
            await User.update({User.session_generation: User.session_generation + 1})
            .where(User.id == user_id)
            .returning(User.session_generation)
        )
    return rows[0]["session_generation"]


# ---------------------------------------------------------------- invitations, members, admin
# (appended: members.py, admin.py, invitations.py and the CLI use these)

INVITATION_DAYS = 7
_LEAD = "agency_lead"


async def create_invitation(user_id: int, *, days: int = INVITATION_DAYS) -> str:
    """A one-time link token for the user; only its hash is stored. Returns the raw token."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    async with db.writing():
        await Invitation.insert(
            Invitation(
                user=user_id,
                token_hash=hash_secret(token),
                expires_at=now + timedelta(days=days),
                created_at=now,
            )
        )
    return token


async def invite_user(
    name: str,
    email: str,
    *,
    is_site_admin: bool = False,
    agency_id: int | None = None,
    role: str | None = None,
) -> tuple[int, str]:
    """A new user with no password, optionally a member of an agency, and their
    invitation, all or nothing. Returns (user id, raw invitation token)."""
    async with db.writing():
        user_id = await create_user(name, email, is_site_admin=is_site_admin)
        if agency_id is not None and role is not None:
            await set_membership(user_id, agency_id, role)
        token = await create_invitation(user_id)
    return user_id, token


async def lock_agency(agency_id: int) -> None:
    """Inside a write transaction: writers of one agency's members or stage order go
    one at a time (two leads demoting each other at once cannot leave it without
    one; two stage reorders cannot interleave).

    A no-op UPDATE takes the agency's row lock on PostgreSQL until commit; SQLite
    writers are already serialised by the process-wide write lock.
    """
    updated = (
        await Agency.update({Agency.slug: Agency.slug})
        .where(Agency.id == agency_id)
        .returning(Agency.id)
    )
    if not updated:
        raise NotFound(f"Agency {agency_id} was not found")


async def _other_active_leads(agency_id: int, membership_id: int) -> int:
    return await Membership.count().where(
        (Membership.agency == agency_id)
        & (Membership.id != membership_id)
        & (Membership.role == _LEAD)
        & (Membership.active == True)  # noqa: E712
        & (Membership.user.active == True)  # noqa: E712
    )


LAST_LEAD = (
    "{name} is the only active agency lead of this agency. Make someone else "
    "agency lead first: an agency always needs one."
)


async def _membership_in(agency_id: int, membership_id: int) -> dict:

    rows = await Membership.select(
        Membership.id,
        Membership.user,
        Membership.role,
        Membership.active,
        Membership.version,
        Membership.user.name.as_alias("name"),
        Membership.user.email.as_alias("email"),
    ).where((Membership.id == membership_id) & (Membership.agency == agency_id))
    if not rows:
        raise NotFound("That person is not a member of this agency.")
    return rows[0]


async def change_member_role(
    agency_id: int, membership_id: int, role: str, version: int, *, field: str = "role"
) -> dict:
    """Give a member another role (DATA-01: only from the version they saw). Returns the
    membership as it was before the change. Never leaves the agency without a lead."""
    if role not in ROLES:
        raise Invalid({field: "Choose a role from the list"})
    async with db.writing():
        await lock_agency(agency_id)
        member = await _membership_in(agency_id, membership_id)
        if member["version"] != version:
            raise Conflict(
                f"Someone else changed {member['name']}'s membership while you were looking. "
                "The table shows what is saved now: check it and try again."
            )
        demoting_a_lead = member["role"] == _LEAD and role != _LEAD and member["active"]
        if demoting_a_lead and not await _other_active_leads(agency_id, membership_id):
            raise Invalid({field: LAST_LEAD.format(name=member["name"])})
        await Membership.update(
            {Membership.role: role, Membership.version: Membership.version + 1}
        ).where(Membership.id == membership_id)
    return member


async def set_member_active(
    agency_id: int,
    membership_id: int,
    active: bool,
    version: int | None = None,
    *,
    field: str = "active",
) -> dict:
    """Deactivate or reactivate a membership; returns it as it was before."""
    async with db.writing():
        await lock_agency(agency_id)
        member = await _membership_in(agency_id, membership_id)
        if version is not None and member["version"] != version:
            raise Conflict(
                f"Someone else changed {member['name']}'s membership while you were looking. "
                "The table shows what is saved now: check it and try again."
            )
        if (
            not active
            and member["active"]
            and member["role"] == _LEAD
            and not await _other_active_leads(agency_id, membership_id)
        ):
            raise Invalid({field: LAST_LEAD.format(name=member["name"])})
        await Membership.update(
            {Membership.active: active, Membership.version: Membership.version + 1}
        ).where(Membership.id == membership_id)
    return member


async def add_member(agency_id: int, user_id: int, role: str, *, field: str = "role") -> None:
    """Add an existing user (or reactivate them) with `role`; refuses to take the
    agency's last lead away by re-adding them with another role."""
    async with db.writing():
        await lock_agency(agency_id)
        rows = await Membership.select(Membership.id, Membership.role, Membership.active).where(
            (Membership.user == user_id) & (Membership.agency == agency_id)
        )
        if rows and rows[0]["role"] == _LEAD and rows[0]["active"] and role != _LEAD:
            if not await _other_active_leads(agency_id, rows[0]["id"]):
                raise Invalid({field: LAST_LEAD.format(name="This person")})
        await set_membership(user_id, agency_id, role)


async def set_password(user_id: int, password_hash: str) -> int:
    """A new password ends every session of the user; returns the new generation."""
    async with db.writing():
        await User.update(
            {User.password_hash: password_hash, User.version: User.version + 1}
        ).where(User.id == user_id)
        # An invitation link not taken up must not set the password again later.
        await Invitation.update({Invitation.used_at: clock.now()}).where(
            (Invitation.user == user_id) & Invitation.used_at.is_null()
        )
        return await end_all_sessions(user_id)


async def accept_invitation(invitation_id: int, user_id: int, password_hash: str) -> int | None:
    """Spend the invitation and set the password, at most once (two tabs race: one wins).
    Every other open invitation of the user dies with it (set_password). Returns the
    new session generation, or None when the invitation was already used."""
    now = clock.now()
    async with db.writing():
        claimed = (
            await Invitation.update({Invitation.used_at: now})
            .where((Invitation.id == invitation_id) & Invitation.used_at.is_null())
            .returning(Invitation.id)
        )
        if not claimed:
            return None
        return await set_password(user_id, password_hash)


async def set_user_active(user_id: int, active: bool) -> None:
    """Deactivating also ends every session of the user (SEC-06)."""
    async with db.writing():
        await User.update({User.active: active, User.version: User.version + 1}).where(
            User.id == user_id
        )
        if not active:
            await end_all_sessions(user_id)


async def make_site_admin(user_id: int) -> int:
    """Promote; a privilege change ends the user's sessions. Returns the new generation."""
    async with db.writing():
        await User.update(
            {User.is_site_admin: True, User.active: True, User.version: User.version + 1}
        ).where(User.id == user_id)
        return await end_all_sessions(user_id)


async def remove_liaison(assignment_id: int) -> dict | None:
    """Delete a liaison assignment; returns who and where it was, or None if missing."""
    async with db.writing():
        rows = await LiaisonAssignment.select(
            LiaisonAssignment.id,
            LiaisonAssignment.user.email.as_alias("email"),
            LiaisonAssignment.agency,
        ).where(LiaisonAssignment.id == assignment_id)
        if not rows:
            return None
        await LiaisonAssignment.delete().where(LiaisonAssignment.id == assignment_id)
    return rows[0]
