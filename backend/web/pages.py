"""Rendering pages: forms with errors, and the htmx triggers tandem.js acts on."""

from __future__ import annotations

import json
from typing import Any

from litestar import Request
from litestar.response import Template


def user_id_of(request: Request) -> int | None:
    """The signed-in person's id (None without a session: the guard lets no such
    request reach a write, but history rows may still be written by the system)."""
    access = request.state.get("access")
    return access.user_id if access else None


def form_page(template: str, status: int = 200, **context: Any) -> Template:
    """GOV.UK pattern (A11Y-06): a page with errors or a conflict says so first, in its title."""
    if context.get("errors") or context.get("conflict"):
        context["title"] = "Error: " + context["title"]
    return Template(template, context=context, status_code=status)


def htmx_triggers(announce: str | None = None, focus: str | None = None) -> dict[str, str]:
    """Headers for tandem.js: announce in the live region now (A11Y-04), and move
    focus to the element with id `focus` once the swap has settled (A11Y-03)."""
    headers = {}
    if announce:
        headers["HX-Trigger"] = json.dumps({"tandem:announce": announce})
    if focus:
        # After settle, so the element to focus is already in the page.
        headers["HX-Trigger-After-Settle"] = json.dumps({"tandem:focus": focus})
    return headers
