"""Placeholder: pages are being written."""

route_handlers: list = []
