"""Placeholder module; routes are added by the page that owns it."""

route_handlers: list = []
