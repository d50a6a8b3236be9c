"""The characteristics of each council's area in a year: the indicators the comparator model measures.

As in CIPFA's Nearest Neighbours model, the indicators describe the area a
council serves, not how it runs or funds its services (so not its spending, and
not its Band D level, which is the council's own choice; the tax base is mostly
property wealth but is net of the council's own council tax support scheme, and
reports say so). For the financial year starting in YYYY (:data:`INDICATORS`,
:func:`indicators_for_year`):

- ``population``: the ONS mid-year estimate for mid-YYYY (2023 boundaries);
- ``population_growth_5y_pct``: its change from mid-(YYYY-5), %;
- ``density_per_km2``: that population over the ONS land area (MYE5, 2023 boundaries);
- ``share_under_16`` / ``share_65_plus``: shares of the population (ONS MYE2 single years of age,
  the nearest mid-year held: mid-2023 and mid-2024 are);
- ``imd_score``: the average deprivation score of the IMD edition the year uses;
- ``tax_base_per_head``: the council tax base for tax-setting (Band D equivalents, MHCLG Table 9, the
  nearest year held: 2023-24 and 2024-25 are) per head — mostly the area's property wealth, net of
  discounts, exemptions and the council's own council tax support scheme.

An authority lacking a source for the year has no value for that indicator (NaN), never a guess.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from wcc_analysis.core.vocabulary import AREA_INDICATORS

#: Indicator key → how a report names it (defined once, in the vocabulary; config weights use these keys).
INDICATORS: dict[str, str] = AREA_INDICATORS
GROWTH_YEARS = 5
COLUMNS = ["ons_code", *INDICATORS]


def nearest_year(held: Sequence[int], year: int) -> int | None:
    """The held year closest to ``year`` (the earlier one on a tie); None when nothing is held."""
    years = sorted({int(y) for y in held})
    if not years:
        return None
    return min(years, key=lambda y: (abs(y - int(year)), y))


def indicators_for_year(
    year_start: int,
    mid_year: pd.DataFrame,
    structure: pd.DataFrame,
    deprivation: pd.DataFrame,
    tax_levels: pd.DataFrame,
    imd_edition: str,
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Every indicator for every authority in any source, and which year or edition each indicator used.

    ``mid_year``: ons_code, year, population; ``structure``: ons_code, year, share_under_16, share_65_plus,
    area_km2; ``deprivation``: ons_code, edition, imd_score; ``tax_levels``: ons_code, year_start,
    tax_base_band_d_equivalents. Returns (``ons_code`` + one column per :data:`INDICATORS` key, basis)
    where ``basis`` maps each indicator to a phrase such as "mid-2024" or "2024-25".
    """
    year_start = int(year_start)
    people = mid_year[mid_year["year"] == year_start].set_index("ons_code")["population"].astype(float)
    earlier = mid_year[mid_year["year"] == year_start - GROWTH_YEARS].set_index("ons_code")["population"].astype(float)
    frame = pd.DataFrame(index=pd.Index(sorted(set(people.index) | set(structure["ons_code"])
                                              | set(deprivation["ons_code"]) | set(tax_levels["ons_code"])),
                                        name="ons_code"))
    frame["population"] = people
    frame["population_growth_5y_pct"] = (people / earlier - 1.0) * 100.0
    basis = {"population": f"mid-{year_start}",
             "population_growth_5y_pct": f"mid-{year_start - GROWTH_YEARS} to mid-{year_start}"}

    areas = structure.dropna(subset=["area_km2"]).sort_values("year").drop_duplicates("ons_code", keep="last")
    frame["density_per_km2"] = people / areas.set_index("ons_code")["area_km2"].astype(float)
    basis["density_per_km2"] = f"mid-{year_start} population over the ONS land area (2023 boundaries)"

    age_year = nearest_year(structure["year"], year_start)
    ages = structure[structure["year"] == age_year].set_index("ons_code") if age_year is not None else None
    for share in ("share_under_16", "share_65_plus"):
        frame[share] = ages[share].astype(float) if ages is not None else float("nan")
        basis[share] = f"mid-{age_year}" if age_year is not None else "not held"

    imd = deprivation[deprivation["edition"] == imd_edition].set_index("ons_code")["imd_score"].astype(float)
    frame["imd_score"] = imd
    basis["imd_score"] = imd_edition

    tax_year = nearest_year(tax_levels["year_start"], year_start)
    if tax_year is not None:
        base = tax_levels[tax_levels["year_start"] == tax_year].set_index("ons_code")["tax_base_band_d_equivalents"]
        frame["tax_base_per_head"] = base.astype(float) / people
        basis["tax_base_per_head"] = f"{tax_year}-{(tax_year + 1) % 100:02d} tax base over mid-{year_start} population"
    else:
        frame["tax_base_per_head"] = float("nan")
        basis["tax_base_per_head"] = "not held"
    return frame.reset_index()[COLUMNS], basis
