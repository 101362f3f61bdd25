"""The demo collaborative (DESIGN.md story 2): 21 member teams of every kind, a calendar,
a change package adopted into the teams' backlogs and tested in PDSA cycles, one shared
measure every team reports; loaded once, free of anything that looks like PII."""

from __future__ import annotations

import html
from collections import Counter
from datetime import timedelta

import pytest

from backend import clock
from backend.accounts.permissions import LIAISON
from backend.accounts.tables import Agency, LiaisonAssignment, Membership, User
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
from backend.db import all_tables
from backend.measures import queries as measure_queries
from backend.measures.tables import DataPoint, Measure
from backend.pdsa.tables import PdsaCycle, PdsaItem, PdsaMeasure
from backend.scrum.tables import BacklogItem
from backend.web import pii
from seeds import collaborative_play, demo, people
from seeds import collaborative_story as story
from seeds.parent_engagement import INITIATIVE


@pytest.fixture
async def collaborative(app) -> dict:
    summary = await demo.build()
    rows = await Collaborative.select()
    assert len(rows) == 1
    assert f"/collaboratives/{rows[0]['id']}" in summary
    assert "21 teams" in summary
    return rows[0]


async def _teams(collaborative_id: int) -> list[dict]:
    return await CollaborativeTeam.select(
        CollaborativeTeam.initiative,
        CollaborativeTeam.initiative.title.as_alias("title"),
        CollaborativeTeam.initiative.agency.as_alias("agency"),
        CollaborativeTeam.initiative.agency.kind.as_alias("kind"),
        CollaborativeTeam.initiative.agency.name.as_alias("agency_name"),
    ).where(CollaborativeTeam.collaborative == collaborative_id)


async def test_one_collaborative_of_21_state_county_and_tribal_teams(collaborative):
    today = clock.today()
    assert collaborative["name"] == story.COLLABORATIVE["name"]
    assert collaborative["share_cycles"] is True
    assert collaborative["start_date"] < today < collaborative["end_date"]
    assert 9 * 30 < (today - collaborative["start_date"]).days < 11 * 31
    assert 17 * 30 < (collaborative["end_date"] - collaborative["start_date"]).days < 18 * 31
    teams = await _teams(collaborative["id"])
    assert len(teams) == 21
    kinds = Counter(t["kind"] for t in teams)
    assert kinds["state"] == 1 and kinds["county"] >= 12 and kinds["tribal"] >= 5
    assert len({t["agency"] for t in teams}) == 21
    assert {t["title"] for t in teams} == {story.INITIATIVE["title"]}
    assert all(t["agency_name"].endswith("(demo)") for t in teams)
    # The Bay State demo initiative stays out of it.
    assert INITIATIVE["title"] not in {t["title"] for t in teams}


async def test_the_liaison_and_a_faculty_person_run_it_without_assignments(collaborative):
    faculty = await Faculty.select(Faculty.user, Faculty.user.email.as_alias("email")).where(
        Faculty.collaborative == collaborative["id"]
    )
    emails = {f["email"] for f in faculty}
    assert emails == {people.person(LIAISON).email, collaborative_play.faculty_email()}
    faculty_person = next(f["user"] for f in faculty if f["email"] != people.person(LIAISON).email)
    assert not await Membership.exists().where(Membership.user == faculty_person)
    assert not await LiaisonAssignment.exists().where(LiaisonAssignment.user == faculty_person)
    team_agencies = [t["agency"] for t in await _teams(collaborative["id"])]
    assert not await LiaisonAssignment.exists().where(LiaisonAssignment.agency.is_in(team_agencies))
    assert not await Membership.exists().where(Membership.agency.is_in(team_agencies))


async def test_three_two_day_learning_sessions_alternate_with_action_periods(collaborative):
    rows = (
        await CollaborativeSession.select()
        .where(CollaborativeSession.collaborative == collaborative["id"])
        .order_by(CollaborativeSession.start_date)
    )
    assert [r["kind"] for r in rows] == ["learning_session", "action_period"] * 3
    for row in rows:
        if row["kind"] == "learning_session":
            assert (row["end_date"] - row["start_date"]).days == 1
            assert row["start_date"].weekday() == 1  # Tuesday and Wednesday
    for before, after in zip(rows, rows[1:], strict=False):
        assert after["start_date"] == before["end_date"] + timedelta(days=1)
    assert rows[0]["start_date"] >= collaborative["start_date"]
    assert rows[-1]["end_date"] == collaborative["end_date"]
    # One learning session is still to come.
    assert rows[-2]["start_date"] > clock.today()


async def test_every_team_reports_the_shared_measure_and_improvers_show_a_shift(collaborative):
    shared = await SharedMeasure.select().where(SharedMeasure.collaborative == collaborative["id"])
    assert [s["name"] for s in shared] == ["Safety assessments completed within 24 hours"]
    links = await SharedMeasureLink.select(
        SharedMeasureLink.measure, SharedMeasureLink.measure.initiative.as_alias("initiative")
    ).where(SharedMeasureLink.shared == shared[0]["id"])
    teams = await _teams(collaborative["id"])
    assert sorted(link["initiative"] for link in links) == sorted(t["initiative"] for t in teams)
    shifts = 0
    for link in links:
        count = await DataPoint.count().where(DataPoint.measure == link["measure"])
        assert 10 <= count <= 14
        chart = await measure_queries.chart_data(link["measure"], suppress_small=False)
        shifts += any(s.rule == "shift" for s in chart.analysis.signals)
    improvers = sum(1 for t in story.TEAMS if t.lift)
    assert shifts == improvers and 0 < improvers < 21
    measures = await Measure.select(Measure.name, Measure.is_rate).where(
        Measure.id.is_in([link["measure"] for link in links])
    )
    assert {(m["name"], m["is_rate"]) for m in measures} == {(shared[0]["name"], True)}


