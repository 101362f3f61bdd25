"""Validation of backlog item and sprint input, shared by HTML forms and the API."""

from __future__ import annotations

from typing import Any

from backend.scrum.services import sprint_dates_problem
from backend.scrum.tables import ITEM_KINDS
from backend.web import forms
from backend.web.forms import Errors

TITLE_MAX = 200
MARKDOWN_MAX = 20_000
ESTIMATE_MAX = 100
CAPACITY_MAX = 1_000


def parse_item(data: dict[str, Any], partial: bool = False) -> tuple[dict[str, Any], Errors]:
    """Clean a backlog item's fields. With `partial`, only the keys present are read.

    Unknown keys (initiative, rank, version...) are ignored, never applied.
    """
    errors = Errors()
    values: dict[str, Any] = {}

    def wanted(key: str) -> bool:
        return not partial or key in data

    if wanted("title"):
        values["title"] = forms.text(
            data.get("title"), "title", errors, label="Title", max_length=TITLE_MAX, required=True
        )
    if wanted("kind"):
        values["kind"] = forms.choice(
            data.get("kind"), "kind", errors, label="Kind", choices=ITEM_KINDS, default="story"
        )
    for key, label in (("narrative", "Narrative"), ("acceptance_criteria", "Acceptance criteria")):
        if wanted(key):
            values[key] = forms.text(
                data.get(key), key, errors, label=label, max_length=MARKDOWN_MAX
            )
    if wanted("estimate"):
        values["estimate"] = forms.integer(
            data.get("estimate"),
            "estimate",
            errors,
            label="Estimate",
            minimum=0,
            maximum=ESTIMATE_MAX,
        )
    for key, label in (("stage", "C&I stage"), ("sprint", "Sprint"), ("status", "Status")):
        if wanted(key):
            values[key] = forms.ref_id(data.get(key), key, errors, label=label)
    if wanted("assignee_name"):
        values["assignee_name"] = forms.text(
            data.get("assignee_name"), "assignee_name", errors, label="Assignee", max_length=120
        )
    return values, errors


def parse_estimate(raw: Any) -> tuple[int | None, Errors]:
    errors = Errors()
    value = forms.integer(
        raw, "estimate", errors, label="Estimate", minimum=0, maximum=ESTIMATE_MAX
    )
    return value, errors


def parse_sprint(data: dict[str, Any], partial: bool = False) -> tuple[dict[str, Any], Errors]:
    errors = Errors()
    values: dict[str, Any] = {}

    def wanted(key: str) -> bool:
        return not partial or key in data

    if wanted("goal"):
        values["goal"] = forms.text(
            data.get("goal"), "goal", errors, label="Sprint goal", max_length=MARKDOWN_MAX
        )
    if wanted("start_date"):
        values["start_date"] = forms.day(
            data.get("start_date"), "start_date", errors, label="Start date"
        )
    if wanted("end_date"):
        values["end_date"] = forms.day(data.get("end_date"), "end_date", errors, label="End date")
    if wanted("capacity"):
        values["capacity"] = forms.integer(
            data.get("capacity"),
            "capacity",
            errors,
            label="Capacity",
            minimum=0,
            maximum=CAPACITY_MAX,
        )
    if wanted("release"):
        values["release"] = forms.ref_id(data.get("release"), "release", errors, label="Release")
    for key, label in (
        ("planning_notes", "Planning notes"),
        ("review_notes", "Review notes"),
        ("retrospective_notes", "Retrospective notes"),
    ):
        if wanted(key):
            values[key] = forms.text(
                data.get(key), key, errors, label=label, max_length=MARKDOWN_MAX
            )
    start, end = values.get("start_date"), values.get("end_date")
    if start and end and (problem := sprint_dates_problem(start, end)):
        errors.add("end_date", problem)
    return values, errors
