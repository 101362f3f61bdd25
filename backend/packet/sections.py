"""The progress packet's sections, each built from the reads and chart geometry of the
area it summarises, so the packet shows the same numbers as the area's own page.

Every builder is a fixed number of queries whatever the number of rows (PERF-01).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from backend.fidelity import chart as fidelity_chart
from backend.fidelity import queries as fidelity_queries
from backend.fidelity import rollup
from backend.initiatives.progress_queries import stage_map
from backend.measures import queries as measure_queries
from backend.measures.chart import run_chart_view
from backend.packet import queries
from backend.pdsa import queries as pdsa_queries
from backend.pip import queries as pip_queries
from backend.scrum import metrics, svg
from backend.scrum.charts import burndown_takeaway, velocity_takeaway
from backend.traceability import queries as trace_queries
from backend.traceability.controllers import summary_line

# The order of the packet; each has an h2 and starts a printed page.
SECTIONS = (
    ("stages", "Stage map"),
    ("sprints", "Sprint summary"),
    ("scrum_charts", "Burndown and velocity"),
    ("gaps", "Traceability gaps"),
    ("fidelity", "Fidelity roll-up"),
    ("measures", "Run charts"),
    ("pdsa", "PDSA log"),
    ("pip", "PIP status"),
    ("reviews", "Open review items"),
)


async def stages(initiative: dict[str, Any]) -> dict[str, Any]:
    rows = await stage_map(initiative)
    current = next((s for s in rows if s["is_current"]), None)
    return {"stages": rows, "current": current}


async def sprints(
    initiative: dict[str, Any], since: date, all_sprints: list[dict[str, Any]]
) -> dict[str, Any]:
    """Sprints closed on or after `since` or active now, with carry-over and sign-off."""
    chosen = [s for s in all_sprints if queries.in_period(s, since)]
    await queries.add_carry_over(chosen, initiative["id"])
    closed = [s for s in chosen if s["state"] == "closed"]
    return {
        "sprints": chosen,
        "closed": len(closed),
        "committed": sum(s["committed_points"] or 0 for s in closed),
        "completed": sum(s["completed_points"] or 0 for s in closed),
    }


async def charts(all_sprints: list[dict[str, Any]], initiative_id: int, now) -> dict[str, Any]:
    """The active sprint's burndown and the velocity chart, drawn as on the charts page."""
    active = next((s for s in all_sprints if s["state"] == "active"), None)
    out: dict[str, Any] = {"sprint": active, "burndown": None, "burndown_chart": None}
    if active is not None:
        burndown = await metrics.sprint_burndown(active, now)
        out["burndown"] = burndown
        out["burndown_chart"] = svg.burndown_chart(burndown)
        out["burndown_takeaway"] = burndown_takeaway(active, burndown, now.date())
    # The closed sprints are already read: velocity from them, as metrics.velocity does.
    velocity = [
        metrics.VelocityPoint(
            s["id"], s["number"], s["committed_points"] or 0, s["completed_points"] or 0
        )
        for s in all_sprints
        if s["state"] == "closed"
    ]
    average = metrics.average_velocity(velocity)
    out["velocity"] = velocity
    out["average"] = average
    out["velocity_chart"] = svg.velocity_chart(velocity, average) if velocity else None
    out["velocity_takeaway"] = velocity_takeaway(velocity, average)
    return out


async def gaps(initiative: dict[str, Any]) -> dict[str, Any]:
    found = await trace_queries.gaps(initiative)
    found["summary_line"] = summary_line(found["summary"])
    found["without_stories"] = [c for c in found["components"] if not c["stories"]]
    return found


async def fidelity(initiative_id: int) -> dict[str, Any]:
    """The roll-up by month over every assessment (no filters), as the fidelity page shows."""
    filters = fidelity_queries.Filters()
    assessments = await fidelity_queries.assessments_of(initiative_id, filters)
    counts = await fidelity_queries.rating_counts(initiative_id, filters)
    components = await fidelity_queries.components_of_initiative(initiative_id)
    meeting = fidelity_queries.fidelity_levels(
        await fidelity_queries.levels_of_initiative(initiative_id)
    )
    result = rollup.build(assessments, counts, components, meeting, rollup.DEFAULT_KIND)
    return {
        "rollup": result,
        "charts": None if result.empty else fidelity_chart.small_multiples(result),
        "takeaway": fidelity_chart.overall_takeaway(result),
        "assessments": len(assessments),
    }


