"""Run chart mathematics: the median, runs, and the IHI and Anhoej signals.

Pure code, no database: a list of values in, a RunChartAnalysis out. The rules
are those of DESIGN.md ("Improvement science"):

- IHI (Perla, Provost and Murray 2011): shift, trend, too few or too many runs
  (exact Swed-Eisenhart runs distribution, 2.5% in each tail) and astronomical
  points flagged by a person.
- Anhoej (Anhoej and Olesen 2014): unusually long run, unusually few crossings,
  judged from any number of useful observations.

The critical values are computed exactly, in whole numbers (counts of
arrangements compared with their total, never floating point probabilities),
never copied from a printed table; they are cached by their counts, since every
list, chart and API request asks for them.

A point is on the median when it equals the median up to floating point
rounding (math.isclose): an even baseline's median (a + b) / 2 can differ in
its last bit from a value that equals it on paper.

A value of None (a suppressed or missing point) is skipped: it is neither on
nor off the median and neither breaks nor extends a run or a trend. It still
holds its place: a frozen baseline is the first N values given, None values
included, so hiding a point never moves the baseline onto later periods.
Indices in signals are always positions in the series as given.
"""

from __future__ import annotations

import functools
import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

RULE_SETS = ("ihi", "anhoej")
# IHI's too few / too many runs rule is only judged from this many useful
# observations (DESIGN.md): below it the limits are too wide to mean anything.
# The Anhoej rules have no such minimum.
MIN_USEFUL = 10
SHIFT_LENGTH = 6
TREND_LENGTH = 5
# 2.5% in each tail of the runs distribution: a tail share p > 1/40.
TAIL_PARTS = 40
# The 5th percentile of the crossings: a share p >= 1/20.
CROSSINGS_PARTS = 20
# Points on the median: equal up to rounding of the median's arithmetic.
REL_TOL = 1e-9
ABS_TOL = 1e-9

ABOVE = "above"
BELOW = "below"
ON = "median"


@dataclass(frozen=True)
class Signal:
    # "shift", "trend", "too_few_runs", "too_many_runs", "astronomical" (IHI);
    # "long_run", "few_crossings" (Anhoej)
    rule: str
    # 0-based positions (in the series given) of the points that make the
    # signal; () for the runs and crossings signals, which are about the whole chart
    indices: tuple[int, ...]
    text: str
    # "above" or "below" the median for a shift or long run, "up" or "down" for a trend
    direction: str = ""

    @property
    def name(self) -> str:
        return RULE_NAMES[self.rule]


RULE_NAMES = {
    "shift": "Shift",
    "trend": "Trend",
    "too_few_runs": "Too few runs",
    "too_many_runs": "Too many runs",
    "astronomical": "Astronomical point",
    "long_run": "Long run",
    "few_crossings": "Few crossings",
}


@dataclass(frozen=True)
class RunChartAnalysis:
    rule_set: str  # "ihi" or "anhoej"
    # None when there are no points, or when every point of a frozen baseline is
    # None (suppressed): then there is nothing to judge the other points against
    median: float | None
    baseline_count: int  # points (not None) the median was computed over
    baseline_frozen: bool  # frozen after the first N values, and there are more than N
    useful: int  # useful observations: points not on the median
    above: int
    below: int
    runs: int  # runs among useful observations (crossings + 1, or 0)
    crossings: int
    longest_run: int
    runs_lower: int | None  # IHI: expected runs between these (None under 10 useful)
    runs_upper: int | None
    longest_run_limit: int | None  # Anhoej (None without useful observations)
    min_crossings: int | None
    limits_text: str
    signals: tuple[Signal, ...]
    # Added for the chart and its table:
    series_length: int = 0  # values given, None included
    points: int = 0  # values given that are not None
    # per value given: "above", "below", "median", or None for a None value
    positions: tuple[str | None, ...] = ()
    # index of the end of the baseline in the series given: the Nth value when
    # frozen, else the last point (None without points)
    baseline_end: int | None = None
    # values given (None included) in the baseline: N when frozen
    baseline_periods: int = 0

    def signals_at(self, index: int) -> tuple[Signal, ...]:
        """The signals that include the point at this index."""
        return tuple(s for s in self.signals if index in s.indices)


# ---------------------------------------------------------------- critical values


