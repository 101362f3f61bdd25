"""Pages offer each person only the controls their role allows (the server refuses the rest).

Controls are found by where they point (a form's action, a link's href), built
with the app's route names, never by CSS classes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from backend.scrum import services as scrum
from tests.factories import make_items
from tests.scrum.test_board_pages import start_sprint_with

HTMX = {"HX-Request": "true"}
READ_ONLY_NOTE = 'id="read-only-note"'


@dataclass
class Scene:
    """An active sprint with cards, a planned sprint, backlog items in no sprint, a release."""

    active: int
    cards: list[int]
    planned: int
    loose: list[int]
    release: int


async def build_scene(world) -> Scene:
    active, cards = await start_sprint_with(world, 3, estimate=3)
    planned = await scrum.create_sprint(world.initiative_id, {"goal": "Next"})
    loose = await make_items(world.initiative_id, 2, estimate=5)
    release = await scrum.create_release(world.initiative_id, {"name": "Pilot release"})
    return Scene(active, cards, planned, loose, release)


def url(client, name: str, **ids: int) -> str:
    return client.app.route_reverse(name, **ids)


def has_form(html: str, action: str) -> bool:
    return f'action="{action}"' in html


def has_link(html: str, href: str) -> bool:
    return f'href="{href}"' in html


def form_count(html: str, route_pattern: str) -> int:
    """How many forms post to URLs like /items/<n>/move (`route_pattern` = "move")."""
    return len(re.findall(rf'<form[^>]*action="/items/\d+/{route_pattern}"', html))


def assert_no_empty_shells(html: str) -> None:
    """Hidden controls leave no empty action paragraph, form or header cell behind."""
    assert not re.search(r'<p class="actions">\s*</p>', html)
    assert not re.search(r'<div class="actions">\s*</div>', html)
    assert not re.search(r"<th[^>]*>\s*</th>", html)
    assert not re.search(r"<form[^>]*>\s*</form>", html)


def backlog_columns(html: str) -> tuple[int, list[int]]:
    """Header cells of the backlog table and the cells of each of its rows."""
    head = re.search(r"<thead>(.*?)</thead>", html, re.S).group(1)
    rows = re.findall(r'<tr id="item-\d+"[^>]*>(.*?)</tr>', html, re.S)
    cells = [len(re.findall(r"<t[dh][\s>]", row)) for row in rows]
    return len(re.findall(r"<th[\s>]", head)), cells


async def pages_of(client, world, scene: Scene) -> tuple[str, str]:
    board = await client.get(f"/initiatives/{world.initiative_id}/board")
    backlog = await client.get(f"/initiatives/{world.initiative_id}/backlog")
    assert board.status_code == 200
    assert backlog.status_code == 200
    return board.text, backlog.text


# ---------------------------------------------------------------- board and backlog


@pytest.mark.parametrize(
    ("role", "label"), [("viewer", "Viewer"), ("liaison", "Center for States liaison")]
)
async def test_viewer_and_liaison_read_the_board_and_backlog_without_any_controls(
    client_as, world, role, label
):
    scene = await build_scene(world)
    reader = await client_as(world.users[role])
    iid = world.initiative_id
    board, backlog = await pages_of(reader, world, scene)

    # The board still shows every card in its column, without "Move to…".
    for card in scene.cards:
        assert f'id="card-{card}"' in board
        assert not has_form(board, url(reader, "scrum.item_move", item_id=card))
    assert form_count(board, "move") == 0
    assert 'name="column"' not in board
    assert not has_link(board, url(reader, "scrum.board_columns", initiative_id=iid))
    assert READ_ONLY_NOTE in board
    assert f"your role ({label}) does not let you change it" in board

    # The backlog lists every open item, with no rank, estimate or bulk controls.
    for item in scene.cards + scene.loose:
        assert f'id="item-{item}"' in backlog
        assert not has_form(backlog, url(reader, "scrum.item_rank", item_id=item))
        assert not has_form(backlog, url(reader, "scrum.item_estimate", item_id=item))
    assert form_count(backlog, "rank") == 0 and form_count(backlog, "estimate") == 0
    assert not has_form(backlog, url(reader, "scrum.backlog_bulk", initiative_id=iid))
    assert 'name="items"' not in backlog and 'name="estimate"' not in backlog
    assert not has_link(backlog, url(reader, "scrum.item_new", initiative_id=iid))
    assert ">New story<" not in backlog
    assert READ_ONLY_NOTE in backlog and f"({label})" in backlog
    # Estimates are still there to read.
    loose_row = rf'<tr id="item-{scene.loose[0]}".*?<td class="backlog-estimate">5</td>'
    assert re.search(loose_row, backlog, re.S)
    assert_no_empty_shells(board)
    assert_no_empty_shells(backlog)


async def test_a_readers_backlog_has_as_many_header_cells_as_row_cells(client_as, world):
    scene = await build_scene(world)
    viewer = await client_as(world.users["viewer"])
    _, backlog = await pages_of(viewer, world, scene)
    heads, cells = backlog_columns(backlog)
    assert heads == 8  # rank, number, title, kind, stage, estimate, sprint, blocked
    assert cells and set(cells) == {heads}
    assert ">Move</th>" not in backlog
    # The agency lead's table has the select and move columns too, still matching.
    _, full = await pages_of(await client_as(world.users["agency_lead"]), world, scene)
    heads, cells = backlog_columns(full)
    assert heads == 10 and set(cells) == {heads}


async def test_team_member_moves_cards_and_estimates_but_does_not_rank(client_as, world):
    scene = await build_scene(world)
    member = await client_as(world.users["team_member"])
    iid = world.initiative_id
    board, backlog = await pages_of(member, world, scene)

    for card in scene.cards:
        assert has_form(board, url(member, "scrum.item_move", item_id=card))
    assert READ_ONLY_NOTE not in board
    assert not has_link(board, url(member, "scrum.board_columns", initiative_id=iid))

    for item in scene.cards + scene.loose:
        assert has_form(backlog, url(member, "scrum.item_estimate", item_id=item))
        assert not has_form(backlog, url(member, "scrum.item_rank", item_id=item))
    assert form_count(backlog, "rank") == 0
    assert 'form="rank-form-' not in backlog
    assert not has_form(backlog, url(member, "scrum.backlog_bulk", initiative_id=iid))
    assert 'name="items"' not in backlog
    assert has_link(backlog, url(member, "scrum.item_new", initiative_id=iid))
    assert READ_ONLY_NOTE not in backlog
    heads, cells = backlog_columns(backlog)
    assert heads == 8 and set(cells) == {heads}
    assert_no_empty_shells(backlog)


async def test_team_members_saved_estimate_row_comes_back_without_rank_controls(client_as, world):
    scene = await build_scene(world)
    member = await client_as(world.users["team_member"])
    item = scene.loose[0]
    response = await member.post_form(
        url(member, "scrum.item_estimate", item_id=item),
        {"estimate": "8", "next": f"/initiatives/{world.initiative_id}/backlog"},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert f'<tr id="item-{item}"' in response.text
    assert 'form="estimate-form-' in response.text
    assert 'form="rank-form-' not in response.text and 'name="items"' not in response.text
    assert (await scrum.get_item(item))["estimate"] == 8


async def test_scrum_master_sees_rank_controls_and_the_bulk_form(client_as, world):
    scene = await build_scene(world)
    master = await client_as(world.users["scrum_master"])
    _, backlog = await pages_of(master, world, scene)
    for item in scene.cards + scene.loose:
        assert has_form(backlog, url(master, "scrum.item_rank", item_id=item))
        assert has_form(backlog, url(master, "scrum.item_estimate", item_id=item))
        assert f'id="rank-top-{item}"' in backlog and f'id="above-{item}"' in backlog
    assert has_form(backlog, url(master, "scrum.backlog_bulk", initiative_id=world.initiative_id))
    assert ">Move</th>" in backlog
    assert READ_ONLY_NOTE not in backlog


# ---------------------------------------------------------------- sprints and releases


async def test_product_owner_sees_release_and_sprint_planning_controls(client_as, world):
    scene = await build_scene(world)
    owner = await client_as(world.users["product_owner"])
    iid = world.initiative_id

    releases = (await owner.get(f"/initiatives/{iid}/releases")).text
    assert has_link(releases, url(owner, "scrum.release_new", initiative_id=iid))
    assert ">New release<" in releases
    release = (await owner.get(f"/releases/{scene.release}")).text
    assert has_link(release, url(owner, "scrum.release_edit", release_id=scene.release))

    sprints = (await owner.get(f"/initiatives/{iid}/sprints")).text
    assert has_link(sprints, url(owner, "scrum.sprint_new", initiative_id=iid))
    planned = (await owner.get(f"/sprints/{scene.planned}")).text
    assert has_form(planned, url(owner, "scrum.sprint_add_items", sprint_id=scene.planned))
    assert has_link(planned, url(owner, "scrum.sprint_edit", sprint_id=scene.planned))
    active = (await owner.get(f"/sprints/{scene.active}")).text
    remove = url(owner, "scrum.sprint_remove_item", sprint_id=scene.active, item_id=scene.cards[0])
    assert has_form(active, remove)

    overview = (await owner.get(f"/initiatives/{iid}")).text
    assert has_link(overview, url(owner, "initiatives.edit", initiative_id=iid))
    board = (await owner.get(f"/initiatives/{iid}/board")).text
    assert has_link(board, url(owner, "scrum.board_columns", initiative_id=iid))


async def test_team_member_runs_sprints_but_does_not_plan_them(client_as, world):
    scene = await build_scene(world)
    member = await client_as(world.users["team_member"])
    iid = world.initiative_id

    sprints = (await member.get(f"/initiatives/{iid}/sprints")).text
    assert not has_link(sprints, url(member, "scrum.sprint_new", initiative_id=iid))
    assert has_form(sprints, url(member, "scrum.sprint_start", sprint_id=scene.planned))
    assert has_link(sprints, url(member, "scrum.sprint_complete_form", sprint_id=scene.active))

    planned = (await member.get(f"/sprints/{scene.planned}")).text
    assert not has_form(planned, url(member, "scrum.sprint_add_items", sprint_id=scene.planned))
    assert 'id="add-h"' not in planned
    assert not has_link(planned, url(member, "scrum.sprint_edit", sprint_id=scene.planned))
    assert has_form(planned, url(member, "scrum.sprint_start", sprint_id=scene.planned))

    active = (await member.get(f"/sprints/{scene.active}")).text
    assert "/remove" not in active
    assert has_link(active, url(member, "scrum.sprint_complete_form", sprint_id=scene.active))
    assert 'id="sprint-item-' in active  # the sprint's items are still listed
    for page in (sprints, planned, active):
        assert_no_empty_shells(page)

    releases = (await member.get(f"/initiatives/{iid}/releases")).text
    assert not has_link(releases, url(member, "scrum.release_new", initiative_id=iid))
    overview = (await member.get(f"/initiatives/{iid}")).text
    assert not has_link(overview, url(member, "initiatives.edit", initiative_id=iid))
    item = (await member.get(f"/items/{scene.cards[0]}")).text
    assert has_link(item, url(member, "scrum.item_edit", item_id=scene.cards[0]))


async def test_viewer_reads_sprints_releases_and_items_without_controls(client_as, world):
    scene = await build_scene(world)
    viewer = await client_as(world.users["viewer"])
    iid = world.initiative_id

    sprints = await viewer.get(f"/initiatives/{iid}/sprints")
    assert sprints.status_code == 200
    assert f'href="/sprints/{scene.active}"' in sprints.text
    assert "/start" not in sprints.text and "/complete" not in sprints.text
    assert ">Action</th>" not in sprints.text
    assert not has_link(sprints.text, url(viewer, "scrum.sprint_new", initiative_id=iid))

    for sprint in (scene.planned, scene.active):
        page = (await viewer.get(f"/sprints/{sprint}")).text
        # Anyone who can read a sprint may comment on its review and retrospective
        # (issue 6); no other form is shown to a viewer.
        actions = re.findall(r'<form[^>]*action="([^"]+)"', page.split('id="main"', 1)[1])
        assert actions == [
            f"/sprints/{sprint}/review/comments",
            f"/sprints/{sprint}/retrospective/comments",
        ]
        assert "/edit" not in page and "/start" not in page and "/complete" not in page
        assert_no_empty_shells(page)

    releases = (await viewer.get(f"/initiatives/{iid}/releases")).text
    assert "Pilot release" in releases
    assert not has_link(releases, url(viewer, "scrum.release_new", initiative_id=iid))
    release = (await viewer.get(f"/releases/{scene.release}")).text
    assert not has_link(release, url(viewer, "scrum.release_edit", release_id=scene.release))

    item = (await viewer.get(f"/items/{scene.cards[0]}")).text
    assert "Story 1" in item
    assert not has_link(item, url(viewer, "scrum.item_edit", item_id=scene.cards[0]))
    overview = (await viewer.get(f"/initiatives/{iid}")).text
    assert not has_link(overview, url(viewer, "initiatives.edit", initiative_id=iid))
    charts = await viewer.get(f"/initiatives/{iid}/charts")
    assert charts.status_code == 200
    for page in (releases, release, item, overview):
        assert_no_empty_shells(page)


async def test_a_viewer_on_a_board_without_a_sprint_is_not_told_to_start_one(client_as, world):
    viewer = await client_as(world.users["viewer"])
    board = await viewer.get(f"/initiatives/{world.initiative_id}/board")
    assert board.status_code == 200
    assert "No sprint is active" in board.text
    assert "Start a planned sprint" not in board.text
    assert READ_ONLY_NOTE in board.text
    assert "/board/columns" not in board.text


# ---------------------------------------------------------------- stages and the lead


async def test_only_the_agency_lead_gets_forms_on_the_stages_page(client_as, world):
    stages_url = f"/agencies/{world.agency_id}/stages"
    for role in ("product_owner", "team_member", "viewer", "liaison"):
        reader = await client_as(world.users[role])
        page = await reader.get(stages_url)
        assert page.status_code == 200, role
        action = url(reader, "initiatives.stages_update", agency_id=world.agency_id)
        assert not has_form(page.text, action), role
        assert "Add a stage" not in page.text, role
        assert world.stages[0]["name"] in page.text, role
        assert_no_empty_shells(page.text)
    lead = await client_as(world.users["agency_lead"])
    page = (await lead.get(stages_url)).text
    assert has_form(page, url(lead, "initiatives.stages_update", agency_id=world.agency_id))
    assert "Add a stage" in page


async def test_agency_lead_sees_every_control_including_the_initiative_edit_link(client_as, world):
    scene = await build_scene(world)
    lead = await client_as(world.users["agency_lead"])
    iid = world.initiative_id
    board, backlog = await pages_of(lead, world, scene)

    assert all(has_form(board, url(lead, "scrum.item_move", item_id=c)) for c in scene.cards)
    assert has_link(board, url(lead, "scrum.board_columns", initiative_id=iid))
    for item in scene.cards + scene.loose:
        assert has_form(backlog, url(lead, "scrum.item_rank", item_id=item))
        assert has_form(backlog, url(lead, "scrum.item_estimate", item_id=item))
    assert has_form(backlog, url(lead, "scrum.backlog_bulk", initiative_id=iid))
    assert has_link(backlog, url(lead, "scrum.item_new", initiative_id=iid))
    assert READ_ONLY_NOTE not in board and READ_ONLY_NOTE not in backlog

    overview = (await lead.get(f"/initiatives/{iid}")).text
    assert has_link(overview, url(lead, "initiatives.edit", initiative_id=iid))
    sprints = (await lead.get(f"/initiatives/{iid}/sprints")).text
    assert has_link(sprints, url(lead, "scrum.sprint_new", initiative_id=iid))
    assert has_form(sprints, url(lead, "scrum.sprint_start", sprint_id=scene.planned))
    planned = (await lead.get(f"/sprints/{scene.planned}")).text
    assert has_form(planned, url(lead, "scrum.sprint_add_items", sprint_id=scene.planned))
    assert has_link(planned, url(lead, "scrum.sprint_edit", sprint_id=scene.planned))
    releases = (await lead.get(f"/initiatives/{iid}/releases")).text
    assert has_link(releases, url(lead, "scrum.release_new", initiative_id=iid))
    item = (await lead.get(f"/items/{scene.loose[0]}")).text
    assert has_link(item, url(lead, "scrum.item_edit", item_id=scene.loose[0]))
