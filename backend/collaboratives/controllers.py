"""Routes of the collaboratives area: each module lists its own handlers."""

from __future__ import annotations

from backend.collaboratives import cross_team, feed, pages

route_handlers: list = [*pages.route_handlers]
route_handlers += cross_team.route_handlers
route_handlers += feed.route_handlers
