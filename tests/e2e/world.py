"""Builds the small world the browser tests work in: `python -m tests.e2e.world`."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from backend import clock
from backend.accounts import services as accounts
from backend.accounts.passwords import hash_password
from backend.config import Settings
from backend.db import Database
from backend.initiatives import services as initiatives
from backend.initiatives.tables import CIStage
from backend.practice import queries as practice_queries
from backend.practice import services as practice
from backend.scrum import services as scrum
from backend.sites.tables import Site
from tests.factories import TEST_PASSWORD


async def build() -> None:
    database = Database(Settings.from_env().database_url)
    await database.startup()
    try:
        agency = await initiatives.create_agency("Browser Agency", "browser-agency", "MA", "state")
        stages = (
            await CIStage.select(CIStage.id)
            .where(CIStage.agency == agency)
            .order_by(CIStage.position)
        )
        initiative = await initiatives.create_initiative(
            agency, "Fathers engagement", current_stage_id=stages[3]["id"]
        )
        sprint = await scrum.create_sprint(
            initiative, {"goal": "Test the practice profile", "start_date": clock.today()}
        )
        items = []
        for n, title in enumerate(
            ["Draft behaviours for partnership", "Interview guide for fathers", "Coach supervisors"]
        ):
            items.append(
                await scrum.create_item(
                    initiative, {"title": title, "estimate": 3 + n, "stage": stages[3]["id"]}
                )
            )
        for n in range(3):
            await scrum.create_item(initiative, {"title": f"Backlog story {n + 1}", "estimate": 2})
        await scrum.assign_sprint(initiative, items, sprint)
        # A second planned sprint to carry unfinished work into.
        await scrum.create_sprint(
            initiative, {"start_date": clock.today() + timedelta(days=14), "goal": "Pilot"}
        )
        # Two area offices, for PDSA cycles and fidelity assessments.
        for name, phase in (("North Area Office", "pilot"), ("South Area Office", "none")):
            await Site.insert(Site(agency=agency, name=name, rollout_phase=phase))
        await approved_profile(agency, stages[4]["id"])
        await people(agency)
        await collaborative(agency, stages[3]["id"])
    finally:
        await database.shutdown()


# An approved practice profile to rate fidelity against (tests/e2e/test_fidelity_browser.py),
# in an initiative of its own so the pages of "Fathers engagement" stay as other browser
# tests expect them (the traceability view counts that initiative's components).
FIDELITY_INITIATIVE = "Fidelity pilot"
PROFILE = {
    "Father-inclusive outreach": ("Invites the father to every planning meeting",),
    "Shared planning": (
        "Writes the plan with both parents",
        "Checks the plan with the family before signing",
    ),
}


async def approved_profile(agency: int, stage: int) -> None:
    initiative = await initiatives.create_initiative(
        agency, FIDELITY_INITIATIVE, current_stage_id=stage
    )
    intervention = await practice.create_intervention(
        initiative, {"name": "Fathers at the table", "approach": "adapt"}
    )
    profile = await practice.create_profile(intervention, None)
    levels = await practice_queries.levels_of(profile)
    for component_name, behaviours in PROFILE.items():
        component = await practice.add_component(profile, {"name": component_name})
        for text in behaviours:
            await practice.add_behaviour(
                component,
                {"text": text, "role": "Worker"},
                {level["id"]: f"{level['label']}: {text.lower()}" for level in levels},
            )
    # Every change above moved the version's row on: approve it as it is now.
    current = await practice_queries.profile_or_404(profile)
    await practice.set_status(profile, current["version"], "approved", may_decide=True)


COLLABORATIVE = "Browser Safety Collaborative"
COLLABORATIVE_TEAM = "Safety assessment team"


async def collaborative(agency: int, stage: int) -> None:
    """A collaborative whose one member team is a separate initiative (so the other
    browser tests' backlogs are untouched), with the lead as faculty, a calendar, a
    change package with one idea adopted, and a shared measure the team reports."""
    from datetime import date

    from backend.accounts.tables import User
    from backend.collaboratives import cross_team
    from backend.collaboratives import services as collaboratives
    from backend.measures import services as measures

    team = await initiatives.create_initiative(agency, COLLABORATIVE_TEAM, current_stage_id=stage)
    today = clock.today()
    made = await collaboratives.create_collaborative(
        {
            "name": COLLABORATIVE,
            "topic": "Safety and risk assessment practice.",
            "start_date": today - timedelta(days=120),
            "end_date": today + timedelta(days=420),
            "share_cycles": True,
        }
    )
    await collaboratives.add_team(made, team)
    lead = await User.select(User.id).where(User.email == PEOPLE["lead"][1])
    await collaboratives.add_faculty(made, lead[0]["id"])
    for kind, title, start, days in (
        ("learning_session", "Learning session 1", -120, 1),
        ("action_period", "Action period 1", -118, 150),
        ("learning_session", "Learning session 2", 33, 1),
    ):
        await collaboratives.add_session(
            made,
            {
                "kind": kind,
                "title": title,
                "start_date": today + timedelta(days=start),
                "end_date": today + timedelta(days=start + days),
                "notes": "",
            },
        )
    idea = await collaboratives.add_idea(
        made, {"title": "Structured safety assessment at first contact", "description": ""}
    )
    await collaboratives.add_idea(made, {"title": "Supervisor review within 48 hours"})
    await collaboratives.adopt(made, idea, team)
    shared = await cross_team.add_shared_measure(made, "Assessments within 24 hours", unit="%")
    measure = await measures.create_measure(
        team, {"name": "Assessments within 24 hours", "unit": "%", "is_rate": True}, None
    )
    first = date(today.year - 1, today.month, 1)
    await measures.add_points(
        measure,
        [
            {
                "period_start": date(
                    first.year + (first.month + n - 1) // 12, (first.month + n - 1) % 12 + 1, 1
                ),
                "numerator": 20 + (n % 3) + (6 if n >= 6 else 0),
                "denominator": 40,
            }
            for n in range(12)
        ],
        None,
    )
    await cross_team.link_measure(shared, measure)


PEOPLE = {
    "lead": ("Lena Lead", "lead@browser.example", "agency_lead"),
    "viewer": ("Vic Viewer", "viewer@browser.example", "viewer"),
    "liaison": ("Lia Liaison", "liaison@browser.example", "liaison"),
    "admin": ("Ada Admin", "admin@browser.example", "site_admin"),
}
# The site admin's authenticator secret, so a test can compute their codes.
ADMIN_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


async def people(agency: int) -> None:
    """Everyone signs in with TEST_PASSWORD (hashed once: argon2 is slow on purpose)."""
    password_hash = await hash_password(TEST_PASSWORD)
    for name, email, role in PEOPLE.values():
        if role == "site_admin":
            await accounts.create_user(
                name, email, password_hash, is_site_admin=True, totp_secret=ADMIN_TOTP_SECRET
            )
            continue
        user = await accounts.create_user(name, email, password_hash)
        if role == "liaison":
            await accounts.assign_liaison(user, agency)
        else:
            await accounts.set_membership(user, agency, role)


if __name__ == "__main__":
    asyncio.run(build())
