"""Chains of cycles: "Start the next cycle" only after adopt or adapt (abandon ends the
chain), the ramp view with each chain's decisions in words, links to backlog items and
measures, "Add as a backlog item", and deleting a cycle after its confirmation."""

from __future__ import annotations

import re
from datetime import date

from backend.measures.tables import Measure
from backend.pdsa import ramps, services
from backend.pdsa.tables import PdsaCycle, PdsaItem, PdsaMeasure
from backend.scrum import services as scrum
from backend.scrum.tables import BacklogItem
from tests.factories import make_items
from tests.pdsa.build import decided, make_cycle, make_site, text_of


async def make_measure(initiative_id: int, name: str, kind: str = "outcome") -> int:
    rows = await Measure.insert(Measure(initiative=initiative_id, name=name, kind=kind)).returning(
        Measure.id
    )
    return rows[0]["id"]


async def version_of(cycle_id: int) -> int:
    return (await PdsaCycle.select(PdsaCycle.version).where(PdsaCycle.id == cycle_id))[0]["version"]


async def test_the_next_cycle_follows_an_adapt_decision_with_the_same_idea_site_and_links(
    client, world
):
    site_id = await make_site(world.agency_id)
    cycle_id = await decided(world.initiative_id, "adapt", site=site_id)
    items = await make_items(world.initiative_id, 2)
    measure = await make_measure(world.initiative_id, "Fathers at first meeting")
    await services.link(cycle_id, items, [measure])
    page = await client.get(f"/pdsa/{cycle_id}")
    assert f'action="/pdsa/{cycle_id}/next"' in page.text
    response = await client.post_form(
        f"/pdsa/{cycle_id}/next", {"version": await version_of(cycle_id)}
    )
    assert response.status_code == 303
    new_id = int(re.fullmatch(r"/pdsa/(\d+)/plan", response.headers["location"]).group(1))
    new = (await PdsaCycle.select().where(PdsaCycle.id == new_id))[0]
    assert new["parent"] == cycle_id and new["site"] == site_id
    assert new["change_idea"] == "Call fathers before the first meeting"
    assert new["prediction"] == "" and new["act_decision"] == "" and new["version"] == 1
    assert new["created_by"] == world.lead
    linked = await PdsaItem.select(PdsaItem.item).where(PdsaItem.cycle == new_id)
    assert sorted(r["item"] for r in linked) == sorted(items)
    measures = await PdsaMeasure.select(PdsaMeasure.measure).where(PdsaMeasure.cycle == new_id)
    assert [r["measure"] for r in measures] == [measure]
    form = await client.get(response.headers["location"])
    assert form.status_code == 200 and "Plan: Call fathers before the first meeting" in form.text
    text = text_of((await client.get(f"/pdsa/{new_id}")).text)
    assert "Previous cycle Call fathers before the first meeting, North Area Office" in text
    assert "decision: Adapt" in text
    text = text_of((await client.get(f"/pdsa/{cycle_id}")).text)
    assert "Next cycles Call fathers before the first meeting, North Area Office" in text
    assert "decision: not decided" in text


async def test_adopt_continues_the_chain(client, world):
    cycle_id = await decided(world.initiative_id, "adopt")
    response = await client.post_form(
        f"/pdsa/{cycle_id}/next", {"version": await version_of(cycle_id)}
    )
    assert response.status_code == 303


async def test_pressing_start_the_next_cycle_twice_makes_one_next_cycle(client, world):
    cycle_id = await decided(world.initiative_id, "adapt")
    form = {"version": await version_of(cycle_id)}
    assert (await client.post_form(f"/pdsa/{cycle_id}/next", form)).status_code == 303
    again = await client.post_form(f"/pdsa/{cycle_id}/next", form)
    assert again.status_code == 409
    assert await PdsaCycle.count().where(PdsaCycle.parent == cycle_id) == 1
    missing = await client.post_form(f"/pdsa/{cycle_id}/next")
    assert missing.status_code == 400


