"""Validation of PIP input, shared by pages and the API.

Parsers return cleaned values and an Errors dict. Choices that depend on the
agency (owners, measures, initiatives) are checked by the services, inside
the write's transaction; CFSR items are named by number (1-36).
"""

from __future__ import annotations

import re
from typing import Any

from backend.pip import status
from backend.pip.tables import ACTIVITY_STATUSES
from backend.web import forms
from backend.web.forms import Errors

TITLE_MAX = 200
TEXT_MAX = 4_000
EVIDENCE_MAX = 20_000
LABEL_MAX = 200
PERIOD_MAX = 120
NUMBER_LIMIT = 1e12
CFSR_ITEMS = 36

PIP_FIELDS = ("title", "effective_date", "implementation_end", "non_overlapping_year_end")
GOAL_FIELDS = ("text", "cfsr_item")
STRATEGY_FIELDS = ("text",)
ACTIVITY_FIELDS = ("title", "owner", "target_date", "status", "evidence")
MEASUREMENT_FIELDS = (
    "cfsr_item",
    "label",
    "baseline",
    "goal",
    "renegotiated_goal",
    "period",
    "measure",
)

# Free text a person types (PII-01), by form.
PIP_PII = {"title": "Title"}
GOAL_PII = {"text": "Goal"}
STRATEGY_PII = {"text": "Strategy"}
ACTIVITY_PII = {"title": "Key activity", "evidence": "Evidence"}
MEASUREMENT_PII = {"label": "What is measured", "period": "Measurement period"}

_NUMBER = re.compile(r"-?[0-9]{1,13}(\.[0-9]{1,6})?|-?\.[0-9]{1,6}")


def number(raw: Any, field: str, errors: Errors, *, label: str) -> float | None:
    """An optional decimal number like 30, 12.5 or -3 ("" means none)."""
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return None
    if isinstance(raw, bool):
        errors.add(field, f"{label} must be a number like 12.5")
        return None
    if isinstance(raw, int | float):
        value = float(raw)
    elif isinstance(raw, str) and _NUMBER.fullmatch(raw.strip().replace(",", "")):
        value = float(raw.strip().replace(",", ""))
    else:
        errors.add(field, f"{label} must be a number like 12.5")
        return None
    if value != value or abs(value) >= NUMBER_LIMIT:  # NaN or absurdly large
        errors.add(field, f"{label} must be a number like 12.5")
        return None
    return value


def cfsr_number(raw: Any, field: str, errors: Errors) -> int | None:
    """An optional CFSR item number (1-36) chosen from the list."""
    if raw is None or raw == "":
        return None
    value = raw if isinstance(raw, int) and not isinstance(raw, bool) else forms.digits(raw)
    if value is None or not 1 <= value <= CFSR_ITEMS:
        errors.add(field, "Choose a CFSR item from the list")
        return None
    return value


def parse_pip(data: dict[str, Any]) -> tuple[dict[str, Any], Errors]:
    """Title and dates; the two end dates default from the effective date when blank."""
    errors = Errors()
    values: dict[str, Any] = {
        "title": forms.text(
            data.get("title"), "title", errors, label="Title", max_length=TITLE_MAX, required=True
        ),
    }
    effective = forms.day(
        data.get("effective_date"), "effective_date", errors, label="Effective date", required=True
    )
    implementation = forms.day(
        data.get("implementation_end"),
        "implementation_end",
        errors,
        label="Implementation end",
    )
    year_end = forms.day(
        data.get("non_overlapping_year_end"),
        "non_overlapping_year_end",
        errors,
        label="Non-overlapping year end",
    )
    if effective is not None and "implementation_end" not in errors:
        implementation = implementation or status.default_implementation_end(effective)
        if implementation <= effective:
            errors.add("implementation_end", "Implementation end must be after the effective date")
    if implementation is not None and "non_overlapping_year_end" not in errors:
        year_end = year_end or status.default_non_overlapping_year_end(implementation)
        if year_end <= implementation:
            errors.add(
                "non_overlapping_year_end",
                "Non-overlapping year end must be after the implementation end",
            )
    values.update(
        effective_date=effective,
        implementation_end=implementation,
        non_overlapping_year_end=year_end,
    )
    return values, errors


