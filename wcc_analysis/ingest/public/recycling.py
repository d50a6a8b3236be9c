"""DEFRA household waste collected and recycled per local authority district, 2021-22.

One row per English district (Dec-2021 codes, 309 rows), from
``household_recycling_by_lad_2021_22.csv`` (data/raw/public/SOURCES.md section 11).

Shared waste authorities: where the waste authority code (``wa21cd``) differs
from the district's own code, the tonnages are the shared authority's totals
repeated on each member district (Somerset Waste Partnership, Cambridge City and
South Cambs, Babergh under Mid Suffolk; Buckinghamshire reports under its county
code). ``shared_waste_authority`` flags those rows; ``waste_authority_lads``
counts the districts in the file that carry the same waste authority code (so
Mid Suffolk's own row, which also holds the Babergh + Mid Suffolk totals, shows 2
although it is not flagged). Never sum tonnages over districts; the rate of a
flagged row is the shared authority's rate, not the district's own.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from wcc_analysis.core import paths
from wcc_analysis.core.errors import InputDataError
from wcc_analysis.ingest._validate import coerce_numeric, read_csv, validate
from wcc_analysis.ingest.public.authorities import check_known_codes

RELATIVE_PATH = Path("defra_household_recycling_2021_22") / "household_recycling_by_lad_2021_22.csv"
YEAR = "2021-22"
#: The published rate must equal recycled / collected to this tolerance.
RATE_TOLERANCE = 1e-6

HEADERS = {
    "ons_code": "lad21cd",
    "name": "local_authority",
    "waste_authority_code": "wa21cd",
    "waste_authority": "waste_authority",
    "household_collected_t": "household_collected",
    "household_recycled_t": "household_recycled",
    "household_recycling_rate": "household_recycle_rate",
    "collection_type": "collection_type",
    "population": "population",
}
COLUMNS = [
    "ons_code", "name", "year", "waste_authority_code", "waste_authority", "shared_waste_authority",
    "waste_authority_lads", "household_collected_t", "household_recycled_t", "household_recycling_rate",
    "collection_type", "population",
]

SCHEMA = pa.DataFrameSchema(
    {
        "ons_code": pa.Column(str, pa.Check.str_matches(r"^E0[6-9]\d{6}$"), unique=True),
        "name": pa.Column(str, pa.Check.str_length(min_value=1)),
        "waste_authority_code": pa.Column(str, pa.Check.str_matches(r"^E\d{8}$")),
        "waste_authority": pa.Column(str, pa.Check.str_length(min_value=1)),
        "household_collected_t": pa.Column(float, pa.Check.gt(0)),
        "household_recycled_t": pa.Column(float, pa.Check.ge(0)),
        "household_recycling_rate": pa.Column(float, pa.Check.in_range(0, 1)),
        "collection_type": pa.Column(str, pa.Check.isin(["Co-Mingled", "Two Stream", "Multi-Stream"])),
        "population": pa.Column("Int64", pa.Check.gt(0)),
    }
)


def default_path() -> Path:
    return paths.raw_public_dir() / RELATIVE_PATH


def load_recycling(path: Path | None = None, *, known_codes: Collection[str] | None = None) -> pd.DataFrame:
    """One row per district: ``ons_code, name, year ("2021-22"), waste_authority_code,
    waste_authority, shared_waste_authority`` (bool: wa21cd ≠ lad21cd)``, waste_authority_lads,
    household_collected_t, household_recycled_t`` (tonnes)``, household_recycling_rate``
    (fraction 0–1, as published)``, collection_type, population`` (ONS mid-2021, as in the file).
    """
    path = Path(path) if path else default_path()
    frame = read_csv(path, what="DEFRA household recycling file")
    frame = frame.rename(columns={v: k for k, v in HEADERS.items()})
    frame = coerce_numeric(frame, ["household_collected_t", "household_recycled_t", "household_recycling_rate"],
                           file=path, headers=HEADERS)
    frame = coerce_numeric(frame, ["population"], file=path, integer=True, headers=HEADERS)
    frame = validate(frame, SCHEMA, file=path, headers=HEADERS,
                     fix="restore the file from the source named in data/raw/public/SOURCES.md (section 11)")
    check_known_codes(frame, path, HEADERS["ons_code"], known_codes)
    implied = frame["household_recycled_t"] / frame["household_collected_t"]
    off = (implied - frame["household_recycling_rate"]).abs() > RATE_TOLERANCE
    if off.any():
        first = frame[off].iloc[0]
        raise InputDataError(
            path, f"household_recycle_rate {first['household_recycling_rate']!r} is not "
            f"household_recycled / household_collected ({first['household_recycled_t']:.0f} / "
            f"{first['household_collected_t']:.0f} = {implied[off].iloc[0]:.6f})",
            row=int(first["source_row"]), column=HEADERS["household_recycling_rate"],
            fix="restore the file from the source named in data/raw/public/SOURCES.md (section 11)")
    frame["year"] = YEAR
    frame["shared_waste_authority"] = frame["waste_authority_code"] != frame["ons_code"]
    frame["waste_authority_lads"] = frame.groupby("waste_authority_code")["ons_code"].transform("size").astype(np.int64)
    table = frame[COLUMNS].copy()
    table["population"] = table["population"].astype(np.int64)
    return table.sort_values("ons_code", ignore_index=True)
