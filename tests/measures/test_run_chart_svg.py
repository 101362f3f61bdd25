"""The run chart drawn through the app's Jinja environment: accessible name,
takeaway, the same numbers in the table, signal shapes and labels, markers
on the time axis, and the edge cases (no, one, two, equal, many points)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from pathlib import Path

import pytest
from litestar.plugins.jinja import JinjaTemplateEngine

from backend.measures.chart import ChartPoint, TimeMarker, nice_ticks, run_chart_view
from backend.measures.runchart import analyse
from backend.web.templating import configure
from tests.html_checks import assert_well_formed

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@pytest.fixture(scope="module")
def env():
    engine = JinjaTemplateEngine(directory=TEMPLATES)
    configure(engine)  # the same filters and block trimming as the app
    return engine.engine


def month(i: int) -> date:
    return date(2024 + i // 12, i % 12 + 1, 1)


def chart_points(values) -> list[ChartPoint]:
    return [ChartPoint(month(i), f"{month(i):%b %Y}", v) for i, v in enumerate(values)]


def build(points, markers=(), *, rule_set="ihi", astronomical=None, only_present=False, **kw):
    values = [p.value for p in points]
    labels = [p.label for p in points]
    if only_present:  # the analysis of only the points with a value
        labels = [p.label for p in points if p.value is not None]
        values = [v for v in values if v is not None]
    analysis = analyse(values, rule_set=rule_set, astronomical=astronomical, labels=labels)
    options = {"title": "Kinship placements", "unit": "%", "direction": "up", "chart_id": "rc"}
    options.update(kw)
    return run_chart_view(points, analysis, markers, **options)


def render(env, view) -> tuple[str, ET.Element]:
    html = env.from_string(
        '{% from "measures/_run_chart.html" import run_chart %}{{ run_chart(view) }}'
    ).render(view=view)
    assert_well_formed(html, "run chart")
    assert "style=" not in html  # CSP: classes only
    assert "nan" not in html.lower().replace("sign", "")  # no broken geometry
    # The fragment is also well-formed XML: every element closes.
    root = ET.fromstring(f"<root>{html}</root>")
    return html, root


def by_class(root: ET.Element, name: str) -> list[ET.Element]:
    return [e for e in root.iter() if name in (e.get("class") or "").split()]


def chart(root: ET.Element) -> ET.Element:
    """The chart itself, not the small keys drawn in its legend."""
    (svg,) = by_class(root, "run-chart__svg")
    return svg


def text_of(element: ET.Element) -> str:
    return " ".join("".join(element.itertext()).split())


# A baseline that crosses its median (30) often, then a rise: a shift above the
# median from Nov 2024, one suppressed month, and an astronomical point.
VALUES = [31, 29, 32, 28, 31, 29, 33, 27, 31, 29, 36, 38, 37, None, 40, 41, 39, 55]
MARKERS = [
    TimeMarker("sprint", "Sprint 1", date(2024, 10, 1), date(2024, 10, 14)),
    TimeMarker("sprint", "Sprint 2", date(2024, 10, 15), date(2024, 10, 28)),
    TimeMarker("release", "Kinship script", date(2024, 10, 20)),
    TimeMarker("pdsa", "Call script", date(2024, 9, 1), date(2024, 11, 30)),
    TimeMarker("pdsa", "Family meeting", date(2025, 2, 10)),
    TimeMarker("release", "Old intake form", date(2020, 1, 1)),
]


def test_the_chart_has_an_accessible_name_and_a_takeaway(env):
    view = build(chart_points(VALUES), MARKERS, astronomical={17: "One-off court backlog cleared"})
    html, root = render(env, view)
    svg = chart(root)
    assert svg.get("role") == "img"
    title_id, desc_id = svg.get("aria-labelledby").split()
    assert text_of(root.find(f".//*[@id='{title_id}']")) == (
        "Run chart of Kinship placements (higher is better)"
    )
    takeaway = (
        "Kinship placements: a shift above the median (better) from Nov 2024 and an "
        "astronomical point in Jun 2025; 17 points, median 30%"
    )
    assert view.takeaway == takeaway
    assert text_of(root.find(".//p[@id='rc-takeaway']")) == takeaway
    assert text_of(root.find(f".//*[@id='{desc_id}']")).startswith(takeaway)
    assert view.analysis.limits_text in text_of(root.find(f".//*[@id='{desc_id}']"))
    # The scrolling wrapper can be reached by keyboard and has a name.
    wrapper = by_class(root, "run-chart__scroll")[0]
    assert wrapper.get("tabindex") == "0" and wrapper.get("aria-label")


def test_the_table_has_the_same_numbers_and_says_suppressed(env):
    view = build(chart_points(VALUES), MARKERS, astronomical={17: "One-off court backlog cleared"})
    html, root = render(env, view)
    rows = root.findall(".//table[@id='rc-table']/tbody/tr")
    assert len(rows) == len(VALUES)
    for row, value, i in zip(rows, VALUES, range(len(VALUES)), strict=True):
        cells = [text_of(c) for c in row]
        assert cells[0].startswith(f"{month(i):%b %Y}")
        assert cells[1] == ("suppressed" if value is None else f"{value}%")
    suppressed = rows[13]
    assert [text_of(c) for c in suppressed][1:4] == ["suppressed", "", ""]
    assert text_of(rows[0][0]) == "Jan 2024 (baseline)"
    assert text_of(rows[10][2]) == "above the median"
    assert text_of(rows[10][3]) == "Shift"
    assert text_of(rows[17][3]) == "Shift, Astronomical point"
    # Markers listed in the periods they touch.
    assert text_of(rows[9][4]) == (
        "PDSA cycle: Call script (1 Sep 2024 to 30 Nov 2024); Sprint 1 (1 Oct 2024 to "
        "14 Oct 2024); Sprint 2 (15 Oct 2024 to 28 Oct 2024); Release: Kinship script "
        "(20 Oct 2024)"
    )
    # The suppressed point is not drawn and the line has a gap there.
    periods = [d.get("data-period") for d in by_class(chart(root), "run-chart__dot")]
    assert "Feb 2025" not in periods and len(periods) == len(VALUES) - 1
    assert len(by_class(chart(root), "run-chart__line")) == 2
    assert "Gap in the line: 1 suppressed period (small numbers)" in html
    # The signals in words and the limits under the chart.
    words = [text_of(li) for li in root.findall(".//ul[@class='run-chart__signals']/li")]
    assert words == [
        "Shift: 7 points in a row above the median (Nov 2024 to Jun 2025)",
        "Astronomical point: Jun 2025 (One-off court backlog cleared)",
    ]
    assert "14 useful observations: runs expected between" not in html  # 17 useful here
    assert f"{view.analysis.limits_text}." in html
    assert view.analysis.limits_text.startswith("17 useful observations: runs expected between")


def test_signal_points_have_their_own_shapes_and_labels(env):
    view = build(chart_points(VALUES), MARKERS, astronomical={17: "One-off court backlog cleared"})
    html, root = render(env, view)
    squares = by_class(chart(root), "run-chart__dot--square")
    diamonds = by_class(chart(root), "run-chart__dot--diamond")
    circles = chart(root).findall(".//circle[@class='run-chart__dot']")
    assert [d.get("data-period") for d in diamonds] == ["Jun 2025"]
    assert len(squares) == 6  # the 7 points of the shift, less the astronomical one
    assert len(circles) == len(VALUES) - 1 - 7
    assert all(s.tag == "path" and s.get("d").endswith("Z") for s in squares + diamonds)
    labels = [text_of(e) for e in by_class(root, "run-chart__signal-label")]
    assert labels == ["Shift", "Astronomical"]
    legend = text_of(root.find(".//figcaption"))
    assert "Square: a point in a shift or long run" in legend
    assert "Diamond: an astronomical point" in legend


def test_the_median_is_solid_over_the_baseline_and_dashed_after(env):
    view = build(chart_points(VALUES))
    html, root = render(env, view)
    medians = by_class(chart(root), "run-chart__median")
    assert len(medians) == 2 and "run-chart__median--after" in medians[1].get("class")
    assert float(medians[0].get("x2")) == float(medians[1].get("x1"))
    assert text_of(by_class(root, "run-chart__median-label")[0]) == "Median 30%"
    assert "Median 30%, over the first 10 points (the baseline, to Oct 2024)" in html
    # Over all points: one solid line.
    analysis = analyse(VALUES[:8])
    view = run_chart_view(
        chart_points(VALUES[:8]), analysis, [], title="T", unit="", direction="", chart_id="x"
    )
    html, root = render(env, view)
    assert len(by_class(chart(root), "run-chart__median")) == 1
    assert "over all 8 points" in html


def test_markers_are_drawn_and_labelled_on_the_time_axis(env):
    view = build(chart_points(VALUES), MARKERS)
    html, root = render(env, view)
    lanes = [text_of(e) for e in by_class(root, "run-chart__lane-name")]
    assert lanes == ["Sprints", "PDSA", "Releases"]
    sprints = by_class(chart(root), "run-chart__band--sprint")
    assert len(sprints) == 2
    # Two-week sprints inside a monthly period: side by side, in date order.
    assert float(sprints[0].get("x")) < float(sprints[1].get("x"))
    pdsa_band = by_class(chart(root), "run-chart__band--pdsa")
    assert len(pdsa_band) == 1 and float(pdsa_band[0].get("width")) > 2 * float(
        sprints[0].get("width")
    )
    assert len(chart(root).findall(".//path[@class='run-chart__tick']")) == 1
    releases = by_class(chart(root), "run-chart__release")
    assert len(releases) == 1  # the release before the first period is only in words
    marker_labels = [text_of(e) for e in by_class(root, "run-chart__marker-label")]
    assert "Kinship script" in marker_labels or "R1" in marker_labels
    assert any(label in ("Call script", "P1") for label in marker_labels)
    assert any(label in ("S1", "Sprint 1") for label in marker_labels)
    notes = [text_of(li) for li in root.findall(".//ul[@class='run-chart__markers']/li")]
    assert "Release: Old intake form (1 Jan 2020), outside the charted periods" in notes
    assert any(n.endswith("PDSA cycle: Family meeting (10 Feb 2025)") for n in notes)
    # The release line sits between the x of Oct 2024 and Nov 2024 by its date.
    dots = {d.get("data-period"): d for d in root.iter() if d.get("data-period")}
    oct_x = float(dots["Oct 2024"].get("cx") or view.dots[9].x)
    nov_x = view.dots[10].x
    assert oct_x - 1 < float(releases[0].get("x1")) < nov_x


def test_no_points(env):
    view = build([], MARKERS)
    html, root = render(env, view)
    assert root.find(".//svg") is None
    assert view.takeaway == "Kinship placements: no data points yet"
    assert "No points to draw yet." in html
    assert root.find(".//table") is None


def test_only_suppressed_points(env):
    view = build(chart_points([None, None, None]))
    html, root = render(env, view)
    assert root.find(".//svg") is None
    assert "3 periods suppressed" in html
    assert [text_of(r[1]) for r in root.findall(".//tbody/tr")] == ["suppressed"] * 3


@pytest.mark.parametrize(
    "values",
    [[42], [3, 5], [7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7], [0, 0, 0], [-2.5, 1.25, 0.5]],
    ids=["one", "two", "all-equal", "all-zero", "negative-and-fractions"],
)
def test_small_and_flat_series(env, values):
    view = build(chart_points(values), unit="placements")
    html, root = render(env, view)
    assert len(by_class(root, "run-chart__svg")) == 1
    assert len(view.dots) == len(values)
    ticks = [t.at for t in view.y_ticks]
    assert len(ticks) >= 2 and ticks == sorted(ticks, reverse=True)
    for dot in view.dots:
        assert view.x0 <= dot.x <= view.x1 and view.y_top <= dot.y <= view.y_bottom
    assert view.y_top <= view.median_y <= view.y_bottom
    cells = [text_of(r[1]) for r in root.findall(".//tbody/tr")]
    assert cells == [f"{v:g} placements" for v in values]


def test_two_hundred_points_thin_the_labels(env):
    values = [10 + (i % 7) + (5 if i > 120 else 0) for i in range(200)]
    points = [
        ChartPoint(date(2020, 1, 6) + timedelta(weeks=i), f"W{i + 1}", v)
        for i, v in enumerate(values)
    ]
    markers = [
        TimeMarker(
            "sprint", f"Sprint {k + 1}", points[2 * k].period_start, points[2 * k + 1].period_start
        )
        for k in range(100)
    ]
    view = build(points, markers)
    html, root = render(env, view)
    assert len(view.x_ticks) <= 9
    assert len(view.dots) == 200
    assert len(by_class(chart(root), "run-chart__band--sprint")) == 100
    assert len(root.findall(".//tbody/tr")) == 200
    # Every sprint is in words, whether or not its label fitted on the chart.
    assert len(root.findall(".//ul[@class='run-chart__markers']/li")) == 100


def test_anhoej_signals_are_drawn(env):
    values = [1, 9, 1, 9, 1, 9, 8, 9, 8, 9, 8, 9, 8, 9]
    points = chart_points(values)
    analysis = analyse(
        values, rule_set="anhoej", baseline_points=6, labels=[p.label for p in points]
    )
    view = run_chart_view(
        points, analysis, [], title="Siblings together", unit="", direction="down", chart_id="a"
    )
    html, root = render(env, view)
    assert [text_of(e) for e in by_class(root, "run-chart__signal-label")] == ["Long run"]
    assert len(by_class(chart(root), "run-chart__dot--square")) == 9
    assert "an unusually long run above the median (worse) from Jun 2024" in view.takeaway
    assert "Signals (Anhoej rules):" in html


def test_a_trend_points_the_way_it_goes(env):
    view = build(chart_points([20, 18, 16, 15, 12, 11, 13]), direction="down")
    html, root = render(env, view)
    assert len(by_class(chart(root), "run-chart__dot--triangle-down")) == 6
    assert [text_of(e) for e in by_class(root, "run-chart__signal-label")] == ["Trend"]
    assert "a trend going down from Jan 2024" in view.takeaway


def test_an_analysis_of_only_the_present_points_maps_to_the_periods(env):
    points = chart_points(VALUES)
    full = build(points, astronomical={17: "x"})
    present = build(points, only_present=True, astronomical={16: "x"})
    assert [(d.label, d.shape) for d in full.dots] == [(d.label, d.shape) for d in present.dots]
    assert [r.signals for r in full.rows] == [r.signals for r in present.rows]
    with pytest.raises(ValueError):
        run_chart_view(
            points[:5], full.analysis, [], title="T", unit="", direction="up", chart_id="z"
        )


def test_two_charts_on_one_page_have_distinct_ids(env):
    first = build(chart_points(VALUES), chart_id="measure-1")
    second = build(chart_points(VALUES[:5]), chart_id="measure-2")
    html = env.from_string(
        '{% from "measures/_run_chart.html" import run_chart %}{{ run_chart(a) }}{{ run_chart(b) }}'
    ).render(a=first, b=second)
    assert_well_formed(html, "two run charts")
    assert len(re.findall(r'role="img"', html)) == 2


@pytest.mark.parametrize(
    "low, high",
    [(0, 5e-324), (5e-324, 5e-324), (100 / 3, 100 / 3 + 7e-15), (1e-7, 1e-7), (0, 0)],
    ids=["underflowing-span", "tiny-value", "rates-1e-15-apart", "smallest-rate", "zero"],
)
def test_ticks_for_spans_too_small_to_divide(low, high):
    ticks = nice_ticks(low, high)
    assert len(ticks) >= 2 and ticks == sorted(set(ticks))
    assert ticks[0] <= low and high <= ticks[-1]


def test_values_a_few_1e_324_apart_are_drawn(env):
    view = build(chart_points([0, 5e-324, 0, 5e-324]))
    html, root = render(env, view)
    assert len(view.dots) == 4 and len(by_class(root, "run-chart__svg")) == 1


def test_a_baseline_whose_points_are_all_suppressed_has_no_median_line(env):
    # A liaison's view: the first 10 periods suppressed, 5 shown after them.
    points = chart_points([None] * 10 + [30, 31, 32, 33, 34])
    view = build(points)
    html, root = render(env, view)
    assert view.analysis.median is None and len(view.dots) == 5
    assert by_class(chart(root), "run-chart__median") == []
    assert "Every point of the baseline (the first 10 periods) is suppressed" in html
    assert view.takeaway == (
        "Kinship placements: a trend going up from Nov 2024; 5 points, "
        "no median (the baseline's points are suppressed)"
    )
    assert not any(item.key.startswith("median") for item in view.legend)


def test_a_baseline_with_suppressed_points_says_what_its_median_is_of(env):
    points = chart_points([None] * 4 + [30, 31, 29, 30, 32, 28] + [40] * 6)
    view = build(points)
    html, root = render(env, view)
    assert view.analysis.median == 30 and view.analysis.baseline_count == 6
    assert (
        "Median 30%, over the 6 points shown of the first 10 periods "
        "(the baseline, to Oct 2024) and then held there" in html
    )
    assert [r.baseline for r in view.rows] == [False] * 4 + [True] * 6 + [False] * 6