def _combinations(n: int, upto: int) -> list[int]:
    """C(n, k) for k = 0..upto, each from the one before (0 once k > n)."""
    row = [1]
    for k in range(upto):
        row.append(row[-1] * (n - k) // (k + 1))
    return row


def _runs_ways(above: int, below: int) -> dict[int, int]:
    """How many arrangements of `above` points above and `below` points below
    the median have r runs, for every possible r (Swed and Eisenhart 1943).
    Both counts must be at least 1."""
    fewer = min(above, below)
    ways_above = _combinations(above - 1, fewer)
    ways_below = _combinations(below - 1, fewer)
    ways: dict[int, int] = {}
    for runs in range(2, 2 * fewer + 2):
        k, odd = divmod(runs, 2)
        if not odd:
            # k runs of each kind, starting with either kind
            count = 2 * ways_above[k - 1] * ways_below[k - 1]
        else:
            # k + 1 runs of one kind and k of the other
            count = ways_above[k] * ways_below[k - 1] + ways_above[k - 1] * ways_below[k]
        if count:
            ways[runs] = count
    return ways


def _check_counts(above: int, below: int) -> None:
    if above < 0 or below < 0:
        raise ValueError("counts must not be negative")


def runs_distribution(above: int, below: int) -> dict[int, Fraction]:
    """Exact P(R = r) for the number of runs R in a random arrangement of
    `above` points above and `below` points below the median (Swed and Eisenhart 1943)."""
    _check_counts(above, below)
    if above == 0 and below == 0:
        return {0: Fraction(1)}
    if above == 0 or below == 0:
        return {1: Fraction(1)}
    total = math.comb(above + below, above)
    return {runs: Fraction(count, total) for runs, count in _runs_ways(above, below).items()}


@functools.lru_cache(maxsize=4096)
def runs_limits(above: int, below: int) -> tuple[int, int]:
    """(lower, upper) number of runs expected for these counts.

    lower is the smallest r with P(R <= r) > 2.5%: fewer runs than lower is a
    signal. upper is the largest r with P(R >= r) > 2.5%: more runs than upper
    is a signal. Worked in whole numbers: P(R <= r) > 1/40 is
    40 * (arrangements with r runs or fewer) > (all arrangements).
    """
    _check_counts(above, below)
    if above == 0 and below == 0:
        return 0, 0
    if above == 0 or below == 0:
        return 1, 1
    total = math.comb(above + below, above)
    ways = _runs_ways(above, below)
    values = sorted(ways)
    lower, upper = values[0], values[-1]
    cumulative = 0
    for r in values:
        cumulative += ways[r]
        if TAIL_PARTS * cumulative > total:
            lower = r
            break
    cumulative = 0
    for r in reversed(values):
        cumulative += ways[r]
        if TAIL_PARTS * cumulative > total:
            upper = r
            break
    return lower, upper


def longest_run_limit(n: int) -> int:
    """Anhoej: the longest run expected among n useful observations, round(log2(n) + 3).

    Rounds half up; log2(n) + 3 is never exactly x.5 for a whole n, so the
    floating point logarithm is safe here.
    """
    if n < 1:
        raise ValueError("n must be at least 1")
    return math.floor(math.log2(n) + 3 + 0.5)


@functools.lru_cache(maxsize=4096)
def min_crossings(n: int) -> int:
    """Anhoej: the fewest crossings expected among n useful observations: the 5th
    percentile of Binomial(n - 1, 1/2), i.e. the smallest k with P(X <= k) >= 5%
    (as R's qbinom(0.05, n - 1, 0.5)). Worked in whole numbers: the smallest k
    with 20 * (C(n-1, 0) + ... + C(n-1, k)) >= 2^(n-1)."""
    if n < 1:
        raise ValueError("n must be at least 1")
    trials = n - 1
    total = 1 << trials
    ways = 1  # C(trials, k)
    cumulative = 0
    for k in range(trials + 1):
        cumulative += ways
        if CROSSINGS_PARTS * cumulative >= total:
            return k
        ways = ways * (trials - k) // (k + 1)
    return trials  # not reached: the cumulative count ends at the total


# ---------------------------------------------------------------- analysis


def side_of(value: float, median: float) -> str:
    """ "above", "below" or "median": on the median when equal up to rounding."""
    if math.isclose(value, median, rel_tol=REL_TOL, abs_tol=ABS_TOL):
        return ON
    return ABOVE if value > median else BELOW


def _observations(n: int) -> str:
    return f"{n} useful observation{'' if n == 1 else 's'}"


def _span(labels: Sequence[str], first: int, last: int) -> str:
    return labels[first] if first == last else f"{labels[first]} to {labels[last]}"


def _side_runs(positions: Sequence[str | None]) -> list[tuple[str, list[int]]]:
    """Runs of useful observations on one side: (side, indices). Points on the
    median and None values are skipped: they neither break nor extend a run."""
    runs: list[tuple[str, list[int]]] = []
    for i, side in enumerate(positions):
        if side not in (ABOVE, BELOW):
            continue
        if runs and runs[-1][0] == side:
            runs[-1][1].append(i)
        else:
            runs.append((side, [i]))
    return runs


def _trends(values: Sequence[float | None]) -> list[tuple[str, list[int]]]:
    """Stretches of TREND_LENGTH or more points all going up or all going down:
    (direction, indices). A value equal to the one before neither breaks nor
    extends a trend; None values are skipped."""
    # Collapse repeated values: each group is the indices of equal consecutive values.
    groups: list[list[int]] = []
    group_values: list[float] = []
    for i, value in enumerate(values):
        if value is None:
            continue
        if group_values and value == group_values[-1]:
            groups[-1].append(i)
        else:
            groups.append([i])
            group_values.append(value)
    found: list[tuple[str, list[int]]] = []
    start = 0
    while start < len(groups) - 1:
        rising = group_values[start + 1] > group_values[start]
        end = start + 1
        while end + 1 < len(groups) and (group_values[end + 1] > group_values[end]) == rising:
            end += 1
        counted = end - start + 1
        if counted >= TREND_LENGTH:
            # From the last of the first equal values to the first of the last ones:
            # that is where the counted steps happen.
            first, last = groups[start][-1], groups[end][0]
            indices = [i for i in range(first, last + 1) if values[i] is not None]
            found.append(("up" if rising else "down", indices))
        start = end  # the turning point starts the next stretch
    return found


def analyse(
    values: Sequence[float | None],
    *,
    rule_set: str = "ihi",
    baseline_points: int | None = 10,
    astronomical: Mapping[int, str] | None = None,
    labels: Sequence[str] | None = None,
) -> RunChartAnalysis:
    """The median, runs and signals of a series of values, in time order.

    baseline_points: the median is frozen over the points among the first N
    values, None values included (None: over all points; N values or fewer:
    over all of them). astronomical: index ->
    the reason a person gave for flagging that point. labels: one per value
    (e.g. "Mar 2025"), used in the texts of the signals.
    """
    if rule_set not in RULE_SETS:
        raise ValueError(f"unknown rule set {rule_set!r}")
    if baseline_points is not None and baseline_points < 1:
        raise ValueError("baseline_points must be at least 1 (or None for all points)")
    if labels is None:
        labels = [f"point {i + 1}" for i in range(len(values))]
    elif len(labels) != len(values):
        raise ValueError("labels must have one label per value")

    if any(v is not None and not math.isfinite(v) for v in values):
        raise ValueError("values must be finite numbers (or None)")
    present = [i for i, v in enumerate(values) if v is not None]
    if not present:
        return RunChartAnalysis(
            rule_set=rule_set,
            median=None,
            baseline_count=0,
            baseline_frozen=False,
            useful=0,
            above=0,
            below=0,
            runs=0,
            crossings=0,
            longest_run=0,
            runs_lower=None,
            runs_upper=None,
            longest_run_limit=None,
            min_crossings=None,
            limits_text="No data points yet: nothing to judge",
            signals=(),
            series_length=len(values),
            points=0,
            positions=tuple(None for _ in values),
            baseline_end=None,
        )

    # The baseline is the first N values given, None values included: a
    # suppressed point keeps its period in the baseline, so hiding it never
    # pulls later periods in. Its median is of the points inside it.
    frozen = baseline_points is not None and len(values) > baseline_points
    baseline = [i for i in present if i < baseline_points] if frozen else present
    baseline_periods = baseline_points if frozen else len(values)
    median = float(statistics.median(values[i] for i in baseline)) if baseline else None

    positions: list[str | None] = [
        None if value is None or median is None else side_of(value, median) for value in values
    ]
    above = positions.count(ABOVE)
    below = positions.count(BELOW)
    useful = above + below
    side_runs = _side_runs(positions)
    runs = len(side_runs)
    crossings = max(runs - 1, 0)
    longest = max((len(indices) for _, indices in side_runs), default=0)

    runs_lower = runs_upper = None
    run_limit = crossings_limit = None
    signals: list[Signal] = []

    if rule_set == "ihi":
        judged = useful >= MIN_USEFUL
        if judged:
            runs_lower, runs_upper = runs_limits(above, below)
            limits_text = (
                f"{_observations(useful)}: runs expected between {runs_lower} and {runs_upper}"
            )
        else:
            limits_text = f"{_observations(useful)}: too few to judge runs ({MIN_USEFUL} needed)"
        for side, indices in side_runs:
            if len(indices) >= SHIFT_LENGTH:
                signals.append(
                    Signal(
                        "shift",
                        tuple(indices),
                        f"Shift: {len(indices)} points in a row {side} the median "
                        f"({_span(labels, indices[0], indices[-1])})",
                        side,
                    )
                )
        for direction, indices in _trends(values):
            counted = 1 + sum(
                1 for a, b in zip(indices, indices[1:], strict=False) if values[a] != values[b]
            )
            signals.append(
                Signal(
                    "trend",
                    tuple(indices),
                    f"Trend: {counted} points in a row going {direction} "
                    f"({_span(labels, indices[0], indices[-1])})",
                    direction,
                )
            )
        if judged and runs < runs_lower:
            signals.append(
                Signal(
                    "too_few_runs",
                    (),
                    f"Too few runs: {runs} run{'' if runs == 1 else 's'} where at least "
                    f"{runs_lower} are expected ({_observations(useful)})",
                )
            )
        if judged and runs > runs_upper:
            signals.append(
                Signal(
                    "too_many_runs",
                    (),
                    f"Too many runs: {runs} runs where at most {runs_upper} are expected "
                    f"({_observations(useful)})",
                )
            )
        for index in sorted(astronomical or {}):
            if 0 <= index < len(values) and values[index] is not None:
                reason = (astronomical or {})[index].strip()
                text = f"Astronomical point: {labels[index]}"
                signals.append(
                    Signal("astronomical", (index,), f"{text} ({reason})" if reason else text)
                )
    elif useful:
        # The Anhoej rules hold for any number of useful observations.
        run_limit = longest_run_limit(useful)
        crossings_limit = min_crossings(useful)
        limits_text = (
            f"{_observations(useful)}: longest run expected at most {run_limit}, "
            f"crossings at least {crossings_limit}"
        )
        for side, indices in side_runs:
            if len(indices) > run_limit:
                signals.append(
                    Signal(
                        "long_run",
                        tuple(indices),
                        f"Long run: {len(indices)} points in a row {side} the median "
                        f"({_span(labels, indices[0], indices[-1])}), where at most "
                        f"{run_limit} are expected",
                        side,
                    )
                )
        if crossings < crossings_limit:
            signals.append(
                Signal(
                    "few_crossings",
                    (),
                    f"Few crossings: the points cross the median {crossings} "
                    f"time{'' if crossings == 1 else 's'} where at least "
                    f"{crossings_limit} {'is' if crossings_limit == 1 else 'are'} expected "
                    f"({_observations(useful)})",
                )
            )
    else:
        limits_text = (
            f"{_observations(useful)}: every point is on the median, no runs or crossings to judge"
        )
    if median is None:
        limits_text = (
            f"Every point of the baseline (the first {baseline_periods} periods) is "
            "suppressed: there is no median to judge the other points against"
        )

    return RunChartAnalysis(
        rule_set=rule_set,
        median=median,
        baseline_count=len(baseline),
        baseline_frozen=frozen,
        useful=useful,
        above=above,
        below=below,
        runs=runs,
        crossings=crossings,
        longest_run=longest,
        runs_lower=runs_lower,
        runs_upper=runs_upper,
        longest_run_limit=run_limit,
        min_crossings=crossings_limit,
        limits_text=limits_text,
        signals=tuple(signals),
        series_length=len(values),
        points=len(present),
        positions=tuple(positions),
        baseline_end=baseline_periods - 1 if frozen else baseline[-1],
        baseline_periods=baseline_periods,
    )
