"""Plays seeds/change_story.py into the demo initiative: the C&I side of DESIGN.md story 1.

Runs inside seeds/demo.py's transaction, after the Scrum history and the demo
people exist (gate decisions and versions name who made them).
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta

from backend.accounts.permissions import LIAISON
from backend.accounts.tables import Agency, User
from backend.exploration.tables import (
    Assumption,
    CausalLink,
    CausalLinkFinding,
    DataQuestion,
    Finding,
    ProblemStatement,
    ProblemStatementFinding,
    TheoryOfChange,
)
from backend.initiatives.tables import (
    DEFAULT_STAGE_TASKS,
    CIStage,
    GateDecision,
    GateSignOff,
    Initiative,
    ReadinessAssessment,
    StageProgress,
    StageTask,
)
from backend.practice.tables import (
    ContinuumLevel,
    CoreComponent,
    Descriptor,
    Intervention,
    PracticeBehaviour,
    PracticeProfile,
)
from backend.scrum.tables import Sprint
from backend.traceability.tables import ItemCausalLink, ItemComponent, ItemFinding
from seeds import change_story as story
from seeds import people


def _lineage() -> str:
    return uuid.uuid4().hex


async def _insert(row) -> int:
    table = type(row)
    return (await table.insert(row).returning(table.id))[0]["id"]


class _Calendar:
    """Days counted from the first sprint's start, as dates and as moments."""

    def __init__(self, first_start: date):
        self.first_start = first_start

    def day(self, n: int) -> date:
        return self.first_start + timedelta(days=n)

    def at(self, n: int, hour: int = 15) -> datetime:
        return datetime.combine(self.day(n), time(hour), tzinfo=UTC)


async def _user_id(role: str) -> int | None:
    rows = await User.select(User.id).where(User.email == people.person(role).email)
    return rows[0]["id"] if rows else None


async def play(initiative_id: int, item_ids: dict[str, int]) -> dict[str, int]:
    """Write the story; returns counts for the summary `make run` prints."""
    first = await (
        Sprint.select(Sprint.start_date)
        .where(Sprint.initiative == initiative_id)
        .order_by(Sprint.number)
        .first()
    )
    cal = _Calendar(first["start_date"])
    lead = await _user_id("agency_lead")
    owner = await _user_id("product_owner")
    liaison = await _user_id(LIAISON)

    await Agency.update({Agency.case_number_patterns: story.CASE_NUMBER_SHAPES}).where(
        Agency.id.is_in(Initiative.select(Initiative.agency).where(Initiative.id == initiative_id))
    )
    findings = await _exploration(initiative_id, cal, owner)
    links = await _theory(initiative_id, cal, owner, findings)
    components = await _profile(initiative_id, cal, owner, lead)
    await _stages(initiative_id, cal, lead, liaison)
    await _readiness(initiative_id, cal, lead)
    linked = await _item_links(item_ids, findings, components, links)
    return {"findings": len(findings), "components": len(components), "linked": linked}


async def _exploration(initiative_id: int, cal: _Calendar, author: int | None) -> dict[str, int]:
    for question, sources, owner, due, status in story.DATA_PLAN:
        await _insert(
            DataQuestion(
                initiative=initiative_id,
                question=question,
                sources=sources,
                owner_name=owner,
                due=cal.day(due),
                status=status,
                created_at=cal.at(-5),
            )
        )
    findings = {}
    for f in story.FINDINGS:
        findings[f.key] = await _insert(
            Finding(
                initiative=initiative_id,
                statement=f.statement,
                kind=f.kind,
                evidence_type=f.evidence_type,
                source=f.source,
                segment=f.segment,
                confidence=f.confidence,
                found_on=cal.day(f.day),
                created_at=cal.at(f.day),
                updated_at=cal.at(f.day),
            )
        )
    for number, day, causes, text in story.PROBLEM_STATEMENTS:
        statement = await _insert(
            ProblemStatement(
                initiative=initiative_id,
                number=number,
                text=text,
                created_by=author,
                created_at=cal.at(day),
            )
        )
        for key in causes:
            await _insert(ProblemStatementFinding(statement=statement, finding=findings[key]))
    return findings


async def _theory(
    initiative_id: int, cal: _Calendar, author: int | None, findings: dict[str, int]
) -> dict[str, int]:
    """Two versions; returns version 1's links by key (stories were linked to those)."""
    lineages: dict[str, str] = {}
    first_links: dict[str, int] = {}
    versions = [(1, story.CAUSAL_LINKS, ""), (2, story.CAUSAL_LINKS_V2, story.THEORY_V2_NOTE)]
    for (number, pathway, note), day in zip(versions, story.THEORY_DAYS, strict=True):
        theory = await _insert(
            TheoryOfChange(
                initiative=initiative_id,
                number=number,
                population=story.POPULATION,
                long_term_outcome=await _product_goal(initiative_id),
                change_note=note,
                created_by=author,
                created_at=cal.at(day),
            )
        )
        for position, (key, condition, result, finding_keys) in enumerate(pathway, start=1):
            link = await _insert(
                CausalLink(
                    theory=theory,
                    initiative=initiative_id,
                    position=position,
                    condition=condition,
                    result=result,
                    lineage=lineages.setdefault(key, _lineage()),
                )
            )
            if number == 1:
                first_links[key] = link
            for finding_key in finding_keys:
                await _insert(CausalLinkFinding(link=link, finding=findings[finding_key]))
        for position, text in enumerate(story.ASSUMPTIONS, start=1):
            await _insert(Assumption(theory=theory, position=position, text=text))
    return first_links


