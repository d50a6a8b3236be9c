"""Real public data → tidy, validated tables in data/processed (parquet).

Each table function returns a DataFrame, rebuilt from the raw files in
data/raw/public when any of their sha256 hashes (or the builder's version)
changed, otherwise read from data/processed. Every loader also exists as a
plain function taking explicit paths (``load_<source>(path)``) in its module.

Modules, one per source: ``rs_workbooks`` (MHCLG Revenue Outturn Summary),
``census`` (ONS Census 2011/2021 population), ``imd`` (English Indices of
Deprivation), ``lookup`` (mySociety authority codes), ``ons_neighbours`` (ONS
geographic neighbours), ``ro_detail`` (MHCLG Revenue Outturn detailed RSX/RO lines,
Lancashire), ``recycling`` (DEFRA household recycling 2021-22), ``ct_collection``
(council tax in-year collection rates, Lancashire), ``ct_receipts`` (DLUHC council
tax receipts), ``council`` (the council's own files).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from wcc_analysis.core import store
from wcc_analysis.ingest.public import authorities as _lookup
from wcc_analysis.ingest.public import deprivation as _imd
from wcc_analysis.ingest.public import neighbours as _ons_neighbours
from wcc_analysis.ingest.public import population as _census
from wcc_analysis.ingest.public import revenue_outturn as _rs_workbooks
from wcc_analysis.ingest.public import ro_detail as _ro_detail
from wcc_analysis.ingest.public import recycling as _recycling
from wcc_analysis.ingest.public import ct_collection as _ct_collection
from wcc_analysis.ingest.public import ct_receipts as _ct_receipts

__all__ = [
    "authorities", "build_all", "ct_collection", "ct_receipts", "deprivation", "known_authority_codes",
    "neighbours", "population", "raw_public_files", "recycling", "require_known_authority",
    "revenue_outturn", "ro_detail",
]

known_authority_codes = _lookup.known_authority_codes
require_known_authority = _lookup.require_known_authority


def _sources() -> dict[str, list[Path]]:
    """Raw files each table is built from."""
    lookup = [_lookup.default_path()]
    return {
        "authorities": lookup,
        "population": [_census.default_path()],
        "deprivation": list(_imd.default_paths()),
        "neighbours": [_ons_neighbours.default_path()],
        # The lookup joins E-codes to ONS codes, so it is a source of this table too.
        "revenue_outturn": [*_rs_workbooks.rs_workbooks(), *lookup],
        "ro_detail": [_ro_detail.default_path()],
        "recycling": [_recycling.default_path()],
        "ct_collection": [_ct_collection.default_path()],
        # Table 4 cross-checks Table 5; the lookup fills blank ONS codes (none in the current file).
        "ct_receipts": [*_ct_receipts.default_paths(), *lookup],
    }


def authorities() -> pd.DataFrame:
    """English authorities: ons_code, ecode, mysociety_code, name, official_name, la_type, rs_class,
    region, county_code, county_name, current, start_date, end_date."""
    return store.cached_table("authorities", _sources()["authorities"], _lookup.load_authorities,
                              builder_version=_lookup.BUILDER_VERSION)


def population() -> pd.DataFrame:
    """Census 2011/2021 per LAD: ons_code, name, county, region, pop_2011, pop_2021."""
    return store.cached_table("population", _sources()["population"], _census.load_census_population,
                              builder_version=_census.BUILDER_VERSION)


def deprivation() -> pd.DataFrame:
    """IMD 2019 and 2025 per district: ons_code, edition, imd_score, imd_rank,
    proportion_most_deprived_10pct, extent, n_areas."""
    return store.cached_table("deprivation", _sources()["deprivation"], _imd.load_deprivation,
                              builder_version=_imd.BUILDER_VERSION)


def neighbours() -> pd.DataFrame:
    """ONS geographic neighbours: ons_code, neighbour_code, relation, rank."""
    return store.cached_table("neighbours", _sources()["neighbours"], _ons_neighbours.load_neighbours,
                              builder_version=_ons_neighbours.BUILDER_VERSION)


def revenue_outturn() -> pd.DataFrame:
    """RS net current expenditure (£ thousand) per authority, year and service block (see
    ``revenue_outturn.COLUMNS``)."""
    return store.cached_table("revenue_outturn", _sources()["revenue_outturn"],
                              _rs_workbooks.load_revenue_outturn,
                              builder_version=_rs_workbooks.BUILDER_VERSION)


def ro_detail() -> pd.DataFrame:
    """MHCLG Revenue Outturn detailed lines, 15 Lancashire councils, 2021-22..2024-25: ons_code,
    council_name, authority_class, year, form, line, net_expenditure_gbp_thousands,
    total_expenditure_gbp_thousands, total_income_gbp_thousands (NaN = missing, not zero), certified."""
    return store.cached_table("ro_detail", _sources()["ro_detail"], _ro_detail.load_ro_detail,
                              builder_version=_ro_detail.BUILDER_VERSION)


def recycling() -> pd.DataFrame:
    """DEFRA household recycling 2021-22 per English district: ons_code, name, year,
    waste_authority_code, waste_authority, shared_waste_authority, waste_authority_lads,
    household_collected_t, household_recycled_t, household_recycling_rate (0-1), collection_type,
    population."""
    return store.cached_table("recycling", _sources()["recycling"], _recycling.load_recycling,
                              builder_version=_recycling.BUILDER_VERSION)


def ct_collection() -> pd.DataFrame:
    """Council tax in-year collection, 14 Lancashire billing authorities, 2019-20..2024-25: ons_code,
    name, year, collection_rate_pct, net_collectable_gbp_thousands, collected_gbp_thousands."""
    return store.cached_table("ct_collection", _sources()["ct_collection"], _ct_collection.load_ct_collection,
                              builder_version=_ct_collection.BUILDER_VERSION)


def ct_receipts() -> pd.DataFrame:
    """Council tax receipts (a volume) per billing authority, 2010-11..2022-23: ons_code, ecode, name,
    authority_class, year, receipts_gbp_thousands (total collected in the year, Table 5)."""
    return store.cached_table("ct_receipts", _sources()["ct_receipts"], _ct_receipts.load_ct_receipts,
                              builder_version=_ct_receipts.BUILDER_VERSION)


_TABLES: dict[str, Callable[[], pd.DataFrame]] = {
    "authorities": authorities,
    "population": population,
    "deprivation": deprivation,
    "neighbours": neighbours,
    "revenue_outturn": revenue_outturn,
    "ro_detail": ro_detail,
    "recycling": recycling,
    "ct_collection": ct_collection,
    "ct_receipts": ct_receipts,
}


def build_all(progress: Callable[[str], None] | None = None) -> dict[str, pd.DataFrame]:
    """Build (or load, when up to date) every public table; ``progress`` gets one line per table."""
    tables = {}
    for name, build in _TABLES.items():
        if progress:
            progress(f"{name}: building or loading")
        tables[name] = build()
        if progress:
            progress(f"{name}: {len(tables[name]):,} rows")
    return tables


def raw_public_files() -> list[Path]:
    """Every raw public file the tables are built from, sorted, without duplicates."""
    return sorted({p for files in _sources().values() for p in files})
