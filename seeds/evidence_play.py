"""Plays seeds/evidence_story.py into the demo initiative: its measures, PDSA cycles,
pilot sites with fidelity assessments, and the agency's Program Improvement Plan.

Runs inside seeds/demo.py's transaction after the C&I story (the practice profile
and the demo people exist). Everything goes through the areas' own services, so
the demo obeys the same rules as a person typing it in.
"""

from __future__ import annotations

from datetime import date, timedelta

from backend.cfsr.tables import CfsrItem
from backend.fidelity import services as fidelity
from backend.initiatives.tables import Initiative
from backend.measures import services as measures
from backend.pdsa import services as pdsa
from backend.pip import services as pip
from backend.practice.queries import rubric
from backend.practice.tables import Intervention, PracticeProfile
from backend.scrum.tables import Sprint
from backend.sites import services as sites
from seeds import evidence_story as story
from seeds.change_play import _Calendar, _user_id


def month_start(today: date, months_back: int) -> date:
    """The first day of the month `months_back` months before today's month."""
    index = today.year * 12 + today.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


async def play(initiative_id: int, item_ids: dict[str, int], today: date) -> dict[str, int]:
    """Write the evidence; returns counts for the summary `make run` prints."""
    first = await (
        Sprint.select(Sprint.start_date)
        .where(Sprint.initiative == initiative_id)
        .order_by(Sprint.number)
        .first()
    )
    cal = _Calendar(first["start_date"])
    owner = await _user_id("product_owner")
    lead = await _user_id("agency_lead")
    agency_id = (
        await Initiative.select(Initiative.agency).where(Initiative.id == initiative_id).first()
    )["agency"]
    cfsr_ids = {r["number"]: r["id"] for r in await CfsrItem.select(CfsrItem.id, CfsrItem.number)}

    site_ids = {}
    for name, kind, phase in story.SITES:
        site_ids[name] = await sites.create_site(
            agency_id, {"name": name, "kind": kind, "rollout_phase": phase}
        )
    measure_ids = await _measures(initiative_id, today, owner, cfsr_ids)
    cycles = await _cycles(initiative_id, cal, owner, site_ids, item_ids, measure_ids)
    assessments = await _fidelity(initiative_id, cal, today, owner, site_ids)
    activities = await _pip(agency_id, today, lead, owner, item_ids, measure_ids)
    return {
        "sites": len(site_ids),
        "measures": len(measure_ids),
        "cycles": cycles,
        "assessments": assessments,
        "activities": activities,
    }


async def _measures(
    initiative_id: int, today: date, owner: int | None, cfsr_ids: dict[int, int]
) -> dict[str, int]:
    ids = {}
    for seed in story.MEASURES:
        ids[seed.key] = await measures.create_measure(
            initiative_id,
            {
                "name": seed.name,
                "kind": seed.kind,
                "definition": seed.definition,
                "unit": seed.unit,
                "is_rate": True,
                "direction": seed.direction,
                "period_kind": "month",
                "cfsr_item": cfsr_ids[seed.cfsr_item] if seed.cfsr_item else None,
                "rule_set": seed.rule_set,
            },
            owner,
        )
        months = len(seed.counts)
        rows = [
            {
                "period_start": month_start(today, months - index),
                "numerator": numerator,
                "denominator": denominator,
                **({"annotation": seed.annotations[index]} if index in seed.annotations else {}),
            }
            for index, (numerator, denominator) in enumerate(seed.counts)
        ]
        await measures.add_points(ids[seed.key], rows, owner)
    intervention = await Intervention.select(Intervention.id).where(
        Intervention.initiative == initiative_id
    )
    ids["fidelity"] = await measures.create_measure(
        initiative_id,
        {**story.FIDELITY_MEASURE, "is_rate": True, "fidelity_intervention": intervention[0]["id"]},
        owner,
    )
    return ids


