"""The demo world's C&I side: DESIGN.md story 1's findings, theory, profile and links."""

from __future__ import annotations

from backend.exploration.tables import CausalLink, Finding, ProblemStatement, TheoryOfChange
from backend.initiatives.tables import GateDecision, GateSignOff, Initiative, StageProgress
from backend.practice.tables import CoreComponent, PracticeBehaviour, PracticeProfile
from backend.scrum.tables import BacklogItem
from backend.traceability.tables import ItemCausalLink, ItemComponent, ItemFinding
from seeds import change_story, demo
from seeds.parent_engagement import INITIATIVE


async def _demo_initiative(app) -> int:
    await demo.build()
    rows = await Initiative.select(Initiative.id).where(Initiative.title == INITIATIVE["title"])
    return rows[0]["id"]


async def test_the_demo_has_the_fathers_engagement_findings(app):
    initiative = await _demo_initiative(app)
    findings = await Finding.select().where(Finding.initiative == initiative)
    assert len(findings) == len(change_story.FINDINGS)
    segments = {f["segment"] for f in findings}
    assert "Black and Hispanic fathers" in segments
    kinds = {f["kind"] for f in findings}
    assert kinds == {"observation", "root_cause", "contributing_factor"}
    assert any("no written practice behaviours" in f["statement"] for f in findings)
    statements = await ProblemStatement.select().where(ProblemStatement.initiative == initiative)
    assert sorted(s["number"] for s in statements) == [1, 2]


async def test_the_demo_theory_of_change_has_two_versions_and_its_outcome_is_the_goal(app):
    initiative = await _demo_initiative(app)
    theories = (
        await TheoryOfChange.select()
        .where(TheoryOfChange.initiative == initiative)
        .order_by(TheoryOfChange.number)
    )
    assert [t["number"] for t in theories] == [1, 2]
    goal = await Initiative.select(Initiative.product_goal).where(Initiative.id == initiative)
    assert theories[-1]["long_term_outcome"] == goal[0]["product_goal"]
    counts = [await CausalLink.count().where(CausalLink.theory == t["id"]) for t in theories]
    assert counts == [len(change_story.CAUSAL_LINKS), len(change_story.CAUSAL_LINKS_V2)]


async def test_the_demo_profile_has_three_components_in_v1_and_v2(app):
    initiative = await _demo_initiative(app)
    profiles = (
        await PracticeProfile.select()
        .where(PracticeProfile.initiative == initiative)
        .order_by(PracticeProfile.number)
    )
    assert [(p["number"], p["status"]) for p in profiles] == [(1, "approved"), (2, "testing")]
    names = []
    for profile in profiles:
        rows = (
            await CoreComponent.select(CoreComponent.name, CoreComponent.lineage)
            .where(CoreComponent.profile == profile["id"])
            .order_by(CoreComponent.position)
        )
        names.append([(r["name"], r["lineage"]) for r in rows])
    assert names[0] == names[1]  # same components, same lineage
    assert [n for n, _ in names[0]] == [
        "Parent, caregiver and family voice",
        "Authenticity and transparency",
        "Partnership",
    ]
    v1, v2 = [
        await PracticeBehaviour.count().where(PracticeBehaviour.component.profile == p["id"])
        for p in profiles
    ]
    assert v2 == v1 + 3


async def test_most_demo_stories_are_linked_and_some_gaps_remain(app):
    initiative = await _demo_initiative(app)
    stories = await BacklogItem.select(BacklogItem.id).where(
        (BacklogItem.initiative == initiative) & (BacklogItem.kind == "story")
    )
    story_ids = {s["id"] for s in stories}
    linked = set()
    for table in (ItemFinding, ItemComponent, ItemCausalLink):
        linked |= {r["item"] for r in await table.select(table.item)}
    assert len(linked & story_ids) > len(story_ids) / 2
    assert story_ids - linked  # the traceability view has something to show


async def test_the_demo_stage_map_has_gate_history_with_a_liaison_sign_off(app):
    initiative = await _demo_initiative(app)
    progress = await StageProgress.select(StageProgress.status).where(
        StageProgress.initiative == initiative
    )
    assert {p["status"] for p in progress} >= {"done", "active"}
    decisions = await GateDecision.select(GateDecision.decision)
    assert [d["decision"] for d in decisions].count("advance") == 2
    assert await GateSignOff.count() == 2
