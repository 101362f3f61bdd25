"""Rows the route walk (tests/test_route_walk.py) fills path ids with."""

from backend import clock
from backend.reviews.tables import Comment
from tests.factories import make_items


async def walk_ids(world) -> dict[str, object]:
    # comment_id: a thread on the first agency's initiative (the comment routes
    # resolve the agency from the comment row).
    (item,) = await make_items(world.initiative_id, 1, title="Walk comment story")
    rows = await Comment.insert(
        Comment(
            agency=world.agency_id,
            target_kind="item",
            target_id=item,
            body="Walk comment",
            author=world.lead,
            created_at=clock.now(),
        )
    ).returning(Comment.id)
    return {"comment_id": rows[0]["id"]}
