"""DEFRA fly-tipping incidents reported by local authorities in England, 2012-13 … 2022-23.

Read as published from ``flytipping_la.ods`` ("Fly-tipping incidents and actions reported by
local authorities 2012-13 to 2022-23", released 17 January 2024, revised 13 March 2024), sheet
``LA_incidents``, found by its labels: the header is the row holding ``Year``, ``ONS Code``,
``LA Name`` and ``Total Incidents`` (two banner rows sit above it). Data rows run to the first
blank ``Year``. The England and regional rows (``ONS Code`` "*Total") are left out.

Kept as published: ``Total Incidents`` (count), and — published from 2019-20 only — ``Mid
population estimates`` (the ONS vintage DEFRA used: for 2022-23 the mid-2022 release, e.g.
Worcester 104,120, which the mid-2023 release revised to 104,119) and ``Incidents per 1,000 people``, plus ``Reporting basis``
(e.g. "All incidents", "Customer/public reported only": the basis changes the count, so compare
like with like). The published rate is checked against incidents / population × 1,000.
``:`` (data not available, 20 authority-years, e.g. Nottingham 2012-13 … 2015-16) is missing,
never 0: such rows are kept with ``incidents`` missing. Isles of Scilly reports 0 every year
(a real zero). DEFRA notes that some authorities' returns were estimated or incomplete and that
the England total includes estimates not shown per authority (see the file's Notes sheet).

Authority codes are the ONS codes of the year; :func:`~.waste_collection.map_authority_codes`
gives the mySociety lookup's code (every row maps in this edition).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from wcc_analysis.core import paths
from wcc_analysis.core.errors import InputDataError
from wcc_analysis.ingest._validate import validate
from wcc_analysis.ingest.public.mid_year_population import read_sheets
from wcc_analysis.ingest.public.waste_collection import (
    CODE_SOURCES,
    YEAR_RE,
    add_year_start,
    clean_name,
    lookup_frame,
    map_authority_codes,
    read_defra_block,
)

RELATIVE_PATH = Path("defra_lacw_2022-23_and_flytipping") / "flytipping_la.ods"
SHEET = "LA_incidents"
SOURCE_EDITION = "2022-23, revised 13 March 2024"
AGGREGATE_CODE = "*Total"
#: The published rate must equal incidents / population × 1,000 to this tolerance.
RATE_TOLERANCE = 1e-6

ID_COLUMNS = {"year": "Year", "ons_code_published": "ONS Code", "authority_name": "LA Name",
              "region": "Region", "reporting_basis": "Reporting basis"}
NUMBERS = {"incidents": "Total Incidents", "population_published": "Mid population estimates",
           "incidents_per_1000_published": "Incidents per 1,000 people"}

COLUMNS = [
    "ons_code", "ons_code_published", "ons_code_source", "authority_name", "region", "year", "year_start",
    "incidents", "population_published", "incidents_per_1000_published", "reporting_basis", "source_edition",
    "source_row",
]

SCHEMA = pa.DataFrameSchema(
    {
        "year": pa.Column(str, pa.Check.str_matches(YEAR_RE.pattern)),
        "ons_code_published": pa.Column(str, pa.Check.str_matches(r"^E\d{8}$")),
        "authority_name": pa.Column(str, pa.Check.str_length(min_value=1)),
        "incidents": pa.Column(float, pa.Check.ge(0), nullable=True),
        "population_published": pa.Column(float, pa.Check.gt(0), nullable=True),
        "incidents_per_1000_published": pa.Column(float, pa.Check.ge(0), nullable=True),
    },
    unique=["ons_code_published", "year"],
)
MAPPED_KEY = pa.DataFrameSchema({"ons_code": pa.Column(str, nullable=True),
                                 "ons_code_source": pa.Column(str, pa.Check.isin(CODE_SOURCES))},
                                unique=["ons_code", "year"])
FIX = "restore the DEFRA file as published (see data/raw/public/defra_lacw_2022-23_and_flytipping/PROVENANCE.md)"


def default_path() -> Path:
    return paths.raw_public_dir() / RELATIVE_PATH


def load_fly_tipping(path: Path | None = None, *, lookup_path: Path | None = None) -> pd.DataFrame:
    """One row per authority and financial year, 2012-13 … 2022-23.

    Columns: ``ons_code`` (lookup code), ``ons_code_published``, ``ons_code_source``,
    ``authority_name`` (as published, stripped), ``region``, ``year`` ("2022-23"), ``year_start``,
    ``incidents`` (total fly-tipping incidents, Int64; missing where DEFRA shows ``:``),
    ``population_published`` (Int64, as published, 2019-20 on), ``incidents_per_1000_published``
    (as published, 2019-20 on), ``reporting_basis`` (missing before 2019-20), ``source_edition``,
    ``source_row``. The rate per 1,000 for other years is for the analysis to compute from the
    mid-year population, saying so.
    """
    path = Path(path) if path else default_path()
    file = path  # errors show it relative to the project
    raw = read_sheets(path, [SHEET])[SHEET]
    frame, headers = read_defra_block(
        raw, ID_COLUMNS, NUMBERS, file=file, sheet=SHEET,
        header_labels=["Year", "ONS Code", "LA Name", "Total Incidents"],
        is_aggregate=lambda r: r["ons_code_published"] == AGGREGATE_CODE, whole=["incidents", "population_published"])
    frame["reporting_basis"] = frame["reporting_basis"].where(~frame["reporting_basis"].isin(["", ":"]))
    frame = validate(frame, SCHEMA, file=file, sheet=SHEET, headers=headers,
                     fix="incidents are whole numbers of at least 0 (':' where not available); " + FIX)
    both = frame["population_published"].notna() & frame["incidents"].notna()
    implied = frame["incidents"] / frame["population_published"] * 1000
    off = both & ((implied - frame["incidents_per_1000_published"]).abs() > RATE_TOLERANCE)
    if off.any():
        first = frame[off].iloc[0]
        raise InputDataError(
            file, f"incidents per 1,000 people {first['incidents_per_1000_published']:g} is not incidents / "
            f"population × 1,000 ({first['incidents']:.0f} / {first['population_published']:.0f} × 1,000 = "
            f"{implied[off].iloc[0]:.6f})", row=int(first["source_row"]),
            column=headers["incidents_per_1000_published"], sheet=SHEET, fix=FIX)
    frame = add_year_start(frame, file=file, sheet=SHEET, column=headers["year"])
    frame["authority_name"] = frame["authority_name"].map(clean_name)
    frame = map_authority_codes(frame, lookup_frame(lookup_path))
    validate(frame, MAPPED_KEY, file=file, sheet=SHEET,
             headers={**headers, "ons_code": headers["ons_code_published"]},
             fix="two rows map to the same authority and year; " + FIX)
    frame["source_edition"] = SOURCE_EDITION
    table = frame[COLUMNS].astype({"incidents": "Int64", "population_published": "Int64", "source_row": np.int64})
    return table.sort_values(["year", "ons_code_published"], ignore_index=True)
