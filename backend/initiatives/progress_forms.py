"""Validation of stage-map input: stage status, key tasks, gate decisions, sign-offs
and readiness assessments. The HTML forms and the JSON API share these parsers."""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from backend import clock
from backend.initiatives.tables import GATE_DECISIONS, STAGE_STATUSES
from backend.web import forms
from backend.web.forms import Errors

TASK_TITLE_MAX = 200
EVIDENCE_URL_MAX = 500  # the column's length
NOTE_MAX = 20_000  # markdown notes, as for stories
SCORE_MIN, SCORE_MAX = 1, 5
# What a person can type as "done": a checkbox sends "on"; scripts send true/"1".
TRUE_WORDS = frozenset({"on", "1", "true", "yes"})
# Spaces, control characters and quotes never belong in a link a person pastes.
_URL_REFUSED = re.compile(r"[\s\x00-\x1f\x7f\"'<>`\\]")

READINESS_SCORES = (
    ("motivation", "Motivation"),
    ("general_capacity", "General capacity"),
    ("specific_capacity", "Intervention-specific capacity"),
)
# The readiness notes' labels, as the form and its error messages name them.
READINESS_NOTES = {
    f"{key}_notes": f"Notes on {label[0].lower()}{label[1:]}" for key, label in READINESS_SCORES
}
READINESS_FIELDS = (
    "assessed_on",
    *[key for key, _ in READINESS_SCORES],
    *[f"{key}_notes" for key, _ in READINESS_SCORES],
)


def is_checked(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    return isinstance(raw, str) and raw.strip().lower() in TRUE_WORDS


def evidence_url(raw: Any, field: str, errors: Errors) -> str:
    """An http(s) link with a host, or "" for none. Other schemes (javascript:, data:,
    file:) are refused: the link is shown to everyone who reads the stage."""
    value = forms.text(raw, field, errors, label="Evidence link", max_length=EVIDENCE_URL_MAX)
    if not value or field in errors:
        return value
    problem = "Evidence link must be a web address starting with https:// or http://"
    if _URL_REFUSED.search(value):
        errors.add(field, problem)
        return value
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        errors.add(field, problem)
        return value
    if parts.scheme.lower() not in ("http", "https") or not host:
        errors.add(field, problem)
    return value


def parse_status(data: dict[str, Any]) -> tuple[str | None, Errors]:
    errors = Errors()
    status = forms.choice(
        data.get("status"), "status", errors, label="Status", choices=STAGE_STATUSES
    )
    return status, errors


def parse_task_title(data: dict[str, Any]) -> tuple[str, Errors]:
    errors = Errors()
    title = forms.text(
        data.get("title"),
        "title",
        errors,
        label="Key task",
        max_length=TASK_TITLE_MAX,
        required=True,
    )
    return title, errors


def parse_task_update(
    data: dict[str, Any], prefix: str = "", partial: bool = False
) -> tuple[dict[str, Any], Errors]:
    """done / evidence_url / evidence_note. Errors are keyed `prefix + name`, so a
    page with one form per task can tie each message to its own field.

    With `partial` (the API) only the keys present change; a form always sends
    all three (an unticked checkbox sends nothing, which means "not done")."""
    errors = Errors()
    values: dict[str, Any] = {}
    if not partial or "done" in data:
        values["done"] = is_checked(data.get("done"))
    if not partial or "evidence_url" in data:
        values["evidence_url"] = evidence_url(
            data.get("evidence_url"), prefix + "evidence_url", errors
        )
    if not partial or "evidence_note" in data:
        values["evidence_note"] = forms.text(
            data.get("evidence_note"),
            prefix + "evidence_note",
            errors,
            label="Evidence note",
            max_length=NOTE_MAX,
        )
    return values, errors


def parse_gate(data: dict[str, Any]) -> tuple[dict[str, Any], Errors]:
    errors = Errors()
    values = {
        "decision": forms.choice(
            data.get("decision"), "decision", errors, label="Decision", choices=GATE_DECISIONS
        ),
        "notes": forms.text(data.get("notes"), "notes", errors, label="Notes", max_length=NOTE_MAX),
    }
    return values, errors


def parse_assessment(data: dict[str, Any]) -> tuple[dict[str, Any], Errors]:
    errors = Errors()
    assessed_on: date | None = forms.day(
        data.get("assessed_on"), "assessed_on", errors, label="Date assessed", required=True
    )
    if assessed_on and assessed_on > clock.today():
        errors.add("assessed_on", "Date assessed must be today or in the past")
    values: dict[str, Any] = {"assessed_on": assessed_on}
    for key, label in READINESS_SCORES:
        values[key] = forms.integer(
            data.get(key),
            key,
            errors,
            label=label,
            minimum=SCORE_MIN,
            maximum=SCORE_MAX,
        )
        if values[key] is None and key not in errors:
            errors.add(key, f"Choose a score from {SCORE_MIN} to {SCORE_MAX} for {label.lower()}")
    for field, label in READINESS_NOTES.items():
        values[field] = forms.text(data.get(field), field, errors, label=label, max_length=NOTE_MAX)
    return values, errors
