"""Comment threads on the things a team is reviewed on: start a thread, reply,
resolve and reopen. Anyone who can read the thing may comment (viewers and
liaisons too); every action is a plain form answered with a 303 back to the
thread, or the form again with what was typed (422)."""

from __future__ import annotations

from typing import Any

from litestar import Request, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from backend import clock, db
from backend.errors import Forbidden, NotFound
from backend.initiatives.queries import initiative_or_404
from backend.reviews import mentions, threads
from backend.reviews.notify import notify
from backend.reviews.tables import Comment, Mention
from backend.web import pii
from backend.web.forms import Errors, form_data, text, typed
from backend.web.pages import form_page

BODY_MAX = 10_000
BODY_PII = {"body": "Comment"}


# ---------------------------------------------------------------- saving


async def _participants(root_id: int) -> set[int]:
    rows = await Comment.select(Comment.author).where(
        (Comment.id == root_id) | (Comment.thread_root == root_id)
    )
    return {r["author"] for r in rows if r["author"] is not None}


async def save_comment(
    target: dict[str, Any],
    body: str,
    author_id: int,
    mentioned: list[int],
    thread_root: int | None,
    readers: set[int],
) -> int:
    """The comment, its mentions and their notifications, in one transaction.

    Mentioned people are told they were mentioned; the others already in the
    thread (who can still read it) that someone replied; the author neither."""
    summary = f"on the {target['label'][0].lower()}{target['label'][1:]}"
    async with db.writing():
        earlier = await _participants(thread_root) if thread_root is not None else set()
        rows = await Comment.insert(
            Comment(
                agency=target["agency"],
                target_kind=target["kind"],
                target_id=target["id"],
                thread_root=thread_root,
                author=author_id,
                body=body,
                created_at=clock.now(),
            )
        ).returning(Comment.id)
        comment_id = rows[0]["id"]
        url = f"{target['url']}#{threads.comment_anchor(comment_id)}"
        if mentioned:
            await Mention.insert(*[Mention(comment=comment_id, user=u) for u in mentioned])
            await notify(
                mentioned,
                kind="mention",
                text=f"You were mentioned in a comment {summary}",
                url=url,
                agency_id=target["agency"],
                actor_id=author_id,
                comment_id=comment_id,
            )
        await notify(
            (earlier & readers) - set(mentioned),
            kind="reply",
            text=f"New reply in a thread you are in, {summary}",
            url=url,
            agency_id=target["agency"],
            actor_id=author_id,
            comment_id=comment_id,
        )
    return comment_id


# ---------------------------------------------------------------- the form


async def _form(
    request: Request,
    target: dict[str, Any],
    action: str,
    values: dict[str, Any],
    errors: Errors,
    reply_to: dict[str, Any] | None = None,
) -> Template:
    """The comment again, with what was wrong first (only reached after an error)."""
    return form_page(
        "reviews/comment_form.html",
        422,
        title=f"Reply about the {target['label']}" if reply_to else f"Comment on {target['label']}",
        initiative=await initiative_or_404(target["initiative"]),
        nav=target["nav"],
        target=target,
        action=action,
        values=values,
        errors=errors,
        reply_to=reply_to,
        hint=mentions.HINT,
    )


async def _comment(
    request: Request,
    target: dict[str, Any] | None,
    agency_id: int,
    action: str,
    thread_root: dict[str, Any] | None = None,
) -> Template | Redirect:
    if target is None or target["agency"] != agency_id:
        raise NotFound("There is nothing to comment on at this address")
    data = await form_data(request)
    errors = Errors()
    body = text(
        data.get("body"), "body", errors, label="Comment", max_length=BODY_MAX, required=True
    )
    await pii.check(data, BODY_PII, agency_id, errors)
    people: list[dict[str, Any]] = []
    mentioned: list[int] = []
    typed_mentions = mentions.tokens(body)
    if typed_mentions or thread_root is not None:
        people = await threads.readers(agency_id)
    if typed_mentions:
        found = mentions.resolve(typed_mentions, people)
        problem = found.message()
        if problem:
            errors["body"] = f"{errors['body']} {problem}" if "body" in errors else problem
        mentioned = found.user_ids
    if errors:
        return await _form(request, target, action, typed(data, ("body",)), errors, thread_root)
    comment_id = await save_comment(
        target,
        body,
        request.state.access.user_id,
        mentioned,
        thread_root["id"] if thread_root else None,
        {p["id"] for p in people},
    )
    return Redirect(f"{target['url']}#{threads.comment_anchor(comment_id)}", status_code=303)


