"""Supplier payment files as councils publish them under the Local Government Transparency Code.

``load_supplier_payments(directory_or_files)`` reads every ``*.csv`` (and
``*.xlsx`` / ``*.xls`` / ``*.ods``) in a folder — for a council, the folder
``data/raw/council/<ONS code>/supplier_payments/`` — exactly as downloaded,
without hand conversion:

- the text encoding is detected (UTF-8, with or without a byte-order mark,
  then Windows-1252, which is what Excel's "CSV" writes);
- the header row is found wherever it is — usually the first line, but some
  files have title lines above it, and some (Hyndburn, March 2025) have it as
  the LAST line — by matching its cells against :data:`COLUMN_SYNONYMS`;
- spacer columns (a blank header cell) are dropped; stray text in them is
  ignored and counted (see ``frame.attrs["notes"]``); blank lines are dropped;
  a line that repeats the header, or a "Total" line, is dropped and counted;
- header variants map to canonical columns through :data:`COLUMN_SYNONYMS`;
- amounts such as ``£1,680.00``, ``2,730.00``, ``(123.45)``, ``-5``,
  ``1,234.56-`` or ``12.00 CR`` (the last three negative) become floats, and
  dates ``dd/mm/yyyy``, ``dd/mm/yy``, ``yyyy-mm-dd``, ``12-Apr-2024``, Excel
  dates and Excel day numbers become ``datetime64``.

Output columns (:data:`OUTPUT_COLUMNS`): ``department, service_area,
description, supplier_raw, reference, payment_date, amount_gbp, source_file,
source_row`` (+ the :data:`OPTIONAL_COLUMNS` ``expense_type``, ``capital_revenue``
and ``data_status`` when the file has them). ``source_row`` is the line (CSV) or
row (spreadsheet) number a person sees when opening the file. Optional columns
absent from a file are blank (``""``). ``expense_type`` is a second descriptive
column (a file with both "Description" and "Expense Type": the first is
``description``, the other ``expense_type``); ``capital_revenue`` is the file's own
capital/revenue field, read by the market analysis's capital rule.

A file with no recognisable header row, without one of the required columns
(supplier, amount, date), or with an amount or date that cannot be read, is
an :class:`~wcc_analysis.core.errors.InputDataError` naming the file, row and column.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from wcc_analysis.core import paths, run_facts
from wcc_analysis.core.errors import InputDataError
from wcc_analysis.core.limits import money_problem
from wcc_analysis.core.vocabulary import DATA_STATUS
from wcc_analysis.ingest._validate import validate
from wcc_analysis.ingest.text_files import read_csv_text

#: File types read from a folder (lower-case suffixes).
SUFFIXES = (".csv", ".xlsx", ".xls", ".ods")

#: Canonical column → header variants, in order of preference (normalised: lower
#: case, anything not a letter or digit read as a space — so ``"Name:  "`` is
#: ``"name"`` and ``"Net Amount(£)"`` is ``"net amount"``). When a file has two
#: headers mapping to one column, the earlier variant in this list wins and the
#: other is ignored (noted). Add a council's variant here when it is not read.
COLUMN_SYNONYMS: dict[str, tuple[str, ...]] = {
    "department": (
        "department area", "department", "department name", "directorate", "dept", "division",
        "service division", "portfolio",
    ),
    "service_area": (
        "service area", "service cost centre", "cost centre", "cost centre description",
        "cost centre name", "expense area", "service", "service label", "service area categorisation",
        "responsible unit",
    ),
    "description": (
        "description", "account detail", "expense type", "expenditure category", "expenses type",
        "purpose of expenditure", "account description", "subjective description", "narrative",
        "details", "expense description",
    ),
    "supplier_raw": (
        "name", "supplier", "supplier name", "supplier / payee", "payee", "payee name", "vendor",
        "vendor name", "beneficiary", "beneficiary name", "creditor", "creditor name", "merchant name",
        "recipient",
    ),
    "reference": (
        "hbc ref no", "transaction number", "transaction no", "transaction reference", "transaction id",
        "reference", "ref", "ref no", "payment reference", "invoice number", "invoice no",
        "document number", "voucher number",
    ),
    "payment_date": (
        "payment date", "date", "date paid", "paid date", "date of payment", "transaction date",
        "posting date", "invoice date",
    ),
    "amount_gbp": (
        "amount paid", "net amount", "amount", "amount gbp", "net amount gbp", "amount excl vat",
        "amount excluding vat", "net value", "value", "payment amount", "total", "amount in sterling",
        "gbp",
    ),
    "capital_revenue": (
        "capital or revenue", "revenue or capital", "capital / revenue", "revenue / capital", "capital revenue",
        "revenue capital", "cap / rev", "rev / cap", "capex / opex",
    ),
    "data_status": ("data status",),
}

#: Headers that are known but not used (they help recognise the header row).
KNOWN_UNUSED_HEADERS = (
    "line", "line no", "line number", "vat", "vat amount", "gross amount", "body", "body name",
    "organisation", "organisation name", "supplier id", "supplier number", "vendor id", "vendor number",
    "merchant category", "proclass", "sercop", "company number",
    "charity number", "irrecoverable vat",
)

REQUIRED = ("supplier_raw", "amount_gbp", "payment_date")
TEXT_COLUMNS = ("department", "service_area", "description", "supplier_raw", "reference")
OUTPUT_COLUMNS = (
    "department", "service_area", "description", "supplier_raw", "reference",
    "payment_date", "amount_gbp", "source_file", "source_row",
)
#: Columns a file may have, kept after :data:`OUTPUT_COLUMNS` when it does (blank for files without them).
OPTIONAL_COLUMNS = ("expense_type", "capital_revenue", "data_status")
#: The second-best ``description`` header of a file is kept as this column, not ignored.
SECOND_DESCRIPTION = "expense_type"
#: How many header cells must be recognised for a row to count as the header row.
MIN_HEADER_MATCHES = 3

_READABLE = {
    "supplier_raw": "supplier", "amount_gbp": "amount", "payment_date": "payment date",
}
_FIX_LAYOUT = (
    "keep the file as the council published it (header row with columns such as 'Supplier', "
    "'Amount', 'Payment Date'); if the council uses a header this package does not know, add it "
    "to COLUMN_SYNONYMS in wcc_analysis/ingest/council/supplier_payments.py"
)

_SYNONYM_LOOKUP: dict[str, tuple[str, int]] = {
    variant: (canonical, rank)
    for canonical, variants in COLUMN_SYNONYMS.items()
    for rank, variant in enumerate(variants)
}


def normalise_header(text: object) -> str:
    """A header cell as compared with :data:`COLUMN_SYNONYMS` (lower case, punctuation as spaces)."""
    return _normalise_header(str(text))


@lru_cache(maxsize=65536)
def _normalise_header(text: str) -> str:
    cleaned = re.sub(r"[^0-9a-z/]+", " ", text.replace("£", " ").lower())
    cleaned = re.sub(r"\s*/\s*", " / ", cleaned)
    return re.sub(r"\s+", " ", cleaned).strip()


def canonical_column(header: object) -> str | None:
    """The canonical column a header maps to, or None."""
    found = _SYNONYM_LOOKUP.get(normalise_header(header))
    return found[0] if found else None


@dataclass
class _Grid:
    """A sheet of cells as read, with the 1-based line/row number of each row in the file."""

    file: str
    rows: list[list[object]]
    lines: list[int]
    sheet: str | None = None
    notes: list[str] = field(default_factory=list)
    path: Path | None = None  # the file, for errors (shown relative to the project)

    @property
    def where(self) -> Path | str:
        return self.path or self.file


# --------------------------------------------------------------------------- reading


def _read_csv_grid(path: Path) -> _Grid:
    """A published CSV's rows as they are (the header is found later); refused when it cannot be decoded or
    stops part-way through a row (text_files.read_csv_text). Rows of other widths are kept: councils' files have
    title rows and notes above and below the table."""
    text = read_csv_text(path, ragged=False)
    grid = _Grid(path.name, [list(r) for r in text.records], text.lines, path=path)
    if text.encoding != "utf-8-sig":
        grid.notes.append(f"read as {text.encoding_name} text")
    return grid


def _read_workbook_grids(path: Path) -> list[_Grid]:
    try:
        sheets = pd.read_excel(path, sheet_name=None, header=None, dtype=object, engine="calamine")
    except Exception as exc:  # noqa: BLE001 - any reader failure means the file is unreadable
        raise InputDataError(
            path, f"cannot be read as a workbook ({type(exc).__name__}: {exc})",
            fix="open it in a spreadsheet program and save it again as .xlsx, or save the sheet as CSV",
        ) from None
    grids = []
    for name, frame in sheets.items():
        rows = [[None if _is_blank(v) else v for v in row] for row in frame.itertuples(index=False)]
        grids.append(_Grid(path.name, rows, list(range(1, len(rows) + 1)), sheet=str(name), path=path))
    return grids


def _is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and np.isnan(value):
        return True
    if value is pd.NaT:
        return True
    return isinstance(value, str) and value.strip() == ""


# --------------------------------------------------------------------------- layout


def _header_matches(row: Sequence[object]) -> dict[int, tuple[str, int]]:
    """Column position → (canonical column, synonym rank) for the recognised cells of a row."""
    found = {}
    for position, cell in enumerate(row):
        if isinstance(cell, str):
            match = _SYNONYM_LOOKUP.get(normalise_header(cell))
            if match:
                found[position] = match
    return found


def _find_header(grid: _Grid) -> int | None:
    """Index (in grid.rows) of the header row: the row recognising most canonical columns (≥ 3)."""
    best, best_score = None, 0
    for index, row in enumerate(grid.rows):
        score = len({c for c, _ in _header_matches(row).values()})
        if score >= MIN_HEADER_MATCHES and score > best_score:
            best, best_score = index, score
    return best


def _header_text(cell: object) -> str:
    return str(cell).strip()


def _layout(grid: _Grid, header_index: int) -> tuple[dict[str, int], dict[str, str], list[int]]:
    """Canonical column → position, canonical → header as written, and the spacer column positions."""
    header = grid.rows[header_index]
    chosen: dict[str, tuple[int, int]] = {}
    for position, (canonical, rank) in sorted(_header_matches(header).items()):
        if canonical not in chosen or rank < chosen[canonical][1]:
            if canonical in chosen:
                grid.notes.append(
                    f"column {_header_text(header[chosen[canonical][0]])!r} ignored: "
                    f"{_header_text(header[position])!r} is preferred as {canonical}"
                )
            chosen[canonical] = (position, rank)
        else:
            grid.notes.append(
                f"column {_header_text(header[position])!r} ignored: "
                f"{_header_text(header[chosen[canonical][0]])!r} is preferred as {canonical}"
            )
    positions = {c: p for c, (p, _) in chosen.items()}
    if "description" in positions:
        others = sorted((rank, p) for p, (c, rank) in _header_matches(header).items()
                        if c == "description" and p != positions["description"])
        if others:
            positions[SECOND_DESCRIPTION] = others[0][1]
            kept = _header_text(header[others[0][1]])
            grid.notes[:] = [n for n in grid.notes if not n.startswith(f"column {kept!r} ignored")]
            grid.notes.append(f"column {kept!r} kept as {SECOND_DESCRIPTION} "
                              f"({_header_text(header[positions['description']])!r} is the description)")
    written = {c: _header_text(header[p]) for c, p in positions.items()}
    spacers = [i for i, cell in enumerate(header) if _is_blank(cell)]
    return positions, written, spacers


def _grid_to_frame(grid: _Grid) -> pd.DataFrame | None:
    """The payment rows of one sheet as text/objects in canonical columns, or None without a header."""
    header_index = _find_header(grid)
    if header_index is None:
        return None
    positions, written, spacers = _layout(grid, header_index)
    where = f"sheet {grid.sheet!r} of " if grid.sheet else ""
    missing = [c for c in REQUIRED if c not in positions]
    if missing:
        shown = ", ".join(_READABLE[c] for c in missing)
        found = ", ".join(repr(_header_text(c)) for c in grid.rows[header_index] if not _is_blank(c))
        raise InputDataError(
            grid.where,
            f"the header row has no {shown} column (columns found: {found})",
            row=grid.lines[header_index], column=_READABLE[missing[0]], sheet=grid.sheet,
            fix="check this is a supplier payments file; if the council names the column differently, "
            "add its header to COLUMN_SYNONYMS in wcc_analysis/ingest/council/supplier_payments.py",
        )

    non_blank = [i for i, row in enumerate(grid.rows) if any(not _is_blank(c) for c in row)]
    header_at_bottom = header_index == non_blank[-1] and header_index != non_blank[0]
    if header_at_bottom:
        data_indices = [i for i in non_blank if i < header_index]
        grid.notes.append(f"{where}header row is the last line ({grid.lines[header_index]}): rows above it read")
    else:
        data_indices = [i for i in non_blank if i > header_index]
        above = [i for i in non_blank if i < header_index]
        if above:
            grid.notes.append(f"{where}{len(above)} line(s) above the header row ignored (titles)")

    header_norm = [normalise_header(c) if isinstance(c, str) else "" for c in grid.rows[header_index]]
    supplier_at = positions["supplier_raw"]
    records = []
    stray = 0
    repeated = 0
    totals = 0
    for index in data_indices:
        row = grid.rows[index]
        if (
            supplier_at < len(row) and isinstance(row[supplier_at], str)
            and normalise_header(row[supplier_at]) == header_norm[supplier_at]
            and [normalise_header(c) if isinstance(c, str) else "" for c in row[: len(header_norm)]] == header_norm
        ):
            repeated += 1
            continue
        stray += sum(1 for p in spacers if p < len(row) and not _is_blank(row[p]))
        record = {c: (row[p] if p < len(row) else None) for c, p in positions.items()}
        if all(_is_blank(record.get(c)) for c in REQUIRED):
            continue  # no payment on this line (e.g. only a line number)
        if _is_blank(record.get("supplier_raw")) and _is_blank(record.get("payment_date")) and any(
            isinstance(v, str) and re.match(r"^\s*(grand\s+)?totals?\b", v, re.IGNORECASE)
            for i, v in enumerate(row) if i not in {positions["amount_gbp"]}
        ):
            totals += 1
            continue
        record["source_row"] = grid.lines[index]
        records.append(record)
    if stray:
        grid.notes.append(f"{where}{stray} stray cell(s) in spacer columns (no header) ignored")
    if repeated:
        grid.notes.append(f"{where}{repeated} repeated header line(s) dropped")
    if totals:
        grid.notes.append(f"{where}{totals} total line(s) dropped")
    frame = pd.DataFrame.from_records(records, columns=[*positions, "source_row"])
    frame.attrs["headers"] = written
    return frame


# --------------------------------------------------------------------------- values

_AMOUNT = re.compile(
    r"^(?P<open>\()?\s*(?P<sign1>[-−–])?\s*(?:£|GBP)?\s*(?P<sign2>[-−–])?\s*"
    r"(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)\s*(?P<close>\))?\s*"
    r"(?P<trail>-|CR|Cr|cr)?$"
)


def parse_amount(value: object) -> float | None:
    """An amount in pounds from a cell, or None when it is not one.

    ``£1,680.00`` → 1680.0; ``(123.45)``, ``-5``, ``1,234.56-`` and ``12.00 CR`` are negative.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        return None if np.isnan(float(value)) else float(value)
    if not isinstance(value, str):
        return None
    match = _AMOUNT.match(value.strip().replace("\u00a0", " "))
    if not match or bool(match["open"]) != bool(match["close"]):
        return None
    number = float(match["number"].replace(",", ""))
    negative = bool(match["open"] or match["sign1"] or match["sign2"] or match["trail"])
    return -number if negative else number


