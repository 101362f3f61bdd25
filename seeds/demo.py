"""The demo world: a parent-engagement initiative played day by day through the services.

Everything is written through backend/initiatives/services.py and
backend/scrum/services.py with the clock moved to past dates, so sprint
history, burndowns and velocity come out exactly as if a team had used
Tandem for the last ten weeks. Dates are relative to today, so the demo
always has an active sprint that started a few days ago. A second, smaller
agency (seeds/second_agency.py) is in its first sprint, and the demo people
(seeds/people.py) sign in to both.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta

from backend import clock, db
from backend.accounts.tables import Agency
from backend.initiatives import services as initiatives
from backend.initiatives.tables import Initiative
from backend.scrum import services as scrum
from seeds import (
    change_play,
    collaborative_play,
    evidence_play,
    people,
    review_play,
    second_agency,
)
from seeds.parent_engagement import (
    AGENCY,
    BLOCKED_BY,
    INITIATIVE,
    ITEMS,
    RELEASES,
    SPRINTS,
    SprintPlan,
)

SPRINT_DAYS = scrum.SPRINT_LENGTH_DAYS
SETUP_DAYS_BEFORE_FIRST_SPRINT = 10


def _set_time(day: date, hour: int, minute: int = 0) -> None:
    moment = datetime.combine(day, time(hour, minute), tzinfo=UTC)
    clock.set_clock(lambda: moment)


def _path(path: str) -> list[tuple[int, int]]:
    """ "1:2 5:4" -> [(day 1, column 2), (day 5, column 4)]."""
    steps = []
    for step in path.split():
        day, column = step.split(":")
        steps.append((int(day), int(column)))
    return steps


async def _existing_initiative_id(agency: dict, initiative: dict) -> int | None:
    rows = await Initiative.select(Initiative.id).where(
        (Initiative.agency.slug == agency["slug"]) & (Initiative.title == initiative["title"])
    )
    return rows[0]["id"] if rows else None


async def _agency_exists(agency: dict) -> bool:
    return await Agency.exists().where(Agency.slug == agency["slug"])


async def build(*, local: bool = True) -> str:
    """Load what is missing of the demo world; a second call changes nothing.

    `local` is Settings.is_local: in local development the demo people share
    people.DEMO_PASSWORD; otherwise they get no usable password.
    """
    today = clock.today()
    # Hashed before the write transaction (argon2 takes a while), and only when
    # someone will get it.
    password_hash = ""
    if local and await people.missing():
        password_hash = await people.demo_password_hash()
    loaded: list[str] = []
    try:
        # One transaction: a failure leaves no half-built world behind, and
        # the services' own transactions join this one.
        async with db.writing():
            played = None
            if not await _agency_exists(AGENCY):
                initiative_id, counts, played = await _play(today)
                loaded.append(
                    f"Loaded the demo world: {AGENCY['name']} with the initiative "
                    f"{INITIATIVE['title']!r}: {counts['releases']} releases, "
                    f"{counts['sprints']} sprints ({counts['closed']} closed, 1 active, "
                    f"1 planned) and {counts['items']} backlog items. "
                    f"Start at /initiatives/{initiative_id} "
                    f"(board: /initiatives/{initiative_id}/board)."
                )
            if not await _agency_exists(second_agency.AGENCY):
                second_id = await _play_second_agency(today)
                loaded.append(
                    f"Also {second_agency.AGENCY['name']} with the initiative "
                    f"{second_agency.INITIATIVE['title']!r} in its first sprint "
                    f"(board: /initiatives/{second_id}/board)."
                )
            clock.set_clock(None)
            added = await people.add_people(password_hash)
            if added:
                loaded.append(f"Added {added} demo people (emails @{people.DOMAIN}).")
            if played:
                # After the people: gate decisions and versions name who made them.
                change = await change_play.play(initiative_id, played)
                loaded.append(
                    f"Its C&I side: {change['findings']} findings, a theory of change "
                    f"(2 versions), a practice profile with {change['components']} core "
                    f"components (v1 approved, v2 being tested), and {change['linked']} stories "
                    f"linked to them (traceability: /initiatives/{initiative_id}/traceability)."
                )
                reviewed = await review_play.play(initiative_id)
                evidence = await evidence_play.play(initiative_id, played, today)
                loaded.append(
                    f"Its evidence: {evidence['measures']} measures with run charts "
                    f"(/initiatives/{initiative_id}/measures), {evidence['cycles']} PDSA "
                    f"cycles, {evidence['assessments']} fidelity assessments in "
                    f"{evidence['sites']} sites, and a Program Improvement Plan with "
                    f"{evidence['activities']} key activities. The liaison has reviewed "
                    f"{reviewed} closed sprints (one with changes requested)."
                )
            # Its own check: a database built before the collaborative existed gets it too.
            collaborative = await collaborative_play.play(today, password_hash)
            if collaborative:
                loaded.append(collaborative_play.summary(collaborative))
    finally:
        clock.set_clock(None)
    if loaded:
        return "\n".join(loaded)
    initiative_id = await _existing_initiative_id(AGENCY, INITIATIVE)
    where = f" Start at /initiatives/{initiative_id}" if initiative_id else ""
    return f"The demo world is already there; nothing changed.{where}"


async def _play(today: date) -> tuple[int, dict[str, int], dict[str, int]]:
    """The Scrum history; returns the initiative, counts, and item ids by seed key."""
    active_index = len(SPRINTS) - 2  # the last plan is the planned sprint
    # Sprints start on Mondays; the active one on the last Monday before today,
    # so it has at least a day of history.
    active_start = today - timedelta(days=today.weekday() or 7)
    first_start = active_start - timedelta(days=SPRINT_DAYS * active_index)
    setup_day = first_start - timedelta(days=SETUP_DAYS_BEFORE_FIRST_SPRINT)

    # ---- agency, initiative, releases, backlog
    _set_time(setup_day, 9)
    agency_id = await initiatives.create_agency(**AGENCY)
    stages = {s["position"]: s["id"] for s in await initiatives.stages_for_agency(agency_id)}
    initiative_id = await initiatives.create_initiative(
        agency_id,
        INITIATIVE["title"],
        problem_area=INITIATIVE["problem_area"],
        product_goal=INITIATIVE["product_goal"],
        current_stage_id=stages[INITIATIVE["stage"]],
        start_date=setup_day,
        end_date=first_start + timedelta(days=SPRINT_DAYS * 13),
    )
    columns = {c["position"]: c["id"] for c in await scrum.columns_for(initiative_id)}

    releases: dict[str, int] = {}
    for key, name, milestone, stage, target in RELEASES:
        releases[key] = await scrum.create_release(
            initiative_id,
            {
                "name": name,
                "milestone": milestone,
                "stage": stages[stage],
                "target_date": first_start + timedelta(days=SPRINT_DAYS * target),
            },
        )

    # Rank: work planned into sprints first, in sprint order, then the rest.
    by_key = {item.key: item for item in ITEMS}
    order = list(
        dict.fromkeys(
            [k for plan in SPRINTS for k, _ in plan.committed]
            + [k for plan in SPRINTS for k, _, _ in plan.added]
            + [item.key for item in ITEMS]
        )
    )
    ids: dict[str, int] = {}
    for minute, key in enumerate(order):
        item = by_key[key]
        _set_time(setup_day, 10 + minute // 60, minute % 60)
        ids[key] = await scrum.create_item(initiative_id, _item_values(item, stages))
    blockers: dict[str, list[int]] = defaultdict(list)
    for item_key, blocker_key in BLOCKED_BY:
        blockers[item_key].append(ids[blocker_key])
    for item_key, blocker_ids in blockers.items():
        await scrum.set_blockers(ids[item_key], blocker_ids)

    # ---- sprints, day by day
    sprint_ids: list[int] = []
    for index, plan in enumerate(SPRINTS):
        start = first_start + timedelta(days=SPRINT_DAYS * index)
        planned_only = index > active_index
        # Plan the next sprint the morning its predecessor ends (or, for the
        # one still in the future, yesterday afternoon).
        if planned_only:
            _set_time(_weekday(today - timedelta(days=1)), 16)
        elif index == 0:
            _set_time(setup_day + timedelta(days=3), 14)
        else:
            _set_time(start, 8, 30)
        sprint_id = await scrum.create_sprint(
            initiative_id,
            {
                "goal": plan.goal,
                "start_date": start,
                "capacity": 18 if index == 0 else 26,
                "release": releases[plan.release],
            },
        )
        sprint_ids.append(sprint_id)
        if plan.planning:
            await _notes(sprint_id, {"planning_notes": plan.planning})
        carried = {k for k, _ in SPRINTS[index - 1].committed} if index else set()
        carried |= {k for k, _, _ in SPRINTS[index - 1].added} if index else set()
        new = [ids[k] for k, _ in plan.committed if k not in carried]
        await scrum.assign_sprint(initiative_id, new, sprint_id)
        if planned_only:
            continue
        if index:
            _set_time(start, 9)
            previous = SPRINTS[index - 1]
            await scrum.complete_sprint(sprint_ids[index - 1], sprint_id)
            await _notes(
                sprint_ids[index - 1],
                {"review_notes": previous.review, "retrospective_notes": previous.retrospective},
            )
        _set_time(start, 10)
        await scrum.start_sprint(sprint_id)
        active = index == active_index
        last_day = (today - start).days - 1 if active else SPRINT_DAYS - 1
        await _work_the_sprint(
            plan, start, last_day, initiative_id, sprint_id, ids, columns, played_so_far=active
        )

    counts = {
        "releases": len(RELEASES),
        "sprints": len(SPRINTS),
        "closed": active_index,
        "items": len(ITEMS),
    }
    return initiative_id, counts, ids


async def _work_the_sprint(
    plan: SprintPlan,
    start: date,
    last_day: int,
    initiative_id: int,
    sprint_id: int,
    ids: dict[str, int],
    columns: dict[int, int],
    *,
    played_so_far: bool = False,
) -> None:
    """Add scope and move cards on the days the plan says, up to `last_day`.

    `played_so_far`: the sprint is still running; its events after `last_day`
    have not happened yet and are left out (otherwise such an event is a
    mistake in the plan). A day on a weekend is played on the Friday before.
    """
    events: list[tuple[int, int, str, str, int]] = []  # (day, order, what, key, column)
    for order, (key, day, _) in enumerate(plan.added):
        events.append((day, order, "add", key, 0))
    for order, (key, path) in enumerate(
        [*plan.committed, *[(k, p) for k, _, p in plan.added]], start=100
    ):
        events.extend((day, order, "move", key, column) for day, column in _path(path))
    for day, order, what, key, column in sorted(events):
        if day > last_day:
            if played_so_far:
                continue
            raise ValueError(f"{key}: day {day} is after the last day played ({last_day})")
        moment = _weekday(start + timedelta(days=day))
        # Scope is added in the morning, cards move through the working day.
        if what == "add":
            _set_time(moment, 9, 30)
            await scrum.assign_sprint(initiative_id, [ids[key]], sprint_id)
        else:
            _set_time(moment, 11 + order % 6)
            await scrum.move_item(ids[key], columns[column])


def _item_values(item, stages) -> dict:
    """A seed item (either agency's data module) as create_item takes it."""
    return {
        "kind": item.kind,
        "title": item.title,
        "narrative": item.narrative,
        "acceptance_criteria": item.criteria,
        "estimate": item.estimate,
        "stage": stages[item.stage],
        "assignee_name": item.assignee,
    }


def _weekday(day: date) -> date:
    """Saturday and Sunday move back to Friday: the demo team works weekdays."""
    return day - timedelta(days=max(0, day.weekday() - 4))


async def _notes(sprint_id: int, values: dict[str, str]) -> None:
    sprint = await scrum.get_sprint(sprint_id)
    await scrum.update_sprint(sprint_id, sprint["version"], values)


async def _play_second_agency(today: date) -> int:
    """The county agency: set up a week before its first sprint, which is active now."""
    data = second_agency
    start = today - timedelta(days=today.weekday() or 7)  # same Monday as the main demo
    setup_day = start - timedelta(days=7)
    _set_time(setup_day, 9)
    agency_id = await initiatives.create_agency(**data.AGENCY)
    stages = {s["position"]: s["id"] for s in await initiatives.stages_for_agency(agency_id)}
    initiative_id = await initiatives.create_initiative(
        agency_id,
        data.INITIATIVE["title"],
        problem_area=data.INITIATIVE["problem_area"],
        product_goal=data.INITIATIVE["product_goal"],
        current_stage_id=stages[data.INITIATIVE["stage"]],
        start_date=setup_day,
    )
    columns = {c["position"]: c["id"] for c in await scrum.columns_for(initiative_id)}
    ids: dict[str, int] = {}
    for minute, item in enumerate(data.ITEMS):
        _set_time(setup_day, 10, minute)
        ids[item.key] = await scrum.create_item(initiative_id, _item_values(item, stages))
    plan = data.SPRINT
    _set_time(_weekday(start - timedelta(days=1)), 14)  # planned the Friday before
    sprint_id = await scrum.create_sprint(
        initiative_id,
        {"goal": plan.goal, "start_date": start, "capacity": data.SPRINT_CAPACITY},
    )
    await _notes(sprint_id, {"planning_notes": plan.planning})
    await scrum.assign_sprint(initiative_id, [ids[k] for k, _ in plan.committed], sprint_id)
    _set_time(start, 10)
    await scrum.start_sprint(sprint_id)
    last_day = (today - start).days - 1
    await _work_the_sprint(
        plan, start, last_day, initiative_id, sprint_id, ids, columns, played_so_far=True
    )
    return initiative_id