async def _product_goal(initiative_id: int) -> str:
    """The theory's long-term outcome is the initiative's product goal (one text, two names)."""
    row = await Initiative.select(Initiative.product_goal).where(Initiative.id == initiative_id)
    return row[0]["product_goal"]


async def _profile(
    initiative_id: int, cal: _Calendar, author: int | None, lead: int | None
) -> dict[str, int]:
    """Version 1 approved for the pilot, version 2 (adding three behaviours) being tested.

    Returns version 1's components by key (the stories were linked to those)."""
    intervention = await _insert(
        Intervention(initiative=initiative_id, created_at=cal.at(36), **story.INTERVENTION)
    )
    component_lineage: dict[str, str] = {}
    behaviour_lineage: dict[str, str] = {}
    first_components: dict[str, int] = {}
    versions = [(1, "approved", "", {}), (2, "testing", story.PROFILE_V2_NOTE, story.V2_ADDED)]
    for (number, status, note, added), day in zip(versions, story.PROFILE_DAYS, strict=True):
        profile = await _insert(
            PracticeProfile(
                intervention=intervention,
                initiative=initiative_id,
                number=number,
                status=status,
                change_note=note,
                created_by=author if number > 1 else lead,
                created_at=cal.at(day),
            )
        )
        levels = [
            await _insert(
                ContinuumLevel(profile=profile, position=i, label=label, meets_fidelity=i == 1)
            )
            for i, label in enumerate(story.LEVELS, start=1)
        ]
        for c_pos, component in enumerate(story.COMPONENTS, start=1):
            component_id = await _insert(
                CoreComponent(
                    profile=profile,
                    initiative=initiative_id,
                    position=c_pos,
                    name=component.name,
                    description=component.description,
                    lineage=component_lineage.setdefault(component.key, _lineage()),
                )
            )
            if number == 1:
                first_components[component.key] = component_id
            behaviours = [*component.behaviours, *added.get(component.key, [])]
            for b_pos, behaviour in enumerate(behaviours, start=1):
                behaviour_id = await _insert(
                    PracticeBehaviour(
                        component=component_id,
                        position=b_pos,
                        text=behaviour.text,
                        role=behaviour.role,
                        lineage=behaviour_lineage.setdefault(behaviour.key, _lineage()),
                    )
                )
                await Descriptor.insert(
                    *[
                        Descriptor(behaviour=behaviour_id, level=level, text=text)
                        for level, text in zip(levels, behaviour.descriptors, strict=True)
                    ]
                )
    return first_components


async def _stages(
    initiative_id: int, cal: _Calendar, lead: int | None, liaison: int | None
) -> None:
    agency = await Initiative.select(Initiative.agency).where(Initiative.id == initiative_id)
    stages = {
        s["position"]: s["id"]
        for s in await CIStage.select(CIStage.id, CIStage.position).where(
            CIStage.agency == agency[0]["agency"]
        )
    }
    progress: dict[int, int] = {}
    for position, (status, started, done, ticked, evidence) in story.STAGE_PROGRESS.items():
        progress[position] = await _insert(
            StageProgress(
                initiative=initiative_id,
                stage=stages[position],
                status=status,
                started_on=cal.day(started),
                done_on=cal.day(done) if done is not None else None,
            )
        )
        for i, title in enumerate(DEFAULT_STAGE_TASKS[position]):
            url, note = evidence.get(i, ("", ""))
            finished = i in ticked
            await _insert(
                StageTask(
                    progress=progress[position],
                    position=i + 1,
                    title=title,
                    done=finished,
                    evidence_url=url,
                    evidence_note=note,
                    done_at=cal.at(done if done is not None else started + 3 * i)
                    if finished
                    else None,
                )
            )
    for position, day, decision, notes, sign_off in story.GATE_DECISIONS:
        decision_id = await _insert(
            GateDecision(
                progress=progress[position],
                decision=decision,
                notes=notes,
                decided_by=lead,
                decided_at=cal.at(day),
            )
        )
        if sign_off:
            await _insert(
                GateSignOff(
                    decision=decision_id,
                    signed_by=liaison,
                    signed_at=cal.at(day + 1, 10),
                    comment=sign_off,
                )
            )


async def _readiness(initiative_id: int, cal: _Calendar, lead: int | None) -> None:
    for day, motivation, general, specific, notes in story.READINESS:
        await _insert(
            ReadinessAssessment(
                initiative=initiative_id,
                assessed_on=cal.day(day),
                motivation=motivation,
                motivation_notes=notes[0],
                general_capacity=general,
                general_capacity_notes=notes[1],
                specific_capacity=specific,
                specific_capacity_notes=notes[2],
                assessed_by=lead,
                created_at=cal.at(day),
            )
        )


async def _item_links(
    item_ids: dict[str, int],
    findings: dict[str, int],
    components: dict[str, int],
    links: dict[str, int],
) -> int:
    rows_f, rows_c, rows_l = [], [], []
    for key, (finding_keys, component_keys, link_keys) in story.ITEM_LINKS.items():
        item = item_ids[key]
        rows_f += [ItemFinding(item=item, finding=findings[k]) for k in finding_keys]
        rows_c += [ItemComponent(item=item, component=components[k]) for k in component_keys]
        rows_l += [ItemCausalLink(item=item, link=links[k]) for k in link_keys]
    for rows in (rows_f, rows_c, rows_l):
        if rows:
            await type(rows[0]).insert(*rows)
    return len(story.ITEM_LINKS)
