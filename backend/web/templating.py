"""Jinja set-up: safe markdown, date and number filters shared by every page."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from jinja2 import Environment, pass_context
from litestar.exceptions import NoRouteMatchFoundException
from litestar.plugins.jinja import JinjaTemplateEngine
from markdown_it import MarkdownIt
from markupsafe import Markup

from backend.scrum.tables import ITEM_KINDS

# js-default escapes raw HTML and refuses javascript:/vbscript:/data: links.
_markdown = MarkdownIt("js-default")


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


def configure(engine: JinjaTemplateEngine) -> None:
    env: Environment = engine.engine
    env.filters["markdown"] = render_markdown
    env.filters["date"] = format_date
    env.filters["points"] = points
    env.filters["kind_label"] = kind_label
    env.globals["ITEM_KINDS"] = ITEM_KINDS
    env.globals["url_or_none"] = url_or_none
    env.trim_blocks = True
    env.lstrip_blocks = True


@pass_context
def url_or_none(context: dict[str, Any], name: str, **params: Any) -> str | None:
    """The URL of a named route, or None when the app has no such route."""
    try:
        return context["request"].app.route_reverse(name, **params)
    except NoRouteMatchFoundException:
        return None
