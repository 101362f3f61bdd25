"""The JSON API for comments and sign-offs (being built: issue 6)."""

from __future__ import annotations

route_handlers: list = []