def parse_goal(data: dict[str, Any]) -> tuple[dict[str, Any], Errors]:
    errors = Errors()
    values = {
        "text": forms.text(
            data.get("text"), "text", errors, label="Goal", max_length=TEXT_MAX, required=True
        ),
        "cfsr_item": cfsr_number(data.get("cfsr_item"), "cfsr_item", errors),
    }
    return values, errors


def parse_strategy(data: dict[str, Any]) -> tuple[dict[str, Any], Errors]:
    errors = Errors()
    values = {
        "text": forms.text(
            data.get("text"), "text", errors, label="Strategy", max_length=TEXT_MAX, required=True
        ),
    }
    return values, errors


def parse_activity(data: dict[str, Any], partial: bool = False) -> tuple[dict[str, Any], Errors]:
    """A key activity; `partial` (the API's PATCH) reads only the keys sent."""
    errors = Errors()
    values: dict[str, Any] = {}

    def sent(key: str) -> bool:
        return not partial or key in data

    if sent("title"):
        values["title"] = forms.text(
            data.get("title"),
            "title",
            errors,
            label="Key activity",
            max_length=TITLE_MAX,
            required=True,
        )
    if sent("owner"):
        values["owner"] = forms.ref_id(data.get("owner"), "owner", errors, label="Owner")
    if sent("target_date"):
        values["target_date"] = forms.day(
            data.get("target_date"), "target_date", errors, label="Target date"
        )
    if sent("status"):
        values["status"] = forms.choice(
            data.get("status"),
            "status",
            errors,
            label="Status",
            choices=ACTIVITY_STATUSES,
            default=None if partial else "not_started",
        )
    if sent("evidence"):
        values["evidence"] = forms.text(
            data.get("evidence"), "evidence", errors, label="Evidence", max_length=EVIDENCE_MAX
        )
    return values, errors


def parse_measurement(data: dict[str, Any]) -> tuple[dict[str, Any], Errors]:
    errors = Errors()
    values = {
        "cfsr_item": cfsr_number(data.get("cfsr_item"), "cfsr_item", errors),
        "label": forms.text(
            data.get("label"), "label", errors, label="What is measured", max_length=LABEL_MAX
        ),
        "baseline": number(data.get("baseline"), "baseline", errors, label="Baseline"),
        "goal": number(data.get("goal"), "goal", errors, label="Goal"),
        "renegotiated_goal": number(
            data.get("renegotiated_goal"), "renegotiated_goal", errors, label="Renegotiated goal"
        ),
        "period": forms.text(
            data.get("period"), "period", errors, label="Measurement period", max_length=PERIOD_MAX
        ),
        "measure": forms.ref_id(data.get("measure"), "measure", errors, label="Tandem measure"),
    }
    if "cfsr_item" not in errors and values["cfsr_item"] is None and not values["label"]:
        errors.add("cfsr_item", "Choose a CFSR item or say what is measured")
    return values, errors


def pip_values(pip: dict[str, Any]) -> dict[str, str]:
    """A saved PIP as its form shows it."""
    return {
        "title": pip["title"],
        "effective_date": pip["effective_date"].isoformat(),
        "implementation_end": pip["implementation_end"].isoformat(),
        "non_overlapping_year_end": pip["non_overlapping_year_end"].isoformat(),
    }


def activity_values(activity: dict[str, Any]) -> dict[str, Any]:
    target = activity["target_date"]
    return {
        "title": activity["title"],
        "owner": activity["owner"] or "",
        "target_date": target.isoformat() if target else "",
        "status": activity["status"],
        "evidence": activity["evidence"],
    }


def measurement_values(line: dict[str, Any]) -> dict[str, Any]:
    return {
        "cfsr_item": line["cfsr_number"] or "",
        "label": line["label"],
        "baseline": status.number_text(line["baseline"]),
        "goal": status.number_text(line["goal"]),
        "renegotiated_goal": status.number_text(line["renegotiated_goal"]),
        "period": line["period"],
        "measure": line["measure"] or "",
    }
