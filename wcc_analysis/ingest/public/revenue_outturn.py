"""MHCLG Revenue Outturn Summary (RS) workbooks → net current expenditure per authority, year, block.

Reads the workbooks in the format GOV.UK publishes them (.xls, .xlsx or .ods)
with ``pd.read_excel(engine="calamine", header=None)`` and finds everything by
its label, never by position: the data sheet is the one whose title lines say
"Net current expenditure"; the header row is the row whose first cell is
"E-code"; the service blocks are the columns from "Education services" up to
the "TOTAL SERVICE EXPENDITURE ..." column (kept as "Total service expenditure").

ONS codes: 2014-15 and later workbooks publish them; older ones do not. The
E-code is joined to mySociety's lookup (``ecode``) in every year, so that one
E-code keeps one ONS code across years (the 2017-18 workbook publishes
E10000022 for North Yorkshire, whose code is E10000023, and the London region
code for the GLA); otherwise the code published in the workbook is used, and
otherwise the (E-code, ONS code) pairs the 2014-15+ workbooks publish (police,
fire and other bodies), the latest workbook winning. ``ons_code_source`` says
which applied, and what the workbook published where that differs.
Bodies with no ONS code anywhere (police and passenger transport authorities
abolished before 2014-15, all class "O") are kept with ``ons_code`` missing and
``ons_code_source == "unmatched"``; an unmatched *council* (any class but "O")
is an InputDataError.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from wcc_analysis.core import paths
from wcc_analysis.core.errors import InputDataError
from wcc_analysis.core.text import blank_if_missing
from wcc_analysis.ingest._validate import validate

log = logging.getLogger(__name__)

RS_SUBDIR = Path("mhclg_revenue_outturn_rs") / "original"
WORKBOOK_SUFFIXES = (".xls", ".xlsx", ".ods")

TITLE_WANTED = "net current expenditure"
FIRST_BLOCK = "education services"
TOTAL_PREFIX = "total service expenditure"
TOTAL_BLOCK = "Total service expenditure"
#: Cell contents that mean "no figure": as used in the published workbooks.
PLACEHOLDERS = frozenset({"", "…", "...", "-", "n/a"})
#: RS authority classes: shire district, unitary, metropolitan district,
#: London borough, shire county, other (police, fire, GLA, transport, ...).
RS_CLASSES = frozenset({"SD", "UA", "MD", "L", "SC", "O"})

ECODE_RE = re.compile(r"^E\d{4}$")
ONS_RE = r"^[EWSN]\d{8}$"
YEAR_RE = re.compile(r"(20\d\d)\s*-\s*(\d\d)")

SOURCE_PUBLISHED = "published in workbook"
SOURCE_LOOKUP = "mysociety ecode lookup"
SOURCE_UNMATCHED = "unmatched"

COLUMNS = [
    "ons_code", "ecode", "authority_name", "authority_class", "year", "year_start",
    "rs_block", "net_expenditure_gbp_thousands", "ons_code_source",
    "source_file", "source_sheet", "source_row",
]

SCHEMA = pa.DataFrameSchema(
    {
        "ons_code": pa.Column(str, pa.Check.str_matches(ONS_RE), nullable=True),
        "ecode": pa.Column(str, pa.Check.str_matches(r"^E\d{4}$")),
        "authority_name": pa.Column(str, pa.Check.str_length(min_value=1)),
        "authority_class": pa.Column(str, pa.Check.isin(sorted(RS_CLASSES))),
        "year": pa.Column(str, pa.Check.str_matches(r"^20\d\d-\d\d$")),
        "year_start": pa.Column(int, pa.Check.in_range(1990, 2100)),
        "rs_block": pa.Column(str, pa.Check.str_length(min_value=1)),
        "net_expenditure_gbp_thousands": pa.Column(float, nullable=True),
        "ons_code_source": pa.Column(str),
        "source_file": pa.Column(str),
        "source_sheet": pa.Column(str),
        "source_row": pa.Column(int, pa.Check.ge(1)),
    },
    unique=["ecode", "year", "rs_block"],
)
#: The ONS code is a key too, where there is one.
ONS_KEY_SCHEMA = pa.DataFrameSchema(
    {"ons_code": pa.Column(str), "year": pa.Column(str), "rs_block": pa.Column(str)},
    unique=["ons_code", "year", "rs_block"],
)
HEADERS = {
    "ons_code": "ONS Code", "ecode": "E-code", "authority_name": "Local authority",
    "authority_class": "Class",
}


def default_directory() -> Path:
    return paths.raw_public_dir() / RS_SUBDIR


def rs_workbooks(directory: Path | None = None) -> list[Path]:
    """The RS workbooks in ``directory`` (default data/raw/public/.../original), sorted by name."""
    directory = directory or default_directory()
    return sorted(
        p for p in directory.iterdir()
        if p.suffix.lower() in WORKBOOK_SUFFIXES and not p.name.startswith(("~$", "."))
    )


def _header_row(frame: pd.DataFrame) -> int | None:
    for i, value in enumerate(frame.iloc[:, 0].tolist() if frame.shape[1] else []):
        if blank_if_missing(value).lower() == "e-code":
            return i
    return None


def _title_lines(frame: pd.DataFrame, header: int) -> list[str]:
    """The first non-empty cell of each row above the header."""
    lines = []
    for i in range(header):
        cells = [blank_if_missing(v) for v in frame.iloc[i].tolist()]
        first = next((c for c in cells if c), "")
        if first:
            lines.append(first)
    return lines


def _year(sheet: str, titles: Sequence[str], file: str) -> tuple[str, int]:
    for text in [sheet, *titles]:
        match = YEAR_RE.search(text)
        if match:
            start, end = int(match.group(1)), int(match.group(2))
            if (start + 1) % 100 != end:
                continue
            return f"{start}-{end:02d}", start
    raise InputDataError(
        file, "cannot tell which financial year this sheet holds (no 'YYYY-YY' in its name or title)",
        sheet=sheet, fix="use the RS workbook as published by MHCLG, whose sheet names carry the year",
    )


def _read_workbook(path: Path) -> dict[str, pd.DataFrame]:
    """Every candidate sheet of the workbook, read raw (header=None)."""
    try:
        book = pd.ExcelFile(path, engine="calamine")
        names = book.sheet_names
        wanted = [n for n in names if "la data" in n.lower()] or names
        return {n: pd.read_excel(book, sheet_name=n, header=None) for n in wanted}
    except FileNotFoundError:
        raise InputDataError(path.name, "file not found", fix=f"put the RS workbook in {paths.relative_to_root(path.parent)}") from None
    except Exception as exc:  # calamine raises its own error types for damaged files
        raise InputDataError(
            path.name, f"cannot read this workbook ({type(exc).__name__}: {exc})",
            fix="download the workbook again from GOV.UK; it may be truncated or not a spreadsheet",
        ) from None


def _number(value: object, *, file: str, sheet: str, row: int, column: str) -> float:
    if value is None:
        return np.nan
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_)):
        return float(value)
    if isinstance(value, str) and value.strip() in PLACEHOLDERS:
        return np.nan
    raise InputDataError(
        file, f"{value!r} is not a number (net expenditure in £ thousand)",
        row=row, column=column, sheet=sheet,
        fix="enter a number, or leave the cell blank / use '…' if there is no figure",
    )


def read_rs_sheet(frame: pd.DataFrame, *, file: str, sheet: str) -> pd.DataFrame | None:
    """One raw sheet → long rows, or None when it is not a net-current-expenditure sheet."""
    header = _header_row(frame)
    if header is None:
        return None
    titles = _title_lines(frame, header)
    if not any(t.lower().startswith(TITLE_WANTED) for t in titles):
        return None
    year, year_start = _year(sheet, titles, file)
    names = [blank_if_missing(v) for v in frame.iloc[header].tolist()]
    keep = [i for i, name in enumerate(names) if name]  # empty header = spacer column
    lower = {names[i].lower(): i for i in reversed(keep)}  # first occurrence wins
    required = {"e-code": "E-code", "local authority": "Local authority", "class": "Class",
                FIRST_BLOCK: "Education services"}
    missing = [label for key, label in required.items() if key not in lower]
    totals = [i for i in keep if names[i].lower().startswith(TOTAL_PREFIX)]
    if not totals:
        missing.append("TOTAL SERVICE EXPENDITURE ...")
    if missing:
        raise InputDataError(
            file, f"missing column(s) {', '.join(repr(m) for m in missing)} in the header row; "
            f"columns found: {', '.join(repr(names[i]) for i in keep)}",
            row=header + 1, sheet=sheet, column=missing[0],
            fix="check this is an RS 'by LA' workbook as published by MHCLG",
        )
    first, total = lower[FIRST_BLOCK], totals[0]
    blocks = [i for i in keep if first <= i < total] + [total]
    ons_col = lower.get("ons code")
    records = []
    for r in range(header + 1, len(frame)):
        cells = frame.iloc[r].tolist()
        ecode = blank_if_missing(cells[0])
        if not ECODE_RE.match(ecode):
            continue  # blank spacer rows and trailing notes
        row = r + 1
        ons = blank_if_missing(cells[ons_col]) if ons_col is not None else ""
        base = {
            "ons_code": ons or None, "ecode": ecode,
            "authority_name": blank_if_missing(cells[lower["local authority"]]),
            "authority_class": blank_if_missing(cells[lower["class"]]),
            "year": year, "year_start": year_start,
            "source_file": file, "source_sheet": sheet, "source_row": row,
        }
        for i in blocks:
            value = _number(cells[i], file=file, sheet=sheet, row=row, column=names[i])
            block = TOTAL_BLOCK if i == total else names[i]
            records.append({**base, "rs_block": block, "net_expenditure_gbp_thousands": value})
    return pd.DataFrame.from_records(records)


def read_rs_workbook(path: Path) -> pd.DataFrame:
    """One RS workbook → long rows as published (``ons_code`` only where the workbook has one)."""
    path = Path(path)
    sheets = _read_workbook(path)
    parts = [t for name, frame in sheets.items()
             if (t := read_rs_sheet(frame, file=path.name, sheet=name)) is not None]
    if not parts:
        raise InputDataError(
            path.name,
            "no sheet with an 'E-code' header row and a title saying 'Net current expenditure'; "
            f"sheets found: {', '.join(repr(s) for s in sheets)}",
            fix="check this is an RS 'data by LA' workbook as published by MHCLG",
        )
    return pd.concat(parts, ignore_index=True)


def ecode_lookup(lookup_path: Path | None = None) -> dict[str, str]:
    """E-code → ONS code from mySociety's uk_local_authorities.csv (England)."""
    from wcc_analysis.ingest.public.authorities import load_authorities

    table = load_authorities(lookup_path) if lookup_path else load_authorities()
    table = table.dropna(subset=["ecode"])
    return dict(zip(table["ecode"], table["ons_code"], strict=True))


