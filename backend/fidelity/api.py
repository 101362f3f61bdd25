"""The JSON API for fidelity (being built: issue 5)."""

from __future__ import annotations

route_handlers: list = []
