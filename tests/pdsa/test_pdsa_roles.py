"""Who may do what with PDSA cycles: the team writes (team member, product owner...),
viewers and liaisons only read, another agency sees nothing; and PERF-01 on the list
and the ramp view."""

from __future__ import annotations

from backend.pdsa.tables import PdsaCycle, PdsaItem
from backend.scrum.tables import BacklogItem
from tests.factories import make_items
from tests.pdsa.build import decided, make_cycle, plan_form


async def test_a_team_member_and_a_product_owner_record_a_whole_cycle(client_as, world):
    for role in ("team_member", "product_owner", "scrum_master"):
        person = await client_as(world.users[role])
        response = await person.post_form(
            f"/initiatives/{world.initiative_id}/pdsa/new", plan_form(change_idea=f"By {role}")
        )
        assert response.status_code == 303, role
        url = response.headers["location"]
        for part, form in (
            ("do", {"ran_as_planned": "yes"}),
            ("study", {"study": "As predicted"}),
            ("act", {"act_decision": "adopt"}),
        ):
            page = await person.get(f"{url}/{part}")
            assert page.status_code == 200
            version = int(page.text.split('name="version" value="')[1].split('"')[0])
            response = await person.post_form(f"{url}/{part}", {**form, "version": version})
            assert response.status_code == 303, (role, part)
        version = int((await person.get(url)).text.split('name="version" value="')[1].split('"')[0])
        assert (await person.post_form(f"{url}/next", {"version": version})).status_code == 303
        form = {"version": version + 1}
        assert (await person.post_form(f"{url}/backlog-item", form)).status_code == 303
        form = {"version": version + 2}
        assert (await person.post_form(f"{url}/links", form)).status_code == 303
    assert await PdsaCycle.count() == 6


async def test_viewers_and_liaisons_read_every_page_but_change_nothing(client_as, world):
    cycle_id = await decided(world.initiative_id, "adapt")
    items = await make_items(world.initiative_id, 1)
    for role in ("viewer", "liaison"):
        person = await client_as(world.users[role])
        for url in (
            f"/initiatives/{world.initiative_id}/pdsa",
            f"/initiatives/{world.initiative_id}/pdsa/ramps",
            f"/pdsa/{cycle_id}",
            f"/api/initiatives/{world.initiative_id}/pdsa-cycles",
            f"/api/pdsa-cycles/{cycle_id}",
        ):
            page = await person.get(url)
            assert page.status_code == 200, (role, url)
            for control in ("New PDSA cycle", "Start the next cycle", "Edit the plan"):
                assert control not in page.text, (role, url, control)
        for part in ("plan", "do", "study", "act", "links", "delete"):
            assert (await person.get(f"/pdsa/{cycle_id}/{part}")).status_code == 403
        assert (await person.get(f"/initiatives/{world.initiative_id}/pdsa/new")).status_code == 403
        writes = [
            (f"/initiatives/{world.initiative_id}/pdsa/new", plan_form()),
            (f"/pdsa/{cycle_id}/plan", plan_form(version=1)),
            (f"/pdsa/{cycle_id}/do", {"ran_as_planned": "no", "version": 1}),
            (f"/pdsa/{cycle_id}/study", {"study": "No", "version": 1}),
            (f"/pdsa/{cycle_id}/act", {"act_decision": "abandon", "version": 1}),
            (f"/pdsa/{cycle_id}/next", {}),
            (f"/pdsa/{cycle_id}/links", {"items": items}),
            (f"/pdsa/{cycle_id}/backlog-item", {}),
            (f"/pdsa/{cycle_id}/delete", {"version": 1}),
        ]
        for url, form in writes:
            assert (await person.post_form(url, form)).status_code == 403, (role, url)
        response = await person.send_json(
            "POST", f"/api/initiatives/{world.initiative_id}/pdsa-cycles", {"change_idea": "No"}
        )
        assert response.status_code == 403
    assert await PdsaCycle.count() == 1 and await PdsaItem.count() == 0
    assert await BacklogItem.count() == 1
    saved = (await PdsaCycle.select().where(PdsaCycle.id == cycle_id))[0]
    assert saved["version"] == 1 and saved["act_decision"] == "adapt"


async def test_another_agency_cannot_see_or_change_a_cycle(client_as, world):
    cycle_id = await decided(world.initiative_id, "adapt")
    outsider = await client_as(world.users["other_lead"])
    for url in (
        f"/initiatives/{world.initiative_id}/pdsa",
        f"/initiatives/{world.initiative_id}/pdsa/ramps",
        f"/initiatives/{world.initiative_id}/pdsa/new",
        f"/pdsa/{cycle_id}",
        f"/pdsa/{cycle_id}/plan",
        f"/pdsa/{cycle_id}/links",
        f"/api/initiatives/{world.initiative_id}/pdsa-cycles",
        f"/api/pdsa-cycles/{cycle_id}",
    ):
        assert (await outsider.get(url)).status_code == 404, url
    for url, form in (
        (f"/pdsa/{cycle_id}/study", {"study": "Theirs", "version": 1}),
        (f"/pdsa/{cycle_id}/next", {}),
        (f"/pdsa/{cycle_id}/backlog-item", {}),
        (f"/pdsa/{cycle_id}/delete", {"version": 1}),
        (f"/initiatives/{world.initiative_id}/pdsa/new", plan_form()),
    ):
        assert (await outsider.post_form(url, form)).status_code == 404, url
    theirs = await make_cycle(world.other_initiative_id, "Their idea")
    page = await outsider.get(f"/initiatives/{world.other_initiative_id}/pdsa")
    assert "Their idea" in page.text and "Call fathers" not in page.text
    assert (await outsider.get(f"/pdsa/{theirs}")).status_code == 200
    assert await PdsaCycle.count() == 2


async def test_the_list_and_the_ramp_view_run_the_same_queries_for_3_or_30_cycles(
    client, world, count_queries
):
    async def queries_for(count: int) -> dict[str, int]:
        await PdsaCycle.delete(force=True)
        parent = None
        for n in range(count):
            cycle_id = await decided(
                world.initiative_id, "adapt", change_idea=f"Idea {n % 3}", parent_id=parent
            )
            parent = cycle_id if n % 2 else None
        counts = {}
        for page in ("pdsa", "pdsa/ramps"):
            with count_queries() as counted:
                response = await client.get(f"/initiatives/{world.initiative_id}/{page}")
            assert response.status_code == 200
            counts[page] = counted.count
        return counts

    assert await queries_for(3) == await queries_for(30)