async def test_no_next_cycle_before_a_decision_or_after_abandon(client, world):
    undecided = await make_cycle(world.initiative_id, study="Results")
    abandoned = await decided(world.initiative_id, "abandon")
    page = await client.get(f"/pdsa/{undecided}")
    assert "Start the next cycle" not in page.text
    response = await client.post_form(
        f"/pdsa/{undecided}/next", {"version": await version_of(undecided)}
    )
    assert response.status_code == 409 and "Record the Act decision first" in response.text
    page = await client.get(f"/pdsa/{abandoned}")
    assert "Start the next cycle" not in page.text
    assert "This change idea was abandoned: the chain ends here" in text_of(page.text)
    response = await client.post_form(
        f"/pdsa/{abandoned}/next", {"version": await version_of(abandoned)}
    )
    assert response.status_code == 409 and "the chain ends here" in response.text
    assert await PdsaCycle.count() == 2


async def test_the_ramp_view_shows_each_change_idea_s_chains_with_decisions_in_words(client, world):
    north = await make_site(world.agency_id)
    south = await make_site(world.agency_id, "South Area Office")
    first = await decided(
        world.initiative_id,
        "adapt",
        site=north,
        start_date=date(2026, 2, 2),
        prediction="Half of the fathers come",
        study="A third came",
    )
    second = await decided(
        world.initiative_id,
        "adopt",
        parent_id=first,
        site=north,
        start_date=date(2026, 3, 2),
        study="Half came",
    )
    # Adopted, then tested on at two sites: two branches.
    at_north = await make_cycle(world.initiative_id, parent_id=second, site=north)
    at_south = await make_cycle(world.initiative_id, parent_id=second, site=south)
    kin = await decided(world.initiative_id, "abandon", change_idea="Ask about kin early")
    page = await client.get(f"/initiatives/{world.initiative_id}/pdsa/ramps")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "2 change ideas, 5 PDSA cycles" in text
    assert re.search(r"<h2 id=\"ramp-\d-h\">Ask about kin early</h2>", page.text)
    assert "Abandon: the chain ends here" in text
    idea = "Call fathers before the first meeting"
    assert f"{idea} 4 cycles." in text
    assert (
        "Cycle 1 of Call fathers before the first meeting (North Area Office; From 2 Feb 2026)"
        " Prediction Half of the fathers come Result A third came Decision Adapt"
    ) in text
    assert "Cycle 2 of Call fathers before the first meeting" in text and "Decision Adopt" in text
    assert "2 cycles follow from this one" in text
    assert "Not decided yet (phase: plan)" in text
    for cycle_id in (first, second, at_north, at_south, kin):
        assert f'<a href="/pdsa/{cycle_id}">' in page.text
    # The chain is in order: a nested list, the branches inside the cycle they follow.
    assert page.text.index(f'id="ramp-cycle-{first}"') < page.text.index(
        f'id="ramp-cycle-{second}"'
    )
    branch = page.text[page.text.index(f'id="ramp-cycle-{second}"') :]
    assert 'aria-label="Branch 1 after cycle 2 of Call fathers' in branch
    assert f'id="ramp-cycle-{at_north}"' in branch and f'id="ramp-cycle-{at_south}"' in branch


async def test_a_cycle_whose_previous_cycle_was_deleted_starts_its_own_chain(client, world):
    first = await decided(world.initiative_id, "adapt")
    second = await make_cycle(world.initiative_id, parent_id=first)
    page = await client.get(f"/pdsa/{first}/delete")
    text = text_of(page.text)
    assert "1 next cycle starts a chain of its own" in text
    response = await client.post_form(f"/pdsa/{first}/delete", {"version": 1})
    assert response.status_code == 303
    assert response.headers["location"] == f"/initiatives/{world.initiative_id}/pdsa"
    assert (await PdsaCycle.select().where(PdsaCycle.id == second))[0]["parent"] is None
    ramp = text_of((await client.get(f"/initiatives/{world.initiative_id}/pdsa/ramps")).text)
    assert "1 change idea, 1 PDSA cycle" in ramp


