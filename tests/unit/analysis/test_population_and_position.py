"""Census-trend population, the council's position and the IMD edition rule, checked by hand."""

import pandas as pd
import pytest

from wcc_analysis.analysis import needs, population


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
