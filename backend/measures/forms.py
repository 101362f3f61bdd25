"""Validation of measure and data point input, shared by pages, the CSV import and the API.

Parsers return cleaned values and an Errors dict; keys they do not read
(initiative, source, created_by...) can never be set from a form.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Any

from backend.measures import periods
from backend.measures.tables import DIRECTIONS, MEASURE_KINDS, PERIOD_KINDS, RULE_SETS
from backend.web import forms
from backend.web.forms import Errors

NAME_MAX = 200
UNIT_MAX = 40
DEFINITION_MAX = 20_000
ANNOTATION_MAX = 2_000
REASON_MAX = 2_000
BASELINE_MIN = 2  # a median of fewer points says nothing
BASELINE_MAX = 1_000
THRESHOLD_MAX = 1_000_000
COUNT_MAX = 1_000_000_000  # numerators and denominators: counts of children, families...
VALUE_MAX = 1e12  # far beyond any count or rate; keeps typing slips out of charts
# Decimal places a value may have: more than any measure needs, and a value
# like 0.000...05 would underflow the chart's arithmetic.
DECIMALS_MAX = 6
# Data points per measure: over 80 years of months. Keeps the run chart
# analysis of every list, chart and API request quick.
POINTS_MAX = 1_000

MEASURE_FIELDS = (
    "name",
    "kind",
    "definition",
    "unit",
    "is_rate",
    "direction",
    "period_kind",
    "cfsr_item",
    "rule_set",
    "baseline_points",
    "small_cell_threshold",
    "fidelity_intervention",
)
POINT_FIELDS = ("period", "value", "numerator", "denominator", "annotation")
POINT_EDIT_FIELDS = (*POINT_FIELDS, "astronomical", "astronomical_reason")
# PII-01: the free text people type.
MEASURE_PII = {"name": "Name", "definition": "Operational definition"}
POINT_PII = {"annotation": "Annotation", "astronomical_reason": "Why it is astronomical"}

# A plain decimal number: no exponent, no "nan", no thousands separators.
_NUMBER = re.compile(r"[+-]?([0-9]{1,13}(\.[0-9]*)?|\.[0-9]+)")


def checked(raw: Any) -> bool:
    return raw is True or raw in ("on", "yes", "1", "true")


def number(raw: Any, field: str, errors: Errors, *, label: str, required: bool = False):
    """A decimal number typed as text (or sent as a JSON number), else None."""
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        if required:
            errors.add(field, f"Enter {label.lower()}")
        return None
    if isinstance(raw, bool):
        errors.add(field, f"{label} must be a number like 42 or 12.5")
        return None
    if isinstance(raw, (int, float)):
        value = float(raw)
    elif isinstance(raw, str) and _NUMBER.fullmatch(raw.strip()):
        value = float(raw.strip())
    else:
        errors.add(field, f"{label} must be a number like 42 or 12.5")
        return None
    if not math.isfinite(value) or abs(value) > VALUE_MAX:
        errors.add(field, f"{label} is too large")
        return None
    if decimals(raw) > DECIMALS_MAX:
        errors.add(field, f"{label} must have at most {DECIMALS_MAX} decimal places")
        return None
    return value


def decimals(raw: str | int | float) -> int:
    """Decimal places of a number as typed ("12.50" has 1; trailing zeros say
    nothing), or of a JSON number as its shortest repr (1e-07 has 7)."""
    text = raw.strip() if isinstance(raw, str) else repr(float(raw))
    exponent = Decimal(text).normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def too_many_points(count: int) -> str:
    """The message when a measure would hold more than POINTS_MAX points."""
    return (
        f"A measure holds at most {POINTS_MAX:,} data points and this one would have "
        f"{count:,}: start a new measure, or use a longer period"
    )


def rate_problem(numerator: int | None, denominator: int | None) -> str | None:
    """A rate is a share of its denominator: the numerator cannot be larger.
    The message starts in lower case, to follow "Row 3: " in an import."""
    if numerator is not None and denominator is not None and numerator > denominator:
        return (
            f"numerator {numerator:,} is more than the denominator {denominator:,}: "
            "a rate counts part of its denominator"
        )
    return None


def rate(numerator: int, denominator: int) -> float:
    """A rate point's value: a percentage."""
    return 100.0 * numerator / denominator


