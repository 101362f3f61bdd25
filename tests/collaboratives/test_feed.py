"""What others are testing: member teams' PDSA cycles, shared only when the collaborative
allows it (faculty and site admins always see all), newest first, capped, constant queries."""

from __future__ import annotations

from datetime import date, timedelta

from backend.pdsa.tables import PdsaCycle
from tests.collaboratives.build import collaborative_of, make_teams
from tests.pdsa.build import decided, make_cycle, make_site
from tests.practice.html import tables_of


def _feed_rows(html: str) -> list[list[str]]:
    tables = [t for t in tables_of(html) if "PDSA cycles of the member teams" in t["caption"]]
    if not tables:
        return []
    return [[cell[2].strip() for cell in row] for row in tables[0]["bodies"][0]["rows"]]


async def _cycles(world):
    site = await make_site(world.agency_id)
    ours = await decided(
        world.initiative_id,
        "adapt",
        change_idea="Safety mapping at intake",
        site=site,
        start_date=date(2026, 2, 2),
    )
    theirs = await make_cycle(
        world.other_initiative_id, "Family meetings within a week", start_date=date(2026, 3, 2)
    )
    undated = await make_cycle(world.other_initiative_id, "Not dated yet")
    return ours, theirs, undated


async def test_a_team_member_sees_other_teams_cycles_when_sharing_is_on(client_as, world):
    collaborative_id = await collaborative_of([world.initiative_id, world.other_initiative_id])
    ours, theirs, _ = await _cycles(world)
    member = await client_as(world.users["team_member"])
    page = await member.get(f"/collaboratives/{collaborative_id}/feed")
    assert page.status_code == 200
    rows = _feed_rows(page.text)
    # Newest first by start date; undated last.
    assert [r[0] for r in rows] == [
        "Family meetings within a week",
        "Safety mapping at intake",
        "Not dated yet",
    ]
    assert rows[1] == [
        "Safety mapping at intake",
        "Parent engagement (Test Agency)",
        "North Area Office",
        "2 Feb 2026",
        "Done",
        "Adapt",
    ]
    assert rows[0][1:] == [
        "Other initiative (Other Agency)",
        "",
        "2 Mar 2026",
        "Plan",
        "Not decided yet",
    ]
    # Links only to cycles of agencies the person can read.
    assert f'href="/pdsa/{ours}"' in page.text
    assert f'href="/pdsa/{theirs}"' not in page.text
    assert "3 cycles from 2 teams" in page.text


async def test_with_sharing_off_a_member_sees_only_their_own_team_but_faculty_see_all(
    client_as, world
):
    faculty = await client_as(world.users["scrum_master"])
    collaborative_id = await collaborative_of(
        [world.initiative_id, world.other_initiative_id],
        share_cycles=False,
        faculty=[world.users["scrum_master"]],
    )
    await _cycles(world)
    url = f"/collaboratives/{collaborative_id}/feed"
    for person in ("team_member", "viewer", "liaison"):
        page = await (await client_as(world.users[person])).get(url)
        assert [r[0] for r in _feed_rows(page.text)] == ["Safety mapping at intake"], person
        assert "does not share PDSA cycles between teams" in page.text
    other = await (await client_as(world.users["other_lead"])).get(url)
    assert [r[0] for r in _feed_rows(other.text)] == [
        "Family meetings within a week",
        "Not dated yet",
    ]
    for client in (faculty, await client_as(world.users["admin"])):
        page = await client.get(url)
        assert len(_feed_rows(page.text)) == 3
        assert "does not share" not in page.text


async def test_the_feed_lists_the_newest_hundred_with_the_count(client, world):
    collaborative_id = await collaborative_of([world.initiative_id])
    first = date(2025, 1, 1)
    await PdsaCycle.insert(
        *[
            PdsaCycle(
                initiative=world.initiative_id,
                change_idea=f"Idea {n}",
                start_date=first + timedelta(days=n),
            )
            for n in range(105)
        ]
    )
    page = await client.get(f"/collaboratives/{collaborative_id}/feed")
    rows = _feed_rows(page.text)
    assert len(rows) == 100
    assert rows[0][0] == "Idea 104" and rows[-1][0] == "Idea 5"
    assert "The newest 100 of 105 cycles" in page.text


async def test_the_feed_runs_a_constant_number_of_queries(client, world, count_queries):
    async def counted(team_count: int) -> int:
        teams = await make_teams(world.agency_id, team_count)
        collaborative_id = await collaborative_of(teams)
        for team in teams:
            await make_cycle(team, "Idea", start_date=date(2026, 1, 5))
            await decided(team, "adopt", start_date=date(2026, 2, 5))
        url = f"/collaboratives/{collaborative_id}/feed"
        await client.get(url)
        with count_queries() as log:
            response = await client.get(url)
        assert len(_feed_rows(response.text)) == 2 * team_count
        return log.count

    assert await counted(2) == await counted(8)
