"""The one registry of processed tables: name → how it is built and from which raw files.

Each :class:`Table` names its builder (a ``load_*`` function of one module in
:mod:`wcc_analysis.ingest.public`, reading the files as published) and the raw
files it reads. :func:`load` returns the table from data/processed, rebuilding
it first when a raw file or the builder's code changed
(:func:`wcc_analysis.core.store.cached_table`). A new source is one module in
``ingest/public/`` and one entry here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from wcc_analysis.core import store
from wcc_analysis.core.errors import ParameterError
from wcc_analysis.ingest.public import (
    authorities,
    ct_collection,
    ct_receipts,
    deprivation,
    neighbours,
    population,
    recycling,
    revenue_outturn,
    ro_detail,
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
    Table("revenue_outturn", revenue_outturn.load_revenue_outturn,
          _files(revenue_outturn.rs_workbooks, authorities.default_path),
          "RS net current expenditure (£ thousand) per authority, year and service block "
          "(columns: revenue_outturn.COLUMNS)."),
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
)}


#: Names a table may not take: they are the ingest package's own submodules and functions.
RESERVED_NAMES = frozenset({"public", "council", "tables", "load", "reader", "build_all", "raw_public_files"})
_clash = sorted(RESERVED_NAMES & set(TABLES))
if _clash:  # pragma: no cover - a registry typo
    raise RuntimeError(f"table name(s) {_clash} would shadow part of the ingest package; choose another name")


def table(name: str) -> Table:
    """The registered table called ``name``; ParameterError naming the known ones otherwise."""
    try:
        return TABLES[name]
    except KeyError:
        raise ParameterError(f"unknown table {name!r}; the processed tables are {', '.join(TABLES)}") from None


def load(name: str) -> pd.DataFrame:
    """Table ``name`` from data/processed, rebuilt first when its raw files or its builder's code changed."""
    entry = table(name)
    return store.cached_table(entry.name, entry.sources(), entry.build)


def reader(name: str) -> Callable[[], pd.DataFrame]:
    """A no-argument function returning table ``name`` (``ingest.population()`` and the like)."""

    def read() -> pd.DataFrame:
        return load(name)

    read.__name__ = read.__qualname__ = name
    read.__doc__ = TABLES[name].description
    return read


def build_all(progress: Callable[[str], None] | None = None) -> dict[str, pd.DataFrame]:
    """Build (or load, when up to date) every table; ``progress`` gets one line per table."""
    tables = {}
    for name in TABLES:
        if progress:
            progress(f"{name}: building or loading")
        tables[name] = load(name)
        if progress:
            progress(f"{name}: {len(tables[name]):,} rows")
    return tables


def raw_public_files() -> list[Path]:
    """Every raw public file the tables are built from, sorted, without duplicates."""
    return sorted({p for t in TABLES.values() for p in t.sources()})