_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_DMONY = re.compile(r"^(\d{1,2})[\s\-/]([A-Za-z]{3,9})[\s\-/,]+(\d{2}|\d{4})$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def _year(text: str) -> int:
    year = int(text)
    return year + 2000 if len(text) == 2 else year


def parse_date(value: object) -> pd.Timestamp | None:
    """A payment date from a cell, or None when it is not one.

    Accepts ``dd/mm/yyyy``, ``dd/mm/yy`` (20yy), ``dd.mm.yyyy``, ``dd-mm-yyyy``,
    ``yyyy-mm-dd`` (with or without a time), ``12-Apr-2024`` / ``12 April 2024``,
    spreadsheet dates, and Excel day numbers (e.g. 45383 = 2024-04-01).
    Day-first throughout: a UK council's ``04/05/2024`` is 4 May.
    """
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.normalize()
    if isinstance(value, (dt.datetime, dt.date)):
        return pd.Timestamp(value).normalize()
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        number = float(value)
        if np.isnan(number) or not (20000 <= number <= 80000) or number != int(number):
            return None
        return pd.Timestamp(_EXCEL_EPOCH + dt.timedelta(days=int(number)))
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        if m := _DMY.match(text):
            return pd.Timestamp(dt.date(_year(m[3]), int(m[2]), int(m[1])))
        if m := _YMD.match(text):
            return pd.Timestamp(dt.date(int(m[1]), int(m[2]), int(m[3])))
        if m := _DMONY.match(text):
            month = _MONTHS.get(m[2][:3].lower())
            if month is None or (len(m[2]) > 3 and not any(
                    m[2].lower() == full for full in (
                        "january", "february", "march", "april", "may", "june", "july", "august",
                        "september", "october", "november", "december", "sept"))):
                return None
            return pd.Timestamp(dt.date(_year(m[3]), month, int(m[1])))
        if re.fullmatch(r"\d{5}(\.0+)?", text):
            return parse_date(float(text))
    except ValueError:  # e.g. 31/02/2024
        return None
    return None


def _parse_column(frame: pd.DataFrame, column: str, parser, grid: _Grid, headers: dict[str, str]) -> list:
    values = []
    cache: dict[object, object] = {}
    for cell, line in zip(frame[column], frame["source_row"], strict=True):
        key = (type(cell), cell)
        if key not in cache:
            cache[key] = None if _is_blank(cell) else parser(cell)
        parsed = cache[key]
        if parsed is None:
            what = "an amount in pounds" if column == "amount_gbp" else "a date"
            example = "1,234.56 or £1,234.56 (negative: -1,234.56 or (1,234.56))" if column == "amount_gbp" \
                else "a day-first date such as 31/03/2025"
            shown = "a blank" if _is_blank(cell) else repr(cell)
            raise InputDataError(
                grid.where, f"value {shown} is not {what}", row=int(line), column=headers.get(column, column),
                sheet=grid.sheet,
                fix=f"this cell should hold {example}; correct it or restore the file as published",
            )
        problem = money_problem(parsed) if column == "amount_gbp" else None
        if problem:
            raise InputDataError(grid.where, f"value {cell!r}: {problem}", row=int(line),
                                 column=headers.get(column, column), sheet=grid.sheet,
                                 fix="correct the amount or restore the file as published")
        values.append(parsed)
    return values


def _cell_text(value: object) -> str:
    if _is_blank(value):
        return ""
    if isinstance(value, float) and value == int(value):
        value = int(value)
    return re.sub(r"[ \t]*[\r\n]+[ \t]*", " ", str(value)).strip()


# --------------------------------------------------------------------------- schema

SCHEMA = pa.DataFrameSchema(
    {
        "supplier_raw": pa.Column(str, nullable=False),
        "payment_date": pa.Column("datetime64[ns]", nullable=False, coerce=True),
        "amount_gbp": pa.Column(float, nullable=False),
        "source_row": pa.Column(int, pa.Check.ge(1)),
        "data_status": pa.Column(str, pa.Check.isin(DATA_STATUS), required=False),
    },
    strict=False,
)


def _load_grid(grid: _Grid) -> pd.DataFrame | None:
    frame = _grid_to_frame(grid)
    if frame is None:
        return None
    headers = frame.attrs.get("headers", {})
    frame["amount_gbp"] = pd.Series(_parse_column(frame, "amount_gbp", parse_amount, grid, headers),
                                    index=frame.index, dtype=float)
    frame["payment_date"] = pd.to_datetime(
        pd.Series(_parse_column(frame, "payment_date", parse_date, grid, headers), index=frame.index, dtype=object)
    ).astype("datetime64[ns]")
    for column in TEXT_COLUMNS:
        frame[column] = [_cell_text(v) for v in frame[column]] if column in frame.columns else ""
    for column in ("expense_type", "capital_revenue"):
        if column in frame.columns:
            frame[column] = [_cell_text(v) for v in frame[column]]
    if "data_status" in frame.columns:
        frame["data_status"] = [_cell_text(v).lower() for v in frame["data_status"]]
    frame["source_row"] = frame["source_row"].astype(int)
    frame["source_file"] = grid.file if grid.sheet is None else f"{grid.file} [{grid.sheet}]"
    frame = validate(
        frame, SCHEMA, file=grid.where, sheet=grid.sheet, headers=headers,
        fix={"data_status": "write 'illustrative' for sample rows or 'council' for the council's own",
             "*": "correct the value (or restore the file as the council published it)"},
    )
    columns = list(OUTPUT_COLUMNS) + [c for c in OPTIONAL_COLUMNS if c in frame.columns]
    return frame[columns].reset_index(drop=True)


def load_supplier_payment_file(path: str | Path) -> tuple[pd.DataFrame, list[str]]:
    """One published file → (payments in :data:`OUTPUT_COLUMNS`, notes on what was ignored)."""
    path = Path(path)
    run_facts.probe(path)
    if not path.is_file():
        raise InputDataError(path, "not found", fix="check the file name and folder")
    grids = [_read_csv_grid(path)] if path.suffix.lower() == ".csv" else _read_workbook_grids(path)
    frames, notes = [], []
    for grid in grids:
        frame = _load_grid(grid)
        notes.extend(f"{path.name}: {n}" for n in grid.notes)
        if frame is not None:
            frames.append(frame)
    if not frames:
        raise InputDataError(
            path,
            "no header row found (looked for a row naming at least three of: supplier, amount, "
            "payment date, department, service area, description, reference)",
            fix=_FIX_LAYOUT,
        )
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0], notes


