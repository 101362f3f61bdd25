"""Placeholder: API routes are being written."""

route_handlers: list = []
