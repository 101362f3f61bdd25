"""Plays seeds/collaborative_story.py: the demo Breakthrough Series Collaborative with
its faculty, calendar, change package, shared measure and 21 member teams.

Runs inside seeds/demo.py's transaction after the demo people exist (the liaison is
faculty). The member agencies, initiatives, measures, backlog items and PDSA cycles
go through their areas' services, as a person typing them in would; the
collaborative's own rows are written directly (its services belong to the
collaborative pages). The main demo agencies are not members: the liaison sees
the collaborative as its faculty, not through liaison assignments.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from backend import clock
from backend.accounts import services as accounts
from backend.accounts.permissions import LIAISON
from backend.accounts.tables import User
from backend.collaboratives.tables import (
    Adoption,
    ChangeIdea,
    Collaborative,
    CollaborativeSession,
    CollaborativeTeam,
    Faculty,
    SharedMeasure,
    SharedMeasureLink,
)
from backend.initiatives import services as initiatives
from backend.measures import services as measures
from backend.pdsa import services as pdsa
from backend.scrum import services as scrum
from seeds import collaborative_story as story
from seeds import people
from seeds.evidence_play import month_start

CYCLE_DAYS = 14
# Column positions on a new board: 1 To do, 2 In progress, 3 In review, 4 Done.
ADOPTED_NOTE = "Adopted from the collaborative's change package."
ADOPTED_CRITERIA = "- Tested in at least one PDSA cycle\n- Act decision recorded"
STATUS_AFTER = {"adopt": 4, "adapt": 2, "abandon": 1, "": 1}


def faculty_email() -> str:
    return f"{story.FACULTY_LOCAL_PART}@{people.DOMAIN}"


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def _weekday(day: date) -> date:
    """Saturday and Sunday move back to Friday: the teams work weekdays (as in demo.py)."""
    return day - timedelta(days=max(0, day.weekday() - 4))


def _tuesday_from(day: date) -> date:
    """Learning sessions start on a Tuesday: the first on or after `day`."""
    return day + timedelta(days=(1 - day.weekday()) % 7)


def _set_time(day: date, hour: int = 10) -> None:
    moment = _at(day, hour)
    clock.set_clock(lambda: moment)


async def _insert(row) -> int:
    table = type(row)
    return (await table.insert(row).returning(table.id))[0]["id"]


async def exists() -> bool:
    return await Collaborative.exists().where(Collaborative.name == story.COLLABORATIVE["name"])


async def play(today: date, password_hash: str = "") -> dict[str, Any] | None:
    """Write the collaborative unless it is there; returns counts and its id for the
    summary `make run` prints (None when nothing was written). `password_hash` is
    the demo people's (\"\" outside local development) for the faculty person."""
    if await exists():
        return None
    start = month_start(today, story.STARTED_MONTHS_AGO)
    end = month_start(today, story.STARTED_MONTHS_AGO - story.MONTHS) - timedelta(days=1)
    try:
        collaborative_id = await _insert(
            Collaborative(
                **story.COLLABORATIVE,
                start_date=start,
                end_date=end,
                created_at=_at(start - timedelta(days=28)),
            )
        )
        faculty = await _faculty(collaborative_id, password_hash)
        sessions = await _calendar(collaborative_id, start, end)
        ideas = {}
        for position, idea in enumerate(story.IDEAS, start=1):
            ideas[idea.key] = await _insert(
                ChangeIdea(
                    collaborative=collaborative_id,
                    position=position,
                    title=idea.title,
                    description=idea.description,
                )
            )
        shared_id = await _insert(
            SharedMeasure(collaborative=collaborative_id, **story.SHARED_MEASURE)
        )
        learning_ends = [s["end_date"] for s in sessions if s["kind"] == "learning_session"]
        cycles = 0
        for position, team in enumerate(story.TEAMS):
            cycles += await _team(
                collaborative_id, shared_id, ideas, team, position, today, start, learning_ends
            )
    finally:
        clock.set_clock(None)
    return {
        "id": collaborative_id,
        "teams": len(story.TEAMS),
        "kinds": {
            kind: sum(t.kind == kind for t in story.TEAMS) for kind in ("state", "county", "tribal")
        },
        "sessions": sum(s["kind"] == "learning_session" for s in sessions),
        "ideas": len(ideas),
        "cycles": cycles,
        "faculty": faculty,
    }


def summary(played: dict[str, Any]) -> str:
    """The line `make run` prints about the collaborative."""
    kinds = played["kinds"]
    return (
        f"A Breakthrough Series Collaborative on safety and risk assessment: "
        f"{played['teams']} teams ({kinds['state']} state, {kinds['county']} county, "
        f"{kinds['tribal']} tribal), {played['sessions']} learning sessions, "
        f"{played['ideas']} change ideas, {played['cycles']} PDSA cycles "
        f"(/collaboratives/{played['id']}); faculty: {' and '.join(played['faculty'])}."
    )


async def _faculty(collaborative_id: int, password_hash: str) -> list[str]:
    """The demo liaison and a faculty person of no agency; returns their emails."""
    emails = [people.person(LIAISON).email, faculty_email()]
    rows = await User.select(User.id, User.email).where(User.email.is_in(emails))
    ids = {r["email"]: r["id"] for r in rows}
    if faculty_email() not in ids:
        ids[faculty_email()] = await accounts.create_user(
            story.FACULTY_NAME, faculty_email(), password_hash
        )
    for email in emails:
        if email in ids:
            await _insert(Faculty(collaborative=collaborative_id, user=ids[email]))
    return [email for email in emails if email in ids]


