"""Small parsers for form and JSON input that collect errors per field.

Each parser reads one raw value, records a person-readable message in
`errors[field]` when it is wrong, and returns the cleaned value (or None).
The same parsers serve HTML forms and API bodies, so both refuse the same input.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from litestar import Request
from litestar.exceptions import ClientException

from backend.db import MAX_ID, possible_id

MAX_FORM_VALUE = 100_000  # characters; markdown fields are capped well below this

# ASCII digits only: str.isdigit() also accepts "²" and other digits int() refuses.
# Eleven digits are enough for any id or count and keep int() cheap.
_WHOLE_NUMBER = re.compile(r"-?[0-9]{1,11}")
_DIGITS = re.compile(r"[0-9]{1,11}")


def digits(raw: Any) -> int | None:
    """A non-negative whole number written in ASCII digits ("12"), else None."""
    if isinstance(raw, str) and _DIGITS.fullmatch(raw):
        return int(raw)
    return None


def row_id(raw: Any) -> int | None:
    """An id written in ASCII digits that a row could have, else None.

    Larger ids must never reach a query: PostgreSQL refuses them with an error.
    """
    value = digits(raw)
    return value if value is not None and possible_id(value) else None


class Errors(dict[str, str]):
    """field name -> message, in the order fields appear on the form."""

    def add(self, field: str, message: str) -> None:
        self.setdefault(field, message)

    def merge(self, other: dict[str, str], rename: dict[str, str] | None = None) -> None:
        """Add a service's errors, under this form's field names where they differ."""
        for field, message in other.items():
            self.add((rename or {}).get(field, field), message)


def text(
    raw: Any,
    field: str,
    errors: Errors,
    *,
    label: str,
    max_length: int,
    required: bool = False,
) -> str:
    value = "" if raw is None else raw
    if not isinstance(value, str):
        errors.add(field, f"{label} must be text")
        return ""
    # PostgreSQL text columns cannot hold NUL characters; no person types one.
    value = value.replace("\r\n", "\n").replace("\x00", "").strip()
    if required and not value:
        errors.add(field, f"Enter {label.lower()}")
    elif len(value) > max_length:
        errors.add(field, f"{label} must be {max_length:,} characters or fewer")
    return value


def typed(data: dict[str, Any], fields: tuple[str, ...]) -> dict[str, str]:
    """What was typed into `fields`, as typed, so a form with errors gives it all back."""
    out = {}
    for key in fields:
        value = data.get(key, "")
        out[key] = value[:MAX_FORM_VALUE] if isinstance(value, str) else ""
    return out


def integer(
    raw: Any,
    field: str,
    errors: Errors,
    *,
    label: str,
    minimum: int | None = None,
    maximum: int | None = None,
    required: bool = False,
) -> int | None:
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        if required:
            errors.add(field, f"Enter {label.lower()}")
        return None
    if isinstance(raw, bool):
        errors.add(field, f"{label} must be a whole number")
        return None
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, str) and _WHOLE_NUMBER.fullmatch(raw.strip()):
        value = int(raw.strip())
    else:
        errors.add(field, f"{label} must be a whole number")
        return None
    if minimum is not None and value < minimum:
        errors.add(field, f"{label} must be {minimum} or more")
        return None
    if maximum is not None and value > maximum:
        errors.add(field, f"{label} must be {maximum} or less")
        return None
    return value


def edit_version(data: dict[str, Any], what: str) -> int:
    """The version an edit form was loaded at; a form without one is a 400, not a conflict."""
    version, errors = parse_version(data.get("version"))
    if errors or version is None:
        raise ClientException(
            f"The form was missing its version: reload the {what} and edit again."
        )
    return version


def parse_version(raw: Any) -> tuple[int | None, Errors]:
    """The version an edit was made from (DATA-01); every edit form carries one."""
    errors = Errors()
    value = integer(raw, "version", errors, label="Version", minimum=1, required=True)
    return value, errors


def ref_id(raw: Any, field: str, errors: Errors, *, label: str) -> int | None:
    """An optional id chosen from a list ("" means none)."""
    value = integer(raw, field, errors, label=label, minimum=1)
    if value is not None and value > MAX_ID:
        errors.add(field, f"{label} {value} does not exist")
        return None
    return value


FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)


def day(raw: Any, field: str, errors: Errors, *, label: str, required: bool = False) -> date | None:
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        if required:
            errors.add(field, f"Enter {label.lower()}")
        return None
    if not isinstance(raw, str):
        errors.add(field, f"{label} must be a date like 2026-03-31")
        return None
    try:
        value = date.fromisoformat(raw.strip())
    except ValueError:
        errors.add(field, f"{label} must be a real date like 2026-03-31")
        return None
    if not FIRST_DAY <= value <= LAST_DAY:
        # Far dates are typing slips; near date.max, "14 days later" would overflow.
        errors.add(field, f"{label} must be between {FIRST_DAY.year} and {LAST_DAY.year}")
        return None
    return value


def choice(raw: Any, field: str, errors: Errors, *, label: str, choices, default=None):
    if raw in (None, "") and default is not None:
        return default
    # A repeated field arrives as a list, which cannot be looked up in a dict.
    if not isinstance(raw, str) or raw not in choices:
        errors.add(field, f"Choose {label.lower()} from the list")
        return default
    return raw


async def form_data(request: Request) -> dict[str, Any]:
    """The submitted form as a dict; repeated fields (checkboxes) become lists."""
    form = await request.form()
    data: dict[str, Any] = {}
    for key in form.keys():
        values = form.getall(key)
        data[key] = values if len(values) > 1 else values[0]
    return data


def as_list(raw: Any) -> list[Any]:
    if raw is None or raw == "":
        return []
    return raw if isinstance(raw, list) else [raw]
