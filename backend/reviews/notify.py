"""The one way to tell people something happened: a row in each person's inbox.

The email digest (backend/reviews/digest.py) later sends what is not emailed yet,
batched per person, so an event never sends an email by itself.
"""

from __future__ import annotations

from collections.abc import Iterable

from backend import clock, db
from backend.reviews.tables import NOTIFICATION_KINDS, Notification

TEXT_MAX = 300


async def notify(
    user_ids: Iterable[int | None],
    *,
    kind: str,
    text: str,
    url: str = "",
    agency_id: int | None = None,
    actor_id: int | None = None,
    comment_id: int | None = None,
) -> int:
    """One notification for each person (never the actor themselves, never twice);
    returns how many were written. Runs inside the caller's transaction."""
    if kind not in NOTIFICATION_KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    if not url.startswith("/"):
        raise ValueError("a notification links to a path on this site")
    people = sorted({u for u in user_ids if u is not None and u != actor_id})
    if not people:
        return 0
    now = clock.now()
    short = text if len(text) <= TEXT_MAX else text[: TEXT_MAX - 1] + "…"
    async with db.writing():
        await Notification.insert(
            *[
                Notification(
                    user=user,
                    agency=agency_id,
                    kind=kind,
                    text=short,
                    url=url,
                    comment=comment_id,
                    actor=actor_id,
                    created_at=now,
                )
                for user in people
            ]
        )
    return len(people)