async def measures(
    initiative_id: int, all_sprints: list[dict[str, Any]], suppress_small: bool
) -> dict[str, Any]:
    """Every measure's run chart with its signals. Small cells are suppressed for the
    same people and in the same way as on the measure pages (measures.queries.present)."""
    rows = await measure_queries.measures_of(initiative_id, suppress_small=suppress_small)
    markers = await queries.markers_by_measure(all_sprints, initiative_id, [m["id"] for m in rows])
    charts_ = []
    for measure in rows:
        shown = measure["points_shown"]
        data = measure_queries.ChartData(measure, shown, measure["analysis"])
        view = run_chart_view(
            data.chart_points,
            data.analysis,
            markers[measure["id"]],
            title=measure["name"],
            unit=measure["unit"],
            direction=measure["direction"],
            chart_id=f"packet-run-chart-{measure['id']}",
        )
        charts_.append(
            {
                "measure": measure,
                "view": view,
                "signals": len(measure["analysis"].signals),
                "suppressed": data.suppressed,
            }
        )
    return {
        "charts": charts_,
        "with_signals": sum(1 for c in charts_ if c["signals"]),
        "suppress": suppress_small,
    }


def cycle_in_period(cycle: dict[str, Any], since: date, today: date) -> bool:
    """A dated cycle that ran at some time between `since` and today. An open cycle
    without an end date runs until today; a decided one without an end date ended
    on its start date. Undated cycles have not run yet."""
    start = cycle["start_date"]
    if start is None or start > today:
        return False
    end = cycle["end_date"] or (start if cycle["act_decision"] else today)
    return end >= since


async def pdsa(initiative_id: int, since: date, today: date) -> dict[str, Any]:
    cycles = [
        c for c in await pdsa_queries.cycles_of(initiative_id) if cycle_in_period(c, since, today)
    ]
    cycles.reverse()  # oldest first reads as a log
    decided: dict[str, int] = {}
    for cycle in cycles:
        if cycle["decision_label"]:
            decided[cycle["decision_label"]] = decided.get(cycle["decision_label"], 0) + 1
    return {"cycles": cycles, "decided": decided}


async def pip(agency_id: int, today: date, suppress_small: bool) -> dict[str, Any]:
    """The agency's plan in force: key activities behind schedule, measures vs goals."""
    plan = pip_queries.current_of(await pip_queries.pips_of(agency_id), today)
    if plan is None:
        return {"pip": None}
    contents = await pip_queries.plan(plan, today, suppress_small)
    return {"pip": plan, "phase": pip_queries.phase_of(plan, today), **contents}


async def reviews(initiative: dict[str, Any], all_sprints: list[dict[str, Any]]) -> dict[str, Any]:
    """Unresolved threads, and closed sprints whose review is not signed off (none yet,
    or changes requested last)."""
    threads = await queries.open_threads(initiative["id"], initiative["agency"])
    closed = [s for s in all_sprints if s["state"] == "closed"]
    latest = await queries.latest_sign_offs([s["id"] for s in closed])
    awaiting = []
    for sprint in closed:
        last = latest.get(sprint["id"])
        if last is None or last["decision"] != "signed_off":
            awaiting.append({**sprint, "last_sign_off": last})
    return {"threads": threads, "awaiting": awaiting}


async def build(
    initiative: dict[str, Any], since: date, now, suppress_small: bool
) -> dict[str, Any]:
    """Every section of the packet, in order."""
    today = now.date()
    initiative_id = initiative["id"]
    all_sprints = await queries.sprints_of(initiative_id)
    return {
        "stages": await stages(initiative),
        "sprints": await sprints(initiative, since, all_sprints),
        "scrum_charts": await charts(all_sprints, initiative_id, now),
        "gaps": await gaps(initiative),
        "fidelity": await fidelity(initiative_id),
        "measures": await measures(initiative_id, all_sprints, suppress_small),
        "pdsa": await pdsa(initiative_id, since, today),
        "pip": await pip(initiative["agency"], today, suppress_small),
        "reviews": await reviews(initiative, all_sprints),
    }
