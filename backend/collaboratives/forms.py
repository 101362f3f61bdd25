"""Validation of collaborative, calendar and change-idea input.

Parsers return cleaned values and an Errors dict; unknown keys (position,
collaborative...) are never read, so a crafted form cannot set them.
"""

from __future__ import annotations

from typing import Any

from backend.collaboratives.tables import SESSION_KINDS
from backend.web import forms
from backend.web.forms import Errors

NAME_MAX = 200
MARKDOWN_MAX = 20_000

COLLABORATIVE_FIELDS = ("name", "topic", "start_date", "end_date", "share_cycles")
SESSION_FIELDS = ("kind", "title", "start_date", "end_date", "notes")
IDEA_FIELDS = ("title", "description")


def _dates(data: dict[str, Any], errors: Errors, *, required: bool) -> tuple[Any, Any]:
    start = forms.day(
        data.get("start_date"), "start_date", errors, label="Start date", required=required
    )
    end = forms.day(data.get("end_date"), "end_date", errors, label="End date", required=required)
    if start and end and end < start:
        errors.add("end_date", "End date must be on or after the start date")
    return start, end


def checked(raw: Any) -> bool:
    """A ticked checkbox sends "yes"; an unticked one sends nothing."""
    return raw == "yes"


def parse_collaborative(data: dict[str, Any]) -> tuple[dict[str, Any], Errors]:
    errors = Errors()
    name = forms.text(
        data.get("name"), "name", errors, label="Name", max_length=NAME_MAX, required=True
    )
    topic = forms.text(data.get("topic"), "topic", errors, label="Topic", max_length=MARKDOWN_MAX)
    start, end = _dates(data, errors, required=False)
    values = {
        "name": name,
        "topic": topic,
        "start_date": start,
        "end_date": end,
        "share_cycles": checked(data.get("share_cycles")),
    }
    return values, errors


def parse_session(data: dict[str, Any]) -> tuple[dict[str, Any], Errors]:
    errors = Errors()
    kind = forms.choice(data.get("kind"), "kind", errors, label="Kind", choices=SESSION_KINDS)
    title = forms.text(
        data.get("title"), "title", errors, label="Title", max_length=NAME_MAX, required=True
    )
    start, end = _dates(data, errors, required=True)
    notes = forms.text(data.get("notes"), "notes", errors, label="Notes", max_length=MARKDOWN_MAX)
    values = {"kind": kind, "title": title, "start_date": start, "end_date": end, "notes": notes}
    return values, errors


def parse_idea(data: dict[str, Any]) -> tuple[dict[str, Any], Errors]:
    errors = Errors()
    values = {
        "title": forms.text(
            data.get("title"), "title", errors, label="Title", max_length=NAME_MAX, required=True
        ),
        "description": forms.text(
            data.get("description"),
            "description",
            errors,
            label="Description",
            max_length=MARKDOWN_MAX,
        ),
    }
    return values, errors


def as_typed(row: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    """A saved row as a form shows it: dates as ISO text, checkboxes as "yes" or ""."""
    out: dict[str, Any] = {}
    for key in fields:
        value = row.get(key)
        if isinstance(value, bool):
            out[key] = "yes" if value else ""
        elif hasattr(value, "isoformat"):
            out[key] = value.isoformat()
        else:
            out[key] = "" if value is None else value
    return out
