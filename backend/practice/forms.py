"""Validation of intervention and practice profile input, shared by pages and the API.

Parsers return cleaned values and an Errors dict; unknown keys (initiative,
lineage, position...) are never read, so a crafted form cannot set them.
"""

from __future__ import annotations

from typing import Any

from backend.practice.tables import APPROACHES, BEHAVIOUR_ROLES, PROFILE_STATUSES
from backend.web import forms
from backend.web.forms import Errors

NAME_MAX = 200
EVIDENCE_MAX = 200
MARKDOWN_MAX = 20_000
DESCRIPTION_MAX = 4_000
BEHAVIOUR_MAX = 2_000
DESCRIPTOR_MAX = 4_000
LEVEL_LABEL_MAX = 60
CHANGE_NOTE_MAX = 4_000
MIN_LEVELS = 2
MAX_LEVELS = 7
ROLE_CHOICES = {role: role for role in BEHAVIOUR_ROLES}
MOVES = ("up", "down")

INTERVENTION_FIELDS = ("name", "approach", "purpose", "principles", "evidence_level")
COMPONENT_FIELDS = ("name", "description")
BEHAVIOUR_FIELDS = ("text", "role")


def _name(data: dict[str, Any], errors: Errors) -> str:
    """The name of an intervention or a core component: required, at most NAME_MAX."""
    return forms.text(
        data.get("name"), "name", errors, label="Name", max_length=NAME_MAX, required=True
    )


def parse_intervention(data: dict[str, Any]) -> tuple[dict[str, Any], Errors]:
    errors = Errors()
    values = {
        "name": _name(data, errors),
        "approach": forms.choice(
            data.get("approach"), "approach", errors, label="Approach", choices=APPROACHES
        ),
        "purpose": forms.text(
            data.get("purpose"), "purpose", errors, label="Purpose", max_length=MARKDOWN_MAX
        ),
        "principles": forms.text(
            data.get("principles"),
            "principles",
            errors,
            label="Principles",
            max_length=MARKDOWN_MAX,
        ),
        "evidence_level": forms.text(
            data.get("evidence_level"),
            "evidence_level",
            errors,
            label="Evidence level",
            max_length=EVIDENCE_MAX,
        ),
    }
    return values, errors


def parse_component(data: dict[str, Any]) -> tuple[dict[str, Any], Errors]:
    errors = Errors()
    values = {
        "name": _name(data, errors),
        "description": forms.text(
            data.get("description"),
            "description",
            errors,
            label="Description",
            max_length=DESCRIPTION_MAX,
        ),
    }
    return values, errors


def descriptor_field(level_id: int) -> str:
    return f"descriptor-{level_id}"


def parse_behaviour(
    data: dict[str, Any], levels: list[dict[str, Any]]
) -> tuple[dict[str, Any], dict[int, str], Errors]:
    """(text and role, {level id: descriptor}, errors): one descriptor per level of the profile."""
    errors = Errors()
    values = {
        "text": forms.text(
            data.get("text"),
            "text",
            errors,
            label="Practice behaviour",
            max_length=BEHAVIOUR_MAX,
            required=True,
        ),
        "role": forms.choice(
            data.get("role"), "role", errors, label="Role", choices=ROLE_CHOICES, default="Worker"
        ),
    }
    descriptors = {}
    for level in levels:
        field = descriptor_field(level["id"])
        descriptors[level["id"]] = forms.text(
            data.get(field),
            field,
            errors,
            label=f"What it looks like at {level['label']}",
            max_length=DESCRIPTOR_MAX,
        )
    return values, descriptors, errors


def behaviour_typed(data: dict[str, Any], levels: list[dict[str, Any]]) -> dict[str, str]:
    fields = (*BEHAVIOUR_FIELDS, *(descriptor_field(level["id"]) for level in levels))
    return forms.typed(data, fields)


def _checked(raw: Any) -> bool:
    return raw in ("on", "yes", "1", "true")


def level_fields(level_id: int | str) -> tuple[str, str, str, str]:
    """Names of one level's inputs on the levels form: label, order, fidelity, delete."""
    return (f"label-{level_id}", f"order-{level_id}", f"fidelity-{level_id}", f"delete-{level_id}")


def parse_levels(
    data: dict[str, Any], levels: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[int], Errors]:
    """The continuum as the form leaves it: (kept and new levels best first, deleted ids, errors).

    Each kept level is {"id", "label", "meets_fidelity"}; a new one has id None.
    Order numbers say where a level goes (1 = best): a new level, or one whose
    number changed, goes before a level that kept the same number.
    """
    errors = Errors()
    rows: list[tuple[int, int, int, dict[str, Any]]] = []
    deleted: list[int] = []
    for index, level in enumerate(levels):
        label_f, order_f, fidelity_f, delete_f = level_fields(level["id"])
        if _checked(data.get(delete_f)):
            deleted.append(level["id"])
            continue
        label = forms.text(
            data.get(label_f),
            label_f,
            errors,
            label=f"Name of level {index + 1}",
            max_length=LEVEL_LABEL_MAX,
            required=True,
        )
        order = forms.integer(
            data.get(order_f),
            order_f,
            errors,
            label=f"Order of level {index + 1}",
            minimum=1,
            maximum=MAX_LEVELS + 1,
            required=True,
        )
        entry = {
            "id": level["id"],
            "label": label,
            "meets_fidelity": _checked(data.get(fidelity_f)),
        }
        # A level given a new place goes before one that kept that place.
        stayed = order is None or order == level["position"]
        rows.append((order or level["position"], 1 if stayed else 0, index, entry))
    label_f, order_f, fidelity_f, _ = level_fields("new")
    new_label = forms.text(
        data.get(label_f),
        label_f,
        errors,
        label="Name of the new level",
        max_length=LEVEL_LABEL_MAX,
    )
    if new_label:
        order = forms.integer(
            data.get(order_f),
            order_f,
            errors,
            label="Order of the new level",
            minimum=1,
            maximum=MAX_LEVELS + 1,
        )
        entry = {"id": None, "label": new_label, "meets_fidelity": _checked(data.get(fidelity_f))}
        rows.append((order or len(levels) + 1, 0, len(levels), entry))
    kept = [row[-1] for row in sorted(rows, key=lambda r: r[:3])]
    if not errors:
        _check_continuum(kept, errors)
    return kept, deleted, errors


def _check_continuum(kept: list[dict[str, Any]], errors: Errors) -> None:
    if len(kept) < MIN_LEVELS:
        errors.add("levels", f"Keep at least {MIN_LEVELS} levels: a continuum needs more than one")
    elif len(kept) > MAX_LEVELS:
        errors.add("levels", f"A continuum can have at most {MAX_LEVELS} levels")
    elif not any(level["meets_fidelity"] for level in kept):
        errors.add("levels", "Mark at least one level as meeting fidelity")
    labels = [level["label"].casefold() for level in kept]
    if len(set(labels)) != len(labels):
        errors.add("levels", "Give every level a different name")


def parse_change_note(data: dict[str, Any], errors: Errors) -> str:
    return forms.text(
        data.get("change_note"),
        "change_note",
        errors,
        label="What changes in this version",
        max_length=CHANGE_NOTE_MAX,
        required=True,
    )


def parse_status(raw: Any, errors: Errors) -> str | None:
    return forms.choice(raw, "status", errors, label="Status", choices=PROFILE_STATUSES)


def parse_move(raw: Any) -> str | None:
    return raw if isinstance(raw, str) and raw in MOVES else None
