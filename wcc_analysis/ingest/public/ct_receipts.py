"""DLUHC "Receipts of Council Taxes" per billing authority: annual receipts 2010-11 to 2022-23.

Read from Table 5 (``ct_receipts_quarterly_2010-11_to_2022-23_by_la_table5.csv``,
data/raw/public/SOURCES.md section 2), which publishes, per authority, the four
quarters of each year followed by the column "Total receipts of council taxes
collected during the financial year - YYYY to YYYY (Q1 to Q4)". That published
annual total is kept as ``receipts_gbp_thousands`` (£ thousand). It is every
council tax receipt in the year: in respect of the year itself, arrears of earlier
years and payments in advance for the next year. It is **not** the in-year
receipts of Table 4 ("in respect of 2022 to 2023"), which Table 5 does not give
for other years: Worcester 2022-23 = 61,302 here = Table 4's total 61,302 =
in-year 60,191 + previous years 517 + next year 594.

The published total is used as it is; it differs from the sum of the quarters by
£1k–2k for a few authority-years and by £212k for Arun in 2020-21 (as published).

England and region aggregate rows (class "Eng") are dropped. Authority-years
marked "[z]" (not applicable: the authority did not exist that year) have no
row. ONS codes are as published; a blank ONS code is filled from mySociety's
E-code lookup, as in ``revenue_outturn``. When Table 4 is given, its total for its
year must agree with Table 5 (±£1k) for every authority in both.

Receipts are a VOLUME (they grow with the tax base and the tax rate), not a
performance measure: never use them to rate a council "best in class".
"""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from wcc_analysis.core import paths
from wcc_analysis.core.errors import InputDataError
from wcc_analysis.ingest._validate import coerce_numeric, read_csv, validate
from wcc_analysis.ingest.public.authorities import check_known_codes

DIRECTORY = Path("dluhc_council_tax_receipts")
TABLE5 = DIRECTORY / "ct_receipts_quarterly_2010-11_to_2022-23_by_la_table5.csv"
TABLE4 = DIRECTORY / "ct_receipts_2022-23_by_la_table4.csv"

AGGREGATE_CLASS = "Eng"
CLASSES = ("SD", "UA", "MD", "L")
#: Cells meaning "no figure" in DLUHC tables: [z] not applicable, [x] not available, [c] confidential.
PLACEHOLDER_RE = re.compile(r"^(\[[a-z]\]|\.\.|-|…)$")
TOTAL_RE = re.compile(r"^Total receipts of council taxes collected during the financial year - (\d{4}) to (\d{4})")
TABLE4_YEAR_RE = re.compile(r"^Receipts of council taxes in respect of (\d{4}) to (\d{4})$")
TABLE4_TOTAL = "Total receipts of council taxes collected during the financial year"
#: £ thousand allowed between Table 4's and Table 5's total for the same authority and year.
TABLE4_TOLERANCE = 1.0

HEADERS = {"ecode": "E-code", "ons_code": "ONS Code", "name": "Local authority", "authority_class": "Class"}
COLUMNS = ["ons_code", "ecode", "name", "authority_class", "year", "receipts_gbp_thousands"]
FIX = "restore the file from the source named in data/raw/public/SOURCES.md (section 2)"

ID_SCHEMA = pa.DataFrameSchema(
    {
        "ecode": pa.Column(str, pa.Check.str_matches(r"^E\d{4}$"), unique=True),
        "ons_code": pa.Column(str, pa.Check.str_matches(r"^E\d{8}$"), nullable=True),
        "name": pa.Column(str, pa.Check.str_length(min_value=1)),
        "authority_class": pa.Column(str, pa.Check.isin(list(CLASSES))),
    }
)
ONS_KEY = pa.DataFrameSchema({"ons_code": pa.Column(str)}, unique=["ons_code"])


def default_paths() -> tuple[Path, Path]:
    """(Table 5, Table 4) in data/raw/public."""
    root = paths.raw_public_dir()
    return root / TABLE5, root / TABLE4


