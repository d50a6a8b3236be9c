"""HM Treasury GDP deflator at market prices, calendar years (data/raw/public/hmt_gdp_deflator_calendar_greenbook/).

``gdp_deflator.csv`` (columns ``year``, ``value``) is the calendar-year series
1990–2024, 2024 = 100, extracted (rounded to 4 dp) by the ``greenbook`` R
package from HM Treasury's ``CGDP_Deflators_Qtrly_National_Accounts_December_2025_update.xlsx``;
``data_versions.csv`` names the release (row ``dataset == "gdp_deflator"``,
column ``source``), kept as ``source_release``. The reader checks that the
years are whole, unique and consecutive, that every index is positive, and
that the index is 100 in the base year the release names ("2024 = 100").

Calendar years only: financial-year deflators are derived in
:mod:`wcc_analysis.analysis.prices` (¾ × calendar YYYY + ¼ × calendar YYYY+1).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from wcc_analysis.core import paths
from wcc_analysis.core.errors import InputDataError
from wcc_analysis.ingest._validate import coerce_numeric, read_csv, validate

DIRECTORY = Path("hmt_gdp_deflator_calendar_greenbook")
SERIES = DIRECTORY / "gdp_deflator.csv"
VERSIONS = DIRECTORY / "data_versions.csv"
DATASET = "gdp_deflator"
BASE_RE = re.compile(r"\b(\d{4})\s*=\s*100\b")
#: How far the index may be from 100 in the base year (the series is rounded to 4 dp).
BASE_TOLERANCE = 0.00005

COLUMNS = ["calendar_year", "deflator_index", "source_release"]
HEADERS = {"calendar_year": "year", "deflator_index": "value"}
FIX = "restore the file from the source named in this folder's PROVENANCE.md"

SCHEMA = pa.DataFrameSchema(
    {
        "calendar_year": pa.Column("Int64", pa.Check.in_range(1900, 2100), unique=True),
        "deflator_index": pa.Column(float, pa.Check.gt(0)),
    }
)


def default_paths() -> tuple[Path, Path]:
    """(gdp_deflator.csv, data_versions.csv) in data/raw/public."""
    root = paths.raw_public_dir()
    return root / SERIES, root / VERSIONS


def read_release(path: Path) -> str:
    """The ``source`` of the ``gdp_deflator`` row of data_versions.csv."""
    versions = read_csv(path, what="data versions file")
    if not {"dataset", "source"} <= set(versions.columns):
        raise InputDataError(path, "missing column(s) 'dataset' and/or 'source'; columns found: "
                             + ", ".join(repr(c) for c in versions.columns if c != "source_row"),
                             column="dataset", fix=FIX)
    rows = versions[versions["dataset"].str.strip() == DATASET]
    if rows.empty:
        raise InputDataError(path, f"no row with dataset {DATASET!r}", column="dataset", fix=FIX)
    source = str(rows["source"].iloc[0]).strip()
    if not source or source == "nan":
        raise InputDataError(path, "the gdp_deflator row has no source", row=int(rows["source_row"].iloc[0]),
                             column="source", fix=FIX)
    return source


def load_gdp_deflator(path: Path | None = None, versions_path: Path | None = None) -> pd.DataFrame:
    """Calendar-year GDP deflator: ``calendar_year`` (int), ``deflator_index`` (base year = 100), ``source_release``."""
    default_series, default_versions = default_paths()
    path = Path(path) if path else default_series
    versions_path = Path(versions_path) if versions_path else default_versions
    release = read_release(versions_path)

    raw = read_csv(path, what="GDP deflator series").rename(columns={v: k for k, v in HEADERS.items()})
    frame = coerce_numeric(raw, ["calendar_year"], file=path, integer=True, headers=HEADERS)
    frame = coerce_numeric(frame, ["deflator_index"], file=path, headers=HEADERS)
    frame = validate(frame, SCHEMA, file=path, headers=HEADERS, fix=FIX)
    frame = frame.sort_values("calendar_year", ignore_index=True)
    years = frame["calendar_year"].astype(int)
    gaps = years.diff().fillna(1) != 1
    if gaps.any():
        at = frame[gaps].iloc[0]
        raise InputDataError(path, f"calendar year {int(at['calendar_year'])} does not follow "
                             f"{int(years[gaps.to_numpy().argmax() - 1])}: the series must have every year",
                             row=int(at["source_row"]), column="year", fix=FIX)
    match = BASE_RE.search(release)
    if match:
        base = int(match.group(1))
        at_base = frame[years == base]
        if at_base.empty or abs(float(at_base["deflator_index"].iloc[0]) - 100) > BASE_TOLERANCE:
            found = "missing" if at_base.empty else f"{float(at_base['deflator_index'].iloc[0]):g}"
            raise InputDataError(
                path, f"the release says {base} = 100 but the index for {base} is {found}",
                row=None if at_base.empty else int(at_base["source_row"].iloc[0]), column="value",
                fix="use the series and data_versions.csv of the same release")
    frame["calendar_year"] = years
    frame["source_release"] = release
    return frame[COLUMNS]
