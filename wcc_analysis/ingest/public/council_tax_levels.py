"""MHCLG "Council Tax levels set by local authorities in England" 2024-25: Band D, requirement and tax base.

Read from the ODS workbooks as published (``data/raw/public/mhclg_council_tax_levels_2024-25/``):

- **Table 9** (``ct_table9_2024_25.ods``, sheet ``Data_Billing``: "Council Tax
  Requirement (CTR) data for Billing Authorities in England, 2023-24 and
  2024-25", the CTR1 return) gives every figure, each for the "(previous year)"
  and the "(current year)"; the current year is read from the sheet's title
  rows ("... relates to financial year 2024-25"). Columns used (CTR1 line
  numbers as headed in the file; "The data are in £ unless stated otherwise"):

  - line 9 "Average (Band D 2 Adult equivalent) council tax (including Adult
    Social Care precept and excluding local precepts)" → ``band_d_excluding_parish_gbp`` (£ per Band D dwelling);
  - line 8 "... (including Adult Social Care precept and local precepts)" → ``band_d_including_parish_gbp`` (£);
  - line 3 "Council Tax Requirement for billing authority (including special
    expenses and Adult Social Care precept, but excluding local precepts)" →
    ``council_tax_requirement_gbp_thousands`` (published in £, divided by 1,000);
  - line 2 "Parish precepts" → ``parish_precepts_gbp_thousands`` (£ / 1,000; line 1 = line 3 + line 2);
  - line 7 "Council tax base for council tax setting purposes" →
    ``tax_base_band_d_equivalents``: Band D equivalent dwellings after council tax
    support (line 4 "Tax base (after council tax reduction scheme)") × the
    estimated collection rate (line 5) + the Class O adjustment (line 6). It is
    the base the Band D is set on: line 3 ≈ line 9 × line 7 (checked, ±0.1 %).

  Only the billing authorities' own council tax is here: county, police, fire
  and combined-authority precepts (Table 7b, d-f) are not included.
- **Table 7** (``ct_table7_2024_25.ods``, sheets 7a: London boroughs,
  metropolitan districts and unitary authorities; 7c: shire districts)
  cross-checks Table 9: its 2024-25 average Band D excluding and including
  parish precepts must equal Table 9's current year (±£0.005), and the previous
  year implied by its change column (7c "£ change on 2023-24", 7a "%") must
  equal Table 9's previous year (±£0.01). Every Table 9 authority must be in it.

Notional previous-year Band D: where a row's ``Notes`` cite a note whose text
says the previous year's Band D is an "alternative notional amount" (2024-25:
[note g], Cumberland and North Yorkshire), the 2023-24 Band D excluding parish
precepts is that notional amount, not the Band D actually set; those rows have
``band_d_excluding_parish_notional`` True.

Classes: Table 9's ILB/OLB (inner/outer London borough) are read as "L", the
RS class used elsewhere; England and class aggregate rows (no E-code) are dropped.
These are tax LEVELS set in advance, not amounts collected.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from wcc_analysis.core import paths
from wcc_analysis.core.errors import InputDataError
from wcc_analysis.core.text import blank_if_missing
from wcc_analysis.ingest._validate import validate
from wcc_analysis.ingest.public.authorities import check_known_codes

DIRECTORY = Path("mhclg_council_tax_levels_2024-25")
TABLE9 = DIRECTORY / "ct_table9_2024_25.ods"
TABLE7 = DIRECTORY / "ct_table7_2024_25.ods"

TABLE9_SHEET = "Data_Billing"
TABLE9_TITLE = "council tax requirement (ctr) data for billing authorities"
CURRENT_YEAR_RE = re.compile(r"current year .*?financial year (20\d\d)\s*-\s*(\d\d)", re.IGNORECASE)
ECODE_RE = re.compile(r"^E\d{4}$")
ONS_RE = re.compile(r"^E\d{8}$")
PLACEHOLDERS = re.compile(r"^(\[[a-z]\]|\.{2,3}|…|-)?$", re.IGNORECASE)
CLASS_ALIASES = {"ILB": "L", "OLB": "L", "LB": "L"}
CLASSES = ("SD", "UA", "MD", "L")
NOTIONAL_WORDS = "notional"

#: Table 9 columns: our name → (CTR1 line number, words the header must contain). Each exists for both years.
TABLE9_LINES = {
    "ctr_including_parish": ("1", "council tax requirement"),
    "parish_precepts": ("2", "parish precepts"),
    "council_tax_requirement": ("3", "council tax requirement"),
    "tax_base": ("7", "council tax base for council tax setting purposes"),
    "band_d_including_parish": ("8", "including adult social care precept and local precepts"),
    "band_d_excluding_parish": ("9", "excluding local precepts"),
}
PERIODS = {"previous": "(previous year)", "current": "(current year)"}
#: Relative tolerance of "Band D × tax base = council tax requirement" (Band D is rounded to the penny).
BAND_D_TOLERANCE = 0.001
#: £ allowed between line 1 and line 3 + line 2.
LINE_TOLERANCE = 1.0
#: £ allowed between Table 7 and Table 9 (same year as published; previous year derived from a change).
TABLE7_TOLERANCE = {"current": 0.005, "previous": 0.01}

COLUMNS = [
    "ons_code", "ecode", "authority_name", "authority_class", "year", "year_start",
    "band_d_excluding_parish_gbp", "band_d_including_parish_gbp", "council_tax_requirement_gbp_thousands",
    "parish_precepts_gbp_thousands", "tax_base_band_d_equivalents", "band_d_excluding_parish_notional",
    "source_file", "source_row",
]
HEADERS = {"ecode": "E-code", "ons_code": "ONS Code", "authority_name": "Authority", "authority_class": "Class"}
FIX = "use Tables 7 and 9 of the same edition, as published by MHCLG (see data/raw/public/SOURCES.md)"

ID_SCHEMA = pa.DataFrameSchema(
    {
        "ecode": pa.Column(str, pa.Check.str_matches(ECODE_RE.pattern), unique=True),
        "ons_code": pa.Column(str, pa.Check.str_matches(ONS_RE.pattern), unique=True),
        "authority_name": pa.Column(str, pa.Check.str_length(min_value=1)),
        "authority_class": pa.Column(str, pa.Check.isin(list(CLASSES))),
    }
)


def default_paths() -> tuple[Path, Path]:
    """(Table 9, Table 7) in data/raw/public."""
    root = paths.raw_public_dir()
    return root / TABLE9, root / TABLE7


def _key(text: object) -> str:
    return re.sub(r"\s+", " ", blank_if_missing(text).replace("’", "'")).strip().lower()


def _read_sheets(path: Path, wanted: Sequence[str] | None = None) -> dict[str, pd.DataFrame]:
    try:
        book = pd.ExcelFile(path, engine="calamine")
        names = [n for n in book.sheet_names if wanted is None or n in wanted]
        return {n: pd.read_excel(book, sheet_name=n, header=None) for n in names}
    except FileNotFoundError:
        raise InputDataError(path, f"file not found at {path.parent.name}/{path.name}",
                             fix="restore the file from the source named in its folder's PROVENANCE.md") from None
    except Exception as exc:  # calamine raises its own error types for damaged files
        raise InputDataError(path, f"cannot read this workbook ({type(exc).__name__}: {exc})",
                             fix="download the workbook again; it may be truncated or not a spreadsheet") from None


def _header_row(frame: pd.DataFrame) -> int | None:
    for i in range(min(len(frame), 50)):
        if frame.shape[1] and _key(frame.iat[i, 0]) in ("e-code", "e code"):
            return i
    return None


def _number(value: object, *, file: str, sheet: str, row: int, column: str) -> float:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return np.nan
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_)):
        return float(value)
    text = str(value).strip()
    if PLACEHOLDERS.match(text):
        return np.nan
    try:
        return float(text.replace(",", ""))
    except ValueError:
        raise InputDataError(file, f"value {text!r} is not a number", row=row, column=column, sheet=sheet,
                             fix="enter a number in this cell (or restore the published file)") from None


def _notional_markers(sheets: dict[str, pd.DataFrame]) -> set[str]:
    """Note markers ("[note g]") whose text says a previous-year Band D is a notional amount."""
    markers: set[str] = set()
    for frame in sheets.values():
        for row in frame.itertuples(index=False):
            cells = [blank_if_missing(v) for v in row]
            marker = next((c for c in cells if re.fullmatch(r"\[note [a-z0-9]+\]", c, re.IGNORECASE)), None)
            if marker and any(NOTIONAL_WORDS in c.lower() for c in cells):
                markers.add(marker.lower())
    return markers


# --------------------------------------------------------------------------- Table 9


def _table9_columns(names: Sequence[str], file: str, header: int) -> dict[tuple[str, str], int]:
    found: dict[tuple[str, str], int] = {}
    for j, name in enumerate(names):
        match = re.match(r"^(\d+[a-z]?)\.\s*(.*)$", name)
        if not match:
            continue
        number, text = match.groups()
        for key, (line, words) in TABLE9_LINES.items():
            if number == line and words in text:
                for period, marker in PERIODS.items():
                    if text.endswith(marker):
                        found.setdefault((key, period), j)
    missing = [f"{TABLE9_LINES[k][0]}. ... {PERIODS[p]}" for k in TABLE9_LINES for p in PERIODS
               if (k, p) not in found]
    if missing:
        raise InputDataError(file, f"missing column(s) {', '.join(repr(m) for m in missing)} in the header row",
                             row=header + 1, column=missing[0], sheet=TABLE9_SHEET, fix=FIX)
    return found


def _current_year(frame: pd.DataFrame, header: int, file: str) -> int:
    for i in range(header):
        for value in frame.iloc[i].tolist():
            match = CURRENT_YEAR_RE.search(blank_if_missing(value))
            if match and (int(match.group(1)) + 1) % 100 == int(match.group(2)):
                return int(match.group(1))
    raise InputDataError(file, "cannot tell the current year: no title row says '... current year ... relates to "
                         "financial year YYYY-YY'", row=1, sheet=TABLE9_SHEET, fix=FIX)


def read_table9(path: Path) -> pd.DataFrame:
    """Table 9 ``Data_Billing`` → one wide row per billing authority (both years), values as published (£)."""
    path = Path(path)
    file = path  # errors show it relative to the project
    sheets = _read_sheets(path, [TABLE9_SHEET, "Notes"])
    if TABLE9_SHEET not in sheets:
        raise InputDataError(file, f"no sheet named {TABLE9_SHEET!r}", fix=FIX)
    frame = sheets[TABLE9_SHEET]
    header = _header_row(frame)
    if header is None:
        raise InputDataError(file, "no header row: no row starts with 'E-code'", sheet=TABLE9_SHEET,
                             column="E-code", fix="check this is Table 9 with its header row unchanged")
    if not any(TABLE9_TITLE in _key(frame.iat[i, 0]) for i in range(header)):
        raise InputDataError(file, "the title does not say 'Council Tax Requirement (CTR) data for Billing "
                             "Authorities': this is not Table 9", row=1, sheet=TABLE9_SHEET, fix=FIX)
    start = _current_year(frame, header, file)
    names = [_key(v) for v in frame.iloc[header].tolist()]
    published = [blank_if_missing(v) for v in frame.iloc[header].tolist()]
    ids = {}
    for key, label in HEADERS.items():
        if label.lower() not in names:
            raise InputDataError(file, f"missing column {label!r} in the header row", row=header + 1,
                                 column=label, sheet=TABLE9_SHEET, fix=FIX)
        ids[key] = names.index(label.lower())
    notes_column = next((j for j, n in enumerate(names) if n.startswith("notes")), None)
    values = _table9_columns(names, file, header)
    notional = _notional_markers({k: v for k, v in sheets.items() if k == "Notes"})

    records = []
    for r in range(header + 1, len(frame)):
        cells = frame.iloc[r].tolist()
        ecode = blank_if_missing(cells[0])
        if not ECODE_RE.match(ecode):
            continue  # England and class aggregates (TE, ILB, ...), blank rows
        row = r + 1
        record = {key: blank_if_missing(cells[j]) for key, j in ids.items()}
        record["source_row"] = row
        notes = _key(cells[notes_column]) if notes_column is not None else ""
        record["notional"] = any(m in notes for m in notional)
        for (key, period), j in values.items():
            record[f"{key}_{period}"] = _number(cells[j], file=file, sheet=TABLE9_SHEET, row=row,
                                                column=published[j].replace("\n", " "))
        records.append(record)
    if not records:
        raise InputDataError(file, "no authority rows (rows starting with an E-code) below the header",
                             row=header + 1, sheet=TABLE9_SHEET, fix=FIX)
    wide = pd.DataFrame(records)
    wide["authority_class"] = wide["authority_class"].replace(CLASS_ALIASES)
    wide = validate(wide, ID_SCHEMA, file=file, sheet=TABLE9_SHEET, headers=HEADERS, fix=FIX)
    headers = {f"{k}_{p}": published[j].replace("\n", " ") for (k, p), j in values.items()}
    money = pa.DataFrameSchema({
        **{f"{k}_{p}": pa.Column(float, pa.Check.ge(0)) for k in TABLE9_LINES for p in PERIODS if k != "tax_base"},
        **{f"tax_base_{p}": pa.Column(float, pa.Check.gt(0)) for p in PERIODS},
    })
    wide = validate(wide, money, file=file, sheet=TABLE9_SHEET, headers=headers,
                    fix="restore the published file: amounts cannot be blank or negative, tax bases must be positive")
    _check_table9(wide, file, headers)
    wide.attrs["year_start"] = start
    return wide


def _check_table9(wide: pd.DataFrame, file: str, headers: dict[str, str]) -> None:
    """Line 1 = line 3 + line 2; Band D × tax base = requirement (±0.1 %), for both years."""
    for period in PERIODS:
        checks = [
            (f"ctr_including_parish_{period}",
             wide[f"council_tax_requirement_{period}"] + wide[f"parish_precepts_{period}"], LINE_TOLERANCE, None),
            (f"band_d_excluding_parish_{period}",
             wide[f"council_tax_requirement_{period}"], None, f"band_d_excluding_parish_{period}"),
            (f"band_d_including_parish_{period}",
             wide[f"ctr_including_parish_{period}"], None, f"band_d_including_parish_{period}"),
        ]
        for column, expected, tolerance, band_d in checks:
            if band_d is None:
                off = (wide[column] - expected).abs() > tolerance
                why = "is not line 3 + line 2 ({:,.2f})"
            else:
                implied = wide[band_d] * wide[f"tax_base_{period}"]
                off = (implied - expected).abs() > BAND_D_TOLERANCE * expected.abs().clip(lower=1)
                expected = expected / wide[f"tax_base_{period}"]
                why = "is not the council tax requirement / tax base ({:,.2f})"
            if off.any():
                first = wide[off].iloc[0]
                raise InputDataError(
                    file, f"{first['authority_name']}: {first[column]:,.2f} " + why.format(expected[off].iloc[0]),
                    row=int(first["source_row"]), column=headers[column], sheet=TABLE9_SHEET,
                    fix="restore the published file (the figures of one row must agree with each other)")


# --------------------------------------------------------------------------- Table 7


def _band_d_columns(names: Sequence[str]) -> dict[str, int]:
    """Table 7 columns: Band D excluding / including parish precepts (£), and the change of the first (£ or %)."""
    found: dict[str, int] = {}
    for j, name in enumerate(names):
        if "band d" not in name or "parish precepts" not in name:
            continue
        excluding = "excluding parish precepts" in name
        if name.startswith("average council tax for the authority"):
            if name.endswith("£"):
                found.setdefault("band_d_excluding_parish" if excluding else "band_d_including_parish", j)
            elif excluding and "£ change" in name:
                found.setdefault("change_gbp", j)
            elif excluding and "% change" in name:
                found.setdefault("change_pct", j)
        elif name.startswith("percentage change") and excluding:
            found.setdefault("change_pct", j)
    return found


def check_table7(table9: pd.DataFrame, path: Path, *, file9: str) -> None:
    """Table 7a/7c Band D (2024-25, and 2023-24 implied by its change column) must equal Table 9."""
    path = Path(path)
    file = path  # errors show it relative to the project
    sheets = _read_sheets(path)
    rows = []
    for sheet, frame in sheets.items():
        header = _header_row(frame)
        if header is None:
            continue
        names = [_key(v) for v in frame.iloc[header].tolist()]
        published = [blank_if_missing(v).replace("\n", " ") for v in frame.iloc[header].tolist()]
        columns = _band_d_columns(names)
        if not {"band_d_excluding_parish", "band_d_including_parish"} <= columns.keys():
            continue  # precepting authorities (7b, 7d-f)
        for r in range(header + 1, len(frame)):
            ecode = blank_if_missing(frame.iat[r, 0])
            if not ECODE_RE.match(ecode):
                continue
            record = {"ecode": ecode, "sheet": sheet, "row": r + 1, "headers": published}
            for key, j in columns.items():
                record[key] = _number(frame.iat[r, j], file=file, sheet=sheet, row=r + 1, column=published[j])
                record[f"{key}_column"] = j
            rows.append(record)
    if not rows:
        raise InputDataError(file, "no sheet with an 'E-code' header and average Band D columns excluding and "
                             "including parish precepts", fix="check this is Table 7 of the council tax levels")
    t7 = pd.DataFrame(rows).drop_duplicates("ecode").set_index("ecode")
    missing = table9.loc[~table9["ecode"].isin(t7.index)]
    if not missing.empty:
        first = missing.iloc[0]
        raise InputDataError(file, f"{first['authority_name']} ({first['ecode']}, in {file9}) is not in any Table 7 "
                             "sheet", fix=FIX)
    both = table9.set_index("ecode").join(t7, how="inner")
    nan = pd.Series(np.nan, index=both.index)
    from_gbp = both["band_d_excluding_parish"] - both["change_gbp"] if "change_gbp" in both else nan
    from_pct = both["band_d_excluding_parish"] / (1 + both["change_pct"] / 100) if "change_pct" in both else nan
    previous_column = pd.Series(np.where(from_gbp.notna(), "change_gbp", "change_pct"), index=both.index)
    checks = [
        (both["band_d_excluding_parish"], both["band_d_excluding_parish_current"], "current",
         pd.Series("band_d_excluding_parish", index=both.index)),
        (both["band_d_including_parish"], both["band_d_including_parish_current"], "current",
         pd.Series("band_d_including_parish", index=both.index)),
        (from_gbp.fillna(from_pct), both["band_d_excluding_parish_previous"], "previous", previous_column),
    ]
    for value7, value9, period, column in checks:
        off = (value7 - value9).abs() > TABLE7_TOLERANCE[period]
        if off.any():
            first = both[off].iloc[0]
            j = int(first[f"{column[off].iloc[0]}_column"])
            year = "the current year" if period == "current" else "the previous year (implied by the change)"
            raise InputDataError(
                file, f"{first['authority_name']}: Band D for {year} is {value7[off].iloc[0]:,.2f} here but "
                f"{value9[off].iloc[0]:,.2f} in {file9}", row=int(first["row"]), sheet=first["sheet"],
                column=first["headers"][j], fix=FIX)


# --------------------------------------------------------------------------- the table


def load_council_tax_levels(table9_path: Path | None = None, table7_path: Path | None = None, *,
                            check_table7_file: bool = True,
                            known_codes: Collection[str] | None = None) -> pd.DataFrame:
    """Council tax levels per billing authority for the previous and current year of Table 9 (2023-24, 2024-25).

    Columns ``COLUMNS``; one row per authority and year, sorted by ONS code and year.
    With the default (or a given) Table 7, Band D is cross-checked against it.
    """
    default9, default7 = default_paths()
    table9_path = Path(table9_path) if table9_path else default9
    wide = read_table9(table9_path)
    check_known_codes(wide, table9_path, HEADERS["ons_code"], known_codes)
    if check_table7_file:
        table7_path = Path(table7_path) if table7_path else (default7 if table9_path == default9 else None)
        if table7_path is not None:
            check_table7(wide, table7_path, file9=table9_path.name)
    start = wide.attrs["year_start"]
    parts = []
    for period, year_start in (("previous", start - 1), ("current", start)):
        part = wide[["ons_code", "ecode", "authority_name", "authority_class", "source_row"]].copy()
        part["year"] = f"{year_start}-{(year_start + 1) % 100:02d}"
        part["year_start"] = year_start
        part["band_d_excluding_parish_gbp"] = wide[f"band_d_excluding_parish_{period}"]
        part["band_d_including_parish_gbp"] = wide[f"band_d_including_parish_{period}"]
        part["council_tax_requirement_gbp_thousands"] = wide[f"council_tax_requirement_{period}"] / 1000
        part["parish_precepts_gbp_thousands"] = wide[f"parish_precepts_{period}"] / 1000
        part["tax_base_band_d_equivalents"] = wide[f"tax_base_{period}"]
        part["band_d_excluding_parish_notional"] = wide["notional"] & (period == "previous")
        part["source_file"] = table9_path.name
        parts.append(part)
    table = pd.concat(parts, ignore_index=True)
    return table[COLUMNS].sort_values(["ons_code", "year"], ignore_index=True)