def _blank_placeholders(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    frame = frame.copy()
    for column in columns:
        text = frame[column].astype("string").str.strip()
        frame[column] = text.mask(text.str.match(PLACEHOLDER_RE.pattern).fillna(False))
    return frame


def _year(match: re.Match, file: str, column: str) -> str:
    start, end = int(match.group(1)), int(match.group(2))
    if end != start + 1:
        raise InputDataError(file, f"the header {column!r} does not name one financial year",
                             column=column, fix=FIX)
    return f"{start}-{end % 100:02d}"


def _authorities(frame: pd.DataFrame, path: Path, lookup_path: Path | None) -> pd.DataFrame:
    """Drop aggregate rows, validate the identifying columns, fill blank ONS codes from the lookup."""
    if "authority_class" in frame:
        frame = frame[frame["authority_class"].str.strip() != AGGREGATE_CLASS].copy()
        for column in ("ecode", "ons_code", "authority_class", "name"):
            if column in frame:
                frame[column] = frame[column].str.strip()
    frame = validate(frame, ID_SCHEMA, file=path, headers=HEADERS, fix=FIX)
    blank = frame["ons_code"].isna()
    if blank.any():
        from wcc_analysis.ingest.public.revenue_outturn import ecode_lookup

        lookup = ecode_lookup(lookup_path)
        frame.loc[blank, "ons_code"] = frame.loc[blank, "ecode"].map(lookup)
        still = frame[frame["ons_code"].isna()]
        if not still.empty:
            first = still.iloc[0]
            raise InputDataError(
                path, f"no ONS code for E-code {first['ecode']!r} ({first['name']}): the cell is blank and "
                "the mySociety lookup has no such E-code", row=int(first["source_row"]), column=HEADERS["ons_code"],
                fix="enter the authority's ONS code, or add its E-code to "
                "data/raw/public/mysociety_la_lookup/uk_local_authorities.csv")
    validate(frame, ONS_KEY, file=path, headers=HEADERS, fix=FIX)
    return frame


def load_table5(path: Path | None = None, *, lookup_path: Path | None = None,
                known_codes: Collection[str] | None = None) -> pd.DataFrame:
    """Table 5 → ``ons_code, ecode, name, authority_class, year, receipts_gbp_thousands`` + ``source_row``."""
    path = Path(path) if path else default_paths()[0]
    raw = read_csv(path, what="council tax receipts Table 5")
    raw = raw.rename(columns={v: k for k, v in HEADERS.items()})
    totals = {c: _year(m, path.name, c) for c in raw.columns if (m := TOTAL_RE.match(c))}
    if not totals:
        raise InputDataError(path, "no column headed 'Total receipts of council taxes collected during the "
                             "financial year - YYYY to YYYY (Q1 to Q4)'; columns found: "
                             + ", ".join(repr(c) for c in raw.columns if c != "source_row"),
                             column="Total receipts ...", fix="check this is Table 5 of the DLUHC live table")
    frame = _authorities(raw, path, lookup_path)
    frame = _blank_placeholders(frame, list(totals))
    frame = coerce_numeric(frame, list(totals), file=path)
    money = pa.DataFrameSchema({c: pa.Column(float, pa.Check.ge(0), nullable=True) for c in totals})
    frame = validate(frame, money, file=path,
                     fix="receipts for a year cannot be negative; restore the published file")
    check_known_codes(frame, path, HEADERS["ons_code"], known_codes)
    long = frame.melt(id_vars=["ons_code", "ecode", "name", "authority_class", "source_row"],
                      value_vars=list(totals), var_name="column", value_name="receipts_gbp_thousands")
    long["year"] = long["column"].map(totals)
    long = long.dropna(subset=["receipts_gbp_thousands"])
    return long[[*COLUMNS, "source_row"]]


def check_table4(table5: pd.DataFrame, path: Path, *, file5: str) -> None:
    """Table 4's total receipts must equal Table 5's annual total for the same year (±£1k)."""
    raw = read_csv(path, what="council tax receipts Table 4").rename(columns={v: k for k, v in HEADERS.items()})
    years = [_year(m, path.name, c) for c in raw.columns if (m := TABLE4_YEAR_RE.match(c))]
    if not years or TABLE4_TOTAL not in raw.columns:
        raise InputDataError(path, f"expected columns 'Receipts of council taxes in respect of YYYY to YYYY' "
                             f"and {TABLE4_TOTAL!r}", column=TABLE4_TOTAL, fix="check this is Table 4")
    year = years[0]
    frame = _authorities(raw, path, None)
    frame = coerce_numeric(_blank_placeholders(frame, [TABLE4_TOTAL]), [TABLE4_TOTAL], file=path)
    both = frame.merge(table5.loc[table5["year"] == year, ["ecode", "receipts_gbp_thousands"]], on="ecode")
    off = (both[TABLE4_TOTAL] - both["receipts_gbp_thousands"]).abs() > TABLE4_TOLERANCE
    if off.any():
        first = both[off].sort_values("source_row").iloc[0]
        raise InputDataError(
            path, f"{first['name']}: total receipts {first[TABLE4_TOTAL]:,.0f} differ from "
            f"{first['receipts_gbp_thousands']:,.0f} in {file5} for {year}",
            row=int(first["source_row"]), column=TABLE4_TOTAL,
            fix="use Table 4 and Table 5 from the same edition of the live table")


def load_ct_receipts(table5_path: Path | None = None, table4_path: Path | None = None, *,
                     lookup_path: Path | None = None, check_table4_file: bool = True,
                     known_codes: Collection[str] | None = None) -> pd.DataFrame:
    """Annual council tax receipts per billing authority (£ thousand), one row per authority and year.

    Columns ``ons_code, ecode, name, authority_class`` (SD/UA/MD/L)``, year`` ("2022-23")
    ``, receipts_gbp_thousands``; sorted by ONS code and year. Default paths: data/raw/public.
    With the default (or a given) Table 4, its total is cross-checked against Table 5.
    """
    default5, default4 = default_paths()
    table5_path = Path(table5_path) if table5_path else default5
    table = load_table5(table5_path, lookup_path=lookup_path, known_codes=known_codes)
    if check_table4_file:
        table4_path = Path(table4_path) if table4_path else (default4 if table5_path == default5 else None)
        if table4_path is not None:
            check_table4(table, table4_path, file5=table5_path.name)
    return table[COLUMNS].sort_values(["ons_code", "year"], ignore_index=True)
