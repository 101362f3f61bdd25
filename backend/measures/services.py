"""Every write to measures and their data points: one transaction each.

Point writes first lock the measure's row (PostgreSQL: FOR UPDATE; on SQLite
the process-wide write lock serialises writers), so the check that a period
is still free and the write that takes it cannot be split by another writer;
the unique (measure, period_start) index is the last guard. An import checks
and writes all its rows in one transaction (DATA-02): one bad row, nothing saved.

A measure holds at most forms.POINTS_MAX points (people's writes are refused
past it; the fidelity roll-up mirrors assessments and is not refused).

Points whose source is "fidelity" are written by the fidelity roll-up
(backend/fidelity/feed.py, through `add_points(..., source="fidelity",
replace=True)`); people cannot change or delete them here.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from backend import clock, db
from backend.cfsr.tables import CfsrItem
from backend.errors import Conflict, Invalid, NotFound
from backend.measures import forms, periods
from backend.measures.queries import measure_or_404, point_or_404
from backend.measures.tables import POINT_SOURCES, DataPoint, Measure
from backend.practice.tables import Intervention
from backend.versions import check_version, save_version

MEASURE_EDITABLE = forms.MEASURE_FIELDS  # what a person may write: what the form reads
INSERT_CHUNK = 200  # rows per INSERT, well under SQLite's variable limit
FIDELITY_READ_ONLY = (
    "This point comes from fidelity assessments: it changes when the assessments change, not here."
)


class DuplicatePeriod(Invalid):
    """A period that already has a point: 422 on a form; the API answers 409."""

    def __init__(self, field: str, message: str):
        super().__init__({field: message}, message)


# ---------------------------------------------------------------- measures


async def _check_refs(initiative_id: int, values: dict[str, Any]) -> None:
    """The CFSR item must exist, the intervention must be one of this initiative's."""
    errors: dict[str, str] = {}
    item = values.get("cfsr_item")
    if item is not None and not await CfsrItem.exists().where(CfsrItem.id == item):
        errors["cfsr_item"] = "Choose a CFSR item from the list"
    intervention = values.get("fidelity_intervention")
    if intervention is not None and not await Intervention.exists().where(
        (Intervention.id == intervention) & (Intervention.initiative == initiative_id)
    ):
        errors["fidelity_intervention"] = "Choose an intervention of this initiative"
    if errors:
        raise Invalid(errors)


def _measure_fields(values: dict[str, Any]) -> dict[str, Any]:
    fields = {key: values[key] for key in MEASURE_EDITABLE if key in values}
    if fields.get("kind", "fidelity") != "fidelity":
        fields["fidelity_intervention"] = None
    return fields


async def create_measure(initiative_id: int, values: dict[str, Any], user_id: int | None) -> int:
    """A new measure; `values` as forms.parse_measure gives them (missing keys take defaults)."""
    fields = _measure_fields(values)
    async with db.writing():
        await _check_refs(initiative_id, fields)
        rows = await Measure.insert(
            Measure(initiative=initiative_id, created_by=user_id, **fields)
        ).returning(Measure.id)
        await _follow_fidelity(rows[0]["id"], initiative_id)
    return rows[0]["id"]


async def _follow_fidelity(measure_id: int, initiative_id: int) -> None:
    """A fidelity measure fed by an intervention gets its points from the assessments
    now, not at the next assessment saved; a measure no longer fed loses the fed points
    (nobody could edit or remove them otherwise)."""
    # Imported here: the feed writes points through this module.
    from backend.fidelity.feed import refresh_measures

    row = await Measure.select(Measure.kind, Measure.fidelity_intervention).where(
        Measure.id == measure_id
    )
    if row[0]["kind"] == "fidelity" and row[0]["fidelity_intervention"] is not None:
        await refresh_measures(initiative_id)
    else:
        await DataPoint.delete().where(
            (DataPoint.measure == measure_id) & (DataPoint.source == "fidelity")
        )


async def point_count(measure_id: int) -> int:
    return await DataPoint.count().where(DataPoint.measure == measure_id)


async def update_measure(measure_id: int, expected_version: int, values: dict[str, Any]) -> None:
    fields = _measure_fields(values)
    async with db.writing():
        current = await measure_or_404(measure_id)
        check_version(current, expected_version, "measure")
        await _check_refs(current["initiative"], fields)
        count = await point_count(measure_id)
        if count:
            # Saved points are periods of the old kind and values of the old shape.
            errors = {}
            if fields.get("period_kind", current["period_kind"]) != current["period_kind"]:
                errors["period_kind"] = (
                    f"The period cannot change once the measure has data points "
                    f"(it has {count}): make a new measure for another period"
                )
            if fields.get("is_rate", current["is_rate"]) != current["is_rate"]:
                errors["is_rate"] = (
                    f"Whether it is a rate cannot change once the measure has data points "
                    f"(it has {count})"
                )
            if errors:
                raise Invalid(errors)
        await save_version(Measure, measure_id, expected_version, fields, reread=measure_or_404)
        await _follow_fidelity(measure_id, current["initiative"])


async def delete_measure(measure_id: int, expected_version: int) -> None:
    """The measure with its points and its links to PDSA cycles (the cycles stay)."""
    async with db.writing():
        current = await measure_or_404(measure_id)
        check_version(current, expected_version, "measure")
        await Measure.delete().where(Measure.id == measure_id)


# ---------------------------------------------------------------- data points


async def _locked_measure(measure_id: int) -> dict[str, Any]:
    query = Measure.select(
        Measure.id, Measure.initiative, Measure.period_kind, Measure.is_rate
    ).where(Measure.id == measure_id)
    if not db.active().is_sqlite:
        query = query.lock_rows()
    rows = await query
    if not rows:
        raise NotFound(f"Measure {measure_id} was not found")
    return rows[0]


