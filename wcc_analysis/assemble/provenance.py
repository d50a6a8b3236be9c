"""The "Data used" records of a report: which source, what it covers, what this report took, which release.

Each function turns a table the report read into a :class:`~wcc_analysis.core.provenance.SourceUse`. What a
source covers is read from the table itself (its years), so a file added next year is described without
editing code. The age of each source is not computed here: the runner measures it on the day of the run.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd

from wcc_analysis.analysis import prices
from wcc_analysis.analysis.benchmarks import Benchmarked
from wcc_analysis.core.provenance import SourceUse, financial_year_end, mid_year
from wcc_analysis.ingest import CouncilData

#: Publication dates of the deprivation editions (the period a fixed edition describes ends when it is published).
IMD_PUBLISHED = {"IMD 2019": "2019-09-26", "IMD 2025": "2025-10-30"}
CENSUS_DAY = "2021-03-21"


def _span(years: Iterable[str]) -> str:
    """"2010-11 to 2024-25 (2015-16 and 2016-17 not held)" for a set of financial years."""
    starts = sorted({int(str(y)[:4]) for y in years})
    if not starts:
        return "no years"
    gaps = [prices.fy_label(y) for y in range(starts[0], starts[-1] + 1) if y not in starts]
    text = f"{prices.fy_label(starts[0])} to {prices.fy_label(starts[-1])}"
    return text + (f" ({' and '.join(gaps) if len(gaps) <= 2 else ', '.join(gaps)} not held)" if gaps else "")


def outturn(table: pd.DataFrame, council: str, block: str, year: str, comparators: int,
            used: str | None = None) -> SourceUse:
    """The revenue outturn the report used: the block's figures for every year, the latest for the group."""
    mine = table[(table["ons_code"] == council) & (table["rs_block"] == block) & (table["year"] == year)]
    if len(mine) and "source" in mine:
        source, edition = str(mine["source"].iloc[0]), str(mine["release"].iloc[0])
        release = f"{year}: {source}" + ("" if edition in source else f" ({edition})")
    else:
        release = year
    return SourceUse(
        source="MHCLG revenue outturn: net current expenditure by RS block (RS and RSX returns; multi-year time series)",
        covers=_span(table["year"].unique()),
        used=used or f"{block}: every year for the council, {year} for it and {comparators} comparators",
        release=release, period_end=financial_year_end(year))


def mid_year_population(table: pd.DataFrame, year: int, fallback_used: bool) -> SourceUse:
    """The ONS mid-year estimates (and whether the census-trend fallback was needed for some councils)."""
    years = sorted(table["year"].unique())
    sources = "; ".join(sorted(table["source"].unique()))
    used = f"mid-{year} for the latest year, mid-YYYY for each financial year YYYY-YY"
    if fallback_used:
        used += "; census-trend estimate where no mid-year estimate exists (marked)"
    return SourceUse(source="ONS mid-year population estimates (2023 local-authority boundaries)",
                     covers=f"mid-{years[0]} to mid-{years[-1]}", used=used, release=sources, period_end=mid_year(year))


def census() -> SourceUse:
    return SourceUse(source="ONS Census 2011 and 2021: usual resident population", covers="2011, 2021",
                     used="population change 2011→2021 (drivers of need); the census-trend fallback",
                     release="Census 2021 first results", period_end=CENSUS_DAY)


def deprivation(editions: Sequence[str]) -> SourceUse:
    latest = max(editions, key=lambda e: IMD_PUBLISHED.get(e, ""))
    return SourceUse(source="MHCLG English Indices of Deprivation, local-authority summaries",
                     covers=", ".join(sorted(IMD_PUBLISHED)), used=f"average score ({', '.join(editions)})",
                     release=latest, period_end=IMD_PUBLISHED.get(latest, CENSUS_DAY))


#: The council tax levels source as the measure catalogue names it, so that both uses are one source.
COUNCIL_TAX_LEVELS = ("MHCLG Council tax levels set by local authorities in England 2024-25, Table 9 "
                      "(cross-checked with Table 7)")


