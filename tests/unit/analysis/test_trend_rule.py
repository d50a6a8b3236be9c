"""The trend word (analysis.common.TREND_RULES): a least-squares line through the last periods, never the last two
points alone; checked by hand."""

import pandas as pd
import pytest

from wcc_analysis.analysis import benchmarks
from wcc_analysis.analysis.common import TREND_RULES, TrendFacts, least_squares_slope, series_trend


def test_least_squares_slope_by_hand():
    # y = 48, 55, 71, 52 on x = 0..3: Σ(x − 1.5)(y − 56.5) = 14, Σ(x − 1.5)² = 5 → 2.8
    assert least_squares_slope([48, 55, 71, 52]) == pytest.approx(2.8)
    assert least_squares_slope([1.0, 3.0], x=[2020, 2022]) == pytest.approx(1.0)
    with pytest.raises(ValueError):
        least_squares_slope([1.0])


def test_kpi_trend_missed_bins_lower_is_better_on_the_values():
    # on the values themselves (relative to their average 56.5): +2.8 / 56.5 = +4.96 % a quarter more missed bins;
    # lower is better, so −4.96 % → worsening; the last two points alone (71 → 52) would have said "improving"
    trend = series_trend([48, 55, 71, 52], polarity="lower_is_better", relative_to_level=True)
    assert trend.word == "worsening" and trend.slope == pytest.approx(-2.8 / 56.5) and trend.periods == 4


@pytest.mark.parametrize(
    "slope, expected",
    [(0.0101, "improving"), (0.01, "stable"), (0.0, "stable"), (-0.01, "stable"), (-0.0101, "worsening"),
     (None, "one period only")],
)
def test_kpi_trend_tolerance_boundaries(slope, expected):
    # the tolerance is ±1 % a period: exactly 1 % is still stable
    assert TREND_RULES.decide(TrendFacts(4 if slope is not None else 1, slope)) == expected


def test_kpi_trend_window_and_gaps():
    # only the last four periods count; a missing value inside them is left out, not read as 0
    assert series_trend([100.0, 0.0, 0.02, 0.02, 0.02, 0.02]).word == "stable"
    assert series_trend([0.0, float("nan"), 0.05], periods=4).slope == pytest.approx(0.025)
    assert series_trend([0.1]).word == "one period only" and series_trend([]).word == "one period only"


def test_measure_five_year_trend_worcester_recycling_by_hand():
    # DEFRA household recycling rate, Worcester 2018-19 … 2022-23: 0.366, 0.366, 0.353, 0.363, 0.350 (earlier years
    # are outside the five-year window). x = 2018 … 2022 (x̄ = 2020), ȳ = 0.3596: Σ(x−x̄)(y−ȳ) = −2(0.0064) − 1(0.0064)
    # + 0 + 1(0.0034) + 2(−0.0096) = −0.035; Σ(x−x̄)² = 10 → −0.0035 a year = −0.973 % of the average a year, within
    # ±1 % → stable
    trend = pd.DataFrame({"year": ["2016-17", "2017-18", "2018-19", "2019-20", "2020-21", "2021-22", "2022-23"],
                          "council": [0.367, 0.357, 0.366, 0.366, 0.353, 0.363, 0.350]})
    reading = benchmarks.five_year_trend(trend, "higher_is_better")
    assert reading.periods == 5 and reading.word == "stable"
    assert reading.slope == pytest.approx(-0.0035 / 0.3596, abs=1e-9)
    assert reading.slope_pct == pytest.approx(-0.9733, abs=1e-4)
    # fly-tipping incidents per 1,000 rising 2.0 → 3.0 over five years (lower is better): slope +0.25 a year on an
    # average of 2.5 = +10 % → worsening; a year missing from the series is a gap, not a zero
    fly = pd.DataFrame({"year": ["2018-19", "2019-20", "2020-21", "2021-22", "2022-23"],
                        "council": [2.0, 2.25, float("nan"), 2.75, 3.0]})
    reading = benchmarks.five_year_trend(fly, "lower_is_better")
    assert reading.word == "worsening" and reading.periods == 4 and reading.slope == pytest.approx(-0.25 / 2.5)
    assert benchmarks.five_year_trend(None, "higher_is_better") is None
