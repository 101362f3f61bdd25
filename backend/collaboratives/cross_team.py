"""Shared measures of a collaborative and the cross-team view: one small run chart per
member team on the same axes (small multiples, A11Y-07).

- Faculty and site admins add shared measures; a member team links one of its own
  measures to a shared measure (CHANGE_WRITE in the team's agency).
- Each team's chart shows exactly what the team's own measure page shows: the same
  points (queries.present), the same analysis (queries.analysis_of: the measure's
  own rule set and baseline) and the same takeaway, table and signal texts
  (chart.run_chart_view), so the numbers cannot drift apart. Only the geometry is
  drawn here, on axes every chart shares: one y range over every team's visible
  values and one x axis of every team's periods.
- Small cells: a person who is not a member of a team's agency (another team, faculty,
  a site admin, a liaison) sees that team's small cells suppressed, as a liaison does
  on the team's own page; the team's own people see their values.
- Query count is constant however many teams (PERF-01): every linked measure and all
  their points are read in one query each.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from backend import db
from backend.accounts.access import Access
from backend.accounts.permissions import CHANGE_WRITE, LIAISON
from backend.collaboratives import access as collab_access
from backend.collaboratives.tables import CollaborativeTeam, SharedMeasure, SharedMeasureLink
from backend.errors import Forbidden, Invalid, NotFound
from backend.measures import queries as measure_queries
from backend.measures.chart import (
    ChartPoint,
    RunChartView,
    Tick,
    _shape_of,
    nice_ticks,
    run_chart_view,
    with_unit,
)
from backend.measures.runchart import RULE_NAMES
from backend.measures.tables import Measure
from backend.web import pii
from backend.web.forms import Errors, form_data, ref_id, text, typed
from backend.web.pages import form_page
from backend.web.svg_marks import marker_path

NAME_MAX = 200
UNIT_MAX = 40
DEFINITION_MAX = 10_000
SHARED_FIELDS = ("name", "definition", "unit")
LINK_FIELDS = ("shared", "measure")
SHARED_PII = {"definition": "Definition"}

# Geometry of one small chart (SVG units; it scales with the page).
WIDTH, HEIGHT = 320, 190
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 30
MAX_X_LABELS = 4
DOT = 3.5


def _r(value: float) -> float:
    return round(value, 1)


# ---------------------------------------------------------------- reads


async def member_teams(collaborative_id: int) -> list[dict[str, Any]]:
    """Every member team (its initiative) with its agency, by agency and title (one query)."""
    rows = await CollaborativeTeam.select(
        CollaborativeTeam.initiative.id.as_alias("initiative_id"),
        CollaborativeTeam.initiative.title.as_alias("title"),
        CollaborativeTeam.initiative.agency.id.as_alias("agency_id"),
        CollaborativeTeam.initiative.agency.name.as_alias("agency_name"),
    ).where(CollaborativeTeam.collaborative == collaborative_id)
    rows.sort(key=lambda r: (r["agency_name"].casefold(), r["title"].casefold()))
    return rows


def team_label(team: dict[str, Any]) -> str:
    return f"{team['title']} ({team['agency_name']})"


async def shared_measures_of(collaborative_id: int) -> list[dict[str, Any]]:
    """The collaborative's shared measures by name, each with how many measures link to it."""
    shared = (
        await SharedMeasure.select()
        .where(SharedMeasure.collaborative == collaborative_id)
        .order_by(SharedMeasure.name)
        .order_by(SharedMeasure.id)
    )
    links = await SharedMeasureLink.select(SharedMeasureLink.shared).where(
        SharedMeasureLink.shared.collaborative == collaborative_id
    )
    counts: dict[int, int] = {}
    for link in links:
        counts[link["shared"]] = counts.get(link["shared"], 0) + 1
    for row in shared:
        row["linked"] = counts.get(row["id"], 0)
    return shared


async def shared_or_404(collaborative_id: int, shared_id: int) -> dict[str, Any]:
    """A shared measure of this collaborative: its id comes from the path or a form,
    never resolved by the guard, so it is checked against the collaborative here."""
    missing = NotFound(f"Shared measure {shared_id} was not found in this collaborative")
    if not db.possible_id(shared_id):
        raise missing
    rows = await SharedMeasure.select().where(
        (SharedMeasure.id == shared_id) & (SharedMeasure.collaborative == collaborative_id)
    )
    if not rows:
        raise missing
    return rows[0]