def comparator_sources(group, tax_levels: pd.DataFrame) -> list[SourceUse]:
    """The sources of the comparator model's indicators not described elsewhere: the tax base and the
    mySociety labels (the mid-year estimates, IMD and census have their own records)."""
    out = []
    if "tax_base_per_head" in group.weights:
        years = sorted(tax_levels["year"].unique())
        used = group.basis.get("tax_base_per_head", "")
        out.append(SourceUse(source=COUNCIL_TAX_LEVELS, covers=f"{years[0]} to {years[-1]}",
                             used=f"tax base (Band D equivalents) per head, comparator indicator: {used}",
                             release="2024-25 (Tables 7 and 9)", period_end=financial_year_end(years[-1])))
    out.append(SourceUse(source="mySociety local-authority-similarity labels (region, emissions, IMD quintile, "
                         "rural-urban class)", covers="UK authorities, package v1.2.0",
                         used="the alternative comparator group (councils sharing three of four labels)",
                         release="v1.2.0 (commit f1ccd21)", period_end=None))
    return out


def ra_budget(table: pd.DataFrame, year: str, lines: Sequence[str]) -> SourceUse:
    return SourceUse(source="MHCLG Revenue Account budget (RA): budgeted net current expenditure by service line",
                     covers=", ".join(sorted(table["year"].unique())), used=f"{year}: {'; '.join(lines)} (budget)",
                     release=f"RA {year}", period_end=financial_year_end(year))


def deflator(calendar: pd.DataFrame, base: str) -> SourceUse:
    years = calendar["calendar_year"].astype(int)
    release = prices.release_label(str(calendar["source_release"].iloc[0])) if "source_release" in calendar else ""
    return SourceUse(source="HM Treasury GDP deflator", covers=f"calendar {years.min()} to {years.max()}",
                     used=f"real terms at {base} prices (financial years as ¾/¼ of calendar years; 2025 estimated)",
                     release=release or "December 2025", period_end=f"{years.max()}-12-31")


def publication(source: str) -> str:
    """A measure's source without the population it is divided by ("...; population: ONS mid-year estimate"): the
    population has its own record."""
    return source.partition("; population:")[0]


def measures(benchmarked: Iterable[Benchmarked]) -> list[SourceUse]:
    """One record per published measure the council has (its publication and year)."""
    out = []
    for b in benchmarked:
        if b.kind == "cost":
            continue  # spend measures are described by the outturn and budget records
        out.append(SourceUse(source=publication(b.source), covers=b.year, used=b.label, release=b.year,
                             period_end=financial_year_end(b.year)))
    return out


def council_files(council_data: CouncilData, tables: Sequence[str]) -> SourceUse | None:
    """The council's own files the report used, marked when they are the illustrative sample."""
    present = [t for t in tables if t in council_data.tables]
    if not present:
        return None
    sample = council_data.is_illustrative(*present)
    return SourceUse(source=f"The council's own files (data/raw/council/{council_data.code}/)",
                     covers=", ".join(present), used=", ".join(present),
                     release="ILLUSTRATIVE SAMPLE, not the council's figures" if sample else "as supplied by the council",
                     period_end=None, illustrative=sample)  # dated by the council itself: not aged here


def unique(records: Iterable[SourceUse | None]) -> list[SourceUse]:
    """The records without repeats (the first of each source kept), in order."""
    seen, out = set(), []
    for record in records:
        if record is not None and record.source not in seen:
            seen.add(record.source)
            out.append(record)
    return out


def supplier_payments(payments: pd.DataFrame, illustrative: bool) -> SourceUse | None:
    """The council's own published payment files (Local Government Transparency Code)."""
    if payments is None or payments.empty:
        return None
    dates = pd.to_datetime(payments["payment_date"])
    first, last = dates.min().date(), dates.max().date()
    return SourceUse(source="The council's published payments to suppliers (Local Government Transparency Code)",
                     covers=f"{first:%d %b %Y} to {last:%d %b %Y}", used="market payments mapped to the service",
                     release="ILLUSTRATIVE SAMPLE, not the council's figures" if illustrative else "as published",
                     period_end=last.isoformat(), illustrative=illustrative)
