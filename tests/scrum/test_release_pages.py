"""Release pages: list with progress, one release with its sprints, new and edit."""

from __future__ import annotations

import re

from backend.initiatives.tables import CIStage
from backend.scrum import services as scrum
from backend.scrum.tables import Release, Sprint
from tests.factories import make_items


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


async def release_with_work(world) -> tuple[int, list[int]]:
    """A release with two sprints: 3 + 5 points in one (3 done), 8 in the other."""
    release = await scrum.create_release(
        world.initiative_id, {"name": "Pilot release", "milestone": "Pilot in **four** offices"}
    )
    first = await scrum.create_sprint(world.initiative_id, {"release": release})
    second = await scrum.create_sprint(world.initiative_id, {"release": release})
    a = (await make_items(world.initiative_id, 1, estimate=3))[0]
    b = (await make_items(world.initiative_id, 1, estimate=5))[0]
    c = (await make_items(world.initiative_id, 1, estimate=8))[0]
    await make_items(world.initiative_id, 1, estimate=13)  # in no sprint: not counted
    await scrum.assign_sprint(world.initiative_id, [a, b], first)
    await scrum.assign_sprint(world.initiative_id, [c], second)
    await scrum.move_item(a, world.done)
    return release, [first, second]


async def test_release_list_shows_points_done_against_planned(client, world):
    release, _ = await release_with_work(world)
    await scrum.create_release(world.initiative_id, {"name": "Empty release"})
    page = await client.get(f"/initiatives/{world.initiative_id}/releases")
    assert page.status_code == 200
    assert 'aria-current="page"' in page.text and ">Releases</a>" in page.text
    text = text_of(page.text)
    assert "Pilot release" in text and "Empty release" in text
    assert "3 of 16 points done (19%)" in text
    assert "0 of 0 points done (0%)" in text
    assert '<progress max="16" value="3"' in page.text
    assert "done points are those of the items in a done column" in text


async def test_release_page_shows_sprints_milestone_and_rule(client, world):
    release, sprints = await release_with_work(world)
    page = await client.get(f"/releases/{release}")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Release Pilot release" in text
    assert "<strong>four</strong>" in page.text
    assert "3 of 16 points done" in text
    for sprint in sprints:
        assert f'href="/sprints/{sprint}"' in page.text
    assert "Planned points are the estimates of every item" in text


async def test_release_list_query_count_does_not_grow(client, world, count_queries):
    await release_with_work(world)
    with count_queries() as few:
        await client.get(f"/initiatives/{world.initiative_id}/releases")
    for _ in range(4):
        await release_with_work(world)
    with count_queries() as many:
        await client.get(f"/initiatives/{world.initiative_id}/releases")
    assert many.count == few.count


async def test_creating_a_release(client, world):
    page = await client.get(f"/initiatives/{world.initiative_id}/releases/new")
    assert page.status_code == 200
    for field in ("name", "milestone", "target_date", "stage"):
        assert f'for="field-{field}"' in page.text
    response = await client.post_form(
        f"/initiatives/{world.initiative_id}/releases/new",
        {
            "name": "Spread",
            "milestone": "Spread to <script>alert(1)</script> new offices",
            "target_date": "2026-09-30",
            "stage": world.stages[6]["id"],
            "initiative": world.other_initiative_id,
        },
    )
    assert response.status_code == 303
    release_id = int(re.fullmatch(r"/releases/(\d+)", response.headers["location"]).group(1))
    row = (await Release.select().where(Release.id == release_id))[0]
    assert row["initiative"] == world.initiative_id and row["stage"] == world.stages[6]["id"]
    page = await client.get(response.headers["location"])
    assert "<script>alert" not in page.text and "&lt;script&gt;" in page.text
    assert "30 Sep 2026" in page.text


async def test_bad_release_input_is_refused_with_values_kept(client, world):
    foreign = (await CIStage.select(CIStage.id).where(CIStage.agency == world.other_agency_id))[0]
    url = f"/initiatives/{world.initiative_id}/releases/new"
    response = await client.post_form(
        url, {"name": "", "milestone": "Keep this", "target_date": "2026-02-30"}
    )
    assert response.status_code == 422
    assert "<title>Error:" in response.text
    assert "Enter name" in response.text and "Target date must be a real date" in response.text
    assert "Keep this" in response.text and 'value="2026-02-30"' in response.text
    response = await client.post_form(url, {"name": "X", "stage": foreign["id"]})
    assert response.status_code == 422 and "Choose a C&amp;I stage" in response.text
    response = await client.post_form(url, {"name": "X" * 201})
    assert response.status_code == 422
    assert await Release.count() == 0
    assert (
        await client.post_form("/initiatives/999999/releases/new", {"name": "X"})
    ).status_code == 404


async def test_editing_a_release_and_a_stale_edit_gets_409(client, world):
    release = await scrum.create_release(world.initiative_id, {"name": "R1"})
    page = await client.get(f"/releases/{release}/edit")
    assert 'value="R1"' in page.text and 'name="version" value="1"' in page.text
    form = {"name": "R1 renamed", "milestone": "", "target_date": "", "stage": "", "version": 1}
    response = await client.post_form(f"/releases/{release}/edit", form)
    assert response.status_code == 303
    response = await client.post_form(f"/releases/{release}/edit", {**form, "name": "Mine"})
    assert response.status_code == 409
    assert "Someone else" in response.text and 'value="Mine"' in response.text
    assert 'name="version" value="2"' in response.text
    assert (await Release.select(Release.name).where(Release.id == release))[0]["name"] == (
        "R1 renamed"
    )
    response = await client.post_form(f"/releases/{release}/edit", {"name": "No version"})
    assert response.status_code == 400


async def test_a_sprint_chooses_its_release_on_the_sprint_form(client, world):
    release = await scrum.create_release(world.initiative_id, {"name": "Pilot release"})
    sprint = await scrum.create_sprint(world.initiative_id, {})
    page = await client.get(f"/sprints/{sprint}/edit")
    assert f'<option value="{release}">Pilot release</option>' in page.text
    row = (await Sprint.select().where(Sprint.id == sprint))[0]
    response = await client.post_form(
        f"/sprints/{sprint}/edit",
        {
            "start_date": row["start_date"].isoformat(),
            "end_date": row["end_date"].isoformat(),
            "release": release,
            "version": 1,
        },
    )
    assert response.status_code == 303
    page = await client.get(f"/releases/{release}")
    assert f'href="/sprints/{sprint}"' in page.text


async def test_unknown_release_ids_are_404(client, world):
    theirs = await scrum.create_release(world.other_initiative_id, {"name": "Theirs"})
    for url in ("/releases/999999", "/releases/99999999999", "/releases/999999/edit"):
        assert (await client.get(url)).status_code == 404, url
    assert (await client.get("/initiatives/999999/releases")).status_code == 404
    # Another agency's release page does not show under this initiative's list.
    page = await client.get(f"/initiatives/{world.initiative_id}/releases")
    assert "Theirs" not in page.text and f"/releases/{theirs}" not in page.text
