"""Builders of measures and data points through the area's own services."""

from __future__ import annotations

from datetime import date

from backend.measures import services

# A monthly series with a known shift: ten points around 30, then seven around 45.
BASELINE = [30, 32, 29, 31, 28, 33, 30, 27, 31, 29]
SHIFTED = [44, 46, 45, 47, 43, 48, 46]


def months(count: int, first: date = date(2025, 1, 1)) -> list[date]:
    out = []
    year, month = first.year, first.month
    for _ in range(count):
        out.append(date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


async def make_measure(initiative_id: int, user_id: int | None = None, **values) -> int:
    fields = {
        "name": "Kinship placements",
        "kind": "outcome",
        "unit": "%",
        "direction": "up",
        "period_kind": "month",
        "rule_set": "ihi",
        "baseline_points": 10,
        "small_cell_threshold": 10,
        **values,
    }
    return await services.create_measure(initiative_id, fields, user_id)


async def add_values(
    measure_id: int, values: list[float], first: date = date(2025, 1, 1), **extra
) -> None:
    rows = [
        {"period_start": day, "value": value, **extra}
        for day, value in zip(months(len(values), first), values, strict=True)
    ]
    await services.add_points(measure_id, rows, None)


async def add_rates(
    measure_id: int, pairs: list[tuple[int, int]], first: date = date(2025, 1, 1)
) -> None:
    rows = [
        {"period_start": day, "numerator": n, "denominator": d}
        for day, (n, d) in zip(months(len(pairs), first), pairs, strict=True)
    ]
    await services.add_points(measure_id, rows, None)
