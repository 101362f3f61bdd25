"""Comment threads: who may comment, what is shown, mentions, replies, resolving."""

from __future__ import annotations

from backend.exploration import services as exploration
from backend.initiatives import progress_services as progress
from backend.reviews import mentions
from backend.reviews.tables import Comment, Mention, Notification
from backend.scrum import services as scrum
from tests.factories import make_items
from tests.practice.build import make_profile


async def _sprint(world) -> int:
    return await scrum.create_sprint(world.initiative_id, {"goal": "Fathers invited"})


async def _comments() -> list[dict]:
    return await Comment.select().order_by(Comment.id)


async def _notifications() -> list[dict]:
    return await Notification.select().order_by(Notification.id)


async def test_a_team_member_starts_a_thread_on_a_sprint_review(client, world):
    sprint = await _sprint(world)
    response = await client.post_form(
        f"/sprints/{sprint}/review/comments", {"body": "We met the **goal**."}
    )
    assert response.status_code == 303
    (comment,) = await _comments()
    assert response.headers["location"] == f"/sprints/{sprint}#comment-{comment['id']}"
    assert comment["target_kind"] == "sprint_review"
    assert comment["target_id"] == sprint
    assert comment["agency"] == world.agency_id
    assert comment["thread_root"] is None
    page = await client.get(f"/sprints/{sprint}")
    assert page.status_code == 200
    assert 'id="comments-sprint_review-' in page.text
    assert 'id="comments-sprint_retrospective-' in page.text
    assert "<strong>goal</strong>" in page.text


async def test_a_viewer_and_a_liaison_may_comment(client_as, world):
    sprint = await _sprint(world)
    for role in ("viewer", "liaison"):
        person = await client_as(world.users[role])
        response = await person.post_form(
            f"/sprints/{sprint}/retrospective/comments", {"body": f"From the {role}"}
        )
        assert response.status_code == 303, role
    assert [c["author"] for c in await _comments()] == [
        world.users["viewer"],
        world.users["liaison"],
    ]


async def test_every_kind_of_target_takes_comments_and_shows_them(client, world):
    sprint = await _sprint(world)
    (item,) = await make_items(world.initiative_id, 1)
    finding = await exploration.create_finding(world.initiative_id, {"statement": "Few come"})
    profile = (await make_profile(world.initiative_id, 1, 1, user_id=world.lead))["profile_id"]
    stage = world.stages[1]
    decision = await progress.decide_gate(world.initiative_id, stage, "hold", "", world.lead)
    cases = [
        (f"/sprints/{sprint}/review/comments", f"/sprints/{sprint}"),
        (f"/sprints/{sprint}/retrospective/comments", f"/sprints/{sprint}"),
        (f"/items/{item}/comments", f"/items/{item}"),
        (f"/findings/{finding}/comments", f"/findings/{finding}"),
        (f"/profiles/{profile}/comments", f"/profiles/{profile}"),
        (
            f"/gate-decisions/{decision}/comments",
            f"/initiatives/{world.initiative_id}/stages/{stage['id']}",
        ),
    ]
    for n, (post_url, page_url) in enumerate(cases):
        response = await client.post_form(post_url, {"body": f"Remark number {n}"})
        assert response.status_code == 303, post_url
        assert response.headers["location"].startswith(page_url + "#comment-"), post_url
        page = await client.get(page_url)
        assert page.status_code == 200
        assert f"Remark number {n}" in page.text, page_url
    kinds = [c["target_kind"] for c in await _comments()]
    assert kinds == ["sprint_review", "sprint_retrospective", "item", "finding", "profile", "gate"]


async def test_another_agency_gets_404_and_anonymous_is_sent_to_sign_in(client_as, world):
    sprint = await _sprint(world)
    outsider = await client_as(world.users["other_lead"])
    response = await outsider.post_form(f"/sprints/{sprint}/review/comments", {"body": "Hi"})
    assert response.status_code == 404
    anonymous = await client_as()
    response = await anonymous.post_form(f"/sprints/{sprint}/review/comments", {"body": "Hi"})
    assert response.status_code == 303
    assert response.headers["location"].startswith("/sign-in")
    assert await _comments() == []


