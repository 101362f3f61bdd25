"""The change package: member teams adopt ideas into their own backlogs, and the
package shows who adopted what with their PDSA cycles' Act decisions."""

from __future__ import annotations

import re

from backend.accounts import services as accounts
from backend.collaboratives import services
from backend.collaboratives.tables import Adoption
from backend.pdsa import services as pdsa
from backend.scrum.tables import BacklogItem
from tests.collaboratives.build import make_collaborative, make_idea, make_team
from tests.factories import make_items, make_user


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


async def _setup(world, share_cycles: bool = True) -> tuple[int, int]:
    collaborative_id = await make_collaborative(share_cycles=share_cycles)
    await services.add_team(collaborative_id, world.initiative_id)
    return collaborative_id, await make_idea(collaborative_id)


async def _adopt(person, collaborative_id: int, idea_id: int, initiative_id: int):
    return await person.post_form(
        f"/collaboratives/{collaborative_id}/adopt",
        {"idea": str(idea_id), "initiative": str(initiative_id)},
    )


async def _cycle(initiative_id: int, item_id: int, idea: str, decision: str = "") -> int:
    cycle_id = await pdsa.create_cycle(
        initiative_id, {"change_idea": idea, "act_decision": decision}
    )
    await pdsa.link(cycle_id, [item_id], [])
    return cycle_id


async def test_a_team_member_adopts_an_idea_into_the_bottom_of_their_backlog(client_as, world):
    collaborative_id, idea_id = await _setup(world)
    existing = await make_items(world.initiative_id, 2)
    member = await client_as(world.users["team_member"])
    page = await member.get(f"/collaboratives/{collaborative_id}")
    assert "Adopt into Parent engagement backlog" in text_of(page.text)
    response = await _adopt(member, collaborative_id, idea_id, world.initiative_id)
    assert response.status_code == 303
    assert response.headers["location"].endswith(f"#idea-{idea_id}")
    adoption = (await Adoption.select())[0]
    assert adoption["initiative"] == world.initiative_id and adoption["idea"] == idea_id
    item = (await BacklogItem.select().where(BacklogItem.id == adoption["item"]))[0]
    assert item["initiative"] == world.initiative_id and item["kind"] == "story"
    assert item["title"] == "Change idea: Safety mapping at every visit"
    assert "Map *dangers* and *safety*" in item["narrative"]
    assert "From the change package of Safety and risk assessments" in item["narrative"]
    ranks = await BacklogItem.select(BacklogItem.id, BacklogItem.rank).where(
        BacklogItem.id.is_in(existing)
    )
    assert item["rank"] > max(r["rank"] for r in ranks)
    page = await member.get(f"/collaboratives/{collaborative_id}")
    text = text_of(page.text)
    assert "Adopt into Parent engagement backlog" not in text
    assert "Test Agency: Parent engagement" in text
    assert f'href="/items/{item["id"]}"' in page.text


async def test_adopting_twice_is_a_conflict_and_makes_one_item(client_as, world):
    collaborative_id, idea_id = await _setup(world)
    member = await client_as(world.users["team_member"])
    assert (await _adopt(member, collaborative_id, idea_id, world.initiative_id)).status_code == 303
    again = await _adopt(member, collaborative_id, idea_id, world.initiative_id)
    assert again.status_code == 409
    assert "already adopted" in again.text
    assert await Adoption.count() == 1
    assert await BacklogItem.count().where(BacklogItem.initiative == world.initiative_id) == 1


async def test_viewers_liaisons_and_other_teams_cannot_adopt(client_as, world):
    collaborative_id, idea_id = await _setup(world)
    other_team = await make_team(collaborative_id, "County Two")
    for who in ("viewer", "liaison"):
        person = await client_as(world.users[who])
        page = await person.get(f"/collaboratives/{collaborative_id}")
        assert "Adopt into" not in page.text
        response = await _adopt(person, collaborative_id, idea_id, world.initiative_id)
        assert response.status_code == 403, who
    member = await client_as(world.users["team_member"])
    # A member team of another agency: not theirs to write to.
    assert (await _adopt(member, collaborative_id, idea_id, other_team)).status_code == 403
    # An initiative that is not a member team, and an idea of another collaborative.
    response = await _adopt(member, collaborative_id, idea_id, world.other_initiative_id)
    assert response.status_code == 422
    assert "not a member team" in response.text or "member team of this" in response.text
    elsewhere = await make_collaborative("Elsewhere")
    foreign_idea = await make_idea(elsewhere, "Foreign idea")
    response = await _adopt(member, collaborative_id, foreign_idea, world.initiative_id)
    assert response.status_code == 422
    bad = await member.post_form(
        f"/collaboratives/{collaborative_id}/adopt", {"idea": "x", "initiative": ""}
    )
    assert bad.status_code == 422
    # A collaborative they cannot see: 404.
    response = await _adopt(member, elsewhere, foreign_idea, world.initiative_id)
    assert response.status_code == 404
    assert await Adoption.count() == 0
    assert await BacklogItem.count() == 0


