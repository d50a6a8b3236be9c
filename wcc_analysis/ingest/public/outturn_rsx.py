"""MHCLG RSX (Service Expenditure Summary) workbooks, data by LA → RS block source rows.

Read as GOV.UK publishes them (.ods, also .xls/.xlsx) with ``calamine``, by label,
never by position — the header layouts differ between years (2022-23 and 2023-24:
header in row 11 with variable codes, line and column numbers above and the labels
broken over two lines, "Certified"; 2024-25: header in row 7, one-line labels,
"Certification"):

- the data sheet is the one with an ``E-code`` header row holding
  "<block> - <measure> (C1 … C7)" columns; only the sheet's first table is read
  (a second ``E-code`` header starts the class-totals table, which repeats the GLA);
- each "<block> - <measure> (Cn …)" header is split at its last " - "; the block
  is mapped onto the RS block names (an unknown block is an InputDataError naming
  the header cell) and the measure is read from its column number: C3 total
  expenditure, C6 total income, C7 net current expenditure (£ thousand, as
  published; 2024-25 has decimals);
- the financial year comes from the sheet name or its title, the release
  ("first release", "second release") from the front page;
- ``Certified`` / ``Certification`` Y/N → True/False, ``[x]`` → missing;
- a row noted ``M`` ("RO return not received in time for publication") is
  "missing: not submitted"; other placeholders (``[x]``, ``…``, ``-``, …) in a
  submitted row are "missing: not published".
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from wcc_analysis.core import paths
from wcc_analysis.core.errors import InputDataError
from wcc_analysis.core.text import blank_if_missing
from wcc_analysis.ingest.public.outturn_common import (
    ECODE_RE,
    ONS_RE,
    STATUS_NOT_PUBLISHED,
    STATUS_NOT_SUBMITTED,
    STATUS_PUBLISHED,
    canonical_block,
    certified,
    header_row,
    is_placeholder,
    normalise,
    number,
    release_from_front_page,
    rs_class,
    sheet_lines,
    source_frame,
    table_end,
    unknown_block_error,
    year_from_texts,
)

RSX_SUBDIR = Path("mhclg_rsx_2022-23_to_2024-25_ods_dfe")
WORKBOOK_SUFFIXES = (".xls", ".xlsx", ".ods")
#: "<block> - <measure> (Cn ...)": the block is everything before the last dash.
MEASURE_RE = re.compile(r"^(?P<block>.+?)\s*-\s*(?P<measure>[^-]+?)\s*\(\s*(?P<col>C\d)\b[^)]*\)\s*$")
MEASURES = {"C1": "employees", "C2": "running expenses", "C3": "total expenditure",
            "C4": "sales, fees and charges", "C5": "other income", "C6": "total income",
            "C7": "net current expenditure"}
WANTED = {"C3": "total_expenditure_gbp_thousands", "C6": "total_income_gbp_thousands",
          "C7": "net_expenditure_gbp_thousands"}
ID_COLUMNS = {"e-code": "E-code", "ons code": "ONS Code", "local authority": "Local authority", "class": "Class"}
CERTIFIED_LABELS = ("certified", "certification")
NOT_RECEIVED = "M"  # the Notes sheet: "RO return not received in time for publication"
FIX = "use the RSX 'data by LA' workbook as published by MHCLG"


def default_directory() -> Path:
    return paths.raw_public_dir() / RSX_SUBDIR


def rsx_workbooks(directory: Path | None = None) -> list[Path]:
    """The RSX workbooks in ``directory`` (default data/raw/public/mhclg_rsx_…), sorted by name."""
    directory = directory or default_directory()
    return sorted(p for p in directory.iterdir()
                  if p.suffix.lower() in WORKBOOK_SUFFIXES and not p.name.startswith(("~$", ".")))


def _sheets(path: Path) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """The candidate data sheets (raw) and the front page's lines."""
    try:
        book = pd.ExcelFile(path, engine="calamine")
        names = book.sheet_names
        wanted = [n for n in names if "la data" in n.lower().replace("_", " ")] or names
        front = next((n for n in names if "front" in n.lower()), None)
        sheets = {n: pd.read_excel(book, sheet_name=n, header=None) for n in wanted}
        lines = sheet_lines(pd.read_excel(book, sheet_name=front, header=None)) if front else []
    except FileNotFoundError:
        raise InputDataError(path, "file not found",
                             fix=f"put the RSX workbook in {paths.relative_to_root(path.parent)}") from None
    except Exception as exc:  # calamine raises its own error types for damaged files
        raise InputDataError(path, f"cannot read this workbook ({type(exc).__name__}: {exc})",
                             fix="download the workbook again from GOV.UK; it may be truncated or not a spreadsheet",
                             ) from None
    return sheets, lines


def _measure_columns(names: list[str]) -> dict[int, tuple[str, str, str]]:
    """Column index → (block, measure as published, column number Cn) for every "<block> - <measure> (Cn)"."""
    found = {}
    for i, name in enumerate(names):
        match = MEASURE_RE.match(re.sub(r"\s+", " ", name))
        if match and match.group("col") in MEASURES:
            found[i] = (match.group("block").strip(), match.group("measure").strip(), match.group("col"))
    return found


