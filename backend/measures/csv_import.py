"""Reading pasted or uploaded CSV rows of a measure's data points, with a message per bad row.

Rows are `period,value` (a rate's are `period,numerator,denominator`), with an
optional annotation column. A first row of column names may say which column
is which, in any order. Periods are a day (2025-03-01), a month (2025-03) or,
for quarterly measures, a quarter (2025-Q1); a day is stored as the start of
its period. Every row is checked before anything is saved: one bad row and
nothing is imported (DATA-02), and each problem names its row, so a person
can fix the file in one go.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from backend.measures import forms, periods
from backend.web.forms import Errors

MAX_BYTES = 1_000_000  # a pasted text or an uploaded file
MAX_ROWS = forms.POINTS_MAX  # rows of data, a header row aside: a measure holds no more
_WHOLE = re.compile(r"-?[0-9]+")
# Column names a header row may use, and the column each one means.
HEADER_NAMES = {
    "period": "period",
    "period_start": "period",
    "date": "period",
    "month": "period",
    "quarter": "period",
    "week": "period",
    "value": "value",
    "numerator": "numerator",
    "denominator": "denominator",
    "annotation": "annotation",
    "note": "annotation",
    "notes": "annotation",
}
FIDELITY = "fidelity"


@dataclass
class Parsed:
    """The rows ready to save (each with `replace` when it overwrites a saved point),
    and the problems found, one message per bad cell, keyed by row and column."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: Errors = field(default_factory=Errors)
    has_annotation: bool = False

    @property
    def replacing(self) -> int:
        return sum(1 for row in self.rows if row["replace"])


def columns_for(measure: dict[str, Any]) -> tuple[str, ...]:
    """The columns of a row without a header, in order (the last one optional)."""
    if measure["is_rate"]:
        return ("period", "numerator", "denominator", "annotation")
    return ("period", "value", "annotation")


def _quote(cell: str) -> str:
    shown = cell if len(cell) <= 40 else cell[:40] + "…"
    return f"'{shown}'"


def _header(cells: list[str], measure: dict[str, Any], errors: Errors) -> list[str] | None:
    """The column of each cell when `cells` is a row of column names, else None."""
    names = [cell.strip().lower().replace(" ", "_") for cell in cells]
    if not names or names[0] not in HEADER_NAMES:
        return None
    columns: list[str] = []
    for position, (name, cell) in enumerate(zip(names, cells, strict=True), start=1):
        # Keyed by column, so every wrong column is listed, not only the first.
        key = f"row-1-column-{position}"
        column = HEADER_NAMES.get(name)
        if column is None:
            known = ", ".join(columns_for(measure))
            errors.add(key, f"Row 1: column {position} {_quote(cell)} is not one of {known}")
        elif column in columns:
            errors.add(key, f"Row 1: column {position} is a second {column} column")
        columns.append(column or "")
    needed = ("numerator", "denominator") if measure["is_rate"] else ("value",)
    for column in needed:
        if column not in columns:
            errors.add(f"row-1-{column}", f"Row 1: the header has no {column} column")
    return columns


def _row(
    n: int, cells: dict[str, str], measure: dict[str, Any], errors: Errors
) -> dict[str, Any] | None:
    """One row's values, or None after recording its problems."""
    kind = measure["period_kind"]
    bad = len(errors)
    raw_period = cells.get("period", "").strip()
    period_start: date | None = None
    if not raw_period:
        errors.add(f"row-{n}-period", f"Row {n}: the period is missing")
    else:
        period_start = periods.parse(raw_period, kind)
        if period_start is None:
            errors.add(
                f"row-{n}-period",
                f"Row {n}: {_quote(raw_period)} is not a date (use {periods.example(kind)})",
            )
    values: dict[str, Any] = {"period_start": period_start}
    if measure["is_rate"]:
        counts = {}
        for column, low in (("numerator", 0), ("denominator", 1)):
            raw = cells.get(column, "").strip()
            key = f"row-{n}-{column}"
            if not raw:
                errors.add(key, f"Row {n}: the {column} is missing")
            elif not _WHOLE.fullmatch(raw):
                errors.add(key, f"Row {n}: {column} {_quote(raw)} is not a whole number")
            # More than 12 characters is out of bounds without reading it (int()
            # of thousands of digits is slow, then refused).
            elif len(raw) > 12 or not low <= int(raw) <= forms.COUNT_MAX:
                errors.add(
                    key,
                    f"Row {n}: {column} {_quote(raw)} must be between {low} and "
                    f"{forms.COUNT_MAX:,}",
                )
            else:
                counts[column] = int(raw)
        problem = forms.rate_problem(counts.get("numerator"), counts.get("denominator"))
        if problem:
            errors.add(f"row-{n}-numerator", f"Row {n}: {problem}")
        elif len(counts) == 2:
            values["numerator"] = counts["numerator"]
            values["denominator"] = counts["denominator"]
            values["value"] = forms.rate(counts["numerator"], counts["denominator"])
    else:
        raw = cells.get("value", "").strip()
        if not raw:
            errors.add(f"row-{n}-value", f"Row {n}: the value is missing")
        else:
            scratch = Errors()
            value = forms.number(raw, "value", scratch, label="Value")
            if scratch:
                # "Value is too large", "Value must have at most 6 decimal places"
                reason = scratch["value"].removeprefix("Value ")
                if reason.startswith("must be a number"):
                    reason = "is not a number"
                errors.add(f"row-{n}-value", f"Row {n}: value {_quote(raw)} {reason}")
            values.update(value=value, numerator=None, denominator=None)
    annotation = cells.get("annotation", "").strip()
    if len(annotation) > forms.ANNOTATION_MAX:
        errors.add(
            f"row-{n}-annotation",
            f"Row {n}: the annotation is longer than {forms.ANNOTATION_MAX:,} characters",
        )
    values["annotation"] = annotation
    values["row"] = n
    return values if len(errors) == bad else None