async def _two_teams_with_cycles(world, share_cycles: bool) -> tuple[int, int]:
    """The world's team and another agency's team both adopted the idea; each tests it."""
    collaborative_id, idea_id = await _setup(world, share_cycles=share_cycles)
    other_team = await make_team(collaborative_id, "County Two")
    own_item = await services.adopt(collaborative_id, idea_id, world.initiative_id)
    other_item = await services.adopt(collaborative_id, idea_id, other_team)
    await _cycle(world.initiative_id, own_item, "Map at intake", "adopt")
    await _cycle(other_team, other_item, "Map at home visits", "adapt")
    await _cycle(other_team, other_item, "Map with fathers")
    return collaborative_id, other_team


async def test_when_cycles_are_shared_team_members_see_every_teams_decisions(client_as, world):
    collaborative_id, _ = await _two_teams_with_cycles(world, share_cycles=True)
    member = await client_as(world.users["team_member"])
    page = await member.get(f"/collaboratives/{collaborative_id}")
    text = text_of(page.text)
    assert "Map at intake" in text and "Act decision: Adopt" in text
    assert "Map at home visits" in text and "Act decision: Adapt" in text
    assert "Map with fathers" in text and "no Act decision yet (plan)" in text
    assert "shared with faculty only" not in text


async def test_when_cycles_are_not_shared_a_team_sees_only_its_own(client_as, world):
    collaborative_id, _ = await _two_teams_with_cycles(world, share_cycles=False)
    member = await client_as(world.users["team_member"])
    text = text_of((await member.get(f"/collaboratives/{collaborative_id}")).text)
    assert "Map at intake" in text and "Act decision: Adopt" in text
    # The other team's adoption shows by name, its cycles do not.
    assert "County Two: County Two safety work" in text
    assert "Map at home visits" not in text and "Adapt" not in text
    assert "shared with faculty only" in text
    # Faculty (in no agency) and site admins see every team's cycles.
    coach = await make_user("Fay Faculty", "fay@test.example")
    await services.add_faculty(collaborative_id, coach)
    for person in (await client_as(coach), await client_as(world.users["admin"])):
        text = text_of((await person.get(f"/collaboratives/{collaborative_id}")).text)
        assert "Map at home visits" in text and "Act decision: Adapt" in text
        assert "Map at intake" in text


async def _query_count(person, url: str, count_queries) -> int:
    with count_queries() as counted:
        response = await person.get(url)
    assert response.status_code == 200
    return counted.count


async def test_the_page_runs_the_same_number_of_queries_for_2_or_12_teams(
    client_as, world, count_queries
):
    """PERF-01: teams, ideas, adoptions and cycles do not add queries."""
    counts = {}
    for size in (2, 12):
        collaborative_id = await make_collaborative(f"Collaborative of {size}")
        await services.add_team(collaborative_id, world.initiative_id)
        ideas = [await make_idea(collaborative_id, f"Idea {n}") for n in range(size)]
        await services.add_faculty(collaborative_id, world.users["viewer"])
        for n in range(size - 1):
            team = await make_team(collaborative_id, f"Agency {size}-{n}")
            for idea_id in ideas[:2]:
                item = await services.adopt(collaborative_id, idea_id, team)
                await _cycle(team, item, f"Test {size}-{n}", "adapt")
        await services.adopt(collaborative_id, ideas[0], world.initiative_id)
        url = f"/collaboratives/{collaborative_id}"
        counts[size] = {
            who: await _query_count(await client_as(world.users[who]), url, count_queries)
            for who in ("team_member", "admin", "viewer")
        }
    assert counts[2] == counts[12], counts
    # The list page too.
    admin = await client_as(world.users["admin"])
    listing = await _query_count(admin, "/collaboratives", count_queries)
    await make_collaborative("One more")
    assert await _query_count(admin, "/collaboratives", count_queries) == listing


async def test_an_inactive_person_cannot_be_added_to_the_faculty(client_as, world):
    collaborative_id = await make_collaborative()
    gone = await make_user("Gone Person", "gone@test.example")
    await accounts.set_user_active(gone, False)
    admin = await client_as(world.users["admin"])
    response = await admin.post_form(
        f"/collaboratives/{collaborative_id}/faculty", {"user": str(gone)}
    )
    assert response.status_code == 422
    assert "Gone Person" not in text_of(response.text).split("Add to the faculty")[-1]
