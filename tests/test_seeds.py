"""The demo world loads through the services, tells a consistent story, and loads once."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from backend import clock
from backend.accounts.passwords import password_problem, verify_password
from backend.accounts.permissions import LIAISON, ROLES
from backend.accounts.tables import Agency, LiaisonAssignment, Membership, User
from backend.config import Settings
from backend.db import all_tables
from backend.initiatives.tables import Initiative
from backend.scrum import metrics
from backend.scrum.tables import BacklogItem, BoardColumn, ItemBlock, ItemHistory, Release, Sprint
from seeds import collaborative_story, demo, people, second_agency
from seeds.parent_engagement import INITIATIVE


async def initiative_id_of(title: str) -> int:
    rows = await Initiative.select(Initiative.id).where(Initiative.title == title)
    return rows[0]["id"]


async def user_id_of(p: people.Person) -> int:
    rows = await User.select(User.id).where(User.email == p.email)
    return rows[0]["id"]


@pytest.fixture
async def demo_world(app) -> int:
    summary = await demo.build()
    initiative_id = await initiative_id_of(INITIATIVE["title"])
    assert f"/initiatives/{initiative_id}" in summary
    return initiative_id


async def row_counts() -> dict[str, int]:
    return {t._meta.tablename: await t.count() for t in all_tables()}


async def test_the_demo_has_closed_active_and_planned_sprints(demo_world):
    sprints = await Sprint.select().where(Sprint.initiative == demo_world).order_by(Sprint.number)
    states = [s["state"] for s in sprints]
    assert len(sprints) >= 5
    assert states.count("active") == 1 and states.count("planned") >= 1
    assert states.count("closed") >= 3
    active = next(s for s in sprints if s["state"] == "active")
    assert 0 < (clock.today() - active["start_date"]).days < 14
    for sprint in sprints:
        if sprint["state"] == "closed":
            assert sprint["committed_points"] > 0 and sprint["completed_points"] > 0
            assert sprint["closed_at"] is not None and sprint["review_notes"]
    # The clock is real again afterwards.
    assert abs((clock.now() - datetime.now(UTC)).total_seconds()) < 60


async def test_the_backlog_spans_stages_kinds_and_has_blockers(demo_world):
    items = await BacklogItem.select(
        BacklogItem.kind, BacklogItem.stage, BacklogItem.acceptance_criteria
    ).where(BacklogItem.initiative == demo_world)
    assert len(items) >= 40
    assert len({i["stage"] for i in items}) >= 5
    assert {"story", "task", "spike", "pdsa_test", "pip_activity", "impediment"} <= {
        i["kind"] for i in items
    }
    assert all(i["acceptance_criteria"].startswith("- ") for i in items)
    assert await ItemBlock.count() >= 5
    releases = await Release.select(Release.name).where(Release.initiative == demo_world)
    assert {r["name"] for r in releases} == {
        "Problem exploration complete",
        "Practice profile v1 tested",
        "Pilot in four area offices",
    }


async def test_a_closed_sprint_burndown_has_a_row_per_day_and_shows_scope_change(demo_world):
    closed = await (
        Sprint.select()
        .where((Sprint.initiative == demo_world) & (Sprint.state == "closed"))
        .order_by(Sprint.number)
    )
    burndowns = [await metrics.sprint_burndown(s, clock.now()) for s in closed]
    for sprint, burndown in zip(closed, burndowns, strict=True):
        days = (sprint["end_date"] - sprint["start_date"]).days + 1
        assert len(burndown.days) == days
        assert all(d.remaining is not None for d in burndown.days)
        assert burndown.committed == sprint["committed_points"]
        assert burndown.days[0].remaining <= burndown.committed
        # Work was really done over the sprint, not all on one day.
        assert len({d.remaining for d in burndown.days}) >= 4
    assert any(b.scope_changed for b in burndowns)


@pytest.mark.parametrize("weekday", range(7))
async def test_the_demo_team_works_weekdays_whatever_day_it_is_loaded(app, weekday):
    loaded_on = datetime(2026, 11, 23 + weekday, 8, tzinfo=UTC)  # Monday 23 Nov + weekday
    clock.set_clock(lambda: loaded_on)  # build() puts the real clock back
    await demo.build()
    sprints = await Sprint.select(Sprint.start_date, Sprint.end_date, Sprint.state)
    assert {s["start_date"].weekday() for s in sprints} == {0}  # Mondays
    active = next(s for s in sprints if s["state"] == "active")
    # The sprint the demo is working in began before today and has not ended.
    assert active["start_date"] < loaded_on.date() <= active["end_date"]
    history = await ItemHistory.select(ItemHistory.at)
    assert all(h["at"].weekday() < 5 for h in history)
    assert all(h["at"] < loaded_on for h in history)


async def test_no_demo_item_is_finished_before_an_item_that_blocks_it(demo_world):
    blocks = await ItemBlock.select(
        ItemBlock.item.done_at.as_alias("item_done"),
        ItemBlock.blocker.done_at.as_alias("blocker_done"),
        ItemBlock.item.title.as_alias("title"),
    )
    assert blocks
    for block in blocks:
        if block["item_done"] is not None:
            assert block["blocker_done"] is not None, block["title"]
            assert block["blocker_done"] <= block["item_done"], block["title"]


async def test_velocity_has_a_point_per_closed_sprint(demo_world):
    points = await metrics.velocity(demo_world)
    closed = await Sprint.count().where(
        (Sprint.initiative == demo_world) & (Sprint.state == "closed")
    )
    assert len(points) == closed
    assert all(p.completed > 0 for p in points)


async def test_a_carried_over_item_history_names_two_sprints(demo_world):
    carried = await ItemHistory.select(ItemHistory.item).where(ItemHistory.change == "carried_over")
    assert carried
    sprints = await ItemHistory.select(ItemHistory.sprint).where(
        (ItemHistory.item == carried[0]["item"]) & ItemHistory.sprint.is_not_null()
    )
    assert len({r["sprint"] for r in sprints}) == 2


async def test_building_twice_changes_nothing(demo_world):
    before = await row_counts()
    summary = await demo.build()
    assert "already there" in summary and f"/initiatives/{demo_world}" in summary
    assert await row_counts() == before
    assert await Agency.count() == 2 + len(collaborative_story.TEAMS)


async def test_the_main_pages_of_the_demo_render(app, client, demo_world):
    await client.sign_in_as(await user_id_of(people.person("product_owner")))
    story = await BacklogItem.select(BacklogItem.id).where(BacklogItem.kind == "story").first()
    sprint = await Sprint.select(Sprint.id).where(Sprint.state == "closed").first()
    release = await Release.select(Release.id).first()
    pages = [
        ("initiatives.detail", {"initiative_id": demo_world}),
        ("scrum.backlog", {"initiative_id": demo_world}),
        ("scrum.board", {"initiative_id": demo_world}),
        ("scrum.sprints", {"initiative_id": demo_world}),
        ("scrum.releases", {"initiative_id": demo_world}),
        ("scrum.charts", {"initiative_id": demo_world}),
        ("scrum.item", {"item_id": story["id"]}),
        ("scrum.sprint", {"sprint_id": sprint["id"]}),
        ("scrum.release", {"release_id": release["id"]}),
    ]
    urls = [app.route_reverse(name, **params) for name, params in pages]
    for url in urls:
        response = await client.get(url)
        assert response.status_code == 200, url
    detail = await client.get(urls[0])
    assert "Parent engagement practice profile" in detail.text
    board_url = app.route_reverse("scrum.board", initiative_id=demo_world)
    board = await client.get(board_url)
    assert "Practice profile v1 revised and approved for the pilot" in board.text


# ---------------------------------------------------------------- the second agency


async def test_the_county_agency_has_a_small_estimated_backlog_and_an_active_sprint(demo_world):
    agency = await Agency.select().where(Agency.slug == second_agency.AGENCY["slug"]).first()
    assert agency["kind"] == "county" and agency["state"] != "MA"
    county = await initiative_id_of(second_agency.INITIATIVE["title"])
    items = await BacklogItem.select(BacklogItem.estimate, BacklogItem.sprint).where(
        BacklogItem.initiative == county
    )
    assert len(items) == len(second_agency.ITEMS)
    estimates = [i["estimate"] for i in items]
    assert None in estimates and any(estimates)
    sprints = await Sprint.select().where(Sprint.initiative == county)
    assert [s["state"] for s in sprints] == ["active"]
    assert sprints[0]["committed_points"] > 0
    assert sum(1 for i in items if i["sprint"] == sprints[0]["id"]) == len(
        second_agency.SPRINT.committed
    )


# ---------------------------------------------------------------- the demo people


async def test_every_role_has_a_demo_person_with_that_membership(demo_world):
    main = await Agency.select(Agency.id).where(Agency.slug == people.MAIN_SLUG).first()
    county = await Agency.select(Agency.id).where(Agency.slug == people.SECOND_SLUG).first()
    rows = await Membership.select(
        Membership.role, Membership.agency, Membership.active, Membership.user.email
    )
    memberships = {(r["user.email"], r["agency"]): r["role"] for r in rows if r["active"]}
    for role in ROLES:
        assert memberships[(people.person(role).email, main["id"])] == role
    lead = people.person("agency_lead", people.SECOND_SLUG)
    assert memberships == {
        **{(people.person(role).email, main["id"]): role for role in ROLES},
        (lead.email, county["id"]): "agency_lead",
    }
    admin = await User.select().where(User.email == people.person(people.SITE_ADMIN).email).first()
    assert admin["is_site_admin"] and admin["active"] and admin["totp_secret"] == ""
    assert await User.count().where(User.is_site_admin == True) == 1  # noqa: E712
    assert all(p.email.endswith("@demo.tandem.example") for p in people.PEOPLE)


async def test_the_liaison_supports_both_agencies_and_sees_both_initiatives(
    app, client, demo_world
):
    liaison = await user_id_of(people.person(LIAISON))
    assigned = await LiaisonAssignment.select(LiaisonAssignment.agency.slug).where(
        LiaisonAssignment.user == liaison
    )
    assert {r["agency.slug"] for r in assigned} == {people.MAIN_SLUG, people.SECOND_SLUG}
    assert not await Membership.exists().where(Membership.user == liaison)
    await client.sign_in_as(liaison)
    response = await client.get(app.route_reverse("initiatives.list"))
    assert response.status_code == 200
    assert INITIATIVE["title"] in response.text
    assert second_agency.INITIATIVE["title"] in response.text
    county = await initiative_id_of(second_agency.INITIATIVE["title"])
    board = await client.get(app.route_reverse("scrum.board", initiative_id=county))
    assert board.status_code == 200
    assert second_agency.SPRINT.goal in board.text


async def test_the_county_lead_sees_only_their_own_agency(app, client_as, demo_world):
    lead = await client_as(await user_id_of(people.person("agency_lead", people.SECOND_SLUG)))
    response = await lead.get(app.route_reverse("initiatives.list"))
    assert response.status_code == 200
    assert second_agency.INITIATIVE["title"] in response.text
    assert INITIATIVE["title"] not in response.text
    board = await lead.get(app.route_reverse("scrum.board", initiative_id=demo_world))
    assert board.status_code in (403, 404)


async def test_the_demo_viewer_cannot_move_a_card(app, client, demo_world):
    await client.sign_in_as(await user_id_of(people.person("viewer")))
    item = (
        await BacklogItem.select(BacklogItem.id, BacklogItem.status, BacklogItem.version)
        .where((BacklogItem.initiative == demo_world) & (BacklogItem.kind == "story"))
        .first()
    )
    done = await done_column_of(demo_world)
    response = await client.post_form(
        app.route_reverse("scrum.item_move", item_id=item["id"]), {"column": done}
    )
    assert response.status_code == 403
    after = (
        await BacklogItem.select(BacklogItem.status, BacklogItem.version)
        .where(BacklogItem.id == item["id"])
        .first()
    )
    assert after == {"status": item["status"], "version": item["version"]}


async def done_column_of(initiative_id: int) -> int:
    rows = await BoardColumn.select(BoardColumn.id).where(
        (BoardColumn.initiative == initiative_id) & (BoardColumn.is_done == True)  # noqa: E712
    )
    return rows[0]["id"]


async def test_locally_every_demo_person_signs_in_with_the_demo_password(
    app, client_as, demo_world
):
    assert password_problem(people.DEMO_PASSWORD) is None
    for p in people.PEOPLE:
        assert password_problem(people.DEMO_PASSWORD, context=(p.name, p.email)) is None
    hashes = {r["password_hash"] for r in await User.select(User.password_hash)}
    assert len(hashes) == 1  # hashed once, shared
    assert await verify_password(hashes.pop(), people.DEMO_PASSWORD)
    # Through the real sign-in form, as a person would.
    browser = await client_as()
    response = await browser.post_form(
        app.route_reverse("accounts.sign_in_submit"),
        {"email": people.person("product_owner").email, "password": people.DEMO_PASSWORD},
    )
    assert response.status_code == 303
    help_text = people.sign_in_help(Settings())
    assert people.DEMO_PASSWORD in help_text and "http://127.0.0.1:8000/" in help_text
    for p in people.PEOPLE:
        assert p.email in help_text


async def test_outside_local_development_demo_people_have_no_password(app):
    await demo.build(local=False)
    hashes = [r["password_hash"] for r in await User.select(User.password_hash)]
    # The demo people and the collaborative's faculty person (seeds/collaborative_play.py).
    assert len(hashes) == len(people.PEOPLE) + 1 and set(hashes) == {""}
    production = replace(Settings(), env="production", secret_key="s" * 40)
    help_text = people.sign_in_help(production)
    assert people.DEMO_PASSWORD not in help_text
    assert "python -m backend reset-password --email" in help_text
    assert people.person("product_owner").email in help_text
