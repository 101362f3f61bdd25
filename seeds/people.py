"""The demo people: one per role in the main demo agency, a county lead, a liaison, an admin.

In local development (Settings.is_local) every demo person signs in with
DEMO_PASSWORD, which `make run` prints. Anywhere else they get no usable
password (password_hash "") and the password is never printed: whoever runs
the server gives one a password with `python -m backend reset-password`.
The site administrator sets up an authenticator app at their first sign-in,
as every site administrator must.
"""

from __future__ import annotations

from dataclasses import dataclass

from backend.accounts import services as accounts
from backend.accounts.passwords import hash_password
from backend.accounts.permissions import LIAISON, ROLE_LABELS
from backend.accounts.tables import Agency, Membership, User
from backend.config import Settings
from seeds import parent_engagement as main_story
from seeds import second_agency

# Shared by every demo person, in local development only. 12+ characters and
# not on the deny-list (a test checks it against password_problem).
DEMO_PASSWORD = "plan the next sprint"
DOMAIN = "demo.tandem.example"  # .example is reserved (RFC 2606): no real mailbox
SITE_ADMIN = "site_admin"

MAIN_SLUG = main_story.AGENCY["slug"]
SECOND_SLUG = second_agency.AGENCY["slug"]
SHORT_NAMES = {MAIN_SLUG: "Bay State DCF", SECOND_SLUG: second_agency.SHORT_NAME}


@dataclass(frozen=True)
class Person:
    name: str
    # A membership role (permissions.ROLES), LIAISON or SITE_ADMIN.
    role: str
    # Slugs of the agencies they belong to or, for a liaison, support.
    agencies: tuple[str, ...] = ()

    @property
    def email(self) -> str:
        return f"{self.name.lower().replace(' ', '.')}@{DOMAIN}"

    def describe(self) -> str:
        if self.role == SITE_ADMIN:
            return "Site administrator (no agency; sets up an authenticator app at first sign-in)"
        where = " and ".join(SHORT_NAMES[slug] for slug in self.agencies)
        return f"{ROLE_LABELS[self.role]}, {where}"


# The main agency's people are the names on its cards.
PEOPLE: tuple[Person, ...] = (
    Person(main_story.MANAGER, "agency_lead", (MAIN_SLUG,)),
    Person(main_story.PO, "product_owner", (MAIN_SLUG,)),
    Person(main_story.SUPERVISOR, "scrum_master", (MAIN_SLUG,)),
    Person(main_story.ANALYST, "team_member", (MAIN_SLUG,)),
    Person(main_story.COMMUNITY, "viewer", (MAIN_SLUG,)),
    Person(second_agency.LEAD, "agency_lead", (SECOND_SLUG,)),
    Person("Angela Brooks", LIAISON, (MAIN_SLUG, SECOND_SLUG)),
    Person("Sam Whitaker", SITE_ADMIN),
)


def person(role: str, agency_slug: str = MAIN_SLUG) -> Person:
    """The demo person with `role` (in `agency_slug`, for membership roles)."""
    return next(
        p
        for p in PEOPLE
        if p.role == role and (role in (LIAISON, SITE_ADMIN) or agency_slug in p.agencies)
    )


async def missing() -> list[Person]:
    """The demo people without an account yet."""
    emails = [p.email for p in PEOPLE]
    rows = await User.select(User.email).where(User.email.is_in(emails))
    have = {r["email"] for r in rows}
    return [p for p in PEOPLE if p.email not in have]


async def any_present() -> bool:
    """Whether this database has demo people (so sign_in_help applies to it)."""
    return len(await missing()) < len(PEOPLE)


async def demo_password_hash() -> str:
    """DEMO_PASSWORD hashed once per build and shared: argon2 is slow on purpose."""
    return await hash_password(DEMO_PASSWORD)


async def add_people(password_hash: str) -> int:
    """Create the demo people who are missing, with their memberships and liaison
    assignments; returns how many were created. Someone already there is left as
    they are (their password, role and sessions), so a second call changes nothing.
    The demo agencies must exist. `password_hash` is "" outside local development."""
    slugs = {slug for p in PEOPLE for slug in p.agencies}
    rows = await Agency.select(Agency.id, Agency.slug).where(Agency.slug.is_in(sorted(slugs)))
    agency_ids = {r["slug"]: r["id"] for r in rows}
    users = await User.select(User.id, User.email).where(
        User.email.is_in([p.email for p in PEOPLE])
    )
    user_ids = {r["email"]: r["id"] for r in users}
    memberships = await Membership.select(Membership.user, Membership.agency).where(
        Membership.user.is_in(list(user_ids.values()) or [-1])
    )
    member_of = {(m["user"], m["agency"]) for m in memberships}
    created = 0
    for p in PEOPLE:
        user_id = user_ids.get(p.email)
        if user_id is None:
            user_id = await accounts.create_user(
                p.name, p.email, password_hash, is_site_admin=p.role == SITE_ADMIN
            )
            created += 1
        for slug in p.agencies:
            agency_id = agency_ids[slug]
            if p.role == LIAISON:
                await accounts.assign_liaison(user_id, agency_id)  # no-op when assigned
            elif (user_id, agency_id) not in member_of:
                await accounts.set_membership(user_id, agency_id, p.role)
    return created


def _url(settings: Settings) -> str:
    host = settings.host
    if host in ("", "0.0.0.0", "::"):  # listening everywhere: this machine answers too
        host = "127.0.0.1"
    elif ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{settings.port}/"


def sign_in_help(settings: Settings) -> str:
    """What `make run` prints: where to go, who to sign in as, and (only in local
    development) the shared demo password."""
    width = max(len(p.email) for p in PEOPLE)
    lines = [f"Open {_url(settings)} in a browser and sign in as one of the demo people:"]
    lines += [f"  {p.email.ljust(width)}  {p.describe()}" for p in PEOPLE]
    if settings.is_local:
        lines.append(f"Every demo person's password (local development only): {DEMO_PASSWORD}")
    else:
        lines += [
            "Outside local development the demo people have no password. Give one a password with:",
            f"  python -m backend reset-password --email {person('product_owner').email}",
        ]
    return "\n".join(lines)
