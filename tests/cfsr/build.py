"""Rows for CFSR and PIP tests, inserted straight into their tables: the measure pages
that create measures and data points are tested in their own area."""

from __future__ import annotations

from datetime import date

from backend.cfsr.tables import CfsrItem
from backend.measures.tables import DataPoint, Measure


async def cfsr_id(number: int) -> int:
    rows = await CfsrItem.select(CfsrItem.id).where(CfsrItem.number == number)
    return rows[0]["id"]


async def make_measure(
    initiative_id: int,
    name: str = "Sibling groups placed together",
    cfsr_number: int | None = None,
    direction: str = "up",
    threshold: int = 10,
    unit: str = "%",
) -> int:
    rows = await Measure.insert(
        Measure(
            initiative=initiative_id,
            name=name,
            kind="outcome",
            unit=unit,
            direction=direction,
            period_kind="month",
            small_cell_threshold=threshold,
            cfsr_item=await cfsr_id(cfsr_number) if cfsr_number else None,
        )
    ).returning(Measure.id)
    return rows[0]["id"]


async def add_point(
    measure_id: int, period_start: date, value: float, denominator: int | None = None
) -> None:
    await DataPoint.insert(
        DataPoint(
            measure=measure_id,
            period_start=period_start,
            value=value,
            numerator=None if denominator is None else round(value * denominator / 100),
            denominator=denominator,
        )
    )
