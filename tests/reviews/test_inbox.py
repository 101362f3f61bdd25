"""The inbox: a person's own notifications, unread first; marking them read."""

from __future__ import annotations

from datetime import timedelta

from backend import clock, db
from backend.reviews.notify import notify
from backend.reviews.tables import Notification


async def _tell(user_id: int, text: str, agency_id: int | None, actor: int | None = None) -> int:
    await notify(
        [user_id], kind="mention", text=text, url="/inbox", agency_id=agency_id, actor_id=actor
    )
    rows = await Notification.select(Notification.id).order_by(Notification.id, ascending=False)
    return rows[0]["id"]


async def test_the_inbox_shows_only_ones_own_notifications_unread_first(client, world):
    lead = world.lead
    first = await _tell(lead, "First for the lead", world.agency_id, world.users["viewer"])
    await _tell(world.users["viewer"], "For the viewer", world.agency_id)
    second = await _tell(lead, "Second for the lead", world.agency_id)
    async with db.writing():
        await Notification.update({Notification.read_at: clock.now()}).where(
            Notification.id == second
        )
    page = await client.get("/inbox")
    assert page.status_code == 200
    assert "For the viewer" not in page.text
    assert "1 unread of 2" in page.text
    assert page.text.index("First for the lead") < page.text.index("Second for the lead")
    assert "Viewer" in page.text  # who did it
    assert f'id="notification-{first}"' in page.text


async def test_newest_first_within_unread(client, world):
    start = clock.now()
    for n in range(3):
        clock.set_clock(lambda n=n: start + timedelta(minutes=n))
        await _tell(world.lead, f"Event {n}", world.agency_id)
    clock.set_clock(None)
    page = (await client.get("/inbox")).text
    assert page.index("Event 2") < page.index("Event 1") < page.index("Event 0")


async def test_notifications_of_an_agency_one_no_longer_sees_are_hidden(client, world):
    await _tell(world.lead, "From the other agency", world.other_agency_id)
    await _tell(world.lead, "About the site", None)
    page = (await client.get("/inbox")).text
    assert "From the other agency" not in page
    assert "About the site" in page


async def test_marking_one_read(client, world):
    mine = await _tell(world.lead, "Mine", world.agency_id)
    response = await client.post_form("/inbox/read", {"notification": str(mine)})
    assert response.status_code == 303
    assert response.headers["location"] == f"/inbox#notification-{mine}"
    rows = await Notification.select().where(Notification.id == mine)
    assert rows[0]["read_at"] is not None
    assert "0 unread of 1" in (await client.get("/inbox")).text


async def test_another_persons_notification_is_not_found(client, world):
    theirs = await _tell(world.users["viewer"], "Theirs", world.agency_id)
    for value in (str(theirs), "999999", "abc", ""):
        response = await client.post_form("/inbox/read", {"notification": value})
        assert response.status_code == 404, value
    rows = await Notification.select().where(Notification.id == theirs)
    assert rows[0]["read_at"] is None


async def test_mark_all_read_touches_only_ones_own(client, world):
    await _tell(world.lead, "One", world.agency_id)
    await _tell(world.lead, "Two", world.agency_id)
    theirs = await _tell(world.users["viewer"], "Theirs", world.agency_id)
    response = await client.post_form("/inbox/read-all", {})
    assert response.status_code == 303
    rows = {r["id"]: r for r in await Notification.select()}
    assert all(r["read_at"] is not None for i, r in rows.items() if i != theirs)
    assert rows[theirs]["read_at"] is None
    page = (await client.get(response.headers["location"])).text
    assert "All marked as read." in page


async def test_the_inbox_needs_a_session(client_as, world):
    anonymous = await client_as()
    response = await anonymous.get("/inbox")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/sign-in")


async def test_an_empty_inbox_says_so(client_as, world):
    liaison = await client_as(world.users["liaison"])
    page = await liaison.get("/inbox")
    assert page.status_code == 200
    assert "Nothing here yet" in page.text


async def test_a_mention_arrives_in_the_inbox_with_a_link_to_the_comment(client, client_as, world):
    from backend.scrum import services as scrum

    sprint = await scrum.create_sprint(world.initiative_id, {"goal": "Goal"})
    await client.post_form(f"/sprints/{sprint}/review/comments", {"body": "See @[Lia Liaison]"})
    liaison = await client_as(world.users["liaison"])
    page = (await liaison.get("/inbox")).text
    assert "You were mentioned in a comment on the sprint review of sprint" in page
    assert f'href="/sprints/{sprint}#comment-' in page


async def test_the_inbox_page_runs_the_same_number_of_queries_with_2_or_30_rows(
    client, world, count_queries
):
    for n in range(2):
        await _tell(world.lead, f"Early {n}", world.agency_id)
    with count_queries() as few:
        await client.get("/inbox")
    for n in range(28):
        await _tell(world.lead, f"Late {n}", world.agency_id)
    with count_queries() as many:
        await client.get("/inbox")
    assert many.count == few.count


async def test_the_unread_count_for_the_header(world):
    from types import SimpleNamespace

    from backend.reviews.inbox import unread_count

    await _tell(world.lead, "One", world.agency_id)
    await _tell(world.lead, "Elsewhere", world.other_agency_id)
    access = SimpleNamespace(user_id=world.lead, agency_ids=[world.agency_id])
    assert await unread_count(access) == 1