def payment_files(directory_or_files: str | Path | Iterable[str | Path]) -> list[Path]:
    """The files to read: every CSV/workbook in a folder (sorted by name), or the files given."""
    if isinstance(directory_or_files, (str, Path)):
        path = Path(directory_or_files)
        if path.is_dir():
            files = sorted(
                (p for p in path.iterdir()
                 if p.is_file() and p.suffix.lower() in SUFFIXES and not p.name.startswith((".", "~$"))),
                key=lambda p: p.name,
            )
            if not files:
                raise InputDataError(
                    path, "holds no supplier payment files (*.csv, *.xlsx, *.xls, *.ods)",
                    fix="put the council's published monthly payment files in this folder as downloaded",
                )
            return files
        return [path]
    return [Path(p) for p in directory_or_files]


def load_supplier_payments(directory_or_files: str | Path | Iterable[str | Path]) -> pd.DataFrame:
    """Every published supplier payment file in a folder (or the files given) as one tidy table.

    Columns: :data:`OUTPUT_COLUMNS` (+ each of :data:`OPTIONAL_COLUMNS` when any file has it; blank for
    files without it). Rows keep file order (files sorted by name), then line order.
    ``frame.attrs["notes"]`` lists what was ignored per file (spacer-column text,
    title lines, repeated headers, total lines); ``frame.attrs["rows_per_file"]``
    maps each file name to its number of payment rows.
    """
    files = payment_files(directory_or_files)
    if not files:
        raise InputDataError("supplier_payments", "no files given", fix="give a folder or a list of files")
    frames, notes, counts = [], [], {}
    for path in files:
        frame, file_notes = load_supplier_payment_file(path)
        frames.append(frame)
        notes.extend(file_notes)
        counts[path.name] = len(frame)
    optional = [c for c in OPTIONAL_COLUMNS if any(c in f.columns for f in frames)]
    frames = [f.assign(**{c: "" for c in optional if c not in f.columns})[[*OUTPUT_COLUMNS, *optional]]
              for f in frames]
    result = pd.concat(frames, ignore_index=True)
    result.attrs["notes"] = notes
    result.attrs["rows_per_file"] = counts
    return result


