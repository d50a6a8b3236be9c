"""The one registry of processed tables: name → how it is built and from which raw files.

Each :class:`Table` names its builder (a ``load_*`` function of one module in
:mod:`wcc_analysis.ingest.public`, reading the files as published) and the raw
files it reads. :func:`load` returns the table from data/processed, rebuilding
it first when a raw file or the builder's code changed
(:func:`wcc_analysis.core.store.cached_table`). A new source is one module in
``ingest/public/`` and one entry here.
"""

from __future__ import annotations

import functools
import hashlib
import math
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from wcc_analysis.core import paths, store
from wcc_analysis.core.errors import InputDataError, ParameterError, WccAnalysisError
from wcc_analysis.core.limits import MONEY_LIMIT_GBP_THOUSANDS, POPULATION_RANGE
from wcc_analysis.ingest.public import (
    authorities,
    council_tax_levels,
    ct_collection,
    ct_receipts,
    deprivation,
    fly_tipping,
    gdp_deflator,
    mid_year_population,
    neighbours,
    population,
    ra_budget,
    recycling,
    revenue_outturn,
    ro_detail,
    similarity,
    waste_collection,
)


@dataclass(frozen=True)
class Table:
    """One processed table: its builder, the raw files it reads and what it holds."""

    name: str
    build: Callable[[], pd.DataFrame]
    sources: Callable[[], list[Path]]
    description: str


def _files(*groups: Callable[[], Path | tuple[Path, ...] | list[Path]]) -> Callable[[], list[Path]]:
    """The raw files of a table, from its modules' ``default_path(s)`` functions, at call time."""

    def files() -> list[Path]:
        found: list[Path] = []
        for group in groups:
            value = group()
            found += [value] if isinstance(value, Path) else list(value)
        return found

    return files


#: The files behind ``known_authority_codes()`` (the lookup, the census and the IMD): readers that refuse an
#: unknown ONS code depend on them too.
_KNOWN_CODES = (authorities.default_path, population.default_path, deprivation.default_paths)