def published_pairs(tables: Iterable[pd.DataFrame]) -> dict[str, tuple[str, str]]:
    """E-code → (ONS code, year) as published in RS workbooks; the latest year wins."""
    pairs: dict[str, tuple[str, str]] = {}
    for table in tables:
        known = table.dropna(subset=["ons_code"]).drop_duplicates("ecode")
        for ecode, ons, year in zip(known["ecode"], known["ons_code"], known["year"], strict=True):
            if ecode not in pairs or year > pairs[ecode][1]:
                pairs[ecode] = (ons, year)
    return pairs


def attach_ons_codes(
    table: pd.DataFrame, lookup: Mapping[str, str], pairs: Mapping[str, tuple[str, str]]
) -> pd.DataFrame:
    """Fill ``ons_code`` (mySociety ecode → published in workbook → RS-published pair) and say which.

    The lookup comes first so one E-code has one ONS code in every year; where a
    workbook published a different code, ``ons_code_source`` records it.
    """
    table = table.copy()
    published = table["ons_code"].copy()
    source = pd.Series(SOURCE_UNMATCHED, index=table.index, dtype=object)
    source[published.notna()] = SOURCE_PUBLISHED
    in_lookup = table["ecode"].isin(lookup.keys())
    table.loc[in_lookup, "ons_code"] = table.loc[in_lookup, "ecode"].map(lookup)
    source[in_lookup] = SOURCE_LOOKUP
    differs = in_lookup & published.notna() & (published != table["ons_code"])
    source[differs] = SOURCE_LOOKUP + "; workbook published " + published[differs]
    from_pairs = table["ons_code"].isna() & table["ecode"].isin(pairs.keys())
    table.loc[from_pairs, "ons_code"] = table.loc[from_pairs, "ecode"].map(lambda e: pairs[e][0])
    source[from_pairs] = table.loc[from_pairs, "ecode"].map(lambda e: f"RS {pairs[e][1]} workbook pair")
    table["ons_code_source"] = source
    return table