# --------------------------------------------------------------------------- council folders


def supplier_payments_dir(code: str) -> Path:
    """``data/raw/council/<code>/supplier_payments/`` (which may not exist)."""
    return paths.raw_council_dir() / code / "supplier_payments"


def load_council_supplier_payments(code: str) -> pd.DataFrame | None:
    """A council's published payment files, or None when it has not supplied any (not an error)."""
    directory = supplier_payments_dir(code)
    if not directory.is_dir() or not any(
        p.suffix.lower() in SUFFIXES for p in directory.iterdir() if p.is_file()
    ):
        return None
    return load_supplier_payments(directory)


MAPPING_COLUMNS = ("service_area", "service_id", "rationale", "data_status")
UNMAPPED = "unmapped"


def load_service_area_mapping(
    path_or_code: str | Path, *, service_ids: Iterable[str] | None = None
) -> pd.DataFrame | None:
    """A council's ``service_areas.csv``: which of its service areas (or suppliers) belong to which service.

    Columns ``service_area`` (exact text, or a regular expression prefixed ``re:``),
    optional ``supplier`` (same form, matched against the merged supplier name),
    ``service_id`` (a service id, or ``unmapped`` to record a deliberate decision
    not to map), ``rationale`` and ``data_status``. Given an ONS code, the file is
    ``data/raw/council/<code>/service_areas.csv``; None when absent.
    """
    path = Path(path_or_code)
    if not path.suffix:
        path = paths.raw_council_dir() / str(path_or_code) / "service_areas.csv"
    run_facts.probe(path)
    if not path.is_file():
        return None
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputDataError(path, f"cannot be read ({exc})".replace("\n", " "),
                             fix="save it as a UTF-8 CSV with the columns described in its README") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    frame = frame.map(lambda v: v.strip() if isinstance(v, str) else v)
    frame["source_row"] = range(2, len(frame) + 2)
    frame = frame[frame.drop(columns="source_row").ne("").any(axis=1)]
    if "supplier" not in frame.columns:
        frame["supplier"] = ""
    allowed = set(service_ids) if service_ids is not None else None
    if allowed is None:
        from wcc_analysis.core.config import load_config

        allowed = set(load_config().services)
    allowed.add(UNMAPPED)
    schema = pa.DataFrameSchema(
        {
            "service_area": pa.Column(str),
            "supplier": pa.Column(str),
            "service_id": pa.Column(str, pa.Check.isin(sorted(allowed))),
            "rationale": pa.Column(str, pa.Check.str_length(min_value=1)),
            "data_status": pa.Column(str, pa.Check.isin(DATA_STATUS)),
        },
        strict=False,
    )
    frame = validate(
        frame, schema, file=path,
        fix={"service_id": f"use one of {', '.join(sorted(allowed))}",
             "rationale": "say why this service area belongs to the service",
             "*": "see the column descriptions in data/raw/council/README.md"},
    )
    for index, row in frame.iterrows():
        if not row["service_area"] and not row["supplier"]:
            raise InputDataError(path, "a row needs a service_area or a supplier", row=int(row["source_row"]),
                                 column="service_area", fix="fill in the service area text (or re:pattern)")
        for column in ("service_area", "supplier"):
            value = row[column]
            if value.startswith("re:"):
                try:
                    re.compile(value[3:])
                except re.error as exc:
                    raise InputDataError(path, f"{value!r} is not a valid regular expression ({exc})",
                                         row=int(row["source_row"]), column=column,
                                         fix="correct the pattern after 're:' or write the exact text") from None
        del index
    return frame.reset_index(drop=True)
