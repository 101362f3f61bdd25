"""The demo world's evidence: measures with real shifts, PDSA chains, pilot sites with
fidelity assessments of both profile versions, and a small PIP."""

from __future__ import annotations

from backend.fidelity.tables import FidelityAssessment
from backend.initiatives.tables import Initiative
from backend.measures import queries as measure_queries
from backend.measures.tables import DataPoint, Measure
from backend.pdsa.tables import PdsaCycle, PdsaItem
from backend.pip.tables import Pip, PipActivity, PipMeasurement
from backend.practice.tables import PracticeProfile
from backend.sites.tables import Site
from seeds import demo, evidence_story
from seeds.parent_engagement import INITIATIVE


async def _demo_initiative() -> int:
    await demo.build()
    rows = await Initiative.select(Initiative.id).where(Initiative.title == INITIATIVE["title"])
    return rows[0]["id"]


async def _measure(initiative: int, name: str) -> int:
    rows = await Measure.select(Measure.id).where(
        (Measure.initiative == initiative) & (Measure.name == name)
    )
    return rows[0]["id"]


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


async def test_the_outcome_measures_move_as_boston_published_and_show_a_shift(app):
    initiative = await _demo_initiative()
    expected = {
        # name: (direction of change, relative change of the yearly means, roughly)
        "Children placed first with relatives or kin": (1.45, 0.1),
        "Sibling groups placed together": (1.15, 0.07),
        "Re-entry into care within 12 months": (20 / 30, 0.07),
    }
    for name, (ratio, tolerance) in expected.items():
        measure = await _measure(initiative, name)
        points = (
            await DataPoint.select(DataPoint.value)
            .where(DataPoint.measure == measure)
            .order_by(DataPoint.period_start)
        )
        values = [p["value"] for p in points]
        assert len(values) == 24
        change = _mean(values[12:]) / _mean(values[:12])
        assert abs(change - ratio) < tolerance, (name, change)
        chart = await measure_queries.chart_data(measure, suppress_small=False)
        rules = {signal.rule for signal in chart.analysis.signals}
        assert "shift" in rules, (name, chart.analysis.signals)


async def test_the_measure_pages_of_the_demo_render_with_their_signals(app, client):
    initiative = await _demo_initiative()
    from backend.accounts.tables import User
    from seeds import people

    lead = await User.select(User.id).where(User.email == people.person("agency_lead").email)
    await client.sign_in_as(lead[0]["id"])
    page = await client.get(f"/initiatives/{initiative}/measures")
    assert page.status_code == 200
    for seed in evidence_story.MEASURES:
        assert seed.name in page.text
    kinship = await _measure(initiative, evidence_story.MEASURES[0].name)
    detail = await client.get(f"/measures/{kinship}")
    assert detail.status_code == 200
    assert "useful observations" in detail.text
    assert "Shift" in detail.text


async def test_the_demo_has_pdsa_chains_with_every_kind_of_decision(app):
    initiative = await _demo_initiative()
    cycles = await PdsaCycle.select().where(PdsaCycle.initiative == initiative)
    assert len(cycles) == len(evidence_story.CYCLES)
    decisions = {c["act_decision"] for c in cycles}
    assert {"adopt", "adapt", "abandon"} <= decisions
    by_id = {c["id"]: c for c in cycles}
    longest = 0
    for cycle in cycles:
        depth, parent = 1, cycle["parent"]
        while parent:
            depth, parent = depth + 1, by_id[parent]["parent"]
        longest = max(longest, depth)
    assert longest >= 3
    assert await PdsaItem.count().where(PdsaItem.cycle.initiative == initiative) >= 2


async def test_four_pilot_sites_have_fidelity_assessments_of_both_profile_versions(app):
    initiative = await _demo_initiative()
    sites = await Site.select().where(Site.rollout_phase == "pilot")
    assert len(sites) == 4
    assessments = await FidelityAssessment.select(
        FidelityAssessment.site, FidelityAssessment.profile.number.as_alias("number")
    ).where(FidelityAssessment.initiative == initiative)
    assert {a["site"] for a in assessments} == {s["id"] for s in sites}
    assert {a["number"] for a in assessments} == {1, 2}
    profiles = await PracticeProfile.select(PracticeProfile.number, PracticeProfile.status).where(
        PracticeProfile.initiative == initiative
    )
    assert sorted((p["number"], p["status"]) for p in profiles) == [(1, "approved"), (2, "testing")]
    fed = await Measure.select(Measure.id).where(
        (Measure.initiative == initiative) & (Measure.kind == "fidelity")
    )
    assert await DataPoint.count().where(
        (DataPoint.measure == fed[0]["id"]) & (DataPoint.source == "fidelity")
    )


async def test_the_demo_pip_has_activities_behind_and_on_the_board(app):
    await _demo_initiative()
    pips = await Pip.select()
    assert len(pips) == 1
    activities = await PipActivity.select().where(PipActivity.strategy.goal.pip == pips[0]["id"])
    assert any(a["status"] == "behind" for a in activities)
    assert sum(1 for a in activities if a["item"]) == 2
    lines = await PipMeasurement.select().where(PipMeasurement.pip == pips[0]["id"])
    assert len(lines) == len(evidence_story.PIP_MEASUREMENTS)
    assert any(line["measure"] for line in lines)
