"""Council tax in-year collection rates, 14 Lancashire billing authorities, 2019-20 to 2024-25.

From ``lancs_ct_collection_rates.csv`` (data/raw/public/SOURCES.md section 9): MHCLG
"Collection rates for council tax and non-domestic rates in England" (Table 6),
compiled per council. The rate is the share of the year's net collectable debit
collected within the year; the amounts are £ thousand. The published rate must
agree with collected / net collectable (to the rounding of the amounts).
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from wcc_analysis.core import paths
from wcc_analysis.core.errors import InputDataError
from wcc_analysis.ingest._validate import coerce_numeric, read_csv, validate
from wcc_analysis.ingest.public.authorities import check_known_codes

RELATIVE_PATH = Path("lancs_ct_collection_rates_burnleycouncil") / "lancs_ct_collection_rates.csv"
#: Percentage points allowed between the published rate and collected / collectable × 100
#: (the amounts are rounded to £1,000; the largest gap in the file is 0.005).
RATE_TOLERANCE_PCT = 0.05

HEADERS = {
    "ons_code": "ons_code",
    "name": "council_name",
    "year": "financial_year",
    "collection_rate_pct": "collection_rate_pct",
    "net_collectable_gbp_thousands": "net_collectable_thousands",
    "collected_gbp_thousands": "collected_thousands",
}
COLUMNS = ["ons_code", "name", "year", "collection_rate_pct", "net_collectable_gbp_thousands",
           "collected_gbp_thousands"]

SCHEMA = pa.DataFrameSchema(
    {
        "ons_code": pa.Column(str, pa.Check.str_matches(r"^E\d{8}$")),
        "name": pa.Column(str, pa.Check.str_length(min_value=1)),
        "year": pa.Column(str, pa.Check.str_matches(r"^20\d\d-\d\d$")),
        "collection_rate_pct": pa.Column(float, pa.Check.in_range(0, 100)),
        "net_collectable_gbp_thousands": pa.Column(float, pa.Check.gt(0)),
        "collected_gbp_thousands": pa.Column(float, pa.Check.ge(0)),
    },
    unique=["ons_code", "year"],
)


def default_path() -> Path:
    return paths.raw_public_dir() / RELATIVE_PATH


def load_ct_collection(path: Path | None = None, *, known_codes: Collection[str] | None = None) -> pd.DataFrame:
    """One row per billing authority and year: ``ons_code, name, year, collection_rate_pct``
    (in-year %, 0–100)``, net_collectable_gbp_thousands, collected_gbp_thousands``; sorted."""
    path = Path(path) if path else default_path()
    frame = read_csv(path, what="council tax collection rates file")
    frame = frame.rename(columns={v: k for k, v in HEADERS.items()})
    frame = coerce_numeric(frame, ["collection_rate_pct", "net_collectable_gbp_thousands",
                                   "collected_gbp_thousands"], file=path, headers=HEADERS)
    frame = validate(frame, SCHEMA, file=path, headers=HEADERS,
                     fix="restore the file from the source named in data/raw/public/SOURCES.md (section 9)")
    check_known_codes(frame, path, HEADERS["ons_code"], known_codes)
    implied = frame["collected_gbp_thousands"] / frame["net_collectable_gbp_thousands"] * 100
    off = (implied - frame["collection_rate_pct"]).abs() > RATE_TOLERANCE_PCT
    if off.any():
        first = frame[off].iloc[0]
        raise InputDataError(
            path, f"collection rate {first['collection_rate_pct']!r} % does not match collected / "
            f"net collectable ({implied[off].iloc[0]:.2f} %)",
            row=int(first["source_row"]), column=HEADERS["collection_rate_pct"],
            fix="correct the rate or the amounts (restore the published file)")
    return frame[COLUMNS].sort_values(["ons_code", "year"], ignore_index=True)