async def test_an_empty_comment_is_refused_with_the_form_again(client, world):
    sprint = await _sprint(world)
    response = await client.post_form(f"/sprints/{sprint}/review/comments", {"body": "  "})
    assert response.status_code == 422
    assert "<title>Error:" in response.text
    assert "Enter comment" in response.text
    assert await _comments() == []


async def test_hostile_markdown_is_shown_inert(client, world):
    sprint = await _sprint(world)
    hostile = '<script>alert(1)</script> [click](javascript:alert(2)) <img src=x onerror="x()">'
    await client.post_form(f"/sprints/{sprint}/review/comments", {"body": hostile})
    page = (await client.get(f"/sprints/{sprint}")).text
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)" in page
    assert 'href="javascript:' not in page
    assert "<img src=x" not in page


async def test_personal_information_needs_the_confirm_box(client, world):
    sprint = await _sprint(world)
    url = f"/sprints/{sprint}/review/comments"
    typed = "Call the father on 617-555-0123"
    response = await client.post_form(url, {"body": typed})
    assert response.status_code == 422
    assert "a phone number" in response.text
    assert typed in response.text  # what was typed comes back
    assert 'name="pii_confirmed"' in response.text
    assert await _comments() == []
    response = await client.post_form(url, {"body": typed, "pii_confirmed": "yes"})
    assert response.status_code == 303
    assert len(await _comments()) == 1


async def test_mentions_save_rows_and_notify_the_people_named(client, world):
    sprint = await _sprint(world)
    body = "Thanks @[Lia Liaison] and @team_member, see this. Not me: desk@front"
    response = await client.post_form(f"/sprints/{sprint}/review/comments", {"body": body})
    assert response.status_code == 303
    (comment,) = await _comments()
    mentioned = {m["user"] for m in await Mention.select().where(Mention.comment == comment["id"])}
    assert mentioned == {world.users["liaison"], world.users["team_member"]}
    notes = await _notifications()
    assert {n["user"] for n in notes} == mentioned
    assert all(n["kind"] == "mention" for n in notes)
    assert all(n["url"] == f"/sprints/{sprint}#comment-{comment['id']}" for n in notes)
    assert all(n["actor"] == world.lead and n["comment"] == comment["id"] for n in notes)


async def test_mentioning_yourself_notifies_nobody(client, world):
    sprint = await _sprint(world)
    await client.post_form(f"/sprints/{sprint}/review/comments", {"body": "Note to @agency_lead"})
    assert await _notifications() == []


async def test_an_unknown_mention_is_refused_naming_it_and_keeping_the_text(client, world):
    sprint = await _sprint(world)
    body = "Ask @[Nobody Here] and @ghost about it"
    response = await client.post_form(f"/sprints/{sprint}/review/comments", {"body": body})
    assert response.status_code == 422
    assert "@[Nobody Here]" in response.text
    assert "@ghost" in response.text
    assert "No one who can read this is called" in response.text
    assert ">Ask @[Nobody Here] and @ghost about it</textarea>" in response.text
    assert await _comments() == []
    assert await _notifications() == []


async def test_a_person_of_another_agency_cannot_be_mentioned(client, world):
    sprint = await _sprint(world)
    response = await client.post_form(
        f"/sprints/{sprint}/review/comments", {"body": "Ask @[Otto Other]"}
    )
    assert response.status_code == 422
    assert "No one who can read this is called @[Otto Other]" in response.text
    assert await _comments() == []


def test_mention_tokens_are_read_as_documented():
    text = "@[Jane  Doe], @jane.doe. mail jane@x.org [@[Skip]] @a"
    assert mentions.tokens(text) == ["@[Jane  Doe]", "@jane.doe", "@a"]
    readers = [
        {"id": 1, "name": "Jane Doe", "email": "jane.doe@x.org"},
        {"id": 2, "name": "Sam Roe", "email": "a@x.org"},
        {"id": 3, "name": "Sam Roe", "email": "sam@y.org"},
    ]
    found = mentions.resolve(["@[jane doe]", "@JANE.DOE", "@a", "@[Sam Roe]", "@b"], readers)
    assert found.user_ids == [1, 2]
    assert found.unknown == ["@b"]
    assert found.ambiguous == ["@[Sam Roe]"]