async def test_deleting_a_cycle_keeps_its_items_and_measures_and_a_stale_delete_gets_409(
    client, world
):
    cycle_id = await make_cycle(world.initiative_id)
    items = await make_items(world.initiative_id, 1)
    measure = await make_measure(world.initiative_id, "Re-entry within a year")
    await services.link(cycle_id, items, [measure])
    text = text_of((await client.get(f"/pdsa/{cycle_id}/delete")).text)
    assert "Its links to 1 backlog item and 1 measure go; the items and measures stay" in text
    assert "No cycle follows from it" in text
    response = await client.post_form(f"/pdsa/{cycle_id}/delete", {"version": 7})
    assert response.status_code == 409 and "changed this cycle" in response.text
    response = await client.post_form(f"/pdsa/{cycle_id}/delete", {})
    assert response.status_code == 400
    assert await PdsaCycle.count() == 1
    response = await client.post_form(f"/pdsa/{cycle_id}/delete", {"version": 1})
    assert response.status_code == 303
    assert await PdsaCycle.count() == 0 and await PdsaItem.count() == 0
    assert await BacklogItem.count() == 1 and await Measure.count() == 1


async def test_links_to_backlog_items_and_measures_are_saved_and_shown(client, world):
    cycle_id = await make_cycle(world.initiative_id)
    items = await make_items(world.initiative_id, 3)
    await scrum.move_item(items[2], world.done)  # done and not linked: not offered
    outcome = await make_measure(world.initiative_id, "Kinship placements")
    process = await make_measure(world.initiative_id, "Fathers called", "process")
    theirs = await make_measure(world.other_initiative_id, "Their measure")
    page = await client.get(f"/pdsa/{cycle_id}/links")
    assert page.status_code == 200
    assert f'id="items-{items[0]}"' in page.text and f'id="items-{items[2]}"' not in page.text
    assert "Kinship placements" in page.text and "Their measure" not in page.text
    response = await client.post_form(
        f"/pdsa/{cycle_id}/links",
        {"items": [items[1], items[0]], "measures": [process], "version": 1},
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/pdsa/{cycle_id}#links"
    saved = await PdsaItem.select(PdsaItem.item).where(PdsaItem.cycle == cycle_id)
    assert sorted(r["item"] for r in saved) == sorted(items[:2])
    text = text_of((await client.get(f"/pdsa/{cycle_id}")).text)
    assert f"#{items[0]} Story 1 (Story, To do)" in text
    assert "Fathers called (process measure)" in text and "Kinship placements" not in text
    page = await client.get(f"/pdsa/{cycle_id}/links")
    assert f'value="{items[0]}" id="items-{items[0]}" checked' in page.text
    # Another initiative's measure, or nonsense, is refused and nothing changes.
    response = await client.post_form(
        f"/pdsa/{cycle_id}/links",
        {"items": [items[0]], "measures": [outcome, theirs], "version": 2},
    )
    assert response.status_code == 422
    assert "Choose measures of this initiative from the list" in response.text
    assert f'value="{outcome}" id="measures-{outcome}" checked' in response.text
    response = await client.post_form(
        f"/pdsa/{cycle_id}/links", {"items": ["x", "²"], "version": 2}
    )
    assert response.status_code == 422 and "Choose backlog items from the list" in response.text
    assert await PdsaItem.count() == 2 and await PdsaMeasure.count() == 1
    # A page loaded before that save (version 1) does not overwrite it: 409, ticks kept.
    response = await client.post_form(
        f"/pdsa/{cycle_id}/links", {"items": [items[2]], "version": 1}
    )
    assert response.status_code == 409
    assert "Your links were not saved" in response.text
    assert f'value="{items[2]}" id="items-{items[2]}" checked' in response.text
    assert 'name="version" value="2"' in response.text
    assert await PdsaItem.count() == 2
    # Unticking every box removes every link.
    response = await client.post_form(f"/pdsa/{cycle_id}/links", {"version": 2})
    assert response.status_code == 303
    assert await PdsaItem.count() == 0 and await PdsaMeasure.count() == 0


async def test_a_done_item_stays_offered_while_it_is_linked(client, world):
    cycle_id = await make_cycle(world.initiative_id)
    items = await make_items(world.initiative_id, 1)
    await services.link(cycle_id, items, [])
    await scrum.move_item(items[0], world.done)
    page = await client.get(f"/pdsa/{cycle_id}/links")
    assert f'id="items-{items[0]}" checked' in page.text


async def test_add_as_a_backlog_item_makes_a_linked_pdsa_test(client, world):
    await make_items(world.initiative_id, 2)
    cycle_id = await make_cycle(world.initiative_id, objective="Learn whether calls help")
    response = await client.post_form(f"/pdsa/{cycle_id}/backlog-item", {"version": 1})
    assert response.status_code == 303
    item_id = int(re.fullmatch(rf"/pdsa/{cycle_id}#item-(\d+)", response.headers["location"])[1])
    item = (await BacklogItem.select().where(BacklogItem.id == item_id))[0]
    assert item["kind"] == "pdsa_test" and item["initiative"] == world.initiative_id
    assert item["title"] == "PDSA: Call fathers before the first meeting"
    assert item["narrative"] == "Learn whether calls help"
    ranks = await BacklogItem.select(BacklogItem.id).order_by(BacklogItem.rank)
    assert ranks[-1]["id"] == item_id  # at the bottom of the backlog
    assert [r["item"] for r in await PdsaItem.select(PdsaItem.item)] == [item_id]
    text = text_of((await client.get(f"/pdsa/{cycle_id}")).text)
    assert f"#{item_id} PDSA: Call fathers before the first meeting (PDSA test, To do)" in text
    backlog = await client.get(f"/initiatives/{world.initiative_id}/backlog")
    assert "PDSA: Call fathers before the first meeting" in backlog.text


async def test_a_long_change_idea_makes_a_title_that_fits(world, client):
    cycle_id = await make_cycle(world.initiative_id, "x" * 200)
    item_id = await services.add_backlog_item(cycle_id)
    title = (await BacklogItem.select(BacklogItem.title).where(BacklogItem.id == item_id))[0]
    assert len(title["title"]) == 200 and title["title"].startswith("PDSA: xxx")


def _cycle(cycle_id, parent=None, idea="Idea", start=None, **values):
    return {
        "id": cycle_id,
        "parent": parent,
        "change_idea": idea,
        "start_date": start,
        "prediction": values.get("prediction", ""),
        "study": values.get("study", ""),
    }


def test_ramps_group_chains_by_change_idea_and_branch_where_a_cycle_has_two_next():
    cycles = [
        _cycle(1, idea="Call fathers", start=date(2026, 1, 5), prediction="Half\nmore text"),
        _cycle(2, parent=1, idea="Call fathers, earlier", study="x" * 300),
        _cycle(3, parent=2, start=date(2026, 3, 1)),
        _cycle(4, parent=2, start=date(2026, 2, 1)),
        _cycle(5, idea="call  FATHERS"),  # the same idea, another chain (undated: last)
        _cycle(6, idea="Ask about kin"),
        _cycle(7, parent=999, idea="Orphan"),  # its previous cycle is gone
    ]
    built = ramps.build(cycles)
    assert [r.change_idea for r in built] == ["Ask about kin", "Call fathers", "Orphan"]
    calls = built[1]
    assert calls.cycle_count == 5 and len(calls.chains) == 2
    chain = calls.chains[0]
    assert [s.cycle["id"] for s in chain] == [1, 2]
    assert [s.number for s in chain] == [1, 2]
    assert chain[0].prediction == "Half" and len(chain[1].result) == 120
    assert chain[1].result.endswith("…")
    assert [[s.cycle["id"] for s in b] for b in chain[1].branches] == [[4], [3]]
    assert chain[1].branches[0][0].number == 3
    assert [s.cycle["id"] for s in calls.chains[1]] == [5]
    assert ramps.build([]) == []


async def test_pressing_add_as_a_backlog_item_twice_makes_one_item(client, world):
    cycle_id = await make_cycle(world.initiative_id)
    first = await client.post_form(f"/pdsa/{cycle_id}/backlog-item", {"version": 1})
    assert first.status_code == 303
    again = await client.post_form(f"/pdsa/{cycle_id}/backlog-item", {"version": 1})
    assert again.status_code == 409
    assert await BacklogItem.count().where(BacklogItem.kind == "pdsa_test") == 1