async def _cycles(
    initiative_id: int,
    cal: _Calendar,
    owner: int | None,
    site_ids: dict[str, int],
    item_ids: dict[str, int],
    measure_ids: dict[str, int],
) -> int:
    made: dict[str, int] = {}
    for seed in story.CYCLES:
        values = {
            "change_idea": seed.change_idea,
            "objective": seed.objective,
            "questions": seed.questions,
            "prediction": seed.prediction,
            "plan_who": seed.who,
            "plan_what": seed.what,
            "plan_when": seed.when,
            "plan_where": seed.where,
            "data_plan": seed.data_plan,
            "site": site_ids[seed.site],
            "start_date": cal.day(seed.start_day),
            "end_date": cal.day(seed.start_day + seed.days),
            "ran_as_planned": seed.ran_as_planned,
            "observations": seed.observations,
            "study": seed.study,
            "act_decision": seed.act,
            "act_notes": seed.act_notes,
        }
        parent = made[seed.parent] if seed.parent else None
        made[seed.key] = await pdsa.create_cycle(initiative_id, values, owner, parent_id=parent)
        if seed.items or seed.measures:
            await pdsa.link(
                made[seed.key],
                [item_ids[key] for key in seed.items],
                [measure_ids[key] for key in seed.measures],
            )
    return len(made)


def _level(site: str, behaviour_index: int, visit: int) -> int:
    """1 optimal, 2 developmental, 3 unacceptable: each office has its habits, and the
    later visits go better (a habit is rated optimal again from the fourth visit on,
    every other behaviour)."""
    habits = story.DEVELOPMENTAL_HABITS[site]
    if behaviour_index in habits:
        if visit >= 3 and behaviour_index % 2 == 0:
            return 1
        return 3 if visit == 0 and behaviour_index == habits[0] else 2
    return 1


async def _fidelity(
    initiative_id: int, cal: _Calendar, today: date, owner: int | None, site_ids: dict[str, int]
) -> int:
    """Each pilot office is assessed every week (story.FIDELITY_EVERY_DAYS): version 1
    while it is tested and after its approval, version 2 once it is being tested."""
    profiles = (
        await PracticeProfile.select(PracticeProfile.id, PracticeProfile.number)
        .where(PracticeProfile.initiative == initiative_id)
        .order_by(PracticeProfile.number)
    )
    made = 0
    visit = 0
    for profile, first_day, last_day in (
        (profiles[0], story.FIDELITY_V1_FROM, story.FIDELITY_V2_FROM - 1),
        (profiles[1], story.FIDELITY_V2_FROM, (today - cal.first_start).days - 1),
    ):
        sheet = await rubric(profile["id"])
        levels = [level["id"] for level in sheet["levels"]]
        behaviours = [b["id"] for c in sheet["components"] for b in c["behaviours"]]
        for day in range(first_day, last_day + 1, story.FIDELITY_EVERY_DAYS):
            for offset, site in enumerate(story.PILOT_SITES):
                ratings = {
                    ("behaviour", behaviour): levels[_level(site, index, visit) - 1]
                    for index, behaviour in enumerate(behaviours)
                }
                await fidelity.create_assessment(
                    initiative_id,
                    {
                        "profile_id": profile["id"],
                        "site_id": site_ids[site],
                        "method": story.FIDELITY_METHODS[made % len(story.FIDELITY_METHODS)],
                        "assessed_on": cal.day(min(day + offset, last_day)),
                        "assessor": story.FIDELITY_ASSESSORS[offset % 2],
                        "notes": "",
                    },
                    ratings,
                    owner,
                )
                made += 1
            visit += 1
    return made


async def _pip(
    agency_id: int,
    today: date,
    lead: int | None,
    owner: int | None,
    item_ids: dict[str, int],
    measure_ids: dict[str, int],
) -> int:
    effective = month_start(today, story.PIP["effective_months_ago"])
    pip_id = await pip.create_pip(
        agency_id, {"title": story.PIP["title"], "effective_date": effective}
    )
    activities = 0
    for goal in story.PIP_GOALS:
        goal_id = await pip.add_goal(pip_id, {"text": goal["text"], "cfsr_item": goal["cfsr_item"]})
        for strategy in goal["strategies"]:
            strategy_id = await pip.add_strategy(goal_id, {"text": strategy["text"]})
            for title, months_from_now, status, item_key in strategy["activities"]:
                # Mid-month, `months_from_now` months on (negative: already past).
                target = month_start(today, -months_from_now) + timedelta(days=14)
                await pip.add_activity(
                    strategy_id,
                    {
                        "title": title,
                        "owner": lead if status == "behind" else owner,
                        "target_date": target,
                        "status": status or "on_schedule",
                        "item": item_ids[item_key] if item_key else None,
                    },
                )
                activities += 1
    for number, label, baseline, goal, period, measure_key in story.PIP_MEASUREMENTS:
        await pip.add_measurement(
            pip_id,
            {
                "cfsr_item": number,
                "label": label,
                "baseline": baseline,
                "goal": goal,
                "period": period,
                "measure": measure_ids[measure_key] if measure_key else None,
            },
        )
    return activities
