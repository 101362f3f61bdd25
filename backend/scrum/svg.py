"""Geometry of the server-rendered SVG charts (burndown, velocity).

Python works out scales and coordinates; the templates in
templates/scrum/_chart_*.html draw them. Coordinates are in the SVG's own
units (its viewBox), so the chart scales with the page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

from backend.scrum.metrics import Burndown, VelocityPoint

WIDTH = 720
HEIGHT = 340


@dataclass
class Frame:
    """The drawing area inside the axes."""

    width: int = WIDTH
    height: int = HEIGHT
    left: int = 56
    right: int = 24
    top: int = 28
    bottom: int = 56

    @property
    def x0(self) -> float:
        return self.left

    @property
    def x1(self) -> float:
        return self.width - self.right

    @property
    def y0(self) -> float:  # the bottom (value 0)
        return self.height - self.bottom

    @property
    def y1(self) -> float:  # the top
        return self.top


@dataclass
class Tick:
    at: float
    label: str


def nice_scale(largest: float, ticks: int = 5) -> tuple[int, int]:
    """(top of the axis, step between ticks): whole points, steps of 1, 2 or 5 x 10^n."""
    largest = max(largest, 1)
    raw = largest / ticks
    magnitude = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    step = max(int(step), 1)
    return math.ceil(largest / step) * step, step


def _r(value: float) -> float:
    return round(value, 1)


def short_date(day: date) -> str:
    return f"{day.day} {day:%b}"


def _y_ticks(frame: Frame, top: int, step: int) -> list[Tick]:
    return [
        Tick(_r(frame.y0 - (frame.y0 - frame.y1) * value / top), str(value))
        for value in range(0, top + 1, step)
    ]


# ---------------------------------------------------------------- burndown


@dataclass
class Dot:
    x: float
    y: float
    value: int
    day: date


@dataclass
class ScopeMark:
    """A triangle pointing up (scope added) or down (scope removed), with its label."""

    kind: str  # "added" or "removed"
    points: int
    day: date
    path: str
    label_x: float
    label_y: float

    @property
    def label(self) -> str:
        return f"+{self.points}" if self.kind == "added" else f"−{self.points}"


@dataclass
class BurndownChart:
    frame: Frame
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    ideal: str
    actual: str
    dots: list[Dot] = field(default_factory=list)
    marks: list[ScopeMark] = field(default_factory=list)


def _triangle(x: float, y: float, up: bool, size: float = 6) -> str:
    tip = y - size if up else y + size
    base = y + size * 0.8 if up else y - size * 0.8
    return f"M{_r(x)},{_r(tip)} L{_r(x + size)},{_r(base)} L{_r(x - size)},{_r(base)} Z"


def burndown_chart(burndown: Burndown) -> BurndownChart:
    frame = Frame()
    days = burndown.days
    largest = max(
        [burndown.committed] + [d.scope or 0 for d in days] + [d.remaining or 0 for d in days]
    )
    top, step = nice_scale(largest)
    count = len(days)

    def x_of(index: int) -> float:
        if count <= 1:
            return _r((frame.x0 + frame.x1) / 2)
        return _r(frame.x0 + (frame.x1 - frame.x0) * index / (count - 1))

    def y_of(value: float) -> float:
        return _r(frame.y0 - (frame.y0 - frame.y1) * value / top)

    label_every = max(1, math.ceil(count / 8))
    x_ticks = [
        Tick(x_of(i), short_date(d.day))
        for i, d in enumerate(days)
        if i % label_every == 0 or i == count - 1
    ]
    ideal = " ".join(f"{x_of(i)},{y_of(d.ideal)}" for i, d in enumerate(days))
    dots: list[Dot] = []
    marks: list[ScopeMark] = []
    for i, d in enumerate(days):
        if d.remaining is None:
            continue
        x, y = x_of(i), y_of(d.remaining)
        dots.append(Dot(x, y, d.remaining, d.day))
        if d.added:
            my = y - 16
            marks.append(ScopeMark("added", d.added, d.day, _triangle(x, my, True), x + 9, my + 4))
        if d.removed:
            my = min(y + 16, frame.y0 - 6)
            marks.append(
                ScopeMark("removed", d.removed, d.day, _triangle(x, my, False), x + 9, my + 4)
            )
    actual = " ".join(f"{dot.x},{dot.y}" for dot in dots)
    return BurndownChart(frame, _y_ticks(frame, top, step), x_ticks, ideal, actual, dots, marks)


# ---------------------------------------------------------------- velocity


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int

    @property
    def label_x(self) -> float:
        return _r(self.x + self.width / 2)

    @property
    def label_y(self) -> float:
        return _r(self.y - 5)


@dataclass
class BarGroup:
    label: str
    center: float
    committed: Bar
    completed: Bar


@dataclass
class VelocityChart:
    frame: Frame
    y_ticks: list[Tick]
    groups: list[BarGroup]
    average: float | None
    average_y: float | None


def velocity_chart(points: list[VelocityPoint], average: float | None) -> VelocityChart:
    frame = Frame()
    largest = max([p.committed for p in points] + [p.completed for p in points] + [average or 0])
    top, step = nice_scale(largest)

    def y_of(value: float) -> float:
        return _r(frame.y0 - (frame.y0 - frame.y1) * value / top)

    groups: list[BarGroup] = []
    if points:
        slot = (frame.x1 - frame.x0) / len(points)
        bar = _r(min(32.0, slot * 0.32))
        for i, p in enumerate(points):
            center = _r(frame.x0 + slot * (i + 0.5))

            def make(value: int, x: float) -> Bar:
                y = y_of(value)
                return Bar(_r(x), y, bar, _r(frame.y0 - y), value)

            label = f"Sprint {p.number}" if len(points) <= 8 else str(p.number)
            groups.append(
                BarGroup(
                    label,
                    center,
                    make(p.committed, center - bar - 2),
                    make(p.completed, center + 2),
                )
            )
    average_y = y_of(average) if average is not None else None
    return VelocityChart(frame, _y_ticks(frame, top, step), groups, average, average_y)
