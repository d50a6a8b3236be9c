"""Census-trend population, comparator selection and the council's position, checked by hand."""

import math

import pandas as pd
import pytest

from wcc_analysis.analysis import comparators, needs, population


def test_census_trend_estimate_2017_18():
    # Worcester: 98,768 (2011) and 103,700 (2021): 98,768 + 0.6 x 4,932 = 101,727.2
    assert population.estimate(98768, 103700, 2017) == pytest.approx(101727.2)


def test_census_trend_extends_outside_the_censuses():
    assert population.estimate(1000, 2000, 2010) == pytest.approx(900)
    assert population.estimate(1000, 2000, 2023) == pytest.approx(2200)
    assert population.estimate(1000, 2000, 2011) == 1000


def test_growth_pct():
    census = pd.DataFrame({"ons_code": ["A"], "pop_2011": [1000], "pop_2021": [1052]})
    assert population.growth_pct(census)["A"] == pytest.approx(5.2)


def _pool():
    return pd.DataFrame({
        "ons_code": ["E1", "E2", "E3", "E4", "E5"],
        "name": list("abcde"),
        "x": [1.0, 2.0, 3.0, 4.0, 10.0],
        "y": [0.0, 0.0, 0.0, 0.0, 0.0],
    })


def test_standardise_uses_population_sd_and_tolerates_constant_columns():
    z = comparators.standardise(_pool(), ["x", "y"])
    # mean 4, population sd sqrt((9+4+1+0+36)/5) = sqrt(10)
    assert z["x"].iloc[0] == pytest.approx(-3 / math.sqrt(10))
    assert (z["y"] == 0).all()


def test_nearest_by_hand():
    members = comparators.nearest(_pool(), "E1", ["x", "y"], 2)
    assert members["ons_code"].tolist() == ["E2", "E3"]
    assert members["distance"].tolist() == pytest.approx([1 / math.sqrt(10), 2 / math.sqrt(10)])
    assert members["rank"].tolist() == [1, 2]


def test_ties_broken_by_code():
    pool = pd.DataFrame({"ons_code": ["E9", "E1", "E5"], "name": list("abc"), "x": [1.0, 0.0, 1.0]})
    # distances from E1: E9 and E5 tie -> E5 first
    assert comparators.nearest(pool, "E1", ["x"], 2)["ons_code"].tolist() == ["E5", "E9"]


def test_pool_reports_who_was_left_out():
    candidates = pd.DataFrame({"ons_code": ["E1", "E2", "E3"], "name": ["a", "b", "c"]})
    sources = {
        "census": pd.DataFrame({"ons_code": ["E1", "E2"], "pop": [1.0, 2.0]}),
        "imd": pd.DataFrame({"ons_code": ["E1", "E3"], "imd": [1.0, 2.0]}),
    }
    pool, left_out = comparators.pool_with_indicators(candidates, sources)
    assert pool["ons_code"].tolist() == ["E1"]
    assert left_out.set_index("ons_code")["reason"].to_dict() == {"E2": "not in imd", "E3": "not in census"}


def test_position_by_hand():
    place = needs.position(pd.Series([10.0, 20.0, 30.0, 40.0]), 25.0)
    assert (place["q1"], place["median"], place["q3"]) == (17.5, 25.0, 32.5)
    assert (place["rank"], place["of"]) == (3, 5)
    assert place["quartile"].startswith("second")
    assert needs.position(pd.Series([10.0, 20.0]), 5.0)["rank"] == 1


def test_imd_edition_by_year():
    # IMD 2025 for years from 2025-26, and for the comparator group of the latest year when it is 2024-25 or later
    assert needs.imd_edition_for(2017) == "IMD 2019"
    assert needs.imd_edition_for(2024) == "IMD 2019"
    assert needs.imd_edition_for(2025) == "IMD 2025"
    assert needs.imd_edition_for(2024, latest=True) == "IMD 2025"
    assert needs.imd_edition_for(2023, latest=True) == "IMD 2019"


def test_geographic_group_puts_boundary_neighbours_first():
    neighbours = pd.DataFrame({
        "ons_code": ["C"] * 4,
        "neighbour_code": ["N1", "B1", "B2", "N2"],
        "relation": ["nearby", "shares_boundary", "shares_boundary", "nearby"],
        "rank": [3, 1, 2, 4],
    })
    group = comparators.geographic_group(neighbours, "C", ["N1", "B2", "N2"], 2)
    assert group["neighbour_code"].tolist() == ["B2", "N1"]