async def _calendar(collaborative_id: int, start: date, end: date) -> list[dict[str, Any]]:
    """Learning sessions of SESSION_DAYS days, an action period after each."""
    sessions = []
    for title, month, day, notes in story.LEARNING_SESSIONS:
        first = _tuesday_from(month_start(start, -month) + timedelta(days=day - 1))
        sessions.append(
            {
                "kind": "learning_session",
                "title": title,
                "start_date": first,
                "end_date": first + timedelta(days=story.SESSION_DAYS - 1),
                "notes": notes,
            }
        )
    periods = []
    for index, session in enumerate(sessions):
        following = sessions[index + 1]["start_date"] if index + 1 < len(sessions) else None
        periods.append(
            {
                "kind": "action_period",
                "title": f"Action period {index + 1}",
                "start_date": session["end_date"] + timedelta(days=1),
                "end_date": following - timedelta(days=1) if following else end,
                "notes": story.ACTION_PERIOD_NOTES[index],
            }
        )
    rows = sorted(sessions + periods, key=lambda s: s["start_date"])
    for row in rows:
        await _insert(CollaborativeSession(collaborative=collaborative_id, **row))
    return rows


def points(team: story.Team, position: int, today: date) -> list[dict[str, Any]]:
    """The team's monthly counts, ending last month: its baseline with a wobble, and
    from the seventh month on its lift (once its changes took)."""
    wobble = story.WOBBLE
    rows = []
    for index in range(team.months):
        rate = team.baseline + wobble[(index + position) % len(wobble)]
        if index >= story.TEAM_MEASURE["baseline_points"]:
            rate += team.lift
        due = max(10, team.caseload + wobble[(index + position + 5) % len(wobble)] // 2)
        rows.append(
            {
                "period_start": month_start(today, team.months - index),
                "numerator": round(due * min(rate, 98) / 100),
                "denominator": due,
            }
        )
    return rows


async def _team(
    collaborative_id: int,
    shared_id: int,
    ideas: dict[str, int],
    team: story.Team,
    position: int,
    today: date,
    start: date,
    learning_ends: list[date],
) -> int:
    """One member team: agency, initiative, measure, adoptions, cycles; returns its
    number of cycles."""
    setup = _weekday(start - timedelta(days=21 - position % 7))
    _set_time(setup, 9)
    agency_id = await initiatives.create_agency(team.name, team.slug, team.state, team.kind)
    stages = {s["position"]: s["id"] for s in await initiatives.stages_for_agency(agency_id)}
    initiative_id = await initiatives.create_initiative(
        agency_id,
        story.INITIATIVE["title"],
        problem_area=story.INITIATIVE["problem_area"],
        product_goal=story.INITIATIVE["product_goal"],
        current_stage_id=stages[team.stage],
        start_date=start,
    )
    await _insert(
        CollaborativeTeam(collaborative=collaborative_id, initiative=initiative_id, joined_on=start)
    )
    measure_id = await measures.create_measure(initiative_id, story.TEAM_MEASURE, None)
    await measures.add_points(measure_id, points(team, position, today), None)
    await _insert(SharedMeasureLink(shared=shared_id, measure=measure_id))

    # Adoptions: an idea tested in a cycle is taken up after the first learning
    # session; the others after the second.
    columns = {c["position"]: c["id"] for c in await scrum.columns_for(initiative_id)}
    tested = {key for key, _ in team.cycles}
    last_decision = {key: decision for key, decision in team.cycles}
    by_key = {idea.key: idea for idea in story.IDEAS}
    items = {}
    for order, key in enumerate(team.adopted):
        after = learning_ends[0] if key in tested or order < 2 else learning_ends[1]
        day = _weekday(after + timedelta(days=1 + position % 5))
        _set_time(day, 10 + order)
        idea = by_key[key]
        items[key] = await scrum.create_item(
            initiative_id,
            {
                "kind": "story",
                "title": f"Change idea: {idea.title}",
                "narrative": f"{idea.description}\n\n{ADOPTED_NOTE}",
                "acceptance_criteria": ADOPTED_CRITERIA,
                "stage": stages[team.stage],
                "status": columns[STATUS_AFTER[last_decision.get(key, "")]],
            },
        )
        await _insert(
            Adoption(
                idea=ideas[key],
                initiative=initiative_id,
                item=items[key],
                adopted_at=_at(day, 10 + order),
            )
        )

    # Cycles: one action period's rhythm, a cycle every six weeks or so.
    previous: tuple[str, str, int] | None = None
    for order, (key, decision) in enumerate(team.cycles):
        idea = by_key[key]
        begins = _weekday(learning_ends[0] + timedelta(days=7 + position % 6 + order * 45))
        observations, study, act_notes = idea.outcomes[decision]
        parent = None
        if previous and previous[0] == key and previous[1] in ("adopt", "adapt"):
            parent = previous[2]
        _set_time(begins, 9)
        cycle_id = await pdsa.create_cycle(
            initiative_id,
            {
                "change_idea": idea.title,
                "objective": idea.objective,
                "questions": "Can it be done as planned? Does it move the shared measure?",
                "prediction": idea.prediction,
                "plan_who": idea.who,
                "plan_what": idea.what,
                "plan_when": "Two weeks",
                "plan_where": team.unit,
                "data_plan": idea.data_plan,
                "start_date": begins,
                "end_date": begins + timedelta(days=CYCLE_DAYS),
                "ran_as_planned": "yes" if decision == "adopt" else "partly",
                "observations": observations,
                "study": study,
                "act_decision": decision,
                "act_notes": act_notes,
            },
            None,
            parent_id=parent,
        )
        await pdsa.link(cycle_id, [items[key]], [measure_id])
        previous = (key, decision, cycle_id)
    return len(team.cycles)