TABLES: dict[str, Table] = {t.name: t for t in (
    Table("authorities", authorities.load_authorities, _files(authorities.default_path),
          "English authorities: ons_code, ecode, mysociety_code, name, official_name, la_type, rs_class, "
          "region, county_code, county_name, current, start_date, end_date."),
    Table("population", population.load_census_population, _files(population.default_path),
          "Census 2011/2021 per LAD: ons_code, name, county, region, pop_2011, pop_2021."),
    Table("deprivation", deprivation.load_deprivation, _files(deprivation.default_paths),
          "IMD 2019 and 2025 per district: ons_code, edition, imd_score, imd_rank, "
          "proportion_most_deprived_10pct, extent, n_areas."),
    Table("neighbours", neighbours.load_neighbours, _files(neighbours.default_path),
          "ONS geographic neighbours: ons_code, neighbour_code, relation, rank."),
    # The lookup joins E-codes to ONS codes, so it is a source of this table too.
    Table("revenue_outturn", revenue_outturn.load_revenue_outturn, _files(revenue_outturn.source_files),
          "MHCLG revenue outturn 2010-11..2014-15, 2017-18..2024-25: RS net current expenditure (£ thousand) per "
          "authority, year and block, one figure per cell by precedence (time series v3.1 > v2.3 > a workbook's "
          "second/revised/final release > its first release) with source, release, certified, status, n_sources, "
          "max_abs_difference_gbp_thousands and RSX total expenditure and income (columns: revenue_outturn.COLUMNS)."),
    Table("revenue_outturn_all_sources", revenue_outturn.load_revenue_outturn_all_sources,
          _files(revenue_outturn.source_files),
          "Every revenue outturn figure from every source, one row per source x authority x year x block, with "
          "precedence and chosen (columns: revenue_outturn.ALL_SOURCES_COLUMNS)."),
    Table("ro_detail", ro_detail.load_ro_detail, _files(ro_detail.default_path, *_KNOWN_CODES),
          "MHCLG Revenue Outturn detailed lines, 15 Lancashire councils, 2021-22..2024-25: ons_code, "
          "council_name, authority_class, year, form, line, net_expenditure_gbp_thousands, "
          "total_expenditure_gbp_thousands, total_income_gbp_thousands (NaN = missing, not zero), certified."),
    Table("recycling", recycling.load_recycling, _files(recycling.default_path, *_KNOWN_CODES),
          "DEFRA household recycling 2021-22 per English district: ons_code, name, year, waste_authority_code, "
          "waste_authority, shared_waste_authority, waste_authority_lads, household_collected_t, "
          "household_recycled_t, household_recycling_rate (0-1), collection_type, population."),
    Table("ct_collection", ct_collection.load_ct_collection, _files(ct_collection.default_path, *_KNOWN_CODES),
          "Council tax in-year collection, 14 Lancashire billing authorities, 2019-20..2024-25: ons_code, name, "
          "year, collection_rate_pct, net_collectable_gbp_thousands, collected_gbp_thousands."),
    # Table 4 cross-checks Table 5; the lookup fills blank ONS codes (none in the current file).
    Table("ct_receipts", ct_receipts.load_ct_receipts, _files(ct_receipts.default_paths, *_KNOWN_CODES),
          "Council tax receipts (a volume) per billing authority, 2010-11..2022-23: ons_code, ecode, name, "
          "authority_class, year, receipts_gbp_thousands (total collected in the year, Table 5)."),
    Table("mid_year_population", mid_year_population.load_mid_year_population, _files(mid_year_population.default_paths),
          "ONS mid-year population estimates per LA (2023 boundaries), mid-2011..mid-2024: ons_code, name, geography, "
          "level (district/county), year (int), population, source (MYE4 mid-2023 release / MYE2 mid-2024 release)."),
    Table("population_structure", mid_year_population.load_population_structure,
          _files(mid_year_population.default_paths),
          "Age structure and density per LA, mid-2023 and mid-2024: ons_code, name, geography, level, year, population, "
          "under_16, aged_65_plus, share_under_16, share_65_plus (0-1), area_km2, density_per_km2, density_derived, "
          "source."),
    # The lookup maps DEFRA's codes of the year to current ONS codes, so it is a source too.
    Table("waste_collection", waste_collection.load_waste_collection,
          _files(waste_collection.default_path, authorities.default_path),
          "DEFRA LA collected waste indicators (Table 3), 2010-11..2022-23: ons_code (missing for joint bodies), "
          "ons_code_published, ons_code_source, authority_name, authority_type, region, year, year_start, "
          "household_recycling_rate (0-1), residual_household_waste_kg_per_household, "
          "household_waste_collected_kg_per_person, municipal_waste_landfilled_rate (0-1), household_waste_tonnes and "
          "residual_household_waste_tonnes (Table 1, 2014-15 on), households (derived: residual tonnes x 1000 / "
          "residual kg per household), source_edition, source_row."),
    Table("fly_tipping", fly_tipping.load_fly_tipping, _files(fly_tipping.default_path, authorities.default_path),
          "DEFRA fly-tipping incidents per LA, 2012-13..2022-23: ons_code, ons_code_published, ons_code_source, "
          "authority_name, region, year, year_start, incidents (NaN = not available), population_published, "
          "incidents_per_1000_published (2019-20 on, as published), reporting_basis, source_edition, source_row."),
    # The lookup joins E-codes to ONS codes, so it is a source of this table too.
    Table("ra_budget", ra_budget.load_ra_budget, _files(ra_budget.default_paths, authorities.default_path),
          "MHCLG Revenue Account budget (RA) service lines 2021-22, 2023-24, every English authority: ons_code, ecode, "
          "authority_name, authority_class, year, year_start, block, line, line_number, is_total, "
          "net_budget_gbp_thousands (budgeted net current expenditure, £k cash; NaN = not published), "
          "ons_code_source, source_file, source_row."),
    Table("council_tax_levels", council_tax_levels.load_council_tax_levels,
          _files(council_tax_levels.default_paths, *_KNOWN_CODES),
          "Council tax levels per billing authority, 2023-24 and 2024-25 (MHCLG Table 9, cross-checked with Table 7): "
          "band_d_excluding_parish_gbp, band_d_including_parish_gbp, council_tax_requirement_gbp_thousands, "
          "parish_precepts_gbp_thousands, tax_base_band_d_equivalents, band_d_excluding_parish_notional."),
    Table("similarity_labels", similarity.load_similarity_labels,
          _files(similarity.default_paths, authorities.default_path),
          "mySociety similar-councils labels (v1.2.0) per English authority: ons_code, mysociety_code, dimension "
          "(physical = region, emissions, imd = IMD quintile, ruc = rural-urban class), label, description."),
    Table("gdp_deflator", gdp_deflator.load_gdp_deflator, _files(gdp_deflator.default_paths),
          "HM Treasury GDP deflator, calendar years 1990-2024 (2024 = 100): calendar_year, deflator_index, "
          "source_release; financial years via analysis.prices.financial_year_deflators."),
)}


#: Names a table may not take: they are the ingest package's own submodules and functions.
RESERVED_NAMES = frozenset({"public", "council", "tables", "recognise", "load", "reader", "build_all", "raw_public_files"})
_clash = sorted(RESERVED_NAMES & set(TABLES))
if _clash:  # pragma: no cover - a registry typo
    raise RuntimeError(f"table name(s) {_clash} would shadow part of the ingest package; choose another name")


def table(name: str) -> Table:
    """The registered table called ``name``; ParameterError naming the known ones otherwise."""
    try:
        return TABLES[name]
    except KeyError:
        raise ParameterError(f"unknown table {name!r}; the processed tables are {', '.join(TABLES)}") from None


