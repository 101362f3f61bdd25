"""Pages for cfsr (being built: issue 5)."""

from __future__ import annotations

route_handlers: list = []
