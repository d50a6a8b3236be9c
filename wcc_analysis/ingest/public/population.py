"""ONS Census 2011 and 2021 population per local authority district (England and Wales)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from wcc_analysis.core import paths
from wcc_analysis.ingest._validate import coerce_numeric, read_csv, validate

RELATIVE_PATH = Path("ons_census2021_population") / "lad_population_census2011_2021_rank.csv"

HEADERS = {"ons_code": "LAD", "name": "NAME", "county": "COUNTY", "region": "REGION",
           "pop_2011": "POP11", "pop_2021": "POP21"}
COLUMNS = ["ons_code", "name", "county", "region", "pop_2011", "pop_2021"]

SCHEMA = pa.DataFrameSchema(
    {
        "ons_code": pa.Column(str, pa.Check.str_matches(r"^[EW]\d{8}$"), unique=True),
        "name": pa.Column(str),
        "county": pa.Column(str, nullable=True),  # blank for unitary authorities and Wales
        "region": pa.Column(str),
        "pop_2011": pa.Column("Int64", pa.Check.gt(0)),
        "pop_2021": pa.Column("Int64", pa.Check.gt(0)),
    }
)


def default_path() -> Path:
    return paths.raw_public_dir() / RELATIVE_PATH


def load_census_population(path: Path | None = None) -> pd.DataFrame:
    """Census population per LAD: ``ons_code, name, county, region, pop_2011, pop_2021`` (ints).

    2021 figures are rounded to the nearest 100 as published; 2011 are exact counts.
    """
    path = Path(path) if path else default_path()
    frame = read_csv(path, what="Census population file").rename(columns={v: k for k, v in HEADERS.items()})
    frame = coerce_numeric(frame, ["pop_2011", "pop_2021"], file=path, integer=True, headers=HEADERS)
    frame = validate(frame, SCHEMA, file=path, headers=HEADERS,
                     fix="populations must be positive whole numbers; restore the published file")
    table = frame[COLUMNS].astype({"pop_2011": "int64", "pop_2021": "int64"})
    return table.sort_values("ons_code", ignore_index=True)
