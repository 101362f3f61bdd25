"""Deleting a core component or a practice behaviour asks first, on a page that works
without JavaScript and shows everything that goes; the delete is refused (409) if that
changed since the page was shown."""

from __future__ import annotations

from backend.practice import queries, services
from backend.practice.tables import CoreComponent, Descriptor, PracticeBehaviour
from backend.scrum import services as scrum
from backend.traceability.tables import ItemComponent
from tests.practice.build import delete_confirmed, make_profile, saved_of, set_status
from tests.practice.html import tables_of, text_of


async def _counts() -> tuple[int, int, int, int]:
    return (
        await CoreComponent.count(),
        await PracticeBehaviour.count(),
        await Descriptor.count(),
        await ItemComponent.count(),
    )


async def test_the_profile_page_links_to_the_confirmation_instead_of_deleting(client, world):
    made = await make_profile(world.initiative_id, components=1, behaviours=1)
    component, behaviour = made["component_ids"][0], made["behaviour_ids"][0]
    page = await client.get(f"/profiles/{made['profile_id']}")
    assert f'href="/components/{component}/delete"' in page.text
    assert f'href="/behaviours/{behaviour}/delete"' in page.text
    assert 'action="/components/' not in page.text.replace(
        f'action="/components/{component}/move"', ""
    )
    assert f'action="/behaviours/{behaviour}/delete"' not in page.text
    page = await client.get(f"/components/{component}")
    assert f'href="/behaviours/{behaviour}/delete?return_to=component"' in page.text