async def _saved_periods(measure_id: int) -> dict[date, dict[str, Any]]:
    rows = await DataPoint.select(DataPoint.id, DataPoint.period_start, DataPoint.source).where(
        DataPoint.measure == measure_id
    )
    return {row["period_start"]: row for row in rows}


def _point_fields(row: dict[str, Any], measure: dict[str, Any]) -> dict[str, Any]:
    """A row as stored: its period's start, and a rate's value worked out when not given."""
    start = periods.start_of(row["period_start"], measure["period_kind"])
    numerator, denominator = row.get("numerator"), row.get("denominator")
    value = row.get("value")
    if value is None and numerator is not None and denominator:
        value = forms.rate(numerator, denominator)
    if value is None:
        raise Invalid({"value": f"{periods.code(start, measure['period_kind'])} has no value"})
    return {
        "period_start": start,
        "value": float(value),
        "numerator": numerator,
        "denominator": denominator,
        "annotation": row.get("annotation", "") or "",
    }


async def add_points(
    measure_id: int,
    rows: list[dict[str, Any]],
    user_id: int | None,
    source: str = "entered",
    *,
    replace: bool = False,
) -> int:
    """Save `rows` (period_start, value, and numerator/denominator/annotation when
    given) in one transaction; returns how many were written.

    A period given twice, or one already saved (unless `replace`), is refused
    and nothing is written. With `replace` a saved point takes the row's value
    (and its annotation when the row has one) and keeps its astronomical flag.
    People's writes never replace fidelity points; the fidelity roll-up may.
    """
    if source not in POINT_SOURCES:
        raise ValueError(f"unknown data point source {source!r}")
    now = clock.now()
    async with db.writing():
        measure = await _locked_measure(measure_id)
        kind = measure["period_kind"]
        saved = await _saved_periods(measure_id)
        new: list[DataPoint] = []
        seen: set[date] = set()
        for row in rows:
            fields = _point_fields(row, measure)
            start = fields["period_start"]
            where = periods.code(start, kind)
            if start in seen:
                raise DuplicatePeriod("period", f"{where} appears twice")
            seen.add(start)
            existing = saved.get(start)
            if existing is None:
                new.append(
                    DataPoint(measure=measure_id, source=source, updated_by=user_id, **fields)
                )
                continue
            if not replace:
                raise DuplicatePeriod("period", f"{where} already has a value")
            if existing["source"] == "fidelity" and source != "fidelity":
                raise Conflict(f"{where}: {FIDELITY_READ_ONLY}")
            if "annotation" not in row:
                fields.pop("annotation")
            await DataPoint.update(
                {
                    **fields,
                    "source": source,
                    "updated_by": user_id,
                    "updated_at": now,
                    "version": DataPoint.version + 1,
                }
            ).where(DataPoint.id == existing["id"])
        total = len(saved) + len(new)
        if source != "fidelity" and new and total > forms.POINTS_MAX:
            raise Invalid({"period": forms.too_many_points(total)}, forms.too_many_points(total))
        for start in range(0, len(new), INSERT_CHUNK):
            await DataPoint.insert(*new[start : start + INSERT_CHUNK])
    return len(rows)


async def add_point(measure_id: int, values: dict[str, Any], user_id: int | None) -> int:
    """One point typed into the form or sent to the API; returns its id."""
    async with db.writing():
        measure = await _locked_measure(measure_id)
        fields = _point_fields(values, measure)
        start = fields["period_start"]
        saved = await _saved_periods(measure_id)
        if start in saved:
            where = periods.code(start, measure["period_kind"])
            raise DuplicatePeriod("period", f"{where} already has a value: edit that point instead")
        if len(saved) >= forms.POINTS_MAX:
            message = forms.too_many_points(len(saved) + 1)
            raise Invalid({"period": message}, message)
        rows = await DataPoint.insert(
            DataPoint(measure=measure_id, source="entered", updated_by=user_id, **fields)
        ).returning(DataPoint.id)
    return rows[0]["id"]


def _refuse_fidelity(point: dict[str, Any]) -> None:
    if point["source"] == "fidelity":
        raise Conflict(FIDELITY_READ_ONLY)


async def update_point(
    point_id: int, expected_version: int, values: dict[str, Any], user_id: int | None
) -> None:
    """Change a point (its period too, if that period is free), from the version read."""
    async with db.writing():
        point = await point_or_404(point_id)
        measure = await _locked_measure(point["measure"])
        _refuse_fidelity(point)
        check_version(point, expected_version, "data point")
        fields = _point_fields(values, measure)
        start = fields["period_start"]
        other = (await _saved_periods(point["measure"])).get(start)
        if other is not None and other["id"] != point_id:
            where = periods.code(start, measure["period_kind"])
            raise DuplicatePeriod("period", f"{where} already has a value in another point")
        fields["astronomical"] = bool(values.get("astronomical"))
        fields["astronomical_reason"] = values.get("astronomical_reason", "")
        await save_version(
            DataPoint,
            point_id,
            expected_version,
            {**fields, "updated_by": user_id, "updated_at": clock.now()},
            reread=point_or_404,
        )


async def delete_point(point_id: int, expected_version: int) -> None:
    async with db.writing():
        point = await point_or_404(point_id)
        await _locked_measure(point["measure"])
        _refuse_fidelity(point)
        check_version(point, expected_version, "data point")
        await DataPoint.delete().where(
            (DataPoint.id == point_id) & (DataPoint.version == expected_version)
        )
