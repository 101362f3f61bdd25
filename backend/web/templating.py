"""Jinja set-up: safe markdown, date and number filters shared by every page."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from typing import Any

from jinja2 import Environment, pass_context
from litestar import Litestar
from litestar.plugins.jinja import JinjaTemplateEngine
from markdown_it import MarkdownIt
from markupsafe import Markup

from backend.accounts.permissions import ROLE_LABELS
from backend.scrum.tables import ITEM_KINDS

# js-default escapes raw HTML and refuses javascript:/vbscript:/data: links.
_markdown = MarkdownIt("js-default")

# User text sits under a page's h1 and a section's h2: its "# Heading" becomes
# an h3 (and so on, at most h6) so the page's heading order stays intact.
HEADING_SHIFT = 2


def _demote_headings(state) -> None:
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + HEADING_SHIFT, 6)}"


_markdown.core.ruler.push("demote_headings", _demote_headings)


def render_markdown(text: str | None) -> Markup:
    return Markup(_markdown.render(text or ""))  # noqa: S704 - js-default output is safe


def format_date(value: date | datetime | None, fmt: str = "%-d %b %Y") -> str:
    if value is None:
        return ""
    return value.strftime(fmt)


def points(value: int | float | None) -> str:
    if value is None:
        return "–"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.1f}"
    return str(int(value))


def kind_label(kind: str) -> str:
    return ITEM_KINDS.get(kind, kind)


def current_access(request: Any) -> Any:
    """The signed-in person (backend.accounts.access.Access), or None on public pages."""
    return request.state.get("access") if request is not None else None


@pass_context
def can(context: dict[str, Any], power: str, agency_id: int | None = None) -> bool:
    """Whether to show a control: the server checks again when it is used."""
    access = current_access(context.get("request"))
    return bool(access and access.can(power, agency_id))


def role_label(role: str) -> str:
    return ROLE_LABELS.get(role, role)


def configure(engine: JinjaTemplateEngine) -> None:
    env: Environment = engine.engine
    env.filters["markdown"] = render_markdown
    env.filters["date"] = format_date
    env.filters["points"] = points
    env.filters["kind_label"] = kind_label
    env.globals["ITEM_KINDS"] = ITEM_KINDS
    env.globals["id_url"] = id_url
    env.globals["current_access"] = current_access
    env.globals["can"] = can
    env.globals["role_label"] = role_label
    env.trim_blocks = True
    env.lstrip_blocks = True


# Ten digits no route's literal text contains: splitting the reversed path on
# them finds where the id goes.
_MARKER_ID = 2**31 - 1


@lru_cache(maxsize=256)
def _around_id(app: Litestar, name: str, param: str) -> tuple[str, str]:
    """The text of a route's path before and after its one id parameter."""
    before, after = app.route_reverse(name, **{param: _MARKER_ID}).split(str(_MARKER_ID))
    return before, after


@pass_context
def id_url(context: dict[str, Any], name: str, **param: int) -> str:
    """`url_for` for a route whose only path parameter is an integer id.

    The board links every card twice: reversing the route once per app and
    filling in each id is about ten times cheaper than `url_for` per call.
    """
    ((key, value),) = param.items()
    if not isinstance(value, int):
        raise TypeError(f"{name}: {key} must be an integer id, not {value!r}")
    before, after = _around_id(context["request"].app, name, key)
    return f"{before}{value}{after}"
