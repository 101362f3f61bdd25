"""The packet's tables as CSV (cells neutralised by backend/web/csv_export, SEC-17).

An export may leave the agency, so run chart points are always exported with small
cells suppressed, whoever downloads them (as measures' own export does), and so are
PIP measurement values.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from backend.measures import forms as measure_forms
from backend.measures import queries as measure_queries
from backend.packet import queries, sections

Table = tuple[Sequence[str], list[Sequence[object]]]


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


async def sprints(initiative: dict[str, Any], since: date, now) -> Table:
    found = await sections.sprints(initiative, since, await queries.sprints_of(initiative["id"]))
    header = (
        "sprint",
        "state",
        "goal",
        "start_date",
        "end_date",
        "committed_points",
        "completed_points",
        "carried_over_items",
        "carried_over_points",
    )
    rows = [
        (
            s["number"],
            s["state"],
            s["goal"],
            _day(s["start_date"]),
            _day(s["end_date"]),
            "" if s["committed_points"] is None else s["committed_points"],
            "" if s["completed_points"] is None else s["completed_points"],
            s["carried_items"],
            s["carried_points"],
        )
        for s in found["sprints"]
    ]
    return header, rows


async def gaps(initiative: dict[str, Any], since: date, now) -> Table:
    found = await sections.gaps(initiative)
    header = ("gap", "id", "name")
    rows: list[Sequence[object]] = []
    rows += [
        ("core component without stories", c["id"], c["name"]) for c in found["without_stories"]
    ]
    rows += [("finding not acted on", f["id"], f["label"]) for f in found["unused_findings"]]
    rows += [
        ("story without a finding or component", s["id"], s["title"])
        for s in found["unlinked_stories"]
    ]
    return header, rows


async def fidelity(initiative: dict[str, Any], since: date, now) -> Table:
    found = await sections.fidelity(initiative["id"])
    result = found["rollup"]
    names = {s["id"]: s["name"] for s in result.sites}
    header = ("core_component", "intervention", "site", "period", "met", "rated", "percent")
    rows: list[Sequence[object]] = []
    for component in result.components:
        for site_id in component.site_ids:
            for period in result.periods:
                tally = component.cell(site_id, period)
                if tally.rated:
                    rows.append(
                        (
                            component.name,
                            component.intervention_name,
                            names[site_id],
                            period.code,
                            tally.met,
                            tally.rated,
                            tally.percent,
                        )
                    )
    return header, rows


async def pdsa(initiative: dict[str, Any], since: date, now) -> Table:
    found = await sections.pdsa(initiative["id"], since, now.date())
    header = ("cycle", "change_idea", "site", "start_date", "end_date", "phase", "decision")
    rows = [
        (
            c["id"],
            c["change_idea"],
            c["site_name"] or "",
            _day(c["start_date"]),
            _day(c["end_date"]),
            c["phase_label"],
            c["decision_label"],
        )
        for c in found["cycles"]
    ]
    return header, rows


async def pip(initiative: dict[str, Any], since: date, now) -> Table:
    found = await sections.pip(initiative["agency"], now.date(), suppress_small=True)
    header = ("kind", "number", "text", "target_date_or_goal", "status_or_latest", "verdict")
    if found["pip"] is None:
        return header, []
    rows: list[Sequence[object]] = [
        (
            "key activity",
            a["number"],
            a["title"],
            _day(a["target_date"]),
            a["status_label"],
            f"{a['days_late']} days late" if a["days_late"] else "",
        )
        for a in found["activities"]
    ]
    rows += [
        (
            "measurement",
            line["cfsr_number"] or "",
            line["label"] or line["cfsr_name"] or "",
            line["goal_text"],
            line["latest_text"],
            line["verdict"],
        )
        for line in found["measurements"]
    ]
    return header, rows


async def measures(initiative: dict[str, Any], since: date, now) -> Table:
    rows_ = await measure_queries.measures_of(initiative["id"], suppress_small=True)
    header = ("measure", "period", "period_start", "value", "numerator", "denominator")
    rows: list[Sequence[object]] = []
    for measure in rows_:
        for point in measure["points_shown"]:
            if point["suppressed"]:
                value = measure_queries.suppressed_text(measure["small_cell_threshold"])
            else:
                value = (
                    "" if point["value"] is None else measure_forms.plain(round(point["value"], 4))
                )
            rows.append(
                (
                    measure["name"],
                    point["code"],
                    point["period_start"].isoformat(),
                    value,
                    "" if point["numerator"] is None else point["numerator"],
                    "" if point["denominator"] is None else point["denominator"],
                )
            )
    return header, rows


# The allowlist: table name in the URL -> its builder.
# How the packet page names each table's download.
LABELS = {
    "sprints": "Sprints",
    "gaps": "Traceability gaps",
    "fidelity": "Fidelity roll-up",
    "pdsa": "PDSA log",
    "pip": "PIP activities",
    "measures": "Run chart points",
}
TABLES = {
    "sprints": sprints,
    "gaps": gaps,
    "fidelity": fidelity,
    "pdsa": pdsa,
    "pip": pip,
    "measures": measures,
}
