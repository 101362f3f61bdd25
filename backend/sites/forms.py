"""Validation of a site's fields (the add and edit forms, and seeds through services)."""

from __future__ import annotations

from typing import Any

from backend.sites.tables import ROLLOUT_PHASES, SITE_KINDS
from backend.web import forms
from backend.web.forms import Errors

NAME_MAX = 200  # the column is varchar(200)
NOTES_MAX = 2_000

SITE_FIELDS = ("name", "kind", "rollout_phase", "notes")
# PII-01: what people type about a site passes the personal-information guard.
SITE_PII = {"name": "Name", "notes": "Notes"}


def parse_site(data: dict[str, Any]) -> tuple[dict[str, Any], Errors]:
    errors = Errors()
    values = {
        "name": forms.text(
            data.get("name"), "name", errors, label="Name", max_length=NAME_MAX, required=True
        ),
        "kind": forms.choice(
            data.get("kind"),
            "kind",
            errors,
            label="Kind",
            choices=SITE_KINDS,
            default="area_office",
        ),
        "rollout_phase": forms.choice(
            data.get("rollout_phase"),
            "rollout_phase",
            errors,
            label="Rollout phase",
            choices=ROLLOUT_PHASES,
            default="none",
        ),
        "notes": forms.text(
            data.get("notes"), "notes", errors, label="Notes", max_length=NOTES_MAX
        ),
    }
    return values, errors