async def test_six_ideas_adopted_into_backlogs_and_tested_with_decisions(collaborative):
    ideas = await ChangeIdea.select().where(ChangeIdea.collaborative == collaborative["id"])
    assert len(ideas) == 6
    titles = {i["id"]: i["title"] for i in ideas}
    adoptions = await Adoption.select(
        Adoption.idea,
        Adoption.initiative,
        Adoption.item,
        Adoption.item.title.as_alias("item_title"),
        Adoption.item.kind.as_alias("item_kind"),
        Adoption.item.initiative.as_alias("item_initiative"),
    ).where(Adoption.idea.is_in(list(titles)))
    per_team = Counter(a["initiative"] for a in adoptions)
    assert len(per_team) == 21 and all(2 <= n <= 4 for n in per_team.values())
    for adoption in adoptions:
        assert adoption["item_kind"] == "story"
        assert adoption["item_title"] == f"Change idea: {titles[adoption['idea']]}"
        assert adoption["item_initiative"] == adoption["initiative"]
    assert len({a["idea"] for a in adoptions}) == 6

    teams = [t["initiative"] for t in await _teams(collaborative["id"])]
    cycles = await PdsaCycle.select().where(PdsaCycle.initiative.is_in(teams))
    per_team_cycles = Counter(c["initiative"] for c in cycles)
    assert len(per_team_cycles) == 21 and all(1 <= n <= 3 for n in per_team_cycles.values())
    assert all(c["act_decision"] for c in cycles)
    assert {"adopt", "adapt", "abandon"} <= {c["act_decision"] for c in cycles}
    assert any(c["parent"] for c in cycles)
    # Each cycle is linked to the adoption's item of its idea (how faculty see
    # which teams test which idea), and to the team's shared measure.
    item_of = {(a["initiative"], titles[a["idea"]]): a["item"] for a in adoptions}
    links = {
        r["cycle"]: r["item"]
        for r in await PdsaItem.select().where(PdsaItem.cycle.is_in([c["id"] for c in cycles]))
    }
    for cycle in cycles:
        assert links[cycle["id"]] == item_of[(cycle["initiative"], cycle["change_idea"])]
    assert await PdsaMeasure.count().where(
        PdsaMeasure.cycle.is_in([c["id"] for c in cycles])
    ) == len(cycles)


async def test_building_again_adds_nothing(collaborative):
    before = {t._meta.tablename: await t.count() for t in all_tables()}
    summary = await demo.build()
    assert "already there" in summary
    assert {t._meta.tablename: await t.count() for t in all_tables()} == before


async def test_outside_local_development_the_faculty_person_has_no_password(app):
    await demo.build(local=False)
    rows = await User.select(User.password_hash).where(
        User.email == collaborative_play.faculty_email()
    )
    assert rows == [{"password_hash": ""}]


async def test_the_collaborative_text_raises_no_pii_alarm(collaborative):
    """Like tests/test_pii_forms.py's scan of the demo, over what this story writes."""
    teams = await _teams(collaborative["id"])
    initiatives = [t["initiative"] for t in teams]
    texts = [collaborative["name"], collaborative["topic"]]
    texts += [r["name"] for r in await Agency.select(Agency.name)]
    for table, columns, where in (
        (CollaborativeSession, ("title", "notes"), CollaborativeSession.collaborative),
        (ChangeIdea, ("title", "description"), ChangeIdea.collaborative),
        (SharedMeasure, ("name", "definition"), SharedMeasure.collaborative),
    ):
        for row in await table.select().where(where == collaborative["id"]):
            texts += [row[c] for c in columns]
    for row in await BacklogItem.select().where(BacklogItem.initiative.is_in(initiatives)):
        texts += [row["title"], row["narrative"], row["acceptance_criteria"]]
    cycle_columns = (
        "change_idea",
        "objective",
        "questions",
        "prediction",
        "plan_who",
        "plan_what",
        "plan_when",
        "plan_where",
        "data_plan",
        "observations",
        "study",
        "act_notes",
    )
    for row in await PdsaCycle.select().where(PdsaCycle.initiative.is_in(initiatives)):
        texts += [row[c] for c in cycle_columns]
    shapes = pii.case_number_pattern("CW-######\nAA########")
    alarms = [text for text in texts if pii.kinds_in(text or "", shapes)]
    assert len(texts) > 500
    assert not alarms, alarms


async def test_the_faculty_reads_every_page_of_the_demo_collaborative(collaborative, client):
    from backend.collaboratives.tables import SharedMeasure

    faculty = await User.select(User.id).where(User.email == people.person(LIAISON).email)
    await client.sign_in_as(faculty[0]["id"])
    cid = collaborative["id"]
    teams = await _teams(cid)
    detail = await client.get(f"/collaboratives/{cid}")
    assert detail.status_code == 200
    for team in teams:
        assert team["agency_name"] in html.unescape(detail.text)
    shared = await SharedMeasure.select(SharedMeasure.id).where(SharedMeasure.collaborative == cid)
    for url in (
        "/collaboratives",
        f"/collaboratives/{cid}/feed",
        f"/collaboratives/{cid}/measures",
        f"/collaboratives/{cid}/measures/{shared[0]['id']}",
    ):
        response = await client.get(url)
        assert response.status_code == 200, url
    cross_team = html.unescape(
        (await client.get(f"/collaboratives/{cid}/measures/{shared[0]['id']}")).text
    )
    assert sum(team["agency_name"] in cross_team for team in teams) == len(teams)