async def test_replies_notify_the_people_already_in_the_thread(client, client_as, world):
    sprint = await _sprint(world)
    await client.post_form(f"/sprints/{sprint}/review/comments", {"body": "Started"})
    (root,) = await _comments()
    member = await client_as(world.users["team_member"])
    response = await member.post_form(f"/comments/{root['id']}/replies", {"body": "Agreed"})
    assert response.status_code == 303
    reply = (await _comments())[-1]
    assert reply["thread_root"] == root["id"]
    assert response.headers["location"] == f"/sprints/{sprint}#comment-{reply['id']}"
    (note,) = await _notifications()
    assert (note["user"], note["kind"], note["actor"]) == (world.lead, "reply", member_id(world))
    # A reply to a reply joins the same thread; both earlier authors hear of it,
    # the liaison who is mentioned hears once, as a mention.
    liaison = await client_as(world.users["liaison"])
    response = await liaison.post_form(
        f"/comments/{reply['id']}/replies", {"body": "Me too @[Lia Liaison] @product_owner"}
    )
    assert response.status_code == 303
    last = (await _comments())[-1]
    assert last["thread_root"] == root["id"]
    new = [n for n in await _notifications() if n["comment"] == last["id"]]
    assert sorted((n["user"], n["kind"]) for n in new) == sorted(
        [
            (world.lead, "reply"),
            (world.users["team_member"], "reply"),
            (world.users["product_owner"], "mention"),
        ]
    )
    page = (await client.get(f"/sprints/{sprint}")).text
    assert "Agreed" in page and f'id="comment-{last["id"]}"' in page


def member_id(world) -> int:
    return world.users["team_member"]


async def test_a_reply_refused_keeps_what_was_typed(client, world):
    sprint = await _sprint(world)
    await client.post_form(f"/sprints/{sprint}/review/comments", {"body": "Started"})
    (root,) = await _comments()
    response = await client.post_form(f"/comments/{root['id']}/replies", {"body": "Hi @nobody"})
    assert response.status_code == 422
    assert "Hi @nobody</textarea>" in response.text
    assert f'action="/comments/{root["id"]}/replies"' in response.text


async def test_resolve_and_reopen_by_author_team_and_liaison_not_other_viewers(
    client, client_as, world
):
    sprint = await _sprint(world)
    viewer = await client_as(world.users["viewer"])
    await viewer.post_form(f"/sprints/{sprint}/review/comments", {"body": "Viewer asks"})
    await client.post_form(f"/sprints/{sprint}/review/comments", {"body": "Lead says"})
    viewer_root, lead_root = await _comments()
    # The viewer resolves their own thread but not the lead's.
    response = await viewer.post_form(f"/comments/{viewer_root['id']}/resolve", {})
    assert response.status_code == 303
    assert response.headers["location"] == f"/sprints/{sprint}#comment-{viewer_root['id']}"
    response = await viewer.post_form(f"/comments/{lead_root['id']}/resolve", {})
    assert response.status_code == 403
    rows = {c["id"]: c for c in await _comments()}
    assert rows[viewer_root["id"]]["resolved_by"] == world.users["viewer"]
    assert rows[viewer_root["id"]]["resolved_at"] is not None
    assert rows[lead_root["id"]]["resolved_at"] is None
    # A liaison reopens the viewer's thread; a team member resolves the lead's.
    liaison = await client_as(world.users["liaison"])
    assert (await liaison.post_form(f"/comments/{viewer_root['id']}/reopen", {})).status_code == 303
    member = await client_as(world.users["team_member"])
    assert (await member.post_form(f"/comments/{lead_root['id']}/resolve", {})).status_code == 303
    rows = {c["id"]: c for c in await _comments()}
    assert rows[viewer_root["id"]]["resolved_at"] is None
    assert rows[viewer_root["id"]]["resolved_by"] is None
    assert rows[lead_root["id"]]["resolved_by"] == world.users["team_member"]
    page = (await client.get(f"/sprints/{sprint}")).text
    assert "Resolved thread started by Agency Lead" in page
    assert "Reopen thread" in page


