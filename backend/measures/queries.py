"""Reads for measure pages, the API and other areas: measures, points, run chart data.

Small-cell suppression lives here, so every page, the API and the export
hide the same points: a point whose denominator is under the measure's
small-cell threshold is "suppressed" for liaisons (and always in exports).
Its numbers, annotation and astronomical flag and reason are blanked (a flag
alone would still say the hidden value was extreme), and the run
chart analysis skips it (a None value): the median and the signals a
liaison sees are worked out only from what they may see, so none of them
gives a suppressed value away. The team sees every value, with a note.

Query counts do not grow with the number of measures or points (PERF-01):
a list reads all points of its measures in one query.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from litestar import Request

from backend.accounts.permissions import LIAISON
from backend.cfsr.tables import CfsrItem
from backend.errors import NotFound
from backend.measures import periods
from backend.measures.chart import ChartPoint, TimeMarker
from backend.measures.runchart import RunChartAnalysis, analyse
from backend.measures.tables import DataPoint, Measure
from backend.pdsa.tables import PdsaMeasure
from backend.practice.tables import Intervention
from backend.scrum.tables import Release, Sprint

MEASURE_COLUMNS = (
    *Measure.all_columns(),
    Measure.initiative.agency.as_alias("agency"),
    Measure.cfsr_item.number.as_alias("cfsr_number"),
    Measure.cfsr_item.name.as_alias("cfsr_name"),
    Measure.fidelity_intervention.name.as_alias("intervention_name"),
)
POINT_COLUMNS = (
    DataPoint.id,
    DataPoint.measure,
    DataPoint.period_start,
    DataPoint.value,
    DataPoint.numerator,
    DataPoint.denominator,
    DataPoint.annotation,
    DataPoint.astronomical,
    DataPoint.astronomical_reason,
    DataPoint.source,
    DataPoint.version,
)


def suppresses_small_cells(request: Request) -> bool:
    """Liaisons see small cells suppressed; the agency's own people see the values."""
    access = request.state.get("access")
    return bool(access and access.role_in(access.agency_id) == LIAISON)


def suppressed_text(threshold: int) -> str:
    return f"suppressed (fewer than {threshold})"


def is_small(point: dict[str, Any], threshold: int) -> bool:
    """A count under the threshold could point at a few children or families."""
    return point["denominator"] is not None and point["denominator"] < threshold


def present(point: dict[str, Any], measure: dict[str, Any], suppress_small: bool) -> dict:
    """A point as a person may see it: with its period's label, whether it is a
    small cell, and, when suppressed, without its numbers and free text."""
    small = is_small(point, measure["small_cell_threshold"])
    suppressed = small and suppress_small
    shown = {
        **point,
        "label": periods.label(point["period_start"], measure["period_kind"]),
        "code": periods.code(point["period_start"], measure["period_kind"]),
        "small": small,
        "suppressed": suppressed,
    }
    if suppressed:
        shown.update(
            value=None,
            numerator=None,
            denominator=None,
            annotation="",
            astronomical=False,
            astronomical_reason="",
        )
    return shown


# ---------------------------------------------------------------- measures


async def measure_or_404(measure_id: int) -> dict[str, Any]:
    rows = await Measure.select(*MEASURE_COLUMNS).where(Measure.id == measure_id)
    if not rows:
        raise NotFound(f"Measure {measure_id} was not found")
    return rows[0]


async def point_or_404(point_id: int) -> dict[str, Any]:
    """A point with what its pages need of its measure."""
    rows = await DataPoint.select(
        *POINT_COLUMNS,
        DataPoint.measure.initiative.as_alias("initiative"),
        DataPoint.measure.period_kind.as_alias("period_kind"),
        DataPoint.measure.is_rate.as_alias("is_rate"),
    ).where(DataPoint.id == point_id)
    if not rows:
        raise NotFound(f"Data point {point_id} was not found")
    return rows[0]