def read_rsx_sheet(frame: pd.DataFrame, *, file: str | Path, sheet: str, release: str) -> pd.DataFrame | None:
    """One raw sheet → source rows, or None when it is not an RSX data sheet."""
    header = header_row(frame)
    if header is None:
        return None
    names = [blank_if_missing(v) for v in frame.iloc[header].tolist()]
    measures = _measure_columns(names)
    if not measures:
        return None
    lower = {n.lower(): i for i, n in reversed(list(enumerate(names))) if n}
    missing = [label for key, label in ID_COLUMNS.items() if key not in lower]
    cert_col = next((lower[k] for k in CERTIFIED_LABELS if k in lower), None)
    blocks: dict[str, dict[str, int]] = {}
    for i, (published, measure, col) in measures.items():
        block = canonical_block(published)
        if block is None:
            raise unknown_block_error(file, published, row=header + 1, column=names[i], sheet=sheet)
        if normalise(measure) != MEASURES[col]:
            raise InputDataError(file, f"the header says {measure!r} for column {col}, which is "
                                 f"{MEASURES[col]!r} in RSX", row=header + 1, column=names[i], sheet=sheet, fix=FIX)
        blocks.setdefault(block, {})[col] = i
    for block, cols in blocks.items():
        for col in WANTED:
            if col not in cols:
                missing.append(f"{block} - {MEASURES[col].title()} ({col})")
    if missing:
        raise InputDataError(
            file, f"missing column(s) {', '.join(repr(m) for m in missing)} in the header row; "
            f"columns found: {', '.join(repr(n) for n in names if n)}",
            row=header + 1, sheet=sheet, column=missing[0], fix=FIX,
        )
    titles = [blank_if_missing(frame.iat[r, 0]) for r in range(header)]
    found = year_from_texts([sheet, *titles])
    if found is None:
        raise InputDataError(file, "cannot tell which financial year this sheet holds (no 'YYYY-YY' in its "
                             "name or title)", sheet=sheet, fix=FIX)
    year, year_start = found
    notes_col = lower.get("notes")
    source = f"RSX {year} workbook"
    records = []
    body = frame.iloc[: table_end(frame, header)].to_numpy(dtype=object).tolist()  # one conversion, not per row
    for r in range(header + 1, len(body)):
        cells = body[r]
        ecode = blank_if_missing(cells[0])
        if not ECODE_RE.match(ecode):
            continue  # the England row, blank rows, notes
        row = r + 1
        ons = blank_if_missing(cells[lower["ons code"]])
        if ons == ecode:
            ons = ""  # Lee Valley Regional Park Authority has no ONS code: its E-code is repeated
        if ons and not ONS_RE.match(ons):
            raise InputDataError(file, f"value {ons!r} is not an ONS code", row=row, column="ONS Code",
                                 sheet=sheet, fix=FIX)
        note = blank_if_missing(cells[notes_col]) if notes_col is not None else ""
        base = {
            "ecode": ecode, "ons_published": ons or None,
            "authority_name": blank_if_missing(cells[lower["local authority"]]),
            "authority_class": rs_class(cells[lower["class"]], file=file, row=row, column="Class", sheet=sheet),
            "year": year, "year_start": year_start,
            "certified": (certified(cells[cert_col], file=file, row=row, column=names[cert_col], sheet=sheet)
                          if cert_col is not None else None),
            "source": source, "release": release, "source_file": Path(file).name, "source_sheet": sheet, "source_row": row,
        }
        not_received = note.upper() == NOT_RECEIVED and all(
            is_placeholder(cells[i]) for cols in blocks.values() for i in cols.values())
        for block, cols in blocks.items():
            values = {name: number(cells[cols[col]], file=file, row=row, column=names[cols[col]], sheet=sheet)
                      for col, name in WANTED.items()}
            net = values["net_expenditure_gbp_thousands"]
            status = (STATUS_NOT_SUBMITTED if not_received
                      else STATUS_PUBLISHED if not np.isnan(net) else STATUS_NOT_PUBLISHED)
            records.append({**base, **values, "rs_block": block, "status": status})
    return source_frame(records)


def read_rsx_workbook(path: Path) -> pd.DataFrame:
    """One RSX workbook → source rows (every authority × block; net, total expenditure, total income)."""
    path = Path(path)
    sheets, front = _sheets(path)
    parts = []
    for name, frame in sheets.items():
        header = header_row(frame)
        titles = [blank_if_missing(frame.iat[r, 0]) for r in range(header or 0)]
        found = year_from_texts([name, *titles])
        release = release_from_front_page(front, found[0]) if found else "not stated"
        table = read_rsx_sheet(frame, file=path, sheet=name, release=release)
        if table is not None:
            parts.append(table)
    if not parts:
        raise InputDataError(
            path, "no sheet with an 'E-code' header row and '<block> - <measure> (C1…C7)' columns; "
            f"sheets found: {', '.join(repr(s) for s in sheets)}", fix=FIX)
    return pd.concat(parts, ignore_index=True)
