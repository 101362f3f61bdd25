"""Builds the small world the browser tests work in: `python -m tests.e2e.world`."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from backend import clock
from backend.config import Settings
from backend.db import Database
from backend.initiatives import services as initiatives
from backend.initiatives.tables import CIStage
from backend.scrum import services as scrum


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
    finally:
        await database.shutdown()


if __name__ == "__main__":
    asyncio.run(build())