def parse(
    text: str,
    measure: dict[str, Any],
    existing: dict[date, str],
    *,
    replace: bool,
) -> Parsed:
    """Check every row of `text` against the measure and its saved points
    (`existing`: period start -> source) before anything is saved."""
    parsed = Parsed()
    errors = parsed.errors
    try:
        # NUL cannot be stored in PostgreSQL text and is never typed.
        reader = csv.reader(io.StringIO(text.replace("\x00", ""), newline=""))
        records = [
            (n, cells) for n, cells in enumerate(reader, start=1) if any(c.strip() for c in cells)
        ]
    except csv.Error as exc:
        errors.add("csv", f"The rows could not be read as CSV ({exc}): check the quotes")
        return parsed
    if not records:
        errors.add("csv", "There are no rows to import: paste rows or choose a file")
        return parsed
    if len(records) > MAX_ROWS + 1:  # + 1: there may be a header row
        errors.add("csv", _too_many_rows())
        return parsed
    columns = _header(records[0][1], measure, errors)
    if columns is not None:
        records = records[1:]
        parsed.has_annotation = "annotation" in columns
    else:
        columns = list(columns_for(measure))
        parsed.has_annotation = any(len(cells) >= len(columns) for _, cells in records)
    if len(records) > MAX_ROWS:
        errors.add("csv", _too_many_rows())
        return parsed
    if errors:
        return parsed  # a wrong header would make every row's message wrong
    first_seen: dict[date, int] = {}
    for n, cells in records:
        if len(cells) > len(columns):
            errors.add(
                f"row-{n}",
                f"Row {n}: {len(cells)} columns, but at most {len(columns)} "
                f"({', '.join(columns)}); put an annotation with commas in double quotes",
            )
            continue
        row = _row(n, dict(zip(columns, cells, strict=False)), measure, errors)
        if row is None:
            continue
        start = row["period_start"]
        where = periods.code(start, measure["period_kind"])
        if start in first_seen:
            errors.add(
                f"row-{n}-period",
                f"Row {n}: {where} appears twice (rows {first_seen[start]} and {n})",
            )
            continue
        first_seen[start] = n
        source = existing.get(start)
        if source == FIDELITY:
            errors.add(
                f"row-{n}-period",
                f"Row {n}: {where} comes from fidelity assessments and cannot be replaced here",
            )
            continue
        if source is not None and not replace:
            errors.add(
                f"row-{n}-period",
                f"Row {n}: {where} already has a value "
                "(tick 'Replace existing values' to overwrite)",
            )
            continue
        row["replace"] = source is not None
        parsed.rows.append(row)
    if not records:
        errors.add("csv", "There are no rows to import under the header row")
    total = len(existing) + sum(1 for row in parsed.rows if not row["replace"])
    if not errors and total > forms.POINTS_MAX:
        errors.add("csv", forms.too_many_points(total))
    return parsed


def _too_many_rows() -> str:
    return (
        f"There are more than {MAX_ROWS:,} rows: a measure holds at most "
        f"{forms.POINTS_MAX:,} data points"
    )


def decode(raw: bytes) -> str | None:
    """An uploaded file's text (UTF-8, with or without the byte-order mark spreadsheets
    add), or None when it is not text."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