async def _new_thread(request: Request, kind: str, target_id: int) -> Template | Redirect:
    target = await threads.target(request.app, kind, target_id)
    route, param = threads.NEW_THREAD_ROUTES[kind]
    action = request.app.route_reverse(route, **{param: target_id})
    return await _comment(request, target, request.state.access.agency_id, action)


@post("/sprints/{sprint_id:int}/review/comments", name="reviews.sprint_review_comment")
async def sprint_review_comment(request: Request, sprint_id: FromPath[int]) -> Template | Redirect:
    return await _new_thread(request, "sprint_review", sprint_id)


@post(
    "/sprints/{sprint_id:int}/retrospective/comments",
    name="reviews.sprint_retrospective_comment",
)
async def sprint_retrospective_comment(
    request: Request, sprint_id: FromPath[int]
) -> Template | Redirect:
    return await _new_thread(request, "sprint_retrospective", sprint_id)


@post("/gate-decisions/{decision_id:int}/comments", name="reviews.gate_comment")
async def gate_comment(request: Request, decision_id: FromPath[int]) -> Template | Redirect:
    return await _new_thread(request, "gate", decision_id)


@post("/profiles/{profile_id:int}/comments", name="reviews.profile_comment")
async def profile_comment(request: Request, profile_id: FromPath[int]) -> Template | Redirect:
    return await _new_thread(request, "profile", profile_id)


@post("/findings/{finding_id:int}/comments", name="reviews.finding_comment")
async def finding_comment(request: Request, finding_id: FromPath[int]) -> Template | Redirect:
    return await _new_thread(request, "finding", finding_id)


@post("/items/{item_id:int}/comments", name="reviews.item_comment")
async def item_comment(request: Request, item_id: FromPath[int]) -> Template | Redirect:
    return await _new_thread(request, "item", item_id)


# ---------------------------------------------------------------- one thread


async def _root_of(comment_id: int) -> dict[str, Any]:
    """The thread a comment belongs to: its first comment."""
    rows = await Comment.select(Comment.id, Comment.thread_root).where(Comment.id == comment_id)
    if not rows:
        raise NotFound(f"Comment {comment_id} was not found")
    root_id = rows[0]["thread_root"] or rows[0]["id"]
    roots = await Comment.select(
        Comment.id,
        Comment.agency,
        Comment.target_kind,
        Comment.target_id,
        Comment.author,
        Comment.resolved_at,
    ).where(Comment.id == root_id)
    return roots[0]


async def _target_of(request: Request, root: dict[str, Any]) -> dict[str, Any]:
    target = await threads.target(request.app, root["target_kind"], root["target_id"])
    if target is None or target["agency"] != root["agency"]:
        raise NotFound("What this thread was about no longer exists")
    return target


@post("/comments/{comment_id:int}/replies", name="reviews.reply")
async def reply(request: Request, comment_id: FromPath[int]) -> Template | Redirect:
    root = await _root_of(comment_id)
    target = await _target_of(request, root)
    action = request.app.route_reverse("reviews.reply", comment_id=root["id"])
    return await _comment(request, target, root["agency"], action, thread_root=root)


async def _set_resolved(request: Request, comment_id: int, resolve: bool) -> Redirect:
    root = await _root_of(comment_id)
    if not threads.may_resolve(request, root["agency"], root["author"]):
        raise Forbidden(
            "Only the person who started this thread, the agency's team or a liaison "
            "can resolve or reopen it"
        )
    target = await _target_of(request, root)
    async with db.writing():
        if resolve:
            # Resolving twice keeps the first resolution (a double click changes nothing).
            await Comment.update(
                {
                    Comment.resolved_at: clock.now(),
                    Comment.resolved_by: request.state.access.user_id,
                }
            ).where((Comment.id == root["id"]) & Comment.resolved_at.is_null())
        else:
            await Comment.update({Comment.resolved_at: None, Comment.resolved_by: None}).where(
                Comment.id == root["id"]
            )
    return Redirect(f"{target['url']}#{threads.comment_anchor(root['id'])}", status_code=303)


@post("/comments/{comment_id:int}/resolve", name="reviews.resolve")
async def resolve(request: Request, comment_id: FromPath[int]) -> Redirect:
    return await _set_resolved(request, comment_id, True)


@post("/comments/{comment_id:int}/reopen", name="reviews.reopen")
async def reopen(request: Request, comment_id: FromPath[int]) -> Redirect:
    return await _set_resolved(request, comment_id, False)


route_handlers = [
    sprint_review_comment,
    sprint_retrospective_comment,
    gate_comment,
    profile_comment,
    finding_comment,
    item_comment,
    reply,
    resolve,
    reopen,
]
