"""Parsing the fidelity assessment form: who, where, when and how, then one rating per
row of the rubric.

Rating fields are named for their row: `b-<behaviour id>` for a practice
behaviour, `c-<component id>` for a core component rated as a whole (one with
no behaviours). Their value is a continuum level's id, or "" for "Not rated".
Whether a row and a level belong to the profile version is the service's
check (services.check_ratings), so the API and seeds get the same answer.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from backend import clock
from backend.fidelity.tables import METHODS
from backend.web.forms import Errors, choice, day, ref_id, row_id, text

HEADER_FIELDS = ("site_id", "method", "assessed_on", "assessor", "notes")
ASSESSOR_MAX = 120
NOTES_MAX = 5000
# PII-01: the notes are free text; the assessor is a staff member's name, on purpose.
PII_FIELDS = {"notes": "Notes"}
NOT_RATED = ""

RatingKey = tuple[str, int]  # ("behaviour", id) or ("component", id)
_RATING_FIELD = re.compile(r"([bc])-([0-9]{1,11})")
_KINDS = {"b": "behaviour", "c": "component"}


def rating_field(key: RatingKey) -> str:
    """The form field of a row: ("behaviour", 12) -> "b-12"."""
    kind, row = key
    return f"{kind[0]}-{row}"


def rating_key(field: str) -> RatingKey | None:
    match = _RATING_FIELD.fullmatch(field)
    if not match:
        return None
    row = row_id(match.group(2))
    return (_KINDS[match.group(1)], row) if row is not None else None


def parse_header(data: dict[str, Any]) -> tuple[dict[str, Any], Errors]:
    errors = Errors()
    if data.get("method") in (None, ""):
        errors.add("method", "Choose how fidelity was assessed")
    values: dict[str, Any] = {
        "site_id": ref_id(data.get("site_id"), "site_id", errors, label="Site"),
        "method": choice(data.get("method"), "method", errors, label="Method", choices=METHODS),
        "assessed_on": day(data.get("assessed_on"), "assessed_on", errors, label="Date assessed"),
        "assessor": text(
            data.get("assessor"), "assessor", errors, label="Assessor", max_length=ASSESSOR_MAX
        ),
        "notes": text(data.get("notes"), "notes", errors, label="Notes", max_length=NOTES_MAX),
    }
    if values["site_id"] is None and "site_id" not in errors:
        errors.add("site_id", "Choose the site assessed")
    if data.get("assessed_on") in (None, "") and "assessed_on" not in errors:
        errors.add("assessed_on", "Enter the date assessed, like 2026-03-31")
    assessed_on = values["assessed_on"]
    if isinstance(assessed_on, date) and assessed_on > clock.today():
        errors.add("assessed_on", "Date assessed must be today or earlier")
    # In the order of the form's fields, for the error summary.
    return values, Errors({key: errors[key] for key in HEADER_FIELDS if key in errors})


def parse_ratings(data: dict[str, Any]) -> tuple[dict[RatingKey, int], Errors]:
    """Every rating field sent: {row key: level id}; "Not rated" rows are left out.
    A value that is no id at all is an error on its row."""
    ratings: dict[RatingKey, int] = {}
    errors = Errors()
    for field, raw in data.items():
        key = rating_key(field)
        if key is None or raw == NOT_RATED:
            continue
        level = row_id(raw) if isinstance(raw, str) else None
        if level is None:
            errors.add(field, "Choose a level from the list, or Not rated")
            continue
        ratings[key] = level
    return ratings, errors


def typed_ratings(data: dict[str, Any]) -> dict[str, str]:
    """The rating choices as sent, so a form with errors comes back with every choice."""
    return {
        field: raw
        for field, raw in data.items()
        if isinstance(raw, str) and _RATING_FIELD.fullmatch(field) and len(raw) <= 20
    }


def typed_header(data: dict[str, Any]) -> dict[str, str]:
    out = {}
    for key in HEADER_FIELDS:
        value = data.get(key, "")
        out[key] = value[: NOTES_MAX * 2] if isinstance(value, str) else ""
    return out
