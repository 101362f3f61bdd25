"""A world with something in every section of the progress packet, built through the
areas' own services and test builders. Today is 15 June 2026; the default period
starts on 16 May 2026."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from backend import clock
from backend.exploration import services as exploration
from backend.pip.tables import PipActivity
from backend.reviews.tables import Comment, SprintSignOff
from backend.scrum import services as scrum
from tests.factories import make_items
from tests.fidelity.build import assess, make_sites, rateable_profile
from tests.measures.build import BASELINE, SHIFTED, add_rates, add_values, make_measure
from tests.pdsa.build import decided
from tests.pip.build import make_plan

TODAY = date(2026, 6, 15)
# Jan: 12/40, Feb: 3/8 (a small cell under 10), Mar: 9/30
PAIRS = [(12, 40), (3, 8), (9, 30)]


def set_day(day: date, hour: int = 12) -> None:
    clock.set_clock(lambda: datetime(day.year, day.month, day.day, hour, tzinfo=UTC))


@dataclass
class Packet:
    sprints: list[int] = field(default_factory=list)  # old (March), in period, active
    measures: list[int] = field(default_factory=list)
    rate_measure: int = 0


async def run_sprint(world, start: date, close: date | None, estimates: list[int], done: int):
    """A sprint from `start` with items of `estimates`; the first `done` get done; closed
    on `close` (unfinished back to the backlog) unless None."""
    set_day(start, 9)
    sprint = await scrum.create_sprint(
        world.initiative_id, {"start_date": start, "goal": f"Goal from {start}"}
    )
    ids = []
    for estimate in estimates:
        ids += await make_items(world.initiative_id, 1, estimate=estimate)
    await scrum.assign_sprint(world.initiative_id, ids, sprint)
    await scrum.start_sprint(sprint)
    set_day(start.replace(day=start.day + 2))
    for item in ids[:done]:
        await scrum.move_item(item, world.done)
    if close is not None:
        set_day(close, 16)
        await scrum.complete_sprint(sprint, "backlog")
    return sprint


async def add_sprints(world, packet: Packet, count: int = 3) -> None:
    """`count` sprints: one closed in March, then closed ones in the period, the last active."""
    packet.sprints.append(await run_sprint(world, date(2026, 3, 2), date(2026, 3, 13), [3, 2], 2))
    for n in range(count - 2):
        day = 18 + n  # sprints on consecutive days keep the dates simple
        packet.sprints.append(
            await run_sprint(world, date(2026, 5, day), date(2026, 5, day + 1), [5, 3, 2], 1)
        )
    packet.sprints.append(await run_sprint(world, date(2026, 6, 1), None, [8, 5], 1))


async def add_measures(world, packet: Packet, count: int = 1) -> None:
    for n in range(count):
        name = "Kinship placements" if n == 0 else f"Measure {n + 1}"
        measure = await make_measure(world.initiative_id, name=name)
        await add_values(measure, BASELINE + SHIFTED)
        packet.measures.append(measure)
    packet.rate_measure = await make_measure(world.initiative_id, is_rate=True, name="Re-entry")
    await add_rates(packet.rate_measure, PAIRS)


async def build(world, sprints: int = 3, measures: int = 1) -> Packet:
    packet = Packet()
    await add_sprints(world, packet, sprints)
    set_day(TODAY)
    await add_measures(world, packet, measures)
    # Fidelity: one assessment in the period, 1 of 2 ratings at the fidelity level.
    version = await rateable_profile(world.initiative_id)
    north, _ = await make_sites(world.agency_id)
    await assess(
        world.initiative_id,
        version,
        north,
        date(2026, 6, 2),
        {version.b(0, 0): version.optimal, version.b(0, 1): version.unacceptable},
    )
    # Traceability: a finding nothing acts on (the profile's components have no stories).
    await exploration.create_finding(
        world.initiative_id, {"statement": "Fathers are rarely invited"}
    )
    # PDSA: one cycle in the period, one long before it.
    await decided(
        world.initiative_id,
        "adopt",
        change_idea="Text reminders",
        start_date=date(2026, 6, 1),
        end_date=date(2026, 6, 10),
    )
    await decided(
        world.initiative_id,
        "abandon",
        change_idea="Posters in the lobby",
        start_date=date(2026, 2, 2),
        end_date=date(2026, 2, 13),
    )
    # PIP: the first key activity is behind schedule.
    plan = await make_plan(world)
    await PipActivity.update({PipActivity.status: "behind"}).where(
        PipActivity.id == plan.activities[0]
    )
    # Reviews: an open thread on the last closed sprint; the March sprint is signed off.
    await Comment.insert(
        Comment(
            agency=world.agency_id,
            target_kind="sprint_review",
            target_id=packet.sprints[-2],
            author=world.users["liaison"],
            body="Was the goal met?\n\nMore detail here.",
        )
    )
    await SprintSignOff.insert(
        SprintSignOff(
            sprint=packet.sprints[0],
            decision="signed_off",
            signed_by=world.users["liaison"],
            signed_at=datetime(2026, 3, 16, 10, tzinfo=UTC),
        )
    )
    set_day(TODAY)
    return packet