def _check_unmatched(table: pd.DataFrame) -> None:
    councils = table[(table["ons_code_source"] == SOURCE_UNMATCHED) & (table["authority_class"] != "O")]
    if not councils.empty:
        first = councils.sort_values("source_row").iloc[0]
        raise InputDataError(
            first["source_file"],
            f"no ONS code found for E-code {first['ecode']!r} ({first['authority_name']}, class "
            f"{first['authority_class']}) in the mySociety lookup or in any RS workbook that publishes ONS codes",
            row=int(first["source_row"]), column="E-code", sheet=first["source_sheet"],
            fix="add the authority's E-code to data/raw/public/mysociety_la_lookup/uk_local_authorities.csv "
            "(update it from mysociety/uk_local_authority_names_and_codes)",
        )


def finish(table: pd.DataFrame) -> pd.DataFrame:
    """Validate one workbook's rows (after ONS codes are attached) and put columns in order."""
    table = table[COLUMNS].copy()
    table = table.astype({"ons_code": "str", "ons_code_source": "str"})
    table["net_expenditure_gbp_thousands"] = table["net_expenditure_gbp_thousands"].astype(float)
    for (file, sheet), part in table.groupby(["source_file", "source_sheet"], sort=False):
        validate(part, SCHEMA, file=file, sheet=sheet, headers=HEADERS,
                 fix="use the RS workbook as published by MHCLG")
        validate(part.dropna(subset=["ons_code"]), ONS_KEY_SCHEMA, file=file, sheet=sheet, headers=HEADERS,
                 fix="two E-codes share one ONS code: correct the ONS code or the ecode lookup")
    _check_unmatched(table)
    return table