def parse_measure(data: dict[str, Any]) -> tuple[dict[str, Any], Errors]:
    """The measure's fields; cfsr_item and fidelity_intervention are checked against
    the database by the service (they must exist, the intervention in this initiative)."""
    errors = Errors()
    kind = forms.choice(data.get("kind"), "kind", errors, label="Type", choices=MEASURE_KINDS)
    values: dict[str, Any] = {
        "name": forms.text(
            data.get("name"), "name", errors, label="Name", max_length=NAME_MAX, required=True
        ),
        "kind": kind,
        "definition": forms.text(
            data.get("definition"),
            "definition",
            errors,
            label="Operational definition",
            max_length=DEFINITION_MAX,
        ),
        "unit": forms.text(data.get("unit"), "unit", errors, label="Unit", max_length=UNIT_MAX),
        "is_rate": checked(data.get("is_rate")),
        "direction": forms.choice(
            data.get("direction"), "direction", errors, label="Direction", choices=DIRECTIONS
        ),
        "period_kind": forms.choice(
            data.get("period_kind"), "period_kind", errors, label="Period", choices=PERIOD_KINDS
        ),
        "cfsr_item": forms.ref_id(data.get("cfsr_item"), "cfsr_item", errors, label="CFSR item"),
        "rule_set": forms.choice(
            data.get("rule_set"), "rule_set", errors, label="Rule set", choices=RULE_SETS
        ),
        "baseline_points": forms.integer(
            data.get("baseline_points"),
            "baseline_points",
            errors,
            label="Baseline points",
            minimum=BASELINE_MIN,
            maximum=BASELINE_MAX,
        ),
        "small_cell_threshold": forms.integer(
            data.get("small_cell_threshold"),
            "small_cell_threshold",
            errors,
            label="Small-cell threshold",
            minimum=1,
            maximum=THRESHOLD_MAX,
            required=True,
        ),
        "fidelity_intervention": forms.ref_id(
            data.get("fidelity_intervention"),
            "fidelity_intervention",
            errors,
            label="Intervention",
        ),
    }
    if values["is_rate"] and not values["unit"]:
        values["unit"] = "%"  # a rate's value is a percentage
    if values["fidelity_intervention"] and kind != "fidelity":
        errors.add(
            "fidelity_intervention",
            "Only a fidelity measure can be fed by fidelity assessments: "
            "choose the type Fidelity, or no intervention",
        )
    return values, errors


def parse_period(raw: Any, period_kind: str, errors: Errors, field: str = "period"):
    """A date in the period, stored as the period's first day."""
    day = forms.day(raw, field, errors, label="Period", required=True)
    return periods.start_of(day, period_kind) if day else None


def parse_point(
    data: dict[str, Any], measure: dict[str, Any], *, edit: bool = False
) -> tuple[dict[str, Any], Errors]:
    """A data point of `measure`: the value, or numerator and denominator for a rate.

    With `edit`, also the astronomical flag and its required reason (IHI's fourth
    rule is a person's judgement, so it says why).
    """
    errors = Errors()
    values: dict[str, Any] = {
        "period_start": parse_period(data.get("period"), measure["period_kind"], errors)
    }
    if measure["is_rate"]:
        numerator = forms.integer(
            data.get("numerator"),
            "numerator",
            errors,
            label="Numerator",
            minimum=0,
            maximum=COUNT_MAX,
            required=True,
        )
        denominator = forms.integer(
            data.get("denominator"),
            "denominator",
            errors,
            label="Denominator",
            minimum=1,
            maximum=COUNT_MAX,
            required=True,
        )
        problem = rate_problem(numerator, denominator)
        if problem:
            errors.add("numerator", problem[0].upper() + problem[1:])
            numerator = None
        values["numerator"], values["denominator"] = numerator, denominator
        values["value"] = (
            rate(numerator, denominator)
            if numerator is not None and denominator is not None
            else None
        )
    else:
        values["value"] = number(data.get("value"), "value", errors, label="Value", required=True)
        values["numerator"] = values["denominator"] = None
    values["annotation"] = forms.text(
        data.get("annotation"), "annotation", errors, label="Annotation", max_length=ANNOTATION_MAX
    )
    if edit:
        values["astronomical"] = checked(data.get("astronomical"))
        reason = forms.text(
            data.get("astronomical_reason"),
            "astronomical_reason",
            errors,
            label="Why it is astronomical",
            max_length=REASON_MAX,
        )
        if values["astronomical"] and not reason and "astronomical_reason" not in errors:
            errors.add(
                "astronomical_reason",
                "Say why this point is astronomical: IHI's fourth rule is a person's judgement",
            )
        # A reason without the flag means nothing on the chart; keep it off.
        values["astronomical_reason"] = reason if values["astronomical"] else ""
    return values, errors


def point_values(point: dict[str, Any]) -> dict[str, Any]:
    """A saved point as its edit form shows it."""
    return {
        "period": point["period_start"].isoformat(),
        "value": plain(point["value"]),
        "numerator": "" if point["numerator"] is None else str(point["numerator"]),
        "denominator": "" if point["denominator"] is None else str(point["denominator"]),
        "annotation": point["annotation"],
        "astronomical": point["astronomical"],
        "astronomical_reason": point["astronomical_reason"],
    }


def plain(value: float | None) -> str:
    """12.0 -> "12", 12.5 -> "12.5": what a person typed, not a float's repr."""
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def measure_values(measure: dict[str, Any]) -> dict[str, Any]:
    """A saved measure as its edit form shows it."""
    values = {key: measure.get(key) for key in MEASURE_FIELDS}
    for key in ("cfsr_item", "fidelity_intervention", "baseline_points"):
        values[key] = "" if values[key] is None else str(values[key])
    return values