async def linked_measures(shared_id: int) -> list[dict[str, Any]]:
    """The team measures linked to a shared measure, with their team (two queries)."""
    links = await SharedMeasureLink.select(SharedMeasureLink.measure).where(
        SharedMeasureLink.shared == shared_id
    )
    ids = [link["measure"] for link in links]
    if not ids:
        return []
    return await Measure.select(
        *measure_queries.MEASURE_COLUMNS,
        Measure.initiative.title.as_alias("team_title"),
        Measure.initiative.agency.name.as_alias("agency_name"),
    ).where(Measure.id.is_in(ids))


def suppresses_for(access: Access, agency_id: int) -> bool:
    """Small cells are hidden from everyone but the members of the team's own agency:
    a liaison sees them suppressed there too, exactly as on the team's own page."""
    role = access.role_in(agency_id)
    return role is None or role == LIAISON


# ---------------------------------------------------------------- writes (also for seeds)


async def add_shared_measure(
    collaborative_id: int, name: str, definition: str = "", unit: str = ""
) -> int:
    """A new shared measure of the collaborative; returns its id."""
    async with db.writing():
        rows = await SharedMeasure.insert(
            SharedMeasure(
                collaborative=collaborative_id, name=name, definition=definition, unit=unit
            )
        ).returning(SharedMeasure.id)
    return rows[0]["id"]


async def link_measure(shared_id: int, measure_id: int) -> int:
    """Link a team's measure to a shared measure; returns the link's id.

    Invalid (422) when the measure's team already reports this shared measure
    (by this or another of its measures): one chart per team. Callers check
    membership and powers first (link_submit does; seeds know their data).
    """
    async with db.writing():
        if not db.active().is_sqlite:
            # Links to one shared measure are decided one at a time (SQLite's writers
            # queue already): two teams' measures, or the same one twice, at once.
            await (
                SharedMeasure.select(SharedMeasure.id)
                .where(SharedMeasure.id == shared_id)
                .lock_rows()
            )
        rows = await Measure.select(Measure.initiative).where(Measure.id == measure_id)
        if not rows:
            raise NotFound(f"Measure {measure_id} was not found")
        taken = await SharedMeasureLink.select(
            SharedMeasureLink.measure.name.as_alias("name")
        ).where(
            (SharedMeasureLink.shared == shared_id)
            & (SharedMeasureLink.measure.initiative == rows[0]["initiative"])
        )
        if taken:
            raise Invalid(
                {
                    "measure": f"This team already reports this shared measure with "
                    f"its measure “{taken[0]['name']}”"
                }
            )
        created = await SharedMeasureLink.insert(
            SharedMeasureLink(shared=shared_id, measure=measure_id)
        ).returning(SharedMeasureLink.id)
    return created[0]["id"]


# ---------------------------------------------------------------- the small multiples


@dataclass
class SmallDot:
    x: float
    y: float
    shape: str
    path: str  # empty for a circle
    label: str
    value_text: str
    rules: tuple[str, ...]


@dataclass
class TeamChart:
    """One team's small chart; `view` is what the team's own page would compute."""

    key: str
    team: str
    initiative_id: int
    agency_id: int
    measure: dict[str, Any]
    view: RunChartView
    can_read: bool  # may follow the link to the team's own measure page
    suppressed: int
    dots: list[SmallDot] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    median_y: float | None = None
    median_solid: tuple[float, float] | None = None
    median_dashed: tuple[float, float] | None = None


@dataclass
class CrossTeam:
    width: int
    height: int
    x0: float
    x1: float
    y_top: float
    y_bottom: float
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    y_axis_label: str
    charts: list[TeamChart]
    period_count: int
    range_text: str  # the shared axes in words


def _span_ticks(values: list[float]) -> list[float]:
    """One y scale for every chart: round ticks covering every value shown."""
    if not values:
        return []
    return nice_ticks(min(values), max(values))