async def points_of(measure_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """Every point of these measures in time order, by measure (one query)."""
    ids = list(measure_ids)
    found: dict[int, list[dict[str, Any]]] = {measure_id: [] for measure_id in ids}
    if not ids:
        return found
    rows = (
        await DataPoint.select(*POINT_COLUMNS)
        .where(DataPoint.measure.is_in(ids))
        .order_by(DataPoint.measure)
        .order_by(DataPoint.period_start)
    )
    for row in rows:
        found[row["measure"]].append(row)
    return found


async def saved_periods(measure_id: int) -> dict[date, str]:
    """Period start -> source of every saved point (for the CSV import's checks)."""
    rows = await DataPoint.select(DataPoint.period_start, DataPoint.source).where(
        DataPoint.measure == measure_id
    )
    return {row["period_start"]: row["source"] for row in rows}


def analysis_of(measure: dict[str, Any], shown: list[dict[str, Any]]) -> RunChartAnalysis:
    """The run chart analysis of points as shown (suppressed values are None)."""
    return analyse(
        [point["value"] for point in shown],
        rule_set=measure["rule_set"],
        baseline_points=measure["baseline_points"],
        astronomical={
            i: point["astronomical_reason"]
            for i, point in enumerate(shown)
            if point["astronomical"] and point["value"] is not None
        },
        labels=[point["label"] for point in shown],
    )


async def measures_of(
    initiative_id: int, *, kind: str | None = None, suppress_small: bool = False
) -> list[dict[str, Any]]:
    """An initiative's measures by name, each with its point count, latest point (as
    shown) and the signals of its run chart now. Two queries whatever the counts."""
    query = Measure.select(*MEASURE_COLUMNS).where(Measure.initiative == initiative_id)
    if kind:
        query = query.where(Measure.kind == kind)
    measures = await query.order_by(Measure.name).order_by(Measure.id)
    points = await points_of(m["id"] for m in measures)
    for measure in measures:
        shown = [present(p, measure, suppress_small) for p in points[measure["id"]]]
        measure["points_shown"] = shown
        measure["point_count"] = len(shown)
        measure["latest"] = shown[-1] if shown else None
        measure["analysis"] = analysis_of(measure, shown)
    return measures


# ---------------------------------------------------------------- one chart


@dataclass
class ChartData:
    """A measure's points as a person may see them, their analysis, and the
    sprints, releases and PDSA cycles to mark on the time axis."""

    measure: dict[str, Any]
    points: list[dict[str, Any]]
    analysis: RunChartAnalysis
    markers: list[TimeMarker] = field(default_factory=list)

    @property
    def chart_points(self) -> list[ChartPoint]:
        return [ChartPoint(p["period_start"], p["label"], p["value"]) for p in self.points]

    @property
    def suppressed(self) -> int:
        return sum(1 for p in self.points if p["suppressed"])

    @property
    def small(self) -> int:
        return sum(1 for p in self.points if p["small"])


async def markers_of(measure: dict[str, Any]) -> list[TimeMarker]:
    """The initiative's sprints and dated releases, and the dated PDSA cycles that
    link to this measure (three queries)."""
    sprints = (
        await Sprint.select(Sprint.number, Sprint.start_date, Sprint.end_date)
        .where(Sprint.initiative == measure["initiative"])
        .order_by(Sprint.start_date)
    )
    releases = (
        await Release.select(Release.name, Release.target_date)
        .where((Release.initiative == measure["initiative"]) & Release.target_date.is_not_null())
        .order_by(Release.target_date)
    )
    cycles = (
        await PdsaMeasure.select(
            PdsaMeasure.cycle.change_idea.as_alias("change_idea"),
            PdsaMeasure.cycle.start_date.as_alias("start_date"),
            PdsaMeasure.cycle.end_date.as_alias("end_date"),
        )
        .where((PdsaMeasure.measure == measure["id"]) & PdsaMeasure.cycle.start_date.is_not_null())
        .order_by(PdsaMeasure.cycle.start_date)
    )
    markers = [
        TimeMarker("sprint", f"Sprint {s['number']}", s["start_date"], s["end_date"])
        for s in sprints
    ]
    markers += [TimeMarker("release", r["name"], r["target_date"]) for r in releases]
    markers += [
        TimeMarker(
            "pdsa",
            c["change_idea"],
            c["start_date"],
            c["end_date"] if c["end_date"] and c["end_date"] >= c["start_date"] else None,
        )
        for c in cycles
    ]
    return markers


async def chart_data(
    measure_id: int, *, suppress_small: bool, with_markers: bool = True
) -> ChartData:
    """One measure's run chart data for any page (a liaison portfolio too): pass
    `suppress_small=True` for liaisons and anything leaving the agency."""
    measure = await measure_or_404(measure_id)
    return await chart_data_of(measure, suppress_small=suppress_small, with_markers=with_markers)


async def chart_data_of(
    measure: dict[str, Any], *, suppress_small: bool, with_markers: bool = True
) -> ChartData:
    points = (await points_of([measure["id"]]))[measure["id"]]
    shown = [present(p, measure, suppress_small) for p in points]
    return ChartData(
        measure=measure,
        points=shown,
        analysis=analysis_of(measure, shown),
        markers=await markers_of(measure) if with_markers else [],
    )


async def linked_cycles(measure_id: int) -> list[dict[str, Any]]:
    """The PDSA cycles that link to this measure, dated or not (for the delete page)."""
    return (
        await PdsaMeasure.select(
            PdsaMeasure.cycle.id.as_alias("id"),
            PdsaMeasure.cycle.change_idea.as_alias("change_idea"),
            PdsaMeasure.cycle.start_date.as_alias("start_date"),
        )
        .where(PdsaMeasure.measure == measure_id)
        .order_by(PdsaMeasure.cycle.start_date)
    )


# ---------------------------------------------------------------- form options


async def cfsr_options() -> list[tuple[str, list[tuple[int, str]]]]:
    """CFSR items 1-36 grouped by their outcome or systemic factor, for a select."""
    rows = await CfsrItem.select(
        CfsrItem.id,
        CfsrItem.number,
        CfsrItem.name,
        CfsrItem.group.name.as_alias("group_name"),
        CfsrItem.group.position.as_alias("group_position"),
    ).order_by(CfsrItem.number)
    rows.sort(key=lambda r: (r["group_position"], r["number"]))
    groups: dict[str, list[tuple[int, str]]] = {}
    for row in rows:
        groups.setdefault(row["group_name"], []).append(
            (row["id"], f"Item {row['number']}: {row['name']}")
        )
    return list(groups.items())


async def intervention_options(initiative_id: int) -> list[tuple[int, str]]:
    rows = (
        await Intervention.select(Intervention.id, Intervention.name)
        .where(Intervention.initiative == initiative_id)
        .order_by(Intervention.name)
    )
    return [(row["id"], row["name"]) for row in rows]