def load_revenue_outturn(
    workbooks: Sequence[Path] | None = None, *, lookup_path: Path | None = None
) -> pd.DataFrame:
    """All given RS workbooks (default: every one in data/raw/public) → one validated long table.

    Sorted by year, E-code and block. Fallback (E-code, ONS code) pairs come from
    the workbooks in this call that publish ONS codes.
    """
    workbooks = list(workbooks) if workbooks is not None else rs_workbooks()
    raw = [read_rs_workbook(p) for p in workbooks]
    lookup = ecode_lookup(lookup_path)
    pairs = published_pairs(raw)
    table = pd.concat([attach_ons_codes(t, lookup, pairs) for t in raw], ignore_index=True)
    table = finish(table)
    years = table.groupby("year")["source_file"].nunique()
    if (years > 1).any():
        year = years[years > 1].index[0]
        files = sorted(table.loc[table["year"] == year, "source_file"].unique())
        raise InputDataError(
            files[1], f"year {year} is also in {files[0]}",
            fix="keep one RS workbook per year in the folder (e.g. remove the older revision)",
        )
    unmatched = table.loc[table["ons_code_source"] == SOURCE_UNMATCHED, ["year", "ecode"]].drop_duplicates()
    if len(unmatched):
        log.info("RS: %d authority-years (class O bodies) have no ONS code; kept with ons_code missing",
                 len(unmatched))
    return table.sort_values(["year_start", "ecode", "rs_block"], ignore_index=True)


def load_revenue_outturn_workbook(path: Path, *, lookup_path: Path | None = None) -> pd.DataFrame:
    """One RS workbook → validated long table (ONS codes joined as in ``load_revenue_outturn``)."""
    return load_revenue_outturn([Path(path)], lookup_path=lookup_path)


def unmatched_authorities(table: pd.DataFrame) -> pd.DataFrame:
    """Authorities (per year) left without an ONS code: E-code, name, class, year."""
    cols = ["year", "ecode", "authority_name", "authority_class"]
    return (table.loc[table["ons_code_source"] == SOURCE_UNMATCHED, cols]
            .drop_duplicates().sort_values(cols, ignore_index=True))
