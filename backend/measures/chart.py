"""Geometry of the run chart: a server-side SVG with its takeaway and table (A11Y-07).

Python works out every coordinate; templates/measures/_run_chart.html draws
them. The analysis (backend/measures/runchart.py) says where the median is and
which points make a signal; this module places the points, the median line
(solid over the baseline, dashed after it when it is frozen), the signal
points (a different shape per rule, never colour alone) with a text label per
signal, and the sprints, releases and PDSA cycles in lanes under the time
axis, placed by date inside the periods they fall in.

Coordinates are in the SVG's own units (its viewBox), so the chart scales.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from backend.measures.runchart import ABOVE, BELOW, ON, RULE_NAMES, RunChartAnalysis, Signal
from backend.web.svg_marks import marker_path

WIDTH = 640
PLOT_HEIGHT = 220
LEFT = 64
RIGHT = 20
X_LABELS_HEIGHT = 26  # room for the period labels under the axis
LANE_HEIGHT = 20
SIGNAL_ROW = 16  # height of one row of signal labels above the plot
CHAR_WIDTH = 7.0  # rough width of one character of the 12px labels, for collisions
MAX_X_LABELS = 9
MAX_LABEL_ROWS = 3

MARKER_KINDS = {"sprint": "Sprint", "release": "Release", "pdsa": "PDSA cycle"}
LANE_NAMES = {"sprint": "Sprints", "pdsa": "PDSA", "release": "Releases"}
LANE_ORDER = ("sprint", "pdsa", "release")
SHORT_PREFIX = {"sprint": "S", "release": "R", "pdsa": "P"}
# Which shape a point of each signal gets; the first rule in this order wins
# when a point belongs to several signals.
SHAPE_ORDER = (
    ("astronomical", "diamond"),
    ("shift", "square"),
    ("long_run", "square"),
    ("trend", "triangle"),
)
SHAPE_WORDS = {
    "circle": "Circle: a point",
    "square": "Square: a point in a shift or long run",
    "triangle": "Triangle: a point in a trend (pointing the way the trend goes)",
    "triangle-down": "",
    "diamond": "Diamond: an astronomical point",
}
# The names of the signals on the chart itself (their first letter when crowded).
CHART_NAMES = {**RULE_NAMES, "astronomical": "Astronomical"}
DIRECTION_WORDS = {"up": "higher is better", "down": "lower is better"}


@dataclass(frozen=True)
class ChartPoint:
    period_start: date
    label: str
    value: float | None  # None: suppressed (small cell) or missing; drawn as a gap


@dataclass(frozen=True)
class TimeMarker:
    kind: str  # "sprint", "release", "pdsa"
    label: str  # e.g. "Sprint 4", "Release 2: new intake form", "Kinship call script (cycle 2)"
    start: date
    end: date | None = None  # sprints and PDSA cycles; a release has only a date


# ---------------------------------------------------------------- formatting


def format_number(value: float) -> str:
    """Up to two decimals, no trailing zeros, thousands separated: 1,234.5."""
    if not math.isfinite(value):
        return str(value)
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def with_unit(value: float, unit: str) -> str:
    unit = (unit or "").strip()
    if not unit:
        return format_number(value)
    if unit in ("%", "percent"):
        return f"{format_number(value)}%"
    return f"{format_number(value)} {unit}"


def _day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def _r(value: float) -> float:
    return round(value, 1)


# ---------------------------------------------------------------- the view


@dataclass
class Tick:
    at: float
    label: str


@dataclass
class Dot:
    x: float
    y: float
    shape: str  # circle, square, triangle, triangle-down, diamond
    path: str  # empty for a circle
    radius: float
    label: str
    value_text: str
    position: str  # above, below, median
    rules: tuple[str, ...]  # the signals this point belongs to
    baseline: bool


@dataclass
class SignalMark:
    """A labelled bracket above the points of one signal (shift, trend, ...)."""

    rule: str
    name: str
    text: str
    x1: float
    x2: float
    y: float
    label_x: float
    label_y: float
    tick_y: float  # where the bracket's ends point down to


@dataclass
class Lane:
    kind: str
    name: str
    top: float
    height: float

    @property
    def label_y(self) -> float:
        return _r(self.top + self.height / 2 + 4)


@dataclass
class Band:
    """A sprint or PDSA cycle as a band in its lane (or a tick when it has no end)."""

    kind: str
    key: str  # short name on the chart when the full label does not fit
    label: str  # what the chart shows
    full: str  # in words, for the key under the chart
    x: float
    width: float
    y: float
    height: float
    text_x: float
    text_y: float
    alternate: bool  # every other band drawn lighter, so neighbours stay apart in greyscale
    tick: bool  # a single date: drawn as a tick, not a band
    tick_path: str = ""


@dataclass
class ReleaseLine:
    key: str
    label: str
    full: str
    x: float
    y1: float  # top of the plot
    y2: float  # bottom of its lane
    text_x: float
    text_y: float


@dataclass
class LegendItem:
    key: str  # what the template draws: "line", "median", "median-after", a shape, "sprint", ...
    text: str


@dataclass
class TableRow:
    label: str
    period_start: date
    value: float | None
    value_text: str  # the value, or "suppressed"
    position: str  # "above the median", "below the median", "on the median", "" when suppressed
    signals: str  # names of the signals the point belongs to
    markers: str  # sprints, releases and PDSA cycles in this period
    baseline: bool


@dataclass
class RunChartView:
    chart_id: str
    title: str
    unit: str
    direction: str
    direction_text: str
    takeaway: str
    analysis: RunChartAnalysis
    width: int
    height: int
    x0: float
    x1: float
    y_top: float  # top of the plot area
    y_bottom: float  # bottom of the plot area (the time axis)
    empty: bool
    y_ticks: list[Tick] = field(default_factory=list)
    x_ticks: list[Tick] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # polylines between present points
    dots: list[Dot] = field(default_factory=list)
    median_y: float | None = None
    median_solid: tuple[float, float] | None = None  # x from, x to
    median_dashed: tuple[float, float] | None = None
    median_label: str = ""
    median_label_x: float = 0
    median_label_y: float = 0
    median_text: str = ""  # how the median was found, in words
    signal_marks: list[SignalMark] = field(default_factory=list)
    lanes: list[Lane] = field(default_factory=list)
    bands: list[Band] = field(default_factory=list)
    releases: list[ReleaseLine] = field(default_factory=list)
    marker_notes: list[str] = field(default_factory=list)  # every marker in words
    legend: list[LegendItem] = field(default_factory=list)
    rows: list[TableRow] = field(default_factory=list)
    signal_texts: list[str] = field(default_factory=list)
    limits_text: str = ""
    suppressed: int = 0
    y_axis_label: str = ""

    @property
    def ids(self) -> dict[str, str]:
        base = self.chart_id
        return {
            "title": f"{base}-title",
            "desc": f"{base}-desc",
            "takeaway": f"{base}-takeaway",
            "table": f"{base}-table",
            "signals": f"{base}-signals",
        }


MIN_STEP = 1e-9  # the finest tick step: ticks are rounded to 10 decimals


def nice_ticks(low: float, high: float, target: int = 5) -> list[float]:
    """Round tick values covering low..high: steps of 1, 2, 2.5 or 5 x 10^n."""
    if high < low:
        low, high = high, low
    # Ticks are rounded to 10 decimals, so a span under MIN_STEP per tick (equal
    # values, two rates a few 1e-15 apart, or a span that underflows to zero)
    # is drawn as one value: never a log10(0) or ticks that round to one.
    if high - low < MIN_STEP * target:
        value = low / 2 + high / 2
        pad = abs(value) * 0.1
        if pad < MIN_STEP * target:
            pad = 1.0
        low, high = value - pad, value + pad
        if value >= 0 > low:  # a series that cannot go negative keeps its axis at zero or above
            low = 0.0
    raw = (high - low) / target
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw * 0.999)
    start = math.floor(low / step + 1e-9) * step
    end = math.ceil(high / step - 1e-9) * step
    count = int(round((end - start) / step))
    return [round(start + k * step, 10) for k in range(count + 1)]


def _shape_of(signals: Sequence[Signal], values_up: bool | None) -> str:
    rules = {s.rule for s in signals}
    for rule, shape in SHAPE_ORDER:
        if rule in rules:
            if shape == "triangle" and values_up is False:
                return "triangle-down"
            return shape
    return "circle"


def _text_width(text: str) -> float:
    return len(text) * CHAR_WIDTH


def _fits(text: str, start: float, used: list[tuple[float, float]]) -> bool:
    """Whether a label starting at x=start stays on the chart and clear of the labels in `used`."""
    end = start + _text_width(text)
    return end <= WIDTH and all(end + 3 < u1 or start - 3 > u2 for u1, u2 in used)


def _short_key(marker: TimeMarker, ordinal: int) -> str:
    if marker.kind == "sprint":
        number = re.search(r"\d+", marker.label)
        return f"S{number.group()}" if number else f"S{ordinal}"
    return f"{SHORT_PREFIX.get(marker.kind, '?')}{ordinal}"


def _marker_words(marker: TimeMarker) -> str:
    kind = MARKER_KINDS.get(marker.kind, marker.kind)
    label = marker.label.strip()
    name = label if label.lower().startswith(kind.lower()) else f"{kind}: {label}"
    if marker.end and marker.end != marker.start:
        return f"{name} ({_day(marker.start)} to {_day(marker.end)})"
    return f"{name} ({_day(marker.start)})"


def _all_points(count: int) -> str:
    return "the one point" if count == 1 else f"all {count} points"


def _baseline_points(analysis: RunChartAnalysis) -> str:
    """The points a frozen median is of: the first N, or, when some of them are
    suppressed, those shown among the first N periods."""
    count, periods = analysis.baseline_count, analysis.baseline_periods
    if count == periods:
        return f"the first {count} points"
    shown = "the one point shown" if count == 1 else f"the {count} points shown"
    return f"{shown} of the first {periods} periods"


def _is_percent(unit: str) -> bool:
    return (unit or "").strip() in ("%", "percent")


def _axis_label(unit: str) -> str:
    if _is_percent(unit):
        return "Percent"
    return (unit or "").strip() or "Value"


def _takeaway(
    title: str,
    analysis: RunChartAnalysis,
    labels: Sequence[str],
    unit: str,
    direction: str,
) -> str:
    if analysis.points == 0:
        return f"{title}: no data points yet"
    parts: list[str] = []
    for signal in analysis.signals:
        first = labels[signal.indices[0]] if signal.indices else ""
        side = signal.direction  # above or below, for a shift or long run
        better = ""
        if (
            signal.rule in ("shift", "long_run")
            and side in (ABOVE, BELOW)
            and direction in DIRECTION_WORDS
        ):
            better = " (better)" if (side == ABOVE) == (direction == "up") else " (worse)"
        if signal.rule == "shift":
            parts.append(f"a shift {side} the median{better} from {first}")
        elif signal.rule == "long_run":
            parts.append(f"an unusually long run {side} the median{better} from {first}")
        elif signal.rule == "trend":
            parts.append(f"a trend going {signal.direction} from {first}")
        elif signal.rule == "astronomical":
            parts.append(f"an astronomical point in {first}")
        elif signal.rule == "too_few_runs":
            parts.append("too few runs")
        elif signal.rule == "too_many_runs":
            parts.append("too many runs")
        elif signal.rule == "few_crossings":
            parts.append("unusually few crossings of the median")
    if len(parts) > 3:
        parts = parts[:3] + [f"{len(parts) - 3} more signal{'s' if len(parts) > 4 else ''}"]
    if not parts:
        summary = "no signals of change"
    elif len(parts) == 1:
        summary = parts[0]
    else:
        summary = ", ".join(parts[:-1]) + " and " + parts[-1]
    count = analysis.points
    if analysis.median is None:
        # Every point of a frozen baseline is suppressed: no median to show.
        median = "no median (the baseline's points are suppressed)"
    else:
        median = f"median {with_unit(analysis.median, unit)}"
    return f"{title}: {summary}; {count} point{'' if count == 1 else 's'}, {median}"


def run_chart_view(
    points: Sequence[ChartPoint],
    analysis: RunChartAnalysis,
    markers: Sequence[TimeMarker],
    *,
    title: str,
    unit: str,
    direction: str,
    chart_id: str,
) -> RunChartView:
    """Everything the run chart template draws.

    `points` in time order; `analysis` is analyse() of their values in the same
    order: either of all of them (None for suppressed ones) or of only those
    with a value.
    """
    points = list(points)
    present = [i for i, p in enumerate(points) if p.value is not None]
    if analysis.series_length == len(points):
        to_point = list(range(len(points)))
    elif analysis.series_length == len(present):
        to_point = present
    else:
        raise ValueError("the analysis is not of these points")
    # signals per point index (in `points`)
    by_point: dict[int, list[Signal]] = {}
    for signal in analysis.signals:
        for i in signal.indices:
            by_point.setdefault(to_point[i], []).append(signal)
    position_of = {to_point[i]: p for i, p in enumerate(analysis.positions)}
    baseline_end = to_point[analysis.baseline_end] if analysis.baseline_end is not None else None
    labels = [p.label for p in points]
    series_labels = [labels[i] for i in to_point]

    takeaway = _takeaway(title, analysis, series_labels, unit, direction)
    direction_text = DIRECTION_WORDS.get(direction, "")
    empty = not present
    kinds_present = [k for k in LANE_ORDER if any(m.kind == k for m in markers)] if points else []

    # ---- period spans, for placing dates
    count = len(points)
    if count >= 2:
        typical = (points[-1].period_start - points[-2].period_start).days or 30
    else:
        typical = 30
    ends = [points[i + 1].period_start for i in range(count - 1)]
    if count:
        ends.append(points[-1].period_start + timedelta(days=typical))

    # ---- signal label rows (above the plot)
    labelled = [s for s in analysis.signals if s.indices]
    signal_rows = 0
    frame_x0, frame_x1 = LEFT, WIDTH - RIGHT
    slot = (frame_x1 - frame_x0) / count if count else 0

    def x_of(i: int) -> float:
        return _r(frame_x0 + slot * (i + 0.5))

    # Each signal's bracket and name go in the first row above the plot where they
    # overlap nothing; failing that its one-letter name; failing that only the bracket.
    taken: list[list[tuple[float, float]]] = [[] for _ in range(MAX_LABEL_ROWS)]
    placed_signals: list[tuple[int, str]] = []  # (row, name shown)
    for s in labelled:
        xs = [x_of(to_point[i]) for i in s.indices]
        centre = (min(xs) + max(xs)) / 2
        for name in (CHART_NAMES[s.rule], CHART_NAMES[s.rule][0]):
            half = max(_text_width(name) / 2, (max(xs) - min(xs)) / 2 + 3)
            span = (centre - half, centre + half)
            row = next(
                (
                    r
                    for r, used in enumerate(taken)
                    if all(span[1] + 4 < u1 or span[0] - 4 > u2 for u1, u2 in used)
                ),
                None,
            )
            if row is not None:
                taken[row].append(span)
                placed_signals.append((row, name))
                break
        else:
            placed_signals.append((MAX_LABEL_ROWS - 1, ""))
    if labelled:
        signal_rows = max(row for row, _ in placed_signals) + 1

    top = 14 + SIGNAL_ROW * signal_rows + (10 if labelled else 0)
    y_top = top
    y_bottom = top + PLOT_HEIGHT
    lanes_top = y_bottom + X_LABELS_HEIGHT
    lanes = [
        Lane(kind, LANE_NAMES[kind], _r(lanes_top + n * LANE_HEIGHT), LANE_HEIGHT - 4)
        for n, kind in enumerate(kinds_present)
    ]
    height = int(lanes_top + LANE_HEIGHT * len(lanes) + 8)
    view = RunChartView(
        chart_id=chart_id,
        title=title,
        unit=unit,
        direction=direction,
        direction_text=direction_text,
        takeaway=takeaway,
        analysis=analysis,
        width=WIDTH,
        height=height,
        x0=frame_x0,
        x1=frame_x1,
        y_top=y_top,
        y_bottom=y_bottom,
        empty=empty,
        limits_text=analysis.limits_text,
        signal_texts=[s.text for s in analysis.signals],
        lanes=lanes,
        y_axis_label=_axis_label(unit),
    )

    # ---- the table (always, even with no points)
    lane_of = {lane.kind: lane for lane in lanes}
    in_period: dict[int, list[str]] = {}
    marker_words = []
    for m in sorted(
        markers, key=lambda m: (m.start, LANE_ORDER.index(m.kind) if m.kind in LANE_ORDER else 9)
    ):
        words = _marker_words(m)
        m_end = m.end or m.start
        for i, p in enumerate(points):
            if m.start < ends[i] and m_end >= p.period_start:
                in_period.setdefault(i, []).append(words)
        marker_words.append((m, words))
    for i, p in enumerate(points):
        position = position_of.get(i)
        view.rows.append(
            TableRow(
                label=p.label,
                period_start=p.period_start,
                value=p.value,
                value_text=with_unit(p.value, unit) if p.value is not None else "suppressed",
                position={
                    ABOVE: "above the median",
                    BELOW: "below the median",
                    ON: "on the median",
                }.get(position or "", ""),
                signals=", ".join(dict.fromkeys(RULE_NAMES[s.rule] for s in by_point.get(i, []))),
                markers="; ".join(in_period.get(i, [])),
                baseline=baseline_end is not None and p.value is not None and i <= baseline_end,
            )
        )
        if p.value is None:
            view.suppressed += 1

    if empty:
        view.marker_notes = [words for _, words in marker_words]
        return view

    # ---- y scale
    values = [points[i].value for i in present]
    if analysis.median is not None:
        values.append(analysis.median)
    ticks = nice_ticks(min(values), max(values))
    low, high = ticks[0], ticks[-1]

    def y_of(value: float) -> float:
        return _r(y_bottom - (y_bottom - y_top) * (value - low) / (high - low))

    view.y_ticks = [Tick(y_of(t), with_unit(t, "%" if _is_percent(unit) else "")) for t in ticks]

    # ---- x labels, thinned
    every = max(1, math.ceil(count / MAX_X_LABELS))
    chosen = [i for i in range(count) if i % every == 0]
    view.x_ticks = [Tick(x_of(i), labels[i]) for i in chosen]

    # ---- points and the lines between them (a gap at each suppressed point)
    size = 4.0 if count <= 60 else 3.0 if count <= 120 else 2.2
    run: list[str] = []
    for i, p in enumerate(points):
        if p.value is None:
            if len(run) > 1:
                view.lines.append(" ".join(run))
            run = []
            continue
        x, y = x_of(i), y_of(p.value)
        run.append(f"{x},{y}")
        signals = by_point.get(i, [])
        trend_up = None
        for s in signals:
            if s.rule == "trend":
                trend_up = s.direction == "up"
        shape = _shape_of(signals, trend_up)
        point_size = size if shape == "circle" else max(size, 4.0) + 0.5
        view.dots.append(
            Dot(
                x=x,
                y=y,
                shape=shape,
                # A circle is drawn as <circle> by the template.
                path="" if shape == "circle" else marker_path(shape, x, y, point_size),
                radius=point_size,
                label=p.label,
                value_text=with_unit(p.value, unit),
                position=position_of.get(i) or "",
                rules=tuple(dict.fromkeys(s.rule for s in signals)),
                baseline=baseline_end is not None and i <= baseline_end,
            )
        )
    if len(run) > 1:
        view.lines.append(" ".join(run))

    # ---- the median: solid over the baseline, dashed after it when frozen
    median = analysis.median
    if median is not None:
        view.median_y = y_of(median)
        if analysis.baseline_frozen and baseline_end is not None:
            split = _r(x_of(baseline_end) + slot / 2)
            view.median_solid = (frame_x0, split)
            view.median_dashed = (split, frame_x1)
            view.median_text = (
                f"Median {with_unit(median, unit)}, over "
                f"{_baseline_points(analysis)} (the baseline, to {labels[baseline_end]}) "
                "and then held there"
            )
        else:
            view.median_solid = (frame_x0, frame_x1)
            view.median_text = (
                f"Median {with_unit(median, unit)}, over {_all_points(analysis.baseline_count)}"
            )
        view.median_label = f"Median {with_unit(median, unit)}"
        view.median_label_x = frame_x1 - 2
        # above the line unless that would leave the plot
        view.median_label_y = (
            view.median_y - 5 if view.median_y - 16 > y_top else view.median_y + 14
        )

    # ---- signal brackets and labels
    for s, (row, name) in zip(labelled, placed_signals, strict=True):
        xs = [x_of(to_point[i]) for i in s.indices]
        y = _r(y_top - 10 - SIGNAL_ROW * (signal_rows - 1 - row))
        centre = (min(xs) + max(xs)) / 2
        half = _text_width(name) / 2
        label_x = _r(min(max(centre, frame_x0 + half), frame_x1 - half))
        view.signal_marks.append(
            SignalMark(
                rule=s.rule,
                name=name,
                text=s.text,
                x1=_r(min(xs) - 3),
                x2=_r(max(xs) + 3),
                y=_r(y + 3),
                label_x=label_x,
                label_y=_r(y),
                tick_y=_r(y + 8),
            )
        )

    # ---- markers, placed by date inside their periods
    first_day, last_day = points[0].period_start, ends[-1]

    def x_of_day(day: date) -> float:
        if day <= first_day:
            return frame_x0
        if day >= last_day:
            return frame_x1
        for i, p in enumerate(points):
            if p.period_start <= day < ends[i]:
                length = (ends[i] - p.period_start).days or 1
                return _r(frame_x0 + slot * (i + (day - p.period_start).days / length))
        return frame_x1  # not reached

    ordinals: dict[str, int] = {}
    placed: dict[str, list[tuple[float, float]]] = {}
    notes: list[str] = []  # every marker in words, in time order
    for m, words in marker_words:
        m_end = m.end or m.start
        lane = lane_of.get(m.kind)
        if lane is None:
            notes.append(words)
            continue
        if m_end < first_day or m.start >= last_day:
            notes.append(f"{words}, outside the charted periods")
            continue
        ordinals[m.kind] = ordinals.get(m.kind, 0) + 1
        key = _short_key(m, ordinals[m.kind])
        x1 = x_of_day(m.start)
        x2 = x_of_day(m_end + timedelta(days=1)) if m.end else x1
        text_y = _r(lane.top + lane.height / 2 + 4)
        used = placed.setdefault(m.kind, [])

        if m.kind == "release":
            a = x1 + 3
            label = m.label if _fits(m.label, a, used) else key if _fits(key, a, used) else ""
            if label:
                used.append((a, a + _text_width(label)))
            view.releases.append(
                ReleaseLine(key, label, words, x1, y_top, _r(lane.top + lane.height), _r(a), text_y)
            )
            notes.append(f"{key} = {words}" if label == key else words)
            continue
        tick = m.end is None
        width = max(x2 - x1, 2.0)
        if tick:
            a = x1 + 6
            label = m.label if _fits(m.label, a, used) else key if _fits(key, a, used) else ""
            text_x = a
        else:
            inner = width - 6
            label = (
                m.label
                if _text_width(m.label) <= inner
                else key
                if _text_width(key) <= inner
                else ""
            )
            text_x = x1 + width / 2
            if not label:  # narrower than its key: the key may stick out if it hits no other
                half = _text_width(key) / 2
                if _fits(key, text_x - half, used) and text_x - half >= frame_x0:
                    label = key
        if label:
            half = _text_width(label) / 2
            used.append(
                (text_x - (0 if tick else half), text_x + (_text_width(label) if tick else half))
            )
        view.bands.append(
            Band(
                kind=m.kind,
                key=key,
                label=label,
                full=words,
                x=_r(x1),
                width=_r(width),
                y=lane.top,
                height=lane.height,
                text_x=_r(text_x),
                text_y=text_y,
                alternate=ordinals[m.kind] % 2 == 0,
                tick=tick,
                tick_path=(
                    f"M{_r(x1)},{_r(lane.top)} L{_r(x1 + 5)},{_r(lane.top + lane.height / 2)} "
                    f"L{_r(x1)},{_r(lane.top + lane.height)} Z"
                    if tick
                    else ""
                ),
            )
        )
        # The notes explain every short name shown instead of a full label.
        notes.append(f"{key} = {words}" if label == key else words)
    view.marker_notes = notes

    # ---- legend, in words, only for what is drawn
    legend = [
        LegendItem(
            "line",
            "Line with circles: the value of each period"
            + (f" ({direction_text})" if direction_text else ""),
        )
    ]
    if median is None:
        pass  # no median line is drawn
    elif analysis.baseline_frozen:
        legend.append(
            LegendItem(
                "median",
                f"Solid horizontal line: the median of {_baseline_points(analysis)} (the baseline)",
            )
        )
        legend.append(
            LegendItem(
                "median-after",
                "Dashed horizontal line: the same median held after the baseline, "
                "to judge the later points",
            )
        )
    else:
        legend.append(
            LegendItem(
                "median",
                f"Solid horizontal line: the median of {_all_points(analysis.baseline_count)}",
            )
        )
    shapes = dict.fromkeys(d.shape for d in view.dots if d.shape != "circle")
    for shape in shapes:
        key = "triangle" if shape == "triangle-down" else shape
        if any(item.key == key for item in legend):
            continue
        legend.append(LegendItem(key, SHAPE_WORDS[key]))
    if view.signal_marks:
        legend.append(
            LegendItem(
                "bracket", "Bracket with a name above the points: the points that make each signal"
            )
        )
    if any(b.kind == "sprint" for b in view.bands):
        legend.append(LegendItem("sprint", "Numbered bands under the time axis: sprints"))
    if any(b.kind == "pdsa" and not b.tick for b in view.bands):
        legend.append(
            LegendItem("pdsa", "Dashed bands in the PDSA lane: PDSA cycles, from start to end")
        )
    if any(b.kind == "pdsa" and b.tick for b in view.bands):
        legend.append(
            LegendItem(
                "pdsa-tick", "Small triangles in the PDSA lane: PDSA cycles by their start date"
            )
        )
    if view.releases:
        legend.append(
            LegendItem("release", "Dotted vertical lines: releases, labelled in the releases lane")
        )
    if view.suppressed:
        legend.append(
            LegendItem(
                "gap",
                f"Gap in the line: {view.suppressed} suppressed "
                f"period{'' if view.suppressed == 1 else 's'} (small numbers)",
            )
        )
    view.legend = legend
    return view
