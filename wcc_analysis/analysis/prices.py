"""Prices: financial-year GDP deflators from the calendar-year series, cash → real terms, and series breaks.

Pure functions (DataFrames in, DataFrames and dataclasses out; no files).

**Financial-year deflator.** A financial year YYYY-YY runs April YYYY to March
YYYY+1: three quarters in calendar year YYYY and one in YYYY+1, so

    deflator(YYYY-YY) = ¾ × calendar(YYYY) + ¼ × calendar(YYYY+1)

(e.g. 2023-24 = 0.75 × 96.2507 + 0.25 × 100 = 97.188025 with the December 2025
series). This weights the calendar *annual averages*; HM Treasury's own
financial-year column averages the four quarters April–March and can differ
slightly. For the last financial year of the series the next calendar year
is not published: it is **estimated by growing the last calendar year by its
own growth rate** (2025 = 2024 × 2024 / 2023 = 100 × 100 / 96.2507 = 103.8953),
and that row has ``estimated=True`` and its ``method`` says so.

**Real terms.** real = cash × deflator(price base year) / deflator(year):
£ of the year's purchasing power expressed at the price base year's prices
(``to_real_terms``); every chart says so with :func:`price_base_note`.

**Series breaks.** :data:`SERIES_BREAKS` lists the known breaks that make a
real-terms trend across them misleading (council tax benefit → council tax
support from 2013-14, public health from 2013-14, social care split 2011-12,
local government reorganisation); :func:`series_breaks` picks those inside a
chart's span.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from wcc_analysis.analysis.common import require_columns
from wcc_analysis.core.errors import InputTableError, ParameterError

#: Share of a financial year falling in its first calendar year (April–December = 3 of 4 quarters).
FIRST_CALENDAR_YEAR_WEIGHT = 0.75
#: The price base used by default: the last financial year of the series.
PRICE_BASE_YEAR = "2024-25"
FY_RE = re.compile(r"^(\d{4})-(\d{2})$")

CALENDAR_COLUMNS = ["calendar_year", "deflator_index"]
FY_COLUMNS = ["year", "year_start", "deflator_index", "estimated", "method"]


def fy_label(year_start: int) -> str:
    """2024 → "2024-25"."""
    return f"{year_start}-{(year_start + 1) % 100:02d}"


def fy_start(year: str) -> int:
    """"2024-25" → 2024; ParameterError when ``year`` is not a financial year written YYYY-YY."""
    match = FY_RE.match(str(year).strip())
    if not match or (int(match.group(1)) + 1) % 100 != int(match.group(2)):
        raise ParameterError(f"{year!r} is not a financial year written YYYY-YY (e.g. '2024-25')")
    return int(match.group(1))


def _calendar(calendar: pd.DataFrame) -> pd.Series:
    """The calendar-year series as a Series indexed by year; InputTableError for a table that cannot be used."""
    table = "GDP deflator (calendar years)"
    require_columns(calendar, CALENDAR_COLUMNS, table)
    if len(calendar) < 2:
        raise InputTableError(table, "at least two calendar years are needed (one to convert, one for the growth "
                              "rate that estimates the year after the series)", fix="pass the whole series")
    years = pd.to_numeric(calendar["calendar_year"], errors="coerce")
    index = pd.to_numeric(calendar["deflator_index"], errors="coerce")
    bad = years.isna() | (years != years.round()) | index.isna() | ~(index > 0)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputTableError(table, "calendar_year must be a whole year and deflator_index a positive number",
                              row=row + 1, column="calendar_year" if years.isna().iloc[row] else "deflator_index",
                              fix="pass the gdp_deflator table as built by the ingest")
    series = pd.Series(index.to_numpy(float), index=years.astype(int).to_numpy()).sort_index()
    if series.index.has_duplicates or (np.diff(series.index) != 1).any():
        raise InputTableError(table, "the calendar years must be consecutive, each once", column="calendar_year",
                              fix="pass the whole series without gaps")
    return series


def financial_year_deflators(calendar: pd.DataFrame) -> pd.DataFrame:
    """Financial-year deflators from calendar-year ones: ``year, year_start, deflator_index, estimated, method``.

    One row per financial year from the first calendar year's (1990-91) to the
    last calendar year's (2024-25). Each is ¾ × calendar YYYY + ¼ × calendar YYYY+1;
    the last needs the calendar year after the series, estimated as the last
    year grown by the last year's growth rate (``estimated=True``).
    """
    series = _calendar(calendar)
    first, last = int(series.index[0]), int(series.index[-1])
    growth = series[last] / series[last - 1]
    estimate = series[last] * growth
    w = FIRST_CALENDAR_YEAR_WEIGHT
    rows = []
    for start in range(first, last + 1):
        estimated = start == last
        nxt = estimate if estimated else series[start + 1]
        if estimated:
            method = (f"¾ × calendar {start} ({series[start]:.4f}) + ¼ × estimated calendar {start + 1} "
                      f"({estimate:.4f} = the {start} value grown by {start}'s growth of {(growth - 1) * 100:.2f} % "
                      f"[{series[last]:.4f} / {series[last - 1]:.4f}]; {start + 1} is not in the series)")
        else:
            method = f"¾ × calendar {start} ({series[start]:.4f}) + ¼ × calendar {start + 1} ({nxt:.4f})"
        rows.append({"year": fy_label(start), "year_start": start,
                     "deflator_index": w * series[start] + (1 - w) * nxt, "estimated": estimated, "method": method})
    return pd.DataFrame(rows, columns=FY_COLUMNS)


def _deflator_lookup(deflators: pd.DataFrame) -> pd.DataFrame:
    table = "financial-year deflators"
    require_columns(deflators, ["year", "deflator_index", "estimated"], table)
    if deflators.empty or deflators["year"].duplicated().any():
        raise InputTableError(table, "needs one row per financial year (none is empty or repeated)", column="year",
                              fix="pass the table returned by financial_year_deflators")
    lookup = deflators.set_index("year")
    return lookup.sort_values("year_start") if "year_start" in lookup else lookup.sort_index()


def _range(lookup: pd.DataFrame) -> str:
    return f"{lookup.index[0]} to {lookup.index[-1]}"


@dataclass(frozen=True)
class RealTerms:
    """Cash amounts at one financial year's prices.

    ``values``: the real-terms amounts (same index as the cash amounts);
    ``table``: per amount ``year, cash, deflator_index, base_deflator_index, factor, real, estimated``;
    ``estimated_years``: the years among those used (the price base included) whose deflator is estimated;
    ``note``: the sentence to print with the figures (:func:`price_base_note` without the release).
    """

    values: pd.Series
    table: pd.DataFrame
    price_base_year: str
    estimated_years: tuple[str, ...] = field(default_factory=tuple)
    note: str = ""


def to_real_terms(amounts, years, deflators: pd.DataFrame, price_base_year: str = PRICE_BASE_YEAR, *,
                  release: str | None = None) -> RealTerms:
    """Cash → real terms at ``price_base_year`` prices: real = cash × deflator(base) / deflator(year).

    ``amounts``: numbers (a Series keeps its index; NaN stays NaN); ``years``: the
    financial year of each amount ("2017-18"), or one year for all;
    ``deflators``: :func:`financial_year_deflators`. ParameterError when a year
    or the price base year is not in the deflator series, or the lengths differ.
    """
    lookup = _deflator_lookup(deflators)
    fy_start(price_base_year)
    if price_base_year not in lookup.index:
        raise ParameterError(f"price base year {price_base_year!r} is not in the deflator series "
                             f"({_range(lookup)}); choose a year in that range")
    cash = amounts.copy() if isinstance(amounts, pd.Series) else pd.Series(np.asarray(amounts, dtype=float))
    cash = pd.to_numeric(cash, errors="coerce").astype(float)
    year_list = [years] * len(cash) if isinstance(years, str) else list(years)
    if len(year_list) != len(cash):
        raise ParameterError(f"{len(cash)} amount(s) but {len(year_list)} year(s): give one year per amount")
    for year in set(year_list):
        fy_start(year)
    outside = sorted({y for y in year_list if y not in lookup.index})
    if outside:
        raise ParameterError(f"year(s) {', '.join(outside)} outside the deflator series ({_range(lookup)}); "
                             "real terms cannot be computed for them")
    index_of = lookup["deflator_index"].astype(float).to_dict()
    estimated_of = lookup["estimated"].astype(bool).to_dict()
    base = index_of[price_base_year]
    index = np.array([index_of[y] for y in year_list], dtype=float)
    factor = base / index
    real = cash * factor
    estimated_flags = np.array([estimated_of[y] for y in year_list], dtype=bool)
    table = pd.DataFrame({
        "year": year_list, "cash": cash.to_numpy(), "deflator_index": index, "base_deflator_index": base,
        "factor": factor, "real": real.to_numpy(), "estimated": estimated_flags,
    }, index=cash.index)
    used = set(year_list) | {price_base_year}
    estimated = tuple(sorted(y for y in used if estimated_of[y]))
    note = price_base_note(deflators, price_base_year, years=sorted(used), release=release)
    return RealTerms(values=real.rename("real"), table=table, price_base_year=price_base_year,
                     estimated_years=estimated, note=note)


def release_label(source_release: str) -> str:
    """"HM Treasury, GDP deflators ... (December 2025 Quarterly National Accounts release, ...)" → "December 2025"."""
    match = re.search(r"(January|February|March|April|May|June|July|August|September|October|November|December)"
                      r"\s+(\d{4})", str(source_release))
    return f"{match.group(1)} {match.group(2)}" if match else str(source_release).strip()


def price_base_note(deflators: pd.DataFrame, price_base_year: str = PRICE_BASE_YEAR, *,
                    years: Sequence[str] | None = None, release: str | None = None) -> str:
    """The sentence every real-terms chart and table prints.

    E.g. "Real terms: £ at 2024-25 prices, HM Treasury GDP deflator (December 2025,
    calendar years converted to financial years as ¾/¼; 2024-25 uses an estimated
    2025 value: 103.90, the 2024 value grown by 2024's growth of 3.90 %)." ``years``: the
    years shown (default: every year of the series) — estimated ones among them and
    the price base are named; ``release``: the series' release (:func:`release_label`).
    """
    lookup = _deflator_lookup(deflators)
    if price_base_year not in lookup.index:
        raise ParameterError(f"price base year {price_base_year!r} is not in the deflator series "
                             f"({_range(lookup)}); choose a year in that range")
    shown = set(lookup.index if years is None else years) | {price_base_year}
    estimated = [y for y in lookup.index if y in shown and bool(lookup.loc[y, "estimated"])]
    source = "HM Treasury GDP deflator (" + (f"{release}, " if release else "")
    source += "calendar years converted to financial years as ¾/¼"
    for year in estimated:
        method = str(lookup.loc[year, "method"]) if "method" in lookup.columns else ""
        match = re.search(r"estimated calendar (\d{4}) \(([\d.]+) = the (\d{4}) value grown by \d{4}'s growth of "
                          r"(-?[\d.]+) %", method)
        if match:
            source += (f"; {year} uses an estimated {match.group(1)} value: {float(match.group(2)):.2f}, the "
                       f"{match.group(3)} value grown by {match.group(3)}'s growth of {float(match.group(4)):.2f} %")
        else:
            source += f"; {year} uses an estimated deflator"
    return f"Real terms: £ at {price_base_year} prices, {source})."


# --------------------------------------------------------------------------- series breaks


@dataclass(frozen=True)
class SeriesBreak:
    """A change in what a published spending or tax series measures, from ``year`` on."""

    year: str
    what: str
    effect: str
    blocks: tuple[str, ...]
    lines: tuple[str, ...]
    sources: tuple[str, ...]


SERIES_BREAKS: tuple[SeriesBreak, ...] = (
    SeriesBreak(
        year="2013-14",
        what="Council Tax Benefit abolished (Welfare Reform Act 2012, s.33) and replaced from 1 April 2013 by each "
        "billing authority's local council tax support (reduction) scheme (Local Government Finance Act 2012, "
        "s.10 and Sch. 4, inserting s.13A into the Local Government Finance Act 1992), with 10 % less funding.",
        effect="Council tax benefit was a DWP-funded benefit paid into the collection fund: the RS summary "
        "2010-11 to 2012-13 carries 'Local tax collection: Council tax benefit paid to the Collection Fund', "
        "which is gone from 2013-14. Council tax support is a discount: it reduces the council tax base, so the "
        "tax base, Band D and council tax requirement are not comparable across 2012-13/2013-14, and the RS/RA "
        "record it in memorandum lines ('Total council tax revenue foregone'). Its administration is reported "
        "under Central services 'Local tax collection: council tax support administration' (and 'council tax "
        "discounts - locally funded'), while 'Housing benefits administration' (Housing services (GFRA only)) "
        "is housing benefit only — before 2013-14 the benefits service administered both benefits, so a "
        "benefits-administration trend across 2013-14 changes meaning (check the RO4/RO6 guidance notes of "
        "2012-13 and 2013-14, not held here, before splitting costs).",
        blocks=("Central services", "Housing services (GFRA only)"),
        lines=("Housing benefits administration", "Local tax collection: council tax support administration",
               "Local tax collection: council tax discounts - locally funded", "Local tax collection: other"),
        sources=(
            "Welfare Reform Act 2012 s.33; Local Government Finance Act 2012 s.10, Sch. 4",
            "House of Commons Library, Briefing Paper 06672 'Council Tax Reduction Schemes' (8 August 2016)",
            "National Audit Office, 'Council Tax support', HC 882, session 2013-14 (13 December 2013)",
            "MHCLG RS 'data by LA' workbooks 2012-13 and 2013-14 in data/raw/public/mhclg_revenue_outturn_rs "
            "(the line lists of their net current expenditure sheets)",
        ),
    ),
    SeriesBreak(
        year="2013-14",
        what="Public health responsibilities transferred to upper-tier councils from 1 April 2013 (Health and "
        "Social Care Act 2012).",
        effect="The 'Public Health' block is published from 2013-14 only; total service expenditure of counties, "
        "unitaries, metropolitan districts and London boroughs rises with it (shire districts are unaffected).",
        blocks=("Public Health", "Total service expenditure"),
        lines=(),
        sources=("Health and Social Care Act 2012", "data/raw/public/SOURCES.md section 1 (RS blocks by year)"),
    ),
    SeriesBreak(
        year="2011-12",
        what="'Social care' (2010-11) split into 'Children Social Care' and 'Adult Social Care'.",
        effect="No social care block is comparable across 2010-11/2011-12 except their sum.",
        blocks=("Social care", "Children Social Care", "Adult Social Care"),
        lines=(),
        sources=("data/raw/public/SOURCES.md section 1 (RS blocks by year)",),
    ),
    *(
        SeriesBreak(
            year=year,
            what=f"Local government reorganisation from 1 April {year[:4]}: {areas}.",
            effect="The authorities concerned have no series across their reorganisation year; a trend for "
            "them (or for their predecessors) compares different areas and functions.",
            blocks=(),
            lines=(),
            sources=("mySociety uk_local_authorities.csv start-date / end-date "
                     "(data/raw/public/mysociety_la_lookup)",
                     "RA 2021-22 and 2023-24 authority lists (data/raw/public/mhclg_ra_budget_bengoodair)"),
        )
        for year, areas in (
            ("2019-20", "Dorset, Bournemouth Christchurch and Poole, East Suffolk, West Suffolk and Somerset "
             "West and Taunton replace their predecessor councils"),
            ("2020-21", "Buckinghamshire Council replaces the county and its four districts"),
            ("2021-22", "North Northamptonshire and West Northamptonshire replace the county and its seven "
             "districts"),
            ("2023-24", "Cumberland, Westmorland and Furness, North Yorkshire and Somerset replace their county "
             "and district councils"),
        )
    ),
)


def series_breaks(first_year: str, last_year: str, *, block: str | None = None) -> list[SeriesBreak]:
    """The breaks inside a series from ``first_year`` to ``last_year`` (a break in year Y counts when
    first < Y ≤ last), for ``block`` when given (breaks naming no block apply to every block)."""
    first, last = fy_start(first_year), fy_start(last_year)
    if last < first:
        raise ParameterError(f"last year {last_year!r} is before first year {first_year!r}")
    return [b for b in SERIES_BREAKS
            if first < fy_start(b.year) <= last and (block is None or not b.blocks or block in b.blocks)]
