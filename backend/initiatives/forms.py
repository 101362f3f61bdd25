"""Validation of initiative and C&I stage input."""

from __future__ import annotations

from typing import Any

from backend.web import forms
from backend.web.forms import Errors


def parse_initiative(data: dict[str, Any]) -> tuple[dict[str, Any], Errors]:
    errors = Errors()
    values = {
        "title": forms.text(
            data.get("title"), "title", errors, label="Title", max_length=200, required=True
        ),
        "problem_area": forms.text(
            data.get("problem_area"), "problem_area", errors, label="Problem area", max_length=2000
        ),
        "product_goal": forms.text(
            data.get("product_goal"),
            "product_goal",
            errors,
            label="Product goal",
            max_length=20_000,
        ),
        "current_stage": forms.ref_id(
            data.get("current_stage"), "current_stage", errors, label="Current C&I stage"
        ),
        "start_date": forms.day(data.get("start_date"), "start_date", errors, label="Start date"),
        "end_date": forms.day(data.get("end_date"), "end_date", errors, label="End date"),
        "swimlanes_by_stage": data.get("swimlanes_by_stage") == "on",
    }
    if values["start_date"] and values["end_date"] and values["end_date"] < values["start_date"]:
        errors.add("end_date", "End date must be on or after the start date")
    return values, errors


def parse_stage(data: dict[str, Any]) -> tuple[dict[str, Any], Errors]:
    errors = Errors()
    values = {
        "name": forms.text(
            data.get("name"), "name", errors, label="Stage name", max_length=120, required=True
        ),
        "short_name": forms.text(
            data.get("short_name"), "short_name", errors, label="Short name", max_length=40
        ),
    }
    return values, errors
