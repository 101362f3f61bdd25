"""CSV downloads that a spreadsheet cannot turn into formulas (SEC-17)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from litestar.response import Response

# A spreadsheet evaluates a cell that starts with one of these as a formula
# (tab and carriage return let the same trick through after trimming).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutral_cell(value: object) -> str:
    text = "" if value is None else str(value)
    # A leading apostrophe makes spreadsheets show the text as typed, not run it.
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]
) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutral_cell(value) for value in row])
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )
