"""Population for a financial year from the two censuses (the census-trend method).

The estimate for financial year YYYY-YY is the straight line through the
Census 2011 and Census 2021 counts, evaluated at YYYY: interpolation for
2011–2021 and the same line extended outside it. For example 2017-18 gives
2011 count + 0.6 × (2021 count − 2011 count). ONS mid-year estimates are not in
the shipped data; every chart and table using this estimate says so.
"""

from __future__ import annotations

import pandas as pd

CENSUS_YEARS = (2011, 2021)
METHOD_NOTE = (
    "Population: census-trend estimate — the straight line through the Census 2011 and "
    "Census 2021 counts (ONS) evaluated at the start year of the financial year "
    "(interpolated for 2011–2021, extended outside it); not an ONS mid-year estimate."
)


def estimate(pop_2011: float | pd.Series, pop_2021: float | pd.Series, year_start: int | pd.Series):
    """Census-trend population for the financial year starting in ``year_start``."""
    fraction = (year_start - CENSUS_YEARS[0]) / (CENSUS_YEARS[1] - CENSUS_YEARS[0])
    return pop_2011 + fraction * (pop_2021 - pop_2011)


def for_year(census: pd.DataFrame, year_start: int) -> pd.DataFrame:
    """``ons_code, population`` for every district in ``census`` (pop_2011, pop_2021)."""
    return pd.DataFrame(
        {
            "ons_code": census["ons_code"].to_numpy(),
            "population": estimate(census["pop_2011"], census["pop_2021"], year_start).to_numpy(float),
        }
    )


def growth_pct(census: pd.DataFrame) -> pd.Series:
    """Percentage change in population between the 2011 and 2021 censuses, by ONS code."""
    values = (census["pop_2021"] / census["pop_2011"] - 1.0) * 100.0
    return pd.Series(values.to_numpy(float), index=census["ons_code"].to_numpy(), name="population_growth_pct")