_MONEY_K = (-MONEY_LIMIT_GBP_THOUSANDS, MONEY_LIMIT_GBP_THOUSANDS)
#: The plausible range of the numbers of each processed table (core/limits.py), checked when the table is built,
#: before it is written: a value outside (or infinite) is refused, naming its file, row and column; a missing
#: value (a published placeholder such as "..", "[x]" or "-") is not checked.
PLAUSIBLE: dict[str, dict[str, tuple[float, float]]] = {
    **{table: {c: _MONEY_K for c in ("net_expenditure_gbp_thousands", "total_expenditure_gbp_thousands",
                                     "total_income_gbp_thousands")}
       for table in ("revenue_outturn", "revenue_outturn_all_sources")},
    "ra_budget": {"net_budget_gbp_thousands": _MONEY_K},
    "ct_receipts": {"receipts_gbp_thousands": _MONEY_K},
    "mid_year_population": {"population": POPULATION_RANGE},
    "population": {"pop_2011": POPULATION_RANGE, "pop_2021": POPULATION_RANGE},
}
#: Part of every checked table's fingerprint: a change to the ranges or to the check re-checks every table.
PLAUSIBILITY_VERSION = "1:" + hashlib.sha256(repr(sorted(PLAUSIBLE.items())).encode()).hexdigest()[:16]


def implausible(frame: pd.DataFrame, ranges: dict[str, tuple[float, float]]) -> tuple[int, str] | None:
    """The first row (position) and column holding a value outside its range or infinite; None when all fit."""
    for column, (low, high) in ranges.items():
        if column not in frame.columns:
            continue
        values = pd.to_numeric(frame[column], errors="coerce")
        bad = values.notna() & ~values.between(low, high)
        if bad.any():
            return int(bad.to_numpy().nonzero()[0][0]), column
    return None


def checked(entry: Table) -> Callable[[], pd.DataFrame]:
    """``entry.build`` followed by the :data:`PLAUSIBLE` check (the builder's own module keeps its fingerprint)."""
    ranges = PLAUSIBLE.get(entry.name, {})

    @functools.wraps(entry.build)
    def build() -> pd.DataFrame:
        frame = entry.build()
        found = implausible(frame, ranges)
        if found is None:
            return frame
        position, column = found
        row = frame.iloc[position]
        value = row[column]
        low, high = ranges[column]
        sources = entry.sources()
        file = next((p for p in sources if "source_file" in frame.columns and p.name == row["source_file"]),
                    sources[0] if len(sources) == 1 else None)
        shown = (f"{value:,.0f}" if isinstance(value, int | float) and math.isfinite(value) else str(value))
        where = "" if file is not None else f" (one of {', '.join(paths.relative_to_root(p) for p in sources)})"
        raise InputDataError(
            file or entry.name,
            f"{column} = {shown} for {row.get('ons_code', 'a row')}{where} is outside the plausible range "
            f"{low:,.0f} to {high:,.0f} (core/limits.py)",
            row=int(row["source_row"]) if "source_row" in frame.columns and pd.notna(row["source_row"]) else None,
            fix="check the value against the published original and replace the file with it",
        )

    return build


def load(name: str) -> pd.DataFrame:
    """Table ``name`` from data/processed, rebuilt first when its raw files or its builder's code changed."""
    entry = table(name)
    if entry.name in PLAUSIBLE:
        return store.cached_table(entry.name, entry.sources(), checked(entry), builder_version=PLAUSIBILITY_VERSION)
    return store.cached_table(entry.name, entry.sources(), entry.build)


def reader(name: str) -> Callable[[], pd.DataFrame]:
    """A no-argument function returning table ``name`` (``ingest.population()`` and the like)."""

    def read() -> pd.DataFrame:
        return load(name)

    read.__name__ = read.__qualname__ = name
    read.__doc__ = TABLES[name].description
    return read


def build_all(progress: Callable[[str], None] | None = None) -> dict[str, pd.DataFrame]:
    """Build (or load, when up to date) every table; ``progress`` gets one line per table.

    All or nothing: when a raw file is refused, every table this call rebuilt is put back as it was, so
    ``data/processed`` is exactly as before (two tables read the same file: the first may build before the
    second refuses it).
    """
    directory = paths.processed_dir()
    with tempfile.TemporaryDirectory(prefix=".build-all-", dir=directory if directory.is_dir() else None) as kept:
        saved = _keep(directory, Path(kept))
        tables = {}
        try:
            for name in TABLES:
                if progress:
                    progress(f"{name}: building or loading")
                tables[name] = load(name)
                if progress:
                    progress(f"{name}: {len(tables[name]):,} rows")
        except WccAnalysisError:
            _restore(directory, Path(kept), saved)
            raise
    return tables


def _keep(directory: Path, into: Path) -> set[str]:
    """Copies of the processed tables and their sidecars as they are now."""
    names = set()
    for path in directory.glob("*"):
        if path.is_file() and path.suffix in (".parquet", ".json"):
            shutil.copy2(path, into / path.name)
            names.add(path.name)
    return names


def _restore(directory: Path, kept: Path, saved: set[str]) -> None:
    """``directory``'s tables back as :func:`_keep` found them (each file replaced atomically)."""
    for path in directory.glob("*"):
        if path.is_file() and path.suffix in (".parquet", ".json") and path.name not in saved:
            path.unlink()
    for name in saved:
        os.replace(kept / name, directory / name)


def raw_public_files() -> list[Path]:
    """Every raw public file the tables are built from, sorted, without duplicates."""
    return sorted({p for t in TABLES.values() for p in t.sources()})
