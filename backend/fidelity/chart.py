"""Small multiples of the fidelity roll-up (A11Y-07): one small SVG per core component,
the same axes in every one (every period of the roll-up across, 0 to 100% up), a
line with markers per site.

Sites are told apart without colour: each site keeps one marker shape and one
line pattern in every chart, and its line ends in a direct label with its
name and latest share. Colour only helps. A line breaks where a site has no
ratings in a period rather than bridging the gap. Each chart has a one-line
takeaway; the roll-up table on the same page holds the same numbers.
templates/fidelity/_small_multiples.html draws what this works out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from backend.fidelity.rollup import ComponentRollup, Period, Rollup, Tally, tick_label
from backend.scrum.svg import Frame, Tick
from backend.web.svg_marks import marker_path

WIDTH, HEIGHT = 460, 230
LABEL_GAP = 14  # the least vertical room between two direct labels
LABEL_CHARS = 20  # longer site names are shortened in the direct label (not the legend)
MARKER = 4.5

# (marker shape, line dash pattern, colour): one per site, in the roll-up's site order.
STYLES = (
    ("circle", "", "#1d4f91"),
    ("square", "8 4", "#7a4b00"),
    ("triangle", "2 3", "#0b6b3a"),
    ("diamond", "10 3 2 3", "#1b1f23"),
    ("triangle-down", "4 4", "#6a1b9a"),
    ("plus", "1 3", "#b00020"),
)
SHAPE_WORDS = {
    "circle": "circles",
    "square": "squares",
    "triangle": "triangles",
    "diamond": "diamonds",
    "triangle-down": "downward triangles",
    "plus": "crosses",
}


def _r(value: float) -> float:
    return round(value, 1)


DASH_WORDS = {
    "": "solid line",
    "8 4": "dashed line",
    "2 3": "dotted line",
    "10 3 2 3": "dash-dot line",
    "4 4": "short-dashed line",
    "1 3": "sparse dotted line",
}


@dataclass
class SiteStyle:
    site_id: int
    name: str
    shape: str
    dash: str
    colour: str

    @property
    def words(self) -> str:
        """How the legend names the look: "dashed line with squares"."""
        return f"{DASH_WORDS[self.dash]} with {SHAPE_WORDS[self.shape]}".capitalize()

    @property
    def key_path(self) -> str:
        return marker_path(self.shape, 16, 6, 4)


@dataclass
class Marker:
    x: float
    y: float
    period: Period
    tally: Tally
    path: str


@dataclass
class Series:
    style: SiteStyle
    markers: list[Marker] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # polyline points, one per unbroken run
    label: str = ""
    label_x: float = 0
    label_y: float = 0


@dataclass
class SmallChart:
    component: ComponentRollup
    series: list[Series]
    takeaway: str


@dataclass
class SmallMultiples:
    frame: Frame
    y_ticks: list[Tick]
    x_ticks: list[tuple[float, str, str]]  # (x, "Q1" / "Mar" / "3 Mar", year)
    styles: list[SiteStyle]
    charts: list[SmallChart]


def site_styles(rollup: Rollup) -> list[SiteStyle]:
    return [
        SiteStyle(site["id"], site["name"], *STYLES[i % len(STYLES)])
        for i, site in enumerate(rollup.sites)
    ]


def _spread(wanted: list[float], low: float, high: float, gap: float) -> list[float]:
    """Move label positions apart by at least `gap`, keeping their order, within bounds."""
    order = sorted(range(len(wanted)), key=lambda i: wanted[i])
    placed = [0.0] * len(wanted)
    last = low - gap
    for i in order:
        placed[i] = max(wanted[i], last + gap)
        last = placed[i]
    overflow = last - high
    if overflow > 0:
        for i in order:
            placed[i] -= overflow
    return [_r(y) for y in placed]


def _short(name: str) -> str:
    return name if len(name) <= LABEL_CHARS else name[: LABEL_CHARS - 1].rstrip() + "…"


def _joined(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def takeaway(component: ComponentRollup, periods: list[Period], names: dict[int, str]) -> str:
    """One sentence: how all sites together moved, and where the latest period stands."""
    rated = [p for p in periods if component.period_total(p).rated]
    if not rated:
        return f"{component.name}: no ratings."
    first, last = rated[0], rated[-1]
    latest = [(names[s], component.cell(s, last)) for s in component.site_ids]
    latest = [(name, t) for name, t in latest if t.rated]
    latest.sort(key=lambda nt: (-(nt[1].share or 0), nt[0]))
    total_last = component.period_total(last)
    if first == last:
        sites = _joined([f"{name} {t.percent}%" for name, t in latest])
        return (
            f"{component.name}: {total_last.percent}% at or above the fidelity level in "
            f"{last.label} ({sites})."
        )
    total_first = component.period_total(first)
    trend = (
        f"all sites together went from {total_first.percent}% in {first.label} "
        f"to {total_last.percent}% in {last.label}"
    )
    if len(latest) == 1:
        where = f"only {latest[0][0]} was rated in {last.label}"
    else:
        (high, high_t), (low, low_t) = latest[0], latest[-1]
        where = (
            f"in {last.label} highest at {high} ({high_t.percent}%), "
            f"lowest at {low} ({low_t.percent}%)"
        )
    return f"{component.name}: {trend}; {where}."


def small_multiples(rollup: Rollup) -> SmallMultiples:
    frame = Frame(width=WIDTH, height=HEIGHT, left=44, right=170, top=14, bottom=44)
    pad = 16.0
    periods = rollup.periods
    count = len(periods)

    def x_of(index: int) -> float:
        if count <= 1:
            return _r((frame.x0 + frame.x1) / 2)
        return _r(frame.x0 + pad + (frame.x1 - frame.x0 - 2 * pad) * index / (count - 1))

    def y_of(share: float) -> float:
        return _r(frame.y0 - (frame.y0 - frame.y1) * share)

    y_ticks = [Tick(y_of(v / 100), f"{v}%") for v in (0, 25, 50, 75, 100)]
    x_ticks = [(x_of(i), *tick_label(p.start, rollup.period_kind)) for i, p in enumerate(periods)]
    styles = site_styles(rollup)
    style_of = {s.site_id: s for s in styles}
    names = {s.site_id: s.name for s in styles}
    charts = []
    for component in rollup.components:
        series_list = []
        for site_id in component.site_ids:
            series = Series(style_of[site_id])
            run: list[str] = []
            for i, period in enumerate(periods):
                tally = component.cell(site_id, period)
                if not tally.rated:
                    if len(run) > 1:
                        series.lines.append(" ".join(run))
                    run = []
                    continue
                x, y = x_of(i), y_of(tally.share or 0)
                series.markers.append(
                    Marker(x, y, period, tally, marker_path(series.style.shape, x, y, MARKER))
                )
                run.append(f"{x},{y}")
            if len(run) > 1:
                series.lines.append(" ".join(run))
            last = series.markers[-1]
            series.label = f"{_short(series.style.name)} {last.tally.percent}%"
            series.label_x = _r(frame.x1 + 8)  # in the right margin, beside its last point
            series_list.append(series)
        wanted = [s.markers[-1].y + 4 for s in series_list]
        placed = _spread(wanted, frame.y1 + 4, frame.y0 + 4, LABEL_GAP)
        for series, y in zip(series_list, placed, strict=True):
            series.label_y = y
        charts.append(SmallChart(component, series_list, takeaway(component, periods, names)))
    return SmallMultiples(frame, y_ticks, x_ticks, styles, charts)


def overall_takeaway(rollup: Rollup) -> str:
    if rollup.empty:
        return "No ratings match these filters yet."
    total = rollup.total
    sites = len(rollup.sites)
    periods = len(rollup.periods)
    return (
        f"{total.met} of {total.rated} ratings ({total.percent}%) were at or above the "
        f"fidelity level, across {len(rollup.components)} core "
        f"component{'s' if len(rollup.components) != 1 else ''}, {sites} "
        f"site{'s' if sites != 1 else ''} and {periods} {rollup.period_kind}"
        f"{'s' if periods != 1 else ''}."
    )
