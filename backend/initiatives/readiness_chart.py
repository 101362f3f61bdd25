"""The readiness trend (A11Y-07): geometry of a server-side SVG line chart with
three series and the one-line takeaway printed above it.

The series differ by line pattern (solid, dashed, dotted) and marker shape
(circle, square, triangle) and carry a direct label at their last point, so
colour is never needed to tell them apart. Assessments are spaced evenly along
the x axis in date order and labelled with their dates; the table under the
chart gives the exact numbers. Reuses the house frame and ticks of
backend/scrum/svg.py; templates/initiatives/_readiness_chart.html draws it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from backend.initiatives.progress_forms import READINESS_SCORES, SCORE_MAX, SCORE_MIN
from backend.scrum.svg import Frame, Tick, short_date
from backend.web.templating import format_date

# (score key, marker shape, css modifier, direct label)
SERIES = (
    ("motivation", "circle", "motivation", "Motivation"),
    ("general_capacity", "square", "general", "General capacity"),
    ("specific_capacity", "triangle", "specific", "Intervention-specific"),
)
LABEL_GAP = 16  # the least vertical room between two direct labels
# Series drawn a little apart along x so equal scores do not hide each other.
NUDGE = {"motivation": -5.0, "general_capacity": 0.0, "specific_capacity": 5.0}
MARKER = 5.5
MAX_X_LABELS = 8


def _r(value: float) -> float:
    return round(value, 1)


def marker_path(shape: str, x: float, y: float, size: float = MARKER) -> str:
    if shape == "square":
        s = size * 0.85
        return f"M{_r(x - s)},{_r(y - s)} h{_r(2 * s)} v{_r(2 * s)} h{_r(-2 * s)} Z"
    if shape == "triangle":
        s = size * 1.15
        base = _r(y + s * 0.8)
        return f"M{_r(x)},{_r(y - s)} L{_r(x + s)},{base} L{_r(x - s)},{base} Z"
    return (
        f"M{_r(x - size)},{_r(y)} a{size},{size} 0 1,0 {_r(2 * size)},0 "
        f"a{size},{size} 0 1,0 {_r(-2 * size)},0 Z"
    )


@dataclass
class Marker:
    x: float
    y: float
    value: int
    day: date
    path: str


@dataclass
class Series:
    key: str
    name: str  # the score's full name, for the legend
    label: str  # the direct label's words
    css: str
    shape: str
    line: str
    markers: list[Marker] = field(default_factory=list)
    label_x: float = 0
    label_y: float = 0

    @property
    def last(self) -> int | None:
        return self.markers[-1].value if self.markers else None


@dataclass
class DateTick(Tick):
    year: str = ""


@dataclass
class ReadinessChart:
    frame: Frame
    y_ticks: list[Tick]
    x_ticks: list[DateTick]
    series: list[Series]


def _spread(wanted: list[float], low: float, high: float, gap: float) -> list[float]:
    """Move label positions (in the given order) apart by at least `gap`, within bounds."""
    order = sorted(range(len(wanted)), key=lambda i: wanted[i])
    placed = [0.0] * len(wanted)
    last = -math.inf
    for i in order:
        placed[i] = max(wanted[i], last + gap, low)
        last = placed[i]
    overflow = last - high
    if overflow > 0:  # pushed past the bottom: shift the stack up
        for i in order:
            placed[i] -= overflow
    return [_r(y) for y in placed]


def readiness_chart(rows: list[dict[str, Any]]) -> ReadinessChart:
    """`rows` oldest first, as progress_queries.assessments returns them."""
    frame = Frame(height=300, right=200, left=48, top=24, bottom=60)
    pad = 12.0
    span = SCORE_MAX - SCORE_MIN

    def y_of(value: float) -> float:
        return _r(frame.y0 - pad - (frame.y0 - frame.y1 - 2 * pad) * (value - SCORE_MIN) / span)

    count = len(rows)

    def x_of(index: int) -> float:
        if count <= 1:
            return _r((frame.x0 + frame.x1) / 2)
        return _r(frame.x0 + pad * 2 + (frame.x1 - frame.x0 - pad * 4) * index / (count - 1))

    y_ticks = [Tick(y_of(v), str(v)) for v in range(SCORE_MIN, SCORE_MAX + 1)]
    every = max(1, math.ceil(count / MAX_X_LABELS))
    x_ticks = [
        DateTick(x_of(i), short_date(r["assessed_on"]), str(r["assessed_on"].year))
        for i, r in enumerate(rows)
        if i % every == 0 or i == count - 1
    ]
    names = dict(READINESS_SCORES)
    series: list[Series] = []
    for key, shape, css, label in SERIES:
        markers = []
        for i, r in enumerate(rows):
            x, y = _r(x_of(i) + NUDGE[key]), y_of(r[key])
            markers.append(Marker(x, y, r[key], r["assessed_on"], marker_path(shape, x, y)))
        line = " ".join(f"{m.x},{m.y}" for m in markers)
        series.append(Series(key, names[key], label, css, shape, line, markers))
    if rows:
        wanted = [s.markers[-1].y + 4 for s in series]
        placed = _spread(wanted, frame.y1 + 4, frame.y0, LABEL_GAP)
        for s, y in zip(series, placed, strict=True):
            s.label_x = _r(s.markers[-1].x + 14)
            s.label_y = y
    return ReadinessChart(frame, y_ticks, x_ticks, series)


def _change(name: str, first: int, last: int) -> str:
    if last > first:
        return f"{name} rose from {first} to {last}"
    if last < first:
        return f"{name} fell from {first} to {last}"
    return f"{name} stayed at {last}"


def _joined(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def readiness_takeaway(rows: list[dict[str, Any]]) -> str:
    """One sentence: the biggest change first, e.g. "Intervention-specific capacity
    rose from 2 to 4 since 3 Mar 2026; motivation stayed at 3 and ..."."""
    if not rows:
        return "No readiness assessment has been recorded yet."
    names = [(key, label.lower()) for key, label in READINESS_SCORES]
    last = rows[-1]
    if len(rows) == 1:
        scores = _joined([f"{name} {last[key]}" for key, name in names])
        return (
            f"One assessment so far, on {format_date(last['assessed_on'])}: "
            f"{scores} (each out of {SCORE_MAX})."
        )
    first = rows[0]
    ranked = sorted(names, key=lambda kn: -abs(last[kn[0]] - first[kn[0]]))
    clauses = [_change(name, first[key], last[key]) for key, name in ranked]
    lead = clauses[0][0].upper() + clauses[0][1:]
    since = f" since {format_date(first['assessed_on'])}"
    return f"{lead}{since}; {_joined(clauses[1:])}."