async def test_deleting_a_component_shows_what_goes_and_which_stories_lose_their_link(
    client, world
):
    made = await make_profile(world.initiative_id, components=2, behaviours=2)
    v1 = made["profile_id"]
    await set_status(v1, "approved")
    v2 = await services.new_version(v1, world.lead, "Second")
    old_component = made["component_ids"][0]
    component = (await queries.rubric(v2))["components"][0]["id"]
    kept = await scrum.create_item(world.initiative_id, {"title": "Coach on version 1"})
    lost = await scrum.create_item(world.initiative_id, {"title": "Train on version 2"})
    await ItemComponent.insert(
        ItemComponent(item=kept, component=old_component),
        ItemComponent(item=lost, component=component),
    )
    before = await _counts()
    page = await client.get(f"/components/{component}/delete")
    assert page.status_code == 200
    assert await _counts() == before  # asking deletes nothing
    text = text_of(page.text)
    assert "<title>Delete core component Component 1? · Tandem</title>" in page.text
    assert "Core component 1 of version 2: Component 1" in text
    assert "2 practice behaviours and what each looks like at every continuum level go with it" in (
        text
    )
    (table,) = tables_of(page.text)
    assert [row[0][2] for row in table["bodies"][0]["rows"]] == ["Behaviour 1.1", "Behaviour 1.2"]
    assert [cell[2] for cell in table["bodies"][0]["rows"][0][2:]] == [
        "Optimal for 1.1",
        "Developmental for 1.1",
        "Unacceptable for 1.1",
    ]
    assert f"1 story will no longer link to it: #{lost} Train on version 2" in text
    assert (
        "1 story links to the same component in another version; those links stay: "
        f"#{kept} Coach on version 1"
    ) in text
    assert "Only version 2 changes: earlier versions keep it. Deleting cannot be undone." in text
    assert f'<a href="/profiles/{v2}#component-{component}">Keep it</a>' in page.text

    response = await client.post_form(
        f"/components/{component}/delete", {"saved": saved_of(page.text)}
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/profiles/{v2}"
    assert not await CoreComponent.exists().where(CoreComponent.id == component)
    assert await _counts() == (before[0] - 1, before[1] - 2, before[2] - 6, before[3] - 1)
    links = await ItemComponent.select(ItemComponent.item, ItemComponent.component)
    assert links == [{"item": kept, "component": old_component}]
    assert len((await queries.rubric(v1))["components"]) == 2  # version 1 as it was


async def test_a_component_changed_after_the_confirmation_is_not_deleted(client, world):
    made = await make_profile(world.initiative_id, components=1, behaviours=1)
    component = made["component_ids"][0]
    page = await client.get(f"/components/{component}/delete")
    saved = saved_of(page.text)
    await services.add_behaviour(component, {"text": "Added meanwhile", "role": "Worker"}, {})
    before = await _counts()
    response = await client.post_form(f"/components/{component}/delete", {"saved": saved})
    assert response.status_code == 409
    text = text_of(response.text)
    assert "<title>Error: Delete core component Component 1?" in response.text
    assert "Someone else changed this since the page was loaded, so nothing was deleted" in text
    assert "Added meanwhile" in text and "2 practice behaviours" in text
    # A delete sent without the confirmation page is not done either: it asks.
    response = await client.post_form(f"/components/{component}/delete", {})
    assert response.status_code == 409 and "Added meanwhile" in response.text
    assert await _counts() == before
    response = await client.post_form(
        f"/components/{component}/delete", {"saved": saved_of(response.text)}
    )
    assert response.status_code == 303
    assert await CoreComponent.count() == 0 and await PracticeBehaviour.count() == 0


async def test_deleting_a_behaviour_shows_its_descriptors_and_comes_back_where_it_began(
    client, world
):
    made = await make_profile(world.initiative_id, components=1, behaviours=2)
    component = made["component_ids"][0]
    first, second = made["behaviour_ids"]
    page = await client.get(f"/behaviours/{first}/delete?return_to=component")
    assert page.status_code == 200
    text = text_of(page.text)
    assert "Delete a practice behaviour of Component 1?" in text
    (table,) = tables_of(page.text)
    (row,) = table["bodies"][0]["rows"]
    assert [cell[2] for cell in row] == [
        "Behaviour 1.1",
        "Worker",
        "Optimal for 1.1",
        "Developmental for 1.1",
        "Unacceptable for 1.1",
    ]
    assert "Stories linked" not in text  # the links are the component's
    assert f'<a href="/components/{component}#behaviour-{first}">Keep it</a>' in page.text
    assert 'name="return_to" value="component"' in page.text
    response = await client.post_form(
        f"/behaviours/{first}/delete", {"saved": saved_of(page.text), "return_to": "component"}
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/components/{component}#component-{component}"
    assert not await PracticeBehaviour.exists().where(PracticeBehaviour.id == first)
    assert not await Descriptor.exists().where(Descriptor.behaviour == first)

    # From the profile page it goes back there; an edit made meanwhile stops it.
    page = await client.get(f"/behaviours/{second}/delete")
    assert 'name="return_to" value="profile"' in page.text
    assert f'<a href="/profiles/{made["profile_id"]}#behaviour-{second}">Keep it</a>' in page.text
    saved = saved_of(page.text)
    behaviour = await queries.behaviour_or_404(second)
    await services.update_behaviour(
        second,
        queries.behaviour_fingerprint(behaviour, await queries.descriptors_of(second)),
        {"text": "Reworded meanwhile", "role": "Worker"},
        {},
    )
    response = await client.post_form(f"/behaviours/{second}/delete", {"saved": saved})
    assert response.status_code == 409
    assert "Reworded meanwhile" in response.text and "nothing was deleted" in response.text
    assert await PracticeBehaviour.exists().where(PracticeBehaviour.id == second)
    response = await delete_confirmed(client, f"/behaviours/{second}/delete")
    assert response.headers["location"] == f"/profiles/{made['profile_id']}#component-{component}"
    assert await PracticeBehaviour.count() == 0


async def test_only_the_team_may_ask_or_delete(client_as, world):
    made = await make_profile(world.initiative_id, components=1, behaviours=1)
    component, behaviour = made["component_ids"][0], made["behaviour_ids"][0]
    before = await _counts()
    urls = (f"/components/{component}/delete", f"/behaviours/{behaviour}/delete")
    for role in ("viewer", "liaison"):
        person = await client_as(world.users[role])
        for url in urls:
            assert (await person.get(url)).status_code == 403, (role, url)
            assert (await person.post_form(url, {"saved": "x"})).status_code == 403, (role, url)
    outsider = await client_as(world.users["other_lead"])
    for url in urls:
        response = await outsider.get(url)
        assert response.status_code == 404 and "Component 1" not in response.text
        assert (await outsider.post_form(url, {"saved": "x"})).status_code == 404
    member = await client_as(world.users["team_member"])
    assert (await member.get(urls[1])).status_code == 200
    assert await _counts() == before
    response = await delete_confirmed(member, urls[1])
    assert response.status_code == 303 and await PracticeBehaviour.count() == 0


async def test_an_approved_version_offers_no_confirmation(client, world):
    made = await make_profile(world.initiative_id, components=1, behaviours=1)
    await set_status(made["profile_id"], "approved")
    for url in (
        f"/components/{made['component_ids'][0]}/delete",
        f"/behaviours/{made['behaviour_ids'][0]}/delete",
    ):
        response = await client.get(url)
        assert response.status_code == 409, url
        assert "Version 1 is approved: make a new version to change it" in response.text
    for url in ("/components/999999/delete", "/behaviours/999999/delete", "/behaviours/x/delete"):
        assert (await client.get(url)).status_code == 404, url
    assert await CoreComponent.count() == 1
