"""Rendering a page that holds a form."""

from __future__ import annotations

from typing import Any

from litestar.response import Template


def form_page(template: str, status: int = 200, **context: Any) -> Template:
    """GOV.UK pattern (A11Y-06): a page with errors or a conflict says so first, in its title."""
    if context.get("errors") or context.get("conflict"):
        context["title"] = "Error: " + context["title"]
    return Template(template, context=context, status_code=status)