def cross_team_view(
    shared: dict[str, Any], measures: list[dict[str, Any]], points: dict, access: Access
) -> CrossTeam:
    """Every linked measure's chart, analysed as its own page does, on shared axes."""
    unit = shared["unit"] or (measures[0]["unit"] if measures else "")
    charts: list[TeamChart] = []
    shown_by: dict[int, list[dict[str, Any]]] = {}
    for measure in sorted(
        measures, key=lambda m: (m["agency_name"].casefold(), m["team_title"].casefold(), m["id"])
    ):
        suppress = suppresses_for(access, measure["agency"])
        shown = [
            measure_queries.present(p, measure, suppress) for p in points.get(measure["id"], [])
        ]
        shown_by[measure["id"]] = shown
        label = f"{measure['team_title']} ({measure['agency_name']})"
        analysis = measure_queries.analysis_of(measure, shown)
        view = run_chart_view(
            [ChartPoint(p["period_start"], p["label"], p["value"]) for p in shown],
            analysis,
            [],
            title=label,
            unit=measure["unit"],
            direction=measure["direction"],
            chart_id=f"team-chart-{measure['id']}",
        )
        charts.append(
            TeamChart(
                key=f"team-chart-{measure['id']}",
                team=label,
                initiative_id=measure["initiative"],
                agency_id=measure["agency"],
                measure=measure,
                view=view,
                can_read=access.role_in(measure["agency"]) is not None,
                suppressed=view.suppressed,
            )
        )

    # ---- shared x axis: every period any team has, in time order
    labels: dict[date, str] = {}
    for shown in shown_by.values():
        for p in shown:
            labels.setdefault(p["period_start"], p["label"])
    periods = sorted(labels)
    slot_of = {day: i for i, day in enumerate(periods)}
    x0, x1 = float(LEFT), float(WIDTH - RIGHT)
    y_top, y_bottom = float(TOP), float(HEIGHT - BOTTOM)
    slot = (x1 - x0) / len(periods) if periods else 0.0

    def x_of(i: int) -> float:
        return _r(x0 + slot * (i + 0.5))

    # ---- shared y axis: every value shown and every median, over all teams
    values = [p["value"] for shown in shown_by.values() for p in shown if p["value"] is not None]
    values += [c.view.analysis.median for c in charts if c.view.analysis.median is not None]
    ticks = _span_ticks(values)
    percent = (unit or "").strip() in ("%", "percent")
    if ticks:
        low, high = ticks[0], ticks[-1]
    else:
        low, high = 0.0, 1.0

    def y_of(value: float) -> float:
        return _r(y_bottom - (y_bottom - y_top) * (value - low) / (high - low))

    y_ticks = [Tick(y_of(t), with_unit(t, "%" if percent else "")) for t in ticks]
    every = max(1, math.ceil(len(periods) / MAX_X_LABELS))
    x_ticks = [Tick(x_of(i), labels[day]) for i, day in enumerate(periods) if i % every == 0]

    for chart in charts:
        shown = shown_by[chart.measure["id"]]
        analysis = chart.view.analysis
        by_point: dict[int, list] = {}
        for signal in analysis.signals:
            for i in signal.indices:
                by_point.setdefault(i, []).append(signal)
        run: list[str] = []
        for i, p in enumerate(shown):
            if p["value"] is None:  # a gap at a suppressed point, as on the team's page
                if len(run) > 1:
                    chart.lines.append(" ".join(run))
                run = []
                continue
            x, y = x_of(slot_of[p["period_start"]]), y_of(p["value"])
            run.append(f"{x},{y}")
            signals = by_point.get(i, [])
            trend_up = next((s.direction == "up" for s in signals if s.rule == "trend"), None)
            shape = _shape_of(signals, trend_up)
            chart.dots.append(
                SmallDot(
                    x=x,
                    y=y,
                    shape=shape,
                    path="" if shape == "circle" else marker_path(shape, x, y, DOT + 0.5),
                    label=p["label"],
                    value_text=with_unit(p["value"], chart.measure["unit"]),
                    rules=tuple(dict.fromkeys(s.rule for s in signals)),
                )
            )
        if len(run) > 1:
            chart.lines.append(" ".join(run))
        if analysis.median is not None and shown:
            chart.median_y = y_of(analysis.median)
            first = x_of(slot_of[shown[0]["period_start"]]) - slot / 2
            last = x_of(slot_of[shown[-1]["period_start"]]) + slot / 2
            end = analysis.baseline_end
            if analysis.baseline_frozen and end is not None:
                split = _r(x_of(slot_of[shown[end]["period_start"]]) + slot / 2)
                chart.median_solid = (_r(first), split)
                chart.median_dashed = (split, _r(last))
            else:
                chart.median_solid = (_r(first), _r(last))

    if periods:
        range_text = (
            f"Every chart has the same axes: {labels[periods[0]]} to {labels[periods[-1]]} "
            f"across ({len(periods)} period{'' if len(periods) == 1 else 's'})"
        )
        if ticks:
            range_text += (
                f", {y_ticks[0].label} to {y_ticks[-1].label} up"
                if percent
                else f", {with_unit(low, unit)} to {with_unit(high, unit)} up"
            )
    else:
        range_text = "No team has data points yet"
    axis_label = "Percent" if percent else (unit or "").strip() or "Value"
    return CrossTeam(
        width=WIDTH,
        height=HEIGHT,
        x0=x0,
        x1=x1,
        y_top=y_top,
        y_bottom=y_bottom,
        y_ticks=y_ticks,
        x_ticks=x_ticks,
        y_axis_label=axis_label,
        charts=charts,
        period_count=len(periods),
        range_text=range_text,
    )


