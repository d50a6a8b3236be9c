"""Population for a financial year: the ONS mid-year estimate, or the census-trend estimate where there is none.

Rule (stated in every report that divides by population): financial year
YYYY-YY uses the ONS mid-year estimate for mid-YYYY (the ``mid_year_population``
table, mid-2011 … mid-2024, on 2023 local-authority boundaries). Where that
estimate does not exist — districts abolished in the 2019–2023 reorganisations,
which are in the outturn pools up to their last year, and any year before
mid-2011 or after the latest estimate — the census-trend estimate is the
documented fallback: the straight line through the Census 2011 and Census 2021
counts evaluated at YYYY (2017-18 gives the 2011 count + 0.6 × the change to
2021). Every value carries the method that produced it (``population_method``).
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

CENSUS_YEARS = (2011, 2021)
MID_YEAR = "ONS mid-year estimate"
CENSUS_TREND = "census-trend estimate"
METHOD_NOTE = (
    "Population: ONS mid-year estimate for mid-YYYY for financial year YYYY-YY (2023 local-authority boundaries); "
    "where none exists (districts abolished in the 2019–2023 reorganisations, or years outside mid-2011 to the "
    "latest estimate) the census-trend estimate — the straight line through the Census 2011 and 2021 counts at "
    "YYYY — is used and marked."
)


def estimate(pop_2011: float | pd.Series, pop_2021: float | pd.Series, year_start: int | pd.Series):
    """Census-trend population for the financial year starting in ``year_start``."""
    fraction = (year_start - CENSUS_YEARS[0]) / (CENSUS_YEARS[1] - CENSUS_YEARS[0])
    return pop_2011 + fraction * (pop_2021 - pop_2011)


def for_year(census: pd.DataFrame, year_start: int) -> pd.DataFrame:
    """``ons_code, population`` by the census-trend method for every district in ``census`` (pop_2011, pop_2021)."""
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


def by_year(mid_year: pd.DataFrame, census: pd.DataFrame, years: Iterable[int]) -> pd.DataFrame:
    """Population of every authority for each financial year starting in ``years``, by the rule above.

    ``mid_year``: ``ons_code, year, population`` (the mid-year table; ``year`` is the mid-year);
    ``census``: ``ons_code, pop_2011, pop_2021``. Returns ``ons_code, year_start, population,
    population_method`` — one row per authority in either source and year; an authority in neither
    for a year has no row.
    """
    wanted = sorted({int(y) for y in years})
    estimates = mid_year[["ons_code", "year", "population"]].rename(columns={"year": "year_start"})
    estimates = estimates[estimates["year_start"].isin(wanted)].assign(
        population=lambda f: f["population"].astype(float),
        population_method=lambda f: MID_YEAR + " mid-" + f["year_start"].astype(str),
    )
    trend = pd.concat([for_year(census, y).assign(year_start=y) for y in wanted], ignore_index=True) if wanted else (
        pd.DataFrame(columns=["ons_code", "population", "year_start"]))
    trend = trend.assign(population_method=CENSUS_TREND + " (no ONS mid-year estimate for this authority and year)")
    have = pd.MultiIndex.from_frame(estimates[["ons_code", "year_start"]])
    fallback = trend[~pd.MultiIndex.from_frame(trend[["ons_code", "year_start"]]).isin(have)]
    table = pd.concat([estimates, fallback[estimates.columns]], ignore_index=True)
    table = table[table["population"] > 0]
    return table.sort_values(["year_start", "ons_code"], ignore_index=True)


def method_of(methods: Iterable[str]) -> str:
    """One phrase for the methods behind a set of figures: "ONS mid-year estimate mid-2024", or which were mixed."""
    distinct = sorted(set(methods))
    if len(distinct) == 1:
        return distinct[0]
    fallback = [m for m in distinct if m.startswith(CENSUS_TREND)]
    main = [m for m in distinct if not m.startswith(CENSUS_TREND)]
    if fallback and main:
        return f"{', '.join(main)}; {CENSUS_TREND} for authorities without one"
    return "; ".join(distinct)


class PerHeadDistribution:
    """For results holding ``distribution``: one row per authority with ``is_council`` and ``population_method``."""

    distribution: pd.DataFrame

    @property
    def council_row(self) -> pd.Series:
        """The council's own row of the distribution."""
        return self.distribution[self.distribution["is_council"]].iloc[0]

    @property
    def population_method(self) -> str:
        """How the per-head figures were made (mid-year estimates, or with the census-trend fallback)."""
        return method_of(self.distribution["population_method"])
