"""MHCLG Revenue Outturn detailed service lines (RSX/RO2/RO4/RO5/RO6) for 15 Lancashire councils.

The file (``lancs_ro_detailed_services_long.csv``, see data/raw/public/SOURCES.md
section 8) is one row per council × financial year × form × service line, with
£ thousand columns as published by MHCLG. Only the RSX service-block totals
carry values for 2021-22 to 2023-24; the RO2/RO4/RO5/RO6 sub-lines are filled for
2024-25 only, and 19 of those sub-lines are empty for every council (among them
"Recreation and sport - Sports and recreation facilities including golf courses"
and "Open spaces - Parks and open spaces").

**An empty cell is a missing figure, never zero**: it is kept as NaN. A zero in
the file is a published zero and stays 0.0. Net expenditure and even total
expenditure can be negative as published (accounting adjustments), so no sign
is imposed on the money columns.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from wcc_analysis.core import paths
from wcc_analysis.ingest._validate import coerce_numeric, read_csv, validate
from wcc_analysis.ingest.public.authorities import check_known_codes

RELATIVE_PATH = Path("lancs_ro_detail_burnleycouncil") / "lancs_ro_detailed_services_long.csv"

FORMS = ("RSX", "RO2", "RO4", "RO5", "RO6")
#: RS/RO authority classes (shire district, unitary, metropolitan district, London borough, shire county, other).
CLASSES = ("SD", "UA", "MD", "L", "SC", "O")

HEADERS = {
    "ons_code": "ons_code",
    "council_name": "council_name",
    "authority_class": "council_class",
    "year": "financial_year",
    "certified": "certified",
    "form": "form",
    "line": "service",
    "total_expenditure_gbp_thousands": "total_expenditure_thousands",
    "total_income_gbp_thousands": "total_income_thousands",
    "net_expenditure_gbp_thousands": "net_current_expenditure_thousands",
}
MONEY = ["net_expenditure_gbp_thousands", "total_expenditure_gbp_thousands", "total_income_gbp_thousands"]
COLUMNS = ["ons_code", "council_name", "authority_class", "year", "form", "line", *MONEY, "certified"]

SCHEMA = pa.DataFrameSchema(
    {
        "ons_code": pa.Column(str, pa.Check.str_matches(r"^E\d{8}$")),
        "council_name": pa.Column(str, pa.Check.str_length(min_value=1)),
        "authority_class": pa.Column(str, pa.Check.isin(list(CLASSES))),
        "year": pa.Column(str, pa.Check.str_matches(r"^20\d\d-\d\d$")),
        "certified": pa.Column(str, pa.Check.isin(["True", "False"])),
        "form": pa.Column(str, pa.Check.isin(list(FORMS))),
        "line": pa.Column(str, pa.Check.str_length(min_value=1)),
        **{m: pa.Column(float, nullable=True) for m in MONEY},
    },
    unique=["ons_code", "year", "form", "line"],
)


def default_path() -> Path:
    return paths.raw_public_dir() / RELATIVE_PATH


def load_ro_detail(path: Path | None = None, *, known_codes: Collection[str] | None = None) -> pd.DataFrame:
    """Long table, one row per council × year × form × line, sorted by those keys.

    Columns: ``ons_code, council_name, authority_class, year, form, line,
    net_expenditure_gbp_thousands, total_expenditure_gbp_thousands,
    total_income_gbp_thousands`` (£ thousand, float, NaN where the file is empty)
    and ``certified`` (bool, as published). ``line`` is the service line as published.
    ``council_name`` is as published for that year (e.g. "Hyndburn" / "Hyndburn BC").
    """
    path = Path(path) if path else default_path()
    frame = read_csv(path, what="Revenue Outturn detailed lines file")
    frame = frame.rename(columns={v: k for k, v in HEADERS.items()})
    frame = coerce_numeric(frame, MONEY, file=path, headers=HEADERS)
    for column in ("ons_code", "form", "year", "authority_class"):
        if column in frame:
            frame[column] = frame[column].str.strip()
    frame = validate(frame, SCHEMA, file=path, headers=HEADERS,
                     fix="restore the file from the source named in data/raw/public/SOURCES.md (section 8)")
    check_known_codes(frame, path, HEADERS["ons_code"], known_codes)
    table = frame[COLUMNS].copy()
    table["certified"] = table["certified"] == "True"
    table[MONEY] = table[MONEY].astype(float)
    return table.sort_values(["ons_code", "year", "form", "line"], ignore_index=True)
