"""Run chart rules on hand-made series where the right answer is known, and the
critical values checked against values worked out independently (by brute
force over every arrangement, or by hand)."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import pytest

from backend.measures.runchart import (
    analyse,
    longest_run_limit,
    min_crossings,
    runs_distribution,
    runs_limits,
    side_of,
)

MONTHS = [
    f"{m} {y}"
    for y in (2024, 2025, 2026)
    for m in "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
]
# Ten baseline points that cross the median often: median 10, five above, five
# below, ending below.
BASELINE = [11, 9, 12, 8, 11, 9, 12, 8, 11, 9]


def rules(analysis) -> list[str]:
    return [s.rule for s in analysis.signals]


def only(analysis, rule):
    found = [s for s in analysis.signals if s.rule == rule]
    assert len(found) == 1, analysis.signals
    return found[0]


# ---------------------------------------------------------------- critical values


def brute_force_runs(above: int, below: int) -> dict[int, Fraction]:
    """P(R = r) by listing every arrangement of the points above and below."""
    n = above + below
    counts: dict[int, int] = {}
    arrangements = 0
    for places in itertools.combinations(range(n), above):
        sides = [i in places for i in range(n)]
        runs = 1 + sum(1 for a, b in zip(sides, sides[1:], strict=False) if a != b)
        counts[runs] = counts.get(runs, 0) + 1
        arrangements += 1
    return {r: Fraction(c, arrangements) for r, c in counts.items()}


def limits_from(dist: dict[int, Fraction]) -> tuple[int, int]:
    tail = Fraction(1, 40)
    lower = min(r for r in dist if sum(p for k, p in dist.items() if k <= r) > tail)
    upper = max(r for r in dist if sum(p for k, p in dist.items() if k >= r) > tail)
    return lower, upper


@pytest.mark.parametrize("above", range(1, 10))
@pytest.mark.parametrize("below", range(1, 10))
def test_runs_distribution_matches_every_arrangement(above, below):
    expected = brute_force_runs(above, below)
    assert runs_distribution(above, below) == expected
    assert runs_limits(above, below) == limits_from(expected)


def test_runs_limits_worked_by_hand():
    # 7 and 7 of C(14, 7) = 3432 arrangements: 2 have 2 runs, 12 have 3, 72 have 4,
    # so P(R <= 3) = 14/3432 (under 2.5%) and P(R <= 4) = 86/3432 (over): lower 4.
    # The distribution is symmetric for equal counts: upper 16 - 4 = 12.
    assert runs_distribution(7, 7)[2] == Fraction(2, 3432)
    assert runs_distribution(7, 7)[3] == Fraction(12, 3432)
    assert runs_distribution(7, 7)[4] == Fraction(72, 3432)
    assert runs_limits(7, 7) == (4, 12)
    # 5 and 5 of 252: P(R <= 2) = 2/252, P(R <= 3) = 10/252 > 2.5%: lower 3, upper 9.
    assert runs_limits(5, 5) == (3, 9)
    # Published IHI table (Perla, Provost and Murray 2011) for 10, 14, 16 and 18
    # useful observations split evenly.
    assert runs_limits(8, 8) == (5, 13)
    assert runs_limits(9, 9) == (6, 14)
    # Swed and Eisenhart's table for 10 and 10: 6 runs or fewer, or 16 or more, is
    # significant (P(R <= 6) = 0.019); i.e. expected between 7 and 15.
    assert runs_limits(10, 10) == (7, 15)
    assert float(sum(p for r, p in runs_distribution(10, 10).items() if r <= 6)) == pytest.approx(
        0.0185, abs=5e-4
    )


def test_runs_limits_with_one_side_empty():
    assert runs_distribution(12, 0) == {1: 1}
    assert runs_limits(12, 0) == (1, 1)
    assert runs_limits(0, 3) == (1, 1)
    assert runs_limits(0, 0) == (0, 0)


def test_runs_distribution_sums_to_one_for_large_counts():
    assert sum(runs_distribution(60, 45).values()) == 1


def test_longest_run_limit():
    assert longest_run_limit(10) == 6
    assert longest_run_limit(14) == 7
    assert longest_run_limit(20) == 7
    assert longest_run_limit(1) == 3
    assert longest_run_limit(45) == 8  # log2(45) + 3 = 8.49
    assert longest_run_limit(46) == 9  # 8.52
    # round(x + 3) half up is L exactly when L - 3.5 <= log2(n) < L - 2.5, i.e.
    # 2^(2L - 7) <= n^2 < 2^(2L - 5): checked in whole numbers, no logarithms.
    for n in range(1, 2000):
        limit = longest_run_limit(n)
        assert 2 ** (2 * limit - 7) <= n * n < 2 ** (2 * limit - 5), n
    with pytest.raises(ValueError):
        longest_run_limit(0)


def test_min_crossings():
    # Anhoej and Olesen 2014, table 1 (5th percentile of Binomial(n - 1, 1/2)).
    published = {10: 2, 11: 2, 12: 3, 13: 3, 14: 4, 15: 4, 16: 4, 17: 5, 18: 5, 19: 6, 20: 6}
    assert {n: min_crossings(n) for n in published} == published
    assert min_crossings(1) == 0
    with pytest.raises(ValueError):
        min_crossings(0)


@pytest.mark.parametrize("n", range(2, 16))
def test_min_crossings_by_counting_sequences(n):
    # Every sequence of n sides is equally likely; count those with at most k crossings.
    sequences = list(itertools.product((0, 1), repeat=n))
    crossings = [sum(1 for a, b in zip(s, s[1:], strict=False) if a != b) for s in sequences]
    k = 0
    while sum(1 for c in crossings if c <= k) * 20 < len(sequences):  # share under 5%
        k += 1
    assert min_crossings(n) == k


# ---------------------------------------------------------------- IHI rules


def test_a_clear_shift():
    values = BASELINE + [14, 15, 13, 16, 14, 15, 13]
    a = analyse(values, labels=MONTHS[: len(values)])
    assert a.median == 10
    assert a.baseline_frozen and a.baseline_count == 10
    shift = only(a, "shift")
    assert shift.indices == tuple(range(10, 17))
    assert shift.text == "Shift: 7 points in a row above the median (Nov 2024 to May 2025)"
    assert shift.direction == "above" and shift.name == "Shift"


def test_five_points_on_one_side_is_not_a_shift_six_are():
    # (a point above first, so the run does not join the last baseline point)
    five = analyse(BASELINE + [12, 7, 6, 8, 7, 6, 12])
    assert "shift" not in rules(five)
    six = analyse(BASELINE + [12, 7, 6, 8, 7, 6, 8])
    assert only(six, "shift").indices == tuple(range(11, 17))
    assert "below the median" in only(six, "shift").text


def test_points_on_the_median_neither_break_nor_extend_a_shift():
    # 3 above, 2 on the median, 3 above: a shift of 6, without the median points.
    values = BASELINE + [13, 14, 13, 10, 10, 14, 13, 15]
    a = analyse(values)
    assert only(a, "shift").indices == (10, 11, 12, 15, 16, 17)
    assert only(a, "shift").text.startswith("Shift: 6 points in a row above")
    # 3 above, 2 on the median, 2 above: only 5 useful points in the run.
    assert "shift" not in rules(analyse(BASELINE + [13, 14, 13, 10, 10, 14, 13]))


def test_a_trend_going_up_and_one_going_down():
    up = analyse([5, 6, 7, 8, 9], baseline_points=None)
    assert only(up, "trend").indices == (0, 1, 2, 3, 4)
    assert only(up, "trend").text == "Trend: 5 points in a row going up (point 1 to point 5)"
    assert "trend" not in rules(analyse([5, 6, 7, 8]))
    down = analyse([9, 5, 9, 8, 7, 6, 5, 6])
    assert only(down, "trend").indices == (2, 3, 4, 5, 6)
    assert "going down" in only(down, "trend").text
    assert only(down, "trend").direction == "down" and only(up, "trend").direction == "up"


def test_a_repeated_value_neither_breaks_nor_extends_a_trend():
    # 1 2 3 3 4 5: five points going up, the repeated 3 inside the stretch.
    a = analyse([1, 2, 3, 3, 4, 5])
    assert only(a, "trend").indices == (0, 1, 2, 3, 4, 5)
    assert only(a, "trend").text.startswith("Trend: 5 points in a row going up")
    # 1 2 2 3 3 4: only four different steps, not a trend.
    assert "trend" not in rules(analyse([1, 2, 2, 3, 3, 4]))


def test_a_turning_point_belongs_to_both_trends():
    a = analyse([1, 2, 3, 4, 5, 4, 3, 2, 1])
    trends = [s.indices for s in a.signals if s.rule == "trend"]
    assert trends == [(0, 1, 2, 3, 4), (4, 5, 6, 7, 8)]


def test_too_few_runs():
    # 7 below then 7 above: 14 useful observations, 2 runs where 4 to 12 are expected.
    values = [1, 2, 1, 2, 1, 2, 1, 8, 9, 8, 9, 8, 9, 8]
    a = analyse(values, baseline_points=None)
    assert (a.useful, a.above, a.below) == (14, 7, 7)
    assert (a.runs, a.crossings, a.longest_run) == (2, 1, 7)
    assert (a.runs_lower, a.runs_upper) == (4, 12)
    assert a.limits_text == "14 useful observations: runs expected between 4 and 12"
    signal = only(a, "too_few_runs")
    assert signal.indices == ()
    assert signal.text == (
        "Too few runs: 2 runs where at least 4 are expected (14 useful observations)"
    )


def test_too_many_runs():
    # Alternating above and below: 14 runs where at most 12 are expected.
    values = [1, 9] * 7
    a = analyse(values, baseline_points=None)
    assert a.runs == 14 and a.crossings == 13
    assert rules(a) == ["too_many_runs"]
    assert "14 runs where at most 12 are expected" in a.signals[0].text


def test_fewer_than_ten_useful_observations_do_not_judge_runs():
    a = analyse([1, 9] * 4 + [5])  # median 5: 8 useful, one on the median
    assert a.useful == 8
    assert a.runs_lower is None and a.runs_upper is None
    assert a.limits_text == "8 useful observations: too few to judge runs (10 needed)"
    assert "too_many_runs" not in rules(a)
    one = analyse([1, 3, 2])
    assert one.limits_text == "2 useful observations: too few to judge runs (10 needed)"


def test_ties_with_the_median_are_not_useful_observations():
    # Median 5; the three 5s are neither above nor below and do not split runs.
    values = [5, 3, 5, 4, 6, 5, 7, 2, 8, 1]
    a = analyse(values)
    assert a.median == 5
    assert (a.useful, a.above, a.below) == (7, 3, 4)
    assert a.positions[0] == "median"
    # below below | above | below... : runs among 3 4 6 7 2 8 1 = B B A A B A B
    assert a.runs == 5 and a.crossings == 4 and a.longest_run == 2


def test_all_equal_values():
    a = analyse([4.0] * 15)
    assert a.median == 4.0
    assert (a.useful, a.runs, a.crossings, a.longest_run) == (0, 0, 0, 0)
    assert a.signals == ()
    assert a.limits_text == "0 useful observations: too few to judge runs (10 needed)"
    anhoej = analyse([4.0] * 15, rule_set="anhoej")
    assert anhoej.longest_run_limit is None and anhoej.min_crossings is None
    assert anhoej.signals == ()


def test_frozen_baseline_against_all_points():
    values = BASELINE + [20, 21, 22, 20, 21, 22, 20, 21, 22, 20]
    frozen = analyse(values)  # default: first 10 points
    assert frozen.median == 10 and frozen.baseline_frozen and frozen.baseline_count == 10
    assert frozen.baseline_end == 9
    assert "shift" in rules(frozen)
    everything = analyse(values, baseline_points=None)
    assert everything.median == 16  # the 10th and 11th of the sorted 20: 12 and 20
    assert not everything.baseline_frozen and everything.baseline_count == 20
    short = analyse(values[:8], baseline_points=10)  # fewer points than the baseline: all of them
    assert not short.baseline_frozen and short.baseline_count == 8
    exact = analyse(values[:10], baseline_points=10)  # exactly N: not frozen, nothing after it
    assert not exact.baseline_frozen
    assert analyse(values, baseline_points=4).median == 10


def test_astronomical_points_with_their_reason():
    values = BASELINE + [30]
    a = analyse(
        values,
        labels=MONTHS[:11],
        astronomical={10: "Court backlog cleared in one month", 99: "not a point"},
    )
    signal = only(a, "astronomical")
    assert signal.indices == (10,)
    assert signal.text == "Astronomical point: Nov 2024 (Court backlog cleared in one month)"
    # The Anhoej rules have no astronomical point.
    assert "astronomical" not in rules(analyse(values, rule_set="anhoej", astronomical={10: "x"}))


def test_suppressed_values_are_skipped():
    values = [*BASELINE, 14, None, 15, 13, 16, 14, 15]
    a = analyse(values)
    assert a.points == 16 and a.series_length == 17 and a.positions[11] is None
    assert only(a, "shift").indices == (10, 12, 13, 14, 15, 16)
    assert analyse([None, None]).median is None


def test_no_one_and_two_points():
    empty = analyse([])
    assert empty.median is None and empty.signals == () and empty.runs == 0
    assert empty.limits_text == "No data points yet: nothing to judge"
    one = analyse([7])
    assert one.median == 7 and one.useful == 0 and one.signals == ()
    two = analyse([7, 9])
    assert two.median == 8 and (two.above, two.below, two.runs) == (1, 1, 2)


def test_bad_arguments():
    with pytest.raises(ValueError):
        analyse([1, 2], rule_set="shewhart")
    with pytest.raises(ValueError):
        analyse([1, 2], labels=["Jan"])
    with pytest.raises(ValueError):
        analyse([1, 2], baseline_points=0)
    with pytest.raises(ValueError):
        analyse([1, float("nan")])


# ---------------------------------------------------------------- Anhoej rules


def test_anhoej_long_run():
    # Median 5 over the first 6 points; 14 useful observations, the last 9 above:
    # a run longer than 7 is unusually long.
    values = [1, 9, 1, 9, 1, 9, 8, 9, 8, 9, 8, 9, 8, 9]
    a = analyse(values, rule_set="anhoej", baseline_points=6, labels=MONTHS[:14])
    assert a.median == 5 and a.useful == 14
    assert (a.longest_run_limit, a.min_crossings) == (7, 4)
    assert (
        a.limits_text
        == "14 useful observations: longest run expected at most 7, crossings at least 4"
    )
    assert a.longest_run == 9
    signal = only(a, "long_run")
    assert signal.indices == tuple(range(5, 14)) and signal.direction == "above"
    assert signal.text == (
        "Long run: 9 points in a row above the median (Jun 2024 to Feb 2025), "
        "where at most 7 are expected"
    )
    # 7 in a row is not too long for 14.
    ok = analyse([1, 9, 1, 9, 1, 9, 1, 9, 8, 9, 8, 9, 8, 9], rule_set="anhoej", baseline_points=6)
    assert ok.longest_run == 7 and "long_run" not in rules(ok)


def test_anhoej_few_crossings():
    # 14 useful: 3 crossings where at least 4 are expected, no run longer than 7.
    values = [1, 2, 1, 2, 1, 9, 8, 9, 8, 9, 8, 2, 1, 9]
    a = analyse(values, rule_set="anhoej", baseline_points=None)
    assert a.crossings == 3 and a.longest_run == 6
    assert rules(a) == ["few_crossings"]
    assert a.signals[0].indices == ()
    assert a.signals[0].text == (
        "Few crossings: the points cross the median 3 times where at least 4 are expected "
        "(14 useful observations)"
    )
    # Exactly the 4 crossings expected: no signal.
    four = analyse(
        [1, 2, 1, 9, 8, 9, 8, 2, 1, 2, 9, 8, 9, 1], rule_set="anhoej", baseline_points=None
    )
    assert four.crossings == 4 and four.signals == ()


def test_anhoej_rules_hold_under_ten_useful_observations():
    # DESIGN.md sets a 10-observation minimum only for IHI's runs rule. Median 5
    # over the first 2 points, then 7 above: 9 useful observations, a run of 8
    # where at most 6 are expected, 1 crossing where at least 2 are.
    a = analyse([1, 9, 8, 9, 8, 9, 8, 9, 8], rule_set="anhoej", baseline_points=2)
    assert a.useful == 9 and a.longest_run == 8 and a.crossings == 1
    assert (a.longest_run_limit, a.min_crossings) == (6, 2)
    assert rules(a) == ["long_run", "few_crossings"]
    assert a.limits_text == (
        "9 useful observations: longest run expected at most 6, crossings at least 2"
    )
    # Ten points on the median, then eight above: 8 useful observations.
    b = analyse([1] * 10 + [2] * 8, rule_set="anhoej")
    assert (b.median, b.useful, b.longest_run, b.crossings) == (1, 8, 8, 0)
    assert (b.longest_run_limit, b.min_crossings) == (6, 1)
    assert rules(b) == ["long_run", "few_crossings"]
    assert only(b, "long_run").indices == tuple(range(10, 18))
    assert only(b, "few_crossings").text == (
        "Few crossings: the points cross the median 0 times where at least 1 is expected "
        "(8 useful observations)"
    )
    # A single useful observation is judged too (and is no signal).
    c = analyse([3, 3, 3, 4], rule_set="anhoej", baseline_points=None)
    assert (c.useful, c.longest_run_limit, c.min_crossings, c.signals) == (1, 3, 0, ())
    assert c.limits_text == (
        "1 useful observation: longest run expected at most 3, crossings at least 0"
    )
    # Without useful observations there is nothing to judge.
    d = analyse([4.0] * 5, rule_set="anhoej")
    assert d.signals == () and d.longest_run_limit is None
    assert d.limits_text == (
        "0 useful observations: every point is on the median, no runs or crossings to judge"
    )
    # IHI shifts and trends are not part of the Anhoej rules.
    assert analyse(BASELINE + [14] * 8, rule_set="anhoej").signals[0].rule == "long_run"


def test_a_value_equal_to_an_even_median_on_paper_is_on_the_median():
    # (17.2 + 17.4) / 2 is 17.299999999999997 in floating point, not 17.3: the six
    # 17.3s are on the median all the same, not a shift above it.
    values = [10, 11, 12, 13, 17.2, 17.4, 20, 21, 22, 23] + [17.3] * 6
    a = analyse(values)
    assert a.median == pytest.approx(17.3)
    assert a.positions[10:] == ("median",) * 6
    assert (a.above, a.below) == (5, 5)
    assert "shift" not in rules(a)
    anhoej = analyse(values, rule_set="anhoej")
    assert anhoej.positions[10:] == ("median",) * 6 and anhoej.longest_run == 5
    # A value that really differs is still above or below, however close.
    assert analyse([1, 2, 1.5000001], baseline_points=2).positions[2] == "above"
    assert side_of(17.3, (17.2 + 17.4) / 2) == "median"
    assert side_of(0.0, 1e-12) == "median" and side_of(1e-6, 0.0) == "above"


def test_a_frozen_baseline_keeps_its_periods_when_points_are_hidden():
    # The first 3 of 10 baseline periods hidden (None): the baseline is still the
    # first 10 values, and its median that of the 7 points shown among them;
    # it does not take in the later, higher points.
    values = [None, None, None, 19, 20, 21, 20, 22, 21, 19] + [30] * 8
    a = analyse(values)
    assert a.baseline_frozen and a.baseline_periods == 10 and a.baseline_count == 7
    assert a.median == 20 and a.baseline_end == 9
    assert only(a, "shift").indices == tuple(range(10, 18))
    # Every baseline period hidden: no median to judge the later points against.
    hidden = analyse([None] * 10 + [30, 31, 32, 33, 34])
    assert hidden.median is None and hidden.useful == 0
    assert hidden.baseline_frozen and hidden.baseline_count == 0 and hidden.points == 5
    assert hidden.positions == (None,) * 15
    assert hidden.limits_text == (
        "Every point of the baseline (the first 10 periods) is suppressed: "
        "there is no median to judge the other points against"
    )
    assert rules(hidden) == ["trend"]  # a trend needs no median


def test_integer_limits_agree_with_the_exact_distribution_for_larger_counts():
    for above, below in ((60, 45), (100, 100), (150, 90), (37, 250)):
        assert runs_limits(above, below) == limits_from(runs_distribution(above, below))
    for n in (30, 100, 257, 1000):
        binomial = [Fraction(math.comb(n - 1, k), 2 ** (n - 1)) for k in range(n)]
        k = 0
        while sum(binomial[: k + 1]) < Fraction(1, 20):
            k += 1
        assert min_crossings(n) == k


def test_runs_equal_crossings_plus_one():
    values = [3, 7, 5, 1, 9, 9, 2, 5, 8, 8, 1, 4]
    a = analyse(values, baseline_points=None)
    assert a.runs == a.crossings + 1
    assert math.isclose(a.median, 5.0)