# ---------------------------------------------------------------- pages


async def _linkable(teams: list[dict[str, Any]], access: Access) -> list[dict[str, Any]]:
    """The measures this person may link: those of member teams in agencies where they
    have CHANGE_WRITE (one query)."""
    writable = [t["initiative_id"] for t in teams if access.can(CHANGE_WRITE, t["agency_id"])]
    if not writable:
        return []
    rows = await Measure.select(
        Measure.id,
        Measure.name,
        Measure.initiative,
        Measure.initiative.title.as_alias("team_title"),
        Measure.initiative.agency.name.as_alias("agency_name"),
    ).where(Measure.initiative.is_in(writable))
    rows.sort(key=lambda r: (r["agency_name"].casefold(), r["team_title"].casefold(), r["name"]))
    return rows


async def _measures_page(
    request: Request,
    collaborative: dict[str, Any],
    *,
    errors: Errors | None = None,
    shared_form: dict[str, str] | None = None,
    link_form: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    access = request.state.access
    teams = await member_teams(collaborative["id"])
    linkable = await _linkable(teams, access)
    groups: dict[str, list[tuple[int, str]]] = {}
    for m in linkable:
        groups.setdefault(f"{m['team_title']} ({m['agency_name']})", []).append(
            (m["id"], m["name"])
        )
    shared = await shared_measures_of(collaborative["id"])
    return form_page(
        "collaboratives/cross_team_measures.html",
        status,
        title=f"Shared measures of {collaborative['name']}",
        collaborative=collaborative,
        shared_measures=shared,
        shared_options=[(s["id"], s["name"]) for s in shared],
        team_count=len(teams),
        measure_groups=list(groups.items()),
        errors=errors or Errors(),
        shared_form=shared_form or {"name": "", "definition": "", "unit": ""},
        link_form=link_form or {"shared": "", "measure": ""},
    )


@get("/collaboratives/{collaborative_id:int}/measures", name="collaboratives.measures")
async def measures_page(request: Request, collaborative_id: FromPath[int]) -> Template:
    collaborative = await collab_access.collaborative_or_404(collaborative_id, request.state.access)
    return await _measures_page(request, collaborative)


@post("/collaboratives/{collaborative_id:int}/measures", name="collaboratives.measure_create")
async def measure_create(request: Request, collaborative_id: FromPath[int]) -> Template | Redirect:
    collaborative = await collab_access.collaborative_or_404(collaborative_id, request.state.access)
    collab_access.require_run(collaborative)
    data = await form_data(request)
    errors = Errors()
    name = text(data.get("name"), "name", errors, label="Name", max_length=NAME_MAX, required=True)
    definition = text(
        data.get("definition"),
        "definition",
        errors,
        label="Definition",
        max_length=DEFINITION_MAX,
    )
    unit = text(data.get("unit"), "unit", errors, label="Unit", max_length=UNIT_MAX)
    # A collaborative belongs to no one agency: only the common shapes are checked.
    pii.check_loaded(data, SHARED_PII, "", errors)
    if errors:
        return await _measures_page(
            request,
            collaborative,
            errors=errors,
            shared_form=typed(data, SHARED_FIELDS),
            status=422,
        )
    shared_id = await add_shared_measure(collaborative_id, name, definition, unit)
    return Redirect(
        request.app.route_reverse(
            "collaboratives.cross_team", collaborative_id=collaborative_id, shared_id=shared_id
        ),
        status_code=303,
    )


@post("/collaboratives/{collaborative_id:int}/measures/link", name="collaboratives.measure_link")
async def measure_link(request: Request, collaborative_id: FromPath[int]) -> Template | Redirect:
    access: Access = request.state.access
    collaborative = await collab_access.collaborative_or_404(collaborative_id, access)
    teams = await member_teams(collaborative_id)
    team_agency = {t["initiative_id"]: t["agency_id"] for t in teams}
    if not any(access.can(CHANGE_WRITE, agency) for agency in team_agency.values()):
        raise Forbidden("Only the people of a member team can link their team's measures")
    data = await form_data(request)
    errors = Errors()
    shared_id = ref_id(data.get("shared"), "shared", errors, label="Shared measure")
    measure_id = ref_id(data.get("measure"), "measure", errors, label="Your team's measure")
    if shared_id is None and "shared" not in errors:
        errors.add("shared", "Choose the shared measure")
    if measure_id is None and "measure" not in errors:
        errors.add("measure", "Choose your team's measure")
    if errors:
        return await _measures_page(
            request, collaborative, errors=errors, link_form=typed(data, LINK_FIELDS), status=422
        )
    shared = await shared_or_404(collaborative_id, shared_id)
    rows = await Measure.select(
        Measure.id, Measure.initiative, Measure.initiative.agency.as_alias("agency")
    ).where(Measure.id == measure_id)
    # A measure of an agency this person cannot read does not exist for them.
    if not rows or access.role_in(rows[0]["agency"]) is None:
        raise NotFound(f"Measure {measure_id} was not found")
    measure = rows[0]
    if not access.can(CHANGE_WRITE, measure["agency"]):
        raise Forbidden("Linking a measure needs a team role in the measure's agency")
    if measure["initiative"] not in team_agency:
        errors.add("measure", "This measure's initiative is not a member team of the collaborative")
    else:
        try:
            await link_measure(shared["id"], measure_id)
        except Invalid as refused:
            errors.merge(refused.errors)
    if errors:
        return await _measures_page(
            request, collaborative, errors=errors, link_form=typed(data, LINK_FIELDS), status=422
        )
    return Redirect(
        request.app.route_reverse(
            "collaboratives.cross_team", collaborative_id=collaborative_id, shared_id=shared["id"]
        ),
        status_code=303,
    )


@get(
    "/collaboratives/{collaborative_id:int}/measures/{shared_id:int}",
    name="collaboratives.cross_team",
)
async def cross_team_page(
    request: Request, collaborative_id: FromPath[int], shared_id: FromPath[int]
) -> Template:
    access: Access = request.state.access
    collaborative = await collab_access.collaborative_or_404(collaborative_id, access)
    shared = await shared_or_404(collaborative_id, shared_id)
    teams = await member_teams(collaborative_id)
    measures = await linked_measures(shared_id)
    # Only measures of current member teams are charted (a team may have left).
    members = {t["initiative_id"] for t in teams}
    measures = [m for m in measures if m["initiative"] in members]
    points = await measure_queries.points_of(m["id"] for m in measures)
    view = cross_team_view(shared, measures, points, access)
    charted = {m["initiative"] for m in measures}
    return Template(
        "collaboratives/cross_team.html",
        context={
            "title": f"{shared['name']} across teams",
            "collaborative": collaborative,
            "shared": shared,
            "view": view,
            "not_linked": [team_label(t) for t in teams if t["initiative_id"] not in charted],
            "rule_names": RULE_NAMES,
        },
    )


route_handlers = [measures_page, measure_create, measure_link, cross_team_page]
