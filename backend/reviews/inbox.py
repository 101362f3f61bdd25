"""A person's inbox: their own notifications, unread first, and marking them read."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.response import Redirect, Template

from backend import clock, db
from backend.errors import NotFound
from backend.reviews.tables import NOTIFICATION_KINDS, Notification
from backend.web.forms import form_data, row_id

SHOWN = 100  # the newest this many; the page says how many there are in all


def _visible(access: Any):
    """Notifications of agencies the person can still see (or of none): someone who
    left an agency no longer reads what was said there."""
    where = Notification.user == access.user_id
    if access.agency_ids:
        return where & (
            Notification.agency.is_null() | Notification.agency.is_in(access.agency_ids)
        )
    return where & Notification.agency.is_null()


async def unread_count(access: Any) -> int:
    """For the site header: how many unread notifications the person has."""
    return await Notification.count().where(_visible(access) & Notification.read_at.is_null())


async def load_unread(request: Request) -> None:
    """For the site header (a `before_request` hook the lead may wire): puts the
    signed-in person's unread count in `request.state.inbox_unread` (one query;
    nothing for people who are not signed in)."""
    access = request.state.get("access")
    if access is not None:
        request.state.inbox_unread = await unread_count(access)


@get("/inbox", name="reviews.inbox")
async def inbox(request: Request) -> Template:
    access = request.state.access
    columns = (
        Notification.id,
        Notification.kind,
        Notification.text,
        Notification.url,
        Notification.created_at,
        Notification.read_at,
        Notification.actor.name.as_alias("actor_name"),
        Notification.agency.name.as_alias("agency_name"),
    )
    newest_first = (Notification.created_at, Notification.id)
    # Unread first, then read; newest first within each (two queries: the databases
    # disagree on where NULL sorts).
    rows = (
        await Notification.select(*columns)
        .where(_visible(access) & Notification.read_at.is_null())
        .order_by(*newest_first, ascending=False)
        .limit(SHOWN)
    )
    if len(rows) < SHOWN:
        rows += (
            await Notification.select(*columns)
            .where(_visible(access) & Notification.read_at.is_not_null())
            .order_by(*newest_first, ascending=False)
            .limit(SHOWN - len(rows))
        )
    total = await Notification.count().where(_visible(access))
    unread = await unread_count(access)
    for row in rows:
        row["kind_label"] = NOTIFICATION_KINDS.get(row["kind"], row["kind"])
    return Template(
        "reviews/inbox.html",
        context={
            "title": f"Inbox ({unread} unread)" if unread else "Inbox",
            "notifications": rows,
            "total": total,
            "unread": unread,
            "shown": SHOWN,
            "message": "All marked as read." if request.query_params.get("done") == "all" else "",
        },
    )


@post("/inbox/read", name="reviews.inbox_read")
async def mark_read(request: Request) -> Redirect:
    access = request.state.access
    notification_id = row_id((await form_data(request)).get("notification"))
    rows = []
    if notification_id is not None:
        rows = await Notification.select(Notification.id).where(
            (Notification.id == notification_id) & _visible(access)
        )
    if not rows:  # missing, or another person's: the same answer
        raise NotFound("That notification was not found")
    async with db.writing():
        await Notification.update({Notification.read_at: clock.now()}).where(
            (Notification.id == notification_id) & Notification.read_at.is_null()
        )
    url = request.app.route_reverse("reviews.inbox")
    return Redirect(f"{url}#notification-{notification_id}", status_code=303)


@post("/inbox/read-all", name="reviews.inbox_read_all")
async def mark_all_read(request: Request) -> Redirect:
    async with db.writing():
        await Notification.update({Notification.read_at: clock.now()}).where(
            (Notification.user == request.state.access.user_id) & Notification.read_at.is_null()
        )
    return Redirect(request.app.route_reverse("reviews.inbox") + "?done=all", status_code=303)


route_handlers = [inbox, mark_read, mark_all_read]
