"""Every page of the reviews area, from its modules."""

from __future__ import annotations

from backend.reviews import comments, digest_pages, inbox, signoffs

route_handlers = [
    *comments.route_handlers,
    *signoffs.route_handlers,
    *inbox.route_handlers,
    *digest_pages.route_handlers,
]