async def test_resolving_through_a_reply_resolves_its_thread(client, world):
    sprint = await _sprint(world)
    await client.post_form(f"/sprints/{sprint}/review/comments", {"body": "Root"})
    (root,) = await _comments()
    await client.post_form(f"/comments/{root['id']}/replies", {"body": "Reply"})
    reply = (await _comments())[-1]
    await client.post_form(f"/comments/{reply['id']}/resolve", {})
    rows = {c["id"]: c for c in await _comments()}
    assert rows[root["id"]]["resolved_at"] is not None
    assert rows[reply["id"]]["resolved_at"] is None


async def test_another_agency_cannot_reply_or_resolve(client, client_as, world):
    sprint = await _sprint(world)
    await client.post_form(f"/sprints/{sprint}/review/comments", {"body": "Root"})
    (root,) = await _comments()
    outsider = await client_as(world.users["other_lead"])
    for action in ("replies", "resolve", "reopen"):
        response = await outsider.post_form(f"/comments/{root['id']}/{action}", {"body": "x"})
        assert response.status_code == 404, action
    assert len(await _comments()) == 1


async def test_the_sprint_page_runs_the_same_number_of_queries_with_2_or_12_comments(
    client, world, count_queries
):
    sprint = await _sprint(world)
    url = f"/sprints/{sprint}"

    async def add(n: int) -> None:
        for i in range(n):
            await client.post_form(f"{url}/review/comments", {"body": f"Thread {i} @team_member"})
        roots = await Comment.select(Comment.id).where(Comment.thread_root.is_null())
        for root in roots[:n]:
            await client.post_form(f"/comments/{root['id']}/replies", {"body": "A reply"})

    await add(1)
    with count_queries() as few:
        assert (await client.get(url)).status_code == 200
    await add(5)
    assert await Comment.count() == 12
    with count_queries() as many:
        page = await client.get(url)
    assert page.status_code == 200
    assert page.text.count("A reply") == 6
    assert many.count == few.count


async def test_pages_with_threads_are_well_formed_for_every_kind_of_reader(
    client, client_as, world
):
    from tests.html_checks import assert_well_formed

    sprint = await _sprint(world)
    (item,) = await make_items(world.initiative_id, 1)
    finding = await exploration.create_finding(world.initiative_id, {"statement": "Few come"})
    profile = (await make_profile(world.initiative_id, 1, 1, user_id=world.lead))["profile_id"]
    stage = world.stages[1]
    first = await progress.decide_gate(world.initiative_id, stage, "hold", "", world.lead)
    await progress.decide_gate(world.initiative_id, stage, "hold", "", world.lead)
    stage_page = f"/initiatives/{world.initiative_id}/stages/{stage['id']}"
    pages = {
        f"/sprints/{sprint}/review/comments": f"/sprints/{sprint}",
        f"/sprints/{sprint}/retrospective/comments": f"/sprints/{sprint}",
        f"/items/{item}/comments": f"/items/{item}",
        f"/findings/{finding}/comments": f"/findings/{finding}",
        f"/profiles/{profile}/comments": f"/profiles/{profile}",
        f"/gate-decisions/{first}/comments": stage_page,
    }
    for post_url in pages:
        for n in range(2):
            await client.post_form(post_url, {"body": f"# Heading\n\nThread {n}"})
    for root in await Comment.select(Comment.id):
        await client.post_form(f"/comments/{root['id']}/replies", {"body": "A reply"})
        await client.post_form(f"/comments/{root['id']}/resolve", {})
        break
    for role in ("agency_lead", "viewer", "liaison"):
        person = await client_as(world.users[role])
        for page_url in set(pages.values()):
            response = await person.get(page_url)
            assert response.status_code == 200, (role, page_url)
            assert_well_formed(response.text, page_url)
        assert_well_formed((await person.get("/inbox")).text, "/inbox")
    response = await client.post_form(f"/items/{item}/comments", {"body": "@nobody"})
    assert response.status_code == 422
    assert_well_formed(response.text, "comment form")
