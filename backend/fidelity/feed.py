"""Fidelity feeds a measure: the data points of a fidelity measure, from the ratings.

A measure of kind "fidelity" whose `fidelity_intervention` is set gets one
data point (source "fidelity") per period of the measure (month, quarter or
week; `period_start` the period's first day, as backend.measures.periods
normalises it) in which an assessment of any version of that intervention's
profile was made:

    numerator   = ratings at or above the fidelity level in the period
    denominator = every rating in the period
    value       = 100 * numerator / denominator

`refresh_measures` recomputes them; the fidelity services call it inside the
transaction of every create, edit and delete, so the measure never shows a
state the assessments were not in. Points a person entered or imported are left
alone, and a period that has one gets no fidelity point (one point per period).
A fidelity point keeps its row, annotation and astronomical flag while its
period has ratings (backend.measures.services.add_points writes new and changed
counts); one whose period has no ratings any more is deleted.
"""

from __future__ import annotations

from datetime import date

from piccolo.query.functions.aggregate import Count

from backend import db
from backend.fidelity.queries import fidelity_levels
from backend.fidelity.rollup import Tally
from backend.fidelity.tables import FidelityRating as R
from backend.measures.periods import start_of
from backend.measures.services import add_points
from backend.measures.tables import DataPoint, Measure
from backend.practice.tables import ContinuumLevel

SOURCE = "fidelity"


def _day(value) -> date:
    return date.fromisoformat(value[:10]) if isinstance(value, str) else value


async def _tallies(measures: list[dict]) -> dict[int, dict[date, Tally]]:
    """measure id -> {period start: tally} (two queries for all the measures)."""
    interventions = list({m["fidelity_intervention"] for m in measures})
    counts = await (
        R.select(
            R.assessment.assessed_on.as_alias("day"),
            R.assessment.profile.intervention.as_alias("intervention"),
            R.level,
            Count(R.id, alias="n"),
        )
        .where(R.assessment.profile.intervention.is_in(interventions))
        .group_by(R.assessment.assessed_on, R.assessment.profile.intervention, R.level)
    )
    levels = await ContinuumLevel.select(
        ContinuumLevel.id,
        ContinuumLevel.profile,
        ContinuumLevel.position,
        ContinuumLevel.meets_fidelity,
    ).where(ContinuumLevel.profile.intervention.is_in(interventions))
    meeting = fidelity_levels(levels)
    out: dict[int, dict[date, Tally]] = {}
    for measure in measures:
        periods: dict[date, Tally] = {}
        for row in counts:
            if row["intervention"] != measure["fidelity_intervention"]:
                continue
            start = start_of(_day(row["day"]), measure["period_kind"])
            periods.setdefault(start, Tally()).add(row["n"], row["level"] in meeting)
        out[measure["id"]] = periods
    return out


async def refresh_measures(initiative_id: int) -> None:
    """Recompute the fidelity-sourced points of the initiative's fidelity measures."""
    async with db.writing():
        query = Measure.select(
            Measure.id, Measure.period_kind, Measure.fidelity_intervention
        ).where(
            (Measure.initiative == initiative_id)
            & (Measure.kind == "fidelity")
            & Measure.fidelity_intervention.is_not_null()
        )
        if not db.active().is_sqlite:
            # A person adding a point meanwhile waits (measures.services locks the same rows).
            query = query.lock_rows()
        measures = await query
        if not measures:
            return
        tallies = await _tallies(measures)
        points = await DataPoint.select(
            DataPoint.id,
            DataPoint.measure,
            DataPoint.period_start,
            DataPoint.numerator,
            DataPoint.denominator,
            DataPoint.source,
        ).where(DataPoint.measure.is_in([m["id"] for m in measures]))
        for measure in measures:
            wanted = tallies[measure["id"]]
            mine = [p for p in points if p["measure"] == measure["id"]]
            taken = {p["period_start"] for p in mine if p["source"] != SOURCE}
            fed = {p["period_start"]: p for p in mine if p["source"] == SOURCE}
            gone = [p["id"] for start, p in fed.items() if start not in wanted or start in taken]
            if gone:
                await DataPoint.delete().where(DataPoint.id.is_in(gone))
            # New periods, and fed points whose counts changed; an unchanged point keeps
            # its version. The measure's own service writes them (and works out value).
            rows = [
                {"period_start": start, "numerator": tally.met, "denominator": tally.rated}
                for start, tally in sorted(wanted.items())
                if start not in taken
                and (
                    start not in fed
                    or (fed[start]["numerator"], fed[start]["denominator"])
                    != (tally.met, tally.rated)
                )
            ]
            if rows:
                await add_points(measure["id"], rows, None, SOURCE, replace=True)
