"""Builders of test data through the same services the app uses."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from backend.accounts import services as accounts
from backend.accounts.passwords import HASHER
from backend.accounts.permissions import ROLES
from backend.initiatives import services as initiatives
from backend.initiatives.tables import CIStage
from backend.scrum import services as scrum
from backend.scrum.tables import BoardColumn

TEST_PASSWORD = "correct horse battery staple"


@lru_cache(maxsize=1)
def test_password_hash() -> str:
    """Hashed once per run: argon2 is slow on purpose."""
    return HASHER.hash(TEST_PASSWORD)


@dataclass
class World:
    agency_id: int
    initiative_id: int
    stages: list[dict]
    columns: list[dict]
    other_agency_id: int
    other_initiative_id: int
    other_columns: list[dict] = field(default_factory=list)
    # user ids by role in the first agency, plus "liaison", "other_lead" and "admin"
    users: dict[str, int] = field(default_factory=dict)

    @property
    def lead(self) -> int:
        return self.users["agency_lead"]

    @property
    def todo(self) -> int:
        return self.columns[0]["id"]

    @property
    def in_progress(self) -> int:
        return self.columns[1]["id"]

    @property
    def done(self) -> int:
        return next(c["id"] for c in self.columns if c["is_done"])


async def build_world() -> World:
    agency = await initiatives.create_agency("Test Agency", "test-agency", "MA", "state")
    stages = await CIStage.select().where(CIStage.agency == agency).order_by(CIStage.position)
    initiative = await initiatives.create_initiative(
        agency,
        "Parent engagement",
        product_goal="Parents are partners",
        current_stage_id=stages[3]["id"],
        start_date=date(2026, 1, 5),
    )
    other = await initiatives.create_agency("Other Agency", "other-agency", "CA", "county")
    other_initiative = await initiatives.create_initiative(other, "Other initiative")
    columns = (
        await BoardColumn.select()
        .where(BoardColumn.initiative == initiative)
        .order_by(BoardColumn.position)
    )
    other_columns = (
        await BoardColumn.select()
        .where(BoardColumn.initiative == other_initiative)
        .order_by(BoardColumn.position)
    )
    users = await make_people(agency, other)
    return World(agency, initiative, stages, columns, other, other_initiative, other_columns, users)


async def make_user(name: str, email: str, **kw) -> int:
    return await accounts.create_user(name, email, test_password_hash(), **kw)


async def make_people(agency_id: int, other_agency_id: int) -> dict[str, int]:
    """One person per role in the first agency; a liaison assigned to it only;
    the other agency's lead; a site admin who belongs to no agency."""
    users: dict[str, int] = {}
    for role in ROLES:
        name = role.replace("_", " ").title()
        users[role] = await make_user(name, f"{role}@test.example")
        await accounts.set_membership(users[role], agency_id, role)
    users["liaison"] = await make_user("Lia Liaison", "liaison@test.example")
    await accounts.assign_liaison(users["liaison"], agency_id)
    users["other_lead"] = await make_user("Otto Other", "other_lead@test.example")
    await accounts.set_membership(users["other_lead"], other_agency_id, "agency_lead")
    users["admin"] = await make_user("Ada Admin", "admin@test.example", is_site_admin=True)
    return users


async def make_items(initiative_id: int, count: int, **values) -> list[int]:
    ids = []
    for n in range(count):
        ids.append(
            await scrum.create_item(
                initiative_id,
                {"title": f"Story {n + 1}", "estimate": values.get("estimate", 3), **values},
            )
        )
    return ids
